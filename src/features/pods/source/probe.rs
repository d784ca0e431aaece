//! `opsdeck check` for Kubernetes: can we connect, does the API server
//! answer, and which of the calls opsdeck makes does RBAC allow here.

use super::metrics;
use crate::core::probe::ProbeRow;
use crate::shared::kube::access::{self, Answer, Permission};
use crate::shared::kube::connect::{KubeOverrides, connect};
use crate::shared::kube::errors::chain;
use crate::shared::kube::settings::KubeSettings;
use std::future::Future;
use std::time::{Duration, Instant};

/// Bound on each probe call.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What opsdeck needs: watch pods, deployments, their ReplicaSets and
/// events; act on deployments and pods. `(verb, group, resource, subresource)`.
const NEEDED: [(&str, &str, &str, Option<&str>); 9] = [
    ("list", "", "pods", None),
    ("watch", "", "pods", None),
    ("list", "apps", "deployments", None),
    ("watch", "apps", "deployments", None),
    ("list", "apps", "replicasets", None),
    ("list", "", "events", None),
    ("patch", "apps", "deployments", Some("scale")),
    ("patch", "apps", "deployments", None),
    ("delete", "", "pods", None),
];

/// Runs the probes in order; stops early when the cluster cannot be reached.
pub async fn probe(settings: &KubeSettings, overrides: &KubeOverrides) -> Vec<ProbeRow> {
    let mut rows = Vec::new();
    let (conn, took) = timed(connect(settings, overrides)).await;
    let conn = match conn.and_then(|c| c) {
        Ok(conn) => {
            let scope = conn.namespace.as_deref().unwrap_or("all namespaces");
            let detail = format!("{} (namespace {scope})", conn.context);
            rows.push(row("context", true, detail, took));
            conn
        }
        Err(e) => {
            rows.push(row("context", false, e, took));
            return rows;
        }
    };
    let (version, took) = timed(conn.client.apiserver_version()).await;
    let version = version.and_then(|v| {
        v.map_err(|e| match e {
            kube::Error::Api(status) => format!(
                "the API server answered {} {}: {}",
                status.code, status.reason, status.message
            ),
            other => format!("cannot reach the API server: {}", chain(&other)),
        })
    });
    match version {
        Ok(v) => rows.push(row(
            "api server",
            true,
            format!("{} answered", v.git_version),
            took,
        )),
        Err(e) => {
            rows.push(row("api server", false, e, took));
            return rows;
        }
    }
    let ns = conn.namespace.as_deref();
    for (verb, group, resource, subresource) in NEEDED {
        let permission = Permission {
            verb,
            group,
            resource,
            subresource,
            namespace: ns,
            name: None,
        };
        let check = permission.describe();
        let (answer, took) = timed(access::review(&conn.client, &permission)).await;
        rows.push(match answer.and_then(|a| a) {
            Ok(Answer::Allowed) => row(&check, true, "allowed".into(), took),
            Ok(Answer::Denied(reason)) if reason.is_empty() => {
                row(&check, false, "forbidden".into(), took)
            }
            Ok(Answer::Denied(reason)) => row(&check, false, format!("forbidden: {reason}"), took),
            Err(e) => row(&check, false, e, took),
        });
    }
    let (m, took) = timed(metrics::poll(&conn.client, ns)).await;
    rows.push(match m.and_then(|m| m) {
        Ok(list) => row(
            "metrics API",
            true,
            format!("{} pods measured", list.len()),
            took,
        ),
        Err(note) => row("metrics API", false, note, took),
    });
    rows
}

fn row(check: &str, ok: bool, detail: String, took: Duration) -> ProbeRow {
    ProbeRow {
        check: check.to_string(),
        ok,
        detail,
        took,
    }
}

/// Runs `call` with the probe timeout, and says how long it took.
async fn timed<T>(call: impl Future<Output = T>) -> (Result<T, String>, Duration) {
    let start = Instant::now();
    let result = tokio::time::timeout(TIMEOUT, call)
        .await
        .map_err(|_| format!("no answer in {}s", TIMEOUT.as_secs()));
    (result, start.elapsed())
}
