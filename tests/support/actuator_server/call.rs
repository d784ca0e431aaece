//! The calls a test makes through a breaker, and how long each takes.

use std::time::Duration;

/// A call made through the breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// Succeeded quickly.
    Success,
    /// Failed quickly (a recorded exception).
    Failure,
    /// Succeeded after more than the slow-call threshold.
    Slow,
    /// Failed after more than the slow-call threshold.
    SlowFailure,
    /// Failed with an ignored exception: the permission is given back and
    /// only the `ignored` timer counts it.
    Ignored,
    /// Took `took`; slow when that is above the threshold.
    Timed { took: Duration, failed: bool },
}

/// How long a quick call takes, unless the slow-call threshold is lower.
const QUICK_CALL: Duration = Duration::from_millis(20);
/// How much longer than the threshold a slow call takes.
const SLOW_EXTRA: Duration = Duration::from_secs(1);

impl Call {
    pub fn took(self, slow_threshold: Duration) -> Duration {
        match self {
            Self::Success | Self::Failure | Self::Ignored => QUICK_CALL.min(slow_threshold),
            Self::Slow | Self::SlowFailure => slow_threshold + SLOW_EXTRA,
            Self::Timed { took, .. } => took,
        }
    }

    pub fn failed(self) -> bool {
        match self {
            Self::Failure | Self::SlowFailure | Self::Ignored => true,
            Self::Success | Self::Slow => false,
            Self::Timed { failed, .. } => failed,
        }
    }
}
