//! Which target and sub-view the Queries tab shows, its rows in order, and
//! what is selected.

use super::model::{Kind, Queries, TargetKey, TargetState};
use crate::core::cursor::ListCursor;
use crate::core::service::ServiceScope;
use crate::features::queries::mongo::OpId;
use crate::features::queries::postgres::{BackendState, BlockTree, Statement, StatementsOrder};
use std::time::Duration;

/// A screen of one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubView {
    /// Postgres: pg_stat_statements top list.
    Statements,
    /// Postgres: non-idle backends, longest first.
    Activity,
    /// Postgres: lock waits as trees.
    Blocking,
    /// Postgres: connections against max_connections, unused indexes.
    Connections,
    /// MongoDB: currentOp over the threshold.
    Ops,
    /// MongoDB: system.profile of the chosen databases.
    Slow,
    /// MongoDB: replica-set members.
    ReplicaSet,
    /// Redis: INFO, SLOWLOG, key patterns.
    Redis,
}

impl SubView {
    /// The sub-views of a kind of target, in switching order.
    pub fn of(kind: Kind) -> &'static [SubView] {
        match kind {
            Kind::Postgres => &[
                SubView::Statements,
                SubView::Activity,
                SubView::Blocking,
                SubView::Connections,
            ],
            Kind::Mongo => &[SubView::Ops, SubView::Slow, SubView::ReplicaSet],
            Kind::Redis => &[SubView::Redis],
        }
    }

    /// The name `:view <name>` takes.
    pub fn name(self) -> &'static str {
        match self {
            SubView::Statements => "statements",
            SubView::Activity => "activity",
            SubView::Blocking => "blocking",
            SubView::Connections => "connections",
            SubView::Ops => "ops",
            SubView::Slow => "slow",
            SubView::ReplicaSet => "replset",
            SubView::Redis => "redis",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            SubView::Statements => "Statements",
            SubView::Activity => "Activity",
            SubView::Blocking => "Blocking",
            SubView::Connections => "Connections",
            SubView::Ops => "currentOp",
            SubView::Slow => "Slow ops",
            SubView::ReplicaSet => "Replica set",
            SubView::Redis => "Health",
        }
    }
}

/// A line of the current sub-view.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryRow {
    /// Index into the statements of the last poll, and the statement's
    /// queryid (which stays when the index moves).
    Statement {
        index: usize,
        queryid: Option<i64>,
    },
    Backend(i32),
    /// A backend in a blocking tree, `depth` 0 for the root.
    Tree {
        pid: i32,
        depth: usize,
        root: i32,
    },
    /// Index into the connection groups.
    Group(usize),
    /// Index into the unused indexes.
    Index(usize),
    Op(OpId),
    /// Index of the profile database, then of the op in it.
    Slow {
        db: usize,
        op: usize,
    },
    Member(usize),
    /// Index into SLOWLOG.
    Slowlog(usize),
}

/// The Queries tab's view state.
#[derive(Debug, Clone)]
pub struct QueriesView {
    /// The target shown (the first one until the user picks another).
    pub target: Option<TargetKey>,
    /// The user chose `target`: a target answering later does not take over.
    picked: bool,
    /// The sub-view last chosen for Postgres and for MongoDB targets.
    pub pg: SubView,
    pub mongo: SubView,
    /// How statements are ordered; `s` cycles it.
    pub order: StatementsOrder,
    pub cursor: ListCursor,
    /// Showing the selected row in full (the table cuts text).
    pub detail: bool,
    pub rows: Vec<QueryRow>,
    /// Only this service's sessions and ops (`:service`).
    pub service: Option<ServiceScope>,
}

impl Default for QueriesView {
    fn default() -> Self {
        QueriesView {
            target: None,
            picked: false,
            pg: SubView::Activity,
            mongo: SubView::Ops,
            order: StatementsOrder::default(),
            cursor: ListCursor::default(),
            detail: false,
            rows: Vec::new(),
            service: None,
        }
    }
}

impl QueriesView {
    /// The sub-view of the shown target.
    pub fn sub_view(&self) -> Option<SubView> {
        self.target.as_ref().map(|k| self.sub_view_of(k.kind))
    }

    pub fn sub_view_of(&self, kind: Kind) -> SubView {
        match kind {
            Kind::Postgres => self.pg,
            Kind::Mongo => self.mongo,
            Kind::Redis => SubView::Redis,
        }
    }

