//! Applying PATCH bodies: JSON merge patch (RFC 7386) and the subset of
//! strategic merge patch that clients like `kubectl rollout restart` send.

use serde_json::Value;

use super::status::{self, Failure};

/// The patch flavours named by the request's `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    Merge,
    Strategic,
    /// Server-side apply; applied here as a merge of the sent fields.
    Apply,
}

impl PatchKind {
    pub fn from_content_type(content_type: &str) -> Result<Self, Failure> {
        let mime = content_type.split(';').next().unwrap_or("").trim();
        match mime {
            "application/merge-patch+json" => Ok(Self::Merge),
            "application/strategic-merge-patch+json" => Ok(Self::Strategic),
            "application/apply-patch+yaml" => Ok(Self::Apply),
            other => Err(status::unsupported_patch(other)),
        }
    }
}

/// Applies `patch` to `target` in place.
pub fn apply(kind: PatchKind, target: &mut Value, patch: &Value) {
    match kind {
        PatchKind::Merge | PatchKind::Apply => merge(target, patch, false),
        PatchKind::Strategic => merge(target, patch, true),
    }
}

/// RFC 7386: objects merge key by key, `null` deletes, anything else
/// replaces. With `strategic`, lists of objects that carry a `name` (the
/// merge key of containers, env, ports, volumes) merge element by element,
/// and `$`-directives other than `$patch: delete` are ignored.
fn merge(target: &mut Value, patch: &Value, strategic: bool) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let Value::Object(target_map) = target else {
        return;
    };
    for (key, value) in patch_map {
        if strategic && key.starts_with('$') {
            continue;
        }
        match value {
            Value::Null => {
                target_map.remove(key);
            }
            Value::Object(_) => merge(
                target_map.entry(key.clone()).or_insert(Value::Null),
                value,
                strategic,
            ),
            Value::Array(items) if strategic && items.iter().all(has_name) && !items.is_empty() => {
                let slot = target_map
                    .entry(key.clone())
                    .or_insert(Value::Array(Vec::new()));
                merge_named_list(slot, items);
            }
            other => {
                target_map.insert(key.clone(), other.clone());
            }
        }
    }
}

fn has_name(item: &Value) -> bool {
    item.get("name").is_some_and(Value::is_string)
}

fn merge_named_list(slot: &mut Value, items: &[Value]) {
    if !slot
        .as_array()
        .is_some_and(|list| list.iter().all(has_name))
    {
        *slot = Value::Array(Vec::new());
    }
    let Value::Array(list) = slot else {
        return;
    };
    for item in items {
        let name = &item["name"];
        let position = list.iter().position(|existing| &existing["name"] == name);
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (position, delete) {
            (Some(i), true) => {
                list.remove(i);
            }
            (Some(i), false) => merge(&mut list[i], item, true),
            (None, true) => {}
            (None, false) => {
                let mut added = Value::Null;
                merge(&mut added, item, true);
                list.push(added);
            }
        }
    }
}
