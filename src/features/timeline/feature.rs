//! The Timeline tab: the entries are their own view (cursor, filter, order).

use super::model::Timeline;
use crate::shared::feature::{Feature, Page, Screen};
use ratatui::Frame;
use ratatui::layout::Rect;

impl Feature for Timeline {
    fn move_by(&mut self, delta: isize, page: Page) {
        let len = self.visible_len();
        self.cursor.step(delta, len, page.table_rows);
    }

    fn fit(&mut self, page: Page) {
        let len = self.visible_len();
        self.cursor.fit(len, page.table_rows);
    }

    fn filter(&self) -> Result<String, &'static str> {
        Ok(Timeline::filter(self).to_string())
    }

    fn set_filter(&mut self, text: &str) -> Result<(), String> {
        Timeline::set_filter(self, text);
        Ok(())
    }

    fn toggle_detail(&mut self) {}

    fn close(&mut self) -> bool {
        if Timeline::filter(self).is_empty() {
            return false;
        }
        Timeline::set_filter(self, "");
        true
    }

    fn draw(&self, frame: &mut Frame, area: Rect, screen: &Screen<'_>) {
        super::draw::draw(
            frame,
            area,
            &super::draw::TimelineScreen {
                theme: screen.theme,
                timeline: self,
            },
        )
    }
}
