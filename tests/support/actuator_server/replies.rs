//! The JSON bodies, field for field and in the order Spring writes them
//! (structs, not `serde_json::Value`, whose map sorts keys).

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::StatusCode;
use serde::Serialize;

use super::java_text;
use super::machine::Breaker;
use super::time::spring_timestamp;

/// One breaker in `GET /actuator/circuitbreakers` (resilience4j's
/// `CircuitBreakerDetails`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EndpointDetails {
    failure_rate: String,
    slow_call_rate: String,
    failure_rate_threshold: String,
    slow_call_rate_threshold: String,
    buffered_calls: u32,
    failed_calls: u32,
    slow_calls: u32,
    slow_failed_calls: u32,
    not_permitted_calls: u64,
    state: &'static str,
}

/// One breaker's `details` in `/actuator/health`: the same figures in the
/// order resilience4j's health indicator adds them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthDetails {
    failure_rate: String,
    failure_rate_threshold: String,
    slow_call_rate: String,
    slow_call_rate_threshold: String,
    buffered_calls: u32,
    slow_calls: u32,
    slow_failed_calls: u32,
    failed_calls: u32,
    not_permitted_calls: u64,
    state: &'static str,
}

/// resilience4j writes `float + "%"`.
fn percent(value: f32) -> String {
    format!("{}%", java_text::float(value))
}

fn endpoint_details(breaker: &Breaker) -> EndpointDetails {
    let (metrics, config) = (breaker.metrics(), breaker.config());
    EndpointDetails {
        failure_rate: percent(metrics.failure_rate()),
        slow_call_rate: percent(metrics.slow_call_rate()),
        failure_rate_threshold: percent(config.failure_rate_threshold),
        slow_call_rate_threshold: percent(config.slow_call_rate_threshold),
        buffered_calls: metrics.buffered(),
        failed_calls: metrics.failed(),
        slow_calls: metrics.slow(),
        slow_failed_calls: metrics.slow_failed(),
        not_permitted_calls: metrics.not_permitted(),
        state: breaker.state().name(),
    }
}

pub fn health_details(breaker: &Breaker) -> HealthDetails {
    let (metrics, config) = (breaker.metrics(), breaker.config());
    HealthDetails {
        failure_rate: percent(metrics.failure_rate()),
        failure_rate_threshold: percent(config.failure_rate_threshold),
        slow_call_rate: percent(metrics.slow_call_rate()),
        slow_call_rate_threshold: percent(config.slow_call_rate_threshold),
        buffered_calls: metrics.buffered(),
        slow_calls: metrics.slow(),
        slow_failed_calls: metrics.slow_failed(),
        failed_calls: metrics.failed(),
        not_permitted_calls: metrics.not_permitted(),
        state: breaker.state().name(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CircuitBreakers<T> {
    circuit_breakers: T,
}

/// `GET /actuator/circuitbreakers`, breakers sorted by name.
pub fn circuit_breakers(breakers: &BTreeMap<String, Breaker>) -> String {
    let details: BTreeMap<&str, EndpointDetails> = breakers
        .iter()
        .map(|(name, breaker)| (name.as_str(), endpoint_details(breaker)))
        .collect();
    to_json(&CircuitBreakers {
        circuit_breakers: details,
    })
}

/// resilience4j 1.x's listing: names only, no figures.
pub fn circuit_breaker_names(breakers: &BTreeMap<String, Breaker>) -> String {
    let names: Vec<&str> = breakers.keys().map(String::as_str).collect();
    to_json(&CircuitBreakers {
        circuit_breakers: names,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateStateReply<'a> {
    circuit_breaker_name: &'a str,
    current_state: &'static str,
    message: String,
}

/// The reply to `POST /actuator/circuitbreakers/{name}`.
pub fn update_state(name: &str, breaker: &Breaker) -> String {
    to_json(&UpdateStateReply {
        circuit_breaker_name: name,
        current_state: breaker.state().name(),
        message: format!("{name} state has been changed successfully"),
    })
}

#[derive(Serialize)]
struct SpringError<'a> {
    timestamp: String,
    status: u16,
    error: &'a str,
    path: &'a str,
}

/// Spring Boot's error body (`server.error.include-message` off).
pub fn spring_error(now: Duration, status: StatusCode, path: &str) -> String {
    to_json(&SpringError {
        timestamp: spring_timestamp(now),
        status: status.as_u16(),
        error: status.canonical_reason().unwrap_or("Error"),
        path,
    })
}

#[derive(Serialize)]
struct Link {
    href: String,
    templated: bool,
}

#[derive(Serialize)]
struct Links {
    #[serde(rename = "_links")]
    links: BTreeMap<&'static str, Link>,
}

/// `GET /actuator`: the endpoints exposed, as HAL links under `base_url`
/// (`http://host:port/actuator`).
pub fn links(base_url: &str, breakers_exposed: bool) -> String {
    let mut links = BTreeMap::new();
    let mut add = |rel, suffix: &str, templated| {
        let href = format!("{base_url}{suffix}");
        links.insert(rel, Link { href, templated });
    };
    add("self", "", false);
    add("health", "/health", false);
    add("prometheus", "/prometheus", false);
    if breakers_exposed {
        add("circuitbreakers", "/circuitbreakers", false);
        add("circuitbreakers-name", "/circuitbreakers/{name}", true);
    }
    to_json(&Links { links })
}

pub fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("reply structs always serialize")
}
