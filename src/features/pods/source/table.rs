//! One watched kind (pods or deployments) turned into the updates the model
//! expects: the whole list after each list or relist, then the changes
//! since, collected until the next flush so that a busy 10,000-pod cluster
//! sends a few small batches instead of everything on every change.

use std::collections::{BTreeMap, BTreeSet};

/// `(namespace, name)`.
pub type Key = (String, String);

/// What a flush sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Batch<T> {
    /// Everything in scope, replacing what the model had.
    Full(Vec<T>),
    Changed {
        upserted: Vec<T>,
        deleted: Vec<Key>,
    },
}

/// The pending state of one kind between flushes.
#[derive(Debug)]
pub struct Table<T> {
    /// Objects of a list in progress; `Some` from `Init` to `InitDone`.
    listing: Option<Vec<T>>,
    /// A finished list not sent yet.
    full: Option<Vec<T>>,
    upserted: BTreeMap<Key, T>,
    deleted: BTreeSet<Key>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            listing: None,
            full: None,
            upserted: BTreeMap::new(),
            deleted: BTreeSet::new(),
        }
    }
}

impl<T> Table<T> {
    /// A list (or a relist after the watch expired) begins.
    pub fn init(&mut self) {
        self.listing = Some(Vec::new());
    }

    pub fn init_apply(&mut self, object: T) {
        self.listing.get_or_insert_with(Vec::new).push(object);
    }

    /// The list is complete: it supersedes every change collected before.
    pub fn init_done(&mut self) {
        self.full = Some(self.listing.take().unwrap_or_default());
        self.upserted.clear();
        self.deleted.clear();
    }

    /// Added or modified while watching.
    pub fn apply(&mut self, key: Key, object: T) {
        self.deleted.remove(&key);
        self.upserted.insert(key, object);
    }

    /// Deleted while watching.
    pub fn delete(&mut self, key: Key) {
        self.upserted.remove(&key);
        self.deleted.insert(key);
    }

    /// True when a flush would send something.
    pub fn is_pending(&self) -> bool {
        self.full.is_some() || !self.upserted.is_empty() || !self.deleted.is_empty()
    }

    /// What to send now, in order; leaves nothing pending. A list still in
    /// progress is not sent: the model keeps the last complete one.
    pub fn take(&mut self) -> Vec<Batch<T>> {
        let mut out = Vec::new();
        if let Some(full) = self.full.take() {
            out.push(Batch::Full(full));
        }
        if !self.upserted.is_empty() || !self.deleted.is_empty() {
            out.push(Batch::Changed {
                upserted: std::mem::take(&mut self.upserted).into_values().collect(),
                deleted: std::mem::take(&mut self.deleted).into_iter().collect(),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> Key {
        ("prod".into(), name.into())
    }

    #[test]
    fn a_list_is_sent_whole_then_changes_are_batched() {
        let mut t = Table::default();
        t.init();
        t.init_apply("a1");
        t.init_apply("b1");
        assert!(t.take().is_empty(), "a list in progress is not sent");
        t.init_done();
        t.apply(key("a"), "a2");
        assert_eq!(
            t.take(),
            [
                Batch::Full(vec!["a1", "b1"]),
                Batch::Changed {
                    upserted: vec!["a2"],
                    deleted: vec![]
                }
            ]
        );
        assert!(!t.is_pending());
        t.apply(key("c"), "c1");
        t.apply(key("a"), "a3");
        t.apply(key("a"), "a4");
        t.delete(key("c"));
        t.delete(key("b"));
        assert_eq!(
            t.take(),
            [Batch::Changed {
                upserted: vec!["a4"],
                deleted: vec![key("b"), key("c")]
            }]
        );
        t.delete(key("d"));
        t.apply(key("d"), "d1");
        assert_eq!(
            t.take(),
            [Batch::Changed {
                upserted: vec!["d1"],
                deleted: vec![]
            }]
        );
    }

    #[test]
    fn a_relist_replaces_pending_changes() {
        let mut t = Table::default();
        t.init();
        t.init_done();
        t.take();
        t.apply(key("a"), "a1");
        t.init();
        t.init_apply("a2");
        t.init_done();
        assert_eq!(t.take(), [Batch::Full(vec!["a2"])]);
        t.init();
        t.init_done();
        assert_eq!(t.take(), [Batch::Full(vec![])], "an empty list is sent too");
    }
}
