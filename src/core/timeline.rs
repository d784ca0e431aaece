//! One line of the incident Timeline, as sources and the app write it.

use super::sanitize::{SAFE_TEXT_BYTES, SafeText, sanitize_str_capped};
use super::source::{Severity, SourceId};
use chrono::{DateTime, Utc};
use std::fmt;

/// The number the app gives each action it runs; audit lines and undo use it.
pub type ActionId = u64;

/// Who or what wrote a Timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Origin {
    Source(SourceId),
    /// A note typed by the user named here.
    Note(String),
    /// opsdeck itself (exports, actions).
    Opsdeck,
    /// Another console in the war room (`user@host`): its joins, leaves
    /// and actions. (A `Box<str>`: beside `Note`'s `String` it keeps the
    /// entry, which every source sends by value, as small as it was.)
    Room(Box<str>),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Source(s) => f.write_str(s.label()),
            // A recording (or, later, a room message) can name anyone.
            Origin::Note(user) => write!(f, "note:{}", super::sanitize::safe(user)),
            Origin::Opsdeck => f.write_str("opsdeck"),
            Origin::Room(who) => write!(f, "room:{}", super::sanitize::safe(who)),
        }
    }
}

/// The object a Timeline entry is about, so Enter on it goes there. Its
/// names are backend text, made safe like the entry's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum About {
    Pod {
        namespace: SafeText,
        name: SafeText,
    },
    Deployment {
        namespace: SafeText,
        name: SafeText,
    },
    /// A breaker of the service that holds it.
    Breaker {
        service: SafeText,
        breaker: SafeText,
    },
    Group {
        cluster: SafeText,
        group: SafeText,
    },
    /// A database backend (a blocking chain's root) of a target.
    Backend {
        target: SafeText,
        pid: i32,
    },
    Alert {
        service: SafeText,
        name: SafeText,
    },
    /// An action this console executed (its dialog, with the outcome).
    Action {
        id: ActionId,
        /// What ran and who let it, so a recording and its post-mortem
        /// say more than the outcome's sentence (boxed: entries travel by
        /// value; older recordings have none).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        executed: Option<Box<Executed>>,
        /// Every guard step's answer, in order; a refusal ends with the
        /// step that refused (older recordings have none).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        checks: Vec<CheckRecord>,
    },
}

/// One line of the incident Timeline.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub severity: Severity,
    pub origin: Origin,
    /// Sanitized when the entry is made: sources put backend text here.
    pub text: SafeText,
    /// For an executed action: the id the app keeps its undo under, offered by `u`.
    pub action: Option<ActionId>,
    /// What it is about, when it is about one object (recordings made
    /// before this field read as `None`).
    #[serde(default)]
    pub about: Option<About>,
    /// The Kubernetes context the console watched when the entry came
    /// in: its object is looked for there only.
    #[serde(default)]
    pub context: Option<SafeText>,
}

/// The record of one executed action, kept with its outcome entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Executed {
    /// The command a human could have pasted instead (secrets redacted).
    pub command: SafeText,
    /// The OS user who confirmed.
    pub by: SafeText,
    /// How: "confirmed with y" or "typed \"production/api\"".
    pub confirmation: SafeText,
}

/// One guard step's answer for an action, redacted as the audit log keeps
/// it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckRecord {
    /// The step's label: "read-only", "permission", "dry run" …
    pub step: SafeText,
    pub passed: bool,
    pub detail: SafeText,
}

impl CheckRecord {
    pub fn new(step: &str, passed: bool, detail: &str) -> CheckRecord {
        let safe = |t: &str| sanitize_str_capped(&super::redact::redact(t), SAFE_TEXT_BYTES);
        CheckRecord {
            step: safe(step),
            passed,
            detail: safe(detail),
        }
    }
}

impl fmt::Display for CheckRecord {
    /// `permission: passed (allowed)`, `cooldown: REFUSED (ran 20s ago)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let answer = if self.passed { "passed" } else { "REFUSED" };
        write!(f, "{}: {answer}", self.step)?;
        if !self.detail.as_str().is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

impl Executed {
    pub fn new(command: &str, by: &str, confirmation: &str) -> Executed {
        let safe = |t: &str| sanitize_str_capped(t, SAFE_TEXT_BYTES);
        Executed {
            command: safe(command),
            by: safe(by),
            confirmation: safe(confirmation),
        }
    }
}

impl TimelineEntry {
    /// What ran, for an executed action's outcome.
    pub fn executed(&self) -> Option<&Executed> {
        match &self.about {
            Some(About::Action {
                executed: Some(x), ..
            }) => Some(x),
            _ => None,
        }
    }

    /// An action's guard decisions, for its outcome or refusal entry.
    pub fn checks(&self) -> &[CheckRecord] {
        match &self.about {
            Some(About::Action { checks, .. }) => checks,
            _ => &[],
        }
    }

    pub fn new(
        at: DateTime<Utc>,
        severity: Severity,
        origin: Origin,
        text: impl AsRef<str>,
    ) -> Self {
        TimelineEntry {
            at,
            severity,
            origin,
            text: sanitize_str_capped(text.as_ref(), SAFE_TEXT_BYTES),
            action: None,
            about: None,
            context: None,
        }
    }

    /// The same entry, about this object.
    pub fn about(mut self, about: About) -> Self {
        self.about = Some(about);
        self
    }
}

#[cfg(test)]
mod origin_tests {
    use super::Origin;

    #[test]
    fn a_note_author_is_shown_made_safe() {
        let shown = Origin::Note("eve\x1b]52;c;cm0gLXJm\x07\u{202e}".into()).to_string();
        assert!(
            !shown.contains('\x1b') && !shown.contains('\u{202e}'),
            "{shown:?}"
        );
        assert!(shown.starts_with("note:eve"), "{shown:?}");
    }
}
