//! The resource types this server stores, with the names the API uses for
//! them in paths, lists, error messages and RBAC.

/// A stored resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Res {
    Pods,
    Deployments,
    /// `apps/v1` ReplicaSets: a deployment's revisions.
    ReplicaSets,
    Events,
    /// `metrics.k8s.io` PodMetrics; not watched, only named in errors.
    PodMetrics,
}

impl Res {
    /// Finds the resource served at `/{api or apis/group}/{version}/.../{plural}`.
    pub fn from_path(group: &str, version: &str, plural: &str) -> Option<Self> {
        match (group, version, plural) {
            ("", "v1", "pods") => Some(Self::Pods),
            ("", "v1", "events") => Some(Self::Events),
            ("apps", "v1", "deployments") => Some(Self::Deployments),
            ("apps", "v1", "replicasets") => Some(Self::ReplicaSets),
            _ => None,
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Self::Pods | Self::PodMetrics => "pods",
            Self::Deployments => "deployments",
            Self::ReplicaSets => "replicasets",
            Self::Events => "events",
        }
    }

    pub fn group(self) -> &'static str {
        match self {
            Self::Pods | Self::Events => "",
            Self::Deployments | Self::ReplicaSets => "apps",
            Self::PodMetrics => "metrics.k8s.io",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            Self::Pods | Self::Events => "v1",
            Self::Deployments | Self::ReplicaSets => "apps/v1",
            Self::PodMetrics => "metrics.k8s.io/v1beta1",
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Self::Pods => "Pod",
            Self::Deployments => "Deployment",
            Self::ReplicaSets => "ReplicaSet",
            Self::Events => "Event",
            Self::PodMetrics => "PodMetrics",
        }
    }

    pub fn list_kind(self) -> String {
        format!("{}List", self.kind())
    }

    /// `plural.group` as error messages name it (`deployments.apps`);
    /// metrics errors say `podmetrics.metrics.k8s.io`.
    pub fn qualified(self) -> String {
        match self {
            Self::PodMetrics => "podmetrics.metrics.k8s.io".to_string(),
            _ if self.group().is_empty() => self.plural().to_string(),
            _ => format!("{}.{}", self.plural(), self.group()),
        }
    }

    /// Field selector labels the real server accepts for this resource.
    pub fn selectable_fields(self) -> &'static [&'static str] {
        match self {
            Self::Pods => &[
                "metadata.name",
                "metadata.namespace",
                "spec.nodeName",
                "spec.restartPolicy",
                "spec.schedulerName",
                "spec.serviceAccountName",
                "spec.hostNetwork",
                "status.phase",
                "status.podIP",
                "status.nominatedNodeName",
            ],
            Self::Events => &[
                "metadata.name",
                "metadata.namespace",
                "involvedObject.kind",
                "involvedObject.namespace",
                "involvedObject.name",
                "involvedObject.uid",
                "involvedObject.apiVersion",
                "involvedObject.resourceVersion",
                "involvedObject.fieldPath",
                "reason",
                "reportingComponent",
                "source",
                "type",
            ],
            Self::Deployments | Self::ReplicaSets | Self::PodMetrics => {
                &["metadata.name", "metadata.namespace"]
            }
        }
    }
}
