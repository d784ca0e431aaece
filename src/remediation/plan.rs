//! An action is always a plan first: what, on which target, how risky,
//! whether it can be undone, and the command a human could paste instead.

use crate::model::workloads::Workloads;
use std::fmt;

/// What the action does, with the data its executor needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    Scale {
        deployment: String,
        from: u32,
        to: u32,
    },
    RolloutRestart {
        deployment: String,
    },
    DeletePod {
        pod: String,
    },
    /// resilience4j state changes through the actuator, one call per instance.
    Breaker {
        breaker: String,
        calls: Vec<BreakerCall>,
    },
    /// Commit new offsets for a consumer group on one topic.
    ResetOffsets {
        cluster: String,
        group: String,
        topic: String,
        /// `earliest`, `latest`, `shift N`, an RFC 3339 time, or `undo`.
        spec: String,
        /// The moves as planned; empty for a time (looked up when it runs).
        moves: Vec<OffsetMove>,
    },
    /// `pg_cancel_backend` (or, with `terminate`, `pg_terminate_backend`)
    /// of one backend of a Postgres target.
    PgSignal {
        /// The configured target name.
        target: String,
        pid: i32,
        terminate: bool,
        /// What the backend ran when planned (the executor refuses if it
        /// now runs something else).
        query: String,
        running_secs: Option<u64>,
        user: Option<String>,
        database: Option<String>,
        /// Backends waiting on it when planned (a blocking chain's root).
        waiting: usize,
    },
    /// `killOp` of one operation of a MongoDB target.
    MongoKillOp {
        target: String,
        /// As currentOp wrote it: a number, or `shard:number` on mongos.
        opid: String,
        ns: String,
        op: String,
        secs_running: i64,
        command: String,
    },
}

/// One partition of an offset reset.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OffsetMove {
    pub partition: i32,
    /// `None`: the group never committed here.
    pub current: Option<i64>,
    pub new: i64,
    pub low: i64,
    pub high: i64,
}

/// The kinds of backend that carry out actions (see `executor::Router`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    Kubernetes,
    Actuator,
    Kafka,
    Postgres,
    Mongo,
}

/// One `POST /actuator/circuitbreakers/{name}` of a breaker plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BreakerCall {
    pub service: String,
    pub instance: String,
    pub endpoint: crate::model::breakers::Endpoint,
    pub update: crate::sources::actuator_reply::UpdateState,
    /// The state before, as the table showed it (for the plan and undo).
    pub from: String,
}

impl Action {
    /// Which backend carries it out.
    pub fn backend(&self) -> Backend {
        match self {
            Action::Scale { .. } | Action::RolloutRestart { .. } | Action::DeletePod { .. } => {
                Backend::Kubernetes
            }
            Action::Breaker { .. } => Backend::Actuator,
            Action::ResetOffsets { .. } => Backend::Kafka,
            Action::PgSignal { .. } => Backend::Postgres,
            Action::MongoKillOp { .. } => Backend::Mongo,
        }
    }

    /// A stable name of the kind of action (cooldown key, audit).
    pub fn verb(&self) -> &'static str {
        match self {
            Action::Scale { .. } => "scale",
            Action::RolloutRestart { .. } => "rollout_restart",
            Action::DeletePod { .. } => "delete_pod",
            Action::Breaker { calls, .. } => match calls.first().map(|c| c.update) {
                Some(crate::sources::actuator_reply::UpdateState::Close) => "breaker_close",
                Some(crate::sources::actuator_reply::UpdateState::ForceOpen) => {
                    "breaker_force_open"
                }
                Some(crate::sources::actuator_reply::UpdateState::Disable) => "breaker_disable",
                None => "breaker",
            },
            Action::ResetOffsets { .. } => "reset_offsets",
            Action::PgSignal {
                terminate: false, ..
            } => "pg_cancel_backend",
            Action::PgSignal {
                terminate: true, ..
            } => "pg_terminate_backend",
            Action::MongoKillOp { .. } => "mongo_kill_op",
        }
    }
}

/// Where an action lands.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Target {
    /// Kubernetes-style kind: deployment, pod, breaker, backend, ...
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// Kube context or cluster name.
    pub context: String,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} in {} ({})",
            self.kind, self.name, self.namespace, self.context
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    Low,
    High,
}

/// How the user must confirm: `y`, or typing the target's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confirm {
    Key,
    Typed,
}

