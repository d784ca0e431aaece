//! The worst the databases showed, for the post-mortem: each Postgres
//! target's longest lock-wait chain.

use super::model::Queries;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A lock-wait chain at its longest: the backend at its root and how many
/// waited behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub root: i32,
    pub waiting: usize,
    /// What the root ran (as the activity view showed it).
    pub query: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct QueriesPeaks {
    /// The longest lock-wait chain seen per Postgres target.
    pub blocking: BTreeMap<String, Chain>,
}

impl QueriesPeaks {
    /// After a poll was applied: each target's longest chain, kept when
    /// it is the longest so far.
    pub fn note(&mut self, queries: &Queries, at: DateTime<Utc>) {
        for (key, state) in &queries.targets {
            let Some(tree) = state.blocking.iter().max_by_key(|t| t.waiting()) else {
                continue;
            };
            let waiting = tree.waiting();
            if waiting == 0
                || self
                    .blocking
                    .get(&key.name)
                    .is_some_and(|c| c.waiting >= waiting)
            {
                continue;
            }
            let query = state
                .backend(tree.pid)
                .map(|b| b.query.clone())
                .unwrap_or_default();
            self.blocking.insert(
                key.name.clone(),
                Chain {
                    root: tree.pid,
                    waiting,
                    query,
                    at,
                },
            );
        }
    }
}
