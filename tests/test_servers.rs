#![allow(clippy::unwrap_used)]
//! The test servers' own tests, in one binary so that the count of every
//! other binary is of opsdeck's behaviour only: the actuator server
//! against resilience4j's behaviour and the reply shapes of the fixtures
//! in `tests/fixtures/`, and the Kubernetes API server's patch, selector
//! and time helpers.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;
use support::actuator_server::{ActuatorServer, BreakerConfig, Call, Config, Mode, State};

const PAYMENT: &str = "paymentService";
const ACTUATOR_V3: &str = "application/vnd.spring-boot.actuator.v3+json";

fn fixture(path: &str) -> String {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap()
}

fn fixture_json(path: &str) -> Value {
    serde_json::from_str(&fixture(path)).unwrap()
}

/// One `paymentService` breaker with resilience4j's settings as configured
/// here (window 10, minimum 5 calls, 3 half-open calls, 60 s wait).
fn server() -> ActuatorServer {
    server_with(BreakerConfig::default())
}

fn server_with(breaker: BreakerConfig) -> ActuatorServer {
    ActuatorServer::start(Config::new("payment-service").breaker(PAYMENT, breaker))
}

struct Reply {
    status: u16,
    content_type: String,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.text().await.unwrap();
    Reply {
        status,
        content_type,
        headers,
        body,
    }
}

async fn get(url: &str) -> Reply {
    send(reqwest::Client::new().get(url)).await
}

/// A POST as opsdeck sends it: JSON in, JSON accepted.
async fn post_json(url: &str, body: &str) -> Reply {
    let request = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(body.to_owned());
    send(request).await
}

