use super::*;
use crate::features::queries::postgres::{
    BackendState, ConnectionGroup, Statement, StatementsOrder, usage,
};
use crate::features::queries::redis::{Info, Rates};
use chrono::TimeZone;
use std::time::Duration;

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
}

fn backend(pid: i32, secs: u64, blocked_by: &[i32], query: &str) -> Backend {
    Backend {
        pid,
        user: Some("shop".into()),
        database: Some("orders".into()),
        application: "api".into(),
        client_addr: None,
        state: BackendState::Active,
        wait_event_type: None,
        wait_event: None,
        backend_type: "client backend".into(),
        query_duration: Some(Duration::from_secs(secs)),
        xact_duration: Some(Duration::from_secs(secs)),
        query: query.into(),
        blocked_by: blocked_by.to_vec(),
        over_threshold: secs > 5,
        superuser: false,
        backend_start: None,
    }
}

fn statement(id: i64, calls: i64, mean: f64, rows: i64) -> Statement {
    Statement {
        queryid: Some(id),
        calls,
        mean_ms: mean,
        max_ms: mean * 2.0,
        total_ms: mean * calls as f64,
        percent_of_total: 0.0,
        rows,
        query: format!("SELECT {id}"),
    }
}

fn pg(backends: Vec<Backend>, connections: i64) -> Snapshot {
    Snapshot::Postgres(Box::new(PgData {
        statements: Ok(vec![
            statement(1, 10, 50.0, 5),
            statement(2, 1000, 1.0, 9000),
            statement(3, 3, 900.0, 1),
        ]),
        statements_order: StatementsOrder::MeanTime,
        statements_limit: 50,
        activity: Ok(backends),
        connections: Ok(usage(
            vec![ConnectionGroup {
                database: Some("orders".into()),
                application: "api".into(),
                count: connections,
            }],
            100,
            0.9,
        )),
        unused_indexes: Ok(Vec::new()),
        activity_threshold: Duration::from_secs(5),
        allow_privileged: false,
    }))
}

fn poll(kind: Kind, name: &str, secs: i64, data: Result<Snapshot, String>) -> QueriesUpdate {
    QueriesUpdate {
        kind,
        target: name.into(),
        at: at(secs),
        data,
    }
}

fn key(kind: Kind, name: &str) -> TargetKey {
    TargetKey {
        kind,
        name: name.into(),
    }
}

#[test]
fn a_blocking_chain_is_written_once_and_its_end_too() {
    let mut q = Queries::default();
    let chain = || {
        vec![
            backend(10, 90, &[], "CREATE INDEX ON orders (status)"),
            backend(20, 30, &[10], "INSERT INTO orders VALUES ($1)"),
            backend(30, 20, &[20], "UPDATE orders SET x = 1"),
        ]
    };
    let first = q.apply(crate::core::clean::Clean::new(poll(
        Kind::Postgres,
        "orders-db",
        0,
        Ok(pg(chain(), 40)),
    )));
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].severity, crate::core::source::Severity::Crit);
    assert_eq!(
        first[0].text,
        "orders-db: blocking chain: pid 10 blocks 2 backend(s) (running 1m30s): CREATE INDEX ON orders (status)"
    );
    let again = q.apply(crate::core::clean::Clean::new(poll(
        Kind::Postgres,
        "orders-db",
        5,
        Ok(pg(chain(), 40)),
    )));
    assert!(
        again.is_empty(),
        "the same chain is not written twice: {again:?}"
    );
    let state = q.get(&key(Kind::Postgres, "orders-db")).unwrap();
    assert_eq!(state.blocking[0].pids(), [10, 20, 30]);
    let over = q.apply(crate::core::clean::Clean::new(poll(
        Kind::Postgres,
        "orders-db",
        10,
        Ok(pg(vec![], 40)),
    )));
    assert_eq!(
        over.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(),
        ["orders-db: no blocked backends any more"]
    );
}

#[test]
fn connections_over_the_mark_warn_once_and_say_when_they_are_back() {
    let mut q = Queries::default();
    let texts = |q: &mut Queries, secs, n| {
        q.apply(crate::core::clean::Clean::new(poll(
            Kind::Postgres,
            "db",
            secs,
            Ok(pg(vec![], n)),
        )))
        .into_iter()
        .map(|e| e.text)
        .collect::<Vec<_>>()
    };
    assert!(texts(&mut q, 0, 50).is_empty());
    assert_eq!(
        texts(&mut q, 5, 93),
        ["db: 93 of 100 connections in use (93%)"]
    );
    assert!(texts(&mut q, 10, 95).is_empty());
    assert_eq!(
        texts(&mut q, 15, 60),
        ["db: connections back to 60% of max_connections"]
    );
}

