//! The body of `POST /actuator/circuitbreakers/{name}`:
//! `{"updateState": "CLOSE" | "FORCE_OPEN" | "DISABLE"}`.

use serde_json::Value;

use super::machine::State;

/// The state the body asks for, or None for anything Spring answers 400
/// to: not JSON, not an object, `updateState` missing or not a value of
/// resilience4j's `UpdateState`. Spring Boot converts enums leniently, so
/// `close` and `force-open` pass as well.
pub fn requested_state(body: &[u8]) -> Option<State> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let text = value.as_object()?.get("updateState")?.as_str()?;
    let canonical: String = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match canonical.as_str() {
        "close" => Some(State::Closed),
        "forceopen" => Some(State::ForcedOpen),
        "disable" => Some(State::Disabled),
        _ => None,
    }
}
