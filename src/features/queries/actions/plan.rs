//! Plans for database actions: cancel or terminate a Postgres backend
//! (one, or the root of a blocking chain) and kill a MongoDB op. Each
//! shows the query and how long it has run. What the guard chain checks
//! before anything is sent (the target still in the latest poll,
//! privileged backends refused unless allowed) is decided here too, from
//! the model alone.

use crate::core::action::{Action, ActionPlan, Risk, Target};
use crate::features::queries::model::{Kind, Queries, TargetKey, TargetState, human_duration};
use crate::features::queries::mongo::OpId;
use crate::features::queries::postgres::BackendState;
use std::time::Duration;

/// Characters of query text a plan shows (on one line, which the dialog
/// wraps): enough to recognise the query, short enough to fit 80x24.
const PLAN_QUERY_CHARS: usize = 116;

/// Cancel (or terminate) backend `pid` of a Postgres target.
pub fn pg_signal(state: &TargetState, pid: i32, terminate: bool) -> Result<ActionPlan, String> {
    let name = &state.key.name;
    let backend = state.backend(pid);
    let tree = state.tree_of(pid).filter(|t| t.pid == pid);
    if backend.is_none() && tree.is_none() {
        return Err(format!(
            "{name}: no backend with pid {pid} in the last poll"
        ));
    }
    let waiting = tree.map_or(0, |t| t.waiting());
    let query = backend.map(|b| b.query.clone()).unwrap_or_default();
    let running = backend.map(crate::features::queries::model::running);
    let running_secs = running.map(|d| d.as_secs());
    let database = backend.and_then(|b| b.database.clone());
    let user = backend.and_then(|b| b.user.clone());
    let verb = if terminate {
        "terminate"
    } else {
        "cancel the query of"
    };
    let app = backend
        .map(|b| b.application.as_str())
        .filter(|a| !a.is_empty())
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    let mut effect = format!("{verb} pid {pid} on {name}{app}");
    match (backend, running) {
        (Some(b), Some(d))
            if matches!(
                b.state,
                BackendState::IdleInTransaction | BackendState::IdleInTransactionAborted
            ) =>
        {
            effect.push_str(&format!(", {} for {}", b.state.label(), human_duration(d)))
        }
        (_, Some(d)) => effect.push_str(&format!(", running {}", human_duration(d))),
        (_, None) => effect.push_str(" (not in the activity list: its query is unknown)"),
    }
    // Budgeted so the whole plan and its confirmation fit 80x24.
    let room = if waiting > 0 {
        effect.push_str(&format!("; {waiting} backend(s) wait on it"));
        PLAN_QUERY_CHARS / 2
    } else {
        PLAN_QUERY_CHARS
    };
    effect.push_str(&quoted("query: ", &query, room));
    let (risk, risk_reason, undo_text, sql) = if terminate {
        (
            Risk::High,
            Some("ends the session and rolls back its transaction".to_string()),
            "cannot be undone: the transaction is rolled back",
            "pg_terminate_backend",
        )
    } else {
        (
            Risk::Low,
            None,
            "cannot be undone: the client sees an error (it may retry)",
            "pg_cancel_backend",
        )
    };
    Ok(ActionPlan {
        action: Action::PgSignal {
            target: name.clone(),
            pid,
            terminate,
            query,
            running_secs,
            user,
            database: database.clone(),
            waiting,
            backend_start: backend.and_then(|b| b.backend_start),
        },
        target: Target::one(
            "backend",
            &pid.to_string(),
            database.as_deref().unwrap_or("-"),
            name,
        ),
        effect,
        risk,
        risk_reason,
        undo_text: undo_text.into(),
        undo: None,
        cli: format!("SELECT {sql}({pid});  -- psql on {name}"),
        demanded: None,
    })
}

/// killOp of one op of a MongoDB target.
pub fn mongo_kill(state: &TargetState, opid: &OpId) -> Result<ActionPlan, String> {
    let name = &state.key.name;
    let op = state
        .op(opid)
        .ok_or_else(|| format!("{name}: op {opid} is not in the last poll"))?;
    let mut effect = format!(
        "kill op {opid} on {name} ({}), running {}",
        op.app_name
            .as_deref()
            .or(op.client.as_deref())
            .unwrap_or("internal"),
        human_duration(Duration::from_secs(
            u64::try_from(op.secs_running).unwrap_or(0)
        )),
    );
    let head = format!(
        "{} on {}, plan {}: ",
        op.op,
        op.ns,
        op.plan_summary.as_deref().unwrap_or("-")
    );
    effect.push_str(&quoted(&head, &op.command, PLAN_QUERY_CHARS));
    let literal = match opid {
        OpId::Number(n) => n.to_string(),
        OpId::Sharded(s) => format!("{s:?}"),
    };
    Ok(ActionPlan {
        action: Action::MongoKillOp {
            target: name.clone(),
            opid: opid.to_string(),
            ns: op.ns.clone(),
            op: op.op.clone(),
            secs_running: op.secs_running,
            command: op.command.clone(),
            started: state
                .last_ok
                .map(|at| at - chrono::Duration::seconds(op.secs_running)),
        },
        target: Target::one("op", &opid.to_string(), &op.ns, name),
        effect,
        risk: Risk::High,
        risk_reason: Some("a multi-document write may be left half done".into()),
        undo_text: "cannot be undone: the client sees the op fail".into(),
        undo: None,
        cli: format!("db.adminCommand({{ killOp: 1, op: {literal} }})  // mongosh on {name}"),
        demanded: None,
    })
}

