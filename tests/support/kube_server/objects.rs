//! List, get, create, replace, patch and delete of stored objects, with the
//! API's pagination, preconditions, no-op detection and `dryRun=All`.

use axum::body::Bytes;
use serde_json::{Value, json};

use super::deployment;
use super::patch::{self, PatchKind};
use super::resource::Res;
use super::routes::{self, Call, Query, Reply};
use super::selector::Selectors;
use super::state::{Shared, Store, names};
use super::status::{self, Failure};
use super::time;

const CONTINUE_EXPIRED: &str = "The provided continue parameter is too old to display a \
    consistent list result. You can start a new list without the continue parameter, or use the \
    continue token in this response to retrieve the remainder of the results. Continuing with the \
    provided token results in an inconsistent list - objects that were created, modified, or \
    deleted between the time the first chunk was returned and now may show up in the list.";

/// `GET` on a collection without `watch`.
pub fn list(shared: &Shared, res: Res, ns: Option<&str>, q: &Query) -> Reply {
    let selectors = Selectors::parse(res, q.get("labelSelector"), q.get("fieldSelector"))?;
    let limit = q.number("limit")?.filter(|l| *l > 0);
    let store = shared.lock();
    let current = store.resource_version();
    if q.get("resourceVersionMatch") == Some("Exact")
        && q.get("resourceVersion") != Some(current.to_string().as_str())
    {
        // Only the latest snapshot is kept, so any other exact read is too old.
        let asked = q.get("resourceVersion").unwrap_or_default();
        return Err(status::expired(format!(
            "too old resource version: {asked} ({current})"
        )));
    }
    let (list_rv, after) = match q.get("continue") {
        Some(token) => {
            let token = ContinueToken::decode(token)?;
            if token.rv < store.oldest_resource_version() {
                return Err(status::expired(CONTINUE_EXPIRED));
            }
            (token.rv, Some((token.namespace, token.name)))
        }
        None => (current, None),
    };
    let matching: Vec<&Value> = store
        .list(res, ns)
        .into_iter()
        .filter(|object| selectors.matches(object))
        .filter(|object| after.as_ref().is_none_or(|after| &names(object) > after))
        .collect();
    let page_len = limit.map_or(matching.len(), |l| matching.len().min(l as usize));
    let mut metadata = json!({"resourceVersion": list_rv.to_string()});
    if page_len < matching.len() {
        let (namespace, name) = names(matching[page_len - 1]);
        let token = ContinueToken {
            rv: list_rv,
            namespace,
            name,
        };
        metadata["continue"] = json!(token.encode());
        if selectors.is_empty() {
            metadata["remainingItemCount"] = json!(matching.len() - page_len);
        }
    }
    let items: Vec<Value> = matching[..page_len].iter().map(|o| list_item(o)).collect();
    Ok(routes::ok(&json!({
        "kind": res.list_kind(),
        "apiVersion": res.api_version(),
        "metadata": metadata,
        "items": items,
    })))
}

/// List items carry no `kind`/`apiVersion` on the wire; the list names them.
fn list_item(object: &Value) -> Value {
    let mut item = object.clone();
    if let Some(map) = item.as_object_mut() {
        map.remove("kind");
        map.remove("apiVersion");
    }
    item
}

/// Where a paged list stopped; opaque to clients.
struct ContinueToken {
    rv: u64,
    namespace: String,
    name: String,
}

impl ContinueToken {
    fn encode(&self) -> String {
        let plain = format!("{}/{}/{}", self.rv, self.namespace, self.name);
        plain.bytes().map(|b| format!("{b:02x}")).collect()
    }

