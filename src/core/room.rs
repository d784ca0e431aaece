//! The war room's words: what consoles in one room tell each other through
//! Redis, and what the room tells the app. Every field that came from
//! another console is a `SafeText` (checked again when read back), and a
//! message can only ever become a Timeline entry or a member row: nothing
//! in it can start an action.

use super::clean::Sanitize;
use super::sanitize::SafeText;
use chrono::{DateTime, Utc};

/// Largest room message read or written; past it a message is dropped
/// (and counted), never cut to something it did not say.
pub const MAX_MESSAGE_BYTES: usize = 8 * 1024;

/// Largest room name: it is part of every Redis key of the room.
pub const MAX_ROOM_NAME: usize = 64;

/// A console in a room: `user@host`, and the session that tells two
/// consoles of one user on one host apart.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Peer {
    pub user: SafeText,
    pub host: SafeText,
    pub session: SafeText,
}

impl Peer {
    pub fn new(user: &str, host: &str, session: &str) -> Peer {
        Peer {
            user: user.into(),
            host: host.into(),
            session: session.into(),
        }
    }

    /// `alice@bastion-2`, as the Timeline names a peer.
    pub fn who(&self) -> String {
        format!("{}@{}", self.user, self.host)
    }
}

/// One entry of the room's stream.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RoomMessage {
    Joined {
        from: Peer,
        #[serde(default)]
        context: Option<SafeText>,
    },
    Left {
        from: Peer,
    },
    Note {
        from: Peer,
        text: SafeText,
    },
    /// An action a console ran: its plan's summary (redacted as for the
    /// audit log), how it was confirmed, and how it ended.
    Action {
        from: Peer,
        summary: SafeText,
        #[serde(default)]
        context: Option<SafeText>,
        confirmation: SafeText,
        ok: bool,
        outcome: SafeText,
    },
}

impl RoomMessage {
    pub fn from(&self) -> &Peer {
        match self {
            RoomMessage::Joined { from, .. }
            | RoomMessage::Left { from }
            | RoomMessage::Note { from, .. }
            | RoomMessage::Action { from, .. } => from,
        }
    }

    /// Strict reading of one stream entry's bytes: too big, not JSON, or
    /// not one of the shapes above is an error saying which.
    pub fn parse(bytes: &[u8]) -> Result<RoomMessage, String> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(format!(
                "{} bytes, over the {MAX_MESSAGE_BYTES}-byte limit",
                bytes.len()
            ));
        }
        serde_json::from_slice(bytes).map_err(|e| format!("not a room message: {e}"))
    }

    /// The bytes `parse` reads back; `None` when they would be over the
    /// limit (a note too long to send is refused before it is sent).
    pub fn encode(&self) -> Option<Vec<u8>> {
        serde_json::to_vec(self)
            .ok()
            .filter(|b| b.len() <= MAX_MESSAGE_BYTES)
    }
}

/// A console present in the room, as its last heartbeat said.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub peer: Peer,
    #[serde(default)]
    pub context: Option<SafeText>,
    /// The tab on its screen.
    pub tab: SafeText,
    /// Seconds since its user last pressed a key, as of its heartbeat.
    pub idle_secs: u64,
}

/// The room's connection, for the header's badge.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RoomLink {
    Up,
    /// Why the room cannot be reached (never a password).
    Down(SafeText),
}

/// What the room tells the app.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RoomUpdate {
    /// Joined (`Some`) or left (`None`) a room.
    Room(Option<SafeText>),
    Link(RoomLink),
    /// Everyone whose heartbeat is fresh, this console included.
    Members {
        at: DateTime<Utc>,
        members: Vec<Member>,
    },
    /// A message of another console, at the time the server stamped it.
    Message {
        at: DateTime<Utc>,
        message: Box<RoomMessage>,
    },
    /// Messages dropped so far (too big, malformed), and why the last was.
    Dropped {
        count: u64,
        why: SafeText,
    },
}

impl Sanitize for RoomUpdate {
    // Every string here is a `SafeText`: made by the sanitizer, or checked
    // again when a recording or the room's JSON is read.
    fn sanitize(&mut self) {}
}

