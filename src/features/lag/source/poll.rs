//! The Lag tab's source: every interval, per cluster, list the groups (when
//! the cluster can), read each watched group's offsets and the dead-letter
//! topics, and send one `LagUpdate`. A failing cluster backs off (up to a
//! minute, less once it accepts connections again) and keeps its last data
//! in the model; others go on.

use super::ClusterConfig;
use super::pool::{ClusterClients, MAX_GROUP_CLIENTS};
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
    let mut poller = Poller::new(config, c.clone(), dlq);
    let mut wait = interval;
    loop {
        let (update, error) = poller.poll().await;
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

/// One cluster's poller: its settings and the clients it keeps between
/// polls, so steady polls open no new connections.
pub struct Poller {
    config: ClusterConfig,
    cluster: KafkaCluster,
    dlq: DlqPatterns,
    /// `None` only while a round holds them on the blocking pool.
    clients: Option<ClusterClients>,
}

/// How committed offsets are read: over the protocol for a plain-text
/// cluster (a few connections, however many groups), else through a
/// librdkafka client per group, which does TLS and SASL.
fn clients_for(config: &ClusterConfig) -> ClusterClients {
    if config.is_plaintext() {
        ClusterClients::over_the_wire()
    } else {
        ClusterClients::new(MAX_GROUP_CLIENTS)
    }
}

impl Poller {
    pub fn new(config: ClusterConfig, cluster: KafkaCluster, dlq: DlqPatterns) -> Self {
        Poller {
            clients: Some(clients_for(&config)),
            config,
            cluster,
            dlq,
        }
    }

    /// Committed offsets through a client per group, at most `capacity` of
    /// them kept, even where the protocol reader could be used.
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.clients = Some(ClusterClients::new(capacity));
        self
    }

    /// One round: `None` and the error when the cluster could not be read
    /// at all (the clients are then dropped and made again next time).
    pub async fn poll(&mut self) -> (Option<LagUpdate>, Option<String>) {
        let mut clients = self
            .clients
            .take()
            .unwrap_or_else(|| clients_for(&self.config));
        let (config, cluster, dlq) = (self.config.clone(), self.cluster.clone(), self.dlq.clone());
        let rt = tokio::runtime::Handle::current();
        let done = tokio::task::spawn_blocking(move || {
            let result = super::round::poll_round(&rt, &mut clients, &config, &cluster, &dlq);
            (clients, result)
        })
        .await;
        match done {
            Ok((clients, result)) => {
                self.clients = Some(clients);
                result
            }
            Err(e) => (
                None,
                Some(format!("{}: kafka task failed: {e}", self.config.name)),
            ),
        }
    }

    /// The clients kept now (empty while a round runs).
    pub fn clients(&self) -> Option<&ClusterClients> {
        self.clients.as_ref()
    }
}

/// One round with clients made for it alone (tests, one-off reads).
pub async fn poll_cluster(
    config: &ClusterConfig,
    c: &KafkaCluster,
    dlq: &DlqPatterns,
) -> (Option<LagUpdate>, Option<String>) {
    Poller::new(config.clone(), c.clone(), dlq.clone())
        .poll()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poller(config: ClusterConfig) -> Poller {
        Poller::new(config, KafkaCluster::default(), DlqPatterns::default())
    }

    #[test]
    fn plain_text_reads_over_the_wire_tls_and_sasl_through_librdkafka() {
        let wire = |p: &Poller| p.clients().and_then(ClusterClients::wire_connections);
        let plain = ClusterConfig::new("c", "b:9092");
        assert_eq!(wire(&poller(plain.clone())), Some((0, 0)));
        for (key, value) in [
            ("security.protocol", "SASL_SSL"),
            ("security.protocol", "SSL"),
            ("sasl.mechanism", "SCRAM-SHA-512"),
        ] {
            let secured = plain.clone().with_property(key, value);
            assert_eq!(wire(&poller(secured)), None, "{key}={value}");
        }
    }
}
