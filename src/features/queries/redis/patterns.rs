//! How many keys match each pattern, counted with SCAN MATCH (never KEYS,
//! which blocks the server) and stopped at the target's cap.

use super::connection::RedisConnection;
use super::error::RedisError;
use std::collections::HashSet;

/// Keys asked for per SCAN call: few round trips, short server work.
const SCAN_BATCH: u64 = 1_000;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PatternCount {
    pub pattern: String,
    /// Distinct matching keys seen (SCAN may return a key twice).
    pub count: u64,
    /// The scan stopped at the cap: there are at least `count`.
    pub capped: bool,
}

impl PatternCount {
    /// `1234`, or `at least 1234` when capped.
    pub fn label(&self) -> String {
        if self.capped {
            format!("at least {}", self.count)
        } else {
            self.count.to_string()
        }
    }
}

/// The share of the per-poll cap each pattern may examine.
pub fn budget_per_pattern(cap: u64, patterns: usize) -> u64 {
    let patterns = u64::try_from(patterns.max(1)).unwrap_or(u64::MAX);
    (cap / patterns).max(1)
}

/// The COUNT hint for the next SCAN call. Redis examines about COUNT keys
/// per call, matching or not, so the hints add up to the keys examined.
fn next_hint(examined: u64, budget: u64) -> u64 {
    budget.saturating_sub(examined).clamp(1, SCAN_BATCH)
}

impl RedisConnection {
    /// Counts the target's patterns, each within its share of the cap.
    pub async fn pattern_counts(&mut self) -> Result<Vec<PatternCount>, RedisError> {
        let patterns = self.target().patterns.clone();
        let budget = budget_per_pattern(self.target().scan_cap, patterns.len());
        let mut counts = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            counts.push(self.count_keys(&pattern, budget).await?);
        }
        Ok(counts)
    }

    /// Counts keys matching `pattern`, examining about `budget` keys at
    /// most.
    pub async fn count_keys(
        &mut self,
        pattern: &str,
        budget: u64,
    ) -> Result<PatternCount, RedisError> {
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        let mut cursor: u64 = 0;
        let mut examined: u64 = 0;
        loop {
            let hint = next_hint(examined, budget);
            let mut cmd = ::redis::cmd("SCAN");
            cmd.arg(cursor)
                .arg("MATCH")
                .arg(pattern)
                .arg("COUNT")
                .arg(hint);
            let (next, keys): (u64, Vec<Vec<u8>>) = self.run("scan", &cmd).await?;
            seen.extend(keys);
            examined += hint;
            cursor = next;
            let done = cursor == 0;
            if done || examined >= budget {
                return Ok(PatternCount {
                    pattern: pattern.to_string(),
                    count: u64::try_from(seen.len()).unwrap_or(u64::MAX),
                    capped: !done,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_shared_between_patterns() {
        assert_eq!(budget_per_pattern(10_000, 1), 10_000);
        assert_eq!(budget_per_pattern(10_000, 3), 3_333);
        assert_eq!(budget_per_pattern(10_000, 0), 10_000);
        assert_eq!(budget_per_pattern(1, 5), 1);
    }

    #[test]
    fn hints_never_overshoot_the_budget() {
        assert_eq!(next_hint(0, 10_000), 1_000);
        assert_eq!(next_hint(9_500, 10_000), 500);
        assert_eq!(next_hint(0, 100), 100);
        assert_eq!(next_hint(100, 100), 1);
    }

    #[test]
    fn capped_counts_say_at_least() {
        let mut c = PatternCount {
            pattern: "ratelimit:*".into(),
            count: 812,
            capped: true,
        };
        assert_eq!(c.label(), "at least 812");
        c.capped = false;
        assert_eq!(c.label(), "812");
    }
}
