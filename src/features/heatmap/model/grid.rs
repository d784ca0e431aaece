//! The services × time grid of one metric: points bucketed into columns,
//! rows sorted worst-first, bounded in number.

use super::scale::{Level, SloTable, level};
use crate::shared::prometheus::{Columns, Metric};
use std::collections::BTreeMap;

/// Most rows one grid keeps; the rest are counted in `Grid::dropped`.
pub const MAX_ROWS: usize = 500;

/// One series as the source hands it over: its row name (see
/// `service_name`) and its `(unix seconds, value)` points.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct NamedSeries {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// The first non-empty label of `keys` (e.g. `service`, then `job`, then
/// `app`), or the whole label set written as `{k="v",...}` when none is set.
pub fn service_name(labels: &BTreeMap<String, String>, keys: &[&str]) -> String {
    if let Some(name) = keys
        .iter()
        .filter_map(|k| labels.get(*k))
        .find(|v| !v.is_empty())
    {
        return name.clone();
    }
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(","))
}

/// Points placed into columns: `None` where no sample fell or the sample
/// was NaN (a gap, never a zero); infinities are kept as values.
pub fn bucket_points(points: &[(f64, f64)], columns: &Columns) -> Vec<Option<f64>> {
    let mut cells = vec![None; columns.count];
    for &(ts, value) in points {
        if let Some(i) = columns.index_of(ts) {
            // The later sample wins when two fall into one column.
            cells[i] = (!value.is_nan()).then_some(value);
        }
    }
    cells
}

/// One service's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The service, as SLOs and the drill-down know it.
    pub service: String,
    /// What the row shows: the service, with `#2`, `#3` for the second and
    /// third series of one service (a template that does not aggregate).
    pub name: String,
    pub cells: Vec<Option<f64>>,
    /// Some cell is +Inf or -Inf (shown with a marker, not as a colour).
    pub has_infinite: bool,
}

impl Row {
    /// The latest non-gap value and its column.
    pub fn last_value(&self) -> Option<(usize, f64)> {
        self.cells
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, c)| c.map(|v| (i, v)))
    }
}

/// A metric's grid, rows worst-first.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub metric: Metric,
    pub columns: Columns,
    pub rows: Vec<Row>,
    /// Series beyond `MAX_ROWS`, left out (the least bad ones).
    pub dropped: usize,
}

