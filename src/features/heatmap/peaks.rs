//! The worst Prometheus showed, for the post-mortem: each service's worst
//! p95 and error ratio, and each alert's firing spells.

use super::model::{AlertState, PromUpdate};
use crate::core::peak::{Peak, Spell, any_ongoing, raise, spells};
use crate::shared::prometheus::Metric;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct PromPeaks {
    /// Worst p95 latency (seconds) and error ratio per service.
    pub latency: BTreeMap<String, Peak>,
    pub errors: BTreeMap<String, Peak>,
    /// Each firing alert (name, service).
    pub alerts: BTreeMap<(String, String), Vec<Spell>>,
    /// When the alerts last went from some firing to none.
    pub alerts_cleared: Option<DateTime<Utc>>,
}

impl PromPeaks {
    pub fn note(&mut self, u: &PromUpdate) {
        match u {
            PromUpdate::Range { metric, series, .. } => {
                let map = match metric {
                    Metric::P95 => &mut self.latency,
                    Metric::ErrorRatio => &mut self.errors,
                    _ => return,
                };
                for s in series {
                    for (secs, value) in &s.points {
                        if let Some(at) = DateTime::from_timestamp(*secs as i64, 0) {
                            raise(map, s.name.clone(), *value, at);
                        }
                    }
                }
            }
            PromUpdate::Alerts { at, alerts } => {
                let firing: Vec<(String, String)> = alerts
                    .iter()
                    .filter(|a| a.state == AlertState::Firing)
                    .map(|a| (a.name.clone(), a.service.clone()))
                    .collect();
                if any_ongoing(&self.alerts) && firing.is_empty() {
                    self.alerts_cleared = Some(*at);
                }
                spells(&mut self.alerts, firing, *at);
            }
            PromUpdate::Buckets { .. } | PromUpdate::Polled { .. } => {}
        }
    }

    /// Some alert fires at the latest poll.
    pub fn firing(&self) -> bool {
        any_ongoing(&self.alerts)
    }
}