    fn decode(token: &str) -> Result<Self, Failure> {
        let invalid = || status::bad_request(format!("continue key is not valid: {token:?}"));
        let bytes = (0..token.len())
            .step_by(2)
            .map(|i| {
                token
                    .get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(invalid)?;
        let plain = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = plain.splitn(3, '/');
        let mut next = || parts.next().map(str::to_string).ok_or_else(invalid);
        let (rv, namespace, name) = (next()?, next()?, next()?);
        Ok(Self {
            rv: rv.parse().map_err(|_| invalid())?,
            namespace,
            name,
        })
    }
}

/// `GET` on one object.
pub fn get(shared: &Shared, res: Res, ns: &str, name: &str) -> Reply {
    let store = shared.lock();
    let object = store
        .get(res, ns, name)
        .ok_or_else(|| status::not_found(res, name))?;
    Ok(routes::ok(object))
}

/// `POST` on a collection.
pub fn create(shared: &Shared, res: Res, ns: &str, q: &Query, body: &Bytes) -> Reply {
    let dry_run = q.dry_run()?;
    let mut object = decode_body(body)?;
    check_namespace(&mut object, ns)?;
    let mut store = shared.lock();
    if res == Res::Deployments {
        deployment::on_create(&mut object, store.auto_rollout);
    }
    let stored = if dry_run {
        let (_, name) = names(&object);
        if store.get(res, ns, &name).is_some() {
            return Err(status::already_exists(res, &name));
        }
        store.fill_server_fields(res, &mut object);
        object
    } else {
        store.create(res, object)?
    };
    Ok(routes::created(&stored))
}

/// `PUT` on one object: a full replacement, guarded by `resourceVersion`.
pub fn replace(shared: &Shared, res: Res, ns: &str, name: &str, q: &Query, body: &Bytes) -> Reply {
    let dry_run = q.dry_run()?;
    let mut object = decode_body(body)?;
    check_namespace(&mut object, ns)?;
    if names(&object).1 != name {
        return Err(status::bad_request(
            "the name of the object does not match the name on the URL",
        ));
    }
    let mut store = shared.lock();
    let current = store
        .get(res, ns, name)
        .ok_or_else(|| status::not_found(res, name))?
        .clone();
    check_resource_version(res, name, &object, &current)?;
    keep_server_fields(&current, &mut object);
    write(&mut store, res, &current, object, dry_run)
}

/// `PATCH` on one object.
pub fn patch(shared: &Shared, res: Res, ns: &str, name: &str, call: &Call) -> Reply {
    let kind = PatchKind::from_content_type(call.content_type())?;
    let dry_run = call.query.dry_run()?;
    if kind == PatchKind::Apply && call.query.get("fieldManager").is_none() {
        return Err(status::invalid(
            "PatchOptions",
            "meta.k8s.io",
            "",
            "fieldManager",
            "Required value: is required for apply patch",
        ));
    }
    let body = decode_body(&call.body)?;
    let mut store = shared.lock();
    let current = store
        .get(res, ns, name)
        .ok_or_else(|| status::not_found(res, name))?
        .clone();
    check_resource_version(res, name, &body, &current)?;
    let mut patched = current.clone();
    patch::apply(kind, &mut patched, &body)?;
    keep_server_fields(&current, &mut patched);
    write(&mut store, res, &current, patched, dry_run)
}

/// Stores `updated` over `current` (unless a dry run or a no-op) after the
/// deployment controller's bookkeeping, and answers the result.
pub fn write(
    store: &mut Store,
    res: Res,
    current: &Value,
    mut updated: Value,
    dry_run: bool,
) -> Reply {
    if res == Res::Deployments {
        if !dry_run && store.auto_rollout {
            deployment::renumber(store, current, &mut updated);
        }
        deployment::reconcile(current, &mut updated, store.auto_rollout);
    }
    // A write that changes nothing keeps its resourceVersion and tells no
    // watch, as on a real server.
    if dry_run || &updated == current {
        return Ok(routes::ok(&updated));
    }
    let stored = store
        .replace(res, updated)
        .expect("the object was read under the same lock");
    Ok(routes::ok(&stored))
}

/// `DELETE` on one object. Pods are deleted gracefully (a MODIFIED with
/// `deletionTimestamp`, then DELETED, the kubelet being instant) and the pod
/// is answered; other objects answer a Success Status.
pub fn delete(shared: &Shared, res: Res, ns: &str, name: &str, q: &Query, body: &Bytes) -> Reply {
    let options: Value = if body.is_empty() {
        json!({})
    } else {
        decode_body(body)?
    };
    let dry_run = q.dry_run()? || options["dryRun"] == json!(["All"]);
    let mut store = shared.lock();
    let current = store
        .get(res, ns, name)
        .ok_or_else(|| status::not_found(res, name))?
        .clone();
    let preconditions = &options["preconditions"];
    let rv_mismatch = preconditions["resourceVersion"]
        .as_str()
        .is_some_and(|rv| Some(rv) != current["metadata"]["resourceVersion"].as_str());
    let uid_mismatch = preconditions["uid"]
        .as_str()
        .is_some_and(|uid| Some(uid) != current["metadata"]["uid"].as_str());
    if rv_mismatch || uid_mismatch {
        return Err(status::conflict(res, name));
    }
    if res != Res::Pods {
        if !dry_run {
            store.delete(res, ns, name);
        }
        return Ok(routes::ok(&json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {"name": name, "group": res.group(), "kind": res.plural(),
                        "uid": current["metadata"]["uid"]},
        })));
    }
    let grace = options["gracePeriodSeconds"].as_i64().unwrap_or(30);
    let mut terminating = current.clone();
    if grace > 0 {
        terminating["metadata"]["deletionTimestamp"] = json!(time::now());
        terminating["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
    }
    if dry_run {
        return Ok(routes::ok(&terminating));
    }
    let answered = if grace > 0 {
        store
            .replace(res, terminating)
            .expect("the pod was read under the same lock")
    } else {
        current
    };
    store.delete(res, ns, name);
    super::logs::end_pod_streams(&mut store, ns, name);
    Ok(routes::ok(&answered))
}

fn decode_body(body: &Bytes) -> Result<Value, Failure> {
    serde_json::from_slice(body)
        .map_err(|e| status::bad_request(format!("error decoding request body: {e}")))
}

/// Objects sent to a namespaced path take its namespace; a different one is
/// the real server's 400.
fn check_namespace(object: &mut Value, ns: &str) -> Result<(), Failure> {
    match object["metadata"]["namespace"].as_str() {
        None => {
            object["metadata"]["namespace"] = json!(ns);
            Ok(())
        }
        Some(given) if given == ns => Ok(()),
        Some(_) => Err(status::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )),
    }
}

/// A write that names a `metadata.resourceVersion` must name the current one.
fn check_resource_version(
    res: Res,
    name: &str,
    sent: &Value,
    current: &Value,
) -> Result<(), Failure> {
    match sent["metadata"]["resourceVersion"].as_str() {
        Some(rv) if Some(rv) != current["metadata"]["resourceVersion"].as_str() => {
            Err(status::conflict(res, name))
        }
        _ => Ok(()),
    }
}

/// Clients cannot change identity or server-owned metadata.
fn keep_server_fields(current: &Value, updated: &mut Value) {
    for key in [
        "name",
        "namespace",
        "uid",
        "creationTimestamp",
        "resourceVersion",
        "generation",
    ] {
        match current["metadata"].get(key) {
            Some(value) => updated["metadata"][key] = value.clone(),
            None => {
                if let Some(meta) = updated["metadata"].as_object_mut() {
                    meta.remove(key);
                }
            }
        }
    }
    for key in ["apiVersion", "kind"] {
        if let Some(value) = current.get(key) {
            updated[key] = value.clone();
        }
    }
}
