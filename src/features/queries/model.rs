//! Database targets as the Queries tab shows them: each Postgres, MongoDB
//! and Redis target's last good poll, its error if the latest failed, and
//! the lock-wait trees of its backends. A few threshold crossings (a
//! blocking chain appears, connections near the limit, the Redis hit rate
//! drops) become Timeline entries.

mod apply;
mod safe;
mod snapshot;
#[cfg(test)]
mod tests;

pub use super::view::{QueriesView, QueryRow, SubView, running};
pub use safe::{QUERY_TEXT_BYTES, query_text};
pub use snapshot::{Kind, MongoData, PgData, QueriesUpdate, RedisData, Snapshot};

use crate::features::queries::mongo::{CurrentOp, OpId};
use crate::features::queries::postgres::{Backend, BlockTree};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A target by kind and configured name; kinds sort Postgres, MongoDB,
/// Redis.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TargetKey {
    pub kind: Kind,
    pub name: String,
}

/// What is known of one target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetState {
    pub key: TargetKey,
    /// The last poll that reached the server (kept while later ones fail).
    pub data: Option<Snapshot>,
    pub last_ok: Option<DateTime<Utc>>,
    pub last_poll: DateTime<Utc>,
    /// Why the latest poll failed, if it did.
    pub error: Option<String>,
    /// Postgres: who blocks whom, root blockers first.
    pub blocking: Vec<BlockTree>,
    /// What the Timeline was last told, so only crossings are written.
    marks: Marks,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Marks {
    roots: std::collections::BTreeSet<i32>,
    connections_high: bool,
    hit_rate_low: bool,
}

/// Every configured target that has reported.
#[derive(Debug, Clone, Default)]
pub struct Queries {
    pub targets: BTreeMap<TargetKey, TargetState>,
}

impl Queries {
    pub fn get(&self, key: &TargetKey) -> Option<&TargetState> {
        self.targets.get(key)
    }

    /// Targets in display order.
    pub fn keys(&self) -> Vec<&TargetKey> {
        self.targets.keys().collect()
    }
}

impl TargetState {
    pub fn pg(&self) -> Option<&PgData> {
        match &self.data {
            Some(Snapshot::Postgres(pg)) => Some(pg.as_ref()),
            _ => None,
        }
    }

    pub fn mongo(&self) -> Option<&MongoData> {
        match &self.data {
            Some(Snapshot::Mongo(m)) => Some(m.as_ref()),
            _ => None,
        }
    }

    pub fn redis(&self) -> Option<&RedisData> {
        match &self.data {
            Some(Snapshot::Redis(r)) => Some(r.as_ref()),
            _ => None,
        }
    }

    /// The backends of the last poll (empty when unknown).
    pub fn backends(&self) -> &[Backend] {
        self.pg()
            .and_then(|pg| pg.activity.as_ref().ok())
            .map_or(&[], Vec::as_slice)
    }

    pub fn backend(&self, pid: i32) -> Option<&Backend> {
        self.backends().iter().find(|b| b.pid == pid)
    }

    /// The tree `pid` is part of, if it waits or blocks.
    pub fn tree_of(&self, pid: i32) -> Option<&BlockTree> {
        self.blocking.iter().find(|t| t.pids().contains(&pid))
    }

    pub fn ops(&self) -> &[CurrentOp] {
        self.mongo()
            .and_then(|m| m.ops.as_ref().ok())
            .map_or(&[], Vec::as_slice)
    }

    pub fn op(&self, opid: &OpId) -> Option<&CurrentOp> {
        self.ops().iter().find(|o| &o.opid == opid)
    }
}

/// `4242 ms`, `3.2 s`, `4m05s`, `2h13m`: a duration as a responder reads it.
pub fn human_duration(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    if d.as_millis() < 1_000 {
        format!("{} ms", d.as_millis())
    } else if secs < 60 {
        format!("{:.1} s", d.as_secs_f64())
    } else if secs < 3_600 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h{:02}m", secs / 3_600, secs % 3_600 / 60)
    }
}

/// Milliseconds from pg_stat_statements, shortened the same way.
pub fn human_ms(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        return "-".into();
    }
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1_000.0 {
        format!("{ms:.0} ms")
    } else {
        human_duration(std::time::Duration::from_secs_f64(ms / 1_000.0))
    }
}

/// Bytes as `812 kB`, `1.4 GB` (powers of 1024, as Postgres and Redis
/// report them).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 || value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
