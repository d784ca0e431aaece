//! The source task: watchers for pods, deployments, ReplicaSets and events (list, then
//! watch; relist after 410 Gone), a metrics poller and an API server ping
//! per scope, restarted when the UI switches namespace or context.

use super::KubeCommand;
use super::alive::{self, Watched};
use super::health;
use super::metrics;
use super::raw::Raw;
use super::scope::{ScopeState, WatchItem};
use crate::core::outbox::{Outbox, Report};
use crate::core::source::{Severity, SourceId};
use crate::core::timeline::{Origin, TimelineEntry};
use crate::features::pods::model::KubeUpdate;
use crate::shared::kube::connect::{self, KubeConnection};
use chrono::Utc;
use futures::StreamExt;
use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Event as KubeEventObject, Pod};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Changes are collected this long before they are sent, so a burst (a
/// rollout of 200 pods) is one update, not 600.
const COALESCE: Duration = Duration::from_millis(100);

/// Why a scope's watch ended.
enum Next {
    Stop,
    Namespace(Option<String>),
    Context(String),
}

/// Runs until the update receiver is gone.
pub async fn run(
    mut conn: KubeConnection,
    metrics_every: Duration,
    tx: Outbox<KubeUpdate>,
    mut commands: mpsc::Receiver<KubeCommand>,
    link: tokio::sync::watch::Sender<Option<KubeConnection>>,
) {
    let mut explicit = conn.choice.namespace_is_explicit();
    // Set when the scope changed: the old scope's rows must not show under
    // the new scope's name while the new lists load.
    let mut clear = false;
    loop {
        link.send_replace(Some(conn.clone()));
        let mut intro = vec![Report::Data(KubeUpdate::Scope {
            context: conn.context.clone(),
            namespace: conn.namespace.clone().unwrap_or_else(|| "all".into()),
        })];
        if std::mem::take(&mut clear) {
            intro.extend(
                [
                    KubeUpdate::Deployments(Vec::new()),
                    KubeUpdate::ReplicaSets(Vec::new()),
                    KubeUpdate::Pods(Vec::new()),
                    KubeUpdate::Events(Vec::new()),
                    KubeUpdate::Metrics(Ok(Vec::new())),
                ]
                .map(Report::Data),
            );
        }
        for u in intro {
            if tx.send(u).await.is_err() {
                return;
            }
        }
        match watch_scope(&conn, metrics_every, &tx, &mut commands).await {
            Next::Stop => return,
            Next::Namespace(ns) => {
                conn.namespace = ns;
                explicit = true;
                clear = true;
            }
            Next::Context(context) => {
                let keep = explicit.then(|| conn.namespace.clone());
                match connect::reconnect(&conn, &context, keep).await {
                    Ok(next) => {
                        conn = next;
                        clear = true;
                    }
                    // Still the same scope: its rows stay while it relists.
                    Err(e) => {
                        tracing::warn!("kubernetes: cannot switch to context {context}: {e}");
                        let entry = TimelineEntry::new(
                            Utc::now(),
                            Severity::Warn,
                            Origin::Source(SourceId::Kubernetes),
                            format!("cannot switch to context {context}: {e}"),
                        );
                        if tx.send(Report::Timeline(entry)).await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    }
}

/// Tasks of one scope, stopped when it ends.
struct Tasks(Vec<JoinHandle<()>>);

impl Drop for Tasks {
    fn drop(&mut self) {
        for t in &self.0 {
            t.abort();
        }
    }
}

/// A watch of `K`, which also says when its connection answers (see `alive`).
fn watch<K>(client: Client, namespace: Option<&str>) -> alive::Alive<WatchItem<K>>
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>
        + DeserializeOwned
        + Send
        + 'static,
{
    let namespace = namespace.map(str::to_string);
    alive::watched(client, move |client| {
        let api: Api<Raw<K>> = match namespace {
            Some(ns) => Api::namespaced(client, &ns),
            None => Api::all(client),
        };
        watcher(api, watcher::Config::default())
            .default_backoff()
            .boxed()
    })
}

async fn watch_scope(
    conn: &KubeConnection,
    metrics_every: Duration,
    tx: &Outbox<KubeUpdate>,
    commands: &mut mpsc::Receiver<KubeCommand>,
) -> Next {
    let ns = conn.namespace.as_deref();
    let mut pods = watch::<Pod>(conn.client.clone(), ns);
    let mut deployments = watch::<Deployment>(conn.client.clone(), ns);
    let mut replica_sets = watch::<ReplicaSet>(conn.client.clone(), ns);
    let mut events = watch::<KubeEventObject>(conn.client.clone(), ns);
    let (ping_tx, mut pings) = mpsc::channel(1);
    let _tasks = Tasks(vec![
        tokio::spawn(metrics::run(
            conn.client.clone(),
            conn.namespace.clone(),
            metrics_every,
            tx.clone(),
        )),
        tokio::spawn(health::run_pings(conn.client.clone(), ping_tx)),
    ]);
    let mut state = ScopeState::new(conn.namespace.clone());
    let mut health_tick =
        tokio::time::interval_at(Instant::now() + health::INTERVAL, health::INTERVAL);
    let mut flush_at: Option<Instant> = None;
    let mut commands_open = true;
    loop {
        let flush_due = async {
            match flush_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            Some(item) = pods.next() => match item {
                Watched::Item(item) => state.on_pod(item),
                Watched::Alive => state.health.ok("pods"),
            },
            Some(item) = deployments.next() => match item {
                Watched::Item(item) => state.on_deployment(item),
                Watched::Alive => state.health.ok("deployments"),
            },
            Some(item) = replica_sets.next() => match item {
                Watched::Item(item) => state.on_replica_set(item),
                Watched::Alive => state.health.ok("replicasets"),
            },
            Some(item) = events.next() => match item {
                Watched::Item(item) => state.on_event(item),
                Watched::Alive => state.health.ok("events"),
            },
            Some(ping) = pings.recv() => match ping {
                Ok(()) => state.health.ok("ping"),
                Err(e) => {
                    if state.health.failed("ping", e.clone()) {
                        tracing::warn!("kubernetes: {e}");
                    }
                }
            },
            _ = health_tick.tick() => state.health.tick(),
            () = flush_due => {
                flush_at = None;
                for u in state.flush() {
                    if tx.send(u).await.is_err() {
                        return Next::Stop;
                    }
                }
            }
            command = commands.recv(), if commands_open => match command {
                Some(KubeCommand::SetNamespace(ns)) => return Next::Namespace(ns),
                Some(KubeCommand::SetContext(context)) => return Next::Context(context),
                // Nobody can steer the source any more; it keeps watching.
                None => commands_open = false,
            },
            () = tx.closed() => return Next::Stop,
        }
        if flush_at.is_none() && state.is_pending() {
            flush_at = Some(Instant::now() + COALESCE);
        }
        if let Some(report) = state.health.report()
            && tx.send(report).await.is_err()
        {
            return Next::Stop;
        }
    }
}
