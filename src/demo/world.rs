//! The simulated world of the demo incident, and the story beats that change it.
//! Actions (later) change the world too, so the story can react to them.

use super::cluster::{Cluster, suffix};
use crate::core::source::{AlertSummary, Severity, SourceId};
use crate::core::timeline::{About, Origin, TimelineEntry};
use crate::update::Update;
use chrono::{DateTime, Utc};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Services of the demo cluster.
pub const SERVICES: &[&str] = &[
    "api-gateway",
    "order-service",
    "payment-service",
    "inventory-service",
    "analytics-service",
];
pub const NAMESPACE: &str = "production";
pub const CONTEXT: &str = "demo";

/// State of payment-service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentPods {
    Healthy,
    Crashing,
}

/// Something that happens a while after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUp {
    PodsReady {
        deployment: String,
    },
    ReplacePod {
        deployment: String,
    },
    BreakerCloses,
    /// A pod's manually closed breaker trips again (payment still down).
    BreakerReopens {
        pod: String,
    },
    LagDrains,
}

/// What is true in the demo cluster right now.
#[derive(Debug, Clone)]
pub struct World {
    pub payment: PaymentPods,
    pub cluster: Cluster,
    pub breaker_open: bool,
    /// paymentService states set on order-service pods by actions.
    pub breaker_pods:
        std::collections::BTreeMap<String, crate::features::breakers::data::BreakerState>,
    /// analytics-etl offsets committed by a reset: partition → offset.
    pub offset_resets: std::collections::BTreeMap<i32, i64>,
    pub lag: u64,
    /// The pid of the `CREATE INDEX` scanning `orders` while it blocks inserts.
    pub db_root: Option<i32>,
    /// The inserts queued behind it.
    pub db_waiting: Vec<i32>,
    /// Waiting backends cancelled or terminated one by one.
    pub db_gone: std::collections::BTreeSet<i32>,
    /// The COLLSCAN on shop.orders is running.
    pub mongo_scan: bool,
    pub alerts: Vec<AlertSummary>,
    /// Follow-ups of actions, by simulated second.
    pub pending: Vec<(u64, FollowUp)>,
}

impl World {
    pub fn new(rng: &mut ChaCha8Rng) -> World {
        World {
            payment: PaymentPods::Healthy,
            cluster: Cluster::new(NAMESPACE, rng),
            breaker_open: false,
            breaker_pods: Default::default(),
            offset_resets: Default::default(),
            lag: 0,
            db_root: None,
            db_waiting: Vec::new(),
            db_gone: Default::default(),
            mongo_scan: false,
            alerts: Vec::new(),
            pending: Vec::new(),
        }
    }

    fn payment_pod(&self, i: usize) -> String {
        self.cluster
            .get("payment-service")
            .and_then(|d| d.pods.get(i))
            .map(|p| p.name.clone())
            .unwrap_or_else(|| "payment-service".into())
    }

    /// Marks payment-service pod `i` OOMKilled, with its Warning event.
    fn crash_payment_pod(&mut self, i: usize, status: &str, restarts: u32, at: DateTime<Utc>) {
        let Some(p) = self
            .cluster
            .get_mut("payment-service")
            .and_then(|d| d.pods.get_mut(i))
        else {
            return;
        };
        p.oom_killed(at, status, restarts);
        let name = p.name.clone();
        let (reason, message) = if status == "CrashLoopBackOff" {
            (
                "BackOff",
                "Back-off restarting failed container payment-service".to_string(),
            )
        } else {
            (
                "OOMKilling",
                "Memory cgroup out of memory: Killed process 1 (java)".to_string(),
            )
        };
        self.cluster.warn(&name, reason, message, at);
    }
}

/// A step of the scripted incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beat {
    Begin,
    PaymentRollout,
    PaymentMemoryHigh,
    PaymentOomKilled,
    PaymentCrashLoop,
    BreakerOpens,
    PaymentAlert,
    LagCrossesThreshold,
    SeqScanBlocks,
    LatencyAndErrors,
    ErrorsInLogs,
    LagGrowing,
    BreakerProbeFails,
    AutoRollback,
    PaymentRecovered,
    BreakerCloses,
    LagDraining,
    SeqScanFinished,
    AlertsResolved,
    End,
}

