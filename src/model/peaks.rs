//! The worst each source got during the session, kept as updates are
//! applied, for the post-mortem: the latest state alone would say the
//! incident never happened once it is over.

use crate::features::breakers::data::BreakerState;
use crate::features::breakers::model::Breakers;
use crate::features::heatmap::model::{AlertState, PromUpdate};
use crate::features::lag::model::Consumers;
use crate::features::queries::model::Queries;
use crate::shared::prometheus::Metric;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A value and when it was reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peak {
    pub value: f64,
    pub at: DateTime<Utc>,
}

/// How long something was in a bad state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spell {
    pub first: DateTime<Utc>,
    /// Until the poll that last saw it, or that saw it end.
    pub last: DateTime<Utc>,
    /// Still in it at the latest poll.
    pub ongoing: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Peaks {
    /// Worst p95 latency (seconds) and error ratio per service.
    pub latency: BTreeMap<String, Peak>,
    pub errors: BTreeMap<String, Peak>,
    /// Highest total lag per (cluster, group).
    pub lag: BTreeMap<(String, String), Peak>,
    /// Each breaker (service, breaker) while any instance was open.
    pub breakers_open: BTreeMap<(String, String), Vec<Spell>>,
    /// Each firing alert (name, service).
    pub alerts: BTreeMap<(String, String), Vec<Spell>>,
    /// When the alerts last went from some firing to none.
    pub alerts_cleared: Option<DateTime<Utc>>,
    /// The longest lock-wait chain seen per Postgres target.
    pub blocking: BTreeMap<String, Chain>,
}

/// A lock-wait chain at its longest: the backend at its root and how many
/// waited behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub root: i32,
    pub waiting: usize,
    /// What the root ran (as the activity view showed it).
    pub query: String,
    pub at: DateTime<Utc>,
}

fn raise(map: &mut BTreeMap<String, Peak>, key: &str, value: f64, at: DateTime<Utc>) {
    if !value.is_finite() {
        return;
    }
    match map.get_mut(key) {
        Some(p) if p.value >= value => {}
        Some(p) => *p = Peak { value, at },
        None => {
            map.insert(key.to_string(), Peak { value, at });
        }
    }
}

/// Extends the open spell of `key`, or starts one; ends spells of keys
/// no longer bad.
fn spells<K: Ord + Clone>(
    map: &mut BTreeMap<K, Vec<Spell>>,
    bad: impl IntoIterator<Item = K>,
    at: DateTime<Utc>,
) {
    let bad: std::collections::BTreeSet<K> = bad.into_iter().collect();
    for (key, list) in map.iter_mut() {
        if let Some(s) = list.last_mut().filter(|s| s.ongoing)
            && !bad.contains(key)
        {
            s.ongoing = false;
            s.last = at;
        }
    }
    for key in bad {
        let list = map.entry(key).or_default();
        match list.last_mut() {
            Some(s) if s.ongoing => s.last = at,
            _ => list.push(Spell {
                first: at,
                last: at,
                ongoing: true,
            }),
        }
    }
}

impl Peaks {
    pub fn prometheus(&mut self, u: &PromUpdate) {
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
                            raise(map, &s.name, *value, at);
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
                let was = self
                    .alerts
                    .values()
                    .any(|l| l.last().is_some_and(|s| s.ongoing));
                if was && firing.is_empty() {
                    self.alerts_cleared = Some(*at);
                }
                spells(&mut self.alerts, firing, *at);
            }
            PromUpdate::Buckets { .. } | PromUpdate::Polled { .. } => {}
        }
    }

    /// After a poll of breakers was applied: every row, from every source.
    pub fn breakers(&mut self, breakers: &Breakers, at: DateTime<Utc>) {
        let open = breakers
            .rows
            .values()
            .filter(|r| {
                matches!(
                    r.figures.state,
                    BreakerState::Open | BreakerState::ForcedOpen
                )
            })
            .map(|r| (r.key.service.clone(), r.key.breaker.clone()));
        spells(&mut self.breakers_open, open, at);
    }

    /// After a database poll was applied: each Postgres target's longest
    /// chain, kept when it is the longest so far.
    pub fn blocking(&mut self, queries: &Queries, at: DateTime<Utc>) {
        for (key, state) in &queries.targets {
            let Some(tree) = state.blocking.iter().max_by_key(|t| t.waiting()) else {
                continue;
            };
            let waiting = tree.waiting();
            if waiting == 0
                || self
                    .blocking
                    .get(&key.name)
                    .is_some_and(|c| c.waiting >= waiting)
            {
                continue;
            }
            let query = state
                .backend(tree.pid)
                .map(|b| b.query.clone())
                .unwrap_or_default();
            self.blocking.insert(
                key.name.clone(),
                Chain {
                    root: tree.pid,
                    waiting,
                    query,
                    at,
                },
            );
        }
    }

    /// After a Kafka poll was applied: the groups' totals.
    pub fn lag(&mut self, consumers: &Consumers, cluster: &str, at: DateTime<Utc>) {
        for ((c, group), summary) in &consumers.summaries {
            if c != cluster {
                continue;
            }
            let key = (c.clone(), group.clone());
            let value = summary.lag as f64;
            match self.lag.get_mut(&key) {
                Some(p) if p.value >= value => {}
                Some(p) => *p = Peak { value, at },
                None => {
                    self.lag.insert(key, Peak { value, at });
                }
            }
        }
    }
}
