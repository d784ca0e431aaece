//! The Overview. Targets (issue 15): a frame with 200 services at 160x48
//! within 2 ms, and rebuilding it after one source's update within 1 ms.

use chrono::{DateTime, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Event, Options};
use opsdeck::features::breakers::data::{BreakerState, Rate};
use opsdeck::features::breakers::model::{
    BreakerSource, BreakersUpdate, Figures, Observation, RowKey,
};
use opsdeck::features::heatmap::model::{NamedSeries, PromUpdate};
use opsdeck::features::pods::model::{Deployment, KubeUpdate, Pod};
use opsdeck::shared::color::ColorSupport;
use opsdeck::shared::prometheus::{Columns, Metric};
use opsdeck::update::Update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

const SERVICES: usize = 200;

fn name(s: usize) -> String {
    format!("service-{s:03}")
}

fn kube() -> Vec<Update> {
    let deployments = (0..SERVICES)
        .map(|s| Deployment {
            name: name(s),
            namespace: "prod".into(),
            replicas: 3,
            ready: if s % 9 == 0 { 1 } else { 3 },
            ..Deployment::default()
        })
        .collect();
    let pods = (0..SERVICES * 3)
        .map(|p| Pod {
            name: format!("{}-7f9c-{p}", name(p / 3)),
            namespace: "prod".into(),
            deployment: Some(name(p / 3)),
            status: if p % 27 == 0 {
                "CrashLoopBackOff".into()
            } else {
                "Running".into()
            },
            ready: 1,
            total: 1,
            restarts: (p % 5) as u32,
            ..Pod::default()
        })
        .collect();
    vec![
        Update::from(KubeUpdate::Deployments(deployments)),
        Update::from(KubeUpdate::Pods(pods)),
    ]
}

fn prometheus(t0: DateTime<Utc>, metric: Metric) -> Update {
    let columns = Columns::ending_at(t0.timestamp() as f64, 15.0, 60);
    let series = (0..SERVICES)
        .map(|s| NamedSeries {
            name: name(s),
            points: (0..60)
                .map(|c| {
                    let v = f64::from(((c * 7 + s * 13) % 100) as u32) / 100.0;
                    (columns.time_of(c), v)
                })
                .collect(),
        })
        .collect();
    Update::from(PromUpdate::Range {
        metric,
        at: t0,
        columns,
        series,
        warnings: Vec::new(),
    })
}

fn breakers(t0: DateTime<Utc>) -> Update {
    let observations = (0..SERVICES)
        .map(|s| Observation {
            key: RowKey {
                service: name(s),
                instance: format!("{}-7f9c-0", name(s)),
                breaker: format!("service{:03}", (s + 1) % SERVICES),
            },
            target: format!("{}-7f9c-0", name(s)),
            endpoint: None,
            figures: Figures {
                state: if s % 20 == 0 {
                    BreakerState::Open
                } else {
                    BreakerState::Closed
                },
                failure_rate: Some(Rate::Percent(4.0)),
                failure_threshold: Some(50.0),
                slow_rate: None,
                slow_threshold: None,
                buffered: None,
                failed: None,
                slow: None,
                not_permitted: None,
            },
        })
        .collect();
    Update::from(BreakersUpdate {
        source: BreakerSource::Actuator,
        at: t0,
        observations,
        targets: Vec::new(),
        failures: Vec::new(),
        keep_unlisted: true,
    })
}

fn app() -> (App, DateTime<Utc>) {
    let t0 = Utc.timestamp_opt(1_795_255_200, 0).unwrap();
    let mut app = App::new(
        opsdeck::config::defaults("dark", ColorSupport::TrueColor),
        Options::default(),
        t0,
    );
    app.tab = Tab::Overview;
    app.update(Event::Resize {
        width: 160,
        height: 48,
    });
    let mut updates = kube();
    updates.extend(
        [Metric::P95, Metric::ErrorRatio, Metric::Availability]
            .into_iter()
            .map(|m| prometheus(t0, m)),
    );
    updates.push(breakers(t0));
    for u in updates {
        app.update(Event::Update(u));
    }
    assert_eq!(app.model.overview.board.rows.len(), SERVICES);
    (app, t0)
}

fn bench(c: &mut Criterion) {
    let (mut app, t0) = app();
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
    c.bench_function("overview frame, 200 services at 160x48", |b| {
        b.iter(|| {
            terminal
                .draw(|f| opsdeck::ui::draw(f, black_box(&app)))
                .expect("draw");
        })
    });
    // What one source's update costs the Overview on top of its tab: its
    // signals again, the links, the board.
    for (what, mark) in [
        ("Prometheus", 0usize),
        ("Kubernetes (600 pods)", 1),
        ("breakers", 2),
    ] {
        c.bench_function(
            &format!("overview rebuild after a {what} update, 200 services"),
            |b| {
                b.iter(|| {
                    let d = &mut app.model.services.dirty;
                    match mark {
                        0 => d.slo = true,
                        1 => d.pods = true,
                        _ => d.breakers = true,
                    }
                    app.model.refresh_overview(black_box(t0));
                })
            },
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
