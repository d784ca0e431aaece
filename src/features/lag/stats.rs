//! Consumer-group lag as plain data: what one poll saw (`snapshot`), a
//! bounded history per group, and the numbers an on-call engineer reads off
//! it (lag, rates, time to drain, thresholds, rebalances, dead letters).
//! Nothing here does I/O; every function is tested on hand-made samples.

pub mod backlog;
pub mod dlq;
pub mod history;
pub mod rates;
pub mod rebalance;
pub mod snapshot;
pub mod sparkline;
pub mod steps;
pub mod thresholds;
pub mod trend;

#[cfg(test)]
pub(crate) mod samples;

pub use backlog::{GroupLag, PartitionLag, group_lag, partition_lag, total_lag};
pub use history::{GroupHistory, HistorySettings};
pub use rates::{Rate, Rates};
pub use snapshot::{
    GroupDescription, GroupSnapshot, GroupState, Member, PartitionOffsets, TopicPartition,
};
pub use thresholds::{AlertKind, Alerts, Crossing, Edge, Level, Thresholds, crossings};
pub use trend::Trend;
