//! The `deployments/{name}/scale` subresource (autoscaling/v1 Scale):
//! GET, PATCH and PUT, all honouring `dryRun=All`.

use serde_json::{Value, json};

use super::deployment;
use super::objects;
use super::patch::{self, PatchKind};
use super::resource::Res;
use super::routes::{self, Call, Reply};
use super::state::Shared;
use super::status::{self, Failure};

/// Serves one call on a deployment's scale; `verb` is the RBAC verb.
pub fn handle(shared: &Shared, verb: &str, ns: &str, name: &str, call: &Call) -> Reply {
    let mut store = shared.lock();
    let current = store
        .get(Res::Deployments, ns, name)
        .ok_or_else(|| status::not_found(Res::Deployments, name))?
        .clone();
    let scale = deployment::to_scale(&current);
    let wanted = match verb {
        "get" => return Ok(routes::ok(&scale)),
        "patch" => {
            let kind = PatchKind::from_content_type(call.content_type())?;
            let body = decode(&call.body)?;
            check_resource_version(name, &body, &scale)?;
            let mut patched = scale.clone();
            patch::apply(kind, &mut patched, &body)?;
            patched
        }
        "update" => {
            let body = decode(&call.body)?;
            check_resource_version(name, &body, &scale)?;
            body
        }
        _ => return Err(status::method_not_allowed()),
    };
    let replicas = validate_replicas(name, &wanted["spec"]["replicas"])?;
    let mut updated = current.clone();
    updated["spec"]["replicas"] = json!(replicas);
    let dry_run = call.query.dry_run()?;
    objects::write(&mut store, Res::Deployments, &current, updated, dry_run)?;
    let result = if dry_run {
        // The answer of a dry run shows the scale as if it had been applied.
        let mut scale = scale;
        scale["spec"]["replicas"] = json!(replicas);
        scale
    } else {
        let stored = store
            .get(Res::Deployments, ns, name)
            .expect("the deployment was written under the same lock");
        deployment::to_scale(stored)
    };
    Ok(routes::ok(&result))
}

fn decode(body: &[u8]) -> Result<Value, Failure> {
    serde_json::from_slice(body)
        .map_err(|e| status::bad_request(format!("error decoding request body: {e}")))
}

fn check_resource_version(name: &str, sent: &Value, scale: &Value) -> Result<(), Failure> {
    match sent["metadata"]["resourceVersion"].as_str() {
        Some(rv) if Some(rv) != scale["metadata"]["resourceVersion"].as_str() => {
            Err(status::conflict(Res::Deployments, name))
        }
        _ => Ok(()),
    }
}

fn validate_replicas(name: &str, replicas: &Value) -> Result<i64, Failure> {
    match replicas.as_i64() {
        Some(n) if n >= 0 => Ok(n),
        Some(n) => Err(status::invalid(
            "Scale",
            "autoscaling",
            name,
            "spec.replicas",
            &format!("Invalid value: {n}: must be greater than or equal to 0"),
        )),
        None => Err(status::invalid(
            "Scale",
            "autoscaling",
            name,
            "spec.replicas",
            &format!("Invalid value: {replicas}: must be an integer"),
        )),
    }
}
