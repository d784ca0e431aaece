//! Lag: Kafka consumer groups, per-partition lag, trend and time to drain,
//! rebalances, dead letters; the guarded offset reset.

pub mod actions;
pub mod clean;
pub mod draw;
pub mod feature;
pub mod model;
pub mod peaks;
pub mod settings;
pub mod source;
pub mod stats;
pub mod summary;
pub mod view;
