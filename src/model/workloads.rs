//! Deployments and pods as actions need them: names to target and complete,
//! replica counts to plan a scale and its undo. The Pods tab builds on this.

/// A deployment and its replica counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub name: String,
    pub namespace: String,
    pub replicas: u32,
    pub ready: u32,
}

/// A pod and the deployment that owns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pod {
    pub name: String,
    pub namespace: String,
    pub deployment: Option<String>,
    /// Status as kubectl prints it: Running, CrashLoopBackOff, OOMKilled, ...
    pub status: String,
    pub restarts: u32,
}

/// The latest snapshot of deployments and pods (latest wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Workloads {
    pub deployments: Vec<Deployment>,
    pub pods: Vec<Pod>,
}

impl Workloads {
    pub fn deployment(&self, namespace: &str, name: &str) -> Option<&Deployment> {
        self.deployments
            .iter()
            .find(|d| d.namespace == namespace && d.name == name)
    }

    pub fn pod(&self, namespace: &str, name: &str) -> Option<&Pod> {
        self.pods
            .iter()
            .find(|p| p.namespace == namespace && p.name == name)
    }
}
