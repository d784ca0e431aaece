//! The Queries source: every configured Postgres, MongoDB and Redis target
//! polled on its own interval by a task of its own, so a slow or dead one
//! never holds up the others or the UI. Each poll becomes one
//! `Update::Queries`; the badge of each kind reports the targets that are
//! failing now.

pub mod mongo;
pub mod postgres;
pub mod probe;
pub mod redis;

use crate::core::outbox::{Outbox, Report};
use crate::core::source::HealthReport;
use crate::features::queries::model::{Kind, QueriesUpdate};
use crate::features::queries::postgres::StatementsOrder;
use crate::features::queries::settings::QueriesSettings;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// The statement order the Queries tab asks for; Postgres pollers re-read
/// at once when it changes.
pub type OrderLink = watch::Receiver<StatementsOrder>;

/// Starts one task per target and the one that forwards their polls;
/// everything stops once `tx` closes.
pub fn spawn(settings: &QueriesSettings, tx: Outbox<QueriesUpdate>, order: OrderLink) {
    let (polls_tx, polls_rx) = mpsc::channel::<QueriesUpdate>(64);
    let mut intervals: BTreeMap<Kind, Duration> = BTreeMap::new();
    let mut names: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
    let mut note = |kind: Kind, name: &str, secs: u32| {
        let every = Duration::from_secs(u64::from(secs));
        let i = intervals.entry(kind).or_insert(every);
        *i = (*i).min(every);
        names.entry(kind).or_default().push(name.to_string());
    };
    for s in &settings.postgres {
        note(Kind::Postgres, &s.name, s.interval_secs);
        tokio::spawn(postgres::run(s.clone(), polls_tx.clone(), order.clone()));
    }
    for s in &settings.mongo {
        note(Kind::Mongo, &s.name, s.interval_secs);
        tokio::spawn(mongo::run(s.clone(), polls_tx.clone()));
    }
    for s in &settings.redis {
        note(Kind::Redis, &s.name, s.interval_secs);
        tokio::spawn(redis::run(s.clone(), polls_tx.clone()));
    }
    drop(polls_tx);
    tokio::spawn(forward(polls_rx, tx, intervals));
}

/// Passes each poll on, followed by its kind's health: the failing
/// targets of that kind, or none.
async fn forward(
    mut polls: mpsc::Receiver<QueriesUpdate>,
    tx: Outbox<QueriesUpdate>,
    intervals: BTreeMap<Kind, Duration>,
) {
    let mut failing = Failing::default();
    while let Some(poll) = polls.recv().await {
        let kind = poll.kind;
        let at = poll.at;
        failing.note(kind, &poll.target, poll.data.as_ref().err());
        let report = HealthReport {
            source: kind.source(),
            at,
            error: failing.summary(kind),
            interval: intervals
                .get(&kind)
                .copied()
                .unwrap_or(Duration::from_secs(5)),
        };
        if tx.send(Report::Data(poll)).await.is_err()
            || tx.send(Report::Health(report)).await.is_err()
        {
            return;
        }
    }
}

/// The latest error of each target, by kind.
#[derive(Debug, Default)]
pub struct Failing {
    errors: BTreeMap<(Kind, String), Option<String>>,
}

impl Failing {
    pub fn note(&mut self, kind: Kind, target: &str, error: Option<&String>) {
        self.errors
            .insert((kind, target.to_string()), error.cloned());
    }

    /// `None` when every target of `kind` answered last time; the first
    /// error otherwise, with how many more fail.
    pub fn summary(&self, kind: Kind) -> Option<String> {
        let mut errors = self
            .errors
            .iter()
            .filter(|((k, _), _)| *k == kind)
            .filter_map(|((_, name), e)| e.as_ref().map(|e| (name, e)));
        let (name, first) = errors.next()?;
        let more = errors.count();
        let text = if first.starts_with(name.as_str()) {
            first.clone()
        } else {
            format!("{name}: {first}")
        };
        Some(if more > 0 {
            format!("{text} (+{more} more failing)")
        } else {
            text
        })
    }
}

/// A ticker that waits `every` between polls and does not catch up on
/// missed ones (a slow poll is not followed by a burst).
fn ticker(every: Duration) -> tokio::time::Interval {
    let mut t = tokio::time::interval(every);
    t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_failing_target_names_itself_and_counts_the_others() {
        let mut f = Failing::default();
        let e = |t: &str| Some(t.to_string());
        f.note(
            Kind::Postgres,
            "orders-db",
            e("orders-db: connect: refused").as_ref(),
        );
        f.note(Kind::Postgres, "users-db", e("timed out").as_ref());
        f.note(Kind::Redis, "cache", e("down").as_ref());
        assert_eq!(
            f.summary(Kind::Postgres).unwrap(),
            "orders-db: connect: refused (+1 more failing)"
        );
        assert_eq!(f.summary(Kind::Redis).unwrap(), "cache: down");
        assert_eq!(f.summary(Kind::Mongo), None);
        f.note(Kind::Postgres, "orders-db", None);
        assert_eq!(f.summary(Kind::Postgres).unwrap(), "users-db: timed out");
    }
}
