//! The war room from the app's side: joining and leaving, notes, the
//! heartbeat's presence, and the room's lock as a step of the guard
//! chain (looked at with the pre-checks, taken before the execute,
//! released with the outcome).

use super::dialog::{ActionDialog, Stage};
use super::{App, Effect, Overlay};
use crate::core::action::ActionPlan;
use crate::core::executor::Outcome;
use crate::core::room::{Holder, LockAnswer, Peer, RoomMessage, RoomRequest, check_room_name};
use crate::core::source::Severity;
use crate::core::timeline::{Origin, TimelineEntry};
use crate::remediation::guard::{self, Decision, Step};
use std::time::Duration;

/// How often this console tells the room where it is.
const PRESENCE_EVERY: i64 = 5;

impl App {
    /// This console as the room knows it.
    pub fn me(&self) -> Peer {
        Peer::new(
            &self.options.user,
            &self.options.host,
            &self.options.session,
        )
    }

    /// Whether this console is in a room (and so locks and publishes).
    pub fn in_room(&self) -> bool {
        self.model.room.name.is_some()
    }

    /// Says in the footer when the room's Redis stops or starts answering.
    pub(super) fn tell_room_link(&mut self, update: &crate::update::Update) {
        use crate::core::room::{RoomLink, RoomUpdate};
        let crate::update::Update::Room(room) = update else {
            return;
        };
        let RoomUpdate::Link(link) = &**room else {
            return;
        };
        match (link, &self.model.room.link) {
            (RoomLink::Down(why), Some(RoomLink::Up) | None) => {
                let then = if self.settings.warroom.require_lock {
                    "actions are refused until it is back (require_lock)"
                } else {
                    "actions go on with the local checks"
                };
                self.say(
                    Severity::Warn,
                    format!("war room unreachable: {why}; {then}"),
                );
            }
            (RoomLink::Up, Some(RoomLink::Down(_))) => {
                self.say(Severity::Info, "war room back; reading what was missed");
            }
            _ => {}
        }
    }

    /// `:room NAME`, `:room -`.
    pub(super) fn room_command(&mut self, arg: &str) -> Vec<Effect> {
        if self.options.replay {
            self.say(Severity::Info, "replay: a recording does not join rooms");
            return Vec::new();
        }
        if self.settings.warroom.redis_url.is_none() {
            self.say(
                Severity::Warn,
                "no war room: set [warroom] redis_url in the config",
            );
            return Vec::new();
        }
        let name = arg.trim();
        if name == "-" {
            if !self.in_room() {
                self.say(Severity::Info, "not in a room");
                return Vec::new();
            }
            self.say(Severity::Info, "leaving the room");
            return vec![Effect::Room(RoomRequest::Leave)];
        }
        if let Err(e) = check_room_name(name) {
            self.say(Severity::Warn, format!(":room {name}: {e}"));
            return Vec::new();
        }
        self.say(Severity::Info, format!("joining room {name}"));
        let mut effects = self.presence();
        effects.push(Effect::Room(RoomRequest::Join(name.to_string())));
        effects
    }

    /// `:who`: the room's members, in an overlay.
    pub(super) fn who(&mut self) {
        if !self.in_room() {
            self.say(Severity::Info, "not in a room: :room NAME joins one");
            return;
        }
        self.overlay = Overlay::Who;
    }

    /// A note on this console's Timeline, and the room's.
    pub(super) fn add_note(&mut self, text: &str) -> Vec<Effect> {
        if text.trim().is_empty() {
            return Vec::new();
        }
        // A note is recorded, exported and maybe published: a password
        // pasted into one is cut like one in a plan.
        let text = crate::core::redact::redact(text);
        let text = text.as_str();
        let who = self.me().who();
        let author = if self.in_room() {
            who
        } else {
            self.options.user.clone()
        };
        self.add_to_timeline(TimelineEntry::new(
            self.now,
            Severity::Info,
            Origin::Note(author),
            text,
        ));
        if !self.in_room() {
            self.say(Severity::Info, "note added to the timeline");
            return Vec::new();
        }
        let note = RoomMessage::Note {
            from: self.me(),
            text: text.into(),
        };
        if note.encode().is_none() {
            self.say(
                Severity::Warn,
                "note added here; too long to send to the room",
            );
            return Vec::new();
        }
        self.say(Severity::Info, "note added to the timeline and the room");
        vec![Effect::Room(RoomRequest::Publish(Box::new(note)))]
    }

    /// On the clock: where this console is, every few seconds, in a room.
    pub(super) fn presence_tick(&mut self) -> Vec<Effect> {
        let due = self
            .presence_at
            .is_none_or(|at| (self.now - at).num_seconds() >= PRESENCE_EVERY);
        if !self.in_room() || !due {
            return Vec::new();
        }
        self.presence()
    }

    fn presence(&mut self) -> Vec<Effect> {
        self.presence_at = Some(self.now);
        let idle_secs = u64::try_from((self.now - self.last_input).num_seconds()).unwrap_or(0);
        vec![Effect::Room(RoomRequest::Presence {
            context: self.model.context.clone(),
            tab: self.tab.title().to_string(),
            idle_secs,
        })]
    }