/// Who holds a room lock (or ran the action last, for a cooldown): the
/// value stored under the lock's key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holder {
    pub by: Peer,
    /// The action's id in its console (its audit lines carry it).
    pub action: u64,
    pub since: DateTime<Utc>,
}

impl Holder {
    /// Strict reading, as for messages: a lock value is another console's text.
    pub fn parse(bytes: &[u8]) -> Option<Holder> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return None;
        }
        serde_json::from_slice(bytes).ok()
    }
}

/// The room's answer about a lock on an action's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockAnswer {
    /// Taken by this console (or, for a look, free).
    Free,
    /// Another console is running it. `None`: a value that does not parse.
    Held(Option<Holder>),
    /// It ran within the cooldown; `left` of it remains.
    Cooling {
        holder: Option<Holder>,
        left: std::time::Duration,
    },
    /// The room could not answer (down, slow, not joined).
    Unavailable(String),
}

/// What the app asks of the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomRequest {
    Join(String),
    Leave,
    /// Sent in order; kept (up to a bound) while the room is unreachable.
    Publish(Box<RoomMessage>),
    /// What this console's heartbeat says about it.
    Presence {
        context: Option<String>,
        tab: String,
        idle_secs: u64,
    },
}

/// The Redis keys an action's lock and shared cooldown live under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockKeys {
    /// One per (context, kind, target): two consoles cannot run it at once.
    pub lock: String,
    /// As the local cooldown counts a repeat (`ActionPlan::cooldown_key`).
    pub cooldown: String,
}

/// Whether `name` can be a room: it is part of Redis key names.
pub fn check_room_name(name: &str) -> Result<(), String> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.len() > MAX_ROOM_NAME || !name.chars().all(ok_char) {
        return Err(format!(
            "a room name is 1 to {MAX_ROOM_NAME} letters, digits, '-', '_' or '.'"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(text: &str) -> RoomMessage {
        RoomMessage::Note {
            from: Peer::new("alice", "bastion-2", "s1"),
            text: text.into(),
        }
    }

    #[test]
    fn a_message_reads_back_as_written() {
        let bytes = note("db is back").encode().unwrap();
        assert_eq!(RoomMessage::parse(&bytes).unwrap(), note("db is back"));
    }

    #[test]
    fn an_oversized_or_unknown_message_is_refused_with_why() {
        let big = vec![b' '; MAX_MESSAGE_BYTES + 1];
        assert!(RoomMessage::parse(&big).unwrap_err().contains("limit"));
        let odd = br#"{"kind":"execute","from":{"user":"a","host":"b","session":"c"}}"#;
        assert!(RoomMessage::parse(odd).is_err());
        let extra = br#"{"kind":"left","from":{"user":"a","host":"b","session":"c"},"run":"rm"}"#;
        assert!(RoomMessage::parse(extra).is_err());
        assert!(note(&"x".repeat(MAX_MESSAGE_BYTES)).encode().is_none());
    }

    #[test]
    fn escape_sequences_in_a_message_are_made_safe_on_reading() {
        let raw = "{\"kind\":\"note\",\"from\":{\"user\":{\"text\":\"ev\\u001b]0;x\\u0007e\",\"runs\":[]},\"host\":{\"text\":\"h\",\"runs\":[]},\"session\":{\"text\":\"s\",\"runs\":[]}},\"text\":{\"text\":\"\\u001b[2Jhi\",\"runs\":[]}}";
        let RoomMessage::Note { from, text } = RoomMessage::parse(raw.as_bytes()).unwrap() else {
            panic!("not a note");
        };
        assert!(!from.user.as_str().contains('\x1b'), "{:?}", from.user);
        assert!(!text.as_str().contains('\x1b'), "{text:?}");
        assert!(text.as_str().ends_with("hi"));
    }

    #[test]
    fn room_names_are_checked() {
        assert!(check_room_name("inc-2041").is_ok());
        for bad in ["", "a b", "x:y", "*", &"r".repeat(65)] {
            assert!(check_room_name(bad).is_err(), "{bad:?}");
        }
    }
}
