//! The actuator's HTTP endpoints under `/actuator`, with Spring's answers
//! for unmapped paths (404/405), wrong methods (405), bodies it cannot read
//! (415, 400) and replies the client does not accept (406).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};

use super::config::BreakerConfig;
use super::faults::{self, Mode};
use super::machine::Breaker;
use super::registry::Shared;
use super::{exposition, health, media, replies, respond, update};

pub fn router(shared: Shared) -> Router {
    Router::new()
        .route("/actuator", get(links))
        .route("/actuator/circuitbreakers", get(list))
        .route("/actuator/circuitbreakers/{name}", post(update_state))
        .route("/actuator/health", get(health))
        .route("/actuator/prometheus", get(prometheus))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), faults::gate))
        .with_state(shared)
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A JSON reply in the type the client accepts, or 406.
fn json(
    shared: &Shared,
    headers: &HeaderMap,
    uri: &Uri,
    status: StatusCode,
    body: String,
) -> Response {
    match media::json_reply_type(header_text(headers, header::ACCEPT)) {
        Some(content_type) => respond::body(status, content_type, body),
        None => error(shared, StatusCode::NOT_ACCEPTABLE, uri),
    }
}

fn error(shared: &Shared, status: StatusCode, uri: &Uri) -> Response {
    let now = shared.lock().now;
    respond::spring_error(now, status, uri.path())
}

async fn links(State(shared): State<Shared>, headers: HeaderMap, uri: Uri) -> Response {
    // Spring builds the links from the address the client used.
    let host = header_text(&headers, header::HOST).unwrap_or("127.0.0.1");
    let exposed = shared.lock().mode != Mode::NotExposed;
    let body = replies::links(&format!("http://{host}/actuator"), exposed);
    json(&shared, &headers, &uri, StatusCode::OK, body)
}

async fn list(State(shared): State<Shared>, headers: HeaderMap, uri: Uri) -> Response {
    let body = {
        let registry = shared.lock();
        if registry.mode == Mode::NamesOnly {
            replies::circuit_breaker_names(&registry.breakers)
        } else {
            replies::circuit_breakers(&registry.breakers)
        }
    };
    json(&shared, &headers, &uri, StatusCode::OK, body)
}

/// Checks run in Spring's order: body type, reply type, body, then the
/// operation itself.
async fn update_state(
    State(shared): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    if !media::is_json_body(header_text(&headers, header::CONTENT_TYPE)) {
        return error(&shared, StatusCode::UNSUPPORTED_MEDIA_TYPE, &uri);
    }
    if media::json_reply_type(header_text(&headers, header::ACCEPT)).is_none() {
        return error(&shared, StatusCode::NOT_ACCEPTABLE, &uri);
    }
    let Some(target) = update::requested_state(&body) else {
        return error(&shared, StatusCode::BAD_REQUEST, &uri);
    };
    let reply = {
        let mut registry = shared.lock();
        let now = registry.now;
        if !registry.breakers.contains_key(&name) && registry.create_unknown_breakers {
            let created = Breaker::new(&name, BreakerConfig::default());
            registry.breakers.insert(name.clone(), created);
        }
        registry.breakers.get_mut(&name).map(|breaker| {
            breaker.transition(now, target);
            replies::update_state(&name, breaker)
        })
    };
    match reply {
        Some(body) => json(&shared, &headers, &uri, StatusCode::OK, body),
        None => error(&shared, StatusCode::NOT_FOUND, &uri),
    }
}

async fn health(State(shared): State<Shared>, headers: HeaderMap, uri: Uri) -> Response {
    let (status, body) = {
        let registry = shared.lock();
        health::health(&registry, registry.mode != Mode::HealthDetailsHidden)
    };
    json(&shared, &headers, &uri, status, body)
}

async fn prometheus(State(shared): State<Shared>) -> Response {
    let text = exposition::scrape(&shared.lock());
    respond::body(StatusCode::OK, exposition::CONTENT_TYPE, text)
}

async fn method_not_allowed(State(shared): State<Shared>, uri: Uri) -> Response {
    error(&shared, StatusCode::METHOD_NOT_ALLOWED, &uri)
}

async fn not_found(State(shared): State<Shared>, method: Method, uri: Uri) -> Response {
    let now = shared.lock().now;
    respond::unmapped(now, &method, uri.path())
}