/// The incident script: (seconds into the cycle, beat).
pub const SCRIPT: &[(u64, Beat)] = &[
    (0, Beat::Begin),
    (15, Beat::PaymentRollout),
    (40, Beat::PaymentMemoryHigh),
    (55, Beat::PaymentOomKilled),
    (70, Beat::PaymentCrashLoop),
    (85, Beat::BreakerOpens),
    (95, Beat::PaymentAlert),
    (105, Beat::LagCrossesThreshold),
    (125, Beat::SeqScanBlocks),
    (140, Beat::LatencyAndErrors),
    (160, Beat::ErrorsInLogs),
    (180, Beat::LagGrowing),
    (205, Beat::BreakerProbeFails),
    (270, Beat::AutoRollback),
    (290, Beat::PaymentRecovered),
    (305, Beat::BreakerCloses),
    (330, Beat::LagDraining),
    (350, Beat::SeqScanFinished),
    (380, Beat::AlertsResolved),
    (400, Beat::End),
];

/// Length of one loop of the script, in simulated seconds.
pub const CYCLE_SECS: u64 = 420;

/// A Timeline entry from one of the demo's simulated sources.
pub(super) fn entry(
    at: DateTime<Utc>,
    severity: Severity,
    source: SourceId,
    text: String,
) -> Update {
    Update::Timeline(TimelineEntry::new(
        at,
        severity,
        Origin::Source(source),
        text,
    ))
}

/// A Timeline entry about one object, so Enter on it goes there.
fn entry_about(
    at: DateTime<Utc>,
    severity: Severity,
    source: SourceId,
    text: String,
    about: About,
) -> Update {
    Update::Timeline(TimelineEntry::new(at, severity, Origin::Source(source), text).about(about))
}

fn pod_about(pod: &str) -> About {
    About::Pod {
        namespace: NAMESPACE.into(),
        name: pod.into(),
    }
}

