//! The single entry point of the HTTP server: records the request, checks
//! the bearer token, maps the path to a handler and the call to an RBAC
//! access that forbid rules may deny.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::authz::{self, Access};
use super::recorded::RecordedRequest;
use super::resource::Res;
use super::state::Shared;
use super::status::{self, Failure};
use super::{discovery, logs, metrics, objects, proxy, scale, watch};

/// The bearer token the kubeconfig carries and the server accepts.
pub const TOKEN: &str = "test-token";
/// Request bodies above this are refused; tests never need more.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// What handlers return: a response, or a Status failure.
pub type Reply = Result<Response, Failure>;

/// Query parameters of one call, decoded.
pub struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: &str) -> Self {
        Self(
            form_urlencoded::parse(raw.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Boolean parameters: the API server accepts `true` and `1`.
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1"))
    }

    /// `dryRun=All` asked; any other value is the real server's 400.
    pub fn dry_run(&self) -> Result<bool, Failure> {
        match self.get("dryRun") {
            None => Ok(false),
            Some("All") => Ok(true),
            Some(other) => Err(status::bad_request(format!(
                "dryRun: Unsupported value: \"{other}\": supported values: \"All\""
            ))),
        }
    }

    /// A numeric parameter; a malformed one is a 400.
    pub fn number(&self, key: &str) -> Result<Option<i64>, Failure> {
        self.get(key)
            .map(|v| {
                v.parse().map_err(|_| {
                    status::bad_request(format!(
                        "{key}: Invalid value: \"{v}\": must be an integer"
                    ))
                })
            })
            .transpose()
    }
}

/// One received call, handed to the handlers.
pub struct Call {
    pub method: Method,
    pub segments: Vec<String>,
    pub raw_query: String,
    pub query: Query,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Call {
    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A JSON reply with the given code.
pub fn json_response(code: StatusCode, body: &Value) -> Response {
    let text = serde_json::to_vec(body).expect("serde_json::Value always serializes");
    (code, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}

/// 200 with a JSON object.
pub fn ok(body: &Value) -> Response {
    json_response(StatusCode::OK, body)
}

/// 201 with a JSON object, as for a creation.
pub fn created(body: &Value) -> Response {
    json_response(StatusCode::CREATED, body)
}

/// The axum fallback handler that serves every path.
pub async fn handle(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(e) => return status::bad_request(format!("reading body: {e}")).into_response(),
    };
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    let call = Call {
        method: parts.method,
        segments: parts
            .uri
            .path()
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        query: Query::parse(&raw_query),
        raw_query,
        headers: parts.headers,
        body,
    };
    record(&shared, &call, parts.uri.path());
    if !authenticated(&call.headers) {
        return status::unauthorized().into_response();
    }
    let write = call.method == Method::PATCH || call.method == Method::DELETE;
    let read = call.method == Method::GET && call.query.get("watch").is_none();
    let (write_delay, read_delay) = {
        let store = shared.lock();
        (store.write_delay, store.read_delay)
    };
    let delay = if write && call.query.get("dryRun").is_none() {
        write_delay
    } else if read {
        read_delay
    } else {
        None
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    match dispatch(&shared, &call).await {
        Ok(response) => response,
        Err(failure) => failure.into_response(),
    }
}

fn record(shared: &Shared, call: &Call, path: &str) {
    let content_type = call.headers.get(header::CONTENT_TYPE);
    shared.lock().requests.push(RecordedRequest {
        method: call.method.to_string(),
        path: path.to_string(),
        query: call.raw_query.clone(),
        content_type: content_type
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: String::from_utf8_lossy(&call.body).into_owned(),
    });
}

fn authenticated(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| token == TOKEN)
}

async fn dispatch(shared: &Shared, call: &Call) -> Reply {
    let segs: Vec<&str> = call.segments.iter().map(String::as_str).collect();
    let get = call.method == Method::GET;
    match segs.as_slice() {
        ["version"] if get => Ok(ok(&discovery::version(&shared.lock().git_version))),
        ["api"] if get => Ok(ok(&discovery::core_versions())),
        ["apis"] if get => Ok(ok(&discovery::groups(shared))),
        ["api", "v1"] if get => Ok(ok(&discovery::core_resources())),
        ["apis", "apps", "v1"] if get => Ok(ok(&discovery::apps_resources())),
        ["apis", "authorization.k8s.io", "v1"] if get => {
            Ok(ok(&discovery::authorization_resources()))
        }
        [
            "apis",
            "authorization.k8s.io",
            "v1",
            "selfsubjectaccessreviews",
        ] if call.method == Method::POST => authz::self_subject_access_review(shared, &call.body),
        ["apis", "metrics.k8s.io", rest @ ..] => metrics::handle(shared, call, rest),
        [
            "api",
            "v1",
            "namespaces",
            ns,
            "pods",
            target,
            "proxy",
            rest @ ..,
        ] => {
            let pod = proxy::pod_name(target);
            shared.authorize(Res::Pods, &proxy_access(call, ns), pod)?;
            proxy::forward(shared, call, ns, target, rest).await
        }
        ["api", "v1", "namespaces", ns, "pods", pod, "log"] if get => {
            let access = access("get", Res::Pods, Some("log"), Some(ns));
            shared.authorize(Res::Pods, &access, pod)?;
            logs::logs(shared, ns, pod, &call.query)
        }
        ["api", "v1", rest @ ..] => resource(shared, call, "", "v1", rest),
        ["apis", "apps", "v1", rest @ ..] => resource(shared, call, "apps", "v1", rest),
        _ => Err(status::no_such_path()),
    }
}

/// Routes `.../{plural}`, `.../namespaces/{ns}/{plural}[/{name}[/{sub}]]`.
fn resource(shared: &Shared, call: &Call, group: &str, version: &str, rest: &[&str]) -> Reply {
    let (ns, plural, name, sub) = match rest {
        [plural] => (None, *plural, None, None),
        ["namespaces", ns, plural] => (Some(*ns), *plural, None, None),
        ["namespaces", ns, plural, name] => (Some(*ns), *plural, Some(*name), None),
        ["namespaces", ns, plural, name, sub] => (Some(*ns), *plural, Some(*name), Some(*sub)),
        _ => return Err(status::no_such_path()),
    };
    let res = Res::from_path(group, version, plural).ok_or_else(status::no_such_path)?;
    let watching = call.query.flag("watch");
    let verb = match (&call.method, name) {
        (&Method::GET, None) if watching => "watch",
        (&Method::GET, None) => "list",
        (&Method::GET, Some(_)) => "get",
        (&Method::POST, None) => "create",
        (&Method::PUT, Some(_)) => "update",
        (&Method::PATCH, Some(_)) => "patch",
        (&Method::DELETE, Some(_)) => "delete",
        _ => return Err(status::method_not_allowed()),
    };
    shared.authorize(res, &access(verb, res, sub, ns), name.unwrap_or(""))?;
    let q = &call.query;
    match (verb, ns, name, sub) {
        ("watch", ns, None, None) => watch::watch(shared, res, ns, q),
        ("list", ns, None, None) => objects::list(shared, res, ns, q),
        ("create", Some(ns), None, None) => objects::create(shared, res, ns, q, &call.body),
        ("get", Some(ns), Some(name), None) => objects::get(shared, res, ns, name),
        ("update", Some(ns), Some(name), None) => {
            objects::replace(shared, res, ns, name, q, &call.body)
        }
        ("patch", Some(ns), Some(name), None) => objects::patch(shared, res, ns, name, call),
        ("delete", Some(ns), Some(name), None) => {
            objects::delete(shared, res, ns, name, q, &call.body)
        }
        (verb, Some(ns), Some(name), Some("scale")) if res == Res::Deployments => {
            scale::handle(shared, verb, ns, name, call)
        }
        _ => Err(status::method_not_allowed()),
    }
}

fn access<'a>(verb: &'a str, res: Res, sub: Option<&'a str>, ns: Option<&'a str>) -> Access<'a> {
    Access {
        verb,
        group: res.group(),
        plural: res.plural(),
        sub,
        namespace: ns,
    }
}

fn proxy_access<'a>(call: &Call, ns: &'a str) -> Access<'a> {
    let verb = match call.method {
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE => "delete",
        _ => "get",
    };
    access(verb, Res::Pods, Some("proxy"), Some(ns))
}

/// A streaming reply (watch events or log lines) fed by a channel; the
/// response ends when the sender is dropped.
pub fn streaming(content_type: &'static str, rx: tokio::sync::mpsc::Receiver<Bytes>) -> Response {
    let chunks = futures::stream::unfold(rx, |mut rx| async move {
        let bytes = rx.recv().await?;
        Some((Ok::<_, std::convert::Infallible>(bytes), rx))
    });
    let mut response = Response::new(Body::from_stream(chunks));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    );
    response
}