    /// The shown target's state.
    pub fn state<'a>(&self, q: &'a Queries) -> Option<&'a TargetState> {
        self.target.as_ref().and_then(|k| q.get(k))
    }

    /// Moves to the next (or previous) target.
    pub fn step_target(&mut self, q: &Queries, forward: bool) {
        let keys = q.keys();
        if keys.is_empty() {
            return;
        }
        let at = self
            .target
            .as_ref()
            .and_then(|t| keys.iter().position(|k| *k == t))
            .unwrap_or(0);
        let n = keys.len();
        let next = if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        };
        self.target = Some(keys[next].clone());
        self.picked = true;
        self.reset(q);
    }

    /// Moves to the next (or previous) sub-view of the shown target.
    pub fn step_view(&mut self, q: &Queries, forward: bool) {
        let Some(kind) = self.target.as_ref().map(|k| k.kind) else {
            return;
        };
        let views = SubView::of(kind);
        let current = self.sub_view_of(kind);
        let at = views.iter().position(|v| *v == current).unwrap_or(0);
        let n = views.len();
        let next = views[if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        }];
        self.set(kind, next);
        self.reset(q);
    }

    /// `:view <name>`: a sub-view of the shown target by name.
    pub fn choose_view(&mut self, q: &Queries, name: &str) -> Result<(), String> {
        let Some(kind) = self.target.as_ref().map(|k| k.kind) else {
            return Err("no database target is configured ([queries] in config.toml)".into());
        };
        let views = SubView::of(kind);
        let Some(view) = views.iter().find(|v| v.name() == name) else {
            let names: Vec<&str> = views.iter().map(|v| v.name()).collect();
            return Err(format!(
                "a {} target has the views {}",
                kind.label(),
                names.join(", ")
            ));
        };
        self.set(kind, *view);
        self.reset(q);
        Ok(())
    }

    /// `:target <name>`.
    pub fn choose_target(&mut self, q: &Queries, name: &str) -> Result<(), String> {
        let Some(key) = q.keys().into_iter().find(|k| k.name == name) else {
            let names: Vec<&str> = q.keys().iter().map(|k| k.name.as_str()).collect();
            return Err(format!(
                "no target {name:?}; targets: {}",
                if names.is_empty() {
                    "none yet".to_string()
                } else {
                    names.join(", ")
                }
            ));
        };
        self.target = Some(key.clone());
        self.picked = true;
        self.reset(q);
        Ok(())
    }

    fn set(&mut self, kind: Kind, view: SubView) {
        match kind {
            Kind::Postgres => self.pg = view,
            Kind::Mongo => self.mongo = view,
            Kind::Redis => {}
        }
    }

    fn reset(&mut self, q: &Queries) {
        self.cursor = ListCursor::default();
        self.detail = false;
        self.refresh(q);
    }

    /// The next statement order; the table re-sorts what it has at once.
    pub fn cycle_order(&mut self, q: &Queries) {
        self.order = self.order.next();
        self.refresh(q);
    }

    /// Recomputes the rows, keeping the selection on the same thing.
    pub fn refresh(&mut self, q: &Queries) {
        // Targets first answer in any order; until the user picks one the
        // first listed is shown, not whichever answered first.
        let lost = self.target.as_ref().is_none_or(|t| q.get(t).is_none());
        let first = q.keys().first().map(|k| (*k).clone());
        if (lost || !self.picked) && self.target != first {
            self.target = first;
            self.cursor = ListCursor::default();
            self.detail = false;
        }
        let selected = self.selected().cloned();
        self.rows = match (self.state(q), self.sub_view()) {
            (Some(state), Some(view)) => rows(state, view, self.order),
            _ => Vec::new(),
        };
        if let (Some(scope), Some(state)) = (&self.service, self.state(q)) {
            in_service(&mut self.rows, state, scope);
        }
        if let Some(sel) = selected
            && let Some(i) = self.rows.iter().position(|r| same(r, &sel))
        {
            self.cursor.selected = i;
        }
        self.cursor.clamp(self.rows.len());
    }

    /// Shows a backend of a Postgres target: in the Blocking view when it
    /// is in a chain, else in Activity. False when it is not there.
    pub fn select_backend(&mut self, q: &Queries, target: &str, pid: i32) -> bool {
        if self.choose_target(q, target).is_err() {
            return false;
        }
        for view in ["blocking", "activity"] {
            if self.choose_view(q, view).is_err() {
                continue;
            }
            self.refresh(q);
            let hit = self.rows.iter().position(|r| match r {
                QueryRow::Tree { pid: p, .. } | QueryRow::Backend(p) => *p == pid,
                _ => false,
            });
            if let Some(i) = hit {
                self.cursor.selected = i;
                return true;
            }
        }
        false
    }

    pub fn selected(&self) -> Option<&QueryRow> {
        self.rows.get(self.cursor.selected)
    }

    /// The backend pid of the selected row (activity or blocking).
    pub fn selected_pid(&self) -> Option<i32> {
        match self.selected()? {
            QueryRow::Backend(pid) | QueryRow::Tree { pid, .. } => Some(*pid),
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Keeps the rows of one service: its backends, the blocking trees it is
/// part of (whole, so the chain still reads), its ops. Statements,
/// connections and the rest are per database and stay.
fn in_service(rows: &mut Vec<QueryRow>, state: &TargetState, scope: &ServiceScope) {
    let ours = |pid: i32| {
        state
            .backends()
            .iter()
            .find(|b| b.pid == pid)
            .is_some_and(|b| scope.has_application(&b.application))
    };
    let trees: Vec<i32> = rows
        .iter()
        .filter_map(|r| match r {
            QueryRow::Tree { pid, root, .. } if ours(*pid) => Some(*root),
            _ => None,
        })
        .collect();
    rows.retain(|r| match r {
        QueryRow::Backend(pid) => ours(*pid),
        QueryRow::Tree { root, .. } => trees.contains(root),
        QueryRow::Op(id) => state
            .ops()
            .iter()
            .find(|o| &o.opid == id)
            .and_then(|o| o.app_name.as_deref())
            .is_some_and(|a| scope.has_application(a)),
        _ => true,
    });
}

/// Rows that stand for the same thing across polls (statements by
/// queryid, since their index moves).
fn same(a: &QueryRow, b: &QueryRow) -> bool {
    match (a, b) {
        (QueryRow::Tree { pid: x, .. }, QueryRow::Tree { pid: y, .. }) => x == y,
        (QueryRow::Statement { queryid: x, .. }, QueryRow::Statement { queryid: y, .. }) => {
            x.is_some() && x == y
        }
        _ => a == b,
    }
}

fn rows(state: &TargetState, view: SubView, order: StatementsOrder) -> Vec<QueryRow> {
    match view {
        SubView::Statements => {
            let Some(Ok(list)) = state.pg().map(|pg| &pg.statements) else {
                return Vec::new();
            };
            let mut idx: Vec<usize> = (0..list.len()).collect();
            idx.sort_by(|&a, &b| order_key(&list[b], order).total_cmp(&order_key(&list[a], order)));
            idx.into_iter()
                .map(|index| QueryRow::Statement {
                    index,
                    queryid: list[index].queryid,
                })
                .collect()
        }
        SubView::Activity => {
            let mut list: Vec<_> = state.backends().iter().collect();
            list.sort_by(|a, b| running(b).cmp(&running(a)).then(a.pid.cmp(&b.pid)));
            list.into_iter().map(|b| QueryRow::Backend(b.pid)).collect()
        }
        SubView::Blocking => {
            let mut out = Vec::new();
            for tree in &state.blocking {
                flatten(tree, tree.pid, 0, &mut out);
            }
            out
        }
        SubView::Connections => {
            let Some(pg) = state.pg() else {
                return Vec::new();
            };
            let groups = pg.connections.as_ref().map_or(0, |c| c.groups.len());
            let indexes = pg.unused_indexes.as_ref().map_or(0, Vec::len);
            (0..groups)
                .map(QueryRow::Group)
                .chain((0..indexes).map(QueryRow::Index))
                .collect()
        }
        SubView::Ops => state
            .ops()
            .iter()
            .map(|o| QueryRow::Op(o.opid.clone()))
            .collect(),
        SubView::Slow => {
            let Some(m) = state.mongo() else {
                return Vec::new();
            };
            m.profiles
                .iter()
                .enumerate()
                .flat_map(|(db, (_, p))| {
                    let n = p.as_ref().map_or(0, |p| p.ops.len());
                    (0..n).map(move |op| QueryRow::Slow { db, op })
                })
                .collect()
        }
        SubView::ReplicaSet => match state.mongo().map(|m| &m.replica_set) {
            Some(Ok(crate::features::queries::mongo::ReplicaSet::Members { members, .. })) => {
                (0..members.len()).map(QueryRow::Member).collect()
            }
            _ => Vec::new(),
        },
        SubView::Redis => {
            let n = state.redis().map_or(0, |r| r.slowlog.len());
            (0..n).map(QueryRow::Slowlog).collect()
        }
    }
}

fn order_key(s: &Statement, order: StatementsOrder) -> f64 {
    match order {
        StatementsOrder::MeanTime => s.mean_ms,
        StatementsOrder::TotalTime => s.total_ms,
        StatementsOrder::Calls => s.calls as f64,
        StatementsOrder::Rows => s.rows as f64,
    }
}

/// How long a backend has held what it holds: an active query by its own
/// time, a transaction left idle by the transaction's.
pub fn running(b: &crate::features::queries::postgres::Backend) -> Duration {
    let d = match b.state {
        BackendState::IdleInTransaction | BackendState::IdleInTransactionAborted => b.xact_duration,
        _ => b.query_duration,
    };
    d.unwrap_or_default()
}

/// Depth first, root first, without recursion (a chain can be as long as
/// max_connections).
fn flatten(tree: &BlockTree, root: i32, depth: usize, out: &mut Vec<QueryRow>) {
    let mut stack = vec![(tree, depth)];
    while let Some((node, d)) = stack.pop() {
        out.push(QueryRow::Tree {
            pid: node.pid,
            depth: d,
            root,
        });
        stack.extend(node.blocks.iter().rev().map(|c| (c, d + 1)));
    }
}