fn redis(hit_rate: Option<f64>) -> Snapshot {
    Snapshot::Redis(Box::new(RedisData {
        info: Info::default(),
        rates: Some(Rates {
            window: Duration::from_secs(5),
            hits: 60,
            misses: 40,
            hit_rate,
            evicted_per_sec: Some(0.0),
            expired_per_sec: Some(0.0),
            ops_per_sec: Some(10.0),
            restarted: false,
        }),
        memory: None,
        slowlog: Vec::new(),
        patterns: Vec::new(),
        hit_rate_warn: 0.8,
    }))
}

#[test]
fn a_redis_hit_rate_drop_is_written_when_it_crosses_the_mark() {
    let mut q = Queries::default();
    assert!(
        q.apply(crate::core::clean::Clean::new(poll(
            Kind::Redis,
            "cache",
            0,
            Ok(redis(Some(0.95)))
        )))
        .is_empty()
    );
    let drop = q.apply(crate::core::clean::Clean::new(poll(
        Kind::Redis,
        "cache",
        5,
        Ok(redis(Some(0.6))),
    )));
    assert_eq!(
        drop[0].text,
        "cache: Redis hit rate 60% < 80% over the last 5s (60 hits, 40 misses)"
    );
    assert!(
        q.apply(crate::core::clean::Clean::new(poll(
            Kind::Redis,
            "cache",
            10,
            Ok(redis(None))
        )))
        .is_empty()
    );
    assert!(
        q.apply(crate::core::clean::Clean::new(poll(
            Kind::Redis,
            "cache",
            15,
            Ok(redis(Some(0.5)))
        )))
        .is_empty()
    );
    let back = q.apply(crate::core::clean::Clean::new(poll(
        Kind::Redis,
        "cache",
        20,
        Ok(redis(Some(0.9))),
    )));
    assert_eq!(back[0].text, "cache: Redis hit rate back to 90% (≥ 80%)");
}

#[test]
fn a_failed_poll_keeps_the_last_data_and_others_are_untouched() {
    let mut q = Queries::default();
    q.apply(crate::core::clean::Clean::new(poll(
        Kind::Postgres,
        "a",
        0,
        Ok(pg(vec![backend(1, 1, &[], "x")], 5)),
    )));
    q.apply(crate::core::clean::Clean::new(poll(
        Kind::Redis,
        "cache",
        0,
        Ok(redis(Some(0.9))),
    )));
    q.apply(crate::core::clean::Clean::new(poll(
        Kind::Postgres,
        "a",
        5,
        Err("a: connect: Connection refused".into()),
    )));
    let a = q.get(&key(Kind::Postgres, "a")).unwrap();
    assert_eq!(a.error.as_deref(), Some("a: connect: Connection refused"));
    assert_eq!(a.last_ok, Some(at(0)));
    assert_eq!(a.backends().len(), 1, "the last good data stays");
    let cache = q.get(&key(Kind::Redis, "cache")).unwrap();
    assert!(cache.error.is_none());
}

#[test]
fn hostile_text_is_made_safe_and_huge_queries_are_capped() {
    let mut q = Queries::default();
    let evil = format!("SELECT '\x1b]52;c;ZXZpbA==\x07'\r\n{}", "x".repeat(100_000));
    let mut b = backend(1, 1, &[], &evil);
    b.application = "app\x1b[2J".into();
    q.apply(crate::core::clean::Clean::new(poll(
        Kind::Postgres,
        "db\x1b[31m",
        0,
        Ok(pg(vec![b], 5)),
    )));
    let (k, state) = q.targets.iter().next().unwrap();
    assert!(!k.name.contains('\x1b'));
    let b = &state.backends()[0];
    assert!(!b.application.contains('\x1b'));
    assert!(
        !b.query.chars().any(|c| c.is_control() && c != '\n'),
        "{:?}",
        &b.query[..40]
    );
    assert!(b.query.len() <= QUERY_TEXT_BYTES + 64);
}

#[test]
fn the_first_listed_target_is_shown_until_the_user_picks_one() {
    let mut q = Queries::default();
    let mut v = QueriesView::default();
    // Redis answers before Postgres, as it usually does.
    q.apply(crate::core::clean::Clean::new(poll(
        Kind::Redis,
        "cache",
        0,
        Ok(redis(Some(0.9))),
    )));
    v.refresh(&q);
    assert_eq!(v.target, Some(key(Kind::Redis, "cache")));
    q.apply(crate::core::clean::Clean::new(poll(
        Kind::Postgres,
        "orders-db",
        1,
        Ok(pg(Vec::new(), 5)),
    )));
    v.refresh(&q);
    assert_eq!(v.target, Some(key(Kind::Postgres, "orders-db")));
    // Picked by the user, a target stays shown whoever answers next.
    v.choose_target(&q, "cache").unwrap();
    q.apply(crate::core::clean::Clean::new(poll(
        Kind::Mongo,
        "shop",
        2,
        Err("down".into()),
    )));
    q.apply(crate::core::clean::Clean::new(poll(
        Kind::Postgres,
        "orders-db",
        3,
        Ok(pg(Vec::new(), 5)),
    )));
    v.refresh(&q);
    assert_eq!(v.target, Some(key(Kind::Redis, "cache")));
}

