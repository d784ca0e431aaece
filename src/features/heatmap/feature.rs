//! The Heatmap tab: Prometheus grids and the cursor over them.

use super::model::Heatmap;
use super::view::HeatmapView;
use crate::core::clean::Clean;
use crate::core::service::{RowRef, ServiceScope};
use crate::core::timeline::TimelineEntry;
use crate::shared::feature::{Feature, Page, Screen};
use crate::shared::fed::Fed;
use ratatui::Frame;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Default)]
pub struct HeatmapTab {
    pub data: Heatmap,
    pub view: HeatmapView,
    /// The worst it showed, for the post-mortem.
    pub peaks: super::peaks::PromPeaks,
}

impl Fed for HeatmapTab {
    type Update = super::model::PromUpdate;

    fn feed(&mut self, update: Clean<Self::Update>) -> Vec<TimelineEntry> {
        self.peaks.note(&update);
        self.data.apply(update);
        Vec::new()
    }
}

impl Feature for HeatmapTab {
    /// The selected row's service and the start of the selected cell.
    fn row_ref(&self) -> Option<RowRef> {
        let grid = self.data.shown(self.view.metric)?;
        let row = grid.rows.get(self.view.row)?;
        let col = self.view.column(grid.columns.count);
        let start = grid.columns.start + grid.columns.step * col as f64;
        Some(RowRef::Prometheus {
            name: row.service.clone(),
            since: chrono::DateTime::from_timestamp(start as i64, 0),
        })
    }

    /// Its row, with its latency buckets open.
    fn set_service(&mut self, scope: Option<&ServiceScope>) {
        self.data
            .set_scope(scope.map(|s| s.links.prometheus.clone()));
        self.view.row = 0;
        self.view.drill = scope.is_some();
    }

    fn move_by(&mut self, delta: isize, _page: Page) {
        let rows = self
            .data
            .shown(self.view.metric)
            .map_or(0, |g| g.rows.len());
        let v = &mut self.view;
        v.row = v
            .row
            .saturating_add_signed(delta)
            .min(rows.saturating_sub(1));
    }

    /// The grid has no scrolling window: its rows are ranked and cut to fit.
    fn fit(&mut self, _page: Page) {}

    fn filter(&self) -> Result<String, &'static str> {
        Err("the heatmap shows every service, worst first: m changes the metric")
    }

    fn set_filter(&mut self, _text: &str) -> Result<(), String> {
        Ok(())
    }

    fn toggle_detail(&mut self) {
        self.view.drill = !self.view.drill;
    }

    fn close(&mut self) -> bool {
        std::mem::take(&mut self.view.drill)
    }

    /// The selected time column.
    fn scroll_sideways(&mut self, right: bool) {
        let count = self
            .data
            .shown(self.view.metric)
            .map_or(0, |g| g.columns.count);
        self.view.move_col(if right { 1 } else { -1 }, count);
    }

    fn draw(&self, frame: &mut Frame, area: Rect, screen: &Screen<'_>) {
        super::draw::draw(
            frame,
            area,
            &super::draw::HeatmapScreen {
                theme: screen.theme,
                now: screen.now,
                heatmap: &self.data,
                view: &self.view,
            },
        )
    }
}
