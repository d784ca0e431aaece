//! The Queries tab: one database target at a time, its sub-views, and the
//! selection over them.

use super::model::{Queries, QueriesView, SubView};
use super::settings::QueriesSettings;
use crate::core::action::ActionPlan;
use crate::core::clean::Clean;
use crate::core::command::ActionRequest;
use crate::core::service::{RowRef, ServiceScope};
use crate::core::timeline::TimelineEntry;
use crate::shared::feature::{Feature, Page, PlanContext, Screen};
use crate::shared::fed::Fed;
use ratatui::Frame;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Default)]
pub struct QueriesTab {
    pub data: Queries,
    pub view: QueriesView,
    /// The targets' configuration, for what the tab says about them.
    pub settings: QueriesSettings,
    /// Each target's longest lock-wait chain, for the post-mortem.
    pub peaks: super::peaks::QueriesPeaks,
}

impl Fed for QueriesTab {
    type Update = super::model::QueriesUpdate;

    fn feed(&mut self, update: Clean<Self::Update>) -> Vec<TimelineEntry> {
        let at = update.at;
        let entries = self.data.apply(update);
        self.peaks.note(&self.data, at);
        self.view.refresh(&self.data);
        entries
    }
}

impl Feature for QueriesTab {
    fn plan(
        &self,
        request: &ActionRequest,
        _cx: &PlanContext<'_>,
    ) -> Option<Result<ActionPlan, String>> {
        super::actions::request::plan_of(self, request)
    }

    fn target_exists(&self, plan: &ActionPlan) -> Option<bool> {
        super::actions::plan::target_exists(plan, &self.data)
    }

    fn failed_preconditions(&self, plan: &ActionPlan) -> Vec<String> {
        super::actions::plan::failed_preconditions(plan, &self.data)
    }

    /// The selected session's application (a backend, or a MongoDB op).
    fn row_ref(&self) -> Option<RowRef> {
        let state = self.view.state(&self.data)?;
        match self.view.selected()? {
            super::view::QueryRow::Backend(pid) | super::view::QueryRow::Tree { pid, .. } => state
                .backends()
                .iter()
                .find(|b| b.pid == *pid)
                .map(|b| RowRef::Application(b.application.clone())),
            super::view::QueryRow::Op(id) => state
                .ops()
                .iter()
                .find(|o| &o.opid == id)
                .map(|o| RowRef::Application(o.app_name.clone().unwrap_or_default())),
            _ => None,
        }
    }

    fn set_service(&mut self, scope: Option<&ServiceScope>) {
        self.view.service = scope.cloned();
        self.view.refresh(&self.data);
    }

    fn move_by(&mut self, delta: isize, page: Page) {
        let len = self.view.len();
        self.view.cursor.step(delta, len, page.table_rows);
    }

    fn fit(&mut self, page: Page) {
        let len = self.view.len();
        self.view.cursor.fit(len, page.table_rows);
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

    /// The next statement order: the table re-sorts what it has at once;
    /// the shell tells the pollers (`QueriesView::order` changed).
    fn sort(&mut self, reverse: bool) -> Option<String> {
        if reverse {
            return Some("statements are listed largest first; s changes the column".into());
        }
        self.view.cycle_order(&self.data);
        let v = &self.view;
        (v.sub_view() != Some(SubView::Statements)).then(|| {
            format!(
                "statements will be ordered by {} (the statements view shows them)",
                v.order.label()
            )
        })
    }

    fn choose_view(&mut self, name: &str) -> Result<(), String> {
        self.view.choose_view(&self.data, name)
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
