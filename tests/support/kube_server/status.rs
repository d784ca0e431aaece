//! `metav1.Status` failures, built with the reasons, codes and message
//! wording the real API server uses, so clients parse them as they would in
//! production.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::resource::Res;

/// One failed call: HTTP code, `reason` and `message` of the Status body.
#[derive(Debug, Clone)]
pub struct Failure {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

impl Failure {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// The `Status` object as the server sends it (also the object of a watch
    /// `ERROR` event).
    pub fn to_json(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        status
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        super::routes::json_response(code, &self.to_json())
    }
}

/// `details` naming one object, as the API server fills it.
fn object_details(res: Res, name: &str) -> Value {
    let mut details = json!({"name": name, "kind": res.plural()});
    if !res.group().is_empty() {
        details["group"] = json!(res.group());
    }
    details
}

/// 404 for a named object: `pods "x" not found`.
pub fn not_found(res: Res, name: &str) -> Failure {
    Failure::new(
        404,
        "NotFound",
        format!("{} \"{name}\" not found", res.qualified()),
    )
    .with_details(object_details(res, name))
}

/// 404 for a path the server does not serve (also an API group that is not
/// installed, such as `metrics.k8s.io` without metrics-server).
pub fn no_such_path() -> Failure {
    Failure::new(
        404,
        "NotFound",
        "the server could not find the requested resource",
    )
    .with_details(json!({}))
}

/// 409 when an object with that name exists already.
pub fn already_exists(res: Res, name: &str) -> Failure {
    Failure::new(
        409,
        "AlreadyExists",
        format!("{} \"{name}\" already exists", res.qualified()),
    )
    .with_details(object_details(res, name))
}

/// 409 when a write names a `resourceVersion` that is not the current one.
pub fn conflict(res: Res, name: &str) -> Failure {
    Failure::new(
        409,
        "Conflict",
        format!(
            "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; \
             please apply your changes to the latest version and try again",
            res.qualified()
        ),
    )
    .with_details(object_details(res, name))
}

/// 410 for a watch or list that starts from a compacted resourceVersion.
pub fn expired(message: impl Into<String>) -> Failure {
    Failure::new(410, "Expired", message)
}

/// The watch `ERROR` for a resourceVersion older than the server keeps.
pub fn too_old_resource_version(requested: u64, oldest: u64) -> Failure {
    expired(format!("too old resource version: {requested} ({oldest})"))
}

/// 400 with the given message.
pub fn bad_request(message: impl Into<String>) -> Failure {
    Failure::new(400, "BadRequest", message)
}

/// 401 for a missing or wrong bearer token.
pub fn unauthorized() -> Failure {
    Failure::new(401, "Unauthorized", "Unauthorized")
}

/// 403 as RBAC words it; `name` is empty for collection verbs such as list.
pub fn forbidden(
    user: &str,
    verb: &str,
    res: Res,
    sub: Option<&str>,
    namespace: Option<&str>,
    name: &str,
) -> Failure {
    let resource = match sub {
        Some(sub) => format!("{}/{sub}", res.plural()),
        None => res.plural().to_string(),
    };
    let subject = if name.is_empty() {
        res.qualified()
    } else {
        format!("{} \"{name}\"", res.qualified())
    };
    let reason = rbac_denial(user, verb, &resource, res.group(), namespace);
    let mut details = json!({"kind": res.plural()});
    if !name.is_empty() {
        details["name"] = json!(name);
    }
    if !res.group().is_empty() {
        details["group"] = json!(res.group());
    }
    Failure::new(
        403,
        "Forbidden",
        format!("{subject} is forbidden: {reason}"),
    )
    .with_details(details)
}

/// The sentence RBAC uses for a denial; also the SelfSubjectAccessReview
/// `reason` of a denied review.
pub fn rbac_denial(
    user: &str,
    verb: &str,
    resource: &str,
    group: &str,
    namespace: Option<&str>,
) -> String {
    let scope = match namespace {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_string(),
    };
    format!(
        "User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {scope}"
    )
}

/// 405 for a verb the resource does not support.
pub fn method_not_allowed() -> Failure {
    Failure::new(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource",
    )
    .with_details(json!({}))
}

/// 415 for a PATCH content type this server does not apply.
pub fn unsupported_patch(content_type: &str) -> Failure {
    Failure::new(
        415,
        "UnsupportedMediaType",
        format!(
            "the body of the request was in an unknown format ({content_type}) - accepted media \
             types include: application/merge-patch+json, application/strategic-merge-patch+json, \
             application/apply-patch+yaml, application/json-patch+json"
        ),
    )
}

/// 422 for a JSON patch that does not apply: the generic message, the
/// patch library's reason as the one cause, as the API server sends it.
pub fn json_patch_failed(reason: String) -> Failure {
    Failure::new(
        422,
        "Invalid",
        "the server rejected our request due to an error in our request",
    )
    .with_details(json!({"causes": [{"reason": "UnexpectedServerResponse", "message": reason}]}))
}

/// 422 for an object that fails validation.
pub fn invalid(kind: &str, group: &str, name: &str, field: &str, message: &str) -> Failure {
    let qualified = if group.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}.{group}")
    };
    Failure::new(
        422,
        "Invalid",
        format!("{qualified} \"{name}\" is invalid: {field}: {message}"),
    )
    .with_details(json!({
        "name": name,
        "group": group,
        "kind": kind,
        "causes": [{"reason": "FieldValueInvalid", "message": message, "field": field}],
    }))
}

/// 503, as for an aggregated API whose backend is down, or an unreachable
/// pod behind the proxy.
pub fn service_unavailable(message: impl Into<String>) -> Failure {
    Failure::new(503, "ServiceUnavailable", message)
}
