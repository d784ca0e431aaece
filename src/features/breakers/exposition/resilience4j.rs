//! Circuit-breaker figures from the `resilience4j_circuitbreaker_*` series
//! that resilience4j's Micrometer binding exports.

use std::collections::BTreeMap;

use super::Sample;
use crate::features::breakers::data::{BreakerState, Rate};

const PREFIX: &str = "resilience4j_circuitbreaker_";

/// Which breaker a figure belongs to: the exporting application
/// (Micrometer's common `application` tag, else a `service` label) and the
/// breaker's `name` label.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BreakerKey {
    pub application: Option<String>,
    pub name: String,
}

impl BreakerKey {
    fn of(sample: &Sample) -> Option<Self> {
        Some(Self {
            application: sample
                .label("application")
                .or_else(|| sample.label("service"))
                .map(str::to_owned),
            name: sample.label("name")?.to_owned(),
        })
    }
}

/// What one scrape says about one breaker; a figure is None or empty when
/// the scrape lacks its series. Maps are keyed by the `kind` label
/// (`successful`, `failed`, ...; empty when absent).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BreakerFigures {
    /// The state whose `state` gauge is 1; None when none or several are.
    pub state: Option<BreakerState>,
    /// Also None when the gauge is NaN: Micrometer reports NaN for a gauge
    /// whose breaker was garbage-collected.
    pub failure_rate: Option<Rate>,
    pub slow_call_rate: Option<Rate>,
    /// Calls since start, from the calls timer's (or histogram's) count.
    pub calls: BTreeMap<String, f64>,
    /// Calls in the sliding window.
    pub buffered_calls: BTreeMap<String, f64>,
    /// Slow calls in the sliding window.
    pub slow_calls: BTreeMap<String, f64>,
    /// Calls rejected while open, since start.
    pub not_permitted_calls: Option<f64>,
}

impl BreakerFigures {
    /// All calls in the sliding window, whatever their kind.
    pub fn buffered_total(&self) -> f64 {
        self.buffered_calls.values().sum()
    }
}

/// Groups the resilience4j circuit-breaker samples of a scrape by breaker.
/// Samples without a `name` label are not breaker figures and are skipped.
pub fn resilience4j_breakers(samples: &[Sample]) -> BTreeMap<BreakerKey, BreakerFigures> {
    let mut figures: BTreeMap<BreakerKey, BreakerFigures> = BTreeMap::new();
    let mut active_states: BTreeMap<BreakerKey, Vec<BreakerState>> = BTreeMap::new();
    for sample in samples {
        let Some(metric) = sample.name.strip_prefix(PREFIX) else {
            continue;
        };
        let Some(key) = BreakerKey::of(sample) else {
            continue;
        };
        if metric == "state"
            && let Some(state) = active_state(sample)
        {
            active_states.entry(key.clone()).or_default().push(state);
        }
        apply(figures.entry(key).or_default(), metric, sample);
    }
    for (key, states) in active_states {
        if let (Some(breaker), [state]) = (figures.get_mut(&key), states.as_slice()) {
            breaker.state = Some(state.clone());
        }
    }
    figures
}

/// The state a `state` gauge sample names, if that gauge is the active one.
fn active_state(sample: &Sample) -> Option<BreakerState> {
    // The gauge is exactly 1.0 for the current state and 0.0 for the others.
    (sample.value == 1.0)
        .then(|| sample.label("state").map(BreakerState::parse))
        .flatten()
}

fn apply(breaker: &mut BreakerFigures, metric: &str, sample: &Sample) {
    match metric {
        "failure_rate" => breaker.failure_rate = Rate::from_percent(sample.value),
        "slow_call_rate" => breaker.slow_call_rate = Rate::from_percent(sample.value),
        // Micrometer's timer, or resilience4j-prometheus's histogram.
        "calls_seconds_count" | "calls_count" => add_by_kind(&mut breaker.calls, sample),
        "buffered_calls" => add_by_kind(&mut breaker.buffered_calls, sample),
        "slow_calls" => add_by_kind(&mut breaker.slow_calls, sample),
        "not_permitted_calls_total" => {
            *breaker.not_permitted_calls.get_or_insert(0.0) += sample.value;
        }
        _ => {}
    }
}

fn add_by_kind(by_kind: &mut BTreeMap<String, f64>, sample: &Sample) {
    let kind = sample.label("kind").unwrap_or_default().to_owned();
    *by_kind.entry(kind).or_insert(0.0) += sample.value;
}
