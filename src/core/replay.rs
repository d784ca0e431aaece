//! The words of a replay: where the player is, and what the user asks of it.

use crate::core::sanitize::SafeText;
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
    /// The player went back (a seek backwards, or forwards to a checkpoint
    /// kept earlier): the app drops what it has, takes the state named
    /// here, and is replayed from there up to the seek's time.
    pub restart: Option<Restart>,
    /// Every record before frame N has been sent: the app keeps its model
    /// as checkpoint N, for a later seek to start from.
    #[serde(default)]
    pub checkpoint: Option<u64>,
    /// What the responder had on screen from here on (a recorded
    /// `Screen`), for the app to follow.
    #[serde(default)]
    pub screen: Option<Screen>,
    /// Set once the last record has played: where and why the recording
    /// ends.
    pub ended: Option<String>,
}

/// What the responder had on screen: the tab (by its name) and the
/// service every tab was scoped to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Screen {
    pub tab: String,
    pub service: Option<SafeText>,
}

/// Where a replay starts over from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Restart {
    /// The recording's start: a fresh model.
    Start,
    /// The model the app kept as this checkpoint.
    Checkpoint(u64),
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

/// Where `:record start` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordTo {
    /// The file the user named: never over anything there.
    File(PathBuf),
    /// The name opsdeck chose (`recording_path`): if two starts in the
    /// same second share it, the second gets `-2`.
    Default(PathBuf),
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
