//! What runs before every handler: the request log, the bearer-token check
//! and the fault modes that mimic badly deployed or protected actuators.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::registry::Shared;
use super::respond;

/// How the actuator misbehaves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// Serves as configured.
    #[default]
    Normal,
    /// `circuitbreakers` is missing from `management.endpoints.web.exposure`:
    /// its paths are unmapped, so GET answers Spring's 404 (POST 405).
    NotExposed,
    /// Spring Security with HTTP basic: every path answers 401 with
    /// `WWW-Authenticate: Basic realm="Realm"` and Spring's error body.
    Unauthorized,
    /// Authenticated but without the role: every path answers 403.
    Forbidden,
    /// An SSO proxy in front: every path answers 200 with an HTML login page.
    Html,
    /// JSON replies come back cut in half, still 200 `application/json`.
    JunkJson,
    /// Write operations are off (`access: read-only`): a POST to a breaker
    /// is unmapped and answers 405, `Allow: GET,HEAD`.
    ReadOnly,
    /// `management.endpoint.health.show-details: never` (Spring's default):
    /// health answers only its overall status.
    HealthDetailsHidden,
    /// resilience4j 1.x: `/circuitbreakers` lists names without figures.
    NamesOnly,
}

/// A login form, as an identity proxy or Spring Security's form login
/// serves one instead of the page asked for.
const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n\
<meta charset=\"utf-8\">\n<title>Please sign in</title>\n</head>\n<body>\n\
<form method=\"post\" action=\"/login\">\n<h2>Please sign in</h2>\n\
<input type=\"text\" name=\"username\" placeholder=\"Username\" required>\n\
<input type=\"password\" name=\"password\" placeholder=\"Password\" required>\n\
<button type=\"submit\">Sign in</button>\n</form>\n</body>\n</html>\n";

/// The breaker endpoint's paths: the listing and each breaker.
pub fn is_breakers_path(path: &str) -> bool {
    path == "/actuator/circuitbreakers" || path.starts_with("/actuator/circuitbreakers/")
}

/// The axum middleware in front of every route and fallback.
pub async fn gate(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |p| p.as_str().to_owned());
    let (mode, now, token) = {
        let mut registry = shared.lock();
        let line = format!("{} {target}", request.method());
        registry.requests.push(line);
        (registry.mode, registry.now, registry.bearer_token.clone())
    };
    if let Some(token) = token
        && let Some(refusal) = check_bearer(&request, &token)
    {
        return refusal;
    }
    let method = request.method().clone();
    match mode {
        Mode::Unauthorized => {
            let mut response = respond::spring_error(now, StatusCode::UNAUTHORIZED, &path);
            let challenge = header::HeaderValue::from_static("Basic realm=\"Realm\"");
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
            response
        }
        Mode::Forbidden => respond::spring_error(now, StatusCode::FORBIDDEN, &path),
        Mode::Html => respond::body(
            StatusCode::OK,
            "text/html;charset=UTF-8",
            LOGIN_PAGE.to_owned(),
        ),
        Mode::NotExposed if is_breakers_path(&path) => respond::unmapped(now, &method, &path),
        // Without the write operation a breaker's path maps nothing for POST.
        Mode::ReadOnly
            if method == Method::POST && path.starts_with("/actuator/circuitbreakers/") =>
        {
            respond::unmapped(now, &method, &path)
        }
        Mode::JunkJson => cut_json(next.run(request).await).await,
        _ => next.run(request).await,
    }
}

/// Spring Security's bearer-token resource server: 401 with a challenge
/// and no body when the token is missing or wrong.
fn check_bearer(request: &Request, token: &str) -> Option<Response> {
    let sent = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let challenge = match sent {
        Some(value) if value == format!("Bearer {token}") => return None,
        Some(_) => "Bearer error=\"invalid_token\", error_description=\"Invalid token\"",
        None => "Bearer",
    };
    let headers = [(header::WWW_AUTHENTICATE, challenge)];
    Some((StatusCode::UNAUTHORIZED, headers).into_response())
}

/// Keeps the first half of a JSON body, as a proxy that drops the
/// connection mid-reply would; other bodies pass unchanged.
async fn cut_json(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("json"));
    if !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX)
        .await
        .expect("the server's own replies are in memory");
    let half = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(half))
}
