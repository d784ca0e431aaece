//! Starting the live sources of `opsdeck` (not the demo): each one connects
//! in the background, so a slow or dead backend never delays the console.

use crate::config::settings::Settings;
use crate::core::source::{HealthReport, ScopeChange, SourceId};
use crate::features::pods::actions::executor::KubeExecutor;
use crate::features::pods::source::KubeCommand;
use crate::remediation::executor::Deferred;
use crate::shared::kube::KubeOverrides;
use crate::transport::UpdateTx;
use crate::update::Update;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Runs the Prometheus source, restarting it when the Heatmap asks for
/// another window or column count, until `views` closes.
pub async fn run_prometheus(
    mut settings: crate::shared::prometheus::PromSettings,
    tx: UpdateTx,
    mut views: tokio::sync::watch::Receiver<(crate::shared::prometheus::Window, usize)>,
) {
    let mut columns = crate::features::heatmap::source::DEFAULT_COLUMNS;
    loop {
        let task = crate::features::heatmap::source::spawn_with_columns(
            settings.clone(),
            columns,
            crate::transport::outbox(&tx),
        );
        let next = views.changed().await;
        task.abort();
        if next.is_err() {
            return;
        }
        // Only the newest window and width matter: a resize replaces the one before.
        (settings.window, columns) = *views.borrow_and_update();
    }
}

/// Polls the per-revision figures of the rollout detail (`[rollout]`
/// queries) when Prometheus is configured.
pub fn start_revisions(settings: &Settings, tx: &UpdateTx) {
    if settings.prometheus.url.is_some() {
        tokio::spawn(crate::features::pods::source::revisions::run(
            settings.prometheus.clone(),
            settings.rollout.clone(),
            crate::transport::outbox(tx),
        ));
    }
}

/// Connects to Kubernetes and runs its source until `tx` closes. Actions go
/// to `executor` once connected; `scopes` carries `:ctx` / `:ns` requests.
pub async fn run_kube(
    settings: Settings,
    overrides: KubeOverrides,
    tx: UpdateTx,
    executor: Arc<Deferred>,
    mut scopes: mpsc::UnboundedReceiver<ScopeChange>,
    logs: mpsc::UnboundedReceiver<crate::features::logs::source::FollowLogs>,
    link: tokio::sync::watch::Sender<Option<crate::shared::kube::KubeConnection>>,
) {
    let ks = &settings.kubernetes;
    let conn = match crate::shared::kube::connect(ks, &overrides).await {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!("Kubernetes: {e}");
            let report = HealthReport {
                source: SourceId::Kubernetes,
                at: chrono::Utc::now(),
                error: Some(e),
                interval: Duration::from_secs(10),
            };
            let _ = tx.send(Update::from(report)).await;
            return;
        }
    };
    tracing::info!(context = %conn.context, "Kubernetes connected");
    executor.set(Arc::new(KubeExecutor::new(&conn)));
    // Log streams and the breakers source (pods' actuators through the
    // proxy) follow the scope the source watches through this link.
    link.send_replace(Some(conn.clone()));
    let _ = tx
        .send(Update::Contexts(crate::core::clean::Clean::new(
            crate::shared::kube::list_contexts(ks, &overrides),
        )))
        .await;
    let fields = settings.correlation_fields.clone();
    let log_streams = tokio::spawn(crate::features::logs::source::run(
        link.subscribe(),
        crate::transport::outbox(&tx),
        logs,
        fields,
    ));
    let handle =
        crate::features::pods::source::spawn(conn, ks, crate::transport::outbox(&tx), link);
    while let Some(change) = scopes.recv().await {
        if let Some(context) = change.context {
            let _ = handle.commands.send(KubeCommand::SetContext(context)).await;
        }
        if let Some(ns) = change.namespace {
            let ns = (ns != "all").then_some(ns);
            let _ = handle.commands.send(KubeCommand::SetNamespace(ns)).await;
        }
    }
    // The UI is gone; dropping the handle stops the source.
    drop(handle);
    log_streams.abort();
}

/// Starts the breakers source when `[breakers]` configures one; returns
/// the executor of breaker actions (over the same transport).
pub fn start_breakers(
    settings: &Settings,
    link: crate::features::breakers::source::KubeLink,
    tx: UpdateTx,
) -> Option<Arc<dyn crate::core::executor::Executor>> {
    let b = &settings.breakers;
    if !b.enabled() {
        return None;
    }
    let interval = Duration::from_secs(u64::from(b.interval_secs));
    let token = match &b.bearer_token_env {
        Some(var) => match std::env::var(var) {
            Ok(t) => Some(t),
            Err(_) => {
                let report = HealthReport {
                    source: SourceId::Actuator,
                    at: chrono::Utc::now(),
                    error: Some(format!("breakers.bearer_token_env: {var} is not set")),
                    interval,
                };
                let _ = tx.try_send(Update::from(report));
                return None;
            }
        },
        None => None,
    };
    let timeout = crate::shared::prometheus::request_timeout(interval).max(Duration::from_secs(3));
    let transport =
        match crate::features::breakers::source::Transport::new(link.clone(), token, timeout) {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!("breakers: {e}");
                return None;
            }
        };
    tokio::spawn(crate::features::breakers::source::run(
        b.clone(),
        settings.prometheus.clone(),
        transport.clone(),
        link,
        crate::transport::outbox(&tx),
    ));
    Some(Arc::new(
        crate::features::breakers::actions::executor::ActuatorExecutor::new(transport),
    ))
}

/// Starts the Kafka source when `[kafka]` names clusters; returns the
/// executor of offset resets for the clusters whose secrets could be read.
pub fn start_kafka(
    settings: &Settings,
    tx: UpdateTx,
) -> Option<Arc<dyn crate::core::executor::Executor>> {
    let k = &settings.kafka;
    if k.clusters.is_empty() {
        return None;
    }
    let configs: Vec<_> = k
        .clusters
        .iter()
        .filter_map(|c| crate::features::lag::source::poll::cluster_config(c).ok())
        .collect();
    tokio::spawn(crate::features::lag::source::poll::run(
        k.clone(),
        crate::transport::outbox(&tx),
    ));
    Some(Arc::new(
        crate::features::lag::actions::executor::KafkaExecutor::new(configs),
    ))
}

/// Starts the Queries source when `[queries]` lists a target: adds the
/// executors of database actions to `router`, and returns the channel the
/// Queries tab asks for another statement order through.
pub fn start_queries(
    settings: &Settings,
    tx: UpdateTx,
    mut router: crate::remediation::executor::Router,
) -> (
    crate::remediation::executor::Router,
    Option<tokio::sync::watch::Sender<crate::features::queries::postgres::StatementsOrder>>,
) {
    use crate::core::action::Backend;
    let q = &settings.queries;
    if !q.enabled() {
        return (router, None);
    }
    let (order_tx, order_rx) = tokio::sync::watch::channel(Default::default());
    crate::features::queries::source::spawn(q, crate::transport::outbox(&tx), order_rx);
    if !q.postgres.is_empty() {
        router = router.with(
            Backend::Postgres,
            Arc::new(crate::features::queries::actions::pg_executor::PgExecutor::new(&q.postgres)),
        );
    }
    if !q.mongo.is_empty() {
        router = router.with(
            Backend::Mongo,
            Arc::new(
                crate::features::queries::actions::mongo_executor::MongoExecutor::new(&q.mongo),
            ),
        );
    }
    (router, Some(order_tx))
}