async fn update(server: &ActuatorServer, name: &str, target: &str) -> Reply {
    let body = format!(r#"{{"updateState":"{target}"}}"#);
    post_json(&server.url(&format!("/circuitbreakers/{name}")), &body).await
}

/// One breaker's entry in `GET /actuator/circuitbreakers`.
async fn breaker(server: &ActuatorServer, name: &str) -> Value {
    let reply = get(&server.url("/circuitbreakers")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["circuitBreakers"][name].clone()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

// ----- the state machine -----

#[tokio::test]
async fn rates_read_minus_one_until_the_minimum_number_of_calls() {
    let server = server();
    server.calls(PAYMENT, 3, Call::Success);
    let details = breaker(&server, PAYMENT).await;
    assert_eq!(details["failureRate"], "-1.0%");
    assert_eq!(details["slowCallRate"], "-1.0%");
    assert_eq!(details["failureRateThreshold"], "50.0%");
    assert_eq!(details["slowCallRateThreshold"], "100.0%");
    assert_eq!(details["bufferedCalls"], 3);
    assert_eq!(details["state"], "CLOSED");

    server.calls(PAYMENT, 2, Call::Success);
    let details = breaker(&server, PAYMENT).await;
    assert_eq!(details["failureRate"], "0.0%");
    assert_eq!(details["slowCallRate"], "0.0%");
}

#[tokio::test]
async fn closed_opens_once_the_failure_rate_reaches_the_threshold() {
    let server = server();
    server.calls(PAYMENT, 2, Call::Success);
    server.calls(PAYMENT, 2, Call::Failure);
    // 2 of 4 failed is 50%, but 4 calls are fewer than the minimum of 5.
    assert_eq!(server.state(PAYMENT), "CLOSED");
    assert_eq!(breaker(&server, PAYMENT).await["failureRate"], "-1.0%");

    assert!(server.record(PAYMENT, Call::Failure));
    assert_eq!(server.state(PAYMENT), "OPEN");
    assert_eq!(server.transitions(PAYMENT), ["CLOSED_TO_OPEN"]);
    // OPEN keeps the window that tripped it.
    let details = breaker(&server, PAYMENT).await;
    assert_eq!(details["state"], "OPEN");
    assert_eq!(details["failureRate"], "60.0%");
    assert_eq!(details["bufferedCalls"], 5);
    assert_eq!(details["failedCalls"], 3);
}

#[tokio::test]
async fn a_rate_below_the_threshold_keeps_the_breaker_closed() {
    let server = ActuatorServer::start(Config::new("payment-service").breaker(
        "shippingService",
        BreakerConfig {
            minimum_number_of_calls: 3,
            ..BreakerConfig::default()
        },
    ));
    server.calls("shippingService", 2, Call::Success);
    server.record("shippingService", Call::Failure);
    assert_eq!(server.state("shippingService"), "CLOSED");
    // resilience4j's float arithmetic, as in the fixture.
    let details = breaker(&server, "shippingService").await;
    assert_eq!(details["failureRate"], "33.333332%");
}

#[tokio::test]
async fn the_sliding_window_forgets_the_oldest_call() {
    let server = server_with(BreakerConfig {
        sliding_window_size: 4,
        minimum_number_of_calls: 4,
        failure_rate_threshold: 100.0,
        ..BreakerConfig::default()
    });
    server.record(PAYMENT, Call::Failure);
    server.calls(PAYMENT, 3, Call::Success);
    assert_eq!(breaker(&server, PAYMENT).await["failureRate"], "25.0%");
    server.record(PAYMENT, Call::Success);
    let details = breaker(&server, PAYMENT).await;
    assert_eq!(details["failureRate"], "0.0%");
    assert_eq!(details["bufferedCalls"], 4);
}

#[tokio::test]
async fn calls_are_not_permitted_while_open() {
    let server = server();
    server.calls(PAYMENT, 5, Call::Failure);
    assert_eq!(server.state(PAYMENT), "OPEN");

    assert_eq!(server.calls(PAYMENT, 4, Call::Success), 0);
    let details = breaker(&server, PAYMENT).await;
    assert_eq!(details["notPermittedCalls"], 4);
    assert_eq!(
        details["bufferedCalls"], 5,
        "refused calls are not buffered"
    );

    let scrape = get(&server.url("/prometheus")).await.body;
    let not_permitted = samples(
        &scrape,
        "resilience4j_circuitbreaker_not_permitted_calls_total",
    );
    assert_eq!(not_permitted.len(), 1);
    assert_eq!(not_permitted[0].1, 4.0);
}

#[tokio::test]
async fn open_becomes_half_open_once_the_wait_has_passed() {
    let server = server();
    server.calls(PAYMENT, 5, Call::Failure);
    server.advance(Duration::from_secs(59));
    assert_eq!(server.state(PAYMENT), "OPEN");
    server.advance(Duration::from_secs(1));
    assert_eq!(server.state(PAYMENT), "HALF_OPEN");
    assert_eq!(server.elapsed(), Duration::from_secs(60));

    // HALF_OPEN starts a window of its own.
    let details = breaker(&server, PAYMENT).await;
    assert_eq!(details["state"], "HALF_OPEN");
    assert_eq!(details["bufferedCalls"], 0);
    assert_eq!(details["failureRate"], "-1.0%");
}

#[tokio::test]
async fn without_the_scheduler_only_a_call_after_the_wait_half_opens() {
    let server = server_with(BreakerConfig {
        automatic_transition_from_open_to_half_open_enabled: false,
        ..BreakerConfig::default()
    });
    server.calls(PAYMENT, 5, Call::Failure);
    server.advance(Duration::from_secs(60));
    assert_eq!(server.state(PAYMENT), "OPEN");
    // resilience4j lets calls through only once the clock is *after* the wait.
    assert!(!server.record(PAYMENT, Call::Success));
    server.advance(Duration::from_millis(1));
    assert!(server.record(PAYMENT, Call::Success));
    assert_eq!(server.state(PAYMENT), "HALF_OPEN");
    assert_eq!(breaker(&server, PAYMENT).await["bufferedCalls"], 1);
}

#[tokio::test]
async fn half_open_closes_after_the_permitted_calls_succeed() {
    let server = server();
    server.calls(PAYMENT, 5, Call::Failure);
    server.advance(Duration::from_secs(60));
    server.calls(PAYMENT, 2, Call::Success);
    assert_eq!(server.state(PAYMENT), "HALF_OPEN");
    server.record(PAYMENT, Call::Success);
    assert_eq!(server.state(PAYMENT), "CLOSED");
    assert_eq!(
        server.transitions(PAYMENT),
        ["CLOSED_TO_OPEN", "OPEN_TO_HALF_OPEN", "HALF_OPEN_TO_CLOSED"]
    );
    let details = breaker(&server, PAYMENT).await;
    assert_eq!(details["bufferedCalls"], 0, "CLOSED starts a new window");
    assert_eq!(details["notPermittedCalls"], 0);
}

#[tokio::test]
async fn half_open_reopens_when_the_trial_calls_fail() {
    let server = server();
    server.calls(PAYMENT, 5, Call::Failure);
    server.advance(Duration::from_secs(60));
    server.record(PAYMENT, Call::Success);
    server.calls(PAYMENT, 2, Call::Failure);
    assert_eq!(server.state(PAYMENT), "OPEN");
    assert_eq!(
        server.transitions(PAYMENT),
        ["CLOSED_TO_OPEN", "OPEN_TO_HALF_OPEN", "HALF_OPEN_TO_OPEN"]
    );
    let details = breaker(&server, PAYMENT).await;
    assert_eq!(details["failureRate"], "66.666664%");
    assert_eq!(details["bufferedCalls"], 3);

    // A new wait starts from the reopening.
    server.advance(Duration::from_secs(59));
    assert_eq!(server.state(PAYMENT), "OPEN");
    server.advance(Duration::from_secs(1));
    assert_eq!(server.state(PAYMENT), "HALF_OPEN");
}

#[tokio::test]
async fn half_open_refuses_calls_beyond_the_permitted_ones() {
    let server = server();
    server.calls(PAYMENT, 5, Call::Failure);
    server.advance(Duration::from_secs(60));
    for _ in 0..3 {
        assert!(server.begin_call(PAYMENT));
    }
    assert!(!server.begin_call(PAYMENT), "only 3 trial calls");
    assert_eq!(breaker(&server, PAYMENT).await["notPermittedCalls"], 1);
    for _ in 0..3 {
        server.end_call(PAYMENT, Call::Success);
    }
    assert_eq!(server.state(PAYMENT), "CLOSED");
}

#[tokio::test]
async fn an_ignored_failure_gives_its_trial_call_back() {
    let server = server();
    server.calls(PAYMENT, 5, Call::Failure);
    server.advance(Duration::from_secs(60));
    assert_eq!(server.calls(PAYMENT, 5, Call::Ignored), 5);
    assert_eq!(server.state(PAYMENT), "HALF_OPEN");
    assert_eq!(breaker(&server, PAYMENT).await["bufferedCalls"], 0);
}

#[tokio::test]
async fn slow_calls_trip_the_slow_call_rate() {
    let server = server_with(BreakerConfig {
        slow_call_rate_threshold: 50.0,
        ..BreakerConfig::default()
    });
    server.calls(PAYMENT, 3, Call::Success);
    server.record(PAYMENT, Call::Slow);
    server.record(PAYMENT, Call::SlowFailure);
    assert_eq!(server.state(PAYMENT), "CLOSED", "2 slow of 5 is 40%");
    server.record(
        PAYMENT,
        Call::Timed {
            took: Duration::from_secs(61),
            failed: false,
        },
    );
    assert_eq!(server.state(PAYMENT), "OPEN", "3 slow of 6 is 50%");
    let details = breaker(&server, PAYMENT).await;
    assert_eq!(details["slowCallRate"], "50.0%");
    assert_eq!(details["slowCalls"], 3);
    assert_eq!(details["slowFailedCalls"], 1);
    assert_eq!(details["failedCalls"], 1);
    assert_eq!(details["failureRate"], "16.666666%");
}

#[tokio::test]
async fn a_call_begun_while_closed_is_recorded_after_the_breaker_opens() {
    let server = server();
    assert!(server.begin_call(PAYMENT));
    server.calls(PAYMENT, 5, Call::Failure);
    assert_eq!(server.state(PAYMENT), "OPEN");
    server.end_call(PAYMENT, Call::Success);
    let details = breaker(&server, PAYMENT).await;
    assert_eq!(details["bufferedCalls"], 6);
    assert_eq!(details["state"], "OPEN");
}

#[tokio::test]
async fn metrics_only_records_but_never_trips() {
    let server = server();
    server.transition(PAYMENT, State::MetricsOnly);
    assert_eq!(server.calls(PAYMENT, 10, Call::Failure), 10);
    assert_eq!(server.state(PAYMENT), "METRICS_ONLY");
    let details = breaker(&server, PAYMENT).await;
    assert_eq!(details["failureRate"], "100.0%");
    assert_eq!(details["bufferedCalls"], 10);
}

#[test]
#[should_panic(expected = "illegal state transition from METRICS_ONLY to OPEN")]
fn resilience4j_forbids_metrics_only_to_open() {
    let server = server();
    server.transition(PAYMENT, State::MetricsOnly);
    server.transition(PAYMENT, State::Open);
}

#[test]
#[should_panic(expected = "minimumNumberOfCalls must be at least 1")]
fn a_configuration_resilience4j_refuses_is_refused() {
    server_with(BreakerConfig {
        minimum_number_of_calls: 0,
        ..BreakerConfig::default()
    });
}

// ----- the write operation -----

#[tokio::test]
async fn force_open_refuses_calls_and_counts_them() {
    let server = server();
    server.calls(PAYMENT, 3, Call::Success);
    let reply = update(&server, PAYMENT, "FORCE_OPEN").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, "application/json");
    assert_eq!(
        reply.json(),
        serde_json::json!({
            "circuitBreakerName": PAYMENT,
            "currentState": "FORCED_OPEN",
            "message": "paymentService state has been changed successfully",
        })
    );
    assert_eq!(server.state(PAYMENT), "FORCED_OPEN");
    assert_eq!(server.calls(PAYMENT, 2, Call::Success), 0);
    let details = breaker(&server, PAYMENT).await;
    assert_eq!(details["notPermittedCalls"], 2);
    assert_eq!(details["bufferedCalls"], 0, "FORCED_OPEN starts empty");
    assert_eq!(details["failureRate"], "-1.0%");
    // FORCED_OPEN publishes no events, so Micrometer's counter stays put.
    let scrape = get(&server.url("/prometheus")).await.body;
    let counter = samples(
        &scrape,
        "resilience4j_circuitbreaker_not_permitted_calls_total",
    );
    assert_eq!(counter[0].1, 0.0);
    // Forcing is not the scheduler's business: no wait ends it.
    server.advance(Duration::from_secs(3600));
    assert_eq!(server.state(PAYMENT), "FORCED_OPEN");
}

#[tokio::test]
async fn disable_lets_every_call_through_and_records_none() {
    let server = server();
    server.calls(PAYMENT, 5, Call::Failure);
    let reply = update(&server, PAYMENT, "DISABLE").await;
    assert_eq!(reply.json()["currentState"], "DISABLED");
    assert_eq!(server.calls(PAYMENT, 20, Call::Failure), 20);
    assert_eq!(server.state(PAYMENT), "DISABLED");
    assert_eq!(breaker(&server, PAYMENT).await["bufferedCalls"], 0);
}

#[tokio::test]
async fn close_resets_an_open_breaker() {
    let server = server();
    server.calls(PAYMENT, 5, Call::Failure);
    server.calls(PAYMENT, 2, Call::Success);
    let reply = update(&server, PAYMENT, "CLOSE").await;
    assert_eq!(reply.json()["currentState"], "CLOSED");
    assert_eq!(server.state(PAYMENT), "CLOSED");
    assert_eq!(
        server.transitions(PAYMENT),
        ["CLOSED_TO_OPEN", "OPEN_TO_CLOSED"]
    );
    let details = breaker(&server, PAYMENT).await;
    assert_eq!(details["bufferedCalls"], 0);
    assert_eq!(details["notPermittedCalls"], 0);
    assert!(server.record(PAYMENT, Call::Success));
}

#[tokio::test]
async fn the_fixture_request_is_accepted_and_spring_reads_enums_leniently() {
    let server = server();
    server.transition(PAYMENT, State::ForcedOpen);
    let url = server.url("/circuitbreakers/paymentService");
    let reply = post_json(&url, &fixture("actuator/update-state-request.json")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        keys(&reply.json()),
        keys(&fixture_json("actuator/update-state-response.json"))
    );
    assert_eq!(
        reply.json(),
        fixture_json("actuator/update-state-response.json")
    );

    let reply = post_json(&url, r#"{"updateState":"force-open"}"#).await;
    assert_eq!(reply.json()["currentState"], "FORCED_OPEN");
}

#[tokio::test]
async fn an_unknown_breaker_answers_springs_404() {
    let server = server();
    let reply = update(&server, "noSuchService", "CLOSE").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.content_type, "application/json");
    let body = reply.json();
    assert_eq!(
        keys(&body),
        ["error", "path", "status", "timestamp"]
            .map(String::from)
            .into()
    );
    assert_eq!(body["status"], 404);
    assert_eq!(body["error"], "Not Found");
    assert_eq!(body["path"], "/actuator/circuitbreakers/noSuchService");
    assert_eq!(body["timestamp"], "2026-11-21T10:00:00.000+00:00");
}

#[tokio::test]
async fn resilience4j_can_create_an_unknown_breaker_instead() {
    let mut config = Config::new("payment-service");
    config.create_unknown_breakers = true;
    let server = ActuatorServer::start(config);
    let reply = update(&server, "newService", "FORCE_OPEN").await;
    assert_eq!(reply.status, 200);
    assert_eq!(server.state("newService"), "FORCED_OPEN");
    assert_eq!(breaker(&server, "newService").await["state"], "FORCED_OPEN");
}

#[tokio::test]
async fn bodies_spring_cannot_read_are_refused() {
    let server = server();
    let url = server.url("/circuitbreakers/paymentService");
    // opsdeck's write probe: no updateState, refused before anything changes.
    for body in [
        "{}",
        r#"{"updateState":"OPEN"}"#,
        r#"{"updateState":1}"#,
        "[]",
        "nope",
        "",
    ] {
        let reply = post_json(&url, body).await;
        assert_eq!(reply.status, 400, "body {body:?}");
        assert_eq!(reply.json()["error"], "Bad Request");
        assert_eq!(
            reply.json()["path"],
            "/actuator/circuitbreakers/paymentService"
        );
    }
    assert_eq!(server.state(PAYMENT), "CLOSED");

    let text = reqwest::Client::new()
        .post(&url)
        .header("Content-Type", "text/plain")
        .body(r#"{"updateState":"CLOSE"}"#);
    assert_eq!(send(text).await.status, 415);
    let unnamed = reqwest::Client::new()
        .post(&url)
        .body(r#"{"updateState":"CLOSE"}"#);
    assert_eq!(send(unnamed).await.status, 415, "no Content-Type");
}

#[tokio::test]
async fn wrong_methods_and_paths_answer_like_spring_mvc() {
    let server = server();
    let reply = get(&server.url("/circuitbreakers/paymentService")).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.headers["allow"], "POST");
    assert_eq!(reply.json()["error"], "Method Not Allowed");

    let reply = post_json(&server.url("/circuitbreakers"), "{}").await;
    assert_eq!(reply.status, 405);

    let reply = get(&server.url("/nothing-here")).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["path"], "/actuator/nothing-here");
}

// ----- read endpoints -----

#[tokio::test]
async fn replies_are_in_the_type_the_client_accepts() {
    let server = server();
    let client = reqwest::Client::new();
    let url = server.url("/circuitbreakers");
    assert_eq!(send(client.get(&url)).await.content_type, ACTUATOR_V3);
    let json = client.get(&url).header("Accept", "application/json");
    assert_eq!(send(json).await.content_type, "application/json");
    let browser = client.get(&url).header("Accept", "text/html,*/*;q=0.8");
    assert_eq!(send(browser).await.content_type, ACTUATOR_V3);
    let html_only = client.get(&url).header("Accept", "text/html");
    assert_eq!(send(html_only).await.status, 406);
}

#[tokio::test]
async fn breaker_details_have_the_fixture_fields() {
    let server = ActuatorServer::start(
        Config::new("payment-service")
            .breaker("inventoryService", BreakerConfig::default())
            .breaker(PAYMENT, BreakerConfig::default()),
    );
    server.calls(PAYMENT, 5, Call::Failure);
    let reply = get(&server.url("/circuitbreakers")).await;
    let served = reply.json();
    let expected = fixture_json("actuator/circuitbreakers.json");
    assert_eq!(keys(&served), keys(&expected));
    let fixture_fields = keys(&expected["circuitBreakers"]["paymentService"]);
    for (name, details) in served["circuitBreakers"].as_object().unwrap() {
        assert_eq!(keys(details), fixture_fields, "{name}");
    }
    // Spring writes the fields in the fixture's order.
    let fixture_text = fixture("actuator/circuitbreakers.json");
    assert_eq!(
        field_order(&reply.body)[..10],
        field_order(&fixture_text)[..10]
    );
    // Sorted by name, as resilience4j's endpoint sorts them.
    let names: Vec<&String> = served["circuitBreakers"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(names, ["inventoryService", PAYMENT]);
}

/// The breaker-detail field names in the order the text has them.
fn field_order(text: &str) -> Vec<String> {
    let fields =
        keys(&fixture_json("actuator/circuitbreakers.json")["circuitBreakers"]["paymentService"]);
    let mut found: Vec<(usize, String)> = Vec::new();
    for field in fields {
        let quoted = format!("\"{field}\"");
        found.extend(
            text.match_indices(&quoted)
                .map(|(at, _)| (at, field.clone())),
        );
    }
    found.sort();
    found.into_iter().map(|(_, field)| field).collect()
}

#[tokio::test]
async fn health_has_the_fixture_shape() {
    let server = ActuatorServer::start(
        Config::new("payment-service")
            .breaker("inventoryService", BreakerConfig::default())
            .breaker(PAYMENT, BreakerConfig::default()),
    );
    server.calls("inventoryService", 3, Call::Success);
    server.calls(PAYMENT, 5, Call::Failure);
    let reply = get(&server.url("/health")).await;
    assert_eq!(reply.status, 200);
    let served = reply.json();
    let expected = fixture_json("actuator/health.json");
    assert_eq!(keys(&served), keys(&expected));
    assert_eq!(keys(&served["components"]), keys(&expected["components"]));
    let breakers = &served["components"]["circuitBreakers"];
    let fixture_breakers = &expected["components"]["circuitBreakers"];
    assert_eq!(keys(breakers), keys(fixture_breakers));
    assert_eq!(served["components"]["db"], expected["components"]["db"]);
    assert_eq!(served["components"]["ping"], expected["components"]["ping"]);
    for name in ["inventoryService", PAYMENT] {
        let entry = &breakers["details"][name];
        let fixture_entry = &fixture_breakers["details"][name];
        assert_eq!(keys(entry), keys(fixture_entry));
        assert_eq!(keys(&entry["details"]), keys(&fixture_entry["details"]));
        assert_eq!(entry["status"], fixture_entry["status"], "{name}");
    }
    let payment = &breakers["details"][PAYMENT]["details"];
    assert_eq!(payment["state"], "OPEN");
    assert_eq!(payment["failureRate"], "100.0%");
    // Spring's default order drops CIRCUIT_OPEN, so UP wins.
    assert_eq!(breakers["status"], "UP");
    assert_eq!(served["status"], "UP");
}

#[tokio::test]
async fn health_statuses_follow_resilience4j_and_spring() {
    let failing = BreakerConfig {
        allow_health_indicator_to_fail: true,
        ..BreakerConfig::default()
    };
    let server = server_with(failing);
    let status = |value: &Value| {
        value["components"]["circuitBreakers"]["details"][PAYMENT]["status"].clone()
    };

    server.calls(PAYMENT, 5, Call::Failure);
    let reply = get(&server.url("/health")).await;
    assert_eq!(reply.status, 503, "DOWN is 503");
    assert_eq!(status(&reply.json()), "DOWN");
    assert_eq!(reply.json()["status"], "DOWN");

    server.advance(Duration::from_secs(60));
    let reply = get(&server.url("/health")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(status(&reply.json()), "CIRCUIT_HALF_OPEN");
    assert_eq!(
        reply.json()["components"]["circuitBreakers"]["status"],
        "UNKNOWN"
    );

    server.transition(PAYMENT, State::Disabled);
    assert_eq!(status(&get(&server.url("/health")).await.json()), "UNKNOWN");

    // An order that names CIRCUIT_OPEN lets it win.
    let mut config = Config::new("payment-service").breaker(PAYMENT, BreakerConfig::default());
    config.status_order = ["DOWN", "CIRCUIT_OPEN", "UP", "UNKNOWN"]
        .map(String::from)
        .to_vec();
    let server = ActuatorServer::start(config);
    server.calls(PAYMENT, 5, Call::Failure);
    let reply = get(&server.url("/health")).await;
    assert_eq!(
        reply.json()["components"]["circuitBreakers"]["status"],
        "CIRCUIT_OPEN"
    );
    // The same order aggregates the top level.
    assert_eq!(reply.json()["status"], "CIRCUIT_OPEN");
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn breakers_without_a_health_indicator_leave_no_details() {
    let server = server_with(BreakerConfig {
        register_health_indicator: false,
        ..BreakerConfig::default()
    });
    let body = get(&server.url("/health")).await.json();
    let breakers = &body["components"]["circuitBreakers"];
    assert_eq!(keys(breakers), ["status".to_owned()].into());
    assert_eq!(breakers["status"], "UNKNOWN");
}

#[tokio::test]
async fn links_list_the_exposed_endpoints() {
    let server = server();
    let body = get(&server.base_url()).await.json();
    let base = server.base_url();
    assert_eq!(body["_links"]["self"]["href"], base.as_str());
    assert_eq!(
        body["_links"]["circuitbreakers"]["href"],
        format!("{base}/circuitbreakers")
    );
    assert_eq!(body["_links"]["circuitbreakers-name"]["templated"], true);
    server.set_mode(Mode::NotExposed);
    let body = get(&server.base_url()).await.json();
    assert!(body["_links"].get("circuitbreakers").is_none());
}

// ----- the exposition -----

/// `(labels, value)` of each sample of `metric` in a scrape.
fn samples(text: &str, metric: &str) -> Vec<(BTreeMap<String, String>, f64)> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(parse_sample)
        .filter(|(name, _, _)| name == metric)
        .map(|(_, labels, value)| (labels, value))
        .collect()
}

/// One sample line as Micrometer writes it: `name{k="v",...,} value`, with
/// the comma after the last label. Panics on anything else.
fn parse_sample(line: &str) -> (String, BTreeMap<String, String>, f64) {
    let (series, value) = line
        .rsplit_once(' ')
        .unwrap_or_else(|| panic!("no value: {line}"));
    let value: f64 = value
        .parse()
        .unwrap_or_else(|_| panic!("bad value: {line}"));
    let Some((name, labels)) = series.split_once('{') else {
        return (series.to_owned(), BTreeMap::new(), value);
    };
    let labels = labels
        .strip_suffix(",}")
        .unwrap_or_else(|| panic!("no trailing comma: {line}"));
    let labels = labels
        .split("\",")
        .map(|pair| {
            let (key, quoted) = pair
                .split_once("=\"")
                .unwrap_or_else(|| panic!("bad label: {line}"));
            (key.to_owned(), quoted.trim_end_matches('"').to_owned())
        })
        .collect();
    (name.to_owned(), labels, value)
}

/// Metric name → label keys (without `application`), for resilience4j's
/// families; HELP/TYPE lines → metric types.
fn families(text: &str) -> (BTreeMap<String, BTreeSet<String>>, BTreeMap<String, String>) {
    let mut label_keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut types = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            if name.starts_with("resilience4j_") {
                types.insert(name.to_owned(), kind.to_owned());
            }
        } else if !line.starts_with('#') && line.starts_with("resilience4j_") {
            let (name, labels, _) = parse_sample(line);
            let keys = labels.into_keys().filter(|k| k != "application");
            label_keys.entry(name).or_default().extend(keys);
        }
    }
    (label_keys, types)
}

#[tokio::test]
async fn the_exposition_has_the_fixture_format() {
    let server = server();
    server.calls(PAYMENT, 2, Call::Success);
    server.calls(PAYMENT, 3, Call::Failure);
    server.calls(PAYMENT, 4, Call::Success);
    let reply = get(&server.url("/prometheus")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.content_type,
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let scrape = reply.body;

    let fixture_text = fixture("prometheus/exposition-spring-resilience4j.txt");
    let (fixture_labels, fixture_types) = families(&fixture_text);
    let (served_labels, served_types) = families(&scrape);
    for (name, keys) in &fixture_labels {
        assert_eq!(served_labels.get(name), Some(keys), "label keys of {name}");
    }
    for (name, kind) in &fixture_types {
        assert_eq!(served_types.get(name), Some(kind), "TYPE of {name}");
    }
    for line in scrape.lines().filter(|l| !l.starts_with('#')) {
        let (name, labels, _) = parse_sample(line);
        assert_eq!(
            labels.get("application").map(String::as_str),
            Some("payment-service"),
            "{name}"
        );
    }

    let states = samples(&scrape, "resilience4j_circuitbreaker_state");
    let on: Vec<&str> = states
        .iter()
        .filter(|(_, v)| *v == 1.0)
        .map(|(l, _)| l["state"].as_str())
        .collect();
    assert_eq!(on, ["open"]);
    assert_eq!(states.len(), 6);
    assert_eq!(
        samples(&scrape, "resilience4j_circuitbreaker_failure_rate")[0].1,
        60.0
    );
    let buffered = samples(&scrape, "resilience4j_circuitbreaker_buffered_calls");
    let by_kind: BTreeMap<&str, f64> = buffered
        .iter()
        .map(|(l, v)| (l["kind"].as_str(), *v))
        .collect();
    assert_eq!(
        by_kind,
        BTreeMap::from([("failed", 3.0), ("successful", 2.0)])
    );
    // The timers count every permitted call since start; 4 were refused.
    let counts = samples(&scrape, "resilience4j_circuitbreaker_calls_seconds_count");
    let by_kind: BTreeMap<&str, f64> = counts
        .iter()
        .map(|(l, v)| (l["kind"].as_str(), *v))
        .collect();
    assert_eq!(
        by_kind,
        BTreeMap::from([("failed", 3.0), ("ignored", 0.0), ("successful", 2.0)])
    );
    assert!(scrape.contains(
        "resilience4j_circuitbreaker_calls_seconds_sum{application=\"payment-service\",kind=\"successful\",name=\"paymentService\",} 0.04\n"
    ));
    assert_eq!(
        samples(
            &scrape,
            "resilience4j_circuitbreaker_not_permitted_calls_total"
        )[0]
        .1,
        4.0
    );
}

#[tokio::test]
async fn exposition_rates_are_java_doubles_of_floats() {
    let server = server_with(BreakerConfig {
        minimum_number_of_calls: 3,
        ..BreakerConfig::default()
    });
    server.calls(PAYMENT, 2, Call::Success);
    server.record(PAYMENT, Call::Failure);
    let scrape = get(&server.url("/prometheus")).await.body;
    assert!(scrape.contains(
        "resilience4j_circuitbreaker_failure_rate{application=\"payment-service\",name=\"paymentService\",} 33.33333206176758\n"
    ), "{scrape}");
    assert!(scrape.contains(
        "resilience4j_circuitbreaker_slow_call_rate{application=\"payment-service\",name=\"paymentService\",} 0.0\n"
    ));
    let fresh = ActuatorServer::start(
        Config::new("payment-service").breaker(PAYMENT, BreakerConfig::default()),
    );
    let scrape = get(&fresh.url("/prometheus")).await.body;
    assert_eq!(
        samples(&scrape, "resilience4j_circuitbreaker_failure_rate")[0].1,
        -1.0
    );
}

#[tokio::test]
async fn the_application_label_can_be_left_off() {
    let mut config = Config::new("unused").breaker(PAYMENT, BreakerConfig::default());
    config.application = None;
    let server = ActuatorServer::start(config);
    let scrape = get(&server.url("/prometheus")).await.body;
    assert!(
        scrape
            .contains("resilience4j_circuitbreaker_failure_rate{name=\"paymentService\",} -1.0\n")
    );
}

// ----- fault modes -----

#[tokio::test]
async fn not_exposed_answers_404_on_the_breaker_endpoint_only() {
    let server = server();
    server.set_mode(Mode::NotExposed);
    let reply = get(&server.url("/circuitbreakers")).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"], "Not Found");
    assert_eq!(reply.json()["path"], "/actuator/circuitbreakers");
    assert_eq!(get(&server.url("/health")).await.status, 200);
    assert_eq!(get(&server.url("/prometheus")).await.status, 200);
    server.set_mode(Mode::Normal);
    assert_eq!(get(&server.url("/circuitbreakers")).await.status, 200);
}

#[tokio::test]
async fn unauthorized_and_forbidden_answer_every_path() {
    let server = server();
    server.set_mode(Mode::Unauthorized);
    for path in ["/circuitbreakers", "/health", "/prometheus"] {
        let reply = get(&server.url(path)).await;
        assert_eq!(reply.status, 401, "{path}");
        assert_eq!(reply.headers["www-authenticate"], "Basic realm=\"Realm\"");
        assert_eq!(reply.json()["error"], "Unauthorized");
    }
    assert_eq!(update(&server, PAYMENT, "FORCE_OPEN").await.status, 401);
    assert_eq!(server.state(PAYMENT), "CLOSED");

    server.set_mode(Mode::Forbidden);
    let reply = get(&server.url("/circuitbreakers")).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.json()["error"], "Forbidden");
}

#[tokio::test]
async fn a_required_bearer_token_is_checked() {
    let server = server();
    server.require_bearer_token(Some("s3cret"));
    let url = server.url("/circuitbreakers");
    let client = reqwest::Client::new();
    let reply = send(client.get(&url)).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.headers["www-authenticate"], "Bearer");
    assert_eq!(reply.body, "");
    let wrong = send(client.get(&url).bearer_auth("guess")).await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    assert_eq!(
        send(client.get(&url).bearer_auth("s3cret")).await.status,
        200
    );
}

#[tokio::test]
async fn html_mode_serves_a_login_page() {
    let server = server();
    server.set_mode(Mode::Html);
    let reply = get(&server.url("/circuitbreakers")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, "text/html;charset=UTF-8");
    assert!(reply.body.starts_with("<!DOCTYPE html>"));
    assert!(serde_json::from_str::<Value>(&reply.body).is_err());
}

#[tokio::test]
async fn junk_json_is_cut_short() {
    let server = server();
    server.set_mode(Mode::JunkJson);
    let reply = get(&server.url("/circuitbreakers")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, ACTUATOR_V3);
    assert!(reply.body.starts_with("{\"circuitBreakers\":{"));
    assert!(serde_json::from_str::<Value>(&reply.body).is_err());
    let health = get(&server.url("/health")).await;
    assert!(serde_json::from_str::<Value>(&health.body).is_err());
}

#[tokio::test]
async fn read_only_refuses_state_changes_with_405() {
    let server = server();
    server.set_mode(Mode::ReadOnly);
    let reply = update(&server, PAYMENT, "FORCE_OPEN").await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.json()["error"], "Method Not Allowed");
    assert_eq!(reply.headers["allow"], "GET,HEAD");
    assert_eq!(server.state(PAYMENT), "CLOSED");
    assert_eq!(get(&server.url("/circuitbreakers")).await.status, 200);
}

