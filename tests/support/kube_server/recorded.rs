//! The record of every request the server received, for assertions such as
//! "nothing mutating was sent before confirmation" or "dryRun=All was passed".

/// One received request, in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// The path without the query, e.g. `/apis/apps/v1/namespaces/prod/deployments/pay/scale`.
    pub path: String,
    /// The raw query string without `?` (kube starts it with `&`); empty when none.
    pub query: String,
    pub content_type: Option<String>,
    /// The body as text (UTF-8, lossy).
    pub body: String,
}

impl RecordedRequest {
    /// The decoded value of one query parameter (the first if repeated).
    pub fn query_param(&self, key: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }

    /// True for verbs that can change state (POST, PUT, PATCH, DELETE).
    /// A SelfSubjectAccessReview is a POST but changes nothing: see
    /// [`RecordedRequest::is_access_review`].
    pub fn is_mutating(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
            && !self.is_access_review()
    }

    /// True for a `SelfSubjectAccessReview` creation.
    pub fn is_access_review(&self) -> bool {
        self.method == "POST" && self.path.ends_with("/selfsubjectaccessreviews")
    }

    /// True when the call asked for a dry run (`dryRun=All` in the query,
    /// or in a DELETE body as kube sends it).
    pub fn is_dry_run(&self) -> bool {
        self.query_param("dryRun").as_deref() == Some("All")
            || serde_json::from_str::<serde_json::Value>(&self.body)
                .ok()
                .and_then(|body| body.get("dryRun").cloned())
                .is_some_and(|dry| dry == serde_json::json!(["All"]))
    }
}
