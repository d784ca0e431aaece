//! Cells shared by the Queries tab's tables: one-line query text,
//! durations coloured against the threshold, the tree prefixes, the
//! summary after the view names.

use super::QueriesScreen;
use crate::features::queries::model::{Kind, QueryRow, TargetState, running};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Row;
use std::time::Duration;

/// A query or command on one line (whitespace runs become one space).
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `style` for a duration: crit from twice the threshold, warn over it.
pub fn duration_style(screen: &QueriesScreen<'_>, d: Duration, threshold: Duration) -> Style {
    let t = &screen.theme;
    if threshold.is_zero() {
        t.text
    } else if d >= threshold * 2 {
        t.crit
    } else if d > threshold {
        t.warn
    } else {
        t.text
    }
}

/// The rows of the list that fit in `height`, from the cursor's top, as
/// `(index, row)`.
pub fn window<'a>(
    screen: &QueriesScreen<'a>,
    height: u16,
) -> impl Iterator<Item = (usize, &'a QueryRow)> + use<'a> {
    let v = screen.view;
    let top = v.cursor.top.min(v.len().saturating_sub(1));
    v.rows
        .iter()
        .enumerate()
        .skip(top)
        .take(usize::from(height))
}

/// Highlights the selected row.
pub fn selected<'a>(screen: &QueriesScreen<'_>, i: usize, row: Row<'a>) -> Row<'a> {
    if i == screen.view.cursor.selected {
        row.style(screen.theme.selection)
    } else {
        row
    }
}

/// What matters now on this target, after the view names.
pub fn summary(screen: &QueriesScreen<'_>, s: &TargetState) -> Vec<Span<'static>> {
    let t = &screen.theme;
    let mut out = Vec::new();
    let mut push = |text: String, style: Style| {
        out.push(Span::styled(format!(" {text} "), style));
    };
    match s.key.kind {
        Kind::Postgres => {
            let Some(pg) = s.pg() else { return out };
            let over = s
                .backends()
                .iter()
                .filter(|b| running(b) > pg.activity_threshold)
                .count();
            if over > 0 {
                push(
                    format!("{over} >{}s", pg.activity_threshold.as_secs()),
                    t.warn,
                );
            }
            if !s.blocking.is_empty() {
                let waiting: usize = s.blocking.iter().map(|t| t.waiting()).sum();
                push(format!("{waiting} blocked"), t.crit);
            }
            if let Ok(c) = &pg.connections {
                push(
                    format!("{:.0}% conn", c.ratio * 100.0),
                    if c.warning { t.crit } else { t.muted },
                );
            }
        }
        Kind::Mongo => {
            let ops = s.ops();
            if let Some(m) = s.mongo() {
                push(format!("{} op(s) ≥{}s", ops.len(), m.secs_running), t.muted);
            }
            let scans = ops.iter().filter(|o| o.is_collscan()).count();
            if scans > 0 {
                push(format!("{scans} COLLSCAN"), t.crit);
            }
        }
        Kind::Redis => {
            if let Some(r) = s.redis()
                && let Some(rate) = r.rates.as_ref().and_then(|r| r.hit_rate)
            {
                let low = rate < r.hit_rate_warn;
                push(
                    format!("hit {:.0}%", rate * 100.0),
                    if low { t.crit } else { t.ok },
                );
            }
        }
    }
    out
}

/// Box-drawing prefixes of a flattened tree (`├─ `, `└─ `, `│  `), one per
/// row, from each row's depth.
pub fn tree_prefixes(depths: &[usize]) -> Vec<String> {
    let n = depths.len();
    // last[i]: no later sibling before the parent's subtree ends.
    let mut last = vec![true; n];
    let mut open: Vec<bool> = Vec::new();
    for i in (0..n).rev() {
        let d = depths[i];
        open.resize(d + 1, false);
        last[i] = !open[d];
        open[d] = true;
    }
    let mut ancestors_last: Vec<bool> = Vec::new();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let d = depths[i];
        let mut prefix = String::new();
        for level in 1..d {
            prefix.push_str(if ancestors_last.get(level).copied().unwrap_or(true) {
                "   "
            } else {
                "│  "
            });
        }
        if d > 0 {
            prefix.push_str(if last[i] { "└─ " } else { "├─ " });
        }
        ancestors_last.resize(d + 1, true);
        ancestors_last[d] = last[i];
        out.push(prefix);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_prefixes_draw_branches_and_their_ends() {
        // 10 ─┬ 20 ─ 30
        //     └ 21
        // 40 ─ 41
        let p = tree_prefixes(&[0, 1, 2, 1, 0, 1]);
        assert_eq!(p, ["", "├─ ", "│  └─ ", "└─ ", "", "└─ "]);
    }
}
