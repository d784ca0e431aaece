//! The media types Spring's actuator reads and writes: JSON endpoints
//! answer in the actuator's own v3 type unless the client asks for plain
//! `application/json`, and write operations read only JSON bodies.

const ACTUATOR_V3: &str = "application/vnd.spring-boot.actuator.v3+json";
const ACTUATOR_V2: &str = "application/vnd.spring-boot.actuator.v2+json";
const JSON: &str = "application/json";

/// The reply type for an `Accept` header, None when nothing the client
/// accepts can be produced (Spring's 406). Client order wins; q-values are
/// not weighed.
pub fn json_reply_type(accept: Option<&str>) -> Option<&'static str> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(ACTUATOR_V3);
    };
    accept
        .split(',')
        .map(essence)
        .find_map(|wanted| match wanted.as_str() {
            "*/*" | "application/*" => Some(ACTUATOR_V3),
            _ => [ACTUATOR_V3, ACTUATOR_V2, JSON]
                .into_iter()
                .find(|produced| *produced == wanted),
        })
}

/// Whether a write operation reads a body of this `Content-Type`.
pub fn is_json_body(content_type: Option<&str>) -> bool {
    content_type.map(essence).is_some_and(|found| {
        [ACTUATOR_V3, ACTUATOR_V2, JSON]
            .into_iter()
            .any(|accepted| accepted == found)
    })
}

/// `Application/JSON; charset=utf-8` → `application/json`.
fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}
