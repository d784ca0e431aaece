//! Pods: pods and deployments from the Kubernetes API (watched, never
//! polled), metrics, Warning events; guarded scale, rollout restart and
//! delete.

pub mod actions;
pub mod clean;
pub mod draw;
pub mod feature;
pub mod model;
pub mod peaks;
pub mod rollout;
pub mod settings;
pub mod source;
pub mod summary;
pub mod tally;
pub mod view;
