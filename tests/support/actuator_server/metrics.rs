//! resilience4j's per-state breaker metrics: a COUNT_BASED sliding window
//! of call outcomes, the rates it gives, and the not-permitted count.
//! Each state change that makes a new state object makes new metrics,
//! except CLOSED/HALF_OPEN→OPEN, which keeps them.

use std::collections::VecDeque;

use super::config::BreakerConfig;

/// How one recorded call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub failed: bool,
    pub slow: bool,
}

/// What the window says after a call, as resilience4j's `Result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    NotEnoughCalls,
    BelowThresholds,
    AboveThresholds,
}

#[derive(Debug, Clone)]
pub struct Metrics {
    size: usize,
    minimum_calls: usize,
    failure_rate_threshold: f32,
    slow_call_rate_threshold: f32,
    outcomes: VecDeque<Outcome>,
    not_permitted: u64,
}

impl Metrics {
    /// CLOSED and METRICS_ONLY: the configured window.
    pub fn closed(config: &BreakerConfig) -> Self {
        Self::sized(config.sliding_window_size, config)
    }

    /// HALF_OPEN: a window as large as the permitted calls.
    pub fn half_open(config: &BreakerConfig) -> Self {
        let size = usize::try_from(config.permitted_number_of_calls_in_half_open_state)
            .expect("a u32 fits in usize");
        Self::sized(size, config)
    }

    /// FORCED_OPEN and DISABLED record nothing: an empty window.
    pub fn empty(config: &BreakerConfig) -> Self {
        Self::sized(0, config)
    }

    fn sized(size: usize, config: &BreakerConfig) -> Self {
        Self {
            size,
            // A window smaller than the minimum would never give a rate.
            minimum_calls: config.minimum_number_of_calls.min(size),
            failure_rate_threshold: config.failure_rate_threshold,
            slow_call_rate_threshold: config.slow_call_rate_threshold,
            outcomes: VecDeque::with_capacity(size),
            not_permitted: 0,
        }
    }

    /// Adds a call, dropping the oldest from a full window.
    pub fn record(&mut self, outcome: Outcome) -> Verdict {
        if self.size == 0 {
            return self.verdict();
        }
        if self.outcomes.len() == self.size {
            self.outcomes.pop_front();
        }
        self.outcomes.push_back(outcome);
        self.verdict()
    }

    /// Either rate at or above its threshold trips the breaker.
    pub fn verdict(&self) -> Verdict {
        let (failure, slow) = (self.failure_rate(), self.slow_call_rate());
        if failure == -1.0 || slow == -1.0 {
            Verdict::NotEnoughCalls
        } else if failure >= self.failure_rate_threshold || slow >= self.slow_call_rate_threshold {
            Verdict::AboveThresholds
        } else {
            Verdict::BelowThresholds
        }
    }

    pub fn on_not_permitted(&mut self) {
        self.not_permitted += 1;
    }

    /// Percent of failed calls, or -1 below the minimum number of calls.
    pub fn failure_rate(&self) -> f32 {
        self.rate(self.failed())
    }

    /// Percent of slow calls, or -1 below the minimum number of calls.
    pub fn slow_call_rate(&self) -> f32 {
        self.rate(self.slow())
    }

    /// resilience4j computes in `float`: `count * 100.0f / total`.
    fn rate(&self, count: u32) -> f32 {
        let total = self.buffered();
        if total == 0 || self.outcomes.len() < self.minimum_calls {
            return -1.0;
        }
        count as f32 * 100.0 / total as f32
    }

    pub fn buffered(&self) -> u32 {
        self.count(|_| true)
    }

    pub fn failed(&self) -> u32 {
        self.count(|o| o.failed)
    }

    pub fn successful(&self) -> u32 {
        self.count(|o| !o.failed)
    }

    pub fn slow(&self) -> u32 {
        self.count(|o| o.slow)
    }

    pub fn slow_failed(&self) -> u32 {
        self.count(|o| o.slow && o.failed)
    }

    pub fn slow_successful(&self) -> u32 {
        self.count(|o| o.slow && !o.failed)
    }

    pub fn not_permitted(&self) -> u64 {
        self.not_permitted
    }

    fn count(&self, keep: impl Fn(&Outcome) -> bool) -> u32 {
        let count = self.outcomes.iter().filter(|o| keep(o)).count();
        u32::try_from(count).expect("a window holds fewer than 2^32 calls")
    }
}
