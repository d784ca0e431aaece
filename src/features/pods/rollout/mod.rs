//! A deployment's rollout: its revisions (ReplicaSets), the pods of each,
//! and how far the current one has got.

pub mod compare;
pub mod draw;
pub mod history;
pub mod state;
pub mod verdict;
