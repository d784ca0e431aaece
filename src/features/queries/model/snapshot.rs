//! What one poll of one database target says: plain data, owned and
//! timestamped, each part with its own error so one refused view does not
//! hide the others.

use crate::core::source::SourceId;
use crate::features::queries::mongo::{CurrentOp, DbProfile, ReplicaSet};
use crate::features::queries::postgres::{
    Backend, ConnectionUsage, Statement, StatementsOrder, UnusedIndex,
};
use crate::features::queries::redis::{Info, MemoryUse, PatternCount, Rates, SlowEntry};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The kind of server a target is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Kind {
    Postgres,
    Mongo,
    Redis,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Postgres => "postgres",
            Kind::Mongo => "mongo",
            Kind::Redis => "redis",
        }
    }

    /// The header badge this kind reports to.
    pub fn source(self) -> SourceId {
        match self {
            Kind::Postgres => SourceId::Postgres,
            Kind::Mongo => SourceId::Mongo,
            Kind::Redis => SourceId::Redis,
        }
    }
}

/// One poll of one target; `data` is the error text (no password) when
/// the target could not be read at all.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QueriesUpdate {
    pub kind: Kind,
    pub target: String,
    pub at: DateTime<Utc>,
    pub data: Result<Snapshot, String>,
}

/// Boxed: the kinds differ in size, and updates travel by value.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Snapshot {
    Postgres(Box<PgData>),
    Mongo(Box<MongoData>),
    Redis(Box<RedisData>),
}

/// A Postgres target's views.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PgData {
    /// Top statements, read in `statements_order` (the server sorts and
    /// cuts the list, so another order needs another read).
    pub statements: Result<Vec<Statement>, String>,
    pub statements_order: StatementsOrder,
    /// How many the server was asked for: a shorter list is complete, so
    /// sorting it again here is exact.
    pub statements_limit: usize,
    /// Non-idle backends but opsdeck's own.
    pub activity: Result<Vec<Backend>, String>,
    pub connections: Result<ConnectionUsage, String>,
    pub unused_indexes: Result<Vec<UnusedIndex>, String>,
    /// What counts as long-running on this target.
    pub activity_threshold: Duration,
    /// Replication and superuser backends may be signalled.
    pub allow_privileged: bool,
}

/// A MongoDB target's views.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MongoData {
    /// Ops running at least `secs_running`, longest first.
    pub ops: Result<Vec<CurrentOp>, String>,
    pub secs_running: u32,
    /// One entry per configured profile database, in config order.
    pub profiles: Vec<(String, Result<DbProfile, String>)>,
    pub replica_set: Result<ReplicaSet, String>,
    /// Internal ops (replication, no client) may be killed.
    pub allow_privileged: bool,
}

/// A Redis target's health (the poll's INFO sample without its
/// `Instant`, which only the poller needs for the next window).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RedisData {
    pub info: Info,
    /// Over the window since the previous poll; None on the first.
    pub rates: Option<Rates>,
    pub memory: Option<MemoryUse>,
    pub slowlog: Vec<SlowEntry>,
    pub patterns: Vec<PatternCount>,
    /// A hit rate under this (0 to 1) over the poll window is flagged.
    pub hit_rate_warn: f64,
}
