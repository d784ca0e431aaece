//! Committed offsets over the Kafka protocol itself (`kafka-protocol`'s
//! messages on a tokio TCP stream), for clusters reached in plain text:
//! many groups per request on a few kept connections, where librdkafka
//! needs a client (and its threads) per group.

mod committed;
mod conn;
mod frame;
mod shape;
mod versions;

pub use committed::{Committed, CommittedReader, GroupOffsets, Topics};
pub use frame::{MAX_FRAME, WireError};
