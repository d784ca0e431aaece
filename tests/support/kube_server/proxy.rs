//! The pod proxy, `/api/v1/namespaces/{ns}/pods/{pod}:{port}/proxy/{path}`:
//! forwards to a target URL the test registered for that pod and port (for
//! example a test actuator server), as the API server forwards to the pod.

use axum::body::{Body, Bytes};
use axum::http::{Request, header};
use axum::response::Response;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::resource::Res;
use super::routes::{Call, Reply};
use super::state::Shared;
use super::status::{self, Failure};

/// Headers worth passing on in either direction.
const FORWARDED: [header::HeaderName; 2] = [header::CONTENT_TYPE, header::ACCEPT];

/// `name`, `name:port` or `scheme:name:port` as the path names the pod.
struct Target<'a> {
    pod: &'a str,
    port: Option<&'a str>,
}

fn parse(target: &str) -> Target<'_> {
    let parts: Vec<&str> = target.split(':').collect();
    match parts.as_slice() {
        [_scheme, pod, port] => Target {
            pod,
            port: Some(port),
        },
        [pod, port] => Target {
            pod,
            port: Some(port),
        },
        _ => Target {
            pod: target,
            port: None,
        },
    }
}

/// The pod a proxy path segment names.
pub fn pod_name(target: &str) -> &str {
    parse(target).pod
}

/// Forwards the call to the registered target and relays its answer.
pub async fn forward(shared: &Shared, call: &Call, ns: &str, target: &str, rest: &[&str]) -> Reply {
    let Target { pod, port } = parse(target);
    let base = {
        let store = shared.lock();
        let pod_object = store
            .get(Res::Pods, ns, pod)
            .ok_or_else(|| status::not_found(Res::Pods, pod))?;
        let ip = pod_object["status"]["podIP"].as_str().unwrap_or("10.0.0.1");
        let found = store
            .proxy_targets
            .iter()
            .find(|((n, p, pt), _)| n == ns && p == pod && port.is_none_or(|port| port == pt));
        match found {
            Some((_, url)) => url.clone(),
            None => {
                return Err(unreachable(
                    &format!("dial tcp {ip}:{}", port.unwrap_or("80")),
                    "connect: connection refused",
                ));
            }
        }
    };
    let mut url = format!("{}/{}", base.trim_end_matches('/'), rest.join("/"));
    if !call.raw_query.is_empty() {
        url.push('?');
        url.push_str(&call.raw_query);
    }
    let mut request = Request::builder().method(call.method.clone()).uri(&url);
    for name in FORWARDED {
        if let Some(value) = call.headers.get(&name) {
            request = request.header(name, value);
        }
    }
    let request = request
        .body(Full::new(call.body.clone()))
        .map_err(|e| status::bad_request(format!("proxy request to {url}: {e}")))?;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let answer = client
        .request(request)
        .await
        .map_err(|e| unreachable(&url, &e.to_string()))?;
    let (parts, body) = answer.into_parts();
    // Relayed as it arrives, as the API server does: a reply that never
    // ends reaches the client as one that never ends.
    let mut response = Response::new(Body::new(body));
    *response.status_mut() = parts.status;
    for name in FORWARDED {
        if let Some(value) = parts.headers.get(&name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    Ok(response)
}

/// The 503 the API server answers when the pod does not.
fn unreachable(what: &str, error: &str) -> Failure {
    status::service_unavailable(format!("error trying to reach service: {what}: {error}"))
}
