//! What the test application is configured with: its breakers (as
//! `resilience4j.circuitbreaker.instances.*` would set them) and the
//! actuator settings that change replies.

use std::time::Duration;

/// One breaker's settings. Thresholds, slow-call duration and wait are
/// resilience4j's defaults; the window (10), minimum calls (5) and
/// half-open calls (3) are smaller than resilience4j's (100, 100, 10) so
/// tests trip breakers in a few calls, and the automatic OPEN→HALF_OPEN
/// transition is on (resilience4j: off).
#[derive(Debug, Clone, PartialEq)]
pub struct BreakerConfig {
    /// Percent; at or above it the breaker opens.
    pub failure_rate_threshold: f32,
    /// Percent of slow calls; at or above it the breaker opens.
    pub slow_call_rate_threshold: f32,
    /// A call that takes longer than this is slow.
    pub slow_call_duration_threshold: Duration,
    /// COUNT_BASED: the last this-many calls make the rates.
    pub sliding_window_size: usize,
    /// Rates read -1 (`"-1.0%"`) until the window holds this many calls.
    pub minimum_number_of_calls: usize,
    pub permitted_number_of_calls_in_half_open_state: u32,
    pub wait_duration_in_open_state: Duration,
    /// On: OPEN becomes HALF_OPEN as soon as `advance` passes the wait.
    /// Off: only a call made after the wait moves it, as resilience4j does
    /// without its scheduler.
    pub automatic_transition_from_open_to_half_open_enabled: bool,
    /// Listed in `/actuator/health` (resilience4j's default is off).
    pub register_health_indicator: bool,
    /// OPEN reports `DOWN` in health instead of `CIRCUIT_OPEN`.
    pub allow_health_indicator_to_fail: bool,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failure_rate_threshold: 50.0,
            slow_call_rate_threshold: 100.0,
            slow_call_duration_threshold: Duration::from_secs(60),
            sliding_window_size: 10,
            minimum_number_of_calls: 5,
            permitted_number_of_calls_in_half_open_state: 3,
            wait_duration_in_open_state: Duration::from_secs(60),
            automatic_transition_from_open_to_half_open_enabled: true,
            register_health_indicator: true,
            allow_health_indicator_to_fail: false,
        }
    }
}

impl BreakerConfig {
    /// Refuses what resilience4j's config builder refuses, so a test cannot
    /// rely on a breaker no real application could have.
    pub fn validate(&self, name: &str) {
        let percent = 0.0..=100.0;
        let checks = [
            (
                self.failure_rate_threshold > 0.0 && percent.contains(&self.failure_rate_threshold),
                "failureRateThreshold must be in (0, 100]",
            ),
            (
                self.slow_call_rate_threshold > 0.0
                    && percent.contains(&self.slow_call_rate_threshold),
                "slowCallRateThreshold must be in (0, 100]",
            ),
            (
                self.sliding_window_size >= 1,
                "slidingWindowSize must be at least 1",
            ),
            (
                self.minimum_number_of_calls >= 1,
                "minimumNumberOfCalls must be at least 1",
            ),
            (
                self.permitted_number_of_calls_in_half_open_state >= 1,
                "permittedNumberOfCallsInHalfOpenState must be at least 1",
            ),
            (
                self.wait_duration_in_open_state >= Duration::from_millis(1),
                "waitDurationInOpenState must be at least 1 ms",
            ),
        ];
        for (ok, rule) in checks {
            assert!(ok, "breaker {name}: {rule}");
        }
    }
}

/// The application behind the actuator.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Micrometer's common `application` tag; None leaves it off.
    pub application: Option<String>,
    /// Breakers in registration order; names must differ.
    pub breakers: Vec<(String, BreakerConfig)>,
    /// resilience4j's POST handler calls `registry.circuitBreaker(name)`,
    /// which creates an unknown breaker with the default config and answers
    /// 200. Off (the default) answers Spring's 404 instead.
    pub create_unknown_breakers: bool,
    /// `management.endpoint.health.status.order`; Spring's default.
    pub status_order: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self::new("payment-service")
    }
}

impl Config {
    /// An application named `application` with no breakers yet.
    pub fn new(application: &str) -> Self {
        Self {
            application: Some(application.to_owned()),
            breakers: Vec::new(),
            create_unknown_breakers: false,
            status_order: ["DOWN", "OUT_OF_SERVICE", "UP", "UNKNOWN"]
                .map(str::to_owned)
                .to_vec(),
        }
    }

    /// Adds a breaker.
    pub fn breaker(mut self, name: &str, config: BreakerConfig) -> Self {
        self.breakers.push((name.to_owned(), config));
        self
    }
}
