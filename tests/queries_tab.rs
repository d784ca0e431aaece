//! The Queries tab: each sub-view of a Postgres, MongoDB and Redis target
//! at 80x24 and 160x48, the blocking tree, the detail with the full query,
//! the cancel / terminate / killOp plans and the guard chain's refusals,
//! a failed target next to healthy ones, and the demo's database story.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use insta::assert_snapshot;
use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Effect, Event, Overlay};
use opsdeck::core::action::{Action, Risk};
use opsdeck::features::queries::model::{
    Kind, MongoData, PgData, QueriesUpdate, QueryRow, RedisData, Snapshot, SubView,
};
use opsdeck::features::queries::mongo::{CurrentOp, DbProfile, Member, OpId, ReplicaSet, SlowOp};
use opsdeck::features::queries::postgres::{
    Backend, BackendState, ConnectionGroup, Statement, StatementsOrder, UnusedIndex, usage,
};
use opsdeck::features::queries::redis::{Info, MemoryUse, PatternCount, Rates, SlowEntry};
use opsdeck::remediation::guard::Step;
use opsdeck::update::Update;
use std::time::Duration;
use support::*;

const LONG_QUERY: &str = "SELECT o.id, o.customer_id, o.total, c.email\n  FROM orders o\n  JOIN customers c ON c.id = o.customer_id\n WHERE o.status = 'PENDING'\n   AND o.created_at < now() - interval '30 days'\n ORDER BY o.created_at";

fn backend(pid: i32, secs: u64, blocked_by: &[i32], app: &str, query: &str) -> Backend {
    Backend {
        pid,
        user: Some("shop".into()),
        database: Some("orders".into()),
        application: app.into(),
        client_addr: "10.0.12.35".parse().ok(),
        state: BackendState::Active,
        wait_event_type: if blocked_by.is_empty() {
            None
        } else {
            Some("Lock".into())
        },
        wait_event: if blocked_by.is_empty() {
            None
        } else {
            Some("relation".into())
        },
        backend_type: "client backend".into(),
        query_duration: Some(Duration::from_secs(secs)),
        xact_duration: Some(Duration::from_secs(secs + 2)),
        query: query.into(),
        blocked_by: blocked_by.to_vec(),
        over_threshold: secs > 5,
        superuser: false,
        backend_start: None,
    }
}

fn activity() -> Vec<Backend> {
    let mut idle = backend(5120, 1, &[], "checkout-api", "COMMIT");
    idle.state = BackendState::IdleInTransaction;
    idle.xact_duration = Some(Duration::from_secs(340));
    let mut root = backend(
        4711,
        250,
        &[],
        "psql",
        "CREATE INDEX orders_status_idx ON orders (status)",
    );
    root.user = Some("migrations".into());
    let mut walsender = backend(88, 9000, &[], "walreceiver", "");
    walsender.backend_type = "walsender".into();
    let mut dba = backend(90, 12, &[], "psql", "VACUUM FULL customers");
    dba.user = Some("postgres".into());
    dba.superuser = true;
    vec![
        root,
        backend(
            4718,
            200,
            &[4711],
            "order-service",
            "INSERT INTO orders (id, total) VALUES ($1, $2)",
        ),
        backend(
            4721,
            190,
            &[4711],
            "order-service",
            "INSERT INTO orders (id, total) VALUES ($1, $2)",
        ),
        backend(
            4713,
            150,
            &[4718],
            "payment-service",
            "UPDATE orders SET status = $1 WHERE id = $2",
        ),
        backend(5001, 45, &[], "reporting", LONG_QUERY),
        backend(5002, 0, &[], "order-service", "SELECT 1"),
        idle,
        walsender,
        dba,
    ]
}

fn statement(id: i64, calls: i64, mean: f64, pct: f64, rows: i64, query: &str) -> Statement {
    Statement {
        queryid: Some(id),
        calls,
        mean_ms: mean,
        max_ms: mean * 8.0,
        total_ms: mean * calls as f64,
        percent_of_total: pct,
        rows,
        query: query.into(),
    }
}

