//! The Heatmap tab's state: per-metric services × time grids from
//! Prometheus, the latency-bucket drill-down, and the active alerts. Pure:
//! the Prometheus source sends `PromUpdate`s, nothing here does I/O.
//!
//! A failed poll never clears data: each grid keeps the time it was fetched,
//! so the UI can show "stale since ..." with the error beside it.

mod alerts;
mod buckets;
mod grid;
mod scale;

use crate::core::clean::Clean;
use crate::shared::prometheus::{Columns, Metric};
pub use alerts::{AlertState, PromAlert, newly_firing, severity_of, summaries, timeline_text};
pub use buckets::{BucketGrid, BucketRow, BucketSeries, le_label};
pub use grid::{Grid, MAX_ROWS, NamedSeries, Row, bucket_points, service_name};
pub use scale::{GATEWAY, Level, Slo, SloTable, level};

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Most bucket series kept for the drill-down (services × `le` bounds);
/// the rest are counted in `Heatmap::dropped_buckets`.
pub const MAX_BUCKET_SERIES: usize = 10_000;

/// What the Prometheus source reports after its queries.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum PromUpdate {
    /// One metric's `query_range` result for every service.
    Range {
        metric: Metric,
        at: DateTime<Utc>,
        columns: Columns,
        series: Vec<NamedSeries>,
        /// Prometheus' own warnings about the result (e.g. truncation).
        warnings: Vec<String>,
    },
    /// Latency histogram bucket rates of every service, for the drill-down.
    Buckets {
        at: DateTime<Utc>,
        columns: Columns,
        series: Vec<BucketSeries>,
    },
    /// The active (firing or pending) alerts; latest wins.
    Alerts {
        at: DateTime<Utc>,
        alerts: Vec<PromAlert>,
    },
    /// The end of one poll: `error` is `None` when every query answered.
    Polled {
        at: DateTime<Utc>,
        error: Option<String>,
    },
}

/// Data and the time it was fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed<T> {
    pub at: DateTime<Utc>,
    pub data: T,
}

/// Everything the Heatmap tab draws.
#[derive(Debug, Clone, Default)]
pub struct Heatmap {
    grids: BTreeMap<Metric, Timed<Grid>>,
    buckets: Option<Timed<(Columns, Vec<BucketSeries>)>>,
    /// Bucket series left out of the latest drill-down data.
    pub dropped_buckets: usize,
    pub alerts: Vec<PromAlert>,
    pub alerts_at: Option<DateTime<Utc>>,
    /// Warnings Prometheus attached to each metric's latest result.
    warnings: BTreeMap<Metric, Vec<String>>,
    /// The error of the latest poll, when it failed; the data above is then
    /// the last good data.
    pub error: Option<Timed<String>>,
    pub slos: SloTable,
    /// Only these services' rows (`:service`), and each metric's grid of
    /// them; the grids above keep every service (the Overview reads them).
    scope: Option<(Vec<String>, BTreeMap<Metric, Grid>)>,
}

impl Heatmap {
    pub fn apply(&mut self, update: Clean<PromUpdate>) {
        match update.into_inner() {
            PromUpdate::Range {
                metric,
                at,
                columns,
                series,
                warnings,
            } => {
                let data = Grid::build(metric, columns, &series, &self.slos);
                if let Some((names, scoped)) = &mut self.scope {
                    scoped.insert(metric, only(&data, names));
                }
                self.grids.insert(metric, Timed { at, data });
                self.warnings.insert(metric, warnings);
            }
            PromUpdate::Buckets {
                at,
                columns,
                mut series,
            } => {
                self.dropped_buckets = series.len().saturating_sub(MAX_BUCKET_SERIES);
                series.truncate(MAX_BUCKET_SERIES);
                self.buckets = Some(Timed {
                    at,
                    data: (columns, series),
                });
            }
            PromUpdate::Alerts { at, mut alerts } => {
                alerts.sort_by(|a, b| {
                    (a.state, std::cmp::Reverse(a.severity), &a.service, &a.name).cmp(&(
                        b.state,
                        std::cmp::Reverse(b.severity),
                        &b.service,
                        &b.name,
                    ))
                });
                self.alerts = alerts;
                self.alerts_at = Some(at);
            }
            PromUpdate::Polled { at, error } => {
                self.error = error.map(|e| Timed { at, data: e });
            }
        }
    }

    /// Shows only these services' rows (`None`: every service again).
    pub fn set_scope(&mut self, names: Option<Vec<String>>) {
        self.scope = names.map(|names| {
            let scoped = self
                .grids
                .iter()
                .map(|(m, t)| (*m, only(&t.data, &names)))
                .collect();
            (names, scoped)
        });
    }

    /// The alerts the tab shows: those of the scoped services, or all.
    pub fn shown_alerts(&self) -> impl Iterator<Item = &PromAlert> {
        let names = self.scope.as_ref().map(|(n, _)| n);
        self.alerts
            .iter()
            .filter(move |a| names.is_none_or(|n| n.contains(&a.service)))
    }

