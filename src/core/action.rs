//! An action is always a plan first: what, on which target, how risky,
//! whether it can be undone, and the command a human could paste instead.
//! These types are shared: features build plans, the guard chain checks
//! them, executors carry them out, the audit log and Timeline record them.

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
    /// `kubectl rollout undo --to-revision`: the deployment's pod template
    /// set to that revision's (its ReplicaSet's, without the hash label).
    Rollback {
        deployment: String,
        from_revision: u64,
        to_revision: u64,
        /// Per container, the image now and after.
        images: Vec<ImageChange>,
        /// The spec the plan was made for: the executor refuses when the
        /// generation moved since.
        generation: i64,
    },
    /// `kubectl rollout pause` (or, with `pause: false`, `resume`).
    RolloutPause {
        deployment: String,
        pause: bool,
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
        /// `backend_start` in µs since the epoch, as planned: a pid can be
        /// reused by a new session, which the executor must not signal.
        backend_start: Option<i64>,
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
        /// When the op started, as planned (poll time less its running
        /// time): an opid can be reused by a later op.
        started: Option<chrono::DateTime<chrono::Utc>>,
    },
}

/// One container's image before and after a rollback.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImageChange {
    pub container: String,
    /// `None`: the container is not in that template.
    pub from: Option<String>,
    pub to: Option<String>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
    pub endpoint: Endpoint,
    pub update: UpdateState,
    /// The state before, as the table showed it (for the plan and undo).
    pub from: String,
}