fn pg_data(backends: Vec<Backend>) -> PgData {
    PgData {
        statements: Ok(vec![
            statement(
                11,
                18_090,
                2_840.0,
                61.2,
                18_090,
                "INSERT INTO orders (id, total) VALUES ($1, $2)",
            ),
            statement(12, 210, 145.0, 3.6, 2_100, LONG_QUERY),
            statement(
                13,
                52_400,
                0.42,
                2.6,
                52_400,
                "SELECT * FROM orders WHERE customer_id = $1",
            ),
            statement(
                14,
                96_800,
                0.08,
                0.9,
                290_000,
                "SELECT sku, available FROM stock WHERE sku = ANY($1)",
            ),
        ]),
        statements_order: StatementsOrder::MeanTime,
        // The top 4 were asked for: a cut list, which another order re-reads.
        statements_limit: 4,
        activity: Ok(backends),
        connections: Ok(usage(
            vec![
                ConnectionGroup {
                    database: Some("orders".into()),
                    application: "order-service".into(),
                    count: 74,
                },
                ConnectionGroup {
                    database: Some("orders".into()),
                    application: "payment-service".into(),
                    count: 18,
                },
                ConnectionGroup {
                    database: Some("postgres".into()),
                    application: String::new(),
                    count: 1,
                },
            ],
            100,
            0.9,
        )),
        unused_indexes: Ok(vec![UnusedIndex {
            schema: "public".into(),
            table: "orders".into(),
            index: "orders_legacy_ref_idx".into(),
            bytes: 431_964_160,
        }]),
        activity_threshold: Duration::from_secs(5),
        allow_privileged: false,
    }
}

fn op(opid: i64, secs: i64, ns: &str, plan: &str, lock: bool, command: &str) -> CurrentOp {
    CurrentOp {
        opid: OpId::Number(opid),
        op: "query".into(),
        ns: ns.into(),
        secs_running: secs,
        plan_summary: Some(plan.into()),
        app_name: Some("order-service".into()),
        client: Some("10.0.12.35:50412".into()),
        waiting_for_lock: lock,
        desc: Some("conn4211".into()),
        command: command.into(),
    }
}

fn slow(millis: i64, ns: &str, examined: i64, returned: i64, plan: &str) -> SlowOp {
    SlowOp {
        millis,
        op: "query".into(),
        ns: ns.into(),
        docs_examined: examined,
        nreturned: returned,
        plan_summary: Some(plan.into()),
        app_name: Some("order-service".into()),
        ts: Some(t0()),
    }
}

fn mongo_data() -> MongoData {
    MongoData {
        ops: Ok(vec![
            op(
                91_823_311,
                47,
                "shop.orders",
                "COLLSCAN",
                false,
                r#"{ find: "orders", filter: { status: "PENDING", customerId: { $exists: true } }, sort: { createdAt: -1 } }"#,
            ),
            op(
                91_823_790,
                12,
                "shop.carts",
                "IXSCAN { userId: 1 }",
                true,
                r#"{ update: "carts", updates: [ { q: { userId: 7 } } ] }"#,
            ),
        ]),
        secs_running: 5,
        profiles: vec![
            (
                "shop".into(),
                Ok(DbProfile {
                    db: "shop".into(),
                    level: 1,
                    slowms: 100,
                    ops: vec![
                        slow(4_210, "shop.orders", 1_203_448, 12, "COLLSCAN"),
                        slow(412, "shop.carts", 1, 1, "IXSCAN { userId: 1 }"),
                    ],
                }),
            ),
            (
                "analytics".into(),
                Ok(DbProfile {
                    db: "analytics".into(),
                    level: 0,
                    slowms: 100,
                    ops: Vec::new(),
                }),
            ),
        ],
        replica_set: Ok(ReplicaSet::Members {
            set: "rs0".into(),
            members: vec![
                Member {
                    name: "mongo-0:27017".into(),
                    state: "PRIMARY".into(),
                    healthy: true,
                    lag_secs: Some(0),
                },
                Member {
                    name: "mongo-1:27017".into(),
                    state: "SECONDARY".into(),
                    healthy: true,
                    lag_secs: Some(14),
                },
                Member {
                    name: "mongo-2:27017".into(),
                    state: "(not reachable/healthy)".into(),
                    healthy: false,
                    lag_secs: None,
                },
            ],
        }),
        allow_privileged: false,
    }
}

