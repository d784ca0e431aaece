//! The demo cluster's deployments and pods, which beats and actions change.

use crate::features::pods::model::{
    Container, Deployment, KubeEvent, KubeUpdate, Pod, PodMetrics, ReplicaSet, RevisionMetrics,
    Termination,
};
use chrono::{DateTime, Utc};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// One simulated pod.
#[derive(Debug, Clone)]
pub struct SimPod {
    pub name: String,
    pub status: String,
    pub restarts: u32,
    pub created: Option<DateTime<Utc>>,
    pub last_termination: Option<Termination>,
}

impl SimPod {
    /// Records a crash: OOMKilled with exit code 137, as the kernel does it.
    pub fn oom_killed(&mut self, at: DateTime<Utc>, status: &str, restarts: u32) {
        self.status = status.into();
        self.restarts = self.restarts.max(restarts);
        self.last_termination = Some(Termination {
            reason: "OOMKilled".into(),
            exit_code: 137,
            finished_at: Some(at),
        });
    }
}

/// One simulated deployment and its pods.
#[derive(Debug, Clone)]
pub struct SimDeployment {
    pub name: String,
    pub replicas: u32,
    /// Pod-template hash, renewed by a rollout restart.
    pub hash: String,
    /// The revision it runs and that revision's image tag.
    pub revision: u64,
    pub tag: String,
    /// Older revisions still kept (their ReplicaSets scaled to 0).
    pub older: Vec<SimRevision>,
    pub paused: bool,
    /// When its current revision rolled out, if the story says.
    pub rolled_out: Option<DateTime<Utc>>,
    pub pods: Vec<SimPod>,
}

/// An older revision of a simulated deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimRevision {
    pub revision: u64,
    pub tag: String,
    pub hash: String,
}

/// The demo's revision history: deployment, current revision, and the
/// revision before it with its tag. Hashes are fixed strings, so the
/// story's random draws stay as they were.
const HISTORY: &[(&str, u64, Option<&str>)] = &[
    ("api-gateway", 31, Some("1.41.2")),
    ("order-service", 7, Some("3.0.9")),
    ("payment-service", 14, Some("2.13.4")),
    ("inventory-service", 4, None),
    ("analytics-service", 2, None),
    ("order-consumer", 7, Some("3.0.9")),
];

/// Every deployment of the demo namespace, and its Warning events.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub namespace: String,
    pub deployments: Vec<SimDeployment>,
    pub events: Vec<KubeEvent>,
}

/// Deployments of the demo: name, replicas, image tag, memory limit (MiB).
const DEPLOYMENTS: &[(&str, u32, &str, u64)] = &[
    ("api-gateway", 3, "1.42.0", 256),
    ("order-service", 3, "3.1.0", 768),
    ("payment-service", 3, "2.14.0", 512),
    ("inventory-service", 2, "1.8.2", 512),
    ("analytics-service", 1, "0.9.7", 1024),
    ("order-consumer", 3, "3.1.0", 384),
];

