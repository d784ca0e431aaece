//! One poll of a Redis target: INFO with rates against the previous poll,
//! memory against the limit, SLOWLOG and the pattern counts.

use super::connection::RedisConnection;
use super::error::RedisError;
use super::info::InfoSample;
use super::memory::{MemoryUse, memory_use};
use super::patterns::PatternCount;
use super::rates::{Rates, rates};
use super::slowlog::SlowEntry;

#[derive(Debug, Clone, PartialEq)]
pub struct RedisSnapshot {
    pub sample: InfoSample,
    /// Over the window since `previous`; None on the first poll.
    pub rates: Option<Rates>,
    pub memory: Option<MemoryUse>,
    pub slowlog: Vec<SlowEntry>,
    pub patterns: Vec<PatternCount>,
}

impl RedisConnection {
    /// Reads everything the Redis view shows. Keep `snapshot.sample` and
    /// pass it as `previous` next time.
    pub async fn poll(
        &mut self,
        previous: Option<&InfoSample>,
    ) -> Result<RedisSnapshot, RedisError> {
        let sample = self.info().await?;
        let slowlog = self.slowlog().await?;
        let patterns = self.pattern_counts().await?;
        Ok(RedisSnapshot {
            rates: previous.and_then(|p| rates(p, &sample)),
            memory: memory_use(&sample.info),
            sample,
            slowlog,
            patterns,
        })
    }
}
