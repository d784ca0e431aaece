//! How the demo world reacts to remediation actions, after realistic delays.

use super::world::{FollowUp, NAMESPACE, PaymentPods, World, entry};
use crate::core::action::Action;
use crate::core::source::{Severity, SourceId};
use crate::update::Update;
use chrono::{DateTime, Utc};
use rand_chacha::ChaCha8Rng;

/// Seconds until new pods are Running.
const POD_START_SECS: u64 = 20;

impl World {
    /// Applies an action at simulated second `now`; later effects are queued.
    pub fn act(
        &mut self,
        action: &Action,
        now: u64,
        rng: &mut ChaCha8Rng,
    ) -> Result<String, String> {
        match action {
            Action::RolloutRestart { deployment } => {
                let d = self
                    .cluster
                    .get_mut(deployment)
                    .ok_or_else(|| not_found("deployments", deployment))?;
                d.restart(rng);
                self.pending.push((
                    now + POD_START_SECS,
                    FollowUp::PodsReady {
                        deployment: deployment.clone(),
                    },
                ));
                Ok(format!("deployment.apps/{deployment} restarted"))
            }
            Action::Rollback {
                deployment,
                to_revision,
                ..
            } => {
                let d = self
                    .cluster
                    .get_mut(deployment)
                    .ok_or_else(|| not_found("deployments", deployment))?;
                if d.paused {
                    return Err(format!("deploy/{deployment} is paused: resume it first"));
                }
                d.roll_back_to(*to_revision, rng)?;
                self.pending.push((
                    now + POD_START_SECS,
                    FollowUp::PodsReady {
                        deployment: deployment.clone(),
                    },
                ));
                Ok(format!(
                    "deployment.apps/{deployment} rolled back to revision {to_revision}"
                ))
            }
            Action::RolloutPause { deployment, pause } => {
                let d = self
                    .cluster
                    .get_mut(deployment)
                    .ok_or_else(|| not_found("deployments", deployment))?;
                d.paused = *pause;
                let verb = if *pause { "paused" } else { "resumed" };
                Ok(format!("deployment.apps/{deployment} {verb}"))
            }
            Action::Scale { deployment, to, .. } => {
                let d = self
                    .cluster
                    .get_mut(deployment)
                    .ok_or_else(|| not_found("deployments", deployment))?;
                d.scale(*to, rng);
                self.pending.push((
                    now + POD_START_SECS / 2,
                    FollowUp::PodsReady {
                        deployment: deployment.clone(),
                    },
                ));
                if deployment == "order-consumer" && self.lag > 0 {
                    self.pending
                        .push((now + POD_START_SECS, FollowUp::LagDrains));
                }
                Ok(format!("deployment.apps/{deployment} scaled"))
            }
            Action::Breaker { breaker, calls } => self.set_breakers(breaker, calls, now),
            Action::ResetOffsets { group, moves, .. } => {
                // As the broker: offsets only move for a group without members.
                if group != super::lag::ANALYTICS {
                    return Err(format!(
                        "group {group} is Stable with members: stop its consumers first"
                    ));
                }
                if moves.is_empty() {
                    return Err(
                        "the demo cluster keeps no timestamps: reset to earliest, latest or shift"
                            .into(),
                    );
                }
                for m in moves {
                    self.offset_resets.insert(m.partition, m.new);
                }
                Ok(format!(
                    "committed {}",
                    moves
                        .iter()
                        .map(|m| format!("p{}={}", m.partition, m.new))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
            Action::PgSignal {
                target,
                pid,
                terminate,
                ..
            } => self.signal_backend(target, *pid, *terminate),
            Action::MongoKillOp { target, opid, .. } => self.kill_op(target, opid),
            Action::DeletePod { pod } => {
                let owner = self
                    .cluster
                    .owner_of(pod)
                    .map(|d| d.name.clone())
                    .ok_or_else(|| not_found("pods", pod))?;
                if let Some(d) = self.cluster.get_mut(&owner) {
                    d.pods.retain(|p| &p.name != pod);
                }
                self.pending
                    .push((now + 5, FollowUp::ReplacePod { deployment: owner }));
                Ok(format!("pod \"{pod}\" deleted"))
            }
        }
    }

    /// Plays the follow-ups due at simulated second `now`.
    pub fn follow_ups(&mut self, now: u64, at: DateTime<Utc>, rng: &mut ChaCha8Rng) -> Vec<Update> {
        let (due, later): (Vec<_>, Vec<_>) = self.pending.drain(..).partition(|(t, _)| *t <= now);
        self.pending = later;
        let mut out = Vec::new();
        for (_, follow_up) in due {
            out.extend(self.follow_up(follow_up, now, at, rng));
        }
        out
    }

    fn follow_up(
        &mut self,
        f: FollowUp,
        now: u64,
        at: DateTime<Utc>,
        rng: &mut ChaCha8Rng,
    ) -> Vec<Update> {
        match f {
            FollowUp::PodsReady { deployment } => {
                let Some(d) = self.cluster.get_mut(&deployment) else {
                    return Vec::new();
                };
                d.settle("Running");
                let text = format!(
                    "deployment {deployment} {}/{} ready",
                    d.pods.len(),
                    d.replicas
                );
                let mut out = vec![entry(at, Severity::Info, SourceId::Kubernetes, text)];
                if deployment == "payment-service" && self.payment == PaymentPods::Crashing {
                    self.payment = PaymentPods::Healthy;
                    out.push(entry(
                        at,
                        Severity::Info,
                        SourceId::Prometheus,
                        "payment-service error ratio back under 0.1%".into(),
                    ));
                    self.alerts.retain(|a| a.service != "payment-service");
                    out.push(Update::Alerts(crate::core::clean::Clean::new(
                        self.alerts.clone(),
                    )));
                    self.pending.push((now + 10, FollowUp::BreakerCloses));
                    self.pending.push((now + 20, FollowUp::LagDrains));
                }
                out
            }
            FollowUp::ReplacePod { deployment } => {
                let crashing =
                    deployment == "payment-service" && self.payment == PaymentPods::Crashing;
                let Some(d) = self.cluster.get_mut(&deployment) else {
                    return Vec::new();
                };
                let status = if crashing {
                    "CrashLoopBackOff"
                } else {
                    "Running"
                };
                let pod = super::cluster::new_pod(&deployment, &d.hash.clone(), status, rng);
                let text = format!("pod {} replaces the deleted one ({status})", pod.name);
                d.pods.push(pod);
                vec![entry(
                    at,
                    if crashing {
                        Severity::Warn
                    } else {
                        Severity::Info
                    },
                    SourceId::Kubernetes,
                    text,
                )]
            }
            FollowUp::BreakerCloses => {
                self.breaker_open = false;
                self.breaker_pods
                    .retain(|_, s| *s != crate::features::breakers::data::BreakerState::Closed);
                Vec::new()
            }
            FollowUp::BreakerReopens { pod } => {
                if self.payment == PaymentPods::Crashing
                    && self.breaker_pods.get(&pod)
                        == Some(&crate::features::breakers::data::BreakerState::Closed)
                {
                    self.breaker_pods.remove(&pod);
                }
                Vec::new()
            }
            FollowUp::LagDrains => {
                let consumers = self.cluster.get("order-consumer").map_or(0, |d| d.replicas);
                self.lag = self.lag * 3 / (3 + u64::from(consumers));
                vec![entry(
                    at,
                    Severity::Info,
                    SourceId::Kafka,
                    format!(
                        "order-processing-group lag draining with {consumers} consumers: {}",
                        self.lag
                    ),
                )]
            }
        }
    }
}

impl World {
    /// CLOSE, FORCE_OPEN or DISABLE on order-service pods; a closed breaker
    /// trips again after a while if payment is still down.
    fn set_breakers(
        &mut self,
        breaker: &str,
        calls: &[crate::core::action::BreakerCall],
        now: u64,
    ) -> Result<String, String> {
        use crate::core::action::UpdateState;
        let pods: Vec<String> = self
            .cluster
            .get(super::breakers::SERVICE)
            .map(|d| d.pods.iter().map(|p| p.name.clone()).collect())
            .unwrap_or_default();
        let mut done = Vec::new();
        for c in calls {
            if !pods.contains(&c.instance) {
                return Err(format!("pods \"{}\" not found in {NAMESPACE}", c.instance));
            }
            if breaker != super::breakers::PAYMENT {
                return Err(format!("{breaker}: the demo only changes paymentService"));
            }
            let state = crate::features::breakers::data::resulting_state(c.update);
            if c.update == UpdateState::Close && self.payment == PaymentPods::Crashing {
                self.pending.push((
                    now + 12,
                    FollowUp::BreakerReopens {
                        pod: c.instance.clone(),
                    },
                ));
            }
            done.push(format!("{}: {}", c.instance, state.as_str()));
            self.breaker_pods.insert(c.instance.clone(), state);
        }
        Ok(format!("{breaker} {}", done.join(", ")))
    }
}

impl World {
    /// Cancelling or terminating the scan ends the chain (the inserts go
    /// through); a waiting backend leaves the queue on its own.
    fn signal_backend(
        &mut self,
        target: &str,
        pid: i32,
        terminate: bool,
    ) -> Result<String, String> {
        let call = if terminate {
            "pg_terminate_backend"
        } else {
            "pg_cancel_backend"
        };
        if target != super::queries::PG_TARGET {
            return Err(format!("{target} is not a Postgres target of the demo"));
        }
        let Some(root) = self.db_root else {
            return Err(format!("no backend with pid {pid}"));
        };
        let second_level = root + super::queries::SECOND_LEVEL;
        if pid == root {
            self.db_root = None;
            self.db_waiting.clear();
        } else if (self.db_waiting.contains(&pid) || pid == second_level)
            && !self.db_gone.contains(&pid)
        {
            self.db_gone.insert(pid);
        } else {
            return Err(format!("no backend with pid {pid}"));
        }
        Ok(if terminate {
            format!("{call}({pid}): the backend has ended")
        } else {
            format!("{call}({pid}) sent")
        })
    }

    fn kill_op(&mut self, target: &str, opid: &str) -> Result<String, String> {
        if target != super::queries::MONGO_TARGET {
            return Err(format!("{target} is not a MongoDB target of the demo"));
        }
        if self.mongo_scan && opid == super::queries::SCAN_OPID.to_string() {
            self.mongo_scan = false;
            Ok(format!("killOp {opid}: the op is gone"))
        } else {
            Err(format!(
                "op {opid} had already finished; nothing was killed"
            ))
        }
    }
}

fn not_found(resource: &str, name: &str) -> String {
    format!("{resource} \"{name}\" not found in {NAMESPACE}")
}