fn redis_data() -> RedisData {
    RedisData {
        info: Info {
            redis_version: Some("7.0.15".into()),
            uptime_secs: Some(3_605),
            connected_clients: Some(412),
            blocked_clients: Some(3),
            used_memory: Some(900 << 20),
            maxmemory: Some(1 << 30),
            ..Info::default()
        },
        rates: Some(Rates {
            window: Duration::from_secs(5),
            hits: 3_100,
            misses: 1_900,
            hit_rate: Some(0.62),
            evicted_per_sec: Some(12.4),
            expired_per_sec: Some(3.0),
            ops_per_sec: Some(12_400.0),
            restarted: false,
        }),
        memory: Some(MemoryUse {
            used: 900 << 20,
            max: Some(1 << 30),
            ratio: Some(900.0 / 1024.0),
        }),
        slowlog: vec![
            SlowEntry {
                id: 14,
                timestamp: t0().timestamp() - 30,
                duration: Duration::from_micros(48_250),
                args: vec!["KEYS".into(), "ratelimit:*".into()],
                client_addr: Some("10.0.0.7:52144".into()),
                client_name: None,
            },
            SlowEntry {
                id: 13,
                timestamp: t0().timestamp() - 90,
                duration: Duration::from_micros(9_100),
                args: vec!["HGETALL".into(), "cart:88101".into()],
                client_addr: Some("10.0.0.8:40022".into()),
                client_name: Some("cart-service".into()),
            },
        ],
        patterns: vec![PatternCount {
            pattern: "ratelimit:*".into(),
            count: 10_000,
            capped: true,
        }],
        hit_rate_warn: 0.8,
    }
}

fn feed(a: &mut App, kind: Kind, target: &str, data: Result<Snapshot, String>) {
    a.update(Event::Update(Update::from(QueriesUpdate {
        kind,
        target: target.into(),
        at: t0(),
        data,
    })));
}

/// Three targets reporting, the Queries tab on the Postgres one.
fn queries_app(size: (u16, u16)) -> App {
    let mut a = app(size);
    feed(
        &mut a,
        Kind::Postgres,
        "orders-db",
        Ok(Snapshot::Postgres(Box::new(pg_data(activity())))),
    );
    feed(
        &mut a,
        Kind::Mongo,
        "shop-mongo",
        Ok(Snapshot::Mongo(Box::new(mongo_data()))),
    );
    feed(
        &mut a,
        Kind::Redis,
        "cache",
        Ok(Snapshot::Redis(Box::new(redis_data()))),
    );
    a.update(Event::Tick(t0() + chrono::Duration::seconds(3)));
    keys(&mut a, &["5"]);
    assert_eq!(a.tab, Tab::Queries);
    a
}

fn dialog(a: &App) -> &opsdeck::app::dialog::ActionDialog {
    match &a.overlay {
        Overlay::Action(d) => d,
        _ => panic!("no dialog: {:?}", a.status),
    }
}

