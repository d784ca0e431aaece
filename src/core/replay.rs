//! The words of a replay: where the player is, and what the user asks of it.

use chrono::{DateTime, Utc};

/// The slowest and fastest a replay plays.
pub const SPEEDS: (f64, f64) = (0.25, 64.0);

/// The player's state, sent in order with the updates it replays (at
/// least once a second), so the app's clock is the recording's.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReplayMark {
    /// The recorded wall-clock time the replay is at.
    pub at: DateTime<Utc>,
    pub speed: f64,
    pub paused: bool,
    /// The player went back to the start (a seek backwards): the app drops
    /// what it has and is replayed up to the seek's time.
    pub restart: bool,
    /// Set once the last record has played: where and why the recording
    /// ends.
    pub ended: Option<String>,
}

/// What the user asks the player to do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReplayControl {
    TogglePause,
    Speed(f64),
    Seek(DateTime<Utc>),
}
