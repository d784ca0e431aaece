//! Reading one actuator's breakers, with the errors a responder can act on.

use super::transport::{Answer, Transport};
use crate::core::action::Endpoint;
use crate::features::breakers::data::{
    ActuatorError, BreakerSnapshot, parse_circuit_breakers, parse_health,
};

/// `GET /circuitbreakers` (falling back to `/health` when it lists names
/// only, as resilience4j 1.x does). `label` names the target in errors.
pub async fn breakers(
    t: &Transport,
    endpoint: &Endpoint,
    label: &str,
) -> Result<Vec<BreakerSnapshot>, String> {
    let answer = t
        .get(endpoint, "/circuitbreakers")
        .await
        .map_err(|e| format!("{label}: {e}"))?;
    check_status(&answer, endpoint, label, "circuitbreakers")?;
    match parse_circuit_breakers(&answer.body) {
        Ok(list) => Ok(list),
        Err(ActuatorError::NamesOnly { .. }) => {
            let health = t
                .get(endpoint, "/health")
                .await
                .map_err(|e| format!("{label}: {e}"))?;
            check_status(&health, endpoint, label, "health")?;
            parse_health(&health.body).map_err(|e| format!("{label}: {e}"))
        }
        Err(e) => Err(format!("{label}: {e}")),
    }
}

/// Turns a non-2xx answer into the message that says what to fix.
pub fn check_status(
    a: &Answer,
    endpoint: &Endpoint,
    label: &str,
    what: &str,
) -> Result<(), String> {
    match a.status {
        200..=299 => Ok(()),
        404 if pod_gone(a, endpoint) => Err(format!("{label}: the pod is gone")),
        404 => Err(format!(
            "{what} endpoint not exposed on {label}: add it to management.endpoints.web.exposure.include"
        )),
        401 => Err(format!(
            "{label}: 401 Unauthorized (the actuator wants credentials: [breakers] bearer_token_env)"
        )),
        403 => Err(format!("{label}: 403 Forbidden ({})", preview(a))),
        405 if what == "circuitbreakers" => Err(format!(
            "{label}: 405 Method Not Allowed (the actuator's write operations are disabled)"
        )),
        s => Err(format!("{label}: HTTP {s} ({})", preview(a))),
    }
}

/// A 404 from the API server itself (a Kubernetes Status), not from the pod.
fn pod_gone(a: &Answer, endpoint: &Endpoint) -> bool {
    matches!(endpoint, Endpoint::PodProxy { .. })
        && serde_json::from_slice::<serde_json::Value>(&a.body)
            .is_ok_and(|v| v["kind"] == "Status" && v["reason"] == "NotFound")
}

fn preview(a: &Answer) -> String {
    let text = crate::shared::body_preview::body_preview(&a.body);
    if text.is_empty() {
        "empty body".into()
    } else {
        text
    }
}
