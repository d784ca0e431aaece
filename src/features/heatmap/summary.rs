//! What the Overview needs of the Heatmap: each service's latest p95,
//! error ratio and availability against its SLO, the p95 trend, and when
//! the current breach began.

use super::model::{Grid, Heatmap, Level, Row, Slo, level};
use crate::core::service::{Condition, SloSignal};
use crate::shared::prometheus::Metric;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Columns of p95 the Overview's trend shows.
const TREND: usize = 12;

/// One signal per service that has a p95, error-ratio or availability row.
pub fn signals(h: &Heatmap) -> Vec<SloSignal> {
    let mut out: BTreeMap<String, SloSignal> = BTreeMap::new();
    for metric in [Metric::P95, Metric::ErrorRatio, Metric::Availability] {
        let Some(grid) = h.grid(metric) else {
            continue;
        };
        for row in &grid.rows {
            // A second series of one service (`#2`) is not its own service.
            if row.name != row.service {
                continue;
            }
            let s = out.entry(row.service.clone()).or_insert_with(|| SloSignal {
                service: row.service.clone(),
                ..SloSignal::default()
            });
            let slo = h.slos.get(&row.service, metric);
            let (value, condition, since) = latest(grid, row, slo);
            match metric {
                Metric::P95 => {
                    (s.p95_secs, s.p95, s.p95_since) = (value, condition, since);
                    s.trend = row.cells[row.cells.len().saturating_sub(TREND)..].to_vec();
                }
                Metric::ErrorRatio => {
                    (s.error_ratio, s.errors, s.errors_since) = (value, condition, since)
                }
                _ => (s.availability, s.avail) = (value, condition),
            }
        }
    }
    out.into_values().collect()
}

/// The latest value, its condition, and the start of the run of bad
/// columns it ends (when bad).
fn latest(
    grid: &Grid,
    row: &Row,
    slo: Option<Slo>,
) -> (Option<f64>, Condition, Option<DateTime<Utc>>) {
    let Some((col, value)) = row.last_value() else {
        return (None, Condition::Ok, None);
    };
    let at = |c: usize| level(row.cells.get(c).copied().flatten(), slo);
    let condition = match at(col) {
        Level::Bad | Level::Infinite => Condition::Crit,
        Level::Near => Condition::Warn,
        Level::Good | Level::Gap => Condition::Ok,
    };
    if condition != Condition::Crit {
        return (Some(value), condition, None);
    }
    let mut first = col;
    while first > 0 && matches!(at(first - 1), Level::Bad | Level::Infinite | Level::Gap) {
        first -= 1;
    }
    // A leading gap is no evidence of the breach.
    while first < col && at(first) == Level::Gap {
        first += 1;
    }
    let start = grid.columns.start + grid.columns.step * first as f64;
    let since = DateTime::from_timestamp(start as i64, 0);
    (Some(value), condition, since)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clean::Clean;
    use crate::features::heatmap::model::{NamedSeries, PromUpdate, Slo};
    use crate::shared::prometheus::Columns;

    #[test]
    fn the_breach_starts_at_its_first_bad_column() {
        let mut h = Heatmap::default();
        h.slos
            .set("pay", Metric::ErrorRatio, Some(Slo::Below(0.01)));
        let columns = Columns {
            start: 1_000.0,
            step: 60.0,
            count: 5,
        };
        let points = [0.001, 0.002, 0.05, 0.08, 0.2]
            .iter()
            .enumerate()
            .map(|(i, v)| (1_000.0 + 60.0 * i as f64, *v))
            .collect();
        h.apply(Clean::new(PromUpdate::Range {
            metric: Metric::ErrorRatio,
            at: Utc::now(),
            columns,
            series: vec![NamedSeries {
                name: "pay".into(),
                points,
            }],
            warnings: Vec::new(),
        }));
        let s = &signals(&h)[0];
        assert_eq!(s.service, "pay");
        assert_eq!(s.error_ratio, Some(0.2));
        assert_eq!(s.errors, Condition::Crit);
        assert_eq!(s.errors_since, DateTime::from_timestamp(1_120, 0));
        assert_eq!((s.p95_secs, s.p95), (None, Condition::Ok));
    }
}
