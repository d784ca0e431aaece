//! The most recent Kubernetes events in scope, bounded, sent whole (latest
//! wins) whenever they change.

use super::table::Key;
use crate::features::pods::model::KubeEvent;
use std::collections::HashMap;

/// Events kept and sent; older ones are dropped (busy clusters emit
/// thousands of Normal events an hour).
pub const MAX_EVENTS: usize = 500;

/// Recent events by `(namespace, event name)`.
#[derive(Debug, Default)]
pub struct RecentEvents {
    events: HashMap<Key, KubeEvent>,
    /// A list in progress replaces `events` when it is done.
    listing: Option<HashMap<Key, KubeEvent>>,
    changed: bool,
}

impl RecentEvents {
    pub fn init(&mut self) {
        self.listing = Some(HashMap::new());
    }

    pub fn init_apply(&mut self, key: Key, event: KubeEvent) {
        let listing = self.listing.get_or_insert_with(HashMap::new);
        listing.insert(key, event);
        prune(listing);
    }

    pub fn init_done(&mut self) {
        self.events = self.listing.take().unwrap_or_default();
        self.changed = true;
    }

    pub fn apply(&mut self, key: Key, event: KubeEvent) {
        self.events.insert(key, event);
        prune(&mut self.events);
        self.changed = true;
    }

    pub fn delete(&mut self, key: &Key) {
        self.changed |= self.events.remove(key).is_some();
    }

    pub fn is_pending(&self) -> bool {
        self.changed
    }

    /// The events, newest first, when they changed since the last call.
    pub fn take(&mut self) -> Option<Vec<KubeEvent>> {
        if !std::mem::take(&mut self.changed) {
            return None;
        }
        let mut out: Vec<KubeEvent> = self.events.values().cloned().collect();
        newest_first(&mut out);
        out.truncate(MAX_EVENTS);
        Some(out)
    }
}

fn newest_first(events: &mut [KubeEvent]) {
    events.sort_by(|a, b| {
        b.last_seen
            .cmp(&a.last_seen)
            .then_with(|| a.object_name.cmp(&b.object_name))
            .then_with(|| a.reason.cmp(&b.reason))
    });
}

/// Drops the oldest events once there are a quarter more than kept, so
/// pruning is rare and memory stays bounded.
fn prune(events: &mut HashMap<Key, KubeEvent>) {
    if events.len() <= MAX_EVENTS + MAX_EVENTS / 4 {
        return;
    }
    let mut by_age: Vec<(Key, Option<chrono::DateTime<chrono::Utc>>)> = events
        .iter()
        .map(|(k, e)| (k.clone(), e.last_seen))
        .collect();
    by_age.sort_by_key(|(_, seen)| std::cmp::Reverse(*seen));
    for (key, _) in by_age.into_iter().skip(MAX_EVENTS) {
        events.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn event(i: i64) -> (Key, KubeEvent) {
        (
            ("prod".into(), format!("e{i}")),
            KubeEvent {
                object_name: format!("pod-{i}"),
                last_seen: Utc.timestamp_opt(1_800_000_000 + i, 0).single(),
                ..KubeEvent::default()
            },
        )
    }

    #[test]
    fn newest_first_and_only_when_changed() {
        let mut r = RecentEvents::default();
        r.init();
        for i in [2, 1, 3] {
            let (k, e) = event(i);
            r.init_apply(k, e);
        }
        assert!(!r.is_pending(), "a list in progress is not sent");
        r.init_done();
        let names: Vec<String> = r
            .take()
            .unwrap()
            .into_iter()
            .map(|e| e.object_name)
            .collect();
        assert_eq!(names, ["pod-3", "pod-2", "pod-1"]);
        assert_eq!(r.take(), None);
        r.delete(&("prod".into(), "e2".into()));
        assert_eq!(r.take().unwrap().len(), 2);
        r.delete(&("prod".into(), "unknown".into()));
        assert_eq!(r.take(), None);
    }

    #[test]
    fn bounded() {
        let mut r = RecentEvents::default();
        for i in 0..(3 * MAX_EVENTS as i64) {
            let (k, e) = event(i);
            r.apply(k, e);
        }
        assert!(r.events.len() <= MAX_EVENTS + MAX_EVENTS / 4);
        let sent = r.take().unwrap();
        assert_eq!(sent.len(), MAX_EVENTS);
        assert_eq!(sent[0].object_name, format!("pod-{}", 3 * MAX_EVENTS - 1));
    }
}
