//! The worst the consumer groups showed, for the post-mortem: each
//! group's highest total lag.

use super::model::Consumers;
use crate::core::peak::{Peak, raise};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct LagPeaks {
    /// Highest total lag per (cluster, group).
    pub lag: BTreeMap<(String, String), Peak>,
}

impl LagPeaks {
    /// After a poll of `cluster` was applied: its groups' totals.
    pub fn note(&mut self, consumers: &Consumers, cluster: &str, at: DateTime<Utc>) {
        for ((c, group), summary) in &consumers.summaries {
            if c == cluster {
                raise(
                    &mut self.lag,
                    (c.clone(), group.clone()),
                    summary.lag as f64,
                    at,
                );
            }
        }
    }
}