#[tokio::test]
async fn hidden_health_details_leave_only_the_status() {
    let server = server();
    server.set_mode(Mode::HealthDetailsHidden);
    let reply = get(&server.url("/health")).await;
    assert_eq!(reply.json(), serde_json::json!({"status": "UP"}));
}

#[tokio::test]
async fn names_only_lists_breakers_like_resilience4j_1() {
    let server = server();
    server.set_mode(Mode::NamesOnly);
    let reply = get(&server.url("/circuitbreakers")).await;
    assert_eq!(
        reply.json(),
        serde_json::json!({"circuitBreakers": [PAYMENT]})
    );
}

// ----- the request log, and use without tokio -----

#[tokio::test]
async fn requests_are_logged_in_order() {
    let server = server();
    get(&server.url("/circuitbreakers?x=1")).await;
    update(&server, PAYMENT, "CLOSE").await;
    assert_eq!(
        server.requests(),
        [
            "GET /actuator/circuitbreakers?x=1",
            "POST /actuator/circuitbreakers/paymentService"
        ]
    );
    server.clear_requests();
    assert!(server.requests().is_empty());
}

/// A blocking GET over a plain socket: status line and body.
fn blocking_get(server: &ActuatorServer, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    let request = format!(
        "GET /actuator{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.addr()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

#[test]
fn a_plain_test_can_use_the_server_without_tokio() {
    let server = server();
    server.calls(PAYMENT, 5, Call::Failure);
    let (status, body) = blocking_get(&server, "/circuitbreakers");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["circuitBreakers"][PAYMENT]["state"], "OPEN");
}

mod kube_server_patch {
    use super::support::kube_server::patch::*;
    use serde_json::json;

    #[test]
    fn merge_patch_replaces_lists_and_deletes_nulls() {
        let mut target = json!({"a": 1, "b": {"c": 2, "d": 3}, "l": [1, 2]});
        apply(
            PatchKind::Merge,
            &mut target,
            &json!({"a": null, "b": {"c": 5}, "l": [3]}),
        )
        .unwrap();
        assert_eq!(target, json!({"b": {"c": 5, "d": 3}, "l": [3]}));
    }

    #[test]
    fn strategic_merges_containers_by_name() {
        let mut target = json!({"containers": [{"name": "app", "image": "a:1"}, {"name": "side", "image": "s:1"}]});
        let patch = json!({"$setElementOrder/containers": [{"name": "app"}],
                           "containers": [{"name": "app", "image": "a:2"}, {"name": "side", "$patch": "delete"}]});
        apply(PatchKind::Strategic, &mut target, &patch).unwrap();
        assert_eq!(
            target,
            json!({"containers": [{"name": "app", "image": "a:2"}]})
        );
    }

    #[test]
    fn json_patch_applies_whole_or_not_at_all() {
        let before = json!({"metadata": {"resourceVersion": "7", "annotations": {"a": "1"}},
                            "spec": {"template": {"x": 1}, "list": [1]}});
        let mut target = before.clone();
        let ops = json!([
            {"op": "test", "path": "/metadata/resourceVersion", "value": "7"},
            {"op": "replace", "path": "/spec/template", "value": {"y": 2}},
            {"op": "add", "path": "/spec/list/-", "value": 2},
            {"op": "remove", "path": "/metadata/annotations/a"},
        ]);
        apply(PatchKind::Json, &mut target, &ops).unwrap();
        assert_eq!(
            target,
            json!({"metadata": {"resourceVersion": "7", "annotations": {}},
                   "spec": {"template": {"y": 2}, "list": [1, 2]}})
        );
        let mut stale = before.clone();
        let failed = apply(
            PatchKind::Json,
            &mut stale,
            &json!([{"op": "replace", "path": "/spec/template", "value": {}},
                    {"op": "test", "path": "/metadata/resourceVersion", "value": "6"}]),
        )
        .unwrap_err();
        assert_eq!(failed.code, 422);
        assert_eq!(
            failed.to_json()["details"]["causes"][0]["message"],
            "testing value /metadata/resourceVersion failed: test failed"
        );
        assert_eq!(stale, before, "a failed JSON patch changes nothing");
    }
}

mod kube_server_selector {
    use super::support::kube_server::resource::Res;
    use super::support::kube_server::selector::*;
    use serde_json::Value;
    use serde_json::json;

    fn pod() -> Value {
        json!({"metadata": {"name": "a", "namespace": "prod", "labels": {"app": "pay", "tier": "be"}},
               "status": {"phase": "Running"}})
    }

    #[test]
    fn label_forms() {
        let cases = [
            ("app=pay", true),
            ("app==pay,tier=be", true),
            ("app!=pay", false),
            ("app in (web, pay)", true),
            ("app notin (web,pay)", false),
            ("tier", true),
            ("!tier", false),
            ("missing!=x", true),
        ];
        for (text, expected) in cases {
            let sel = Selectors::parse(Res::Pods, Some(text), None).expect("valid selector");
            assert_eq!(sel.matches(&pod()), expected, "{text}");
        }
    }

    #[test]
    fn field_forms_and_errors() {
        let sel = Selectors::parse(
            Res::Pods,
            None,
            Some("metadata.name=a,status.phase!=Failed"),
        )
        .expect("valid selector");
        assert!(sel.matches(&pod()));
        let err =
            Selectors::parse(Res::Pods, None, Some("spec.bogus=1")).expect_err("unknown field");
        assert_eq!(err.code, 400);
        assert_eq!(err.message, "field label not supported: spec.bogus");
    }
}

mod kube_server_time {
    use super::support::kube_server::time::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn formats_known_instants() {
        let at = UNIX_EPOCH + Duration::new(1_795_255_682, 120_000_000);
        assert_eq!(rfc3339(at), "2026-11-21T10:08:02Z");
        assert_eq!(rfc3339_nano(at), "2026-11-21T10:08:02.12Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }
}

/// The MongoDB wire-protocol server, through the real driver.
mod mongo_server {
    use super::support::mongo_server::{MongoServer, MongoServerOptions, fixtures};
    use bson::{Bson, DateTime as BsonDate, doc};

    fn server_with_fixture_ops() -> MongoServer {
        MongoServer::start(MongoServerOptions {
            ops: fixtures::currentop_ops(),
            ..MongoServerOptions::default()
        })
    }

    #[tokio::test]
    async fn unknown_commands_get_the_real_servers_error() {
        let server = server_with_fixture_ops();
        let client = mongodb::Client::with_uri_str(server.uri()).await.unwrap();

        let error = client
            .database("admin")
            .run_command(doc! { "frobnicate": 1 })
            .await
            .unwrap_err();

        let mongodb::error::ErrorKind::Command(failure) = &*error.kind else {
            panic!("{error}");
        };
        assert_eq!(
            (
                failure.code,
                failure.code_name.as_str(),
                failure.message.as_str()
            ),
            (59, "CommandNotFound", "no such command: 'frobnicate'")
        );
    }
    #[tokio::test]
    async fn document_sequences_are_merged_into_the_command() {
        let server = server_with_fixture_ops();
        let client = mongodb::Client::with_uri_str(server.uri()).await.unwrap();
        let orders = client
            .database("shop")
            .collection::<bson::Document>("orders");

        // The driver sends `documents` as an OP_MSG kind 1 section.
        let docs = [
            doc! { "_id": 1, "sku": "A-1021" },
            doc! { "_id": 2, "sku": "B-7" },
        ];
        let error = orders.insert_many(docs.clone()).await.unwrap_err();

        assert!(
            error.to_string().contains("no such command: 'insert'"),
            "{error}"
        );
        let insert = &server.commands_named("insert")[0];
        assert_eq!(insert.db, "shop");
        assert_eq!(
            insert.body.get_array("documents").unwrap(),
            &docs.map(Bson::Document).to_vec()
        );
    }
    #[test]
    fn fixtures_carry_the_bson_types_a_server_sends() {
        let op = &fixtures::currentop_ops()[0];
        assert_eq!(op.get("opid"), Some(&Bson::Int32(91_823_311)));
        assert_eq!(op.get("secs_running"), Some(&Bson::Int64(47)));
        assert_eq!(op.get("microsecs_running"), Some(&Bson::Int64(47_211_408)));
        assert_eq!(op.get("numYields"), Some(&Bson::Int32(5312)));
        // A command's name stays its first key.
        assert_eq!(
            op.get_document("command").unwrap().keys().next().unwrap(),
            "find"
        );

        let profiled = &fixtures::profile_docs()[0];
        assert_eq!(profiled.get("millis"), Some(&Bson::Int32(3812)));
        assert_eq!(
            profiled.get("ts"),
            Some(&Bson::DateTime(
                BsonDate::parse_rfc3339_str("2026-11-21T10:07:58.120Z").unwrap()
            ))
        );
    }
}
