//! Spring Boot actuator replies about resilience4j circuit breakers:
//! `GET /actuator/circuitbreakers`, the breakers inside `GET
//! /actuator/health`, and the `POST /actuator/circuitbreakers/{name}` state
//! change. Both read endpoints become the same `BreakerSnapshot`.

mod breaker;
#[cfg(test)]
mod tests;
mod update;

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::shared::body_preview::{body_preview, one_line};

pub use breaker::{BreakerSnapshot, BreakerState, Rate};
pub use update::{
    UpdateState, UpdateStateReply, resulting_state, update_state_body, update_state_path,
};

/// How much of a decoder's message an error keeps: serde may quote the body.
const REASON_CHARS: usize = 200;

/// Why an actuator reply could not be used.
#[derive(Debug, Clone, PartialEq)]
pub enum ActuatorError {
    /// The body is not JSON (an HTML login or proxy page, a truncated
    /// body...). `preview` is a short, printable prefix of it.
    NotJson { reason: String, preview: String },
    /// JSON, but not the shape this endpoint documents.
    UnexpectedShape { reason: String },
    /// Spring's own error body, e.g. a 404 for an unknown breaker name.
    Spring {
        status: u16,
        error: String,
        message: Option<String>,
        path: Option<String>,
    },
    /// `/actuator/health` shows no breaker details: details are hidden
    /// (`show-details`) or the circuit-breaker health indicator is off.
    NoBreakerDetails,
    /// `/actuator/circuitbreakers` listed names only (resilience4j 1.x);
    /// the figures must come from `/actuator/health` or the metrics.
    NamesOnly { names: Vec<String> },
    /// A rate or threshold that is not a percentage.
    BadRate {
        breaker: String,
        field: &'static str,
        raw: String,
    },
}

impl fmt::Display for ActuatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson { reason, preview } if preview.is_empty() => {
                write!(f, "actuator reply is not JSON ({reason}): empty body")
            }
            Self::NotJson { reason, preview } => {
                write!(
                    f,
                    "actuator reply is not JSON ({reason}); body starts: {preview}"
                )
            }
            Self::UnexpectedShape { reason } => write!(f, "unexpected actuator reply: {reason}"),
            Self::Spring {
                status,
                error,
                message,
                ..
            } => match message {
                Some(message) => write!(f, "actuator error {status} {error}: {message}"),
                None => write!(f, "actuator error {status} {error}"),
            },
            Self::NoBreakerDetails => f.write_str(
                "health reply has no circuit-breaker details \
                 (details hidden, or the circuitbreakers health indicator is off)",
            ),
            Self::NamesOnly { names } => write!(
                f,
                "actuator lists {} circuit breaker names but no figures",
                names.len()
            ),
            Self::BadRate {
                breaker,
                field,
                raw,
            } => write!(f, "breaker {breaker}: {field} {raw:?} is not a percentage"),
        }
    }
}

impl std::error::Error for ActuatorError {}

/// Parses `GET /actuator/circuitbreakers`; breakers come sorted by name.
pub fn parse_circuit_breakers(body: &[u8]) -> Result<Vec<BreakerSnapshot>, ActuatorError> {
    let reply = read_json(body)?;
    match reply.get("circuitBreakers") {
        Some(Value::Object(breakers)) => {
            let snapshots = breakers
                .iter()
                .map(|(name, details)| BreakerSnapshot::from_details(name, details, None))
                .collect::<Result<_, _>>()?;
            Ok(sorted(snapshots))
        }
        Some(Value::Array(names)) => Err(ActuatorError::NamesOnly {
            names: names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        }),
        _ => Err(shape("no \"circuitBreakers\" object")),
    }
}

/// Parses the circuit breakers out of `GET /actuator/health`; breakers come
/// sorted by name, each with its health status (`CIRCUIT_OPEN`, `UP`, ...).
pub fn parse_health(body: &[u8]) -> Result<Vec<BreakerSnapshot>, ActuatorError> {
    let reply = read_json(body)?;
    // Spring Boot 2.2+ nests indicators under "components", 2.0/2.1 under
    // "details".
    let breakers = [
        "/components/circuitBreakers/details",
        "/details/circuitBreakers/details",
    ]
    .iter()
    .find_map(|pointer| reply.pointer(pointer))
    .and_then(Value::as_object)
    .ok_or(ActuatorError::NoBreakerDetails)?;
    let snapshots = breakers
        .iter()
        .map(|(name, entry)| from_health_entry(name, entry))
        .collect::<Result<_, _>>()?;
    Ok(sorted(snapshots))
}

/// Sorts by name: serde_json keeps the body's order if any crate in the
/// build turns on its `preserve_order` feature.
fn sorted(mut breakers: Vec<BreakerSnapshot>) -> Vec<BreakerSnapshot> {
    breakers.sort_by(|a, b| a.name.cmp(&b.name));
    breakers
}

/// Parses the reply to `POST /actuator/circuitbreakers/{name}`.
pub fn parse_update_state_reply(body: &[u8]) -> Result<UpdateStateReply, ActuatorError> {
    decode(&read_json(body)?, "update-state reply")
}

fn from_health_entry(name: &str, entry: &Value) -> Result<BreakerSnapshot, ActuatorError> {
    let details = entry
        .get("details")
        .ok_or(ActuatorError::NoBreakerDetails)?;
    let status = entry.get("status").and_then(Value::as_str);
    BreakerSnapshot::from_details(name, details, status)
}

/// Reads the body as JSON and turns Spring's error body into its own error,
/// so no endpoint mistakes it for an empty reply.
fn read_json(body: &[u8]) -> Result<Value, ActuatorError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| ActuatorError::NotJson {
        reason: one_line(&e.to_string(), REASON_CHARS),
        preview: body_preview(body),
    })?;
    if !value.is_object() {
        return Err(shape("the reply is not a JSON object"));
    }
    match spring_error(&value) {
        Some(error) => Err(error),
        None => Ok(value),
    }
}

/// Spring's default error body: `{"timestamp":..,"status":404,
/// "error":"Not Found","path":..}`. A numeric `status` tells it from a
/// health reply, whose `status` is a string.
fn spring_error(value: &Value) -> Option<ActuatorError> {
    let status = value.get("status")?.as_u64()?;
    let text = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(|s| one_line(s, REASON_CHARS))
    };
    Some(ActuatorError::Spring {
        status: u16::try_from(status).unwrap_or(u16::MAX),
        error: text("error").unwrap_or_default(),
        message: text("message").filter(|m| !m.is_empty()),
        path: text("path"),
    })
}

fn decode<T: DeserializeOwned>(value: &Value, what: &str) -> Result<T, ActuatorError> {
    T::deserialize(value).map_err(|e| shape(&format!("{what}: {e}")))
}

fn shape(reason: &str) -> ActuatorError {
    ActuatorError::UnexpectedShape {
        reason: one_line(reason, REASON_CHARS),
    }
}
