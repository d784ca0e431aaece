//! "May I?": `SelfSubjectAccessReview` for one verb on one resource, the
//! question both `opsdeck check` and the action guard ask before trying.

use super::errors::{Attempt, describe};
use crate::core::action::Action;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::Client;
use kube::api::{Api, PostParams};

/// One permission, in RBAC terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission<'a> {
    pub verb: &'a str,
    /// `""` for the core group, `apps`, ...
    pub group: &'a str,
    pub resource: &'a str,
    pub subresource: Option<&'a str>,
    /// `None` for all namespaces / cluster-wide.
    pub namespace: Option<&'a str>,
    pub name: Option<&'a str>,
}

impl Permission<'_> {
    /// `patch deployments/scale in production`.
    pub fn describe(&self) -> String {
        let resource = match self.subresource {
            Some(sub) => format!("{}/{sub}", self.resource),
            None => self.resource.to_string(),
        };
        match self.namespace {
            Some(ns) => format!("{} {resource} in {ns}", self.verb),
            None => format!("{} {resource} in all namespaces", self.verb),
        }
    }
}

/// The server's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Allowed,
    /// With the server's reason (may be empty).
    Denied(String),
}

/// Asks the API server; `Err` when the review itself could not be made.
pub async fn review(client: &Client, p: &Permission<'_>) -> Result<Answer, String> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: p.namespace.map(str::to_string),
                verb: Some(p.verb.to_string()),
                group: Some(p.group.to_string()),
                resource: Some(p.resource.to_string()),
                subresource: p.subresource.map(str::to_string),
                name: p.name.map(str::to_string),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let answered = api
        .create(&PostParams::default(), &review)
        .await
        .map_err(|e| {
            let attempt = Attempt {
                verb: "create",
                resource: "selfsubjectaccessreviews",
                namespace: None,
            };
            describe(&e, attempt)
        })?;
    let status = answered.status.unwrap_or_default();
    if status.allowed && status.denied != Some(true) {
        return Ok(Answer::Allowed);
    }
    let reason = status
        .reason
        .filter(|r| !r.is_empty())
        .or(status.evaluation_error.filter(|e| !e.is_empty()))
        .unwrap_or_default();
    Ok(Answer::Denied(reason))
}

/// The RBAC question for a plan.
pub fn permission<'a>(action: &Action, namespace: &'a str, name: &'a str) -> Permission<'a> {
    let (verb, group, resource, subresource) = match action {
        Action::Scale { .. } => ("patch", "apps", "deployments", Some("scale")),
        Action::RolloutRestart { .. } | Action::Rollback { .. } | Action::RolloutPause { .. } => {
            ("patch", "apps", "deployments", None)
        }
        Action::DeletePod { .. } => ("delete", "", "pods", None),
        // Through the pod proxy, a POST is `create` on `pods/proxy`.
        Action::Breaker { .. } => ("create", "", "pods", Some("proxy")),
        Action::ResetOffsets { .. } => ("get", "", "pods", None),
        // Never asked: `call` refuses plans that are not Kubernetes actions.
        Action::PgSignal { .. } | Action::MongoKillOp { .. } => ("", "", "", None),
    };
    Permission {
        verb,
        group,
        resource,
        subresource,
        namespace: Some(namespace),
        name: Some(name),
    }
}