/// Selects the row of backend pid or op id `id` with the keys a user
/// would press.
fn select(a: &mut App, id: &str) {
    let i = a
        .model
        .queries
        .view
        .rows
        .iter()
        .position(|r| match r {
            QueryRow::Backend(p) | QueryRow::Tree { pid: p, .. } => p.to_string() == id,
            QueryRow::Op(o) => o.to_string() == id,
            _ => false,
        })
        .unwrap_or_else(|| panic!("no row {id}: {:?}", a.model.queries.view.rows));
    keys(a, &["g"]);
    for _ in 0..i {
        keys(a, &["j"]);
    }
    assert_eq!(a.model.queries.view.cursor.selected, i);
}

#[test]
fn activity_80x24() {
    let a = queries_app((80, 24));
    assert_eq!(a.model.queries.view.sub_view(), Some(SubView::Activity));
    assert_snapshot!(render(&a).backend());
}

#[test]
fn activity_160x48() {
    let a = queries_app((160, 48));
    let s = screen(&a);
    assert!(s.contains("walsender") || s.contains("walreceiver"), "{s}");
    assert!(s.contains("idle in tx"), "{s}");
    assert_snapshot!(render(&a).backend());
}

#[test]
fn statements_in_each_order_160x48() {
    let mut a = queries_app((160, 48));
    keys(&mut a, &["h"]);
    assert_eq!(a.model.queries.view.sub_view(), Some(SubView::Statements));
    let s = screen(&a);
    assert!(s.contains("MEAN▼"), "{s}");
    assert!(s.contains("2.8 s"), "mean time shown: {s}");
    let effects = keys(&mut a, &["s", "s"]);
    assert_eq!(
        effects,
        [
            Effect::QueriesOrder(StatementsOrder::TotalTime),
            Effect::QueriesOrder(StatementsOrder::Calls)
        ],
        "the pollers are asked to read in the new order"
    );
    let s = screen(&a);
    assert!(s.contains("CALLS▼"), "{s}");
    assert!(
        s.contains("until the next poll re-reads"),
        "the table says it is re-sorting what it has:\n{s}"
    );
    let first = s.lines().find(|l| l.contains("SELECT sku")).unwrap();
    let second = s
        .lines()
        .position(|l| l.contains("SELECT * FROM orders"))
        .unwrap();
    assert!(s.lines().position(|l| l == first).unwrap() < second, "{s}");
    assert_snapshot!(render(&a).backend());
}

#[test]
fn a_missing_extension_says_how_to_fix_it() {
    let mut a = app((120, 30));
    let mut data = pg_data(activity());
    data.statements = Err("orders-db: statements: pg_stat_statements is not created in this database: add pg_stat_statements to shared_preload_libraries (restart) and run CREATE EXTENSION pg_stat_statements;".into());
    feed(
        &mut a,
        Kind::Postgres,
        "orders-db",
        Ok(Snapshot::Postgres(Box::new(data))),
    );
    keys(&mut a, &["5", "h"]);
    let s = screen(&a);
    assert!(s.contains("shared_preload_libraries"), "{s}");
    assert!(s.contains("CREATE EXTENSION"), "{s}");
}

#[test]
fn the_blocking_tree_80x24_and_160x48() {
    for size in [(80, 24), (160, 48)] {
        let mut a = queries_app(size);
        keys(&mut a, &["l"]);
        assert_eq!(a.model.queries.view.sub_view(), Some(SubView::Blocking));
        let s = screen(&a);
        assert!(s.contains("4711 ◀ blocks 3"), "{s}");
        assert!(
            s.contains("├─ 4718") && s.contains("│  └─ 4713") && s.contains("└─ 4721"),
            "{s}"
        );
        let name = format!("the_blocking_tree_{}x{}", size.0, size.1);
        assert_snapshot!(name, render(&a).backend());
    }
}

#[test]
fn connections_and_unused_indexes_80x24() {
    let mut a = queries_app((80, 24));
    keys(&mut a, &["l", "l"]);
    let s = screen(&a);
    assert!(s.contains("93/100 (93%)"), "{s}");
    assert!(
        s.contains("orders_legacy_ref_idx") && s.contains("412 MB"),
        "{s}"
    );
    assert_snapshot!(render(&a).backend());
}

