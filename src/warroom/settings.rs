//! `[warroom]`: where the room lives and how strictly its lock is needed.

use crate::shared::secret::Secret;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarroomSettings {
    /// `redis://host:port/db` or `rediss://…`, without a password.
    pub redis_url: Option<String>,
    pub password: Secret,
    /// PEM CA for a `rediss://` server with a private CA.
    pub ca_file: Option<PathBuf>,
    /// The room joined at start (`--room` wins).
    pub room: Option<String>,
    /// Refuse an action whose room lock could not be taken (Redis down),
    /// instead of running it through the local chain alone.
    pub require_lock: bool,
    /// Messages the room keeps for late joiners (`XADD MAXLEN ~`).
    pub history: u32,
    /// For connecting and for each reply.
    pub timeout_ms: u32,
}

impl Default for WarroomSettings {
    fn default() -> Self {
        WarroomSettings {
            redis_url: None,
            password: Secret::None,
            ca_file: None,
            room: None,
            require_lock: false,
            history: 10_000,
            timeout_ms: 2_000,
        }
    }
}

impl WarroomSettings {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(u64::from(self.timeout_ms))
    }
}