/// Everything shown before an action runs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ActionPlan {
    pub action: Action,
    pub target: Target,
    /// One sentence: "scale deploy/order-consumer from 3 to 6 replicas".
    pub effect: String,
    pub risk: Risk,
    /// Why the risk is what it is, if not obvious.
    pub risk_reason: Option<String>,
    /// How to undo, or why it cannot be undone.
    pub undo_text: String,
    /// The inverse action, when there is one.
    #[serde(skip)]
    pub undo: Option<Box<ActionPlan>>,
    /// The equivalent command a human could paste.
    pub cli: String,
    /// Confirmation demanded by a stricter keymap entry.
    #[serde(skip)]
    pub demanded: Option<Confirm>,
}

impl ActionPlan {
    /// The effect's first line: plans over several instances list each
    /// on the lines after it.
    pub fn summary(&self) -> &str {
        self.effect.lines().next().unwrap_or(&self.effect)
    }

    /// Key identifying "the same action on the same target" for cooldowns.
    /// A scale counts with its target count: two people scaling to 6 is a
    /// repeat, scaling back to 3 (an undo) is not.
    pub fn cooldown_key(&self) -> String {
        let verb = match &self.action {
            Action::Scale { to, .. } => format!("scale-to-{to}"),
            // An undo (spec "undo") is not a repeat of the reset it undoes.
            Action::ResetOffsets { spec, .. } => format!("reset-to-{spec}"),
            other => other.verb().to_string(),
        };
        format!(
            "{verb}:{}:{}/{}",
            self.target.context, self.target.namespace, self.target.name
        )
    }
}

/// Where plans are made: the scope actions apply in.
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    pub context: &'a str,
    pub namespace: &'a str,
    pub workloads: &'a Workloads,
}

fn kubectl(scope: &Scope<'_>, rest: &str) -> String {
    format!(
        "kubectl --context {} -n {} {rest}",
        scope.context, scope.namespace
    )
}

fn target(scope: &Scope<'_>, kind: &str, name: &str) -> Target {
    Target {
        kind: kind.into(),
        name: name.into(),
        namespace: scope.namespace.into(),
        context: scope.context.into(),
    }
}

/// Plans `kubectl scale`; scaling to 0 is high risk; undo scales back.
pub fn scale(scope: &Scope<'_>, deployment: &str, to: u32) -> Result<ActionPlan, String> {
    let d = scope
        .workloads
        .deployment(scope.namespace, deployment)
        .ok_or_else(|| format!("no deployment {deployment:?} in {}", scope.namespace))?;
    let from = d.replicas;
    if from == to {
        return Err(format!("deploy/{deployment} already has {to} replicas"));
    }
    let (risk, risk_reason) = if to == 0 {
        (
            Risk::High,
            Some("scaling to 0 stops the service".to_string()),
        )
    } else {
        (Risk::Low, None)
    };
    let mut plan = ActionPlan {
        action: Action::Scale {
            deployment: deployment.into(),
            from,
            to,
        },
        target: target(scope, "deployment", deployment),
        effect: format!("scale deploy/{deployment} from {from} to {to} replicas"),
        risk,
        risk_reason,
        undo_text: format!("undo scales back to {from} replicas"),
        undo: None,
        cli: kubectl(scope, &format!("scale deploy/{deployment} --replicas={to}")),
        demanded: None,
    };
    let mut inverse = plan.clone();
    inverse.action = Action::Scale {
        deployment: deployment.into(),
        from: to,
        to: from,
    };
    inverse.effect = format!("scale deploy/{deployment} from {to} back to {from} replicas");
    inverse.undo_text = format!("undo scales to {to} replicas again");
    inverse.cli = kubectl(
        scope,
        &format!("scale deploy/{deployment} --replicas={from}"),
    );
    (inverse.risk, inverse.risk_reason) = if from == 0 {
        (
            Risk::High,
            Some("scaling to 0 stops the service".to_string()),
        )
    } else {
        (Risk::Low, None)
    };
    plan.undo = Some(Box::new(inverse));
    Ok(plan)
}

