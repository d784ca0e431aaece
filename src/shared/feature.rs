//! What every tab offers the shell, so the app routes keys, drawing and
//! the `/` filter to the current tab without knowing which one it is.

use crate::core::action::ActionPlan;
use crate::core::command::{ActionRequest, Command};
use crate::core::health::Health;
use crate::core::service::{RowRef, ServiceScope};
use crate::shared::color::ColorSupport;
use crate::shared::theme::Theme;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;

/// What the shell lends a tab to draw itself with.
pub struct Screen<'a> {
    pub theme: &'a Theme,
    pub now: DateTime<Utc>,
    pub health: &'a Health,
    pub context: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub color_support: ColorSupport,
}

/// How many rows of a tab fit on screen: a table loses its header and the
/// detail lines below it, a text pane only its border.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub table_rows: usize,
    pub text_rows: usize,
}

/// What `Feature::prefill` says of a command the tab does not prefill.
pub const NO_PREFILL: &str = "nothing here to start that from";

/// What a tab's plans need from the shell.
pub struct PlanContext<'a> {
    /// The Kubernetes context the plan runs under.
    pub context: &'a str,
    /// Watching every namespace (`-A`): a deployment is named with its own.
    pub all_namespaces: bool,
}

/// One tab's state and what it does with the generic commands. Commands
/// that only one tab knows stay with that tab's own methods.
pub trait Feature {
    /// Moves the selection by `delta` rows (`isize::MAX / 2`: to the end).
    fn move_by(&mut self, delta: isize, page: Page);
    /// Keeps the selection inside the data and on screen after either changed.
    fn fit(&mut self, page: Page);
    /// The `/` filter's text, or why this tab has none.
    fn filter(&self) -> Result<String, &'static str>;
    /// Sets the `/` filter; a pattern that is refused leaves the last good one.
    fn set_filter(&mut self, text: &str) -> Result<(), String>;
    /// Opens or closes the detail pane (or drill-down).
    fn toggle_detail(&mut self);
    /// Esc: closes the innermost thing open here; false when nothing was.
    fn close(&mut self) -> bool;
    fn draw(&self, frame: &mut Frame, area: Rect, screen: &Screen<'_>);

    /// `s` / `S`: the next sort column, or the other direction. Returns
    /// what to tell the user, if anything.
    fn sort(&mut self, _reverse: bool) -> Option<String> {
        None
    }

    /// ← / →: sideways within the tab.
    fn scroll_sideways(&mut self, _right: bool) {}

    /// `:view NAME`: another listing of the same tab. The Pods tab's views
    /// are open from every tab, so a tab without views of its own names them.
    fn choose_view(&mut self, name: &str) -> Result<(), String> {
        Err(format!("no view {name:?}: pods, deploy or events"))
    }

    /// What the command line opens with for a prompting command (`s`:
    /// `scale deploy/NAME `, `r`: `reset earliest`), from the selection;
    /// or why there is nothing here to start it from.
    fn prefill(&self, _command: &Command, _cx: &PlanContext<'_>) -> Result<String, String> {
        Err(NO_PREFILL.into())
    }

    /// What the selected row names, for a jump to its service.
    fn row_ref(&self) -> Option<RowRef> {
        None
    }

    /// `:service`: show only this service's rows (`None`: every row).
    /// A tab with nothing per service keeps showing everything.
    fn set_service(&mut self, _scope: Option<&ServiceScope>) {}

    /// The plan for `request`, from this tab's selection; `None` when
    /// this tab has no such action.
    fn plan(
        &self,
        _request: &ActionRequest,
        _cx: &PlanContext<'_>,
    ) -> Option<Result<ActionPlan, String>> {
        None
    }

    /// Whether the target of a plan for this tab's backend is still
    /// there; `None` for another tab's plan (and the shell counts a check
    /// nobody answered as failed).
    fn target_exists(&self, _plan: &ActionPlan) -> Option<bool> {
        None
    }

    /// What a plan for this tab's backend needs and does not have, as far
    /// as the data here tells before the backend is asked.
    fn failed_preconditions(&self, _plan: &ActionPlan) -> Vec<String> {
        Vec::new()
    }
}
