//! When a group deserves attention, and the moments it starts or stops
//! deserving it, so the app writes one Timeline entry per crossing.

use chrono::{DateTime, TimeDelta, Utc};

/// Limits; the defaults are the ones opsdeck ships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    /// Total lag above this ...
    pub lag: i64,
    /// ... continuously for longer than this is critical.
    pub lag_for: TimeDelta,
    /// More rebalances than this in the last hour is a warning.
    pub rebalances_per_hour: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            lag: 1000,
            lag_for: TimeDelta::minutes(5),
            rebalances_per_hour: 5,
        }
    }
}

/// The alerts a group is in right now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Alerts {
    /// Set while lag has been above the limit for too long: the moment it
    /// went above.
    pub lag_crit_since: Option<DateTime<Utc>>,
    /// Set while rebalances in the last hour exceed the limit: their count.
    pub rebalances: Option<usize>,
}

/// Whether the lag alert holds at `now`, given when lag went above.
pub fn evaluate(
    thresholds: &Thresholds,
    lag_above_since: Option<DateTime<Utc>>,
    rebalances_last_hour: usize,
    now: DateTime<Utc>,
) -> Alerts {
    Alerts {
        lag_crit_since: lag_above_since.filter(|since| now - *since > thresholds.lag_for),
        rebalances: Some(rebalances_last_hour).filter(|n| *n > thresholds.rebalances_per_hour),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    LagCrit,
    Rebalances,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Entered,
    Left,
}

/// Maps onto opsdeck's `update::Severity` (Warn, Crit).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Level {
    Warn,
    Crit,
}

/// An alert starting or ending: one Timeline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crossing {
    pub kind: AlertKind,
    pub edge: Edge,
    pub level: Level,
    pub at: DateTime<Utc>,
    /// One line: `group orders-svc: lag above 1000 since 14:03:10 UTC`.
    pub text: String,
}

/// The alerts entered or left between `before` and `after`.
pub fn crossings(
    group: &str,
    thresholds: &Thresholds,
    before: &Alerts,
    after: &Alerts,
    at: DateTime<Utc>,
) -> Vec<Crossing> {
    let mut out = Vec::new();
    let crossing = |kind, edge, level, text| Crossing {
        kind,
        edge,
        level,
        at,
        text,
    };
    match (before.lag_crit_since, after.lag_crit_since) {
        (None, Some(since)) => out.push(crossing(
            AlertKind::LagCrit,
            Edge::Entered,
            Level::Crit,
            format!(
                "group {group}: lag above {} since {} (over {})",
                thresholds.lag,
                since.format("%H:%M:%S UTC"),
                short(thresholds.lag_for)
            ),
        )),
        (Some(since), None) => out.push(crossing(
            AlertKind::LagCrit,
            Edge::Left,
            Level::Crit,
            format!(
                "group {group}: lag back to {} or below (was above for {})",
                thresholds.lag,
                short(at - since)
            ),
        )),
        _ => {}
    }
    match (before.rebalances, after.rebalances) {
        (None, Some(n)) => out.push(crossing(
            AlertKind::Rebalances,
            Edge::Entered,
            Level::Warn,
            format!(
                "group {group}: {n} rebalances in the last hour (limit {})",
                thresholds.rebalances_per_hour
            ),
        )),
        (Some(_), None) => out.push(crossing(
            AlertKind::Rebalances,
            Edge::Left,
            Level::Warn,
            format!(
                "group {group}: rebalances back to {} or fewer in the last hour",
                thresholds.rebalances_per_hour
            ),
        )),
        _ => {}
    }
    out
}

/// `5m`, `1h 2m`, `42s`.
fn short(d: TimeDelta) -> String {
    let secs = d.num_seconds().max(0);
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m {s}s"),
        (h, m, _) => format!("{h}h {m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lag::stats::samples::at;

    #[test]
    fn lag_alert_needs_more_than_the_duration() {
        let th = Thresholds::default();
        assert_eq!(evaluate(&th, Some(at(0)), 0, at(300)).lag_crit_since, None);
        assert_eq!(
            evaluate(&th, Some(at(0)), 0, at(301)).lag_crit_since,
            Some(at(0))
        );
        assert_eq!(evaluate(&th, None, 0, at(301)).lag_crit_since, None);
    }

    #[test]
    fn rebalance_alert_above_the_limit() {
        let th = Thresholds::default();
        assert_eq!(evaluate(&th, None, 5, at(0)).rebalances, None);
        assert_eq!(evaluate(&th, None, 6, at(0)).rebalances, Some(6));
    }

    #[test]
    fn crossings_report_edges_only() {
        let th = Thresholds::default();
        let calm = Alerts::default();
        let hot = Alerts {
            lag_crit_since: Some(at(0)),
            rebalances: Some(6),
        };
        let entered = crossings("orders", &th, &calm, &hot, at(400));
        assert_eq!(entered.len(), 2);
        assert_eq!(entered[0].edge, Edge::Entered);
        assert_eq!(entered[0].level, Level::Crit);
        assert_eq!(
            entered[0].text,
            "group orders: lag above 1000 since 22:13:20 UTC (over 5m)"
        );
        assert_eq!(entered[1].kind, AlertKind::Rebalances);
        assert_eq!(entered[1].level, Level::Warn);

        let hotter = Alerts {
            rebalances: Some(9),
            ..hot.clone()
        };
        assert!(crossings("orders", &th, &hot, &hotter, at(500)).is_empty());

        let left = crossings("orders", &th, &hot, &calm, at(430));
        assert_eq!(left.len(), 2);
        assert!(left.iter().all(|c| c.edge == Edge::Left));
        assert_eq!(
            left[0].text,
            "group orders: lag back to 1000 or below (was above for 7m 10s)"
        );
    }

    #[test]
    fn short_durations() {
        assert_eq!(short(TimeDelta::seconds(42)), "42s");
        assert_eq!(short(TimeDelta::seconds(3720)), "1h 2m");
    }
}
