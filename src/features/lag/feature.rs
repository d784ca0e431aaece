//! The Lag tab: consumer groups, their partitions, and the view over them.

use super::model::{Consumers, LagView};
use super::settings::KafkaSettings;
use super::stats::GroupSnapshot;
use crate::core::action::ActionPlan;
use crate::core::clean::Clean;
use crate::core::command::{ActionRequest, Command};
use crate::core::service::{RowRef, ServiceScope};
use crate::core::source::SourceId;
use crate::core::timeline::TimelineEntry;
use crate::shared::feature::{Feature, NO_PREFILL, Page, PlanContext, Screen};
use crate::shared::fed::Fed;
use ratatui::Frame;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Default)]
pub struct LagTab {
    pub data: Consumers,
    pub view: LagView,
    /// Thresholds and the consumer map the table is drawn against.
    pub settings: KafkaSettings,
    /// Each group's highest lag, for the post-mortem.
    pub peaks: super::peaks::LagPeaks,
}

impl Fed for LagTab {
    type Update = super::model::LagUpdate;

    fn feed(&mut self, update: Clean<Self::Update>) -> Vec<TimelineEntry> {
        let (cluster, at) = (update.cluster.clone(), update.at);
        let entries = self.data.apply(update);
        self.peaks.note(&self.data, &cluster, at);
        self.view.refresh(&self.data);
        entries
    }
}

impl LagTab {
    /// The latest poll of the selected group.
    pub fn selected_group(&self) -> Option<&GroupSnapshot> {
        self.data.selected_group(&self.view)
    }

    /// The latest poll of any group.
    pub fn latest_group(&self, cluster: &str, group: &str) -> Option<&GroupSnapshot> {
        self.data
            .groups
            .get(&(cluster.to_string(), group.to_string()))
            .and_then(|h| h.latest())
    }
}

impl Feature for LagTab {
    fn plan(
        &self,
        request: &ActionRequest,
        _cx: &PlanContext<'_>,
    ) -> Option<Result<ActionPlan, String>> {
        super::actions::request::plan_of(self, request)
    }

    fn target_exists(&self, plan: &ActionPlan) -> Option<bool> {
        super::actions::request::target_exists(self, plan)
    }

    fn failed_preconditions(&self, plan: &ActionPlan) -> Vec<String> {
        super::actions::request::failed_preconditions(self, plan)
    }

    fn row_ref(&self) -> Option<RowRef> {
        self.view.selected().map(|(_, g)| RowRef::Group(g.clone()))
    }

    fn set_service(&mut self, scope: Option<&ServiceScope>) {
        self.view.service = scope.cloned();
        self.view.refresh(&self.data);
    }

    /// In the partition view the cursor walks partitions instead of groups.
    fn move_by(&mut self, delta: isize, page: Page) {
        if self.view.detail {
            let n = self.selected_group().map_or(0, |s| s.partitions.len());
            let v = &mut self.view;
            v.partition = v
                .partition
                .saturating_add_signed(delta)
                .min(n.saturating_sub(1));
            return;
        }
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
        self.view.partition = 0;
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

    /// The deployment that consumes the selected group (`[kafka.consumers]`).
    /// `r`: `reset earliest` on the selected group; `s`: `scale
    /// deploy/NAME ` for the deployment `[kafka.consumers]` maps it to.
    fn prefill(&self, command: &Command, _cx: &PlanContext<'_>) -> Result<String, String> {
        let (_, group) = self
            .view
            .selected()
            .ok_or("select a consumer group first")?;
        match command {
            Command::ResetPrompt => Ok("reset earliest".into()),
            Command::ScalePrompt => {
                let deployment = self.settings.consumers.get(group).ok_or_else(|| {
                    format!("which deployment consumes {group}? map it in [kafka.consumers]")
                })?;
                Ok(format!("scale deploy/{deployment} "))
            }
            _ => Err(NO_PREFILL.into()),
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, screen: &Screen<'_>) {
        super::draw::draw(
            frame,
            area,
            &super::draw::LagScreen {
                theme: screen.theme,
                now: screen.now,
                lag: &self.data,
                view: &self.view,
                settings: &self.settings,
                health: screen.health.get(SourceId::Kafka),
            },
        )
    }
}
