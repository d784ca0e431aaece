//! The Queries tab: one database target at a time, its sub-views, and the
//! selection over them.

use super::model::{Queries, QueriesView};
use super::settings::QueriesSettings;
use crate::shared::feature::{Feature, Page, Screen};
use ratatui::Frame;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Default)]
pub struct QueriesTab {
    pub data: Queries,
    pub view: QueriesView,
    /// The targets' configuration, for what the tab says about them.
    pub settings: QueriesSettings,
}

impl Feature for QueriesTab {
    fn move_by(&mut self, delta: isize, page: Page) {
        let v = &mut self.view;
        let len = v.len();
        v.cursor.move_by(delta, len);
        v.cursor.scroll_into_view(page.table_rows);
    }

    fn fit(&mut self, page: Page) {
        let v = &mut self.view;
        v.cursor.clamp(v.len());
        v.cursor.scroll_into_view(page.table_rows);
    }

    fn filter(&self) -> Result<String, &'static str> {
        Err("the Queries tab lists one target at a time: [ and ] switch targets, ← and → views")
    }

    fn set_filter(&mut self, _text: &str) -> Result<(), String> {
        Ok(())
    }

    /// A detail pane over an empty list would describe nothing.
    fn toggle_detail(&mut self) {
        self.view.detail = !self.view.detail && !self.view.is_empty();
    }

    fn close(&mut self) -> bool {
        std::mem::take(&mut self.view.detail)
    }

    fn draw(&self, frame: &mut Frame, area: Rect, screen: &Screen<'_>) {
        super::draw::draw(
            frame,
            area,
            &super::draw::QueriesScreen {
                theme: screen.theme,
                queries: &self.data,
                view: &self.view,
                settings: &self.settings,
            },
        )
    }
}