#[test]
fn mongo_ops_with_collscan_in_the_crit_colour() {
    let mut a = queries_app((80, 24));
    keys(&mut a, &["]"]);
    assert_eq!(a.model.queries.view.sub_view(), Some(SubView::Ops));
    let term = render(&a);
    let s = screen(&a);
    let (y, line) = s
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("COLLSCAN"))
        .unwrap();
    let x = line[..line.find("COLLSCAN").unwrap()].chars().count();
    assert_eq!(
        term.backend().buffer()[(x as u16, y as u16)].style().fg,
        a.theme.crit.fg
    );
    assert_snapshot!(term.backend());
}

#[test]
fn mongo_slow_ops_and_profiling_off_160x48() {
    let mut a = queries_app((160, 48));
    keys(&mut a, &["]", "l"]);
    let s = screen(&a);
    assert!(s.contains("profiling is off on analytics"), "{s}");
    assert!(s.contains("100287"), "docsExamined / nreturned: {s}");
    assert_snapshot!(render(&a).backend());
}

#[test]
fn mongo_replica_set_80x24() {
    let mut a = queries_app((80, 24));
    keys(&mut a, &["]", "h"]);
    assert_eq!(a.model.queries.view.sub_view(), Some(SubView::ReplicaSet));
    let s = screen(&a);
    assert!(s.contains("DOWN") && s.contains("14s"), "{s}");
    assert_snapshot!(render(&a).backend());
}

#[test]
fn redis_health_80x24_and_160x48() {
    for size in [(80, 24), (160, 48)] {
        let mut a = queries_app(size);
        keys(&mut a, &["["]);
        assert_eq!(a.model.queries.view.sub_view(), Some(SubView::Redis));
        let s = screen(&a);
        assert!(s.contains("62.0%") && s.contains("< 80%"), "{s}");
        assert!(s.contains("at least 10000"), "{s}");
        assert!(s.contains("KEYS ratelimit:*"), "{s}");
        let name = format!("redis_health_{}x{}", size.0, size.1);
        assert_snapshot!(name, render(&a).backend());
    }
}

#[test]
fn the_detail_shows_the_whole_query_the_table_cuts() {
    let mut a = queries_app((120, 40));
    select(&mut a, "5001");
    let table = screen(&a);
    assert!(
        !table.contains("ORDER BY o.created_at"),
        "cut in the table:\n{table}"
    );
    keys(&mut a, &["<Enter>"]);
    let s = screen(&a);
    assert!(s.contains(" ORDER BY o.created_at"), "{s}");
    assert!(
        s.contains("  JOIN customers c ON c.id = o.customer_id"),
        "lines kept:\n{s}"
    );
    assert_snapshot!(render(&a).backend());
    keys(&mut a, &["<Esc>"]);
    assert!(!a.model.queries.view.detail);
}

#[test]
fn terminate_plan_shows_the_query_and_its_time_and_wants_the_pid_typed() {
    let mut a = queries_app((120, 40));
    select(&mut a, "5001");
    let effects = keys(&mut a, &["x"]);
    let d = dialog(&a);
    assert!(
        matches!(effects[..], [Effect::Precheck { .. }]),
        "{effects:?}"
    );
    assert_eq!(d.plan.risk, Risk::High);
    assert!(d.wants_typing());
    assert_eq!(d.plan.target.name, "5001");
    assert!(
        d.plan.effect.starts_with("terminate pid 5001 on orders-db (reporting), running 45.0 s\nquery: SELECT o.id, o.customer_id, o.total, c.email FROM orders o JOIN"),
        "{}",
        d.plan.effect
    );
    assert_eq!(
        d.plan.cli,
        "SELECT pg_terminate_backend(5001);  -- psql on orders-db"
    );
    assert_snapshot!(render(&a).backend());
    // The whole plan and the typed confirmation fit 80x24.
    a.update(Event::Resize {
        width: 80,
        height: 24,
    });
    let small = screen(&a);
    assert!(small.contains("type \"5001\" to confirm"), "{small}");
    assert!(small.contains("[ Confirm ]"), "{small}");
    assert_snapshot!("terminate_plan_80x24", render(&a).backend());
    // y alone never confirms a high-risk plan.
    assert!(
        keys(&mut a, &["y"])
            .iter()
            .all(|e| !matches!(e, Effect::Execute { .. }))
    );
}

