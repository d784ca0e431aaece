//! Recording must not slow the console (issue 16): applying updates while
//! recording costs at most 10% more than without. The same ten minutes of
//! the demo (its usual 20 log lines a second) go through the update
//! channel into a fresh app, with and without a recorder's tap: once
//! timing the app loop (receive and apply), once the sources' sends (where
//! the tap clones each update for the writer thread).

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
        host: "bastion-1".into(),
        session: String::new(),
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
    let channel = || opsdeck::transport::channel(1 << 20, 1 << 24);

    // The app loop: receive and apply. The updates are queued in order
    // (nothing coalesced) in the untimed setup, where the tap runs; the
    // writer thread encodes them while the loop is timed, as it would.
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("app loop, 10 demo minutes");
    group.sample_size(20);
    for recording in [false, true] {
        let name = if recording {
            "while recording"
        } else {
            "without recording"
        };
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let (tx, rx) = channel();
                    if recording {
                        rx.set_tap(Some(recorder.tap()));
                    }
                    rt.block_on(async {
                        for u in updates.clone() {
                            tx.send_in_order(u).await.unwrap();
                        }
                    });
                    // Let the writer catch up on this backlog (ten minutes
                    // at once, which a live run spreads over ten): the
                    // loop is timed alone, as it runs.
                    let mut last = u64::MAX;
                    while recorder.bytes() != last {
                        last = recorder.bytes();
                        std::thread::sleep(Duration::from_millis(1100));
                    }
                    (app(), tx, rx)
                },
                |(mut app, tx, mut rx)| {
                    while let Some(u) = rx.try_recv() {
                        tap::apply(&mut app, u);
                    }
                    (app, tx)
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();

    // The sources' side: what sending costs them with the tap (a clone
    // and a channel send per update; the writer thread encodes).
    let mut group = c.benchmark_group("sources sending, 10 demo minutes");
    group.sample_size(20);
    for recording in [false, true] {
        let name = if recording {
            "while recording"
        } else {
            "without recording"
        };
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let (tx, rx) = channel();
                    if recording {
                        rx.set_tap(Some(recorder.tap()));
                    }
                    (tx, rx, updates.clone())
                },
                |(tx, rx, updates)| {
                    for u in updates {
                        assert!(tx.try_send(u));
                    }
                    (tx, rx)
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();

    // The writer thread's work: encoding and compressing the records of
    // ten demo minutes, one frame per second as it writes them.
    let records: Vec<Vec<opsdeck::recording::Record>> = updates
        .chunks(updates.len() / 600 + 1)
        .map(|second| {
            second
                .iter()
                .map(|u| opsdeck::recording::Record {
                    at: t0(),
                    entry: opsdeck::recording::Entry::Update(u.clone()),
                })
                .collect()
        })
        .collect();
    let mut group = c.benchmark_group("writer, 10 demo minutes");
    group.sample_size(10);
    group.bench_function("encode + compress, one frame a second", |b| {
        b.iter(|| {
            records
                .iter()
                .map(|second| opsdeck::recording::format::encode(second).unwrap().len())
                .sum::<usize>()
        })
    });
    group.finish();
    recorder.stop();
}

criterion_group!(benches, bench);
criterion_main!(benches);
