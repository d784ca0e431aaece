//! The Pods tab: the watched workloads and the view over them.

use super::model::Workloads;
use super::view::{PodFilter, PodsView};
use crate::core::source::SourceId;
use crate::shared::feature::{Feature, Page, Screen};
use ratatui::Frame;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Default)]
pub struct PodsTab {
    pub data: Workloads,
    pub view: PodsView,
}

impl Feature for PodsTab {
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
        Ok(self.view.filter.text.clone())
    }

    fn set_filter(&mut self, text: &str) -> Result<(), String> {
        self.view.filter = PodFilter::parse(text);
        self.view.refresh_from_top(&self.data);
        Ok(())
    }

    fn toggle_detail(&mut self) {
        self.view.detail = !self.view.detail;
    }

    fn close(&mut self) -> bool {
        if self.view.detail {
            self.view.detail = false;
        } else if !self.view.filter.text.is_empty() {
            let _ = self.set_filter("");
        } else {
            return false;
        }
        true
    }

    fn draw(&self, frame: &mut Frame, area: Rect, screen: &Screen<'_>) {
        super::draw::draw(
            frame,
            area,
            &super::draw::PodsScreen {
                theme: screen.theme,
                now: screen.now,
                workloads: &self.data,
                view: &self.view,
                context: screen.context,
                namespace: screen.namespace,
                health: screen.health.get(SourceId::Kubernetes),
            },
        )
    }
}