impl Action {
    /// Which backend carries it out.
    pub fn backend(&self) -> Backend {
        match self {
            Action::Scale { .. }
            | Action::RolloutRestart { .. }
            | Action::DeletePod { .. }
            | Action::Rollback { .. }
            | Action::RolloutPause { .. } => Backend::Kubernetes,
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
            Action::Rollback { .. } => "rollback",
            Action::RolloutPause { pause: true, .. } => "rollout_pause",
            Action::RolloutPause { pause: false, .. } => "rollout_resume",
            Action::Breaker { calls, .. } => match calls.first().map(|c| c.update) {
                Some(UpdateState::Close) => "breaker_close",
                Some(UpdateState::ForceOpen) => "breaker_force_open",
                Some(UpdateState::Disable) => "breaker_disable",
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

/// Where an action lands. A plan over several instances may reach
/// several namespaces or environments: `places` lists each, and the guard
/// chain decides protection and read-only over all of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Target {
    /// Kubernetes-style kind: deployment, pod, breaker, backend, ...
    pub kind: String,
    pub name: String,
    /// The namespace (or the places' namespaces, joined, when several).
    pub namespace: String,
    /// Kube context or cluster name.
    pub context: String,
    /// Every place the plan touches, with how many calls land there.
    pub places: Vec<Place>,
}

/// One namespace of one environment a plan reaches.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Place {
    /// `None`: nobody said which environment (an actuator URL with no
    /// label), which counts as protected when anything is.
    pub context: Option<String>,
    pub namespace: String,
    pub count: usize,
}

impl Target {
    /// A target in exactly one place.
    pub fn one(kind: &str, name: &str, namespace: &str, context: &str) -> Target {
        Target {
            kind: kind.into(),
            name: name.into(),
            namespace: namespace.into(),
            context: context.into(),
            places: vec![Place {
                context: Some(context.into()),
                namespace: namespace.into(),
                count: 1,
            }],
        }
    }

    /// "2 in canary, 3 in production (prod-eu)": for plans over several places.
    pub fn spread(&self) -> String {
        self.places
            .iter()
            .map(|p| {
                let env = p.context.as_deref().unwrap_or("environment not labelled");
                format!("{} in {} ({env})", p.count, p.namespace)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.places.len() > 1 {
            return write!(f, "{}/{}: {}", self.kind, self.name, self.spread());
        }
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
    /// What a typed confirmation must match: `namespace/name` for an
    /// object in one Kubernetes namespace (the same name may exist in
    /// another), else the name.
    pub fn confirm_text(&self) -> String {
        let kube_object = match &self.action {
            Action::Scale { .. }
            | Action::RolloutRestart { .. }
            | Action::DeletePod { .. }
            | Action::Rollback { .. }
            | Action::RolloutPause { .. } => true,
            Action::Breaker { calls, .. } => {
                self.target.places.len() == 1
                    && calls
                        .iter()
                        .all(|c| matches!(c.endpoint, Endpoint::PodProxy { .. }))
            }
            _ => false,
        };
        if kube_object {
            format!("{}/{}", self.target.namespace, self.target.name)
        } else {
            self.target.name.clone()
        }
    }

    /// Replaces secrets in what the plan shows (a query's `PASSWORD '…'`, a
    /// URL's password): the dialog, the Timeline and exports see only this.
    pub fn redact_texts(&mut self) {
        use super::redact::redact;
        self.effect = redact(&self.effect);
        self.cli = redact(&self.cli);
        self.undo_text = redact(&self.undo_text);
        self.risk_reason = self.risk_reason.as_deref().map(redact);
    }

    /// The plan as the audit log keeps it: its texts and the action's own
    /// strings (query, command, URLs) redacted. The executor keeps the real
    /// ones, since it compares them with what the backend runs now.
    pub fn for_audit(&self) -> ActionPlan {
        use super::redact::redact;
        let mut plan = self.clone();
        plan.redact_texts();
        match &mut plan.action {
            Action::PgSignal { query, .. } => *query = redact(query),
            Action::MongoKillOp { command, .. } => *command = redact(command),
            Action::Breaker { calls, .. } => {
                for c in calls {
                    if let Endpoint::Url { base, .. } = &mut c.endpoint {
                        *base = redact(base);
                    }
                }
            }
            _ => {}
        }
        plan.undo = None;
        plan
    }

    /// The effect's first line: plans over several instances list each
    /// on the lines after it.
    pub fn summary(&self) -> &str {
        self.effect.lines().next().unwrap_or(&self.effect)
    }

    /// The war room's keys for this plan: a lock per (context, kind of
    /// action, target), so a scale to 6 and a scale to 3 of one deployment
    /// cannot run at once, and the cooldown under the local key.
    pub fn lock_keys(&self) -> super::room::LockKeys {
        let kind = match self.action.verb() {
            v if v.starts_with("breaker") => "breaker",
            v if v.starts_with("pg_") => "pg_signal",
            v => v,
        };
        let t = &self.target;
        super::room::LockKeys {
            lock: format!(
                "opsdeck:lock:{kind}:{}:{}/{}",
                t.context, t.namespace, t.name
            ),
            cooldown: format!("opsdeck:cooldown:{}", self.cooldown_key()),
        }
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

/// Where a breaker's actuator answers, for the write operation.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum Endpoint {
    /// An actuator base URL from the config, e.g. `http://orders:8080/actuator`,
    /// with the environment the config says it is in, if it says.
    Url {
        base: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        context: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
    },
    /// Through the Kubernetes API server's pod proxy.
    PodProxy {
        namespace: String,
        pod: String,
        port: u16,
        /// The actuator base path inside the pod, e.g. `/actuator`.
        base_path: String,
    },
}

impl Endpoint {
    /// A URL with no environment label.
    pub fn url(base: &str) -> Endpoint {
        Endpoint::Url {
            base: base.into(),
            context: None,
            namespace: None,
        }
    }

    /// The path (pod proxy) or URL (direct) of the actuator base.
    pub fn base(&self) -> String {
        match self {
            Endpoint::Url { base, .. } => base.trim_end_matches('/').to_string(),
            Endpoint::PodProxy {
                namespace,
                pod,
                port,
                base_path,
            } => format!(
                "/api/v1/namespaces/{namespace}/pods/{pod}:{port}/proxy{}",
                base_path.trim_end_matches('/')
            ),
        }
    }
}

/// A state change an operator can ask of a breaker through the actuator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UpdateState {
    Close,
    ForceOpen,
    Disable,
}

impl UpdateState {
    /// The `updateState` value resilience4j expects.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Close => "CLOSE",
            Self::ForceOpen => "FORCE_OPEN",
            Self::Disable => "DISABLE",
        }
    }
}
