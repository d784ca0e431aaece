//! The `/` filter of each tab, in one place: opening it remembers the
//! current text, typing applies it live, Esc puts the remembered text back
//! on the same tab it came from.

use super::App;
use super::tab::Tab;

impl App {
    /// The filter of `tab`, or `None` for tabs that have none.
    pub(super) fn filter_of(&self, tab: Tab) -> Option<String> {
        match tab {
            Tab::Pods => Some(self.model.pods_view.filter.text.clone()),
            Tab::Logs => Some(
                self.model
                    .logs
                    .filter_text()
                    .unwrap_or_default()
                    .to_string(),
            ),
            Tab::Lag => Some(self.model.lag_view.filter.clone()),
            Tab::Breakers => Some(self.model.breakers_view.filter.clone()),
            Tab::Timeline => Some(self.model.timeline.filter().to_string()),
            Tab::Heatmap | Tab::Queries | Tab::Console => None,
        }
    }

    /// Sets the current tab's filter. A Logs pattern that does not compile
    /// is refused with the reason, and the last good one stays.
    pub(super) fn set_filter(&mut self, text: &str) -> Result<(), String> {
        match self.tab {
            Tab::Pods => self.set_pods_filter(text),
            Tab::Lag => self.set_lag_filter(text),
            Tab::Breakers => self.set_breakers_filter(text),
            Tab::Logs => return self.model.logs.set_filter(text).map_err(|e| e.to_string()),
            Tab::Timeline => self.model.timeline.set_filter(text),
            Tab::Heatmap | Tab::Queries | Tab::Console => {}
        }
        Ok(())
    }
}