/// The op id of a plan, as the driver wants it back.
pub fn parse_opid(text: &str) -> OpId {
    match text.parse::<i64>() {
        Ok(n) => OpId::Number(n),
        Err(_) => OpId::Sharded(text.to_string()),
    }
}

/// The target still shows the backend (or op) in its latest poll.
pub fn target_exists(plan: &ActionPlan, q: &Queries) -> Option<bool> {
    let (kind, target) = match &plan.action {
        Action::PgSignal { target, .. } => (Kind::Postgres, target),
        Action::MongoKillOp { target, .. } => (Kind::Mongo, target),
        _ => return None,
    };
    let state = q.get(&TargetKey {
        kind,
        name: target.clone(),
    });
    Some(match (&plan.action, state) {
        (Action::PgSignal { pid, .. }, Some(s)) => {
            s.backend(*pid).is_some() || s.tree_of(*pid).is_some()
        }
        (Action::MongoKillOp { opid, .. }, Some(s)) => s.op(&parse_opid(opid)).is_some(),
        _ => false,
    })
}

/// Why the plan must not run, from what the latest poll says: replication
/// and superuser backends (and MongoDB's internal ops) unless the target
/// allows privileged ones; cancelling a backend that runs no query.
pub fn failed_preconditions(plan: &ActionPlan, q: &Queries) -> Vec<String> {
    let mut out = Vec::new();
    match &plan.action {
        Action::PgSignal {
            target,
            pid,
            terminate,
            ..
        } => {
            let key = TargetKey {
                kind: Kind::Postgres,
                name: target.clone(),
            };
            let Some(s) = q.get(&key) else {
                return out;
            };
            let allowed = s.pg().is_some_and(|pg| pg.allow_privileged);
            let Some(b) = s.backend(*pid) else {
                return out;
            };
            let replication =
                b.backend_type == "walsender" || b.backend_type.starts_with("logical replication");
            if replication && !allowed {
                out.push(format!(
                    "pid {pid} is a replication backend ({}); set allow_privileged for {target} to signal it",
                    b.backend_type
                ));
            }
            if b.superuser && !allowed {
                out.push(format!(
                    "pid {pid} belongs to superuser {}; set allow_privileged for {target} to signal it",
                    b.user.as_deref().unwrap_or("?")
                ));
            }
            let active = matches!(
                b.state,
                BackendState::Active | BackendState::FastpathFunctionCall
            );
            if !terminate && !active {
                out.push(format!(
                    "pid {pid} is {}: there is no running query to cancel (terminate ends its transaction)",
                    b.state.label()
                ));
            }
        }
        Action::MongoKillOp { target, opid, .. } => {
            let key = TargetKey {
                kind: Kind::Mongo,
                name: target.clone(),
            };
            let Some(s) = q.get(&key) else {
                return out;
            };
            let allowed = s.mongo().is_some_and(|m| m.allow_privileged);
            if let Some(op) = s.op(&parse_opid(opid))
                && is_internal(op)
                && !allowed
            {
                out.push(format!(
                        "op {opid} is the server's own ({}); set allow_privileged for {target} to kill it",
                        if op.client.is_none() {
                            "no client".to_string()
                        } else {
                            op.ns.clone()
                        }
                    ));
            }
        }
        _ => {}
    }
    out
}

/// Replication and other server threads: no client, or the oplog.
fn is_internal(op: &crate::features::queries::mongo::CurrentOp) -> bool {
    op.client.is_none() || op.ns.starts_with("local.")
}

/// `head` and the query under the effect line, on one line, cut to `room`
/// characters (the row's detail shows all of it).
fn quoted(head: &str, query: &str, room: usize) -> String {
    let line = query.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        return String::new();
    }
    let cut =
        crate::features::queries::mongo::truncate_chars(&line, room.saturating_sub(head.len()));
    format!("\n{head}{cut}")
}
