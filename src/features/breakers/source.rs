//! The Breakers source: resilience4j circuit breakers from actuator URLs,
//! from pods found through the Kubernetes API (read through its pod proxy),
//! and from Prometheus. Each poll sends one `BreakersUpdate` per source
//! kind and the Actuator badge's health; a target that fails is named in
//! the update and does not stop the others.

mod discover;
pub mod fetch;
pub mod probe;
pub mod prom;
pub mod transport;

pub use discover::{PodTarget, pods};
pub use transport::{KubeLink, Transport};

use crate::core::action::Endpoint;
use crate::core::outbox::{Outbox, Report};
use crate::core::source::{HealthReport, SourceId};
use crate::features::breakers::model::{
    BreakerSource, BreakersUpdate, Figures, Observation, RowKey,
};
use crate::features::breakers::settings::BreakerSettings;
use crate::shared::prometheus::PromSettings;
use chrono::Utc;
use std::time::Duration;

/// One actuator to ask: a configured URL or a discovered pod.
#[derive(Debug, Clone)]
struct Target {
    label: String,
    service: String,
    endpoint: Endpoint,
}

/// Polls until `tx` closes.
pub async fn run(
    settings: BreakerSettings,
    prom: PromSettings,
    transport: Transport,
    kube: KubeLink,
    tx: Outbox<BreakersUpdate>,
) {
    let interval = Duration::from_secs(u64::from(settings.interval_secs));
    let prom_client = if settings.prometheus {
        match crate::shared::prometheus::PromClient::new(&prom) {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::warn!("breakers from Prometheus: {e}");
                None
            }
        }
    } else {
        None
    };
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let mut updates = Vec::new();
        if !settings.actuators.is_empty() || settings.discovery.is_some() {
            let (update, error) = poll_actuators(&settings, &transport, &kube).await;
            updates.push(Report::Data(update));
            updates.push(Report::Health(HealthReport {
                source: SourceId::Actuator,
                at: Utc::now(),
                error,
                interval,
            }));
        }
        if let Some(client) = &prom_client {
            let at = Utc::now();
            match client.query(prom::QUERY, None).await {
                Ok(reply) => {
                    let observations = prom::observations(&reply.data);
                    let targets = observations.iter().map(|o| o.target.clone()).collect();
                    updates.push(Report::Data(BreakersUpdate {
                        source: BreakerSource::Prometheus,
                        at,
                        observations,
                        targets,
                        failures: Vec::new(),
                        keep_unlisted: false,
                    }));
                }
                Err(e) => tracing::warn!("breakers from Prometheus: {e}"),
            }
        }
        for u in updates {
            if tx.send(u).await.is_err() {
                return;
            }
        }
    }
}

/// Asks every configured URL and discovered pod at once; returns the
/// update and the health error (all targets failed, or discovery failed).
pub async fn poll_actuators(
    settings: &BreakerSettings,
    transport: &Transport,
    kube: &KubeLink,
) -> (BreakersUpdate, Option<String>) {
    let at = Utc::now();
    let mut targets: Vec<Target> = settings
        .actuators
        .iter()
        .map(|(name, actuator)| Target {
            label: name.clone(),
            service: name.clone(),
            endpoint: actuator.endpoint(),
        })
        .collect();
    let mut failures = Vec::new();
    let mut discovery_error = None;
    if let Some(d) = &settings.discovery {
        let conn = kube.borrow().clone();
        match conn {
            Some(conn) => match pods(&conn, d).await {
                Ok(found) => targets.extend(found.into_iter().map(|p| Target {
                    label: p.pod,
                    service: p.service,
                    endpoint: p.endpoint,
                })),
                Err(e) => discovery_error = Some(e),
            },
            // A closed link means no Kubernetes source was started at all.
            None if kube.has_changed().is_err() => {
                discovery_error = Some(
                    "pod discovery needs Kubernetes, which is off (kubernetes.enabled = false)"
                        .to_string(),
                )
            }
            None => discovery_error = Some("waiting for the Kubernetes connection".to_string()),
        }
    }
    let asks = targets
        .iter()
        .map(|t| async move { (t, fetch::breakers(transport, &t.endpoint, &t.label).await) });
    let answers = futures::future::join_all(asks).await;
    let mut observations = Vec::new();
    for (t, answer) in answers {
        match answer {
            Ok(list) => observations.extend(list.iter().map(|b| Observation {
                key: RowKey {
                    service: t.service.clone(),
                    instance: t.label.clone(),
                    breaker: b.name.clone(),
                },
                target: t.label.clone(),
                endpoint: Some(t.endpoint.clone()),
                figures: Figures::from(b),
            })),
            Err(e) => failures.push((t.label.clone(), e)),
        }
    }
    let all_failed = !targets.is_empty() && failures.len() >= targets.len();
    let error = discovery_error.clone().or_else(|| {
        all_failed
            .then(|| failures.first().map(|(_, e)| e.clone()))
            .flatten()
    });
    let update = BreakersUpdate {
        source: BreakerSource::Actuator,
        at,
        observations,
        targets: targets.iter().map(|t| t.label.clone()).collect(),
        failures,
        // Which pods exist is unknown this round: keep their last rows.
        keep_unlisted: discovery_error.is_some(),
    };
    (update, error)
}