#[test]
fn the_view_switches_targets_and_views_and_keeps_the_selection() {
    let mut q = Queries::default();
    let mut v = QueriesView::default();
    let list = vec![
        backend(7, 3, &[], "a"),
        backend(8, 60, &[], "b"),
        backend(9, 10, &[], "c"),
    ];
    q.apply(crate::core::clean::Clean::new(poll(
        Kind::Postgres,
        "orders-db",
        0,
        Ok(pg(list.clone(), 5)),
    )));
    q.apply(crate::core::clean::Clean::new(poll(
        Kind::Redis,
        "cache",
        0,
        Ok(redis(Some(0.9))),
    )));
    v.refresh(&q);
    assert_eq!(v.target, Some(key(Kind::Postgres, "orders-db")));
    assert_eq!(v.sub_view(), Some(SubView::Activity));
    // Longest running first.
    assert_eq!(
        v.rows,
        [
            QueryRow::Backend(8),
            QueryRow::Backend(9),
            QueryRow::Backend(7)
        ]
    );
    v.cursor.selected = 1;
    let mut reordered = list;
    reordered[2].query_duration = Some(Duration::from_secs(120));
    q.apply(crate::core::clean::Clean::new(poll(
        Kind::Postgres,
        "orders-db",
        5,
        Ok(pg(reordered, 5)),
    )));
    v.refresh(&q);
    assert_eq!(
        v.selected_pid(),
        Some(9),
        "the selection follows the backend"
    );

    v.step_view(&q, true);
    assert_eq!(v.sub_view(), Some(SubView::Blocking));
    v.step_view(&q, false);
    v.step_view(&q, false);
    assert_eq!(v.sub_view(), Some(SubView::Statements));
    assert_eq!(
        v.rows,
        [3, 1, 2].map(|id| QueryRow::Statement {
            index: (id - 1) as usize,
            queryid: Some(id)
        })
    );
    v.cycle_order(&q);
    assert_eq!(v.order, StatementsOrder::TotalTime);
    v.cycle_order(&q);
    assert_eq!(v.order, StatementsOrder::Calls);
    assert!(matches!(
        v.rows[0],
        QueryRow::Statement {
            queryid: Some(2),
            ..
        }
    ));
    v.step_target(&q, true);
    assert_eq!(v.target, Some(key(Kind::Redis, "cache")));
    assert_eq!(v.sub_view(), Some(SubView::Redis));
    assert!(
        v.choose_view(&q, "activity")
            .unwrap_err()
            .contains("redis target")
    );
    v.choose_target(&q, "orders-db").unwrap();
    assert_eq!(
        v.sub_view(),
        Some(SubView::Statements),
        "the Postgres view is remembered"
    );
}

#[test]
fn blocking_rows_are_depth_first_with_their_root() {
    let mut q = Queries::default();
    let mut v = QueriesView::default();
    let list = vec![
        backend(10, 90, &[], "root"),
        backend(20, 30, &[10], "w1"),
        backend(30, 20, &[20], "w2"),
        backend(21, 25, &[10], "w3"),
    ];
    q.apply(crate::core::clean::Clean::new(poll(
        Kind::Postgres,
        "db",
        0,
        Ok(pg(list, 5)),
    )));
    v.refresh(&q);
    v.choose_view(&q, "blocking").unwrap();
    let rows: Vec<(i32, usize, i32)> = v
        .rows
        .iter()
        .map(|r| match r {
            QueryRow::Tree { pid, depth, root } => (*pid, *depth, *root),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(rows, [(10, 0, 10), (20, 1, 10), (30, 2, 10), (21, 1, 10)]);
}

#[test]
fn durations_and_sizes_read_like_a_responder_says_them() {
    assert_eq!(human_duration(Duration::from_millis(420)), "420 ms");
    assert_eq!(human_duration(Duration::from_millis(4200)), "4.2 s");
    assert_eq!(human_duration(Duration::from_secs(245)), "4m05s");
    assert_eq!(human_duration(Duration::from_secs(7980)), "2h13m");
    assert_eq!(human_ms(0.42), "0.42 ms");
    assert_eq!(human_ms(2840.0), "2.8 s");
    assert_eq!(human_bytes(431_964_160), "412 MB");
    assert_eq!(human_bytes(8_388_608), "8.0 MB");
    assert_eq!(human_bytes(512), "512 B");
}