    /// The value stored under an action's lock (and its cooldown).
    fn holder(&self, id: u64) -> Holder {
        Holder {
            by: self.me(),
            action: id,
            since: self.now,
        }
    }

    /// The room's answer as a guard decision. A room that did not answer
    /// passes (the local chain still runs) unless `require_lock` is set.
    pub(super) fn room_decision(&self, answer: &LockAnswer, taking: bool) -> Decision {
        guard::room(answer, taking, self.settings.warroom.require_lock)
    }

    /// Confirmed and checked locally: in a room, take its lock first.
    pub(super) fn lock_or_execute(&mut self, dialog: &mut ActionDialog) -> Vec<Effect> {
        if !self.in_room() {
            return self.execute(dialog);
        }
        let holder = self.holder(dialog.id);
        dialog.holder = Some(holder.clone());
        dialog.stage = Stage::Locking;
        // Outlives the action's own timeout; expires if this console dies.
        let ttl = Duration::from_secs(u64::from(self.settings.action_timeout_secs) + 5);
        vec![Effect::RoomLock {
            id: dialog.id,
            keys: dialog.plan.lock_keys(),
            holder,
            ttl,
        }]
    }

    /// The room answered the lock of dialog `id`.
    pub(super) fn on_room_locked(&mut self, id: u64, answer: LockAnswer) -> Vec<Effect> {
        let Overlay::Action(mut dialog) = std::mem::replace(&mut self.overlay, Overlay::None)
        else {
            return Vec::new();
        };
        if dialog.id != id || dialog.stage != Stage::Locking {
            self.overlay = Overlay::Action(dialog);
            return Vec::new();
        }
        let decision = self.room_decision(&answer, true);
        dialog.decisions.push(decision.clone());
        let effects = if decision.passed {
            self.execute(&mut dialog)
        } else {
            // An unanswered take may still land late: give it back.
            let mut e = self.release(&dialog);
            e.extend(self.refuse(&mut dialog, &decision));
            e
        };
        self.overlay = Overlay::Action(dialog);
        effects
    }

    /// Gives back what `dialog` may hold in the room, with no cooldown.
    pub(super) fn release(&self, dialog: &ActionDialog) -> Vec<Effect> {
        dialog
            .holder
            .clone()
            .map(|holder| Effect::RoomRelease {
                keys: dialog.plan.lock_keys(),
                holder,
                cooldown: Duration::ZERO,
            })
            .into_iter()
            .collect()
    }

    /// An action ended: give its lock back, start the room's cooldown if
    /// it reached the backend, and tell the room how it went.
    pub(super) fn room_outcome(
        &self,
        id: u64,
        plan: &ActionPlan,
        outcome: &Outcome,
    ) -> Vec<Effect> {
        let Some(dialog) = self.finished.get(&id) else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        let reached = !matches!(outcome, Outcome::NotRun(_));
        if let Some(holder) = dialog.holder.clone() {
            let cooldown = if reached {
                Duration::from_secs(u64::from(self.settings.cooldown_secs))
            } else {
                Duration::ZERO
            };
            effects.push(Effect::RoomRelease {
                keys: plan.lock_keys(),
                holder,
                cooldown,
            });
        }
        if !self.in_room() {
            return effects;
        }
        let confirmation = dialog
            .decisions
            .iter()
            .rev()
            .find(|d| d.step == Step::Confirmation)
            .map_or(String::new(), |d| d.detail.clone());
        let (ok, said) = match outcome {
            Outcome::Ok(_) => (true, "ok".to_string()),
            Outcome::Failed(m) => (false, format!("failed: {m}")),
            Outcome::TimedOut(d) => (false, format!("timed out after {}s", d.as_secs())),
            Outcome::NotRun(m) => (false, format!("not run: {m}")),
        };
        let audited = plan.for_audit();
        let message = RoomMessage::Action {
            from: self.me(),
            summary: crate::core::redact::redact(audited.summary())
                .as_str()
                .into(),
            context: Some(plan.target.context.as_str().into()),
            confirmation: confirmation.as_str().into(),
            ok,
            outcome: crate::core::redact::redact(&said).as_str().into(),
        };
        effects.push(Effect::Room(RoomRequest::Publish(Box::new(message))));
        effects
    }
}

/// `:who`'s rows: who, context, tab, idle.
pub fn member_rows(app: &App) -> Vec<[String; 4]> {
    app.model
        .room
        .members
        .iter()
        .map(|m| {
            [
                m.peer.who(),
                m.context.as_ref().map_or("-".into(), ToString::to_string),
                m.tab.to_string(),
                idle(m.idle_secs),
            ]
        })
        .collect()
}

fn idle(secs: u64) -> String {
    match secs {
        0..=59 => format!("idle {secs}s"),
        60..=3_599 => format!("idle {}m", secs / 60),
        _ => format!("idle {}h", secs / 3_600),
    }
}
