//! Building HTTP responses: a body with its type, or Spring's error JSON.

use std::time::Duration;

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::replies;

pub fn body(status: StatusCode, content_type: &str, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, content_type.to_owned())],
        body,
    )
        .into_response()
}

/// Spring Boot's error page as JSON, e.g. a 404 for `path`.
pub fn spring_error(now: Duration, status: StatusCode, path: &str) -> Response {
    let text = replies::spring_error(now, status, path);
    body(status, "application/json", text)
}

/// A path no endpoint maps. Spring MVC's static-resource handler takes
/// every such path and serves only GET and HEAD, so those get 404 and
/// other methods 405.
pub fn unmapped(now: Duration, method: &Method, path: &str) -> Response {
    if method == Method::GET || method == Method::HEAD {
        return spring_error(now, StatusCode::NOT_FOUND, path);
    }
    let mut response = spring_error(now, StatusCode::METHOD_NOT_ALLOWED, path);
    let allow = HeaderValue::from_static("GET,HEAD");
    response.headers_mut().insert(header::ALLOW, allow);
    response
}