    /// The grid the tab shows: the latest good grid of a metric, cut to
    /// the service scope when one is set.
    pub fn shown(&self, metric: Metric) -> Option<&Grid> {
        match &self.scope {
            Some((_, scoped)) => scoped.get(&metric),
            None => self.grid(metric),
        }
    }

    /// The latest good grid of a metric.
    pub fn grid(&self, metric: Metric) -> Option<&Grid> {
        self.grids.get(&metric).map(|t| &t.data)
    }

    /// Prometheus' warnings about the latest result of `metric`.
    pub fn warnings(&self, metric: Metric) -> &[String] {
        self.warnings
            .get(&metric)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// When the grid of `metric` was fetched.
    pub fn fetched_at(&self, metric: Metric) -> Option<DateTime<Utc>> {
        self.grids.get(&metric).map(|t| t.at)
    }

    /// How old the grid of `metric` is at `now`.
    pub fn age(&self, metric: Metric, now: DateTime<Utc>) -> Option<chrono::Duration> {
        self.fetched_at(metric).map(|at| now - at)
    }

    /// The latency-bucket drill-down of one service, from the latest buckets.
    pub fn drill_down(&self, service: &str) -> Option<BucketGrid> {
        let t = self.buckets.as_ref()?;
        BucketGrid::build(service, t.data.0, &t.data.1)
    }

    /// Alerts currently firing.
    pub fn firing(&self) -> impl Iterator<Item = &PromAlert> {
        self.alerts.iter().filter(|a| a.state == AlertState::Firing)
    }
}

/// A grid with only the rows of these services.
fn only(grid: &Grid, names: &[String]) -> Grid {
    Grid {
        rows: grid
            .rows
            .iter()
            .filter(|r| names.contains(&r.service))
            .cloned()
            .collect(),
        dropped: 0,
        ..grid.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::Severity;
    use chrono::TimeZone;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap()
    }

    fn range(s: i64, value: f64) -> PromUpdate {
        PromUpdate::Range {
            metric: Metric::P95,
            at: at(s),
            columns: Columns {
                start: 0.0,
                step: 60.0,
                count: 2,
            },
            series: vec![NamedSeries {
                name: "orders\x1b[2J".into(),
                points: vec![(60.0, value)],
            }],
            warnings: vec!["result truncated\x07".into()],
        }
    }

    #[test]
    fn a_failed_poll_keeps_the_last_good_grid_and_its_age() {
        let mut h = Heatmap::default();
        h.apply(crate::core::clean::Clean::new(range(0, 0.3)));
        h.apply(crate::core::clean::Clean::new(PromUpdate::Polled {
            at: at(0),
            error: None,
        }));
        h.apply(crate::core::clean::Clean::new(PromUpdate::Polled {
            at: at(15),
            error: Some("connection refused".into()),
        }));
        let g = h.grid(Metric::P95).unwrap();
        assert_eq!(g.rows[0].cells, [None, Some(0.3)]);
        assert!(!g.rows[0].service.contains('\x1b'));
        let warning = &h.warnings(Metric::P95)[0];
        assert!(warning.starts_with("result truncated") && !warning.chars().any(char::is_control));
        assert!(h.warnings(Metric::Rate).is_empty());
        assert_eq!(
            h.age(Metric::P95, at(15)),
            Some(chrono::Duration::seconds(15))
        );
        assert_eq!(h.error.as_ref().unwrap().data, "connection refused");
        h.apply(crate::core::clean::Clean::new(range(30, 0.4)));
        h.apply(crate::core::clean::Clean::new(PromUpdate::Polled {
            at: at(30),
            error: None,
        }));
        assert!(h.error.is_none());
        assert!(h.grid(Metric::P99).is_none());
    }

    #[test]
    fn alerts_list_firing_first_and_drill_down_uses_the_latest_buckets() {
        let mut h = Heatmap::default();
        let alert = |name: &str, state, severity| PromAlert {
            id: name.into(),
            name: name.into(),
            state,
            severity,
            service: "orders".into(),
            since: None,
            summary: String::new(),
        };
        h.apply(crate::core::clean::Clean::new(PromUpdate::Alerts {
            at: at(0),
            alerts: vec![
                alert("Slow", AlertState::Pending, Severity::Crit),
                alert("Errors", AlertState::Firing, Severity::Warn),
                alert("Down", AlertState::Firing, Severity::Crit),
            ],
        }));
        let names: Vec<&str> = h.alerts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Down", "Errors", "Slow"]);
        assert_eq!(h.firing().count(), 2);
        assert!(h.drill_down("orders").is_none());
        h.apply(crate::core::clean::Clean::new(PromUpdate::Buckets {
            at: at(0),
            columns: Columns {
                start: 0.0,
                step: 60.0,
                count: 1,
            },
            series: vec![BucketSeries {
                service: "orders".into(),
                le: f64::INFINITY,
                points: vec![(0.0, 2.0)],
            }],
        }));
        assert_eq!(h.drill_down("orders").unwrap().rows[0].cells, [Some(1.0)]);
    }
}
