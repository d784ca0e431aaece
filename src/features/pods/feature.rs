//! The Pods tab: the watched workloads and the view over them.

use super::model::{KubeUpdate, Workloads};
use super::peaks::PodPeaks;
use super::rollout::history::history;
use super::settings::RolloutSettings;
use super::view::{PodFilter, PodsMode, PodsView};
use crate::core::action::{Action, ActionPlan};
use crate::core::clean::Clean;
use crate::core::command::Command;
use crate::core::service::{RowRef, ServiceScope};
use crate::core::source::SourceId;
use crate::core::timeline::TimelineEntry;
use crate::shared::feature::{Feature, NO_PREFILL, Page, PlanContext, Screen};
use crate::shared::fed::Fed;
use ratatui::Frame;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Default)]
pub struct PodsTab {
    pub data: Workloads,
    pub view: PodsView,
    /// `[rollout]`, taken at start.
    pub settings: RolloutSettings,
    /// Pods that restarted or were terminated, kept for the post-mortem.
    pub peaks: PodPeaks,
}

impl Fed for PodsTab {
    type Update = KubeUpdate;

    fn feed(&mut self, update: Clean<Self::Update>) -> Vec<TimelineEntry> {
        match &*update {
            KubeUpdate::Pods(pods) | KubeUpdate::PodsChanged { upserted: pods, .. } => {
                self.peaks.note(pods);
            }
            _ => {}
        }
        self.view.apply(&mut self.data, update);
        Vec::new()
    }
}

impl PodsTab {
    /// `w`: only pods and deployments with something wrong.
    pub fn toggle_warnings(&mut self) {
        self.view.warnings_only = !self.view.warnings_only;
        self.view.refresh_from_top(&self.data);
    }
}

impl Feature for PodsTab {
    /// The deployment or pod is still watched.
    fn target_exists(&self, plan: &ActionPlan) -> Option<bool> {
        let (w, ns) = (&self.data, &plan.target.namespace);
        match &plan.action {
            Action::Scale { deployment, .. }
            | Action::RolloutRestart { deployment }
            | Action::Rollback { deployment, .. }
            | Action::RolloutPause { deployment, .. } => {
                Some(w.deployment(ns, deployment).is_some())
            }
            Action::DeletePod { pod } => Some(w.pod(ns, pod).is_some()),
            _ => None,
        }
    }

    fn row_ref(&self) -> Option<RowRef> {
        let key = self.view.selected_key()?;
        match self.view.mode {
            super::view::PodsMode::Deployments => Some(RowRef::Deployment(key.1.clone())),
            _ => self
                .data
                .pods
                .get(key)
                .and_then(|p| p.deployment.clone())
                .map(RowRef::Deployment),
        }
    }

    fn set_service(&mut self, scope: Option<&ServiceScope>) {
        self.view.service = scope.cloned();
        self.view.refresh(&self.data);
    }

    fn move_by(&mut self, delta: isize, page: Page) {
        // With the rollout detail open, the keys pick a revision.
        if self.view.detail && self.view.mode == PodsMode::Deployments {
            let count = self
                .view
                .selected_key()
                .map_or(0, |(ns, name)| history(&self.data, ns, name).len());
            let at = self.view.revision.saturating_add_signed(delta);
            self.view.revision = at.min(count.saturating_sub(1));
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
        Ok(self.view.filter.text.clone())
    }

    fn set_filter(&mut self, text: &str) -> Result<(), String> {
        self.view.filter = PodFilter::parse(text);
        self.view.refresh_from_top(&self.data);
        Ok(())
    }

    fn toggle_detail(&mut self) {
        self.view.detail = !self.view.detail;
        self.view.revision = 0;
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

    fn sort(&mut self, reverse: bool) -> Option<String> {
        let v = &mut self.view;
        if reverse {
            v.descending = !v.descending;
        } else {
            v.sort_next();
        }
        v.refresh_from_top(&self.data);
        None
    }

    fn choose_view(&mut self, name: &str) -> Result<(), String> {
        let mode = PodsMode::parse(name)
            .ok_or_else(|| format!("no view {name:?}: pods, deploy or events"))?;
        let v = &mut self.view;
        if v.mode != mode {
            v.mode = mode;
            v.cursor = Default::default();
            v.refresh_from_top(&self.data);
        }
        Ok(())
    }

    /// `s`: `scale deploy/NAME ` for the selected deployment or the
    /// selected pod's; under `-A` the row says which namespace is meant.
    fn prefill(&self, command: &Command, cx: &PlanContext<'_>) -> Result<String, String> {
        if *command != Command::ScalePrompt {
            return Err(NO_PREFILL.into());
        }
        let v = &self.view;
        let (ns, name) = v.selected_key().ok_or("nothing selected")?;
        let deployment = match v.mode {
            PodsMode::Deployments => Some(name.clone()),
            _ => self.data.pod(ns, name).and_then(|p| p.deployment.clone()),
        };
        let deployment =
            deployment.ok_or_else(|| format!("pod {name} has no owning deployment"))?;
        let ns = if cx.all_namespaces {
            format!("{ns}/")
        } else {
            String::new()
        };
        Ok(format!("scale deploy/{ns}{deployment} "))
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
                settings: &self.settings,
                context: screen.context,
                namespace: screen.namespace,
                health: screen.health.get(SourceId::Kubernetes),
            },
        )
    }
}
