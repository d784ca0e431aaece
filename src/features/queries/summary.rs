//! What the Overview needs of the Queries tab: the database sessions that
//! block others, wait, or run over their threshold, by application; and
//! each target's shared trouble (connections, hit rate, evictions, a
//! root blocker, a target that does not answer).

use super::model::{Queries, Snapshot, TargetState};
use super::postgres::BlockTree;
use crate::core::service::{Condition, InfraSignal, SessionSignal};

/// Waiters behind one root that make it crit rather than warn.
const BLOCKING_CRIT: usize = 3;

pub fn sessions(q: &Queries) -> Vec<SessionSignal> {
    let mut out = Vec::new();
    for t in q.targets.values() {
        match &t.data {
            Some(Snapshot::Postgres(pg)) => {
                let Ok(backends) = &pg.activity else { continue };
                for b in backends {
                    let blocking = waiters(&t.blocking, b.pid);
                    let blocked = !b.blocked_by.is_empty();
                    if blocking == 0 && !blocked && !b.over_threshold {
                        continue;
                    }
                    out.push(SessionSignal {
                        target: t.key.name.clone(),
                        application: b.application.clone(),
                        mongo: false,
                        id: b.pid.to_string(),
                        blocking,
                        blocked,
                        over_threshold: b.over_threshold,
                        running: b.query_duration,
                        condition: session_condition(blocking, blocked, b.over_threshold),
                    });
                }
            }
            Some(Snapshot::Mongo(m)) => {
                let Ok(ops) = &m.ops else { continue };
                for op in ops {
                    out.push(SessionSignal {
                        target: t.key.name.clone(),
                        application: op.app_name.clone().unwrap_or_default(),
                        mongo: true,
                        id: op.opid.to_string(),
                        blocking: 0,
                        blocked: op.waiting_for_lock,
                        // Listed ops are the ones over `secs_running`.
                        over_threshold: true,
                        running: u64::try_from(op.secs_running)
                            .ok()
                            .map(std::time::Duration::from_secs),
                        condition: Condition::Warn,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

fn session_condition(blocking: usize, blocked: bool, over: bool) -> Condition {
    if blocking >= BLOCKING_CRIT || (blocking > 0 && over) {
        Condition::Crit
    } else if blocking > 0 || blocked || over {
        Condition::Warn
    } else {
        Condition::Ok
    }
}

/// How many wait behind `pid` when it is a root blocker.
fn waiters(trees: &[BlockTree], pid: i32) -> usize {
    trees
        .iter()
        .find(|t| t.pid == pid)
        .map_or(0, BlockTree::waiting)
}

pub fn infra(q: &Queries) -> Vec<InfraSignal> {
    let mut out = Vec::new();
    for t in q.targets.values() {
        let name = t.key.name.clone();
        if let Some(e) = &t.error {
            out.push(InfraSignal {
                name: name.clone(),
                text: format!("not answering: {e}"),
                condition: Condition::Crit,
            });
        }
        match &t.data {
            Some(Snapshot::Postgres(pg)) => pg_infra(t, pg, &mut out),
            Some(Snapshot::Redis(r)) => {
                let rate = r.rates.as_ref().and_then(|x| x.hit_rate);
                let evicted = r.rates.as_ref().and_then(|x| x.evicted_per_sec);
                let low = rate.is_some_and(|h| h < r.hit_rate_warn);
                let evicting = evicted.is_some_and(|e| e > 0.0);
                if low || evicting {
                    let mut text = Vec::new();
                    if let Some(h) = rate {
                        text.push(format!("hit rate {:.0}%", h * 100.0));
                    }
                    if let Some(e) = evicted.filter(|e| *e > 0.0) {
                        text.push(format!("evicting {e:.0}/s"));
                    }
                    out.push(InfraSignal {
                        name,
                        text: text.join(", "),
                        condition: Condition::Warn,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

fn pg_infra(t: &TargetState, pg: &super::model::PgData, out: &mut Vec<InfraSignal>) {
    let name = &t.key.name;
    if let Ok(c) = &pg.connections
        && c.warning
    {
        out.push(InfraSignal {
            name: name.clone(),
            text: format!(
                "connections {}/{} ({:.0}%)",
                c.total,
                c.max_connections,
                c.ratio * 100.0
            ),
            condition: Condition::Warn,
        });
    }
    let Ok(backends) = &pg.activity else { return };
    for tree in &t.blocking {
        let Some(root) = backends.iter().find(|b| b.pid == tree.pid) else {
            continue;
        };
        let app = if root.application.is_empty() {
            "no application_name"
        } else {
            &root.application
        };
        let user = root.user.as_deref().unwrap_or("?");
        let query: String = root.query.chars().take(40).collect();
        out.push(InfraSignal {
            name: name.clone(),
            text: format!(
                "pid {} ({app}, {user}) blocks {}: {query}",
                root.pid,
                tree.waiting()
            ),
            condition: session_condition(tree.waiting(), false, root.over_threshold),
        });
    }
}
