//! The `/` filter of each tab, in one place: opening it remembers the
//! current text, typing applies it live, Esc puts the remembered text back
//! on the same tab it came from.

use super::App;

impl App {
    /// Sets the current tab's filter. A Logs pattern that does not compile
    /// is refused with the reason, and the last good one stays.
    pub(super) fn set_filter(&mut self, text: &str) -> Result<(), String> {
        self.feature_mut(self.tab).set_filter(text)
    }
}
