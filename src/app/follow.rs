//! Following the responder in a replay: the recording says which tab and
//! service were on screen, and the console shows them until the user moves
//! away; `b` goes back to following.

use super::tab::Tab;
use super::{App, Effect};
use crate::core::replay::Screen;
use crate::core::sanitize::SafeText;
use crate::core::source::Severity;

impl App {
    /// The tab and service on screen now, as a recording keeps them.
    pub fn screen(&self) -> Screen {
        Screen {
            tab: self.tab.name().to_string(),
            service: self
                .service
                .as_ref()
                .map(|s| SafeText::from(s.name.as_str())),
        }
    }

    /// Shows what the responder had on screen, when following.
    pub(super) fn follow_responder(&mut self) {
        if !self.options.replay || !self.following {
            return;
        }
        let Some(recorded) = self.model.screen.clone() else {
            return;
        };
        if let Some(tab) = Tab::ALL.into_iter().find(|t| t.name() == recorded.tab) {
            self.tab = tab;
        }
        let scope = recorded
            .service
            .and_then(|name| self.model.overview.scope(name.as_str()));
        let same = scope.as_ref().map(|s| &s.name) == self.service.as_ref().map(|s| &s.name);
        if !same {
            self.apply_service(scope);
        }
    }

    /// What a key or click is compared against: the screen, and how often
    /// `b` was asked for.
    pub(super) fn follow_point(&self) -> (Screen, u64) {
        (self.screen(), self.follow_asked)
    }

    /// After a key or click in a replay: a tab or service the user chose
    /// stops following the responder, and the header says so.
    pub(super) fn stop_following_if_moved(&mut self, (screen, asked): (Screen, u64)) {
        let moved = self.screen() != screen && self.follow_asked == asked;
        if self.options.replay && self.following && moved {
            self.following = false;
            self.say(
                Severity::Info,
                "not following the responder's screen: b follows it again",
            );
        }
    }

    /// `b`: back to the responder's tab and service.
    pub(super) fn replay_follow(&mut self) -> Vec<Effect> {
        if !self.options.replay {
            self.say(
                Severity::Info,
                "not a replay: open a recording with `opsdeck replay FILE`",
            );
            return Vec::new();
        }
        self.following = true;
        self.follow_asked += 1;
        self.follow_responder();
        self.say(Severity::Info, "following the responder's screen");
        Vec::new()
    }
}
