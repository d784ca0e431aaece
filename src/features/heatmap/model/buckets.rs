//! The latency drill-down of one service: histogram buckets × time, each
//! cell the share of that column's requests that fell into that bucket.

use super::grid::bucket_points;
use crate::shared::prometheus::Columns;

/// One `le` bucket's request rate (`rate(..._bucket[..])`, cumulative as
/// Prometheus histograms are) for one service.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BucketSeries {
    pub service: String,
    /// The upper bound; `f64::INFINITY` for `+Inf`.
    pub le: f64,
    pub points: Vec<(f64, f64)>,
}

/// One bucket's row: requests slower than the previous bound and at most `le`.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketRow {
    pub le: f64,
    /// Share of the column's requests, 0..=1; `None` where the column had
    /// no requests or no samples.
    pub cells: Vec<Option<f64>>,
}

/// The drill-down grid of one service, fastest bucket first.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketGrid {
    pub service: String,
    pub columns: Columns,
    pub rows: Vec<BucketRow>,
}

impl BucketGrid {
    /// The drill-down of `service` from the bucket series of all services;
    /// `None` when the service has no buckets (e.g. a non-histogram metric).
    pub fn build(service: &str, columns: Columns, series: &[BucketSeries]) -> Option<BucketGrid> {
        let mut mine: Vec<&BucketSeries> = series
            .iter()
            .filter(|s| s.service == service && !s.le.is_nan())
            .collect();
        if mine.is_empty() {
            return None;
        }
        mine.sort_by(|a, b| a.le.total_cmp(&b.le));
        let cumulative: Vec<Vec<Option<f64>>> = mine
            .iter()
            .map(|s| bucket_points(&s.points, &columns))
            .collect();
        // The total is the +Inf bucket; without one, the widest bucket.
        let total = cumulative.last().cloned().unwrap_or_default();
        let rows = mine
            .iter()
            .enumerate()
            .map(|(b, s)| BucketRow {
                le: s.le,
                cells: (0..columns.count)
                    .map(|c| {
                        let upper = cumulative[b][c]?;
                        let lower = match b.checked_sub(1) {
                            Some(prev) => cumulative[prev][c]?,
                            None => 0.0,
                        };
                        let all = total[c].filter(|t| t.is_finite() && *t > 0.0)?;
                        // Rates of separately scraped buckets can disagree
                        // by a hair; a share is never negative.
                        Some(((upper - lower) / all).clamp(0.0, 1.0))
                    })
                    .collect(),
            })
            .collect();
        Some(BucketGrid {
            service: service.to_string(),
            columns,
            rows,
        })
    }
}

/// A bucket bound as a row label: `≤25ms`, `≤1.5s`, `+Inf`.
pub fn le_label(le: f64) -> String {
    if le.is_infinite() {
        "+Inf".into()
    } else if le < 1.0 {
        format!("≤{}ms", (le * 1000.0 * 1000.0).round() / 1000.0)
    } else {
        format!("≤{le}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(service: &str, le: f64, values: &[f64]) -> BucketSeries {
        BucketSeries {
            service: service.into(),
            le,
            points: values
                .iter()
                .enumerate()
                .map(|(i, v)| (i as f64 * 15.0, *v))
                .collect(),
        }
    }

    #[test]
    fn shares_per_bucket_per_column() {
        let cols = Columns {
            start: 0.0,
            step: 15.0,
            count: 3,
        };
        let series = [
            b("orders", f64::INFINITY, &[10.0, 0.0, 4.0]),
            b("orders", 0.1, &[5.0, 0.0, 1.0]),
            b("orders", 0.5, &[9.0, 0.0, 1.0]),
            b("other", 0.1, &[1.0, 1.0, 1.0]),
        ];
        let g = BucketGrid::build("orders", cols, &series).unwrap();
        let les: Vec<f64> = g.rows.iter().map(|r| r.le).collect();
        assert_eq!(les, [0.1, 0.5, f64::INFINITY]);
        assert_eq!(g.rows[0].cells, [Some(0.5), None, Some(0.25)]);
        assert_eq!(g.rows[1].cells, [Some(0.4), None, Some(0.0)]);
        assert_eq!(g.rows[2].cells, [Some(0.1), None, Some(0.75)]);
        assert!(BucketGrid::build("nobody", cols, &series).is_none());
    }

    #[test]
    fn bucket_labels() {
        assert_eq!(le_label(0.025), "≤25ms");
        assert_eq!(le_label(2.5), "≤2.5s");
        assert_eq!(le_label(f64::INFINITY), "+Inf");
    }
}