/// Plans `kubectl rollout restart` (the restartedAt annotation patch).
pub fn rollout_restart(scope: &Scope<'_>, deployment: &str) -> Result<ActionPlan, String> {
    let d = scope
        .workloads
        .deployment(scope.namespace, deployment)
        .ok_or_else(|| format!("no deployment {deployment:?} in {}", scope.namespace))?;
    Ok(ActionPlan {
        action: Action::RolloutRestart {
            deployment: deployment.into(),
        },
        target: target(scope, "deployment", deployment),
        effect: format!(
            "restart every pod of deploy/{deployment} ({} replicas), one by one",
            d.replicas
        ),
        risk: Risk::Low,
        risk_reason: None,
        undo_text: "cannot be undone: the old pods are replaced".into(),
        undo: None,
        cli: kubectl(scope, &format!("rollout restart deploy/{deployment}")),
        demanded: None,
    })
}

/// Plans `kubectl delete pod`; its controller (if any) makes a new one.
pub fn delete_pod(scope: &Scope<'_>, pod: &str) -> Result<ActionPlan, String> {
    let p = scope
        .workloads
        .pod(scope.namespace, pod)
        .ok_or_else(|| format!("no pod {pod:?} in {}", scope.namespace))?;
    let (risk, reason, undo_text) = match &p.deployment {
        Some(d) => (
            Risk::Low,
            None,
            format!("cannot be undone; deploy/{d} creates a replacement pod"),
        ),
        None => (
            Risk::High,
            Some("no controller owns this pod: it will not come back".to_string()),
            "cannot be undone: nothing recreates this pod".to_string(),
        ),
    };
    Ok(ActionPlan {
        action: Action::DeletePod { pod: pod.into() },
        target: target(scope, "pod", pod),
        effect: format!("delete pod {pod} ({})", p.status),
        risk,
        risk_reason: reason,
        undo_text,
        undo: None,
        cli: kubectl(scope, &format!("delete pod {pod}")),
        demanded: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::workloads::{Deployment, Pod};

    fn workloads() -> Workloads {
        Workloads::with(
            vec![Deployment {
                name: "order-consumer".into(),
                namespace: "production".into(),
                replicas: 3,
                ready: 3,
                ..Default::default()
            }],
            vec![
                Pod {
                    name: "order-consumer-1".into(),
                    namespace: "production".into(),
                    deployment: Some("order-consumer".into()),
                    status: "Running".into(),
                    restarts: 0,
                    ..Default::default()
                },
                Pod {
                    name: "debug-shell".into(),
                    namespace: "production".into(),
                    deployment: None,
                    status: "Running".into(),
                    restarts: 0,
                    ..Default::default()
                },
            ],
        )
    }

    fn scope(w: &Workloads) -> Scope<'_> {
        Scope {
            context: "prod-eu",
            namespace: "production",
            workloads: w,
        }
    }

    #[test]
    fn scale_plans_the_exact_kubectl_command_and_its_inverse() {
        let w = workloads();
        let plan = scale(&scope(&w), "order-consumer", 6).unwrap();
        assert_eq!(
            plan.cli,
            "kubectl --context prod-eu -n production scale deploy/order-consumer --replicas=6"
        );
        assert_eq!(
            plan.effect,
            "scale deploy/order-consumer from 3 to 6 replicas"
        );
        assert_eq!(plan.risk, Risk::Low);
        let undo = plan.undo.unwrap();
        assert_eq!(
            undo.action,
            Action::Scale {
                deployment: "order-consumer".into(),
                from: 6,
                to: 3
            }
        );
        assert!(undo.cli.ends_with("--replicas=3"));
    }

    #[test]
    fn scale_to_zero_is_high_risk() {
        let w = workloads();
        assert_eq!(
            scale(&scope(&w), "order-consumer", 0).unwrap().risk,
            Risk::High
        );
        assert!(
            scale(&scope(&w), "order-consumer", 3).is_err(),
            "no-op scale"
        );
        assert!(
            scale(&scope(&w), "nope", 3)
                .unwrap_err()
                .contains("no deployment \"nope\"")
        );
    }

    #[test]
    fn restart_and_delete_cannot_be_undone_and_say_so() {
        let w = workloads();
        let r = rollout_restart(&scope(&w), "order-consumer").unwrap();
        assert_eq!(
            r.cli,
            "kubectl --context prod-eu -n production rollout restart deploy/order-consumer"
        );
        assert!(r.undo.is_none() && r.undo_text.starts_with("cannot be undone"));
        let d = delete_pod(&scope(&w), "order-consumer-1").unwrap();
        assert_eq!(d.risk, Risk::Low);
        assert_eq!(
            delete_pod(&scope(&w), "debug-shell").unwrap().risk,
            Risk::High,
            "an unowned pod is gone for good"
        );
    }
}