impl Grid {
    /// Builds the grid; rows with the same name (a template that does not
    /// aggregate fully) get `#2`, `#3` suffixes rather than being merged.
    pub fn build(
        metric: Metric,
        columns: Columns,
        series: &[NamedSeries],
        slos: &SloTable,
    ) -> Grid {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut rows: Vec<Row> = series
            .iter()
            .map(|s| {
                let n = seen.entry(s.name.as_str()).or_insert(0);
                *n += 1;
                let name = if *n == 1 {
                    s.name.clone()
                } else {
                    format!("{} #{n}", s.name)
                };
                let cells = bucket_points(&s.points, &columns);
                let has_infinite = cells.iter().flatten().any(|v| v.is_infinite());
                Row {
                    service: s.name.clone(),
                    name,
                    cells,
                    has_infinite,
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            let (ka, kb) = (badness(a, metric, slos), badness(b, metric, slos));
            kb.total_cmp(&ka).then_with(|| a.name.cmp(&b.name))
        });
        let dropped = rows.len().saturating_sub(MAX_ROWS);
        rows.truncate(MAX_ROWS);
        Grid {
            metric,
            columns,
            rows,
            dropped,
        }
    }

    /// The rows that fit in `height` lines, and a note saying how many were
    /// left out when some were.
    pub fn visible(&self, height: usize) -> (&[Row], Option<String>) {
        let total = self.rows.len() + self.dropped;
        let shown = self.rows.len().min(height);
        let note =
            (shown < total).then(|| format!("showing {shown} of {total} services, worst first"));
        (&self.rows[..shown], note)
    }

    /// The colour class of one cell of a row.
    pub fn level(&self, row: &Row, column: usize, slos: &SloTable) -> Level {
        let value = row.cells.get(column).copied().flatten();
        level(value, slos.get(&row.service, self.metric))
    }
}

/// How bad a row is now: its last value against its SLO (or the value
/// itself without one, so the busiest service leads a rate grid). Rows
/// without data sort last; infinities first.
fn badness(row: &Row, metric: Metric, slos: &SloTable) -> f64 {
    let Some((_, value)) = row.last_value() else {
        return f64::NEG_INFINITY;
    };
    if value.is_infinite() {
        return f64::INFINITY;
    }
    match slos.get(&row.service, metric) {
        Some(slo) => slo.usage(value),
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Columns {
        Columns {
            start: 1000.0,
            step: 60.0,
            count: 5,
        }
    }

    fn series(name: &str, points: &[(f64, f64)]) -> NamedSeries {
        NamedSeries {
            name: name.into(),
            points: points.to_vec(),
        }
    }

    #[test]
    fn columns_are_aligned_to_the_step() {
        let c = Columns::ending_at(1_000_030.0, 60.0, 60);
        assert_eq!(c.end(), 1_000_020.0);
        assert_eq!(c.start, 1_000_020.0 - 59.0 * 60.0);
        assert_eq!(c.index_of(c.end()), Some(59));
        assert_eq!(c.index_of(c.start - 60.0), None);
        assert_eq!(c.index_of(c.end() + 60.0), None);
        assert_eq!(c.time_of(59), c.end());
    }

    #[test]
    fn missing_and_nan_are_gaps_never_zero_and_inf_is_kept() {
        let cells = bucket_points(
            &[
                (1000.0, 0.2),
                (1120.0, f64::NAN),
                (1180.0001, f64::INFINITY),
            ],
            &cols(),
        );
        assert_eq!(
            cells,
            vec![Some(0.2), None, None, Some(f64::INFINITY), None]
        );
        let g = Grid::build(
            Metric::P95,
            cols(),
            &[series("a", &[(1180.0, f64::INFINITY)])],
            &SloTable::default(),
        );
        assert!(g.rows[0].has_infinite);
        assert_eq!(
            g.level(&g.rows[0], 3, &SloTable::default()),
            Level::Infinite
        );
        assert_eq!(g.level(&g.rows[0], 0, &SloTable::default()), Level::Gap);
    }

    #[test]
    fn rows_sort_by_worst_now_against_their_own_threshold() {
        let slos = SloTable::default();
        let g = Grid::build(
            Metric::P95,
            cols(),
            &[
                // 0.2s: 40% of 500ms.
                series("orders", &[(1000.0, 0.9), (1240.0, 0.2)]),
                // 90ms: 90% of the gateway's 100ms.
                series("api-gateway", &[(1240.0, 0.09)]),
                series("idle", &[]),
                // Last non-gap value is 0.4 (the NaN is a gap).
                series("payments", &[(1180.0, 0.4), (1240.0, f64::NAN)]),
            ],
            &slos,
        );
        let names: Vec<&str> = g.rows.iter().map(|r| r.service.as_str()).collect();
        assert_eq!(names, ["api-gateway", "payments", "orders", "idle"]);
        assert_eq!(g.level(&g.rows[0], 4, &slos), Level::Near);
    }

    #[test]
    fn more_series_than_rows_are_capped_with_a_note() {
        let many: Vec<NamedSeries> = (0..MAX_ROWS + 3)
            .map(|i| series(&format!("s{i}"), &[(1000.0, i as f64)]))
            .collect();
        let g = Grid::build(Metric::Rate, cols(), &many, &SloTable::default());
        assert_eq!((g.rows.len(), g.dropped), (MAX_ROWS, 3));
        // Busiest first for a metric without SLO.
        assert_eq!(g.rows[0].service, format!("s{}", MAX_ROWS + 2));
        let (rows, note) = g.visible(10);
        assert_eq!(rows.len(), 10);
        assert_eq!(
            note.as_deref(),
            Some(format!("showing 10 of {} services, worst first", MAX_ROWS + 3).as_str())
        );
        let small = Grid::build(Metric::Rate, cols(), &many[..2], &SloTable::default());
        assert_eq!(small.visible(10).1, None);
    }

    #[test]
    fn service_names_fall_back_and_duplicates_are_kept_apart() {
        let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let keys = ["service", "job", "app"];
        assert_eq!(
            service_name(&labels(&[("job", "orders"), ("app", "x")]), &keys),
            "orders"
        );
        assert_eq!(
            service_name(&labels(&[("service", ""), ("app", "x")]), &keys),
            "x"
        );
        assert_eq!(
            service_name(&labels(&[("le", "0.1")]), &keys),
            "{le=\"0.1\"}"
        );
        let g = Grid::build(
            Metric::Rate,
            cols(),
            &[series("a", &[(1000.0, 1.0)]), series("a", &[(1000.0, 2.0)])],
            &SloTable::default(),
        );
        assert_eq!(
            (g.rows[0].name.as_str(), g.rows[0].service.as_str()),
            ("a #2", "a")
        );
        assert_eq!(g.rows[1].name, "a");
    }
}
