//! Issue 16: a seek anywhere in a one-hour recording of the demo shows its
//! frame within 1 s. Records an hour of the demo (its usual 20 log lines
//! a second, one frame a second, stamped with the demo's time), then
//! replays it through the player into an app and times each seek from
//! the key to a drawn frame: first forwards to the end (no checkpoint kept
//! yet: everything is played), then to random times backwards and
//! forwards (from the nearest checkpoint). Prints the slowest and the
//! median of each kind, the checkpoints kept and the memory.
//!
//! `cargo bench --bench seek` (add `--profile dev` for an unoptimized
//! build: slower, an upper bound).

#![allow(clippy::unwrap_used)] // bench code: a failed unwrap is a failed run

use chrono::{DateTime, TimeZone, Utc};
use opsdeck::app::{App, Event, Options};
use opsdeck::core::replay::ReplayControl;
use opsdeck::demo::{DemoEngine, DemoOptions};
use opsdeck::recording::format::{Entry, MAGIC, encode, frame};
use opsdeck::recording::{Header, Record, Recording};
use opsdeck::shared::color::ColorSupport;
use opsdeck::update::Update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};

/// An hour; two minutes when `cargo test` runs this as a smoke test (it
/// passes no `--bench`), so the suite does not replay an hour unoptimized.
fn seconds() -> i64 {
    if std::env::args().any(|a| a == "--bench") {
        3600
    } else {
        120
    }
}

fn t0() -> DateTime<Utc> {
    Utc.timestamp_opt(1_795_255_200, 0).unwrap()
}

/// An hour of the demo as the recorder writes it: a frame a second.
fn one_hour() -> Vec<u8> {
    let mut engine = DemoEngine::new(
        DemoOptions {
            seed: 7,
            speed: 1.0,
            looping: true,
            log_rate: 20,
        },
        t0(),
    );
    let header = Header {
        format_version: opsdeck::core::FORMAT_VERSION,
        opsdeck_version: "bench".into(),
        started_at: t0(),
        context: "demo".into(),
        sources: Vec::new(),
        config_digest: String::new(),
    };
    let mut bytes = MAGIC.to_vec();
    bytes.extend(frame(t0(), &encode(&header).unwrap()));
    for s in 1..=seconds() {
        let at = t0() + chrono::Duration::seconds(s);
        let records: Vec<Record> = engine
            .advance(Duration::from_secs(s as u64))
            .into_iter()
            .map(|u| Record {
                at,
                entry: Entry::Update(u),
            })
            .collect();
        if !records.is_empty() {
            bytes.extend(frame(at, &encode(&records).unwrap()));
        }
    }
    bytes
}

fn app() -> App {
    let loaded = opsdeck::config::defaults("dark", ColorSupport::TrueColor);
    let options = Options {
        readonly: true,
        replay: true,
        mouse: false,
        user: "bench".into(),
        host: "bastion-1".into(),
        session: String::new(),
    };
    let mut app = App::new(loaded, options, t0());
    app.update(Event::Resize {
        width: 160,
        height: 48,
    });
    app
}

/// Asks for a seek and applies what the player sends until its last mark,
/// then draws the frame; returns how long that took.
async fn seek(
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
    control: &tokio::sync::mpsc::UnboundedSender<ReplayControl>,
    rx: &mut opsdeck::transport::UpdateRx,
    to: DateTime<Utc>,
) -> Duration {
    let started = Instant::now();
    control.send(ReplayControl::Seek(to)).unwrap();
    // As the runtime does: up to 1,024 updates a batch, then a frame.
    let mut in_batch = 0;
    app.begin_batch();
    loop {
        let u = rx.recv().await.unwrap();
        let done = matches!(&u, Update::Replay(m)
            if m.at == to && m.restart.is_none() && m.checkpoint.is_none());
        app.update(Event::Update(u));
        in_batch += 1;
        if done {
            break;
        }
        if in_batch == 1024 {
            let _ = app.end_batch();
            app.begin_batch();
            in_batch = 0;
        }
    }
    let _ = app.end_batch();
    terminal.draw(|f| opsdeck::ui::draw(f, app)).unwrap();
    started.elapsed()
}

/// A line of /proc/self/status: `VmRSS` now, `VmHWM` the peak.
fn memory(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(str::to_owned))
        .unwrap_or_default()
}

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name:<34} {:>3} seeks: median {:>7.1} ms, slowest {:>7.1} ms",
        times.len(),
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
    );
}

fn main() {
    let bytes = one_hour();
    println!(
        "{} s of the demo: {:.1} MB recorded",
        seconds(),
        bytes.len() as f64 / 1e6
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {
        let recording = Recording::parse(bytes).unwrap();
        let end = t0() + chrono::Duration::seconds(seconds());
        let (tx, mut rx) = opsdeck::transport::channel(1 << 16, 1 << 20);
        let control = opsdeck::recording::player::spawn(recording, tx);
        control.send(ReplayControl::TogglePause).unwrap();
        let mut app = app();
        let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
        println!("before the first seek: {}", memory("VmRSS"));
        let first = seek(&mut app, &mut terminal, &control, &mut rx, end).await;
        summary("to the end, no checkpoint yet", vec![first]);
        println!(
            "checkpoints kept: {}; {}",
            app.checkpoints.len(),
            memory("VmRSS")
        );
        // A fixed pseudo-random walk over the hour.
        let mut state = 0x2545_f491_u64;
        let (mut back, mut forward) = (Vec::new(), Vec::new());
        let mut at = end;
        for _ in 0..40 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let to = t0() + chrono::Duration::seconds((state % seconds() as u64) as i64 + 1);
            let took = seek(&mut app, &mut terminal, &control, &mut rx, to).await;
            if to < at { &mut back } else { &mut forward }.push(took);
            at = to;
        }
        summary("backwards, from a checkpoint", back);
        summary("forwards, from a checkpoint", forward);
        println!("{}", memory("VmHWM"));
    });
}
