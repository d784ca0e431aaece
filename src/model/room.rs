//! The war room as the console knows it: which room, whether Redis
//! answers, who is in it, and the Timeline entries its messages make.
//! A message only ever becomes an entry: nothing here can act.

use crate::core::room::{Member, RoomLink, RoomMessage, RoomUpdate};
use crate::core::sanitize::SafeText;
use crate::core::source::Severity;
use crate::core::timeline::{Origin, TimelineEntry};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

#[derive(Debug, Default, Clone)]
pub struct RoomModel {
    /// The room joined, if any.
    pub name: Option<SafeText>,
    /// `None` until the room's Redis has answered or failed once.
    pub link: Option<RoomLink>,
    pub members: Vec<Member>,
    pub last_message: Option<DateTime<Utc>>,
    /// Messages dropped (too big, malformed), and why the last was.
    pub dropped: u64,
    pub last_drop: Option<SafeText>,
    /// Sessions that said goodbye: their heartbeat going stale is not news.
    gone: HashSet<String>,
}

impl RoomModel {
    pub fn apply(&mut self, update: RoomUpdate) -> Vec<TimelineEntry> {
        match update {
            RoomUpdate::Room(name) => {
                *self = RoomModel {
                    name,
                    ..RoomModel::default()
                };
                Vec::new()
            }
            RoomUpdate::Link(link) => {
                self.link = Some(link);
                Vec::new()
            }
            RoomUpdate::Members { at, members } => self.members(members, at),
            RoomUpdate::Message { at, message } => {
                self.last_message = Some(at);
                vec![self.entry(at, *message)]
            }
            RoomUpdate::Dropped { count, why } => {
                self.dropped = count;
                self.last_drop = Some(why);
                Vec::new()
            }
        }
    }

    /// Whether the room's Redis is failing now.
    pub fn is_down(&self) -> bool {
        matches!(self.link, Some(RoomLink::Down(_)))
    }

    fn members(&mut self, members: Vec<Member>, now: DateTime<Utc>) -> Vec<TimelineEntry> {
        let still: HashSet<&str> = members.iter().map(|m| m.peer.session.as_str()).collect();
        let vanished = self
            .members
            .iter()
            .filter(|m| !still.contains(m.peer.session.as_str()))
            .filter(|m| !self.gone.contains(m.peer.session.as_str()))
            .map(|m| {
                TimelineEntry::new(
                    now,
                    Severity::Warn,
                    Origin::Room(m.peer.who().into()),
                    format!("{} left the room (no heartbeat for 20s)", m.peer.who()),
                )
            })
            .collect();
        self.members = members;
        vanished
    }

    fn entry(&mut self, at: DateTime<Utc>, message: RoomMessage) -> TimelineEntry {
        let who = message.from().who();
        match message {
            RoomMessage::Joined { from, context } => {
                self.gone.remove(from.session.as_str());
                let ctx = context
                    .map(|c| format!(" (context {c})"))
                    .unwrap_or_default();
                TimelineEntry::new(
                    at,
                    Severity::Info,
                    Origin::Room(who.as_str().into()),
                    format!("{who} joined the room{ctx}"),
                )
            }
            RoomMessage::Left { from } => {
                self.gone.insert(from.session.to_string());
                TimelineEntry::new(
                    at,
                    Severity::Info,
                    Origin::Room(who.as_str().into()),
                    format!("{who} left the room"),
                )
            }
            RoomMessage::Note { text, .. } => {
                TimelineEntry::new(at, Severity::Info, Origin::Note(who), text.as_str())
            }
            RoomMessage::Action {
                summary,
                context,
                confirmation,
                ok,
                outcome,
                ..
            } => {
                let place = context.map(|c| format!(" in {c}")).unwrap_or_default();
                let severity = if ok { Severity::Info } else { Severity::Warn };
                TimelineEntry::new(
                    at,
                    severity,
                    Origin::Room(who.as_str().into()),
                    format!("{who} ran {summary}{place} ({confirmation}): {outcome}"),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::room::Peer;

    fn member(session: &str) -> Member {
        Member {
            peer: Peer::new("alice", "b2", session),
            context: None,
            tab: "Pods".into(),
            idle_secs: 0,
        }
    }

    fn members(at: DateTime<Utc>, members: Vec<Member>) -> RoomUpdate {
        RoomUpdate::Members { at, members }
    }

    #[test]
    fn a_member_whose_heartbeat_stops_is_said_to_have_left_once() {
        let mut room = RoomModel::default();
        let now = Utc::now();
        assert!(
            room.apply(members(now, vec![member("a"), member("b")]))
                .is_empty()
        );
        let left = room.apply(members(now, vec![member("b")]));
        assert_eq!(left.len(), 1);
        assert!(
            left[0].text.as_str().contains("no heartbeat"),
            "{:?}",
            left[0].text
        );
        assert!(room.apply(members(now, vec![member("b")])).is_empty());
        // One that said goodbye is not reported again by its heartbeat.
        let bye = RoomMessage::Left {
            from: Peer::new("alice", "b2", "b"),
        };
        room.apply(RoomUpdate::Message {
            at: now,
            message: Box::new(bye),
        });
        assert!(room.apply(members(now, vec![])).is_empty());
    }

    #[test]
    fn a_peer_note_is_attributed_and_an_action_names_who_and_how_it_ended() {
        let mut room = RoomModel::default();
        let now = Utc::now();
        let from = Peer::new("bob", "bastion-1", "s");
        let note = RoomMessage::Note {
            from: from.clone(),
            text: "db back".into(),
        };
        let e = room.apply(RoomUpdate::Message {
            at: now,
            message: Box::new(note),
        });
        assert_eq!(e[0].origin.to_string(), "note:bob@bastion-1");
        let action = RoomMessage::Action {
            from,
            summary: "restart deploy/payment-service".into(),
            context: Some("prod-eu".into()),
            confirmation: "confirmed with y".into(),
            ok: true,
            outcome: "ok".into(),
        };
        let e = room.apply(RoomUpdate::Message {
            at: now,
            message: Box::new(action),
        });
        assert_eq!(
            e[0].text.as_str(),
            "bob@bastion-1 ran restart deploy/payment-service in prod-eu (confirmed with y): ok"
        );
        assert_eq!(room.last_message, Some(now));
    }
}
