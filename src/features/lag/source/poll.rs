//! The Lag tab's source: every interval, per cluster, list the groups (when
//! the cluster can), read each watched group's offsets and the dead-letter
//! topics, and send one `LagUpdate`. A failing cluster backs off (up to a
//! minute, less once it accepts connections again) and keeps its last data
//! in the model; others go on.

use super::{ClusterConfig, ErrorKind, SourceError, WatchTopics};
use crate::core::glob::glob_match;
use crate::core::outbox::{Outbox, Report};
use crate::core::source::{HealthReport, SourceId};
use crate::features::lag::model::LagUpdate;
use crate::features::lag::settings::{KafkaCluster, KafkaSettings};
use crate::features::lag::stats::dlq::DlqPatterns;
use chrono::Utc;
use std::time::Duration;

/// Longest wait between polls of a failing cluster.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The librdkafka view of a configured cluster, secrets read from their
/// environment variables now.
pub fn cluster_config(c: &KafkaCluster) -> Result<ClusterConfig, String> {
    let mut config = ClusterConfig::new(&c.name, &c.bootstrap);
    for (k, v) in &c.properties {
        config = config.with_property(k, v);
    }
    for (k, var) in &c.secret_env {
        let value = std::env::var(var)
            .map_err(|_| format!("kafka.clusters.{}.secret_env: {var} is not set", c.name))?;
        config = config.with_property(k, value);
    }
    Ok(config)
}

/// Polls every cluster until `tx` closes.
pub async fn run(settings: KafkaSettings, tx: Outbox<LagUpdate>) {
    let tasks: Vec<_> = settings
        .clusters
        .iter()
        .map(|c| tokio::spawn(run_cluster(c.clone(), settings.clone(), tx.clone())))
        .collect();
    for t in tasks {
        let _ = t.await;
    }
}

async fn run_cluster(c: KafkaCluster, settings: KafkaSettings, tx: Outbox<LagUpdate>) {
    let interval = Duration::from_secs(u64::from(settings.interval_secs));
    let config = match cluster_config(&c) {
        Ok(config) => config,
        Err(e) => {
            let _ = tx.send(health(Some(e), interval)).await;
            return;
        }
    };
    let dlq = DlqPatterns(settings.dlq_patterns.clone());
    let mut wait = interval;
    loop {
        let (update, error) = poll_cluster(&config, &c, &dlq).await;
        let failed = error.is_some();
        wait = match &error {
            Some(_) => (wait * 2).min(MAX_BACKOFF),
            None => interval,
        };
        if let Some(update) = update
            && tx.send(Report::Data(update)).await.is_err()
        {
            return;
        }
        if tx.send(health(error, interval)).await.is_err() {
            return;
        }
        if failed {
            super::backoff::wait(&c.bootstrap, wait, interval).await;
        } else {
            tokio::time::sleep(wait).await;
        }
    }
}

fn health(error: Option<String>, interval: Duration) -> Report<LagUpdate> {
    Report::Health(HealthReport {
        source: SourceId::Kafka,
        at: Utc::now(),
        error,
        interval,
    })
}

/// One round: `None` and the error when the cluster could not be read at all.
pub async fn poll_cluster(
    config: &ClusterConfig,
    c: &KafkaCluster,
    dlq: &DlqPatterns,
) -> (Option<LagUpdate>, Option<String>) {
    let at = Utc::now();
    let mut note = None;
    let mut groups: Vec<String> = c.groups.clone();
    if c.discover {
        match super::list_groups(config).await {
            Ok(listed) => groups.extend(listed.into_iter().map(|g| g.id).filter(|g| wanted(c, g))),
            Err(e) if e.kind == ErrorKind::ListingNotSupported => {
                note = Some(format!(
                    "{}: listing groups is not supported here; watching the configured groups",
                    c.name
                ));
            }
            Err(e) => return (None, Some(e.to_string())),
        }
    }
    groups.sort();
    groups.dedup();
    let mut snapshots = Vec::new();
    let mut failures = Vec::new();
    for g in &groups {
        match super::group_snapshot(config, g, &WatchTopics::Discover).await {
            Ok(s) => snapshots.push(s),
            Err(e) if unreachable(&e) => return (None, Some(e.to_string())),
            Err(e) => failures.push((g.clone(), e.to_string())),
        }
    }
    let dlq = match super::dead_letter_sizes(config, dlq).await {
        Ok(sizes) => sizes,
        Err(e) if unreachable(&e) => return (None, Some(e.to_string())),
        Err(e) => {
            failures.push(("dead letters".into(), e.to_string()));
            Vec::new()
        }
    };
    let update = LagUpdate {
        cluster: c.name.clone(),
        at,
        groups: snapshots,
        dlq,
        note,
        failures,
    };
    (Some(update), None)
}

fn unreachable(e: &SourceError) -> bool {
    e.kind == ErrorKind::Unreachable
}

/// Include patterns (all when none), then exclude patterns.
fn wanted(c: &KafkaCluster, group: &str) -> bool {
    (c.include.is_empty() || c.include.iter().any(|p| glob_match(p, group)))
        && !c.exclude.iter().any(|p| glob_match(p, group))
}
