//! The Micrometer meters resilience4j's binding feeds from call events.

use std::time::Duration;

/// A Micrometer timer: how many calls and how long they took in all.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timer {
    pub count: u64,
    pub total: Duration,
}

impl Timer {
    pub fn record(&mut self, took: Duration) {
        self.count += 1;
        self.total += took;
    }
}

/// The meters resilience4j's Micrometer binding feeds from call events:
/// counted since start, never reset by a state change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meters {
    pub successful: Timer,
    pub failed: Timer,
    pub ignored: Timer,
    pub not_permitted: u64,
}
