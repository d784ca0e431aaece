//! Names, statuses, images and messages come from the API server: made safe
//! to show where a list or a change enters the app. Names that Kubernetes
//! already validated pass unchanged, so actions still find their objects.

use super::model::{
    Container, Deployment, KubeEvent, KubeUpdate, Pod, PodMetrics, ReplicaSet, RevisionMetrics,
    Termination,
};
use crate::core::clean::Sanitize;

crate::core::clean::sanitize_fields! {
    Container { name, image, state, last_termination, probes }
    Termination { reason }
    Deployment { name, namespace, image, stuck, selector, progressing, images, resource_version }
    ReplicaSet { name, namespace, deployment, images, change_cause, pod_template_hash }
    KubeEvent { namespace, object_kind, object_name, reason, message }
    PodMetrics { namespace, pod }
    RevisionMetrics { service, version }
}

impl Sanitize for KubeUpdate {
    fn sanitize(&mut self) {
        match self {
            KubeUpdate::Pods(pods) => pods.sanitize(),
            KubeUpdate::PodsChanged { upserted, deleted } => {
                upserted.sanitize();
                deleted.sanitize();
            }
            KubeUpdate::Deployments(d) => d.sanitize(),
            KubeUpdate::DeploymentsChanged { upserted, deleted } => {
                upserted.sanitize();
                deleted.sanitize();
            }
            KubeUpdate::ReplicaSets(r) => r.sanitize(),
            KubeUpdate::ReplicaSetsChanged { upserted, deleted } => {
                upserted.sanitize();
                deleted.sanitize();
            }
            KubeUpdate::Events(e) => e.sanitize(),
            KubeUpdate::Metrics(m) => m.sanitize(),
            KubeUpdate::RevisionMetrics(m) => m.sanitize(),
            KubeUpdate::Scope { context, namespace } => {
                context.sanitize();
                namespace.sanitize();
            }
            KubeUpdate::Contexts(c) => c.sanitize(),
        }
    }
}

impl Sanitize for Pod {
    fn sanitize(&mut self) {
        self.name.sanitize();
        self.namespace.sanitize();
        self.deployment.sanitize();
        self.status.sanitize();
        self.node.sanitize();
        self.labels.sanitize();
        self.containers.sanitize();
        for (kind, _) in &mut self.conditions {
            kind.sanitize();
        }
    }
}
