//! The words of a replay: where the player is, and what the user asks of it.

use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

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
    /// To the next (`true`) or previous Timeline entry of the recording.
    TimelineEntry(bool),
}

/// Where a recording goes when the user names no file: the state
/// directory, named by its start time and context.
pub fn recording_path(state_dir: &Path, started: DateTime<Utc>, context: &str) -> PathBuf {
    let context: String = context
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    state_dir.join("recordings").join(format!(
        "{}-{context}.odr",
        started.format("%Y%m%dT%H%M%SZ")
    ))
}
