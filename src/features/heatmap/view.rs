//! Which metric, cell and view the Heatmap tab shows.

use crate::shared::prometheus::Metric;

/// The Heatmap tab's cursor and choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeatmapView {
    pub metric: Metric,
    /// Selected service row (in worst-first order).
    pub row: usize,
    /// Selected time column; `None` follows the newest.
    pub col: Option<usize>,
    /// Showing the selected service's latency buckets.
    pub drill: bool,
}

impl Default for HeatmapView {
    fn default() -> Self {
        HeatmapView {
            metric: Metric::P95,
            row: 0,
            col: None,
            drill: false,
        }
    }
}

impl HeatmapView {
    pub fn next_metric(&mut self) {
        let i = Metric::ALL
            .iter()
            .position(|m| *m == self.metric)
            .unwrap_or(0);
        self.metric = Metric::ALL[(i + 1) % Metric::ALL.len()];
    }

    /// Moves the column cursor within `count` columns; the last one follows.
    pub fn move_col(&mut self, delta: isize, count: usize) {
        let last = count.saturating_sub(1);
        let at = self
            .col
            .unwrap_or(last)
            .saturating_add_signed(delta)
            .min(last);
        self.col = if at == last { None } else { Some(at) };
    }

    pub fn column(&self, count: usize) -> usize {
        self.col
            .unwrap_or(count.saturating_sub(1))
            .min(count.saturating_sub(1))
    }
}

/// Characters of the service name column.
pub const LABEL: usize = 20;

/// Time columns that fit a terminal `width` wide (borders and labels aside).
pub fn columns_for(width: u16) -> usize {
    usize::from(width).saturating_sub(LABEL + 3).clamp(10, 600)
}
