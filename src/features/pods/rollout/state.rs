//! A deployment's rollout in a word: complete, progressing, stalled or
//! paused, from its status and Progressing condition.

use crate::features::pods::model::Deployment;

/// What the ROLLOUT column says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutState {
    Complete,
    Progressing,
    /// ProgressDeadlineExceeded.
    Stalled,
    Paused,
}

impl RolloutState {
    pub fn of(d: &Deployment) -> RolloutState {
        if d.paused {
            return RolloutState::Paused;
        }
        if d.stuck.is_some() || d.progressing.as_deref() == Some("ProgressDeadlineExceeded") {
            return RolloutState::Stalled;
        }
        let behind = d.ready < d.replicas || d.updated < d.replicas || d.available < d.replicas;
        if behind || d.progressing.as_deref() == Some("ReplicaSetUpdated") {
            return RolloutState::Progressing;
        }
        RolloutState::Complete
    }

    pub fn word(self) -> &'static str {
        match self {
            RolloutState::Complete => "complete",
            RolloutState::Progressing => "progressing",
            RolloutState::Stalled => "stalled",
            RolloutState::Paused => "paused",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_from_the_status() {
        let d = |ready: u32, reason: &str, paused: bool| Deployment {
            replicas: 3,
            ready,
            updated: 3,
            available: ready,
            progressing: Some(reason.into()),
            paused,
            ..Deployment::default()
        };
        assert_eq!(
            RolloutState::of(&d(3, "NewReplicaSetAvailable", false)),
            RolloutState::Complete
        );
        assert_eq!(
            RolloutState::of(&d(3, "ReplicaSetUpdated", false)),
            RolloutState::Progressing
        );
        assert_eq!(
            RolloutState::of(&d(1, "NewReplicaSetAvailable", false)),
            RolloutState::Progressing
        );
        assert_eq!(
            RolloutState::of(&d(1, "ProgressDeadlineExceeded", false)),
            RolloutState::Stalled
        );
        assert_eq!(
            RolloutState::of(&d(1, "ProgressDeadlineExceeded", true)),
            RolloutState::Paused
        );
    }
}
