//! One circuit breaker's state machine, following resilience4j's
//! `CircuitBreakerStateMachine`: which calls it permits, what it records,
//! when it changes state, and what the Micrometer meters count.

use std::fmt;
use std::time::Duration;

use super::call::Call;
use super::config::BreakerConfig;
use super::meters::Meters;
use super::metrics::{Metrics, Outcome, Verdict};

/// resilience4j's `CircuitBreaker.State`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Closed,
    Open,
    HalfOpen,
    ForcedOpen,
    Disabled,
    MetricsOnly,
}

impl State {
    /// In the order the exposition lists the state gauges.
    pub const ALL: [State; 6] = [
        State::Closed,
        State::Disabled,
        State::ForcedOpen,
        State::HalfOpen,
        State::MetricsOnly,
        State::Open,
    ];

    /// As actuator replies write it: `HALF_OPEN`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Closed => "CLOSED",
            Self::Open => "OPEN",
            Self::HalfOpen => "HALF_OPEN",
            Self::ForcedOpen => "FORCED_OPEN",
            Self::Disabled => "DISABLED",
            Self::MetricsOnly => "METRICS_ONLY",
        }
    }

    /// resilience4j's `allowPublish`: FORCED_OPEN and DISABLED publish no
    /// call events, so Micrometer's timers and not-permitted counter, fed
    /// by those events, do not move in them.
    fn publishes_events(self) -> bool {
        !matches!(self, Self::ForcedOpen | Self::Disabled)
    }

    /// resilience4j's `StateTransition` table: everything but these.
    fn can_become(self, to: State) -> bool {
        !matches!(
            (self, to),
            (Self::Closed, Self::HalfOpen) | (Self::MetricsOnly, Self::Open | Self::HalfOpen)
        )
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The state plus what only that state keeps.
#[derive(Debug, Clone, Copy)]
enum Phase {
    Closed,
    /// Calls are refused until the clock passes `retry_at`.
    Open {
        retry_at: Duration,
    },
    /// `permits` trial calls are left.
    HalfOpen {
        permits: u32,
    },
    ForcedOpen,
    Disabled,
    MetricsOnly,
}

#[derive(Debug, Clone)]
pub struct Breaker {
    name: String,
    config: BreakerConfig,
    phase: Phase,
    metrics: Metrics,
    meters: Meters,
    transitions: Vec<(State, State)>,
    /// Calls begun and not yet ended.
    in_flight: u32,
}

impl Breaker {
    pub fn new(name: &str, config: BreakerConfig) -> Self {
        config.validate(name);
        Self {
            name: name.to_owned(),
            metrics: Metrics::closed(&config),
            config,
            phase: Phase::Closed,
            meters: Meters::default(),
            transitions: Vec::new(),
            in_flight: 0,
        }
    }

    pub fn state(&self) -> State {
        match self.phase {
            Phase::Closed => State::Closed,
            Phase::Open { .. } => State::Open,
            Phase::HalfOpen { .. } => State::HalfOpen,
            Phase::ForcedOpen => State::ForcedOpen,
            Phase::Disabled => State::Disabled,
            Phase::MetricsOnly => State::MetricsOnly,
        }
    }

    pub fn config(&self) -> &BreakerConfig {
        &self.config
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn meters(&self) -> &Meters {
        &self.meters
    }

    /// State changes so far, oldest first; same-state ones publish no
    /// event in resilience4j and are left out.
    pub fn transitions(&self) -> &[(State, State)] {
        &self.transitions
    }

    /// Makes one call at `now`; false when the breaker refused it.
    pub fn call(&mut self, now: Duration, call: Call) -> bool {
        let permitted = self.begin(now);
        if permitted {
            self.end(now, call);
        }
        permitted
    }

    /// Asks permission for a call that will end later; false when refused.
    pub fn begin(&mut self, now: Duration) -> bool {
        let permitted = self.acquire_permission(now);
        if permitted {
            self.in_flight += 1;
        }
        permitted
    }

    /// Ends a call begun earlier, recording it in whatever state the
    /// breaker is in by now, as resilience4j does.
    pub fn end(&mut self, now: Duration, call: Call) {
        assert!(
            self.in_flight > 0,
            "breaker {}: a call ended that never began",
            self.name
        );
        self.in_flight -= 1;
        let threshold = self.config.slow_call_duration_threshold;
        let took = call.took(threshold);
        let publishes = self.state().publishes_events();
        if call == Call::Ignored {
            self.release_permission();
            if publishes {
                self.meters.ignored.record(took);
            }
            return;
        }
        let failed = call.failed();
        if publishes {
            let timer = if failed {
                &mut self.meters.failed
            } else {
                &mut self.meters.successful
            };
            timer.record(took);
        }
        let outcome = Outcome {
            failed,
            slow: took > threshold,
        };
        self.on_outcome(now, outcome);
    }

    /// The scheduled OPEN→HALF_OPEN transition, when it is due at `now`.
    pub fn tick(&mut self, now: Duration) {
        if let Phase::Open { retry_at } = self.phase
            && self
                .config
                .automatic_transition_from_open_to_half_open_enabled
            && now >= retry_at
        {
            self.transition(now, State::HalfOpen);
        }
    }

    /// resilience4j's `transitionTo…State`. Panics on a transition its
    /// table forbids (e.g. METRICS_ONLY→OPEN), as resilience4j throws.
    pub fn transition(&mut self, now: Duration, to: State) {
        let from = self.state();
        assert!(
            from.can_become(to),
            "CircuitBreaker '{}' tried an illegal state transition from {from} to {to}",
            self.name
        );
        self.phase = match to {
            State::Closed => Phase::Closed,
            State::Open => Phase::Open {
                retry_at: now + self.config.wait_duration_in_open_state,
            },
            State::HalfOpen => Phase::HalfOpen {
                permits: self.config.permitted_number_of_calls_in_half_open_state,
            },
            State::ForcedOpen => Phase::ForcedOpen,
            State::Disabled => Phase::Disabled,
            State::MetricsOnly => Phase::MetricsOnly,
        };
        // OPEN keeps the window that tripped it, so replies show why.
        self.metrics = match to {
            State::Open => self.metrics.clone(),
            State::Closed | State::MetricsOnly => Metrics::closed(&self.config),
            State::HalfOpen => Metrics::half_open(&self.config),
            State::ForcedOpen | State::Disabled => Metrics::empty(&self.config),
        };
        if from != to {
            self.transitions.push((from, to));
        }
    }

    fn acquire_permission(&mut self, now: Duration) -> bool {
        let permitted = match &mut self.phase {
            Phase::Closed | Phase::Disabled | Phase::MetricsOnly => true,
            Phase::Open { retry_at } if now > *retry_at => {
                // The first call after the wait is the first trial call.
                self.transition(now, State::HalfOpen);
                return self.acquire_permission(now);
            }
            Phase::Open { .. } | Phase::ForcedOpen => false,
            Phase::HalfOpen { permits } if *permits > 0 => {
                *permits -= 1;
                true
            }
            Phase::HalfOpen { .. } => false,
        };
        if !permitted {
            self.metrics.on_not_permitted();
            if self.state().publishes_events() {
                self.meters.not_permitted += 1;
            }
        }
        permitted
    }

    fn release_permission(&mut self) {
        if let Phase::HalfOpen { permits } = &mut self.phase {
            *permits += 1;
        }
    }

    fn on_outcome(&mut self, now: Duration, outcome: Outcome) {
        match self.phase {
            Phase::Closed => {
                if self.metrics.record(outcome) == Verdict::AboveThresholds {
                    self.transition(now, State::Open);
                }
            }
            Phase::HalfOpen { .. } => match self.metrics.record(outcome) {
                Verdict::AboveThresholds => self.transition(now, State::Open),
                Verdict::BelowThresholds => self.transition(now, State::Closed),
                Verdict::NotEnoughCalls => {}
            },
            // METRICS_ONLY records but never trips; OPEN records a call
            // that was permitted before it opened.
            Phase::MetricsOnly | Phase::Open { .. } => {
                self.metrics.record(outcome);
            }
            Phase::ForcedOpen | Phase::Disabled => {}
        }
    }
}
