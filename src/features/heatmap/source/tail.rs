//! Fetching only the new tail of the window: each metric's series are kept
//! between polls and merged with a short range query that starts at the
//! last (possibly incomplete) column of the previous one.

use crate::features::heatmap::model::NamedSeries;
use crate::shared::prometheus::Columns;

/// One metric's series as of its last poll.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeCache {
    pub columns: Columns,
    pub series: Vec<NamedSeries>,
    /// False when two series share a name: they cannot be told apart in a
    /// merge, so the next poll fetches the whole window.
    mergeable: bool,
}

/// The columns to query now: from the cached last column on when the cache
/// has the same step and still ends inside the window; else the whole window.
pub fn tail(cache: Option<&RangeCache>, window: &Columns) -> Columns {
    match cache {
        Some(c)
            if c.mergeable
                && c.columns.step == window.step
                && c.columns.end() >= window.start
                && c.columns.end() <= window.end() =>
        {
            // From the previous last column on: it may have been incomplete.
            let start = c.columns.end().max(window.start);
            let count = ((window.end() - start) / window.step).round() as usize + 1;
            Columns {
                start,
                step: window.step,
                count,
            }
        }
        _ => *window,
    }
}

/// The window's series: cached points before `fetched.start`, then the new
/// points. Series that stopped reporting keep their points until they age out.
pub fn merge(
    cache: Option<RangeCache>,
    window: Columns,
    fetched: &Columns,
    new: Vec<NamedSeries>,
) -> RangeCache {
    let unique = {
        let mut names: Vec<&str> = new.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        names.windows(2).all(|w| w[0] != w[1])
    };
    let whole = fetched.start <= window.start;
    let mut series = match cache {
        Some(c) if unique && !whole && c.mergeable => c.series,
        _ => Vec::new(),
    };
    for s in &mut series {
        s.points
            .retain(|(t, _)| *t >= window.start && *t < fetched.start);
    }
    for n in new {
        let points = n.points.into_iter().filter(|(t, _)| *t >= window.start);
        match series.iter_mut().find(|s| s.name == n.name && unique) {
            Some(s) => s.points.extend(points),
            None => series.push(NamedSeries {
                name: n.name,
                points: points.collect(),
            }),
        }
    }
    series.retain(|s| !s.points.is_empty());
    RangeCache {
        columns: window,
        series,
        mergeable: unique,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str, from: i64, to: i64) -> NamedSeries {
        NamedSeries {
            name: name.into(),
            points: (from..=to).map(|t| ((t * 15) as f64, t as f64)).collect(),
        }
    }

    fn cols(first: i64, count: usize) -> Columns {
        Columns {
            start: (first * 15) as f64,
            step: 15.0,
            count,
        }
    }

    #[test]
    fn the_next_poll_asks_only_from_the_last_column() {
        let window = cols(0, 60);
        assert_eq!(
            tail(None, &window),
            window,
            "nothing cached: the whole window"
        );
        let cache = merge(None, window, &window, vec![series("api", 0, 59)]);
        let later = cols(2, 60); // two steps later
        let fetch = tail(Some(&cache), &later);
        assert_eq!((fetch.start, fetch.count), (59.0 * 15.0, 3));
        let merged = merge(Some(cache), later, &fetch, vec![series("api", 59, 61)]);
        let ts: Vec<f64> = merged.series[0].points.iter().map(|p| p.0 / 15.0).collect();
        assert_eq!(
            ts,
            (2..=61).map(|t| t as f64).collect::<Vec<_>>(),
            "old points aged out, last column replaced"
        );
    }

    #[test]
    fn another_step_or_duplicate_names_fetch_the_whole_window() {
        let window = cols(0, 60);
        let cache = merge(None, window, &window, vec![series("api", 0, 59)]);
        let other_step = Columns {
            start: 0.0,
            step: 30.0,
            count: 30,
        };
        assert_eq!(tail(Some(&cache), &other_step), other_step);
        let dup = merge(
            None,
            window,
            &window,
            vec![series("api", 0, 59), series("api", 0, 59)],
        );
        assert_eq!(tail(Some(&dup), &cols(1, 60)), cols(1, 60));
        assert_eq!(dup.series.len(), 2);
    }

    #[test]
    fn a_series_that_appears_later_and_one_that_stops() {
        let window = cols(0, 60);
        let cache = merge(
            None,
            window,
            &window,
            vec![series("api", 0, 59), series("old", 0, 40)],
        );
        let later = cols(1, 60);
        let fetch = tail(Some(&cache), &later);
        let merged = merge(
            Some(cache),
            later,
            &fetch,
            vec![series("api", 59, 60), series("new", 60, 60)],
        );
        let names: Vec<&str> = merged.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["api", "old", "new"]);
        assert_eq!(merged.series[1].points.len(), 40, "kept until it ages out");
    }
}
