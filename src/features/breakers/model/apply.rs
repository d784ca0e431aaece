//! Folding one poll into the rows, and the Timeline entries its transitions make.

use super::{BreakerRow, Breakers, BreakersUpdate, Observation, TRANSITIONS_KEPT, Transition};
use crate::core::clean::Clean;
use crate::core::source::{Severity, SourceId};
use crate::core::timeline::{About, Origin, TimelineEntry};
use crate::features::breakers::data::{BreakerState, Rate};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

impl Breakers {
    /// Applies one poll; returns the Timeline entries of the transitions it
    /// shows, one per service, breaker and change (pods that flip together
    /// make one entry).
    pub fn apply(&mut self, u: Clean<BreakersUpdate>) -> Vec<TimelineEntry> {
        let u = u.into_inner();
        let targets: BTreeSet<&str> = u.targets.iter().map(String::as_str).collect();
        let failed: BTreeMap<&str, &str> = u
            .failures
            .iter()
            .map(|(t, e)| (t.as_str(), e.as_str()))
            .collect();
        // Rows of targets that went away drop out; rows of failed targets stay, marked.
        self.rows.retain(|_, r| {
            r.source != u.source || u.keep_unlisted || targets.contains(r.target.as_str())
        });
        for row in self.rows.values_mut().filter(|r| r.source == u.source) {
            row.error = failed.get(row.target.as_str()).map(|e| e.to_string());
        }
        let answered: BTreeSet<&str> = targets
            .iter()
            .filter(|t| !failed.contains_key(*t))
            .copied()
            .collect();
        let seen: BTreeSet<_> = u.observations.iter().map(|o| o.key.clone()).collect();
        // A breaker gone from an answering target (renamed, removed) drops out.
        self.rows.retain(|k, r| {
            r.source != u.source || !answered.contains(r.target.as_str()) || seen.contains(k)
        });
        for t in &u.targets {
            match failed.get(t.as_str()) {
                Some(e) => self.failures.insert(t.clone(), e.to_string()),
                None => self.failures.remove(t),
            };
        }
        self.failures.retain(|t, _| {
            targets.contains(t.as_str()) || self.rows.values().any(|r| &r.target == t)
        });
        self.last_poll.insert(u.source, u.at);

        let mut changes: BTreeMap<(String, String, String, String), Vec<Observation>> =
            BTreeMap::new();
        for o in u.observations {
            let changed = match self.rows.get_mut(&o.key) {
                Some(row) if row.figures.state != o.figures.state => {
                    let t = Transition {
                        at: u.at,
                        from: row.figures.state.clone(),
                        to: o.figures.state.clone(),
                    };
                    row.transitions.push_back(t);
                    while row.transitions.len() > TRANSITIONS_KEPT {
                        row.transitions.pop_front();
                    }
                    let from = row.figures.state.as_str().to_string();
                    row.since = u.at;
                    row.since_known = true;
                    update_row(row, &o, u.at);
                    Some(from)
                }
                Some(row) => {
                    update_row(row, &o, u.at);
                    None
                }
                None => {
                    self.rows.insert(
                        o.key.clone(),
                        BreakerRow {
                            key: o.key.clone(),
                            source: u.source,
                            target: o.target.clone(),
                            endpoint: o.endpoint.clone(),
                            figures: o.figures.clone(),
                            since: u.at,
                            since_known: false,
                            transitions: VecDeque::new(),
                            error: None,
                            seen: u.at,
                        },
                    );
                    None
                }
            };
            if let Some(from) = changed {
                let key = (
                    o.key.service.clone(),
                    o.key.breaker.clone(),
                    from,
                    o.figures.state.as_str().to_string(),
                );
                changes.entry(key).or_default().push(o);
            }
        }
        changes
            .into_iter()
            .filter(|((service, breaker, ..), _)| {
                u.source == super::BreakerSource::Actuator
                    || !self.actuator_covers(service, breaker)
            })
            .map(|((service, breaker, from, to), obs)| {
                let of = self
                    .rows
                    .values()
                    .filter(|r| {
                        r.key.service == service && r.key.breaker == breaker && r.source == u.source
                    })
                    .count();
                transition_entry(u.at, &service, &breaker, &from, &to, &obs, of)
            })
            .collect()
    }
}

fn update_row(row: &mut BreakerRow, o: &Observation, at: chrono::DateTime<chrono::Utc>) {
    row.figures = o.figures.clone();
    row.endpoint = o.endpoint.clone();
    row.target = o.target.clone();
    row.error = None;
    row.seen = at;
}

/// "order-service paymentService CLOSED → OPEN, failure rate 62.5% > 50%",
/// with "on 2/3 instances (a, b)" when several instances are known.
fn transition_entry(
    at: chrono::DateTime<chrono::Utc>,
    service: &str,
    breaker: &str,
    from: &str,
    to: &str,
    obs: &[Observation],
    instances: usize,
) -> TimelineEntry {
    let to_state = BreakerState::parse(to);
    let severity = match to_state {
        BreakerState::Open => Severity::Crit,
        BreakerState::Closed | BreakerState::HalfOpen => Severity::Info,
        _ => Severity::Warn,
    };
    let mut text = format!("{service} {breaker} {from} → {to}");
    if let Some(why) = obs.first().and_then(|o| why_open(&to_state, &o.figures)) {
        text.push_str(&format!(", {why}"));
    }
    if instances > 1 || obs.first().is_some_and(|o| o.key.instance != service) {
        let names: Vec<&str> = obs.iter().map(|o| o.key.instance.as_str()).collect();
        text.push_str(&format!(
            " on {}/{} ({})",
            obs.len(),
            instances.max(obs.len()),
            names.join(", ")
        ));
    }
    TimelineEntry::new(at, severity, Origin::Source(SourceId::Actuator), text).about(
        About::Breaker {
            service: service.into(),
            breaker: breaker.into(),
        },
    )
}

/// The rate that tripped an opening breaker, against its threshold.
fn why_open(to: &BreakerState, f: &super::Figures) -> Option<String> {
    if *to != BreakerState::Open {
        return None;
    }
    let over = |rate: Option<Rate>, threshold: Option<f64>, what: &str| {
        let rate = rate?.percent()?;
        match threshold {
            Some(t) if rate >= t => Some(format!("{what} {} > {}", pct(rate), pct(t))),
            None => Some(format!("{what} {}", pct(rate))),
            _ => None,
        }
    };
    over(f.failure_rate, f.failure_threshold, "failure rate")
        .or_else(|| over(f.slow_rate, f.slow_threshold, "slow-call rate"))
}

/// `62.5%`, `50%`: one decimal, none when whole.
pub fn pct(value: f64) -> String {
    if (value - value.round()).abs() < 0.05 {
        format!("{value:.0}%")
    } else {
        format!("{value:.1}%")
    }
}
