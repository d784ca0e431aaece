//! The Logs tab: the buffer is its own view (cursor, filter, search).

use super::model::Logs;
use crate::core::clean::Clean;
use crate::core::timeline::TimelineEntry;
use crate::shared::feature::{Feature, Page, Screen};
use crate::shared::fed::Fed;
use ratatui::Frame;
use ratatui::layout::Rect;

impl Fed for Logs {
    type Update = super::model::LogsUpdate;

    fn feed(&mut self, update: Clean<Self::Update>) -> Vec<TimelineEntry> {
        self.apply(update);
        Vec::new()
    }
}

impl Feature for Logs {
    /// Moving pauses the stream; G / End resumes following the newest line.
    fn move_by(&mut self, delta: isize, page: Page) {
        if delta >= isize::MAX / 2 {
            self.resume();
        } else {
            self.pause();
            let len = self.visible_len();
            self.cursor.move_by(delta, len);
        }
        self.cursor.scroll_into_view(page.text_rows);
    }

    fn fit(&mut self, page: Page) {
        let len = self.visible_len();
        self.cursor.fit(len, page.text_rows);
    }

    fn filter(&self) -> Result<String, &'static str> {
        Ok(self.filter_text().unwrap_or_default().to_string())
    }

    fn set_filter(&mut self, text: &str) -> Result<(), String> {
        Logs::set_filter(self, text)
    }

    fn toggle_detail(&mut self) {}

    fn close(&mut self) -> bool {
        false
    }

    /// Long lines scroll by eight columns.
    fn scroll_sideways(&mut self, right: bool) {
        self.hscroll = if right {
            self.hscroll.saturating_add(8)
        } else {
            self.hscroll.saturating_sub(8)
        };
    }

    fn draw(&self, frame: &mut Frame, area: Rect, screen: &Screen<'_>) {
        super::draw::draw(
            frame,
            area,
            &super::draw::LogsScreen {
                theme: screen.theme,
                logs: self,
                color_support: screen.color_support,
            },
        )
    }
}
