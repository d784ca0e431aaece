//! Authorization: the 403 rules a test installs with `forbid`, applied to
//! calls and answered by `SelfSubjectAccessReview`.

use serde_json::{Value, json};

use super::resource::Res;
use super::routes::Reply;
use super::state::Shared;
use super::status::{self, Failure};

/// A denial: `verb` on `resource` in `namespace`.
///
/// `verb` is an RBAC verb (`get`, `list`, `watch`, `create`, `update`,
/// `patch`, `delete`) or `*`. `resource` is `plural` or `plural/subresource`
/// (`deployments/scale`, `pods/log`, `pods/proxy`) for the core and `apps`
/// groups, or `plural.group` for others (`pods.metrics.k8s.io`).
/// `namespace` is a namespace, or `*` for every namespace and cluster-wide
/// calls.
#[derive(Debug, Clone)]
pub struct ForbidRule {
    pub verb: String,
    pub resource: String,
    pub namespace: String,
}

/// What one call would do, in RBAC terms.
pub struct Access<'a> {
    pub verb: &'a str,
    pub group: &'a str,
    pub plural: &'a str,
    pub sub: Option<&'a str>,
    pub namespace: Option<&'a str>,
}

impl ForbidRule {
    fn denies(&self, access: &Access<'_>) -> bool {
        let verb_ok = self.verb == "*" || self.verb == access.verb;
        let ns_ok = self.namespace == "*" || access.namespace == Some(self.namespace.as_str());
        let with_sub = |name: String| match access.sub {
            Some(sub) => format!("{name}/{sub}"),
            None => name,
        };
        let qualified = with_sub(format!("{}.{}", access.plural, access.group));
        // Bare plurals name the core and apps resources, which is what tests
        // mean by "pods" or "deployments".
        let bare_ok = matches!(access.group, "" | "apps")
            && self.resource == with_sub(access.plural.to_string());
        verb_ok && ns_ok && (bare_ok || self.resource == qualified)
    }
}

impl Shared {
    /// The 403 for a call that a forbid rule covers.
    pub fn authorize(&self, res: Res, access: &Access<'_>, name: &str) -> Result<(), Failure> {
        let store = self.lock();
        if store.forbidden.iter().any(|rule| rule.denies(access)) {
            return Err(status::forbidden(
                &store.user,
                access.verb,
                res,
                access.sub,
                access.namespace,
                name,
            ));
        }
        Ok(())
    }
}

/// `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`: echoes the
/// review with `status.allowed` decided by the forbid rules.
pub fn self_subject_access_review(shared: &Shared, body: &[u8]) -> Reply {
    let mut review: Value = serde_json::from_slice(body)
        .map_err(|e| status::bad_request(format!("error decoding request body: {e}")))?;
    let attrs = &review["spec"]["resourceAttributes"];
    let text = |key: &str| attrs[key].as_str().unwrap_or_default().to_string();
    let (verb, group, plural, sub, ns) = (
        text("verb"),
        text("group"),
        text("resource"),
        text("subresource"),
        text("namespace"),
    );
    let access = Access {
        verb: &verb,
        group: &group,
        plural: &plural,
        sub: (!sub.is_empty()).then_some(sub.as_str()),
        namespace: (!ns.is_empty()).then_some(ns.as_str()),
    };
    let store = shared.lock();
    let denied = attrs.is_object() && store.forbidden.iter().any(|rule| rule.denies(&access));
    review["status"] = if denied {
        let resource = access
            .sub
            .map_or(plural.clone(), |sub| format!("{plural}/{sub}"));
        json!({
            "allowed": false,
            "reason": status::rbac_denial(&store.user, &verb, &resource, &group, access.namespace),
        })
    } else {
        json!({
            "allowed": true,
            "reason": format!(
                "RBAC: allowed by ClusterRoleBinding \"test-admin\" of ClusterRole \"cluster-admin\" to User \"{}\"",
                store.user
            ),
        })
    };
    review["apiVersion"] = json!("authorization.k8s.io/v1");
    review["kind"] = json!("SelfSubjectAccessReview");
    if review
        .get("metadata")
        .is_none_or(|m| m.get("creationTimestamp").is_none())
    {
        review["metadata"]["creationTimestamp"] = Value::Null;
    }
    Ok(super::routes::created(&review))
}
