//! Kubernetes failures as one line an on-call engineer can act on:
//! `forbidden: list pods in production (pods is forbidden: User ...)`.
//! Every text passes through `redact`, so no credential reaches the screen.

use kube::runtime::watcher;

/// The call that failed, in RBAC words.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub verb: &'a str,
    /// `pods`, `deployments/scale`, `pods.metrics.k8s.io`, ...
    pub resource: &'a str,
    /// `None` for all namespaces.
    pub namespace: Option<&'a str>,
}

impl Attempt<'_> {
    fn what(&self) -> String {
        match self.namespace {
            Some(ns) => format!("{} {} in {ns}", self.verb, self.resource),
            None => format!("{} {} in all namespaces", self.verb, self.resource),
        }
    }
}

/// A client error while attempting `attempt`.
pub fn describe(err: &kube::Error, attempt: Attempt<'_>) -> String {
    let text = match err {
        kube::Error::Api(status) => describe_status(status, attempt),
        other => format!("{} failed: {}", attempt.what(), chain(other)),
    };
    redact(&text)
}

/// A `Status` the server answered while attempting `attempt`.
pub fn describe_status(status: &kube::core::Status, attempt: Attempt<'_>) -> String {
    let message = if status.message.is_empty() {
        status.reason.clone()
    } else {
        status.message.clone()
    };
    let text = match status.code {
        403 => format!("forbidden: {} ({message})", attempt.what()),
        401 => format!(
            "unauthorized: the API server refused the credentials to {} ({message})",
            attempt.what()
        ),
        code => format!(
            "{} failed: {message} ({code} {})",
            attempt.what(),
            status.reason
        ),
    };
    redact(&text)
}

/// A watcher error, or `None` for the ones that are part of normal
/// operation (an expired watch is followed by a relist).
pub fn describe_watch(
    err: &watcher::Error,
    resource: &str,
    namespace: Option<&str>,
) -> Option<String> {
    let attempt = |verb| Attempt {
        verb,
        resource,
        namespace,
    };
    match err {
        watcher::Error::InitialListFailed(e) => Some(describe(e, attempt("list"))),
        watcher::Error::WatchStartFailed(e) | watcher::Error::WatchFailed(e) => {
            Some(describe(e, attempt("watch")))
        }
        watcher::Error::WatchError(status) if status.code == 410 => None,
        watcher::Error::WatchError(status) => Some(describe_status(status, attempt("watch"))),
        watcher::Error::NoResourceVersion => Some(format!(
            "{}: the server sent no resourceVersion",
            attempt("list").what()
        )),
    }
}

/// An error and its causes, without the repetition kube's wrappers add
/// (`HyperError: client error (Connect): tcp connect error: Connection
/// refused` says "connect" three times).
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        // Wrappers print their cause too; keep only the part they add.
        let own = match e.source().map(|s| s.to_string()) {
            Some(cause) if !cause.is_empty() => text
                .strip_suffix(&cause)
                .map(|t| t.trim_end_matches([':', ' ']).to_string())
                .unwrap_or(text),
            _ => text,
        };
        // A bare type name (`ServiceError`, `HyperError`) tells the reader nothing.
        let type_name = !own.contains(' ') && own.ends_with("Error");
        if !own.is_empty() && !type_name && !parts.iter().any(|p| p.contains(&own)) {
            parts.push(own);
        }
        next = e.source();
    }
    redact(&parts.join(": "))
}

/// Kubeconfig keys whose values are credentials.
const SECRET_KEYS: [&str; 6] = [
    "token:",
    "client-key-data:",
    "password:",
    "id-token:",
    "refresh-token:",
    "access-token:",
];

/// `redact`, plus the credential fields of a kubeconfig, which a YAML parse
/// error may quote (`token: abc` becomes `token: ***`).
pub fn redact(text: &str) -> String {
    let mut out = crate::core::redact::redact(text);
    for key in SECRET_KEYS {
        let mut masked = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(key) {
            let (head, tail) = rest.split_at(i + key.len());
            masked.push_str(head);
            let value_start = tail.len() - tail.trim_start_matches([' ', '"', '\'']).len();
            masked.push_str(&tail[..value_start]);
            let value = &tail[value_start..];
            // A quoted value ends at its quote; a plain one at a blank or delimiter.
            let end = match tail[..value_start].chars().last() {
                Some(q @ ('"' | '\'')) => value.find(q),
                _ => value.find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '}')),
            }
            .unwrap_or(value.len());
            if end > 0 {
                masked.push_str("***");
            }
            rest = &value[end..];
        }
        masked.push_str(rest);
        out = masked;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;

    fn forbidden() -> Status {
        serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/kube/status-forbidden-scale.json"
        )))
        .unwrap()
    }

    #[test]
    fn a_403_names_the_verb_resource_and_namespace_then_the_server() {
        let attempt = Attempt {
            verb: "patch",
            resource: "deployments/scale",
            namespace: Some("production"),
        };
        assert_eq!(
            describe(&kube::Error::Api(Box::new(forbidden())), attempt),
            "forbidden: patch deployments/scale in production (deployments.apps \"payment-service\" is forbidden: User \"oncall@example.com\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"production\")"
        );
    }

    #[test]
    fn other_statuses_and_watch_errors() {
        let gone = Status::failure("too old resource version: 1 (5)", "Expired").with_code(410);
        assert_eq!(
            describe_watch(
                &watcher::Error::WatchError(Box::new(gone)),
                "pods",
                Some("p")
            ),
            None
        );
        let down = Status::failure("etcdserver: request timed out", "InternalError").with_code(500);
        assert_eq!(
            describe_watch(&watcher::Error::InitialListFailed(kube::Error::Api(Box::new(down))), "pods", None),
            Some("list pods in all namespaces failed: etcdserver: request timed out (500 InternalError)".into())
        );
    }

    #[test]
    fn causes_are_joined_without_repeats_and_secrets_are_redacted() {
        #[derive(Debug)]
        struct Outer(Inner);
        #[derive(Debug)]
        struct Inner;
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "client error (Connect): {}", self.0)
            }
        }
        impl std::fmt::Display for Inner {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("Connection refused; sent Bearer abc.def")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        impl std::error::Error for Inner {}
        let text = chain(&Outer(Inner));
        assert_eq!(
            text,
            "client error (Connect): Connection refused; sent Bearer ***"
        );
    }

    #[test]
    fn kubeconfig_credentials_are_redacted() {
        assert_eq!(
            redact(
                "invalid type at line 9: \"token: abc.def\", client-key-data:LS0t password: 'x y'"
            ),
            "invalid type at line 9: \"token: ***\", client-key-data:*** password: '***'"
        );
        assert_eq!(redact("token: "), "token: ");
    }
}
