//! Recording must not slow the console (issue 16): applying updates while
//! recording costs at most 10% more than without. Both runs apply the
//! same ten minutes of the demo (its usual 20 log lines a second) to a
//! fresh app; the recorded run also hands each update to the recorder, as
//! the runtime does (a clone and a channel send; the writer thread
//! encodes and compresses on another core).

#![allow(clippy::unwrap_used)] // bench code: a failed unwrap is a failed run

use chrono::{DateTime, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use opsdeck::app::{App, Options};
use opsdeck::demo::{DemoEngine, DemoOptions};
use opsdeck::recording::{Header, Recorder, tap};
use opsdeck::shared::color::ColorSupport;
use opsdeck::update::Update;
use std::time::Duration;

fn t0() -> DateTime<Utc> {
    Utc.timestamp_opt(1_795_255_200, 0).unwrap()
}

fn demo_updates(minutes: u64) -> Vec<Update> {
    let mut engine = DemoEngine::new(
        DemoOptions {
            seed: 7,
            speed: 1.0,
            looping: true,
            log_rate: 20,
        },
        t0(),
    );
    (1..=minutes * 60)
        .flat_map(|s| engine.advance(Duration::from_secs(s)))
        .collect()
}

fn app() -> App {
    let loaded = opsdeck::config::defaults("dark", ColorSupport::TrueColor);
    let options = Options {
        readonly: false,
        replay: false,
        mouse: false,
        user: "bench".into(),
    };
    App::new(loaded, options, t0())
}

fn bench(c: &mut Criterion) {
    let updates = demo_updates(10);
    let dir = tempfile::tempdir().unwrap();
    let header = Header {
        format_version: opsdeck::core::FORMAT_VERSION,
        opsdeck_version: "bench".into(),
        started_at: t0(),
        context: "demo".into(),
        sources: Vec::new(),
        config_digest: String::new(),
    };
    let recorder = Recorder::start(&dir.path().join("bench.odr"), &header).unwrap();
    let mut group = c.benchmark_group("apply 10 demo minutes");
    group.sample_size(20);
    group.bench_function("without recording", |b| {
        b.iter_batched(
            || (app(), updates.clone()),
            |(mut app, updates)| {
                for u in updates {
                    tap::apply(&mut app, u, None);
                }
                app
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("while recording", |b| {
        b.iter_batched(
            || (app(), updates.clone()),
            |(mut app, updates)| {
                for u in updates {
                    tap::apply(&mut app, u, Some(&recorder));
                }
                app
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
    recorder.stop();
}

criterion_group!(benches, bench);
criterion_main!(benches);
