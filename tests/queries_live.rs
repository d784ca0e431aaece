#![allow(clippy::unwrap_used)]
//! Cancel, terminate and killOp through the App's guard chain, end to end:
//! the Queries source polls a real PostgreSQL (started by tests/run-all.sh)
//! and the MongoDB wire-protocol test server, the keys a user presses open
//! the plan, the effects are carried out the way the runtime does, and the
//! backend or op is really gone afterwards.

mod support;

use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Effect, Event, Overlay};
use opsdeck::core::action::Backend;
use opsdeck::core::executor::Executor;
use opsdeck::features::queries::actions::mongo_executor::MongoExecutor;
use opsdeck::features::queries::actions::pg_executor::PgExecutor;
use opsdeck::features::queries::model::{Kind, QueriesUpdate, QueryRow, Snapshot, SubView};
use opsdeck::features::queries::mongo::MongoClient;
use opsdeck::features::queries::postgres::{PgConnection, StatementsOrder};
use opsdeck::features::queries::settings::{MongoTargetSettings, PgTargetSettings};
use opsdeck::features::queries::source::{mongo, postgres};
use opsdeck::remediation::audit::AuditLog;
use opsdeck::remediation::executor::Router;
use opsdeck::remediation::guard::Step;
use opsdeck::remediation::run::{self, Services};
use opsdeck::shared::secret::Secret;
use opsdeck::update::Update;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use support::mongo_server::{MongoServer, MongoServerOptions, Privileges, fixtures};
use support::{app, keys, screen, typed};
use tokio_postgres::{Client, Config, NoTls};

/// The server from run-all.sh, or None (skip) outside CI.
fn dsn() -> Option<String> {
    match std::env::var("OPSDECK_TEST_POSTGRES_DSN") {
        Ok(dsn) => Some(dsn),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("OPSDECK_TEST_POSTGRES_DSN must be set under CI (run tests/run-all.sh)")
        }
        Err(_) => {
            support::live::skipped(
                "OPSDECK_TEST_POSTGRES_DSN is unset; tests/run-all.sh starts a PostgreSQL",
            );
            None
        }
    }
}

