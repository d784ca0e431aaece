//! The Postgres source against a real server (started by tests/run-all.sh
//! with pg_stat_statements preloaded; the DSN names a superuser). Each
//! test makes its own tables, roles and, where it needs isolation, its own
//! database, so the tests run in parallel.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "support/forwarder.rs"]
mod forwarder;
#[path = "support/live.rs"]
#[allow(dead_code)] // each binary uses only some helpers
mod live;
use opsdeck::features::queries::actions::Refusal;
use opsdeck::features::queries::postgres::{
    BlockTree, PgAddress, PgConnection, PgErrorKind, PgTarget, STATEMENTS_FIX, StatementsMissing,
    StatementsOrder, StatementsState, blocking, probe,
};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tokio_postgres::{Client, Config, NoTls};

/// The server from run-all.sh, or None (skip) outside CI.
fn server() -> Option<Config> {
    match std::env::var("OPSDECK_TEST_POSTGRES_DSN") {
        Ok(dsn) => Some(dsn.parse().unwrap()),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("OPSDECK_TEST_POSTGRES_DSN must be set under CI (run tests/run-all.sh)")
        }
        Err(_) => {
            live::skipped(
                "OPSDECK_TEST_POSTGRES_DSN is unset; tests/run-all.sh starts a PostgreSQL",
            );
            None
        }
    }
}

