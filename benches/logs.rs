//! Logs tab. Targets (issue 5): ingest (parse + append + index) of
//! 1,000,000 lines > 500,000 lines/s on one core; a frame at 160x48 with
//! 200,000 lines buffered and a filter active < 2 ms.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Event, Options};
use opsdeck::features::logs::model::{Logs, LogsUpdate};
use opsdeck::features::logs::record::to_log_line;
use opsdeck::shared::color::ColorSupport;
use opsdeck::update::Update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

fn raw_lines(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let body = match i % 4 {
                0 => format!(r#"{{"timestamp": "2026-11-21T10:07:58.231Z", "level": "info", "event": "Creating order", "correlation_id": "c0rr-{i:06}"}}"#),
                1 => format!(r#"{{"@timestamp":"2026-11-21T10:07:58.455Z","log.level":"ERROR","message":"Saga step failed: {i}","trace.id":"4bf92f35{i:08}"}}"#),
                2 => format!(r#"{{"time":"2026-11-21T10:07:59Z","lvl":"warn","msg":"Rebalance in progress","generation":{i}}}"#),
                _ => format!("2026-11-21 10:07:58.301  WARN 1 --- [nio-8080-exec-7] o.s.w.s.Resolver : request {i} took too long"),
            };
            format!("2026-11-21T10:07:58.{:09}Z {body}", i % 1_000_000_000).into_bytes()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let lines = raw_lines(1_000_000);
    let mut group = c.benchmark_group("logs ingest");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.sample_size(10);
    group.bench_function("parse + append 1M lines (200k ring)", |b| {
        b.iter(|| {
            let mut logs = Logs::default();
            for chunk in lines.chunks(500) {
                let batch = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, raw)| {
                        to_log_line(["order-1", "payment-2", "api-3"][i % 3], "app", raw, &[])
                    })
                    .collect();
                logs.apply(opsdeck::core::clean::Clean::new(LogsUpdate::Lines(batch)));
            }
            black_box(logs.len())
        })
    });
    group.finish();

    let t0 = Utc.timestamp_opt(1_795_255_200, 0).unwrap();
    let mut app = App::new(
        opsdeck::config::defaults("dark", ColorSupport::TrueColor),
        Options::default(),
        t0,
    );
    app.tab = Tab::Logs;
    app.update(Event::Resize {
        width: 160,
        height: 48,
    });
    for chunk in lines[..200_000].chunks(1000) {
        let batch = chunk
            .iter()
            .map(|raw| to_log_line("order-service-7d9f8c6b5-x2k4p", "app", raw, &[]))
            .collect();
        app.update(Event::Update(Update::from(LogsUpdate::Lines(batch))));
    }
    app.model
        .logs
        .set_filter("saga|rebalance")
        .expect("valid pattern");
    app.model.logs.set_search("failed").expect("valid pattern");
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
    c.bench_function(
        "logs frame 160x48, 200k lines, filter + search active",
        |b| {
            b.iter(|| {
                terminal
                    .draw(|f| opsdeck::ui::draw(f, black_box(&app)))
                    .expect("draw");
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