fn unique(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn pg_settings(dsn: &str) -> PgTargetSettings {
    PgTargetSettings {
        name: "orders-db".into(),
        dsn: dsn.into(),
        password: Secret::None,
        require_tls: false,
        ca_file: None,
        interval_secs: 1,
        statement_timeout_ms: 2_000,
        activity_threshold_secs: 1,
        connections_warn_pct: 90,
        top: 20,
        allow_privileged: false,
    }
}

/// A session of the test's own, as `user` (a superuser when None).
async fn session(dsn: &str, user: Option<(&str, &str)>, app: &str) -> Client {
    let mut config: Config = dsn.parse().unwrap();
    config.application_name(app);
    if let Some((u, p)) = user {
        config.user(u).password(p);
    }
    let (client, connection) = config.connect(NoTls).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// A login role without privileges (the test server wants SCRAM for it).
async fn role(dsn: &str) -> (String, String) {
    let (name, password) = (unique("opsdeck_q"), unique("pw"));
    session(dsn, None, "opsdeck-test-admin")
        .await
        .batch_execute(&format!("CREATE ROLE {name} LOGIN PASSWORD '{password}'"))
        .await
        .unwrap();
    (name, password)
}

async fn pid_of(client: &Client) -> i32 {
    client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0)
}

fn services(dir: &tempfile::TempDir, backend: Backend, executor: Arc<dyn Executor>) -> Services {
    Services {
        executor: Arc::new(Router::new().with(backend, executor)),
        audit: Some(AuditLog::open(&dir.path().join("audit.jsonl")).unwrap()),
        user: "tester".into(),
        host: "bastion".into(),
        timeout: Duration::from_secs(10),
    }
}

/// Carries out the app's effects the way the runtime does, feeding the
/// results back, until nothing is left.
async fn drive(app: &mut App, services: &Services, mut effects: Vec<Effect>) {
    while let Some(effect) = effects.pop() {
        match effect {
            Effect::Precheck { id, plan, .. } => {
                let (permission, dry_run) = run::precheck(services, &plan).await;
                effects.extend(app.update(Event::Prechecked {
                    id,
                    permission,
                    dry_run,
                    room: None,
                }));
            }
            Effect::Execute {
                id,
                plan,
                decisions,
            } => {
                let outcome = run::execute(services, &plan, &decisions).await;
                effects.extend(app.update(Event::ActionDone {
                    id,
                    plan: Box::new(plan),
                    outcome,
                }));
            }
            _ => {}
        }
    }
}

/// Polls the target into the app (as the source would) until `ready`.
async fn poll_until(
    a: &mut App,
    conn: &mut PgConnection,
    settings: &PgTargetSettings,
    what: &str,
    ready: impl Fn(&App) -> bool,
) {
    let start = Instant::now();
    loop {
        let data = postgres::poll(conn, settings, StatementsOrder::MeanTime).await;
        a.update(Event::Update(Update::from(QueriesUpdate {
            kind: Kind::Postgres,
            target: settings.name.clone(),
            at: chrono::Utc::now(),
            data: data.map(|d| Snapshot::Postgres(Box::new(d))),
        })));
        if ready(a) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{what} never showed:\n{}",
            screen(a)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Polls until backend `pid` shows a query containing `needle`.
async fn poll_until_running(
    a: &mut App,
    conn: &mut PgConnection,
    settings: &PgTargetSettings,
    pid: i32,
    needle: &str,
) {
    let what = format!("pid {pid} running {needle}");
    poll_until(a, conn, settings, &what, |a| {
        a.model
            .queries
            .view
            .state(&a.model.queries.data)
            .and_then(|s| s.backend(pid))
            .is_some_and(|b| b.query.contains(needle))
    })
    .await;
}

/// The guard chain's runner with a Postgres executor for `settings`.
fn pg_services(dir: &tempfile::TempDir, settings: &PgTargetSettings) -> Services {
    services(
        dir,
        Backend::Postgres,
        Arc::new(PgExecutor::new(std::slice::from_ref(settings))),
    )
}

fn select(a: &mut App, pid: i32) {
    let i = a
        .model
        .queries
        .view
        .rows
        .iter()
        .position(
            |r| matches!(r, QueryRow::Backend(p) | QueryRow::Tree { pid: p, .. } if *p == pid),
        )
        .unwrap_or_else(|| panic!("pid {pid} not listed:\n{}", screen(a)));
    keys(a, &["g"]);
    for _ in 0..i {
        keys(a, &["j"]);
    }
}

fn queries_tab() -> App {
    let mut a = app((160, 48));
    keys(
        &mut a,
        &[
            ":", "t", "a", "b", " ", "q", "u", "e", "r", "i", "e", "s", "<Enter>",
        ],
    );
    assert_eq!(a.tab, Tab::Queries);
    a
}

fn outcome(a: &App) -> String {
    a.model
        .timeline
        .entries()
        .iter()
        .rev()
        .find(|e| {
            e.text.starts_with("done:")
                || e.text.starts_with("failed:")
                || e.text.starts_with("refused:")
        })
        .map(|e| e.text.to_string())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_through_the_guard_chain_stops_a_real_pg_sleep() {
    let Some(dsn) = dsn() else { return };
    let settings = pg_settings(&dsn);
    let (user, password) = role(&dsn).await;
    let sleeper = session(&dsn, Some((&user, &password)), "opsdeck-test-sleeper").await;
    let pid = pid_of(&sleeper).await;
    let running = tokio::spawn(async move { sleeper.batch_execute("SELECT pg_sleep(60)").await });

    let mut a = queries_tab();
    let mut conn = PgConnection::new(postgres::target(&settings, None));
    poll_until(
        &mut a,
        &mut conn,
        &settings,
        "the sleeping backend over 1s",
        |a| {
            let s = a.model.queries.view.state(&a.model.queries.data);
            s.and_then(|s| s.backend(pid))
                .is_some_and(|b| b.query.contains("pg_sleep") && b.over_threshold)
        },
    )
    .await;
    assert_eq!(a.model.queries.view.sub_view(), Some(SubView::Activity));
    select(&mut a, pid);
    let dir = tempfile::tempdir().unwrap();
    let services = pg_services(&dir, &settings);
    let effects = keys(&mut a, &["c"]);
    drive(&mut a, &services, effects).await;
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    assert!(
        d.plan.effect.contains("query: SELECT pg_sleep(60)"),
        "{}",
        d.plan.effect
    );
    assert!(
        d.decisions
            .iter()
            .any(|x| x.step == Step::Permission && x.passed && x.detail.contains("superuser")),
        "{:?}",
        d.decisions
    );
    assert!(
        d.decisions.iter().any(|x| x.step == Step::DryRun
            && x.passed
            && x.detail.starts_with(&format!("pid {pid} is still there"))),
        "{:?}",
        d.decisions
    );
    let effects = keys(&mut a, &["y"]);
    drive(&mut a, &services, effects).await;
    let ended = tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the sleep was cancelled, not waited out")
        .unwrap();
    let err = ended.unwrap_err();
    assert_eq!(err.code().map(|c| c.code()), Some("57014"), "{err}");
    let done = outcome(&a);
    assert!(
        done.starts_with(&format!(
            "done: cancel the query of pid {pid} on orders-db (opsdeck-test-sleeper), running"
        )),
        "{done}"
    );
    assert!(
        done.ends_with(&format!("— pg_cancel_backend({pid}) sent")),
        "{done}"
    );
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(audit.contains("\"kind\":\"pg_signal\""), "{audit}");
}

/// The query text `pid` runs now, as the server reports it.
async fn running_query(admin: &Client, pid: i32) -> String {
    admin
        .query_one(
            "SELECT coalesce(query, '') FROM pg_stat_activity WHERE pid = $1 AND state = 'active'",
            &[&pid],
        )
        .await
        .map(|r| r.get(0))
        .unwrap_or_default()
}

/// Between the plan and the confirmation the backend finished its statement
/// and began another: the executor's last look refuses the signal (the new
/// statement runs on), and a dry run of the same plan refuses it too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_now_running_another_statement_is_refused_by_the_dry_run_and_execute() {
    let Some(dsn) = dsn() else { return };
    let settings = pg_settings(&dsn);
    let (user, password) = role(&dsn).await;
    let admin = session(&dsn, None, "opsdeck-test-admin").await;
    let sleeper = Arc::new(session(&dsn, Some((&user, &password)), "opsdeck-test-switcher").await);
    let pid = pid_of(&sleeper).await;
    let first = {
        let sleeper = sleeper.clone();
        tokio::spawn(async move { sleeper.batch_execute("SELECT pg_sleep(60)").await })
    };
    let mut a = queries_tab();
    let mut conn = PgConnection::new(postgres::target(&settings, None));
    poll_until_running(&mut a, &mut conn, &settings, pid, "pg_sleep(60)").await;
    select(&mut a, pid);
    let dir = tempfile::tempdir().unwrap();
    let services = pg_services(&dir, &settings);
    let effects = keys(&mut a, &["c"]);
    drive(&mut a, &services, effects).await;
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    let plan = d.plan.clone();
    assert!(
        d.decisions
            .iter()
            .any(|x| x.step == Step::DryRun && x.passed),
        "the planned statement still runs: {:?}",
        d.decisions
    );

    // The first statement ends; the same session starts another.
    admin
        .query_one("SELECT pg_cancel_backend($1)", &[&pid])
        .await
        .unwrap();
    assert!(
        first.await.unwrap().is_err(),
        "the first sleep was cancelled"
    );
    let second = {
        let sleeper = sleeper.clone();
        tokio::spawn(async move { sleeper.batch_execute("SELECT pg_sleep(61)").await })
    };
    let start = Instant::now();
    while !running_query(&admin, pid).await.contains("pg_sleep(61)") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no second statement"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let effects = keys(&mut a, &["y"]);
    drive(&mut a, &services, effects).await;
    let failed = outcome(&a);
    assert!(failed.starts_with("failed: "), "{failed}");
    assert!(
        failed.contains(&format!(
            "pid {pid} now runs another statement (SELECT pg_sleep(61)); plan again"
        )),
        "{failed}"
    );
    let (_, dry_run) = run::precheck(&services, &plan).await;
    assert!(
        matches!(&dry_run, opsdeck::core::executor::Check::Refused(why)
            if why.contains("now runs another statement (SELECT pg_sleep(61))")),
        "{dry_run:?}"
    );
    // Nothing was sent: the second statement runs on.
    assert!(!second.is_finished(), "the new statement was signalled");
    assert!(running_query(&admin, pid).await.contains("pg_sleep(61)"));
    second.abort();
    admin
        .query_one("SELECT pg_cancel_backend($1)", &[&pid])
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminating_a_chain_root_releases_the_backends_behind_it() {
    let Some(dsn) = dsn() else { return };
    let settings = pg_settings(&dsn);
    let (user, password) = role(&dsn).await;
    let table = unique("opsdeck_chain");
    let admin = session(&dsn, None, "opsdeck-test-admin").await;
    admin
        .batch_execute(&format!(
            "CREATE TABLE {table} (v int); GRANT ALL ON {table} TO {user}"
        ))
        .await
        .unwrap();
    let holder = session(&dsn, Some((&user, &password)), "opsdeck-test-holder").await;
    let root = pid_of(&holder).await;
    holder
        .batch_execute(&format!(
            "BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"
        ))
        .await
        .unwrap();
    let waiter = session(&dsn, Some((&user, &password)), "opsdeck-test-waiter").await;
    let waiter_pid = pid_of(&waiter).await;
    let insert = format!("INSERT INTO {table} VALUES (1)");
    let waiting = tokio::spawn(async move { waiter.batch_execute(&insert).await });

    let mut a = queries_tab();
    let mut conn = PgConnection::new(postgres::target(&settings, None));
    poll_until(&mut a, &mut conn, &settings, "the lock wait", |a| {
        a.model
            .queries
            .view
            .state(&a.model.queries.data)
            .and_then(|s| s.tree_of(waiter_pid))
            .is_some_and(|t| t.pid == root)
    })
    .await;
    assert!(
        a.model.timeline.entries().iter().any(|e| e
            .text
            .starts_with(&format!("orders-db: blocking chain: pid {root} blocks"))),
        "the chain is on the Timeline"
    );
    keys(&mut a, &["l"]);
    assert_eq!(a.model.queries.view.sub_view(), Some(SubView::Blocking));
    assert!(
        screen(&a).contains(&format!("{root} ◀ blocks")),
        "{}",
        screen(&a)
    );
    // From the waiting backend, X plans the root's termination.
    select(&mut a, waiter_pid);
    let dir = tempfile::tempdir().unwrap();
    let services = pg_services(&dir, &settings);
    let effects = keys(&mut a, &["X"]);
    drive(&mut a, &services, effects).await;
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    assert_eq!(d.plan.target.name, root.to_string());
    assert!(d.wants_typing(), "terminate wants the pid typed");
    assert!(
        d.plan.effect.contains("idle in transaction for"),
        "{}",
        d.plan.effect
    );
    assert!(
        d.plan.effect.contains("backend(s) wait on it"),
        "{}",
        d.plan.effect
    );
    // y does nothing; the typed pid and Confirm do.
    assert!(
        keys(&mut a, &["y"])
            .iter()
            .all(|e| !matches!(e, Effect::Execute { .. }))
    );
    if let Overlay::Action(d) = &mut a.overlay {
        d.typed.clear();
    }
    typed(&mut a, &root.to_string());
    let effects = keys(&mut a, &["<Tab>", "<Enter>"]);
    drive(&mut a, &services, effects).await;
    let done = outcome(&a);
    assert!(
        done.starts_with(&format!(
            "done: terminate pid {root} on orders-db (opsdeck-test-holder), idle in transaction for"
        )),
        "{done}"
    );
    assert!(
        done.ends_with(&format!(
            "— pg_terminate_backend({root}): the backend has ended"
        )),
        "{done}"
    );
    tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the insert went through once the root was gone")
        .unwrap()
        .unwrap();
    assert!(holder.is_closed() || holder.batch_execute("SELECT 1").await.is_err());
    keys(&mut a, &["<Esc>"]);
    poll_until(&mut a, &mut conn, &settings, "the chain's end", |a| {
        a.model
            .queries
            .view
            .state(&a.model.queries.data)
            .is_some_and(|s| s.tree_of(waiter_pid).is_none())
    })
    .await;
    admin
        .batch_execute(&format!("DROP TABLE {table}"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_superusers_backend_is_refused_without_allow_privileged() {
    let Some(dsn) = dsn() else { return };
    let settings = pg_settings(&dsn);
    let sleeper = session(&dsn, None, "opsdeck-test-su-sleeper").await;
    let pid = pid_of(&sleeper).await;
    let running = tokio::spawn(async move { sleeper.batch_execute("SELECT pg_sleep(30)").await });
    let mut a = queries_tab();
    let mut conn = PgConnection::new(postgres::target(&settings, None));
    poll_until_running(&mut a, &mut conn, &settings, pid, "pg_sleep").await;
    select(&mut a, pid);
    let effects = keys(&mut a, &["x"]);
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::Precheck { .. })),
        "{effects:?}"
    );
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    let refusal = d.decisions.iter().find(|d| !d.passed).unwrap();
    assert_eq!(refusal.step, Step::Precondition);
    assert!(
        refusal.detail.contains("belongs to superuser"),
        "{}",
        refusal.detail
    );
    // The executor refuses on its own too, from a fresh look.
    let plan = d.plan.clone();
    let (_, dry_run) = run::precheck(
        &services(
            &tempfile::tempdir().unwrap(),
            Backend::Postgres,
            Arc::new(PgExecutor::new(&[settings])),
        ),
        &plan,
    )
    .await;
    assert!(
        matches!(&dry_run, opsdeck::core::executor::Check::Refused(why) if why.contains("set allow_privileged")),
        "{dry_run:?}"
    );
    running.abort();
}

/// `allow_privileged = true` lets the whole chain cancel a superuser's
/// query; an executor without it refuses the same plan at its last look.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_privileged_lets_the_executor_signal_a_superusers_backend() {
    let Some(dsn) = dsn() else { return };
    let mut allowed = pg_settings(&dsn);
    allowed.allow_privileged = true;
    let sleeper = session(&dsn, None, "opsdeck-test-su-allowed").await;
    let pid = pid_of(&sleeper).await;
    let running = tokio::spawn(async move { sleeper.batch_execute("SELECT pg_sleep(30)").await });
    let mut a = queries_tab();
    let mut conn = PgConnection::new(postgres::target(&allowed, None));
    poll_until_running(&mut a, &mut conn, &allowed, pid, "pg_sleep").await;
    select(&mut a, pid);
    let dir = tempfile::tempdir().unwrap();
    let services = pg_services(&dir, &allowed);
    let effects = keys(&mut a, &["c"]);
    drive(&mut a, &services, effects).await;
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    assert!(
        d.decisions.iter().all(|x| x.passed),
        "every step passes: {:?}",
        d.decisions
    );
    assert!(
        d.decisions.iter().any(|x| x.step == Step::DryRun),
        "{:?}",
        d.decisions
    );

    let forbidden = PgExecutor::new(&[pg_settings(&dsn)])
        .execute(&d.plan)
        .await
        .unwrap_err();
    assert!(
        forbidden.contains(&format!("pid {pid} belongs to superuser"))
            && forbidden.contains("set allow_privileged"),
        "{forbidden}"
    );
    assert!(!running.is_finished(), "the refused executor sent nothing");

    let effects = keys(&mut a, &["y"]);
    drive(&mut a, &services, effects).await;
    let ended = tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the superuser's sleep was cancelled")
        .unwrap();
    let err = ended.unwrap_err();
    assert_eq!(err.code().map(|c| c.code()), Some("57014"), "{err}");
    let done = outcome(&a);
    assert!(
        done.ends_with(&format!("— pg_cancel_backend({pid}) sent")),
        "{done}"
    );
}

fn mongo_settings(server: &MongoServer) -> MongoTargetSettings {
    MongoTargetSettings {
        name: "shop-mongo".into(),
        uri: server.uri(),
        password: Secret::None,
        interval_secs: 1,
        secs_running: 5,
        profile_dbs: vec!["shop".into()],
        profile_limit: 20,
        max_time_ms: 2_000,
        allow_privileged: false,
    }
}

async fn mongo_poll(a: &mut App, settings: &MongoTargetSettings) {
    let client = MongoClient::connect(&mongo::target(settings, None))
        .await
        .unwrap();
    let data = mongo::poll(&client, settings.allow_privileged).await;
    a.update(Event::Update(Update::from(QueriesUpdate {
        kind: Kind::Mongo,
        target: settings.name.clone(),
        at: chrono::Utc::now(),
        data: data.map(|d| Snapshot::Mongo(Box::new(d))),
    })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_op_through_the_guard_chain_removes_the_collscan() {
    let server = MongoServer::start(MongoServerOptions {
        ops: fixtures::currentop_ops(),
        ..MongoServerOptions::default()
    });
    let settings = mongo_settings(&server);
    let mut a = queries_tab();
    mongo_poll(&mut a, &settings).await;
    assert_eq!(a.model.queries.view.sub_view(), Some(SubView::Ops));
    assert!(screen(&a).contains("COLLSCAN"), "{}", screen(&a));
    let i = a
        .model
        .queries
        .view
        .rows
        .iter()
        .position(|r| matches!(r, QueryRow::Op(o) if o.to_string() == "91823311"))
        .unwrap();
    keys(&mut a, &["g"]);
    for _ in 0..i {
        keys(&mut a, &["j"]);
    }
    let dir = tempfile::tempdir().unwrap();
    let services = services(
        &dir,
        Backend::Mongo,
        Arc::new(MongoExecutor::new(std::slice::from_ref(&settings))),
    );
    let effects = keys(&mut a, &["K"]);
    drive(&mut a, &services, effects).await;
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    assert!(d.wants_typing());
    assert!(
        d.decisions.iter().any(|x| x.step == Step::DryRun
            && x.passed
            && x.detail.starts_with("op 91823311 is still running")),
        "{:?}",
        d.decisions
    );
    typed(&mut a, "91823311");
    let effects = keys(&mut a, &["<Tab>", "<Enter>"]);
    drive(&mut a, &services, effects).await;
    assert_eq!(
        outcome(&a),
        "done: kill op 91823311 on shop-mongo (order-service), running 47.0 s — killOp 91823311: the op is gone"
    );
    let kills = server.commands_named("killOp");
    assert_eq!(kills.len(), 1, "one killOp, after the checks");
    assert_eq!(kills[0].body.get_i32("op").unwrap(), 91_823_311);
    keys(&mut a, &["<Esc>"]);
    mongo_poll(&mut a, &settings).await;
    let s = a.model.queries.view.state(&a.model.queries.data).unwrap();
    assert!(
        s.op(&opsdeck::features::queries::mongo::OpId::Number(91_823_311))
            .is_none()
    );
    assert!(!s.ops().is_empty(), "the other op is still there");
}

/// #20 item 5: an opid is a counter; a later op can hold the planned one's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_op_refuses_an_op_that_took_the_planned_opid() {
    let server = MongoServer::start(MongoServerOptions {
        ops: fixtures::currentop_ops(),
        ..MongoServerOptions::default()
    });
    let settings = mongo_settings(&server);
    let mut a = queries_tab();
    mongo_poll(&mut a, &settings).await;
    let dir = tempfile::tempdir().unwrap();
    let services = services(
        &dir,
        Backend::Mongo,
        Arc::new(MongoExecutor::new(std::slice::from_ref(&settings))),
    );
    let effects = keys(&mut a, &["K"]);
    drive(&mut a, &services, effects).await;
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    let opid = d.plan.target.name.clone();
    assert!(d.decisions.iter().all(|x| x.passed), "{:?}", d.decisions);
    // Between the dry run and the confirmation the op ends and a new one,
    // on another collection and just started, gets its opid.
    let mut ops = server.ops();
    for op in &mut ops {
        if op.get("opid").map(|o| o.to_string()) == Some(opid.clone()) {
            op.insert("ns", "shop.audit_log");
            op.insert("secs_running", 0_i64);
            op.insert("microsecs_running", 1_000_i64);
        }
    }
    server.set_ops(ops);
    typed(&mut a, &opid);
    let effects = keys(&mut a, &["<Tab>", "<Enter>"]);
    drive(&mut a, &services, effects).await;
    let text = outcome(&a);
    assert!(text.starts_with("failed:"), "{text}");
    assert!(text.contains("is now another op"), "{text}");
    assert!(server.commands_named("killOp").is_empty(), "nothing killed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_op_without_the_killop_action_is_refused_before_it_is_sent() {
    let server = MongoServer::start(MongoServerOptions {
        ops: fixtures::currentop_ops(),
        privileges: Some(Privileges {
            user: "ops".into(),
            db: "admin".into(),
            roles: vec!["clusterMonitor".into()],
            cluster_actions: vec!["inprog".into()],
        }),
        ..MongoServerOptions::default()
    });
    let settings = mongo_settings(&server);
    let mut a = queries_tab();
    mongo_poll(&mut a, &settings).await;
    let dir = tempfile::tempdir().unwrap();
    let services = services(
        &dir,
        Backend::Mongo,
        Arc::new(MongoExecutor::new(&[settings])),
    );
    let effects = keys(&mut a, &["K"]);
    drive(&mut a, &services, effects).await;
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    let refusal = d.decisions.iter().find(|d| !d.passed).unwrap();
    assert_eq!(refusal.step, Step::Permission);
    assert!(
        refusal.detail.contains("lacks the killop action"),
        "{}",
        refusal.detail
    );
    assert!(server.commands_named("killOp").is_empty());
}

fn redis_settings(
    name: &str,
    url: &str,
) -> opsdeck::features::queries::settings::RedisTargetSettings {
    opsdeck::features::queries::settings::RedisTargetSettings {
        name: name.into(),
        url: url.into(),
        password: Secret::None,
        ca_file: None,
        interval_secs: 1,
        patterns: vec!["ratelimit:*".into()],
        scan_cap: 1_000,
        slowlog_len: 5,
        hit_rate_warn_pct: 80,
        timeout_ms: 1_000,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_target_polls_on_its_own_and_a_dead_one_does_not_stop_the_others() {
    let Some(dsn) = dsn() else { return };
    let mongo_server = MongoServer::start(MongoServerOptions {
        ops: fixtures::currentop_ops(),
        ..MongoServerOptions::default()
    });
    let mut settings = opsdeck::features::queries::settings::QueriesSettings::default();
    settings.postgres.push(pg_settings(&dsn));
    let mut missing = pg_settings(&dsn);
    missing.name = "no-password".into();
    missing.password = Secret::Env("OPSDECK_TEST_SURELY_UNSET_PASSWORD".into());
    settings.postgres.push(missing);
    settings.mongo.push(mongo_settings(&mongo_server));
    let closed = support::closed_port::ClosedPort::new();
    let dead = format!("redis://127.0.0.1:{}/0", closed.port());
    settings.redis.push(redis_settings("dead-cache", &dead));
    let (tx, mut rx) = opsdeck::transport::channel(64, 100_000);
    let (_order_tx, order_rx) = tokio::sync::watch::channel(StatementsOrder::MeanTime);
    opsdeck::features::queries::source::spawn(&settings, opsdeck::transport::outbox(&tx), order_rx);

    let mut a = app((120, 30));
    let start = Instant::now();
    let mut healthy_mongo = false;
    while start.elapsed() < Duration::from_secs(15) {
        let Ok(Some(update)) = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await else {
            break;
        };
        if let Update::Health(h) = &update
            && h.source == opsdeck::core::source::SourceId::Mongo
            && h.error.is_none()
        {
            healthy_mongo = true;
        }
        a.update(Event::Update(update));
        let q = &a.model.queries.data;
        if q.targets.len() == 4
            && healthy_mongo
            && q.targets.values().filter(|s| s.data.is_some()).count() == 2
        {
            break;
        }
    }
    let q = &a.model.queries.data;
    let state = |kind, name: &str| {
        q.get(&opsdeck::features::queries::model::TargetKey {
            kind,
            name: name.into(),
        })
        .unwrap_or_else(|| panic!("{name} never reported: {:?}", q.keys()))
    };
    assert!(state(Kind::Postgres, "orders-db").error.is_none());
    assert!(state(Kind::Mongo, "shop-mongo").error.is_none());
    assert!(!state(Kind::Mongo, "shop-mongo").ops().is_empty());
    assert_eq!(
        state(Kind::Postgres, "no-password").error.as_deref(),
        Some("no-password: password_env: OPSDECK_TEST_SURELY_UNSET_PASSWORD is not set")
    );
    let redis_error = state(Kind::Redis, "dead-cache").error.clone().unwrap();
    assert!(
        redis_error.starts_with("dead-cache: connect: "),
        "{redis_error}"
    );
    let badge = a
        .model
        .health
        .get(opsdeck::core::source::SourceId::Redis)
        .unwrap();
    assert!(
        badge
            .last
            .error
            .as_deref()
            .unwrap()
            .starts_with("dead-cache: connect:")
    );
    let pg_badge = a
        .model
        .health
        .get(opsdeck::core::source::SourceId::Postgres)
        .unwrap();
    assert_eq!(
        pg_badge.last.error.as_deref(),
        Some("no-password: password_env: OPSDECK_TEST_SURELY_UNSET_PASSWORD is not set"),
        "the pg badge names the failing target"
    );
}

/// A port that accepts connections and never says a word: a hung server,
/// not a dead one (a refused connection fails at once).
fn hung_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    port
}

/// A Postgres and a Redis that accept and never answer each report a
/// timeout; the real Postgres beside them goes on polling meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_target_times_out_while_the_others_go_on_polling() {
    let Some(dsn) = dsn() else { return };
    let hung = hung_port();
    let mut settings = opsdeck::features::queries::settings::QueriesSettings::default();
    settings.postgres.push(pg_settings(&dsn));
    let mut hung_pg = pg_settings(&format!(
        "host=127.0.0.1 port={hung} user=postgres dbname=postgres"
    ));
    hung_pg.name = "hung-db".into();
    hung_pg.statement_timeout_ms = 500;
    settings.postgres.push(hung_pg);
    let mut hung_redis = redis_settings("hung-cache", &format!("redis://127.0.0.1:{hung}/0"));
    hung_redis.timeout_ms = 500;
    settings.redis.push(hung_redis);
    let (tx, mut rx) = opsdeck::transport::channel(64, 100_000);
    let (_order_tx, order_rx) = tokio::sync::watch::channel(StatementsOrder::MeanTime);
    opsdeck::features::queries::source::spawn(&settings, opsdeck::transport::outbox(&tx), order_rx);

    let (mut healthy_polls, mut before_hung_db) = (0, None);
    let (mut hung_db, mut hung_cache) = (None, None);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(25)
        && (hung_db.is_none() || hung_cache.is_none() || before_hung_db == Some(healthy_polls))
    {
        let Ok(Some(update)) = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await
        else {
            break;
        };
        let Update::Queries(q) = update else { continue };
        match (q.target.as_str(), &q.data) {
            ("orders-db", Ok(_)) => healthy_polls += 1,
            ("orders-db", Err(e)) => panic!("the healthy target failed: {e}"),
            ("hung-db", Err(e)) if hung_db.is_none() => {
                hung_db = Some(e.clone());
                before_hung_db = Some(healthy_polls);
            }
            ("hung-cache", Err(e)) if hung_cache.is_none() => hung_cache = Some(e.clone()),
            _ => {}
        }
    }
    let hung_db = hung_db.expect("hung-db never reported");
    assert!(
        hung_db.starts_with("hung-db: connect: no answer within")
            && hung_db.ends_with("(timed out)"),
        "{hung_db}"
    );
    let hung_cache = hung_cache.expect("hung-cache never reported");
    assert!(
        hung_cache.starts_with("hung-cache: connect: ") && hung_cache.contains("timed out"),
        "{hung_cache}"
    );
    // The hung target took seconds to give up; the healthy one polled
    // every second all along, and after it too.
    let before = before_hung_db.unwrap();
    assert!(
        before >= 3,
        "only {before} polls of orders-db before hung-db's error"
    );
    assert!(
        healthy_polls > before,
        "orders-db stopped after hung-db's error"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_probes_every_target() {
    let Some(dsn) = dsn() else { return };
    // Without a Redis the Redis rows are not checked: say so (fails under CI).
    let redis_url = support::live::server_env("OPSDECK_TEST_REDIS_URL", "a Redis");
    let mongo_server = MongoServer::start(MongoServerOptions {
        privileges: Some(Privileges {
            user: "ops".into(),
            db: "admin".into(),
            roles: vec!["clusterMonitor".into()],
            cluster_actions: vec!["inprog".into()],
        }),
        ..MongoServerOptions::default()
    });
    let mut settings = opsdeck::features::queries::settings::QueriesSettings::default();
    settings.postgres.push(pg_settings(&dsn));
    settings.mongo.push(mongo_settings(&mongo_server));
    if let Some(url) = &redis_url {
        settings.redis.push(redis_settings("cache", url));
    }
    let closed = support::closed_port::ClosedPort::new();
    settings.redis.push(redis_settings(
        "dead-cache",
        &format!("redis://127.0.0.1:{}/0", closed.port()),
    ));
    let rows = opsdeck::features::queries::source::probe::probe(&settings).await;
    let row = |check: &str| {
        rows.iter()
            .find(|r| r.check == check)
            .unwrap_or_else(|| panic!("no {check} row: {rows:?}"))
    };
    assert!(row("orders-db: server").ok);
    assert!(row("orders-db: server").detail.starts_with("PostgreSQL "));
    assert!(
        row("orders-db: signal").ok,
        "the test DSN names a superuser"
    );
    assert!(row("shop-mongo: server").detail.contains("as ops@admin"));
    assert!(row("shop-mongo: inprog").ok);
    let killop = row("shop-mongo: killop");
    assert!(!killop.ok);
    assert_eq!(
        killop.detail,
        "no killop action on the cluster: cannot kill other users' ops"
    );
    if redis_url.is_some() {
        assert!(row("cache: info").ok, "{rows:?}");
    }
    let dead = row("dead-cache: connect");
    assert!(
        !dead.ok && dead.detail.starts_with("dead-cache: connect:"),
        "{dead:?}"
    );
}
