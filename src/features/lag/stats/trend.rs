//! Where a group's lag is heading: caught up, draining (and when it will be
//! done), growing, or stalled.

use super::rates::{Rate, Rates, rates_of};
use super::snapshot::GroupSnapshot;
use super::steps::{SampleStats, stats_of};
use chrono::{DateTime, Utc};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub enum Trend {
    CaughtUp,
    /// Consuming faster than producing: lag / (consume − produce).
    Draining {
        eta: Duration,
    },
    /// Producing at least as fast as consuming, with lag.
    Growing,
    /// Committed offsets have not moved since `since` while there is lag.
    Stalled {
        since: DateTime<Utc>,
    },
    /// An offset went backwards within the rate span.
    Reset,
    /// Not enough samples yet.
    Unknown,
}

/// The start of the run of samples, ending at the newest, in which committed
/// offsets stayed put with lag in every one; `None` if that run is shorter
/// than `min_samples` (at least 2).
pub fn stalled_since_of(stats: &[SampleStats], min_samples: usize) -> Option<DateTime<Utc>> {
    let newest = stats.last()?;
    if newest.total_lag == 0 {
        return None;
    }
    let mut run = 1;
    for pair in stats.windows(2).rev() {
        let [older, newer] = pair else { break };
        if newer.committed_moved || older.total_lag == 0 {
            break;
        }
        run += 1;
    }
    let start = stats.len() - run;
    (run >= min_samples.max(2)).then(|| stats[start].at)
}

pub fn stalled_since(samples: &[GroupSnapshot], min_samples: usize) -> Option<DateTime<Utc>> {
    stalled_since_of(&stats_of(samples), min_samples)
}

/// The trend over the samples' stats (oldest first), reusing rates the
/// caller already worked out over the rate span.
pub fn trend_of(stats: &[SampleStats], r: Rates, stall_samples: usize) -> Trend {
    let Some(newest) = stats.last() else {
        return Trend::Unknown;
    };
    if newest.total_lag == 0 {
        return Trend::CaughtUp;
    }
    if let Some(since) = stalled_since_of(stats, stall_samples) {
        return Trend::Stalled { since };
    }
    with_rates(newest.total_lag, r)
}

/// The trend over `samples` (oldest first): stall over the whole run, rates
/// over the last `rate_span` intervals.
pub fn trend(samples: &[GroupSnapshot], rate_span: usize, stall_samples: usize) -> Trend {
    let stats = stats_of(samples);
    let from = stats.len().saturating_sub(rate_span.max(1) + 1);
    trend_of(&stats, rates_of(&stats[from..]), stall_samples)
}

/// The trend when the rates over the span are already known (and the
/// group is neither caught up nor stalled).
fn with_rates(lag: i64, r: Rates) -> Trend {
    match (r.consume, r.produce) {
        (Rate::Reset, _) | (_, Rate::Reset) => Trend::Reset,
        (Rate::PerSec(consume), Rate::PerSec(produce)) if consume > produce => Trend::Draining {
            eta: Duration::from_secs_f64(lag as f64 / (consume - produce)),
        },
        (Rate::PerSec(_), Rate::PerSec(_)) => Trend::Growing,
        _ => Trend::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lag::stats::samples::{at, part, simple, snap};

    #[test]
    fn draining_eta_is_lag_over_net_rate() {
        // consume 20/s, produce 10/s, lag 600 → 60 s.
        let t = trend(
            &[
                simple(0, 0, 800),
                simple(10, 200, 900),
                simple(20, 400, 1000),
            ],
            5,
            2,
        );
        assert_eq!(
            t,
            Trend::Draining {
                eta: Duration::from_secs(60)
            }
        );
    }

    #[test]
    fn producing_as_fast_as_consuming_is_growing() {
        let t = trend(&[simple(0, 0, 100), simple(10, 100, 200)], 5, 2);
        assert_eq!(t, Trend::Growing);
    }

    #[test]
    fn no_lag_is_caught_up_even_when_idle() {
        assert_eq!(
            trend(&[simple(0, 10, 10), simple(10, 10, 10)], 5, 2),
            Trend::CaughtUp
        );
    }

    #[test]
    fn committed_still_with_lag_is_stalled_from_the_first_still_sample() {
        let samples = [
            simple(0, 0, 50),
            simple(10, 5, 60),
            simple(20, 5, 70),
            simple(30, 5, 80),
        ];
        assert_eq!(trend(&samples, 5, 2), Trend::Stalled { since: at(10) });
        assert_eq!(stalled_since(&samples, 4), None);
        assert_eq!(stalled_since(&samples, 3), Some(at(10)));
    }

    #[test]
    fn a_single_sample_is_not_a_stall() {
        assert_eq!(trend(&[simple(0, 0, 50)], 5, 2), Trend::Unknown);
        assert_eq!(stalled_since(&[simple(0, 0, 50)], 1), None);
    }

    #[test]
    fn never_committed_group_with_backlog_is_stalled() {
        let s = |t| snap(t, vec![part(0, None, 0, 10)]);
        assert_eq!(trend(&[s(0), s(5)], 5, 2), Trend::Stalled { since: at(0) });
    }

    #[test]
    fn reset_in_span_is_reported() {
        let t = trend(&[simple(0, 500, 900), simple(10, 0, 950)], 5, 2);
        assert_eq!(t, Trend::Reset);
    }

    #[test]
    fn rate_span_limits_how_far_back_rates_look() {
        // The reset two intervals back is outside a span of 1.
        let samples = [
            simple(0, 500, 900),
            simple(10, 0, 950),
            simple(20, 100, 1000),
        ];
        assert_eq!(trend(&samples, 2, 2), Trend::Reset);
        assert!(matches!(trend(&samples, 1, 2), Trend::Draining { .. }));
    }
}
