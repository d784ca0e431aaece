//! A replay's checkpoints: copies of the model at points the player named,
//! so a seek starts from the nearest one instead of the recording's start.

use super::Model;
use std::collections::BTreeMap;

/// Models kept during a replay, by the frame the player resumes from.
#[derive(Debug, Default)]
pub struct Checkpoints {
    kept: BTreeMap<u64, Model>,
}

impl Checkpoints {
    /// Keeps a copy of `model` as the state before frame `frame`.
    pub fn keep(&mut self, frame: u64, model: &Model) {
        self.kept.insert(frame, model.clone());
    }

    /// A copy of the state before frame `frame`, if it was kept.
    pub fn restore(&self, frame: u64) -> Option<Model> {
        self.kept.get(&frame).cloned()
    }

    pub fn len(&self) -> usize {
        self.kept.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }
}
