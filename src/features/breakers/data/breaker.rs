//! One circuit breaker's state and figures, whichever endpoint told them.

use serde::Deserialize;
use serde_json::Value;

use super::{ActuatorError, decode};
use crate::shared::body_preview::one_line;

/// How much of a breaker name or bad value an error message quotes.
const NAME_CHARS: usize = 80;

/// A resilience4j circuit-breaker state. `Unknown` keeps a state a newer
/// resilience4j may add, so the UI can still show it.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
    ForcedOpen,
    Disabled,
    MetricsOnly,
    Unknown(String),
}

impl BreakerState {
    /// Reads `HALF_OPEN` (actuator) as well as `half_open` (metrics labels).
    pub fn parse(text: &str) -> Self {
        match text.to_ascii_uppercase().as_str() {
            "CLOSED" => Self::Closed,
            "OPEN" => Self::Open,
            "HALF_OPEN" => Self::HalfOpen,
            "FORCED_OPEN" => Self::ForcedOpen,
            "DISABLED" => Self::Disabled,
            "METRICS_ONLY" => Self::MetricsOnly,
            _ => Self::Unknown(text.to_owned()),
        }
    }

    /// The name as resilience4j writes it in actuator replies.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Closed => "CLOSED",
            Self::Open => "OPEN",
            Self::HalfOpen => "HALF_OPEN",
            Self::ForcedOpen => "FORCED_OPEN",
            Self::Disabled => "DISABLED",
            Self::MetricsOnly => "METRICS_ONLY",
            Self::Unknown(text) => text,
        }
    }
}

/// A failure or slow-call rate. resilience4j reports -1 until the sliding
/// window holds `minimumNumberOfCalls`: that is `NotEnoughCalls`, not a rate.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Rate {
    NotEnoughCalls,
    /// Percent, 0 to 100.
    Percent(f64),
}

impl Rate {
    /// Reads a percentage number: -1 is `NotEnoughCalls`; None for anything
    /// outside 0..=100 (NaN included).
    pub fn from_percent(value: f64) -> Option<Self> {
        if value == -1.0 {
            Some(Self::NotEnoughCalls)
        } else if (0.0..=100.0).contains(&value) {
            Some(Self::Percent(value))
        } else {
            None
        }
    }

    pub fn percent(self) -> Option<f64> {
        match self {
            Self::NotEnoughCalls => None,
            Self::Percent(value) => Some(value),
        }
    }
}

/// A circuit breaker as the breakers pane shows it, from
/// `/actuator/circuitbreakers` or `/actuator/health`. Rates and thresholds
/// are percent; calls are counts in the current sliding window, except
/// `not_permitted_calls`, which counts since start.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakerSnapshot {
    pub name: String,
    pub state: BreakerState,
    pub failure_rate: Rate,
    pub failure_rate_threshold: f64,
    pub slow_call_rate: Rate,
    pub slow_call_rate_threshold: f64,
    pub buffered_calls: u64,
    pub failed_calls: u64,
    pub slow_calls: u64,
    pub slow_failed_calls: u64,
    pub not_permitted_calls: u64,
    /// The health indicator's status (`CIRCUIT_OPEN`, `UP`, ...), only when
    /// read from `/actuator/health`.
    pub health_status: Option<String>,
}

impl BreakerSnapshot {
    pub(super) fn from_details(
        name: &str,
        details: &Value,
        health_status: Option<&str>,
    ) -> Result<Self, ActuatorError> {
        let raw: RawDetails = decode(details, &format!("breaker {name}"))?;
        let rate = |field: &'static str, raw: &RawPercent| {
            raw.number()
                .and_then(Rate::from_percent)
                .ok_or_else(|| bad_rate(name, field, raw))
        };
        let threshold = |field: &'static str, raw: &RawPercent| {
            raw.number()
                .filter(|value| (0.0..=100.0).contains(value))
                .ok_or_else(|| bad_rate(name, field, raw))
        };
        Ok(Self {
            name: name.to_owned(),
            state: BreakerState::parse(&raw.state),
            failure_rate: rate("failureRate", &raw.failure_rate)?,
            failure_rate_threshold: threshold("failureRateThreshold", &raw.failure_rate_threshold)?,
            slow_call_rate: rate("slowCallRate", &raw.slow_call_rate)?,
            slow_call_rate_threshold: threshold(
                "slowCallRateThreshold",
                &raw.slow_call_rate_threshold,
            )?,
            buffered_calls: raw.buffered_calls,
            failed_calls: raw.failed_calls,
            slow_calls: raw.slow_calls,
            slow_failed_calls: raw.slow_failed_calls,
            not_permitted_calls: raw.not_permitted_calls,
            health_status: health_status.map(str::to_owned),
        })
    }
}

/// The field names both endpoints share.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDetails {
    failure_rate: RawPercent,
    failure_rate_threshold: RawPercent,
    slow_call_rate: RawPercent,
    slow_call_rate_threshold: RawPercent,
    buffered_calls: u64,
    failed_calls: u64,
    slow_calls: u64,
    slow_failed_calls: u64,
    not_permitted_calls: u64,
    state: String,
}

/// resilience4j writes rates as `"62.5%"`; a bare number is accepted too.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawPercent {
    Text(String),
    Number(f64),
}

impl RawPercent {
    fn number(&self) -> Option<f64> {
        match self {
            Self::Text(text) => {
                let text = text.trim();
                text.strip_suffix('%')
                    .unwrap_or(text)
                    .trim_end()
                    .parse()
                    .ok()
            }
            Self::Number(value) => Some(*value),
        }
    }

    fn text(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Number(value) => value.to_string(),
        }
    }
}

fn bad_rate(breaker: &str, field: &'static str, raw: &RawPercent) -> ActuatorError {
    ActuatorError::BadRate {
        breaker: one_line(breaker, NAME_CHARS),
        field,
        raw: one_line(&raw.text(), NAME_CHARS),
    }
}