const NODES: &[&str] = &[
    "ip-10-0-12-35.ec2.internal",
    "ip-10-0-14-7.ec2.internal",
    "ip-10-0-19-201.ec2.internal",
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
            .map(|(name, replicas, tag, _)| {
                let hash = suffix(rng, 9);
                let pods = (0..*replicas)
                    .map(|_| new_pod(name, &hash, "Running", rng))
                    .collect();
                let (revision, before) = HISTORY
                    .iter()
                    .find(|h| h.0 == *name)
                    .map_or((1, None), |h| (h.1, h.2));
                let older = before
                    .map(|tag| SimRevision {
                        revision: revision - 1,
                        tag: tag.into(),
                        hash: older_hash(name),
                    })
                    .into_iter()
                    .collect();
                SimDeployment {
                    name: (*name).into(),
                    replicas: *replicas,
                    hash,
                    revision,
                    tag: (*tag).into(),
                    older,
                    paused: false,
                    rolled_out: None,
                    pods,
                }
            })
            .collect();
        Cluster {
            namespace: namespace.into(),
            deployments,
            events: Vec::new(),
        }
    }

    /// Adds (or bumps) a Warning event about a pod.
    pub fn warn(&mut self, pod: &str, reason: &str, message: String, at: DateTime<Utc>) {
        if let Some(e) = self
            .events
            .iter_mut()
            .find(|e| e.object_name == pod && e.reason == reason)
        {
            e.count += 1;
            e.last_seen = Some(at);
            e.message = message;
            return;
        }
        self.events.push(KubeEvent {
            namespace: self.namespace.clone(),
            object_kind: "Pod".into(),
            object_name: pod.into(),
            warning: true,
            reason: reason.into(),
            message,
            count: 1,
            last_seen: Some(at),
        });
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

    /// What the Pods tab and the action planner see, as a Kubernetes source would send it.
    pub fn snapshot(&self, now: DateTime<Utc>) -> Vec<KubeUpdate> {
        let mut deployments = Vec::new();
        let mut pods = Vec::new();
        let mut metrics = Vec::new();
        let mut replica_sets = Vec::new();
        let mut revision_metrics = Vec::new();
        for (i, d) in self.deployments.iter().enumerate() {
            let (_, _, _, mem_mib) = DEPLOYMENTS
                .iter()
                .find(|x| x.0 == d.name)
                .copied()
                .unwrap_or(("", 1, "latest", 512));
            let image = format!("registry.example/{}:{}", d.name, d.tag);
            let ready = d.pods.iter().filter(|p| p.status == "Running").count() as u32;
            deployments.push(Deployment {
                name: d.name.clone(),
                namespace: self.namespace.clone(),
                replicas: d.replicas,
                ready,
                updated: d.pods.len() as u32,
                available: ready,
                image: image.clone(),
                stuck: None,
                selector: [("app".to_string(), d.name.clone())].into(),
                revision: Some(d.revision),
                progressing: Some(d.progressing(ready).into()),
                images: vec![(d.name.clone(), image.clone())],
                generation: i64::try_from(d.revision).unwrap_or(i64::MAX),
                resource_version: format!("{}", 1000 + d.revision),
                paused: d.paused,
            });
            replica_sets.extend(d.replica_sets(&self.namespace, ready, now));
            revision_metrics.extend(d.revision_metrics());
            for (j, p) in d.pods.iter().enumerate() {
                let running = p.status == "Running";
                let state = match p.status.as_str() {
                    "Running" => "Running".to_string(),
                    "OOMKilled" => "Terminated: OOMKilled (137)".to_string(),
                    other => format!("Waiting: {other}"),
                };
                let container = Container {
                    name: d.name.clone(),
                    image: image.clone(),
                    ready: running,
                    restarts: p.restarts,
                    state,
                    last_termination: p.last_termination.clone(),
                    probes: vec![
                        "liveness http-get :8080/actuator/health/liveness".into(),
                        "readiness http-get :8080/actuator/health/readiness".into(),
                    ],
                    cpu_limit_millis: Some(500),
                    memory_limit_bytes: Some(mem_mib << 20),
                };
                pods.push(Pod {
                    name: p.name.clone(),
                    namespace: self.namespace.clone(),
                    deployment: Some(d.name.clone()),
                    status: p.status.clone(),
                    ready: u32::from(running),
                    total: 1,
                    restarts: p.restarts,
                    last_restart: p.last_termination.as_ref().and_then(|t| t.finished_at),
                    last_termination: p.last_termination.clone(),
                    created: p.created.or(Some(now - chrono::Duration::hours(3))),
                    node: Some(NODES[(i + j) % NODES.len()].to_string()),
                    labels: [
                        ("app".to_string(), d.name.clone()),
                        ("pod-template-hash".to_string(), d.hash.clone()),
                    ]
                    .into(),
                    containers: vec![container],
                    conditions: vec![("PodScheduled".into(), true), ("Ready".into(), running)],
                });
                if running {
                    // Memory near the limit for a service about to be OOMKilled.
                    let share = if d.name == "payment-service" {
                        88
                    } else {
                        35 + (j as u64 * 7) % 20
                    };
                    metrics.push(PodMetrics {
                        namespace: self.namespace.clone(),
                        pod: p.name.clone(),
                        cpu_millis: 40 + (i as u64 * 37 + j as u64 * 11) % 300,
                        memory_bytes: (mem_mib << 20) * share / 100,
                        at: Some(now),
                    });
                }
            }
        }
        vec![
            KubeUpdate::Deployments(deployments),
            KubeUpdate::ReplicaSets(replica_sets),
            KubeUpdate::RevisionMetrics(Ok(revision_metrics)),
            KubeUpdate::Pods(pods),
            KubeUpdate::Events(self.events.clone()),
            KubeUpdate::Metrics(Ok(metrics)),
        ]
    }
}

