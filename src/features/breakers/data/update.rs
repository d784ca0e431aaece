//! The write side: `POST /actuator/circuitbreakers/{name}` and its reply.

use serde::Deserialize;

use super::BreakerState;
pub use crate::core::action::UpdateState;

/// The state the breaker is in once the change took effect.
pub fn resulting_state(update: UpdateState) -> BreakerState {
    match update {
        UpdateState::Close => BreakerState::Closed,
        UpdateState::ForceOpen => BreakerState::ForcedOpen,
        UpdateState::Disable => BreakerState::Disabled,
    }
}

/// The JSON body of the state-change request: `{"updateState":"CLOSE"}`.
pub fn update_state_body(target: UpdateState) -> String {
    serde_json::json!({ "updateState": target.as_str() }).to_string()
}

/// The request path under the actuator base (e.g. `/actuator`). The breaker
/// name is percent-encoded, so a name with `/` or `?` cannot address
/// another endpoint.
pub fn update_state_path(actuator_base: &str, breaker: &str) -> String {
    let base = actuator_base.trim_end_matches('/');
    format!("{base}/circuitbreakers/{}", encode_path_segment(breaker))
}

/// What the actuator answered to a state change.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UpdateStateReply {
    #[serde(rename = "circuitBreakerName")]
    pub breaker: String,
    #[serde(rename = "currentState", deserialize_with = "state_from_text")]
    pub current_state: BreakerState,
    #[serde(default)]
    pub message: String,
}

impl UpdateStateReply {
    /// True when the reply shows the breaker in the state `requested` leads
    /// to; the UI confirms the action only then.
    pub fn confirms(&self, requested: UpdateState) -> bool {
        self.current_state == resulting_state(requested)
    }
}

fn state_from_text<'de, D: serde::Deserializer<'de>>(de: D) -> Result<BreakerState, D::Error> {
    String::deserialize(de).map(|text| BreakerState::parse(&text))
}

/// RFC 3986 path-segment encoding: unreserved characters stay, every other
/// byte of the UTF-8 text becomes `%XX`. A name of only dots is encoded
/// too, as `.` and `..` would be resolved as relative path steps.
fn encode_path_segment(text: &str) -> String {
    let only_dots = text.bytes().all(|byte| byte == b'.');
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let plain = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'~');
        if plain || (byte == b'.' && !only_dots) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