#[test]
fn cancel_is_low_risk_and_y_confirms_it() {
    let mut a = queries_app((120, 40));
    select(&mut a, "5001");
    let effects = keys(&mut a, &["c"]);
    let Effect::Precheck { id, .. } = effects[0].clone() else {
        panic!("{effects:?}")
    };
    assert_eq!(dialog(&a).plan.risk, Risk::Low);
    a.update(Event::Prechecked {
        id,
        permission: opsdeck::core::executor::Check::Passed("member of pg_signal_backend".into()),
        dry_run: opsdeck::core::executor::Check::Passed("still there".into()),
        room: None,
    });
    let effects = keys(&mut a, &["y"]);
    let Some(Effect::Execute { plan, .. }) =
        effects.iter().find(|e| matches!(e, Effect::Execute { .. }))
    else {
        panic!("{effects:?}")
    };
    assert!(matches!(
        plan.action,
        Action::PgSignal {
            pid: 5001,
            terminate: false,
            ..
        }
    ));
}

#[test]
fn the_chain_root_is_planned_from_a_waiting_backend() {
    let mut a = queries_app((120, 40));
    keys(&mut a, &["l"]);
    select(&mut a, "4713");
    keys(&mut a, &["X"]);
    let d = dialog(&a);
    assert_eq!(d.plan.target.name, "4711");
    assert!(
        d.plan
            .effect
            .contains("running 4m10s; 3 backend(s) wait on it"),
        "{}",
        d.plan.effect
    );
}

#[test]
fn privileged_and_idle_backends_are_refused_before_anything_is_sent() {
    let cases = [
        (
            "88",
            "x",
            "replication backend (walsender); set allow_privileged",
        ),
        (
            "90",
            "x",
            "belongs to superuser postgres; set allow_privileged",
        ),
        (
            "5120",
            "c",
            "idle in transaction: there is no running query to cancel",
        ),
    ];
    for (pid, key, why) in cases {
        let mut a = queries_app((160, 48));
        select(&mut a, pid);
        let effects = keys(&mut a, &[key]);
        assert!(
            effects
                .iter()
                .all(|e| !matches!(e, Effect::Precheck { .. } | Effect::Execute { .. })),
            "{pid}: {effects:?}"
        );
        let d = dialog(&a);
        let refusal = d.decisions.iter().find(|d| !d.passed).unwrap();
        assert_eq!(refusal.step, Step::Precondition, "{pid}");
        assert!(refusal.detail.contains(why), "{pid}: {}", refusal.detail);
    }
}

#[test]
fn a_backend_gone_since_the_plan_is_refused_at_confirmation() {
    let mut a = queries_app((120, 40));
    select(&mut a, "5001");
    let effects = keys(&mut a, &["c"]);
    let Effect::Precheck { id, .. } = effects[0].clone() else {
        panic!("{effects:?}")
    };
    a.update(Event::Prechecked {
        id,
        permission: opsdeck::core::executor::Check::Passed("ok".into()),
        dry_run: opsdeck::core::executor::Check::Passed("ok".into()),
        room: None,
    });
    let without: Vec<Backend> = activity().into_iter().filter(|b| b.pid != 5001).collect();
    feed(
        &mut a,
        Kind::Postgres,
        "orders-db",
        Ok(Snapshot::Postgres(Box::new(pg_data(without)))),
    );
    let effects = keys(&mut a, &["y"]);
    assert!(
        effects.iter().all(|e| !matches!(e, Effect::Execute { .. })),
        "{effects:?}"
    );
    let d = dialog(&a);
    let refusal = d.decisions.iter().find(|d| !d.passed).unwrap();
    assert_eq!(refusal.step, Step::Target);
}

