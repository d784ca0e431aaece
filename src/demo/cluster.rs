//! The demo cluster's deployments and pods, which beats and actions change.

use crate::model::workloads::{Deployment, Pod, Workloads};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// One simulated pod.
#[derive(Debug, Clone)]
pub struct SimPod {
    pub name: String,
    pub status: String,
    pub restarts: u32,
}

/// One simulated deployment and its pods.
#[derive(Debug, Clone)]
pub struct SimDeployment {
    pub name: String,
    pub replicas: u32,
    /// Pod-template hash, renewed by a rollout restart.
    pub hash: String,
    pub pods: Vec<SimPod>,
}

/// Every deployment of the demo namespace.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub namespace: String,
    pub deployments: Vec<SimDeployment>,
}

/// Deployments of the demo and their replica counts.
const DEPLOYMENTS: &[(&str, u32)] = &[
    ("api-gateway", 3),
    ("order-service", 3),
    ("payment-service", 3),
    ("inventory-service", 2),
    ("analytics-service", 1),
    ("order-consumer", 3),
];

pub fn suffix(rng: &mut ChaCha8Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

impl Cluster {
    pub fn new(namespace: &str, rng: &mut ChaCha8Rng) -> Cluster {
        let deployments = DEPLOYMENTS
            .iter()
            .map(|(name, replicas)| {
                let hash = suffix(rng, 9);
                let pods = (0..*replicas)
                    .map(|_| new_pod(name, &hash, "Running", rng))
                    .collect();
                SimDeployment {
                    name: (*name).into(),
                    replicas: *replicas,
                    hash,
                    pods,
                }
            })
            .collect();
        Cluster {
            namespace: namespace.into(),
            deployments,
        }
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut SimDeployment> {
        self.deployments.iter_mut().find(|d| d.name == name)
    }

    pub fn get(&self, name: &str) -> Option<&SimDeployment> {
        self.deployments.iter().find(|d| d.name == name)
    }

    /// The deployment that owns a pod.
    pub fn owner_of(&self, pod: &str) -> Option<&SimDeployment> {
        self.deployments
            .iter()
            .find(|d| d.pods.iter().any(|p| p.name == pod))
    }

    /// What the Pods tab and the action planner see.
    pub fn snapshot(&self) -> Workloads {
        let mut w = Workloads::default();
        for d in &self.deployments {
            let ready = d.pods.iter().filter(|p| p.status == "Running").count() as u32;
            w.deployments.push(Deployment {
                name: d.name.clone(),
                namespace: self.namespace.clone(),
                replicas: d.replicas,
                ready,
            });
            w.pods.extend(d.pods.iter().map(|p| Pod {
                name: p.name.clone(),
                namespace: self.namespace.clone(),
                deployment: Some(d.name.clone()),
                status: p.status.clone(),
                restarts: p.restarts,
            }));
        }
        w
    }
}

pub fn new_pod(deployment: &str, hash: &str, status: &str, rng: &mut ChaCha8Rng) -> SimPod {
    SimPod {
        name: format!("{deployment}-{hash}-{}", suffix(rng, 5)),
        status: status.into(),
        restarts: 0,
    }
}

impl SimDeployment {
    /// New pod template: every pod replaced by a starting one.
    pub fn restart(&mut self, rng: &mut ChaCha8Rng) {
        self.hash = suffix(rng, 9);
        let hash = self.hash.clone();
        self.pods = (0..self.replicas)
            .map(|_| new_pod(&self.name, &hash, "ContainerCreating", rng))
            .collect();
    }

    /// Adds starting pods or removes the newest ones.
    pub fn scale(&mut self, replicas: u32, rng: &mut ChaCha8Rng) {
        self.replicas = replicas;
        while self.pods.len() as u32 > replicas {
            self.pods.pop();
        }
        while (self.pods.len() as u32) < replicas {
            let pod = new_pod(&self.name, &self.hash.clone(), "ContainerCreating", rng);
            self.pods.push(pod);
        }
    }

    /// Every starting pod becomes `status`.
    pub fn settle(&mut self, status: &str) {
        for p in &mut self.pods {
            if p.status == "ContainerCreating" {
                p.status = status.into();
            }
        }
    }
}
