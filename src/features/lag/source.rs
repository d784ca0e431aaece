//! The Kafka source: consumer groups, their committed offsets and the log
//! watermarks, read with librdkafka. Every librdkafka call blocks, so each
//! public function runs its calls on tokio's blocking pool, each call
//! bounded by the cluster's timeout. A cluster's poller keeps its clients
//! between polls (`pool`); for a plain-text cluster it reads all groups'
//! committed offsets over the protocol itself (`wire`) instead of through a
//! librdkafka client per group. Results are the lag model's plain data.

mod assignment;
mod backoff;
pub mod client;
pub mod config;
pub mod error;
pub mod groups;
pub mod offsets;
pub mod poll;
pub mod pool;
pub mod probe;
mod round;
pub mod topics;
pub mod wire;

pub use assignment::decode_assignment;
pub use config::{ClusterConfig, DEFAULT_TIMEOUT, is_secret_key};
pub use error::{ErrorKind, SourceError};
pub use groups::{describe_group, list_groups};
pub use offsets::{WatchTopics, group_snapshot};
pub use probe::{ProbeReport, probe};
pub use topics::dead_letter_sizes;
