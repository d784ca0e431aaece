//! Pods tab at 10,000 pods. Targets (issue 4): a filter keystroke (refresh
//! + frame) under 16 ms; the full table rendered at 160x48 under 2 ms.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Event, Options};
use opsdeck::features::pods::model::{Container, KubeUpdate, Pod, PodMetrics};
use opsdeck::features::pods::view::PodFilter;
use opsdeck::shared::color::ColorSupport;
use opsdeck::update::Update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

const PODS: usize = 10_000;

fn pods() -> (Vec<Pod>, Vec<PodMetrics>) {
    pods_n(PODS)
}

fn pods_n(count: usize) -> (Vec<Pod>, Vec<PodMetrics>) {
    let t0 = Utc.timestamp_opt(1_795_255_200, 0).unwrap();
    let statuses = [
        "Running",
        "Running",
        "Running",
        "CrashLoopBackOff",
        "Pending",
        "OOMKilled",
    ];
    let mut pods = Vec::with_capacity(count);
    let mut metrics = Vec::with_capacity(count);
    for i in 0..count {
        let app = format!("service-{:03}", i % 400);
        let name = format!("{app}-7d9f8c6b5-{i:05}");
        pods.push(Pod {
            name: name.clone(),
            namespace: format!("team-{}", i % 20),
            deployment: Some(app.clone()),
            status: statuses[i % statuses.len()].into(),
            ready: u32::from(i % 6 < 3),
            total: 1,
            restarts: (i % 13) as u32,
            created: Some(t0 - chrono::Duration::minutes(i as i64)),
            node: Some(format!("ip-10-0-{}-{}.ec2.internal", i % 50, i % 200)),
            labels: [("app".to_string(), app)].into(),
            containers: vec![Container {
                cpu_limit_millis: Some(500),
                memory_limit_bytes: Some(512 << 20),
                ..Container::default()
            }],
            ..Pod::default()
        });
        metrics.push(PodMetrics {
            namespace: format!("team-{}", i % 20),
            pod: name,
            cpu_millis: (i % 480) as u64,
            memory_bytes: ((i % 500) as u64) << 20,
            at: Some(t0),
        });
    }
    (pods, metrics)
}

fn app_with_pods() -> App {
    app_with_n_pods(PODS)
}

fn app_with_n_pods(count: usize) -> App {
    let t0 = Utc.timestamp_opt(1_795_255_200, 0).unwrap();
    let loaded = opsdeck::config::defaults("dark", ColorSupport::TrueColor);
    let mut app = App::new(loaded, Options::default(), t0);
    app.tab = Tab::Pods;
    app.update(Event::Resize {
        width: 160,
        height: 48,
    });
    let (pods, metrics) = pods_n(count);
    app.update(Event::Update(Update::from(KubeUpdate::Pods(pods))));
    app.update(Event::Update(Update::from(KubeUpdate::Metrics(Ok(
        metrics,
    )))));
    app
}

fn bench(c: &mut Criterion) {
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
    let mut app = app_with_pods();
    c.bench_function("pods 10k: full table render 160x48", |b| {
        b.iter(|| {
            terminal
                .draw(|f| opsdeck::ui::draw(f, black_box(&app)))
                .expect("draw");
        })
    });
    let filters = [
        "s",
        "se",
        "ser",
        "serv",
        "service-01",
        "!Running",
        "-l app=service-042",
        "",
    ];
    let mut i = 0;
    c.bench_function("pods 10k: filter keystroke (refresh + frame)", |b| {
        b.iter(|| {
            i = (i + 1) % filters.len();
            app.model.pods.view.filter = PodFilter::parse(filters[i]);
            app.model.pods.view.refresh(&app.model.pods.data);
            terminal.draw(|f| opsdeck::ui::draw(f, &app)).expect("draw");
        })
    });
    let (pods, _) = pods();
    c.bench_function("pods 10k: apply a full list + sort by status", |b| {
        b.iter(|| {
            app.model.pods.view.sort = opsdeck::features::pods::view::PodColumn::Status;
            app.update(Event::Update(Update::from(KubeUpdate::Pods(black_box(
                pods.clone(),
            )))));
        })
    });
}

/// Issue 21: what one watched change costs (apply, the derived state the
/// app settles, and a frame), at two table sizes. Incremental work costs
/// the same at both; a full rebuild costs four times as much at 20,000.
fn one_change(c: &mut Criterion) {
    for count in [5_000, 20_000] {
        let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
        let mut app = app_with_n_pods(count);
        let (pods, _) = pods_n(count);
        let mut i = 0;
        c.bench_function(
            &format!("pods {count}: one pod changes (apply + settle + frame)"),
            |b| {
                b.iter(|| {
                    i = (i + 7919) % count;
                    let mut pod = pods[i].clone();
                    pod.restarts += 1;
                    app.update(Event::Update(Update::from(KubeUpdate::PodsChanged {
                        upserted: vec![black_box(pod)],
                        deleted: Vec::new(),
                    })));
                    terminal.draw(|f| opsdeck::ui::draw(f, &app)).expect("draw");
                })
            },
        );
    }
}

criterion_group!(benches, bench, one_change);
criterion_main!(benches);
