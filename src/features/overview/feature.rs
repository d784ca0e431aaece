//! The Overview tab: the service map, the board built from it, the view.

use super::board::Board;
use super::link::ServiceMap;
use super::settings::ServiceConfig;
use super::view::OverviewView;
use crate::core::service::{RowRef, ServiceScope, Signals};
use crate::core::timeline::TimelineEntry;
use crate::shared::feature::{Feature, Page, Screen};
use ratatui::Frame;
use ratatui::layout::Rect;

/// Rows the Overview's table loses to the cause line and the shared
/// infrastructure block below it.
pub const CHROME_ROWS: usize = 6;

#[derive(Debug, Clone, Default)]
pub struct OverviewTab {
    pub settings: Vec<ServiceConfig>,
    pub map: ServiceMap,
    pub board: Board,
    pub view: OverviewView,
    /// The signals changed since the board was folded: it is folded again
    /// when the Overview is next shown, not for every batch behind another tab.
    pub stale: bool,
}

impl OverviewTab {
    /// The signals changed: links them again when `relink` (names may have
    /// changed; other tabs find their rows' services through the map) and
    /// leaves the board to `fold`.
    pub fn signals_changed(&mut self, signals: &Signals, relink: bool) {
        if relink {
            self.map = ServiceMap::derive(&self.settings, signals);
        }
        self.stale = true;
    }

    /// Folds the board from the signals when they changed since the last
    /// time. `entries` newest first.
    pub fn fold<'a>(
        &mut self,
        signals: &Signals,
        entries: impl Iterator<Item = &'a TimelineEntry>,
    ) {
        if !self.stale {
            return;
        }
        self.stale = false;
        self.board = Board::build(&self.map, signals, entries);
        self.view.refresh(&self.board);
    }

    /// The service under the cursor.
    pub fn selected(&self) -> Option<&str> {
        self.view.selected_name(&self.board)
    }

    pub fn scope(&self, name: &str) -> Option<ServiceScope> {
        self.map.scope(name)
    }

    /// The service a row of another tab belongs to.
    pub fn service_of(&self, r: &RowRef) -> Option<String> {
        let m = &self.map;
        let i = match r {
            RowRef::Deployment(d) => m.of_deployment(d),
            RowRef::Prometheus { name, .. } => m.of_prometheus(name),
            RowRef::BreakerOwner(o) => m.owner_of(o),
            RowRef::Group(g) => m.of_group(g),
            RowRef::Application(a) => m.of_application(a),
        }?;
        m.services.get(i).map(|s| s.name.clone())
    }

    /// Every service name, for `:service` completion.
    pub fn names(&self) -> Vec<String> {
        self.map.services.iter().map(|s| s.name.clone()).collect()
    }

    fn rows(page: Page) -> usize {
        page.table_rows.saturating_sub(CHROME_ROWS).max(1)
    }
}

impl Feature for OverviewTab {
    fn move_by(&mut self, delta: isize, page: Page) {
        self.view
            .cursor
            .step(delta, self.view.rows.len(), Self::rows(page));
        self.view.pick(&self.board);
    }

    fn fit(&mut self, page: Page) {
        self.view.cursor.fit(self.view.rows.len(), Self::rows(page));
    }

    fn filter(&self) -> Result<String, &'static str> {
        Ok(self.view.filter.clone())
    }

    fn set_filter(&mut self, text: &str) -> Result<(), String> {
        self.view.filter = text.to_string();
        self.view.refresh(&self.board);
        Ok(())
    }

    fn toggle_detail(&mut self) {}

    fn close(&mut self) -> bool {
        if self.view.filter.is_empty() {
            return false;
        }
        self.set_filter("").is_ok()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, screen: &Screen<'_>) {
        super::draw::draw(frame, area, self, screen);
    }
}