#[test]
fn kill_op_on_the_collscan_is_high_risk() {
    let mut a = queries_app((120, 40));
    keys(&mut a, &["]"]);
    select(&mut a, "91823311");
    keys(&mut a, &["K"]);
    let d = dialog(&a);
    assert_eq!(d.plan.risk, Risk::High);
    assert_eq!(d.plan.target.name, "91823311");
    assert!(
        d.plan.effect.starts_with("kill op 91823311 on shop-mongo (order-service), running 47.0 s\nquery on shop.orders, plan COLLSCAN: { find: \"orders\""),
        "{}",
        d.plan.effect
    );
    assert_eq!(
        d.plan.cli,
        "db.adminCommand({ killOp: 1, op: 91823311 })  // mongosh on shop-mongo"
    );
}

#[test]
fn actions_on_the_wrong_kind_of_target_say_why() {
    let mut a = queries_app((120, 40));
    keys(&mut a, &["K"]);
    assert!(matches!(a.overlay, Overlay::None));
    assert!(
        a.status
            .clone()
            .unwrap()
            .text
            .contains("killOp is for MongoDB ops")
    );
    keys(&mut a, &["["]);
    keys(&mut a, &["x"]);
    assert!(
        a.status
            .clone()
            .unwrap()
            .text
            .contains("cache is a redis target")
    );
}

#[test]
fn a_failed_target_shows_its_error_and_last_data_and_others_go_on() {
    let mut a = queries_app((100, 30));
    feed(
        &mut a,
        Kind::Postgres,
        "orders-db",
        Err("orders-db: connect: password authentication failed for user \"opsdeck\" (SQLSTATE 28P01)".into()),
    );
    let s = screen(&a);
    assert!(s.contains("stale since 10:00:00"), "{s}");
    assert!(s.contains("password authentication failed"), "{s}");
    assert!(s.contains("4711"), "the last good data stays:\n{s}");
    assert!(s.contains("orders-db ✗"), "{s}");
    assert_snapshot!(render(&a).backend());
    keys(&mut a, &["]"]);
    assert!(!screen(&a).contains("stale since"), "shop-mongo is fine");
}

#[test]
fn no_targets_says_how_to_configure_them() {
    let mut a = app((80, 24));
    keys(&mut a, &["5"]);
    let s = screen(&a);
    assert!(s.contains("[queries.postgres.<name>]"), "{s}");
    keys(&mut a, &["]"]);
    assert!(
        a.status
            .clone()
            .unwrap()
            .text
            .contains("no database target")
    );
}

#[test]
fn the_demo_feeds_the_tab_a_blocking_chain_a_hit_rate_drop_and_a_collscan() {
    let mut a = app((160, 48));
    play_demo(&mut a, 200);
    keys(&mut a, &["5", "l"]);
    let s = screen(&a);
    assert!(s.contains("◀ blocks"), "the seq scan's chain:\n{s}");
    assert!(
        s.contains("CREATE INDEX orders_status_created_idx ON orders"),
        "{s}"
    );
    assert!(
        a.model
            .timeline
            .entries()
            .iter()
            .any(|e| e.text.starts_with("orders-db: blocking chain: pid")),
        "the chain is on the Timeline"
    );
    assert!(
        a.model
            .timeline
            .entries()
            .iter()
            .any(|e| e.text.starts_with("cache: Redis hit rate")),
        "the hit-rate drop is on the Timeline"
    );
    keys(&mut a, &["]"]);
    assert!(screen(&a).contains("COLLSCAN"), "{}", screen(&a));
}
