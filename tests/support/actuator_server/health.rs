//! `GET /actuator/health`: resilience4j's circuit-breaker health indicator
//! beside a database and a ping indicator, each status aggregated the way
//! Spring's `SimpleStatusAggregator` does.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde::Serialize;

use super::machine::{Breaker, State};
use super::registry::Registry;
use super::replies::{HealthDetails, health_details, to_json};

#[derive(Serialize)]
struct Component<D> {
    status: String,
    /// Spring leaves out empty details.
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<D>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DbDetails {
    database: &'static str,
    validation_query: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Components {
    circuit_breakers: Component<BTreeMap<String, Component<HealthDetails>>>,
    db: Component<DbDetails>,
    ping: Component<()>,
}

#[derive(Serialize)]
struct Health {
    status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<Components>,
}

/// The HTTP status and body; `show_details` off gives the bare status, as
/// Spring's default `show-details: never` does.
pub fn health(registry: &Registry, show_details: bool) -> (StatusCode, String) {
    let order = &registry.status_order;
    let breakers: BTreeMap<String, Component<HealthDetails>> = registry
        .breakers
        .iter()
        .filter(|(_, breaker)| breaker.config().register_health_indicator)
        .map(|(name, breaker)| {
            let component = Component {
                status: breaker_status(breaker).to_owned(),
                details: Some(health_details(breaker)),
            };
            (name.clone(), component)
        })
        .collect();
    let breakers_status = aggregate(order, breakers.values().map(|c| c.status.as_str()));
    let components = Components {
        circuit_breakers: Component {
            status: breakers_status.to_owned(),
            details: (!breakers.is_empty()).then_some(breakers),
        },
        db: Component {
            status: "UP".to_owned(),
            details: Some(DbDetails {
                database: "PostgreSQL",
                validation_query: "isValid()",
            }),
        },
        ping: Component {
            status: "UP".to_owned(),
            details: None,
        },
    };
    let statuses = [
        components.circuit_breakers.status.as_str(),
        components.db.status.as_str(),
        components.ping.status.as_str(),
    ];
    let status = aggregate(order, statuses.into_iter()).to_owned();
    let code = http_status(&status);
    let body = Health {
        status,
        components: show_details.then_some(components),
    };
    (code, to_json(&body))
}

/// resilience4j's mapping of a breaker state to a health status.
fn breaker_status(breaker: &Breaker) -> &'static str {
    match breaker.state() {
        State::Closed => "UP",
        State::Open if breaker.config().allow_health_indicator_to_fail => "DOWN",
        State::Open => "CIRCUIT_OPEN",
        State::HalfOpen => "CIRCUIT_HALF_OPEN",
        State::ForcedOpen | State::Disabled | State::MetricsOnly => "UNKNOWN",
    }
}

/// The first status in `order` that occurs; statuses missing from `order`
/// (`CIRCUIT_OPEN` by default) do not count, and none counting is UNKNOWN.
fn aggregate<'a>(order: &[String], statuses: impl Iterator<Item = &'a str>) -> &'a str {
    statuses
        .filter_map(|status| rank(order, status).map(|rank| (rank, status)))
        .min()
        .map_or("UNKNOWN", |(_, status)| status)
}

/// Spring compares codes lower-cased with everything but letters and
/// digits removed.
fn rank(order: &[String], status: &str) -> Option<usize> {
    let uniform = |code: &str| -> String {
        code.chars()
            .filter(|c| c.is_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let status = uniform(status);
    order.iter().position(|code| uniform(code) == status)
}

/// Spring's default `HttpCodeStatusMapper`.
fn http_status(status: &str) -> StatusCode {
    match status {
        "DOWN" | "OUT_OF_SERVICE" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::OK,
    }
}
