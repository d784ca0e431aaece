//! What a line of the Logs buffer costs in resident memory, measured on the
//! demo's own lines (the crate forbids `unsafe`, so no counting allocator).
//! Issue #21: 200,000 lines of `demo --firehose 20000` within 60 MB RSS.
//! One test in this file: another running alongside would move the figure.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use chrono::{TimeZone, Utc};
use opsdeck::demo::{DemoEngine, DemoOptions};
use opsdeck::features::logs::model::Logs;
use opsdeck::update::Update;

/// This process's resident memory, in bytes (Linux).
fn rss() -> isize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: isize = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

/// The full buffer's bytes per line, for the demo's own lines (its four
/// services' dialects, correlation ids, the odd stack trace) at the
/// firehose rate.
fn bytes_per_buffered_line(capacity: usize, seconds: u64) -> isize {
    let start = Utc.timestamp_opt(1_795_255_200, 0).unwrap();
    let mut demo = DemoEngine::new(
        DemoOptions {
            log_rate: 20_000,
            ..DemoOptions::default()
        },
        start,
    );
    // A second's batch is alive at once while it is applied; its room,
    // freed, is reused and is not the buffer's.
    let mut warm_up = Logs::with_capacity(capacity);
    for update in demo.advance(Duration::from_secs(1)) {
        if let Update::Logs(update) = update {
            warm_up.apply(update);
        }
    }
    drop(warm_up);
    let mut logs = Logs::with_capacity(capacity);
    let before = rss();
    for second in 2..=seconds + 1 {
        for update in demo.advance(Duration::from_secs(second)) {
            if let Update::Logs(update) = update {
                logs.apply(update);
            }
        }
    }
    let after = rss();
    assert_eq!(logs.len(), capacity, "the buffer is full");
    (after - before) / capacity as isize
}

/// Bytes a buffered line may cost: 104 measured (2026-12-05), 297 when a
/// line was a struct of its own allocations.
const BUDGET: isize = 115;

#[cfg(target_os = "linux")]
#[test]
fn a_full_buffer_stays_within_its_bytes_a_line() {
    // Twice the capacity goes through, so the oldest lines have been
    // dropped as they are in a long firehose run.
    let per_line = bytes_per_buffered_line(200_000, 12);
    println!("{per_line} bytes a line");
    assert!(per_line <= BUDGET, "{per_line} bytes a line");
}
