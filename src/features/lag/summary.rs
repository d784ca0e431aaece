//! What the Overview needs of the Lag tab: each group's lag, trend and
//! time to drain, and dead-letter topics that grow.

use super::model::Consumers;
use super::settings::KafkaSettings;
use super::stats::Trend;
use super::stats::dlq::Growth;
use crate::core::service::{Condition, GroupSignal, InfraSignal};

/// One signal per (cluster, group).
pub fn signals(c: &Consumers, settings: &KafkaSettings) -> Vec<GroupSignal> {
    c.summaries
        .iter()
        .map(|((cluster, group), s)| {
            let over = s.lag > i64::from(settings.lag_threshold);
            let (growing, drain, stalled) = match s.trend {
                Trend::Growing => (true, None, None),
                Trend::Draining { eta } => (false, Some(eta), None),
                Trend::Stalled { since } => (false, None, Some(since)),
                _ => (false, None, None),
            };
            let condition = if s.alerts.lag_crit_since.is_some() {
                Condition::Crit
            } else if over || (stalled.is_some() && s.lag > 0) {
                Condition::Warn
            } else {
                Condition::Ok
            };
            let clients = c
                .groups
                .get(&(cluster.clone(), group.clone()))
                .and_then(|h| h.latest())
                .and_then(|g| g.description.as_ref())
                .map(|d| d.members.iter().map(|m| m.client_id.clone()).collect())
                .unwrap_or_default();
            GroupSignal {
                cluster: cluster.clone(),
                group: group.clone(),
                consumer: settings.consumers.get(group).cloned(),
                clients,
                lag: s.lag,
                growing,
                drain,
                spark: s.sparkline.clone(),
                condition,
                since: s.alerts.lag_crit_since.or(stalled),
            }
        })
        .collect()
}

/// Dead-letter topics that grew in the last minutes.
pub fn infra(c: &Consumers) -> Vec<InfraSignal> {
    c.dead_letters()
        .into_iter()
        .filter_map(|(cluster, topic, size, growth)| match growth {
            Growth::PerMinute(r) if r > 0.0 => Some(InfraSignal {
                name: format!("{topic} ({cluster})"),
                text: format!("DLQ {size} msgs, +{r:.0}/min"),
                condition: Condition::Warn,
            }),
            _ => None,
        })
        .collect()
}
