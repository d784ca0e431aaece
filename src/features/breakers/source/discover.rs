//! Which pods to ask: those matching the configured label selector, with
//! the deployment that owns each, through the pod proxy on the configured port.

use crate::core::action::Endpoint;
use crate::features::breakers::settings::BreakerDiscovery;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

/// A pod whose actuator is polled.
#[derive(Debug, Clone, PartialEq)]
pub struct PodTarget {
    pub pod: String,
    pub service: String,
    pub endpoint: Endpoint,
}

/// Running pods matching the selector, in the configured namespace (else
/// the connection's; every namespace when it watches all).
pub async fn pods(
    conn: &crate::shared::kube::KubeConnection,
    d: &BreakerDiscovery,
) -> Result<Vec<PodTarget>, String> {
    let namespace = d.namespace.clone().or_else(|| conn.namespace.clone());
    let api: Api<Pod> = match &namespace {
        Some(ns) => Api::namespaced(conn.client.clone(), ns),
        None => Api::all(conn.client.clone()),
    };
    let list = api
        .list(&ListParams::default().labels(&d.selector))
        .await
        .map_err(|e| format!("listing pods {}: {e}", d.selector))?;
    let mut out: Vec<PodTarget> = list
        .items
        .iter()
        .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
        .filter_map(|p| {
            let name = p.metadata.name.clone()?;
            let ns = p.metadata.namespace.clone().or_else(|| namespace.clone())?;
            let service = crate::shared::kube::owner_deployment(p).unwrap_or_else(|| name.clone());
            Some(PodTarget {
                endpoint: Endpoint::PodProxy {
                    namespace: ns,
                    pod: name.clone(),
                    port: d.port,
                    base_path: d.path.clone(),
                },
                pod: name,
                service,
            })
        })
        .collect();
    out.sort_by(|a, b| a.pod.cmp(&b.pod));
    Ok(out)
}
