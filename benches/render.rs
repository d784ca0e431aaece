//! Full-frame render cost of the heaviest screens. Target (issue 2): the
//! Timeline with 10,000 entries at 160x48 in under 1 ms a frame.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use opsdeck::app::{App, Event, Options};
use opsdeck::core::source::{Severity, SourceId};
use opsdeck::core::timeline::{Origin, TimelineEntry};
use opsdeck::shared::color::ColorSupport;
use opsdeck::update::Update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

fn timeline_app(entries: usize, filter: &str) -> App {
    let t0 = Utc.timestamp_opt(1_795_255_200, 0).unwrap();
    let loaded = opsdeck::config::defaults("dark", ColorSupport::TrueColor);
    let mut app = App::new(loaded, Options::default(), t0);
    app.update(Event::Resize {
        width: 160,
        height: 48,
    });
    let sources = [
        SourceId::Kubernetes,
        SourceId::Kafka,
        SourceId::Prometheus,
        SourceId::Postgres,
    ];
    for i in 0..entries {
        app.update(Event::Update(Update::Timeline(TimelineEntry::new(
            t0 + chrono::Duration::milliseconds(i as i64 * 250),
            [Severity::Info, Severity::Warn, Severity::Crit][i % 3],
            Origin::Source(sources[i % sources.len()]),
            format!("pod payment-service-7d9f-{i:05} restarted after OOMKilled (exit code 137), restarts {i}"),
        ))));
    }
    app.model.timeline.set_filter(filter);
    app
}

fn bench_timeline(c: &mut Criterion) {
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
    let app = timeline_app(10_000, "");
    c.bench_function("timeline 10k entries 160x48 full frame", |b| {
        b.iter(|| {
            terminal
                .draw(|f| opsdeck::ui::draw(f, black_box(&app)))
                .expect("draw");
        })
    });
    let filtered = timeline_app(10_000, "oomkilled");
    c.bench_function("timeline 10k entries filtered 160x48 full frame", |b| {
        b.iter(|| {
            terminal
                .draw(|f| opsdeck::ui::draw(f, black_box(&filtered)))
                .expect("draw");
        })
    });
}

criterion_group!(benches, bench_timeline);
criterion_main!(benches);
