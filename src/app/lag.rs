//! `R` on the Lag tab: the command line, prefilled with a reset of the
//! selected group. The plan is the feature's (`lag::actions::request`).

use super::input::{InputKind, LineInput};
use super::{App, Overlay};
use crate::core::source::Severity;

impl App {
    pub(super) fn reset_prompt(&mut self) {
        if self.model.lag.view.selected().is_none() {
            return self.say(Severity::Info, "select a consumer group first");
        }
        self.overlay = Overlay::Input(LineInput::new(InputKind::Command, "reset earliest"));
    }
}