pub fn new_pod(deployment: &str, hash: &str, status: &str, rng: &mut ChaCha8Rng) -> SimPod {
    SimPod {
        name: format!("{deployment}-{hash}-{}", suffix(rng, 5)),
        status: status.into(),
        restarts: 0,
        created: None,
        last_termination: None,
    }
}

/// A fixed pod-template hash for a deployment's older revision.
fn older_hash(name: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let seed = name
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    (0..9)
        .map(|i| char::from(ALPHABET[((seed >> (i * 5)) % ALPHABET.len() as u64) as usize]))
        .collect()
}

impl SimDeployment {
    /// Its ReplicaSets: the current revision with its pods, the older
    /// ones scaled to 0, as the deployment controller leaves them.
    fn replica_sets(&self, namespace: &str, ready: u32, now: DateTime<Utc>) -> Vec<ReplicaSet> {
        let rs =
            |revision: u64, tag: &str, hash: &str, replicas: u32, ready: u32, created| ReplicaSet {
                name: format!("{}-{hash}", self.name),
                namespace: namespace.into(),
                deployment: Some(self.name.clone()),
                revision: Some(revision),
                images: vec![(
                    self.name.clone(),
                    format!("registry.example/{}:{tag}", self.name),
                )],
                change_cause: None,
                created: Some(created),
                replicas,
                ready,
                pod_template_hash: Some(hash.into()),
            };
        let hours = |h: i64| now - chrono::Duration::hours(h);
        let current = self.rolled_out.unwrap_or_else(|| hours(3));
        let mut out = vec![rs(
            self.revision,
            &self.tag,
            &self.hash,
            self.replicas,
            ready,
            current,
        )];
        for (k, o) in self.older.iter().enumerate() {
            out.push(rs(
                o.revision,
                &o.tag,
                &o.hash,
                0,
                0,
                hours(30 * (k as i64 + 1)),
            ));
        }
        out
    }

    /// p95 and error ratio per revision, as Prometheus grouped by
    /// `pod_template_hash` would give them: 2.14.0 fails while its pods
    /// crash (the window still holds the older revision's requests).
    fn revision_metrics(&self) -> Vec<RevisionMetrics> {
        let crashing = self.pods.iter().any(|p| p.status != "Running");
        let series = |hash: &str, bad: bool| RevisionMetrics {
            service: self.name.clone(),
            version: hash.into(),
            p95_secs: Some(if bad { 2.8 } else { 0.18 }),
            error_ratio: Some(if bad { 0.094 } else { 0.001 }),
        };
        let mut out = vec![series(&self.hash, crashing && self.tag == "2.14.0")];
        out.extend(self.older.iter().map(|o| series(&o.hash, false)));
        out
    }

    /// The Progressing condition's reason: pods crash-looping keep a
    /// rollout from ever finishing, so it stalls.
    fn progressing(&self, ready: u32) -> &'static str {
        if ready >= self.replicas {
            "NewReplicaSetAvailable"
        } else if self.pods.iter().any(|p| p.status == "CrashLoopBackOff") {
            "ProgressDeadlineExceeded"
        } else {
            "ReplicaSetUpdated"
        }
    }

    /// Rolls back to an older revision: its template comes back as the
    /// newest revision, the one it left joins the older ones.
    pub fn roll_back_to(&mut self, revision: u64, rng: &mut ChaCha8Rng) -> Result<(), String> {
        let i = self
            .older
            .iter()
            .position(|o| o.revision == revision)
            .ok_or_else(|| format!("revision {revision} of deploy/{} not found", self.name))?;
        let target = self.older.remove(i);
        let newest = self.older.iter().map(|o| o.revision).max().unwrap_or(0);
        self.older.push(SimRevision {
            revision: self.revision,
            tag: std::mem::replace(&mut self.tag, target.tag),
            hash: std::mem::replace(&mut self.hash, target.hash),
        });
        self.revision = self.revision.max(newest) + 1;
        self.rolled_out = None;
        // Draws what a restart draws, so the story's later random choices
        // (pod names) stay the same whichever way payment-service recovers.
        let _ = suffix(rng, 9);
        let hash = self.hash.clone();
        self.pods = (0..self.replicas)
            .map(|_| new_pod(&self.name, &hash, "ContainerCreating", rng))
            .collect();
        Ok(())
    }

    /// New pod template: every pod replaced by a starting one.
    pub fn restart(&mut self, rng: &mut ChaCha8Rng) {
        self.older.push(SimRevision {
            revision: self.revision,
            tag: self.tag.clone(),
            hash: self.hash.clone(),
        });
        self.revision += 1;
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