/// A name no other test (or earlier run against the same server) uses.
fn unique(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn host_port(config: &Config) -> (String, u16) {
    let host = match &config.get_hosts()[0] {
        tokio_postgres::config::Host::Tcp(h) => h.clone(),
        #[allow(unreachable_patterns)]
        other => panic!("tests need a TCP host, got {other:?}"),
    };
    (host, config.get_ports().first().copied().unwrap_or(5432))
}

/// An opsdeck target for `dbname` on the test server, as user/password.
fn target(config: &Config, dbname: &str, user: Option<(&str, &str)>) -> PgTarget {
    let (host, port) = host_port(config);
    let (user, password) = match user {
        Some((u, p)) => (u.to_string(), Some(p.to_string())),
        None => (config.get_user().unwrap().to_string(), None),
    };
    PgTarget::new(
        "orders-db",
        PgAddress::Params {
            host,
            port,
            user,
            dbname: dbname.to_string(),
        },
    )
    .with_password(password)
}

/// A plain session of the test's own (not opsdeck's).
async fn raw(config: &Config, dbname: &str, user: Option<(&str, &str)>, app: &str) -> Client {
    let mut config = config.clone();
    config.dbname(dbname).application_name(app);
    if let Some((u, p)) = user {
        config.user(u).password(p);
    }
    let (client, connection) = config.connect(NoTls).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

async fn admin(config: &Config) -> Client {
    raw(
        config,
        config.get_dbname().unwrap_or("postgres"),
        None,
        "opsdeck-test-admin",
    )
    .await
}

async fn pid_of(client: &Client) -> i32 {
    client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0)
}

/// A new database, optionally with pg_stat_statements created in it.
async fn fresh_database(config: &Config, with_statements: bool) -> String {
    let name = unique("opsdeck_t");
    admin(config)
        .await
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    if with_statements {
        raw(config, &name, None, "opsdeck-test-admin")
            .await
            .batch_execute("CREATE EXTENSION pg_stat_statements")
            .await
            .unwrap();
    }
    name
}

async fn drop_database(config: &Config, name: &str) {
    admin(config)
        .await
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
}

/// A login role without privileges, with a password (the test server
/// wants SCRAM for every role but the DSN's superuser).
async fn fresh_role(config: &Config) -> (String, String) {
    let role = unique("opsdeck_role");
    let password = unique("pw");
    admin(config)
        .await
        .batch_execute(&format!("CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
        .await
        .unwrap();
    (role, password)
}

/// Polls `check` every 100 ms until it returns Some, for at most `limit`.
async fn eventually<T>(limit: Duration, mut check: impl AsyncFnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return Some(v);
        }
        if start.elapsed() > limit {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
// The statement timeout itself is proven by the next test, which waits on it.
async fn sessions_carry_the_application_name() {
    let Some(config) = server() else { return };
    let db = config.get_dbname().unwrap_or("postgres").to_string();
    let mut conn = PgConnection::new(target(&config, &db, None));
    conn.connect().await.unwrap();
    let pid = conn.backend_pid().unwrap();
    let row = admin(&config)
        .await
        .query_one(
            "SELECT application_name FROM pg_stat_activity WHERE pid = $1",
            &[&pid],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "opsdeck");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opsdeck_gives_up_at_its_statement_timeout_instead_of_queueing() {
    let Some(config) = server() else { return };
    // Its own database: the lock below would hold up other tests' reads.
    let db = fresh_database(&config, false).await;
    let holder = raw(&config, &db, None, "opsdeck-test-holder").await;
    holder
        .batch_execute("CREATE TABLE t (v int); CREATE INDEX t_v ON t (v)")
        .await
        .unwrap();
    // DROP INDEX in an open transaction holds an exclusive lock on the
    // index, which pg_relation_size (in the unused-indexes query) waits for.
    holder.batch_execute("BEGIN; DROP INDEX t_v").await.unwrap();
    let mut slow = target(&config, &db, None);
    slow.statement_timeout = Duration::from_millis(300);
    let mut conn = PgConnection::new(slow);
    conn.connect().await.unwrap();

    let started = Instant::now();
    let err = conn.unused_indexes(10).await.unwrap_err();
    // The server's statement_timeout (300 ms) ended it, not the lock
    // holder: the lock is never released. A wide margin for a busy machine.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.sqlstate(), Some("57014"));
    assert_eq!(
        err.to_string(),
        "orders-db: unused indexes: canceling statement due to statement timeout (SQLSTATE 57014)"
    );

    // The session survives a server-side error and is reused.
    let pid = conn.backend_pid();
    holder.batch_execute("ROLLBACK").await.unwrap();
    let unused = conn.unused_indexes(10).await.unwrap();
    assert_eq!(conn.backend_pid(), pid);
    assert_eq!(
        unused.iter().map(|i| i.index.as_str()).collect::<Vec<_>>(),
        ["t_v"]
    );
    drop(holder);
    drop(conn);
    drop_database(&config, &db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_show_calls_and_mean_time_of_real_queries() {
    let Some(config) = server() else { return };
    let db = fresh_database(&config, true).await;
    let app = raw(&config, &db, None, "opsdeck-test-app").await;
    let table = unique("orders");
    app.batch_execute(&format!(
        "CREATE TABLE {table} (id int PRIMARY KEY, total numeric);
         INSERT INTO {table} SELECT g, g * 1.5 FROM generate_series(1, 100) g"
    ))
    .await
    .unwrap();
    let lookup = format!("SELECT id, total FROM {table} WHERE id = $1");
    for id in 1..=5 {
        let rows = app.query(&lookup, &[&id]).await.unwrap();
        assert_eq!(rows.len(), 1);
    }
    let scan = format!("SELECT count(*) FROM {table} a, {table} b WHERE a.total < b.total");
    app.query(&scan, &[]).await.unwrap();

    let mut conn = PgConnection::new(target(&config, &db, None));
    let view = conn.statements_view().await.unwrap();
    assert_eq!(view.schema, "public");
    assert_eq!(
        view.columns,
        opsdeck::features::queries::postgres::TimeColumns::Exec
    );

    let top = conn
        .statements(StatementsOrder::MeanTime, 1000)
        .await
        .unwrap();
    let ours = top.iter().find(|s| s.query == lookup).unwrap();
    assert_eq!(ours.calls, 5);
    assert_eq!(ours.rows, 5);
    assert!(ours.mean_ms > 0.0);
    assert!(ours.max_ms >= ours.mean_ms);
    assert!((ours.total_ms - ours.mean_ms * 5.0).abs() < 1e-6 * ours.total_ms.max(1.0));
    let total: f64 = top.iter().map(|s| s.percent_of_total).sum();
    assert!((total - 100.0).abs() < 1e-6, "{total}");
    assert!(top.windows(2).all(|w| w[0].mean_ms >= w[1].mean_ms));
    assert!(top.iter().all(|s| !s.query.starts_with("/* opsdeck */")));

    // The self-join is the heaviest statement by total time in this
    // database (it compares 10 000 pairs); the limit is honoured.
    let by_total = conn
        .statements(StatementsOrder::TotalTime, 3)
        .await
        .unwrap();
    assert!(by_total.len() <= 3);
    assert!(by_total.windows(2).all(|w| w[0].total_ms >= w[1].total_ms));
    let by_calls = conn.statements(StatementsOrder::Calls, 1000).await.unwrap();
    assert!(by_calls.windows(2).all(|w| w[0].calls >= w[1].calls));
    let by_rows = conn.statements(StatementsOrder::Rows, 1000).await.unwrap();
    assert!(by_rows.windows(2).all(|w| w[0].rows >= w[1].rows));
    let self_join = by_rows.iter().find(|s| s.query == scan).unwrap();
    assert_eq!((self_join.calls, self_join.rows), (1, 1));

    drop(app);
    drop(conn);
    drop_database(&config, &db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_extension_error_gives_the_fix() {
    let Some(config) = server() else { return };
    let db = fresh_database(&config, false).await;
    let target = target(&config, &db, None);
    let mut conn = PgConnection::new(target.clone());
    let err = conn
        .statements(StatementsOrder::MeanTime, 10)
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        PgErrorKind::StatementsMissing(StatementsMissing::NotCreated)
    );
    assert_eq!(
        err.to_string(),
        format!(
            "orders-db: statements: pg_stat_statements is not created in this database: {STATEMENTS_FIX}"
        )
    );
    assert!(err.to_string().ends_with(
        "add pg_stat_statements to shared_preload_libraries (restart) and run CREATE EXTENSION pg_stat_statements;"
    ));
    let probed = probe(&target).await.unwrap();
    assert_eq!(
        probed.statements,
        StatementsState::Missing(StatementsMissing::NotCreated)
    );
    drop(conn);
    drop_database(&config, &db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_query_shows_in_activity_over_the_threshold() {
    let Some(config) = server() else { return };
    let db = config.get_dbname().unwrap_or("postgres").to_string();
    let app_name = unique("opsdeck-test-sleeper");
    let sleeper = raw(&config, &db, None, &app_name).await;
    let sleeper_pid = pid_of(&sleeper).await;
    // Long enough that a busy machine still sees it running past 1 s; the
    // test cancels it when done.
    let sleeping = tokio::spawn(async move { sleeper.batch_execute("SELECT pg_sleep(30)").await });

    let mut watched = target(&config, &db, None);
    watched.thresholds.activity = Duration::from_secs(1);
    let mut conn = PgConnection::new(watched);
    let mut seen = Vec::new();
    let over = eventually(Duration::from_secs(20), async || {
        let backends = conn.activity().await.unwrap();
        let own = conn.backend_pid().unwrap();
        assert!(
            backends.iter().all(|b| b.pid != own),
            "opsdeck lists itself"
        );
        let b = backends.into_iter().find(|b| b.pid == sleeper_pid)?;
        seen.push(b.clone());
        b.over_threshold.then_some(b)
    })
    .await
    .expect("the sleeping backend never went over 1 s");

    assert_eq!(over.application, app_name);
    assert_eq!(over.query, "SELECT pg_sleep(30)");
    assert_eq!(over.state.label(), "active");
    assert_eq!(over.wait_event_type.as_deref(), Some("Timeout"));
    assert_eq!(over.wait_event.as_deref(), Some("PgSleep"));
    assert_eq!(over.backend_type, "client backend");
    assert_eq!(over.user.as_deref(), config.get_user());
    assert_eq!(over.database.as_deref(), Some(db.as_str()));
    assert_eq!(
        over.client_addr.map(|a| a.to_string()),
        Some(host_port(&config).0)
    );
    assert!(over.blocked_by.is_empty());
    for b in &seen {
        let d = b.query_duration.unwrap();
        assert_eq!(b.over_threshold, d > Duration::from_secs(1), "{d:?}");
    }
    admin(&config)
        .await
        .execute("SELECT pg_cancel_backend($1)", &[&sleeper_pid])
        .await
        .unwrap();
    let cancelled = sleeping.await.unwrap().unwrap_err();
    assert_eq!(
        cancelled.code(),
        Some(&tokio_postgres::error::SqlState::QUERY_CANCELED)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_conflict_is_a_chain_cancel_ends_the_waiter_terminate_the_holder() {
    let Some(config) = server() else { return };
    let db = config.get_dbname().unwrap_or("postgres").to_string();
    let (role, password) = fresh_role(&config).await;
    let table = unique("accounts");
    admin(&config)
        .await
        .batch_execute(&format!(
            "CREATE TABLE {table} (id int PRIMARY KEY, balance int);
             INSERT INTO {table} VALUES (1, 100);
             GRANT SELECT, UPDATE ON {table} TO {role}"
        ))
        .await
        .unwrap();
    let user = Some((role.as_str(), password.as_str()));
    let a = raw(&config, &db, user, "opsdeck-test-holder").await;
    let b = raw(&config, &db, user, "opsdeck-test-waiter").await;
    let (pid_a, pid_b) = (pid_of(&a).await, pid_of(&b).await);

    // A takes the row lock and sits in its open transaction; B waits.
    a.batch_execute(&format!(
        "BEGIN; UPDATE {table} SET balance = balance - 10 WHERE id = 1"
    ))
    .await
    .unwrap();
    let update_b = format!("UPDATE {table} SET balance = balance + 10 WHERE id = 1");
    let waiting = {
        let update_b = update_b.clone();
        // B comes back with its result, so its session outlives the cancel.
        tokio::spawn(async move {
            let result = b.batch_execute(&update_b).await;
            (b, result)
        })
    };

    let mut conn = PgConnection::new(target(&config, &db, None));
    let backends = eventually(Duration::from_secs(5), async || {
        let backends = conn.activity().await.unwrap();
        let waits = backends
            .iter()
            .any(|x| x.pid == pid_b && x.blocked_by == [pid_a]);
        waits.then_some(backends)
    })
    .await
    .expect("B never showed as blocked by A");

    let holder = backends.iter().find(|x| x.pid == pid_a).unwrap();
    assert_eq!(holder.state.label(), "idle in transaction");
    assert!(holder.blocked_by.is_empty());
    let waiter = backends.iter().find(|x| x.pid == pid_b).unwrap();
    assert_eq!(waiter.wait_event_type.as_deref(), Some("Lock"));
    assert_eq!(waiter.wait_event.as_deref(), Some("transactionid"));

    let trees = blocking(&backends);
    let chain = trees.iter().find(|t| t.pid == pid_a).unwrap();
    assert_eq!(
        chain,
        &BlockTree {
            pid: pid_a,
            blocked_by: vec![],
            blocks: vec![BlockTree {
                pid: pid_b,
                blocked_by: vec![pid_a],
                blocks: vec![],
            }],
        }
    );
    assert!(trees.iter().all(|t| t.pid != pid_b), "B is no root");

    // The plan's fresh look at B, and the pre-checks.
    let snapshot = conn.lookup(pid_b).await.unwrap().unwrap();
    assert_eq!(snapshot.query, update_b);
    assert_eq!(snapshot.user.as_deref(), Some(role.as_str()));
    assert!(!snapshot.superuser);
    assert!(snapshot.query_duration.is_some());
    assert_eq!(conn.precheck(pid_b, false).await.unwrap(), None);
    let own = conn.backend_pid().unwrap();
    assert_eq!(
        conn.precheck(own, true).await.unwrap(),
        Some(Refusal::OwnSession { pid: own })
    );
    let superuser_session = admin(&config).await;
    let super_pid = pid_of(&superuser_session).await;
    assert_eq!(
        conn.precheck(super_pid, false).await.unwrap(),
        Some(Refusal::Superuser {
            pid: super_pid,
            role: config.get_user().unwrap().to_string()
        })
    );
    assert_eq!(conn.precheck(super_pid, true).await.unwrap(), None);
    assert_eq!(
        conn.precheck(i32::MAX, true).await.unwrap(),
        Some(Refusal::NotFound { pid: i32::MAX })
    );

    // A session that started at another time is another session (its pid
    // reused): nothing is sent, and B keeps waiting.
    let started = snapshot.backend_start.expect("backend_start is read");
    assert_eq!(conn.cancel(pid_b, Some(started + 1)).await.unwrap(), None);
    assert_eq!(
        conn.terminate(pid_b, Some(started - 1)).await.unwrap(),
        None
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "B was signalled as another session");

    // Cancel B: its UPDATE fails with the cancel error; B's session lives.
    assert_eq!(conn.cancel(pid_b, Some(started)).await.unwrap(), Some(true));
    let (b, result) = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .unwrap()
        .unwrap();
    let cancelled = result.unwrap_err();
    let db_error = cancelled.as_db_error().unwrap();
    assert_eq!(db_error.code().code(), "57014");
    assert_eq!(
        db_error.message(),
        "canceling statement due to user request"
    );
    assert!(conn.lookup(pid_b).await.unwrap().is_some());
    assert_eq!(pid_of(&b).await, pid_b);

    // Terminate A: its backend ends and its connection is closed.
    assert_eq!(conn.terminate(pid_a, None).await.unwrap(), Some(true));
    let err = a.query("SELECT 1", &[]).await.unwrap_err();
    let admin_shutdown = err.code().map(|c| c.code()) == Some("57P01");
    assert!(err.is_closed() || admin_shutdown, "{err:?}");
    let gone = eventually(Duration::from_secs(5), async || {
        conn.lookup(pid_a).await.unwrap().is_none().then_some(())
    })
    .await;
    assert!(gone.is_some(), "A's backend is still there");
    let closed = eventually(Duration::from_secs(2), async || a.is_closed().then_some(())).await;
    assert!(closed.is_some(), "A's connection is still open");
    // A's update was rolled back.
    let balance: i32 = admin(&config)
        .await
        .query_one(&format!("SELECT balance FROM {table} WHERE id = 1"), &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(balance, 100);
    // A pid that no longer exists is no session: nothing is sent.
    assert_eq!(conn.terminate(pid_a, None).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_counted_per_application_against_the_maximum() {
    let Some(config) = server() else { return };
    let db = config.get_dbname().unwrap_or("postgres").to_string();
    let app = unique("opsdeck-test-pool");
    let mut pool = Vec::new();
    for _ in 0..3 {
        pool.push(raw(&config, &db, None, &app).await);
    }
    let max: String = admin(&config)
        .await
        .query_one("SHOW max_connections", &[])
        .await
        .unwrap()
        .get(0);
    let mut conn = PgConnection::new(target(&config, &db, None));
    let usage = conn.connections().await.unwrap();
    let ours = usage.groups.iter().find(|g| g.application == app).unwrap();
    assert_eq!(ours.count, 3);
    assert_eq!(ours.database.as_deref(), Some(db.as_str()));
    let opsdeck = usage
        .groups
        .iter()
        .filter(|g| g.application == "opsdeck")
        .map(|g| g.count)
        .sum::<i64>();
    assert!(opsdeck >= 1, "opsdeck's own session takes a slot too");
    assert_eq!(usage.max_connections, max.parse::<i64>().unwrap());
    assert_eq!(
        usage.total,
        usage.groups.iter().map(|g| g.count).sum::<i64>()
    );
    assert_eq!(
        usage.ratio,
        usage.total as f64 / usage.max_connections as f64
    );
    assert_eq!(usage.warning, usage.ratio > 0.9);

    // With the warning level below the current use, it warns.
    let mut low = target(&config, &db, None);
    low.thresholds.connections_ratio = 0.0;
    let usage = PgConnection::new(low).connections().await.unwrap();
    assert!(usage.warning);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unused_indexes_leave_out_unique_ones_and_used_ones() {
    let Some(config) = server() else { return };
    let db = fresh_database(&config, false).await;
    let app = raw(&config, &db, None, "opsdeck-test-app").await;
    app.batch_execute(
        "CREATE TABLE items (id int PRIMARY KEY, sku text UNIQUE, shelf int, colour text);
         INSERT INTO items SELECT g, 'sku' || g, g % 50, 'c' || (g % 7) FROM generate_series(1, 5000) g;
         CREATE INDEX items_shelf ON items (shelf);
         CREATE INDEX items_colour ON items (colour);
         ANALYZE items",
    )
    .await
    .unwrap();
    let size: i64 = app
        .query_one("SELECT pg_relation_size('items_shelf')", &[])
        .await
        .unwrap()
        .get(0);
    let mut conn = PgConnection::new(target(&config, &db, None));
    let unused = conn.unused_indexes(100).await.unwrap();
    let names: Vec<&str> = unused.iter().map(|i| i.index.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"items_shelf") && names.contains(&"items_colour"));
    let shelf = unused.iter().find(|i| i.index == "items_shelf").unwrap();
    assert_eq!(
        (shelf.schema.as_str(), shelf.table.as_str()),
        ("public", "items")
    );
    assert_eq!(shelf.bytes, size);
    assert!(unused[0].bytes >= unused[1].bytes);
    assert_eq!(conn.unused_indexes(1).await.unwrap().len(), 1);

    // Once a query scans items_shelf, it drops off the list. An idle
    // session flushes its statistics only every 10 s, one that ends does
    // at once: scan on a session of its own and close it.
    let scanner = raw(&config, &db, None, "opsdeck-test-scanner").await;
    scanner
        .batch_execute("SET enable_seqscan = off; SELECT count(*) FROM items WHERE shelf = 3")
        .await
        .unwrap();
    drop(scanner);
    let left = eventually(Duration::from_secs(5), async || {
        let unused = conn.unused_indexes(100).await.unwrap();
        let names: Vec<String> = unused.into_iter().map(|i| i.index).collect();
        (names == ["items_colour"]).then_some(names)
    })
    .await;
    assert!(
        left.is_some(),
        "items_shelf still listed after a scan: {:?}",
        conn.unused_indexes(100).await.unwrap()
    );
    drop(app);
    drop(conn);
    drop_database(&config, &db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_reports_version_extension_and_privileges() {
    let Some(config) = server() else { return };
    let db = fresh_database(&config, true).await;
    let admin_db = raw(&config, &db, None, "opsdeck-test-admin").await;
    let row = admin_db
        .query_one(
            "SELECT current_setting('server_version'), current_setting('server_version_num')::int4",
            &[],
        )
        .await
        .unwrap();
    let probed = probe(&target(&config, &db, None)).await.unwrap();
    assert_eq!(probed.version, row.get::<_, String>(0));
    assert_eq!(probed.version_num, row.get::<_, i32>(1));
    assert_eq!(probed.statements, StatementsState::Ready);
    assert!(probed.superuser && probed.read_all_stats && probed.signal_backend);
    assert!(probed.checks().iter().all(|c| c.ok));

    let (role, password) = fresh_role(&config).await;
    let as_role = target(&config, &db, Some((&role, &password)));
    let probed = probe(&as_role).await.unwrap();
    assert!(!probed.superuser && !probed.read_all_stats && !probed.signal_backend);
    // Readable by anyone once created (other roles' text is hidden).
    assert_eq!(probed.statements, StatementsState::Ready);
    admin_db
        .batch_execute(&format!(
            "GRANT pg_read_all_stats, pg_signal_backend TO {role}"
        ))
        .await
        .unwrap();
    let probed = probe(&as_role).await.unwrap();
    assert!(!probed.superuser && probed.read_all_stats && probed.signal_backend);
    drop(admin_db);
    drop_database(&config, &db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_name_the_target_carry_the_sqlstate_and_never_the_password() {
    let Some(config) = server() else { return };
    let db = config.get_dbname().unwrap_or("postgres").to_string();
    let (role, password) = fresh_role(&config).await;

    let wrong = format!("{password}-but-wrong");
    let mut conn = PgConnection::new(target(&config, &db, Some((&role, &wrong))));
    let err = conn.connect().await.unwrap_err();
    let text = err.to_string();
    assert_eq!(err.sqlstate(), Some("28P01"));
    assert_eq!(
        text,
        format!(
            "orders-db: connect: password authentication failed for user \"{role}\" (SQLSTATE 28P01)"
        )
    );
    assert!(!text.contains(&wrong) && !format!("{err:?}").contains(&wrong));

    let mut conn = PgConnection::new(target(&config, &db, Some((&role, &password))));
    conn.connect().await.unwrap();

    // Nothing listens on port 1; the password must not leak into the
    // transport error either.
    let mut closed = target(&config, &db, Some((&role, &password)));
    if let PgAddress::Params { port, .. } = &mut closed.address {
        *port = 1;
    }
    let err = PgConnection::new(closed).connect().await.unwrap_err();
    assert!(matches!(err.kind, PgErrorKind::Transport(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("orders-db: connect: error connecting to server"),
        "{err}"
    );
    assert!(!err.to_string().contains(&password));

    // A DSN opsdeck cannot parse.
    let bad = PgTarget::new(
        "orders-db",
        PgAddress::Dsn("host=127.0.0.1 port=notaport".into()),
    )
    .with_password(Some(password.clone()));
    let err = PgConnection::new(bad).connect().await.unwrap_err();
    assert!(matches!(err.kind, PgErrorKind::Config(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("orders-db: connect: the DSN is not valid"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_whose_session_was_killed_reconnects() {
    let Some(config) = server() else { return };
    let db = config.get_dbname().unwrap_or("postgres").to_string();
    let mut conn = PgConnection::new(target(&config, &db, None));
    conn.connect().await.unwrap();
    let first = conn.backend_pid().unwrap();
    admin(&config)
        .await
        .query_one("SELECT pg_terminate_backend($1)", &[&first])
        .await
        .unwrap();
    // The first call may still see the dying session; the next one must
    // work on a new one.
    let mut failures = 0;
    let mut ok = false;
    for _ in 0..2 {
        match conn.connections().await {
            Ok(_) => {
                ok = true;
                break;
            }
            Err(e) => {
                assert!(e.to_string().starts_with("orders-db: connections: "), "{e}");
                eprintln!("{e}");
                failures += 1;
            }
        }
    }
    assert!(ok && failures <= 1, "{failures} failures");
    let second = conn.backend_pid().unwrap();
    assert_ne!(first, second);
}

/// The CA that signed the test server's certificate (run-all.sh), or None
/// (skip) outside CI.
fn test_ca() -> Option<std::path::PathBuf> {
    match std::env::var("OPSDECK_TEST_POSTGRES_CA") {
        Ok(path) => Some(path.into()),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("OPSDECK_TEST_POSTGRES_CA must be set under CI (run tests/run-all.sh)")
        }
        Err(_) => {
            live::skipped("OPSDECK_TEST_POSTGRES_CA is unset; tests/run-all.sh makes one");
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_sessions_verify_the_server_certificate() {
    let Some(config) = server() else { return };
    let Some(ca) = test_ca() else { return };
    let db = config.get_dbname().unwrap_or("postgres").to_string();
    let (host, port) = host_port(&config);
    let user = config.get_user().unwrap();
    let admin = admin(&config).await;
    let uses_tls = async |pid: i32| -> bool {
        admin
            .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = $1", &[&pid])
            .await
            .unwrap()
            .get(0)
    };

    // sslmode=require in the DSN, the test CA trusted: a verified session.
    let dsn = format!("host={host} port={port} user={user} dbname={db} sslmode=require");
    let mut secure = PgTarget::new("orders-db", PgAddress::Dsn(dsn.clone()));
    secure.ca_file = Some(ca.clone());
    let mut conn = PgConnection::new(secure);
    conn.connections().await.unwrap();
    assert!(uses_tls(conn.backend_pid().unwrap()).await);

    // The same by the target's own switch, with separate parameters.
    let mut required = target(&config, &db, None);
    required.require_tls = true;
    required.ca_file = Some(ca.clone());
    let mut conn = PgConnection::new(required.clone());
    conn.connect().await.unwrap();
    assert!(uses_tls(conn.backend_pid().unwrap()).await);

    // Without the default (prefer) mode asking for it, sessions are plain.
    let mut plain = PgConnection::new(target(&config, &db, None));
    plain.connect().await.unwrap();
    assert!(!uses_tls(plain.backend_pid().unwrap()).await);

    // A certificate nobody vouches for is refused.
    let untrusted = PgTarget::new("orders-db", PgAddress::Dsn(dsn));
    let err = PgConnection::new(untrusted).connect().await.unwrap_err();
    assert!(matches!(err.kind, PgErrorKind::Transport(_)), "{err:?}");
    assert!(
        err.to_string().starts_with(
            "orders-db: connect: error performing TLS handshake: invalid peer certificate"
        ),
        "{err}"
    );

    // A CA file that is not there is a setting error, named as such.
    required.ca_file = Some("/nonexistent/ca.pem".into());
    let err = PgConnection::new(required).connect().await.unwrap_err();
    assert!(matches!(err.kind, PgErrorKind::Config(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("orders-db: connect: ca_file /nonexistent/ca.pem: "),
        "{err}"
    );
}

/// The right server under a name its certificate does not list is refused,
/// and the error says so; the same bytes under a listed name pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_refuses_a_name_the_certificate_does_not_list() {
    let Some(config) = server() else { return };
    let Some(ca) = test_ca() else { return };
    let db = config.get_dbname().unwrap_or("postgres").to_string();
    let (host, port) = host_port(&config);
    let user = config.get_user().unwrap();
    let server: std::net::SocketAddr = format!("{host}:{port}").parse().unwrap();
    let connect = async |forwarder: &forwarder::Forwarder| {
        let at = forwarder.addr();
        let dsn = format!(
            "host={} port={} user={user} dbname={db} sslmode=require",
            at.ip(),
            at.port()
        );
        let mut target = PgTarget::new("orders-db", PgAddress::Dsn(dsn));
        target.ca_file = Some(ca.clone());
        PgConnection::new(target).connect().await
    };

    // The certificate names 127.0.0.1: through a forwarder there, it passes.
    let listed = forwarder::Forwarder::start(server).await;
    connect(&listed).await.unwrap();

    // 127.0.0.2 reaches the same server, but the certificate does not name it.
    let unlisted = forwarder::Forwarder::start_on([127, 0, 0, 2].into(), server).await;
    let err = connect(&unlisted).await.unwrap_err();
    assert!(matches!(err.kind, PgErrorKind::Transport(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("orders-db: connect: error performing TLS handshake: ")
            && text.contains("certificate not valid for name \"127.0.0.2\""),
        "{text}"
    );
}
