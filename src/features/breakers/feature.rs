//! The Breakers tab: breaker states from actuators and Prometheus, and the
//! view over them.

use super::model::{Breakers, BreakersView};
use crate::core::action::ActionPlan;
use crate::core::clean::Clean;
use crate::core::command::ActionRequest;
use crate::core::service::{RowRef, ServiceScope};
use crate::core::source::SourceId;
use crate::core::timeline::TimelineEntry;
use crate::shared::feature::{Feature, Page, PlanContext, Screen};
use crate::shared::fed::Fed;
use ratatui::Frame;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Default)]
pub struct BreakersTab {
    pub data: Breakers,
    pub view: BreakersView,
    /// How long each was open, for the post-mortem.
    pub peaks: super::peaks::BreakerPeaks,
}

impl Fed for BreakersTab {
    type Update = super::model::BreakersUpdate;

    fn feed(&mut self, update: Clean<Self::Update>) -> Vec<TimelineEntry> {
        let at = update.at;
        let entries = self.data.apply(update);
        self.peaks.note(&self.data, at);
        self.view.refresh(&self.data);
        entries
    }
}

impl BreakersTab {
    /// After `:ctx`: rows read through the old cluster's pod proxy go
    /// until the new cluster's first poll.
    pub fn context_changed(&mut self) {
        self.data.forget_pod_proxied();
        self.view.refresh(&self.data);
    }

    /// `g`: one line per service and breaker, or one per instance.
    pub fn toggle_groups(&mut self) {
        self.view.grouped = !self.view.grouped;
        self.view.refresh(&self.data);
    }
}

impl Feature for BreakersTab {
    fn plan(
        &self,
        request: &ActionRequest,
        cx: &PlanContext<'_>,
    ) -> Option<Result<ActionPlan, String>> {
        super::actions::request::plan_of(self, request, cx)
    }

    fn target_exists(&self, plan: &ActionPlan) -> Option<bool> {
        super::actions::request::target_exists(self, plan)
    }

    fn row_ref(&self) -> Option<RowRef> {
        let owner = match self.view.selected()? {
            super::view::VisibleRow::One(k) => k.service.clone(),
            super::view::VisibleRow::Group(g) => g.service.clone(),
        };
        Some(RowRef::BreakerOwner(owner))
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
        Ok(self.view.filter.clone())
    }

    fn set_filter(&mut self, text: &str) -> Result<(), String> {
        let v = &mut self.view;
        v.filter = text.to_string();
        v.cursor = Default::default();
        v.refresh(&self.data);
        Ok(())
    }

    fn toggle_detail(&mut self) {
        self.view.detail = !self.view.detail;
    }

    fn close(&mut self) -> bool {
        if self.view.detail {
            self.view.detail = false;
        } else if !self.view.filter.is_empty() {
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
            &super::draw::BreakersScreen {
                theme: screen.theme,
                now: screen.now,
                breakers: &self.data,
                view: &self.view,
                health: screen.health.get(SourceId::Actuator),
            },
        )
    }
}
