//! What one MongoDB target is: where it is, how to log in, what to watch.

use std::fmt;
use std::time::Duration;

/// Ops running at least this long are shown, unless the target says otherwise.
pub const DEFAULT_SECS_RUNNING: u32 = 5;
/// Profiler entries shown per database.
pub const DEFAULT_PROFILE_LIMIT: i64 = 20;

#[derive(Clone)]
pub struct MongoTarget {
    /// The name errors and the UI use for this target.
    pub name: String,
    /// A `mongodb://` or `mongodb+srv://` URI without the password.
    pub uri: String,
    /// Resolved by the caller (e.g. from an environment variable); used
    /// with the user named in `uri`.
    pub password: Option<String>,
    /// Only ops running at least this many seconds are listed.
    pub secs_running: u32,
    /// Databases whose `system.profile` is read for slow operations.
    pub profile_dbs: Vec<String>,
    pub profile_limit: i64,
    pub poll_interval: Duration,
    /// Bounds server selection and the TCP/TLS connect, so an unreachable
    /// target fails fast instead of after the driver's 30 s default.
    pub connect_timeout: Duration,
    /// Sent as `maxTimeMS` on every command so opsdeck never becomes the
    /// slow op it is looking for.
    pub max_time: Duration,
}

impl MongoTarget {
    pub fn new(name: impl Into<String>, uri: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            uri: uri.into(),
            password: None,
            secs_running: DEFAULT_SECS_RUNNING,
            profile_dbs: Vec::new(),
            profile_limit: DEFAULT_PROFILE_LIMIT,
            poll_interval: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(3),
            max_time: Duration::from_secs(2),
        }
    }
}

/// Hand-written so the password never reaches a log line through `{:?}`.
impl fmt::Debug for MongoTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MongoTarget")
            .field("name", &self.name)
            .field("uri", &crate::core::redact::redact(&self.uri))
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("secs_running", &self.secs_running)
            .field("profile_dbs", &self.profile_dbs)
            .field("profile_limit", &self.profile_limit)
            .field("poll_interval", &self.poll_interval)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_time", &self.max_time)
            .finish()
    }
}
