//! The Queries tab with a big Postgres target: 5,000 non-idle backends
//! (max_connections-sized), a third of them in lock-wait chains, and 1,000
//! statements. Measures applying one poll (sanitizing, the blocking trees,
//! the view's rows) and a full frame of the activity and blocking views.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use opsdeck::app::{App, Event, Options};
use opsdeck::features::queries::model::{Kind, PgData, QueriesUpdate, Snapshot};
use opsdeck::features::queries::postgres::{
    Backend, BackendState, ConnectionGroup, Statement, StatementsOrder, usage,
};
use opsdeck::shared::color::ColorSupport;
use opsdeck::update::Update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::time::Duration;

const BACKENDS: i32 = 5_000;
const STATEMENTS: i64 = 1_000;

fn backends() -> Vec<Backend> {
    (0..BACKENDS)
        .map(|pid| {
            // Every third backend waits on the one before it: long chains.
            let blocked_by = if pid % 3 != 0 { vec![pid - 1] } else { Vec::new() };
            Backend {
                pid,
                user: Some("shop".into()),
                database: Some("orders".into()),
                application: format!("service-{}", pid % 40),
                client_addr: None,
                state: BackendState::Active,
                wait_event_type: Some("Lock".into()),
                wait_event: Some("relation".into()),
                backend_type: "client backend".into(),
                query_duration: Some(Duration::from_millis(u64::try_from(pid).unwrap_or(0) * 37)),
                xact_duration: Some(Duration::from_secs(9)),
                query: format!(
                    "SELECT o.*, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = {pid} AND o.status = 'PENDING' ORDER BY o.created_at"
                ),
                blocked_by,
                over_threshold: true,
                superuser: false,
                backend_start: None,
            }
        })
        .collect()
}

fn poll() -> Update {
    let statements = (0..STATEMENTS)
        .map(|i| Statement {
            queryid: Some(i),
            calls: 1_000 + i,
            mean_ms: (i % 97) as f64 * 1.5,
            max_ms: 900.0,
            total_ms: (1_000 + i) as f64 * 3.0,
            percent_of_total: 0.1,
            rows: i * 3,
            query: format!("SELECT * FROM t{i} WHERE id = $1 AND tenant = $2"),
        })
        .collect();
    Update::from(QueriesUpdate {
        kind: Kind::Postgres,
        target: "orders-db".into(),
        at: Utc.timestamp_opt(1_795_255_200, 0).unwrap(),
        data: Ok(Snapshot::Postgres(Box::new(PgData {
            statements: Ok(statements),
            statements_order: StatementsOrder::MeanTime,
            statements_limit: 50,
            activity: Ok(backends()),
            connections: Ok(usage(
                vec![ConnectionGroup {
                    database: Some("orders".into()),
                    application: "api".into(),
                    count: 4_990,
                }],
                5_000,
                0.9,
            )),
            unused_indexes: Ok(Vec::new()),
            activity_threshold: Duration::from_secs(5),
            allow_privileged: false,
        }))),
    })
}

fn queries_app() -> App {
    let t0 = Utc.timestamp_opt(1_795_255_200, 0).unwrap();
    let loaded = opsdeck::config::defaults("dark", ColorSupport::TrueColor);
    let mut app = App::new(loaded, Options::default(), t0);
    app.update(Event::Resize {
        width: 160,
        height: 48,
    });
    app.tab = opsdeck::app::tab::Tab::Queries;
    app.update(Event::Update(poll()));
    app
}

fn bench_queries(c: &mut Criterion) {
    let update = poll();
    let mut app = queries_app();
    c.bench_function(
        "queries: apply a poll of 5,000 backends and 1,000 statements",
        |b| {
            b.iter(|| {
                app.update(Event::Update(black_box(update.clone())));
            })
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
    let activity = queries_app();
    c.bench_function(
        "queries: activity of 5,000 backends 160x48 full frame",
        |b| {
            b.iter(|| {
                terminal
                    .draw(|f| opsdeck::ui::draw(f, black_box(&activity)))
                    .expect("draw");
            })
        },
    );
    let mut blocking = queries_app();
    blocking
        .model
        .queries
        .view
        .choose_view(&blocking.model.queries.data, "blocking")
        .expect("a postgres target");
    c.bench_function(
        "queries: blocking tree of 5,000 backends 160x48 full frame",
        |b| {
            b.iter(|| {
                terminal
                    .draw(|f| opsdeck::ui::draw(f, black_box(&blocking)))
                    .expect("draw");
            })
        },
    );
}

criterion_group!(benches, bench_queries);
criterion_main!(benches);
