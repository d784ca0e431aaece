//! Applying PATCH bodies: JSON merge patch (RFC 7386), the subset of
//! strategic merge patch that clients like `kubectl rollout restart` send,
//! and JSON patch (RFC 6902), which `kubectl rollout undo` sends.

use serde_json::Value;

use super::status::{self, Failure};

/// The patch flavours named by the request's `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    Merge,
    Strategic,
    /// Server-side apply; applied here as a merge of the sent fields.
    Apply,
    /// RFC 6902: a list of operations, applied in order or not at all.
    Json,
}

impl PatchKind {
    pub fn from_content_type(content_type: &str) -> Result<Self, Failure> {
        let mime = content_type.split(';').next().unwrap_or("").trim();
        match mime {
            "application/merge-patch+json" => Ok(Self::Merge),
            "application/strategic-merge-patch+json" => Ok(Self::Strategic),
            "application/apply-patch+yaml" => Ok(Self::Apply),
            "application/json-patch+json" => Ok(Self::Json),
            other => Err(status::unsupported_patch(other)),
        }
    }
}

/// Applies `patch` to `target` in place; a JSON patch that fails (a
/// `test` that does not hold, a path that is not there) changes nothing
/// and answers what the API server answers: 422 with the reason as cause.
pub fn apply(kind: PatchKind, target: &mut Value, patch: &Value) -> Result<(), Failure> {
    match kind {
        PatchKind::Merge | PatchKind::Apply => merge(target, patch, false),
        PatchKind::Strategic => merge(target, patch, true),
        PatchKind::Json => {
            let mut patched = target.clone();
            json_patch(&mut patched, patch).map_err(status::json_patch_failed)?;
            *target = patched;
        }
    }
    Ok(())
}

/// RFC 6902's `add`, `remove`, `replace` and `test`, with errors worded as
/// the API server's JSON patch library words them.
fn json_patch(target: &mut Value, ops: &Value) -> Result<(), String> {
    let ops = ops
        .as_array()
        .ok_or("json: cannot unmarshal object into Go value of type jsonpatch.Patch")?;
    for op in ops {
        let path = op["path"].as_str().unwrap_or_default();
        let value = || op.get("value").cloned().ok_or("missing value");
        match op["op"].as_str().unwrap_or_default() {
            "test" => {
                if target.pointer(path) != op.get("value") {
                    return Err(format!("testing value {path} failed: test failed"));
                }
            }
            "replace" => {
                let slot = target
                    .pointer_mut(path)
                    .ok_or_else(|| format!("replace operation does not apply: doc is missing key: {path}: missing value"))?;
                *slot = value()?;
            }
            "add" => {
                let (parent, key) = split_pointer(path);
                let slot = target
                    .pointer_mut(parent)
                    .ok_or_else(|| format!("add operation does not apply: doc is missing path: \"{path}\": missing value"))?;
                match slot {
                    Value::Object(map) => {
                        map.insert(key, value()?);
                    }
                    Value::Array(list) if key == "-" => list.push(value()?),
                    Value::Array(list) => {
                        let i: usize = key.parse().map_err(|_| format!("invalid index {key}"))?;
                        if i > list.len() {
                            return Err(format!(
                                "add operation does not apply: index {i} out of bounds"
                            ));
                        }
                        list.insert(i, value()?);
                    }
                    _ => {
                        return Err(format!(
                            "add operation does not apply: doc is missing path: \"{path}\""
                        ));
                    }
                }
            }
            "remove" => {
                let (parent, key) = split_pointer(path);
                let removed = match target.pointer_mut(parent) {
                    Some(Value::Object(map)) => map.remove(&key).is_some(),
                    Some(Value::Array(list)) => match key.parse::<usize>() {
                        Ok(i) if i < list.len() => {
                            list.remove(i);
                            true
                        }
                        _ => false,
                    },
                    _ => false,
                };
                if !removed {
                    return Err(format!(
                        "remove operation does not apply: doc is missing path: \"{path}\": missing value"
                    ));
                }
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(())
}

/// `/a/b~1c` → (`/a`, `b/c`).
fn split_pointer(path: &str) -> (&str, String) {
    let (parent, key) = path.rsplit_once('/').unwrap_or(("", path));
    (parent, key.replace("~1", "/").replace("~0", "~"))
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