impl World {
    /// Plays one beat: changes the world and says what happened.
    pub fn play(&mut self, beat: Beat, at: DateTime<Utc>, rng: &mut ChaCha8Rng) -> Vec<Update> {
        use Severity::{Crit, Info, Warn};
        use SourceId::{Demo, Kafka, Kubernetes, Prometheus};
        let pod = self.payment_pod(0);
        match beat {
            // Payment is fixed (a user restarted it): its consequences stop.
            Beat::PaymentAlert
            | Beat::BreakerOpens
            | Beat::LagCrossesThreshold
            | Beat::LatencyAndErrors
            | Beat::ErrorsInLogs
            | Beat::LagGrowing
                if self.payment == PaymentPods::Healthy =>
            {
                Vec::new()
            }
            Beat::Begin => vec![entry(
                at,
                Info,
                Demo,
                format!(
                    "scenario \"checkout degradation\" begins: normal traffic on {} in {NAMESPACE}",
                    SERVICES.join(", ")
                ),
            )],
            Beat::PaymentRollout => {
                if let Some(d) = self.cluster.get_mut("payment-service") {
                    d.rolled_out = Some(at);
                }
                vec![entry_about(
                    at,
                    Info,
                    Kubernetes,
                    "deployment payment-service rolled out payment-service:2.14.0 (3/3 ready)"
                        .into(),
                    About::Deployment {
                        namespace: NAMESPACE.into(),
                        name: "payment-service".into(),
                    },
                )]
            }
            Beat::PaymentMemoryHigh => {
                let pct = rng.random_range(88..97);
                vec![entry_about(
                    at,
                    Warn,
                    Prometheus,
                    format!("{pod} memory at {pct}% of its 512Mi limit"),
                    pod_about(&pod),
                )]
            }
            Beat::PaymentOomKilled => {
                self.payment = PaymentPods::Crashing;
                self.crash_payment_pod(0, "OOMKilled", 1, at);
                vec![entry_about(
                    at,
                    Crit,
                    Kubernetes,
                    format!("pod {pod} OOMKilled (exit code 137), restarting"),
                    pod_about(&pod),
                )]
            }
            Beat::PaymentCrashLoop => {
                let restarts = rng.random_range(3..6);
                self.crash_payment_pod(0, "CrashLoopBackOff", restarts, at);
                self.crash_payment_pod(1, "OOMKilled", 1, at);
                vec![entry_about(
                    at,
                    Crit,
                    Kubernetes,
                    format!(
                        "pod {pod} CrashLoopBackOff: back-off 40s restarting failed container ({restarts} restarts)"
                    ),
                    pod_about(&pod),
                )]
            }
            // The breakers feed reports the transition, as a live poll would.
            Beat::BreakerOpens => {
                self.breaker_open = true;
                Vec::new()
            }
            Beat::PaymentAlert => {
                self.alerts.push(AlertSummary {
                    name: "PaymentServiceErrors".into(),
                    severity: Crit,
                    service: "payment-service".into(),
                    since: at,
                });
                vec![
                    entry_about(
                        at,
                        Crit,
                        Prometheus,
                        "alert PaymentServiceErrors firing for payment-service".into(),
                        About::Alert {
                            service: "payment-service".into(),
                            name: "PaymentServiceErrors".into(),
                        },
                    ),
                    Update::Alerts(crate::core::clean::Clean::new(self.alerts.clone())),
                ]
            }
            Beat::LagCrossesThreshold => {
                self.lag = rng.random_range(1_100..1_500);
                vec![entry_about(
                    at,
                    Warn,
                    Kafka,
                    format!(
                        "lag on order-events for group order-processing-group crossed 1000 ({})",
                        self.lag
                    ),
                    About::Group {
                        cluster: super::lag::CLUSTER.into(),
                        group: super::lag::ORDERS.into(),
                    },
                )]
            }
            // The queries feed shows the chain; the model writes it to the
            // Timeline, as it would from a live poll.
            Beat::SeqScanBlocks => {
                let waiting: i32 = rng.random_range(5..10);
                let pid = rng.random_range(4000..5000);
                self.db_root = Some(pid);
                self.db_waiting = (0..waiting).map(|i| pid + 7 + 3 * i).collect();
                self.db_gone.clear();
                self.mongo_scan = true;
                Vec::new()
            }
            Beat::LatencyAndErrors => {
                let p95 = rng.random_range(380..620);
                let err = f64::from(rng.random_range(80..160u32)) / 10.0;
                self.alerts.push(AlertSummary {
                    name: "CheckoutLatencySLO".into(),
                    severity: Warn,
                    service: "api-gateway".into(),
                    since: at,
                });
                vec![
                    entry(
                        at,
                        Crit,
                        Prometheus,
                        format!(
                            "api-gateway p95 latency {p95} ms > 100 ms SLO; payment-service error ratio {err:.1}% > 0.1%"
                        ),
                    ),
                    Update::Alerts(crate::core::clean::Clean::new(self.alerts.clone())),
                ]
            }
            Beat::ErrorsInLogs => {
                let corr = format!("c0rr-{}-{}", suffix(rng, 4), suffix(rng, 4));
                vec![entry(
                    at,
                    Warn,
                    Kubernetes,
                    format!(
                        "order-service logs: CallNotPermittedException on paymentService (correlation_id {corr})"
                    ),
                )]
            }
            Beat::LagGrowing => {
                self.lag = self.lag * 6 + rng.random_range(0..900);
                vec![entry(
                    at,
                    Crit,
                    Kafka,
                    format!(
                        "order-processing-group lag {} and growing (consumers cannot complete payments)",
                        self.lag
                    ),
                )]
            }
            // The feed shows probes as HALF_OPEN → OPEN on one pod at a time.
            Beat::BreakerProbeFails => Vec::new(),
            // Someone already fixed it: the pipeline has nothing to roll back.
            Beat::AutoRollback | Beat::PaymentRecovered if self.payment == PaymentPods::Healthy => {
                Vec::new()
            }
            Beat::AutoRollback => {
                if let Some(d) = self.cluster.get_mut("payment-service") {
                    let previous = d.older.iter().map(|o| o.revision).max();
                    if previous.is_none_or(|r| d.roll_back_to(r, rng).is_err()) {
                        d.restart(rng);
                    }
                }
                vec![entry(at, Info, Kubernetes,
                "deployment payment-service rolled back to payment-service:2.13.4 by the deploy pipeline".into())]
            }
            Beat::PaymentRecovered => {
                self.payment = PaymentPods::Healthy;
                if let Some(d) = self.cluster.get_mut("payment-service") {
                    d.settle("Running");
                }
                vec![entry(
                    at,
                    Info,
                    Kubernetes,
                    "deployment payment-service 3/3 ready".into(),
                )]
            }
            Beat::BreakerCloses => {
                self.breaker_open = false;
                Vec::new()
            }
            Beat::LagDraining => {
                self.lag /= 4;
                vec![entry(
                    at,
                    Info,
                    Kafka,
                    format!("order-processing-group lag draining: {}", self.lag),
                )]
            }
            Beat::SeqScanFinished => {
                self.db_root = None;
                self.db_waiting.clear();
                self.mongo_scan = false;
                Vec::new()
            }
            Beat::AlertsResolved => {
                self.alerts.clear();
                vec![
                    entry(at, Info, Prometheus, "all alerts resolved".into()),
                    Update::Alerts(crate::core::clean::Clean::new(Vec::new())),
                ]
            }
            Beat::End => vec![entry(
                at,
                Info,
                Demo,
                "incident resolved; the scenario starts again in 20 s".into(),
            )],
        }
    }
}
