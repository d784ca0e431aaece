//! The Redis source: one reusable connection per target and the reads
//! behind the Redis view as plain structs: INFO fields, hit rate and
//! per-second rates over the window between two polls, memory against
//! `maxmemory`, SLOWLOG, key counts per pattern (SCAN, capped); the probe
//! for `opsdeck check`.
//!
//! `redis://` is plain TCP; `rediss://` is TLS that always verifies the
//! server's certificate and name, against the system's trusted roots or
//! the target's own CA file.

mod connection;
mod error;
mod info;
mod memory;
mod patterns;
mod poll;
mod probe;
mod rates;
mod slowlog;
mod target;

pub use connection::{CLIENT_NAME, RedisConnection};
pub use error::{RedisError, RedisErrorKind};
pub use info::{Info, InfoSample, parse_info};
pub use memory::{MemoryUse, memory_use};
pub use patterns::{PatternCount, budget_per_pattern};
pub use poll::RedisSnapshot;
pub use probe::{ProbeCheck, RedisProbe, hello_version, probe};
pub use rates::{Rates, rates};
pub use slowlog::{SlowEntry, parse_slowlog};
pub use target::{
    DEFAULT_PATTERN, DEFAULT_SCAN_CAP, DEFAULT_SLOWLOG_LEN, DEFAULT_TIMEOUT, RedisTarget,
};
