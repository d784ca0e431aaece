//! `[queries.postgres.NAME]`, `[queries.mongo.NAME]`, `[queries.redis.NAME]`
//! as the Queries feature uses them; `config/settings/queries.rs` reads them
//! and reports problems with file, line and key.

use crate::shared::secret::Secret;
use std::path::PathBuf;

/// `[queries]`. Off while no target is listed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueriesSettings {
    pub postgres: Vec<PgTargetSettings>,
    pub mongo: Vec<MongoTargetSettings>,
    pub redis: Vec<RedisTargetSettings>,
}

impl QueriesSettings {
    pub fn enabled(&self) -> bool {
        !(self.postgres.is_empty() && self.mongo.is_empty() && self.redis.is_empty())
    }
}

/// `[queries.postgres.<name>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PgTargetSettings {
    pub name: String,
    /// libpq `key=value` or `postgres://` URL, without the password.
    pub dsn: String,
    pub password: Secret,
    /// TLS even when the DSN does not say `sslmode=require`.
    pub require_tls: bool,
    pub ca_file: Option<PathBuf>,
    pub interval_secs: u32,
    /// opsdeck's own `statement_timeout`.
    pub statement_timeout_ms: u32,
    pub activity_threshold_secs: u32,
    pub connections_warn_pct: u32,
    /// Statements and unused indexes listed.
    pub top: u32,
    pub allow_privileged: bool,
}

/// `[queries.mongo.<name>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct MongoTargetSettings {
    pub name: String,
    /// `mongodb://` or `mongodb+srv://`, without the password; TLS is set
    /// in it (`tls=true`, `tlsCAFile=...`).
    pub uri: String,
    pub password: Secret,
    pub interval_secs: u32,
    pub secs_running: u32,
    pub profile_dbs: Vec<String>,
    pub profile_limit: u32,
    /// `maxTimeMS` on every command opsdeck sends.
    pub max_time_ms: u32,
    pub allow_privileged: bool,
}

/// `[queries.redis.<name>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct RedisTargetSettings {
    pub name: String,
    /// `redis://[user@]host:port/db` (or `rediss://` for TLS), without
    /// the password.
    pub url: String,
    pub password: Secret,
    /// The CA of a `rediss://` server, trusted instead of the system's.
    pub ca_file: Option<PathBuf>,
    pub interval_secs: u32,
    pub patterns: Vec<String>,
    /// Keys SCAN may examine per poll, over all patterns.
    pub scan_cap: u32,
    pub slowlog_len: u32,
    pub hit_rate_warn_pct: u32,
    pub timeout_ms: u32,
}
