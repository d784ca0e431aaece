//! Pod CPU and memory from `metrics.k8s.io/v1beta1`, polled: the API has
//! no watch. Its absence (no metrics-server) is a note, not an error.

use super::convert;
use super::raw::Raw;
use crate::core::outbox::{Outbox, Report};
use crate::features::pods::model::{KubeUpdate, PodMetrics};
use crate::shared::kube::errors::{Attempt, describe};
use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, ListParams};
use kube::{Client, Resource};
use std::borrow::Cow;
use std::time::Duration;

/// Bound on one poll; metrics-server can be slow when its nodes are.
const POLL_TIMEOUT: Duration = Duration::from_secs(10);

/// The note shown when the cluster has no metrics API.
pub const ABSENT: &str = "metrics API not available (metrics-server not installed?)";

/// The `PodMetrics` kind, only ever read as `Raw` JSON (k8s-openapi has no
/// type for it). Uninhabited: no value of it exists.
pub enum PodMetricsKind {}

impl Resource for PodMetricsKind {
    type DynamicType = ();
    type Scope = NamespaceResourceScope;

    fn kind(_: &()) -> Cow<'_, str> {
        "PodMetrics".into()
    }

    fn group(_: &()) -> Cow<'_, str> {
        "metrics.k8s.io".into()
    }

    fn version(_: &()) -> Cow<'_, str> {
        "v1beta1".into()
    }

    fn plural(_: &()) -> Cow<'_, str> {
        "pods".into()
    }

    fn meta(&self) -> &ObjectMeta {
        match *self {}
    }

    fn meta_mut(&mut self) -> &mut ObjectMeta {
        match *self {}
    }
}

/// The usage of every pod in scope (`None` = all namespaces), or the note
/// to show instead.
pub async fn poll(client: &Client, namespace: Option<&str>) -> Result<Vec<PodMetrics>, String> {
    let api: Api<Raw<PodMetricsKind>> = match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    let list = match tokio::time::timeout(POLL_TIMEOUT, api.list(&ListParams::default())).await {
        Err(_) => {
            return Err(format!(
                "metrics API did not answer in {}s",
                POLL_TIMEOUT.as_secs()
            ));
        }
        Ok(Err(kube::Error::Api(status))) if status.code == 404 => return Err(ABSENT.into()),
        Ok(Err(kube::Error::Api(status))) if status.code == 503 => {
            return Err(format!("metrics API unavailable: {}", status.message));
        }
        Ok(Err(e)) => {
            let attempt = Attempt {
                verb: "list",
                resource: "pods.metrics.k8s.io",
                namespace,
            };
            return Err(describe(&e, attempt));
        }
        Ok(Ok(list)) => list,
    };
    Ok(list
        .items
        .iter()
        .filter_map(|raw| {
            let m = convert::pod_metrics(raw.value());
            if m.is_none() {
                let (ns, name) = raw.key();
                tracing::warn!("skipping malformed PodMetrics {ns}/{name}");
            }
            m
        })
        .collect())
}

/// Polls every `every` and sends each result, until the receiver is gone.
pub async fn run(
    client: Client,
    namespace: Option<String>,
    every: Duration,
    tx: Outbox<KubeUpdate>,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let result = poll(&client, namespace.as_deref()).await;
        if let Err(note) = &result {
            tracing::debug!("pod metrics: {note}");
        }
        if tx
            .send(Report::Data(KubeUpdate::Metrics(result)))
            .await
            .is_err()
        {
            return;
        }
    }
}
