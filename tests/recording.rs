//! Recording and replay: the file survives what happens to it, a replay
//! applies what the live console applied, and nothing acts in a replay.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
mod support;

use chrono::{DateTime, Utc};
use opsdeck::app::{App, Effect, Event, Options};
use opsdeck::core::replay::{RecordTo, ReplayControl};
use opsdeck::demo::{DemoEngine, DemoOptions};
use opsdeck::recording::format::{Entry, MAGIC};
use opsdeck::recording::reader::ReadError;
use opsdeck::recording::{Header, Record, Recorder, Recording, tap};
use opsdeck::update::Update;
use proptest::prelude::*;
use std::path::Path;
use std::time::Duration;
use support::{keys, t0, typed};

fn header() -> Header {
    Header {
        format_version: opsdeck::core::FORMAT_VERSION,
        opsdeck_version: "test".into(),
        started_at: t0(),
        context: "demo".into(),
        sources: vec!["kubernetes".into()],
        config_digest: "no config file".into(),
    }
}

fn demo_engine() -> DemoEngine {
    DemoEngine::new(
        DemoOptions {
            seed: 7,
            speed: 1.0,
            looping: false,
            log_rate: 5,
        },
        t0(),
    )
}

/// The app's state as text: every feature's data and view, the Timeline,
/// the scope. Two apps that applied the same steps print the same.
fn digest(app: &App) -> String {
    format!("{}|{:?}", digest_but_logs(app), app.model.logs)
}

/// `digest` without the log buffer: log lines travel on their own lane of
/// the channel, so where they fall between other updates can differ from
/// run to run (never their order, nor the final buffer).
fn digest_but_logs(app: &App) -> String {
    let m = &app.model;
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        m.pods.data,
        m.heatmap.data,
        m.breakers.data,
        m.lag.data,
        m.queries.data,
        m.timeline.entries(),
        m.alerts,
        m.context,
        m.health,
    )
}

/// Sends one second of the demo through the channel, as its task does
/// (the recorder's tap sees it there), and applies what arrives.
fn through_channel(
    tx: &opsdeck::transport::UpdateTx,
    rx: &mut opsdeck::transport::UpdateRx,
    updates: Vec<Update>,
    mut apply: impl FnMut(Update),
) {
    for u in updates {
        assert!(tx.try_send(u), "the channel refused an update");
    }
    while let Some(u) = rx.try_recv() {
        apply(u);
    }
}

/// Plays `secs` of the demo into a recording app, one second at a time,
/// with a note typed half-way, the way the runtime does it.
fn record_demo(path: &Path, secs: u64) -> App {
    let recorder = Recorder::start_flushing(path, &header(), Duration::ZERO).unwrap();
    let (tx, mut rx) = opsdeck::transport::channel(1 << 16, 1 << 20);
    rx.set_tap(Some(recorder.tap()));
    let mut app = support::app((160, 48));
    let mut engine = demo_engine();
    for s in 1..=secs {
        through_channel(&tx, &mut rx, engine.advance(Duration::from_secs(s)), |u| {
            tap::apply(&mut app, u);
        });
        app.update(Event::Tick(t0() + chrono::Duration::seconds(s as i64)));
        if s == secs / 2 {
            keys(&mut app, &["7", "n"]);
            typed(&mut app, "rolled back by hand");
            keys(&mut app, &["<Enter>"]);
        }
        tap::record_made(&mut app, Some(&recorder));
    }
    assert_eq!(recorder.stop(), None);
    app
}

fn records(rec: &Recording) -> Vec<Record> {
    (0..rec.frames.len())
        .flat_map(|i| rec.frame(i).unwrap())
        .collect()
}

/// Applies records the way the player hands them to the app.
fn apply_all(app: &mut App, records: &[Record]) {
    for r in records {
        let u = match &r.entry {
            Entry::Update(u) => u.clone(),
            Entry::Console(e) => Update::Timeline(e.clone()),
            // What was on screen: no data (the follow test plays it).
            Entry::Screen(_) => continue,
        };
        app.update(Event::Update(u));
    }
}

fn replay_app() -> App {
    let loaded = opsdeck::config::defaults("dark", opsdeck::shared::color::ColorSupport::TrueColor);
    let options = Options {
        readonly: true,
        replay: true,
        mouse: false,
        user: "oncall".into(),
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

#[test]
fn a_replay_of_the_demo_applies_what_the_console_applied() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.odr");
    let live = record_demo(&path, 240);
    let rec = Recording::open(&path).unwrap();
    assert_eq!(rec.header, header());
    assert!(!rec.truncated && rec.corrupt == 0);
    let all = records(&rec);
    assert!(
        all.iter().any(
            |r| matches!(&r.entry, Entry::Console(e) if e.text.contains("rolled back by hand"))
        ),
        "the note was not recorded"
    );
    let mut replayed = replay_app();
    apply_all(&mut replayed, &all);
    assert_eq!(digest(&replayed), digest(&live));
    assert!(digest(&live).contains("rolled back by hand"));
}

#[test]
fn the_replay_matches_the_live_run_at_every_timeline_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("steps.odr");
    let recorder = Recorder::start_flushing(&path, &header(), Duration::ZERO).unwrap();
    let (tx, mut rx) = opsdeck::transport::channel(1 << 16, 1 << 20);
    rx.set_tap(Some(recorder.tap()));
    let mut live = support::app((160, 48));
    let mut engine = demo_engine();
    let mut checkpoints = Vec::new();
    for s in 1..=240 {
        through_channel(&tx, &mut rx, engine.advance(Duration::from_secs(s)), |u| {
            tap::apply(&mut live, u);
            if live.model.timeline.len() != checkpoints.len() {
                checkpoints.push(digest_but_logs(&live));
            }
        });
    }
    rx.set_tap(None);
    recorder.stop();
    let all = records(&Recording::open(&path).unwrap());
    let mut replayed = replay_app();
    let mut seen = Vec::new();
    for r in &all {
        apply_all(&mut replayed, std::slice::from_ref(r));
        if replayed.model.timeline.len() != seen.len() {
            seen.push(digest_but_logs(&replayed));
        }
    }
    assert!(
        checkpoints.len() > 5,
        "the demo made {} entries",
        checkpoints.len()
    );
    assert_eq!(seen.len(), checkpoints.len());
    for (i, (a, b)) in seen.iter().zip(&checkpoints).enumerate() {
        assert!(a == b, "state differs at Timeline entry {i}");
    }
    assert_eq!(digest(&replayed), digest(&live));
}

#[test]
fn a_file_cut_mid_frame_replays_up_to_the_cut_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.odr");
    record_demo(&path, 120);
    let whole = Recording::open(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let cut = bytes.len() - 7;
    let rec = Recording::parse(bytes[..cut].to_vec()).unwrap();
    assert!(rec.truncated);
    assert_eq!(rec.corrupt, 0);
    assert_eq!(rec.frames.len(), whole.frames.len() - 1);
    assert_eq!(records(&rec)[..], records(&whole)[..records(&rec).len()]);
}

#[test]
fn a_damaged_frame_is_skipped_and_counted_and_the_rest_still_plays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.odr");
    record_demo(&path, 60);
    let whole = Recording::open(&path).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    // A byte in the middle of the file: inside some frame's payload.
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    let rec = Recording::parse(bytes).unwrap();
    assert_eq!(rec.corrupt, 1);
    assert!(!rec.truncated);
    assert_eq!(rec.frames.len(), whole.frames.len() - 1);
    assert!(!records(&rec).is_empty());
}

#[test]
fn what_is_not_a_recording_or_is_too_new_gets_a_one_line_error() {
    let err = Recording::parse(b"{\"kind\": \"Pod\"}".to_vec()).unwrap_err();
    assert_eq!(err, ReadError::NotARecording);
    assert_eq!(err.to_string(), "not an opsdeck recording");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.odr");
    let mut newer = header();
    newer.format_version = opsdeck::core::FORMAT_VERSION + 1;
    Recorder::start(&path, &newer).unwrap().stop();
    let err = Recording::open(&path).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ReadError::Newer { .. }), "{err:?}");
    assert!(
        text.contains(&format!("format {}", newer.format_version))
            && text.contains(&format!("({})", opsdeck::core::FORMAT_VERSION))
            && !text.contains('\n'),
        "{text}"
    );

    let err = Recording::open(&dir.path().join("missing.odr")).unwrap_err();
    assert!(matches!(err, ReadError::Io(_)), "{err:?}");
}

#[test]
fn a_recording_never_replaces_a_file_and_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.odr");
    std::fs::write(&path, "keep me").unwrap();
    assert!(Recorder::start(&path, &header()).is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
    let link = dir.path().join("link.odr");
    std::os::unix::fs::symlink(dir.path().join("elsewhere"), &link).unwrap();
    assert!(Recorder::start(&link, &header()).is_err());
    assert!(!dir.path().join("elsewhere").exists());
    let fresh = dir.path().join("fresh.odr");
    Recorder::start(&fresh, &header()).unwrap().stop();
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_replay_runs_no_action_of_any_kind() {
    let mut app = replay_app();
    support::play_demo(&mut app, 200);
    let lines = [
        ("1", "restart deploy/payment-service"),
        ("1", "scale deploy/payment-service 5"),
        ("1", "delete pod/payment-service-x"),
        ("4", "breaker close"),
        ("5", "pg_cancel"),
        ("5", "pg_terminate"),
        ("5", "kill_op"),
        ("6", "reset earliest"),
        ("7", "undo"),
    ];
    for (tab, line) in lines {
        app.status = None;
        keys(&mut app, &[tab, ":"]);
        typed(&mut app, line);
        let effects = keys(&mut app, &["<Enter>"]);
        assert!(
            !effects
                .iter()
                .any(|e| matches!(e, Effect::Precheck { .. } | Effect::Execute { .. })),
            "{line}: {effects:?}"
        );
        assert!(
            matches!(app.overlay, opsdeck::app::Overlay::None),
            "{line} opened a dialog"
        );
        let status = app.status.clone().map(|s| s.text).unwrap_or_default();
        assert_eq!(status, "replay: actions are not run", "{line}");
    }
    // The keys too, on the tab each belongs to.
    for (tab, key) in [("1", "R"), ("1", "s"), ("4", "c"), ("5", "C"), ("6", "r")] {
        keys(&mut app, &[tab]);
        let effects = keys(&mut app, &[key]);
        assert!(
            !effects.iter().any(|e| matches!(e, Effect::Precheck { .. })),
            "{tab}{key}"
        );
    }
}

#[test]
fn replay_keys_steer_the_player_and_a_live_console_says_there_is_none() {
    let mut app = replay_app();
    app.update(Event::Update(Update::Replay(
        opsdeck::core::replay::ReplayMark {
            at: t0(),
            speed: 1.0,
            paused: false,
            restart: None,
            checkpoint: None,
            screen: None,
            ended: None,
        },
    )));
    assert_eq!(
        keys(&mut app, &["<Space>"]),
        vec![Effect::Replay(ReplayControl::TogglePause)]
    );
    assert_eq!(
        keys(&mut app, &[">"]),
        vec![Effect::Replay(ReplayControl::Speed(2.0))]
    );
    for _ in 0..10 {
        keys(&mut app, &["<"]);
    }
    assert_eq!(
        keys(&mut app, &["<"]),
        vec![Effect::Replay(ReplayControl::Speed(0.25))]
    );
    app.now = "2026-12-05T10:04:30Z".parse::<DateTime<Utc>>().unwrap();
    keys(&mut app, &[":"]);
    typed(&mut app, "seek 10:00:00");
    let effects = keys(&mut app, &["<Enter>"]);
    assert_eq!(
        effects,
        vec![Effect::Replay(ReplayControl::Seek(
            "2026-12-05T10:00:00Z".parse().unwrap()
        ))]
    );

    let mut live = support::app((160, 48));
    assert!(keys(&mut live, &["<Space>"]).is_empty());
    keys(&mut live, &[":"]);
    typed(&mut live, "seek +5m");
    assert!(keys(&mut live, &["<Enter>"]).is_empty());
    assert!(live.status.unwrap().text.contains("not a replay"));
}

#[tokio::test]
async fn the_player_plays_seeks_back_and_says_where_the_recording_ends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("play.odr");
    let live = record_demo(&path, 90);
    let bytes = std::fs::read(&path).unwrap();
    let cut = bytes[..bytes.len() - 3].to_vec();
    let rec = Recording::parse(cut.clone()).unwrap();
    // What the player must show: every record of the cut file, in order.
    let mut expected = replay_app();
    apply_all(&mut expected, &records(&Recording::parse(cut).unwrap()));
    let (tx, mut rx) = opsdeck::transport::channel(1 << 16, 1 << 20);
    let control = opsdeck::recording::player::spawn(rec, tx);
    control.send(ReplayControl::Speed(64.0)).unwrap();
    let mut app = replay_app();
    let ended = loop {
        let u = rx.recv().await.expect("the player stopped early");
        let end = match &u {
            Update::Replay(m) => m.ended.clone(),
            _ => None,
        };
        app.update(Event::Update(u));
        if let Some(e) = end {
            break e;
        }
    };
    assert!(
        ended.starts_with("recording ends at") && ended.ends_with("(file truncated)"),
        "{ended}"
    );
    assert_eq!(digest(&app), digest(&expected));
    assert!(app.model.timeline.len() > 1);
    // Back to the start: the app starts over and replays up to there.
    let start = app.model.timeline.entries()[0].at;
    control.send(ReplayControl::Seek(start)).unwrap();
    loop {
        let u = rx.recv().await.unwrap();
        let restart = matches!(&u, Update::Replay(m) if m.restart.is_some());
        app.update(Event::Update(u));
        if restart {
            break;
        }
    }
    assert!(app.model.timeline.len() < expected.model.timeline.len());
    assert!(live.model.timeline.len() >= expected.model.timeline.len());
    assert!(app.replay.as_ref().is_some_and(|m| m.restart.is_some()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the bytes, reading them is an error or a recording, never a
    /// panic; with the magic in front, frames are searched for.
    #[test]
    fn any_bytes_read_without_panic(tail in proptest::collection::vec(any::<u8>(), 0..2048), magic in any::<bool>()) {
        let mut bytes = if magic { MAGIC.to_vec() } else { Vec::new() };
        bytes.extend(tail);
        if let Ok(rec) = Recording::parse(bytes) {
            for i in 0..rec.frames.len() {
                let _ = rec.frame(i);
            }
        }
    }
}

#[test]
fn record_start_and_stop_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = support::app((160, 48));
    let file = dir.path().join("mine.odr");
    keys(&mut app, &[":"]);
    typed(&mut app, &format!("record start {}", file.display()));
    assert_eq!(
        keys(&mut app, &["<Enter>"]),
        vec![Effect::Record(Some(RecordTo::File(file.clone())))]
    );
    keys(&mut app, &[":"]);
    typed(&mut app, "record start");
    let effects = keys(&mut app, &["<Enter>"]);
    let [Effect::Record(Some(RecordTo::Default(default)))] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(
        default.to_string_lossy().contains("/recordings/"),
        "{default:?}"
    );
    assert!(default.extension().is_some_and(|e| e == "odr"));
    keys(&mut app, &[":"]);
    typed(&mut app, "record stop");
    assert_eq!(keys(&mut app, &["<Enter>"]), vec![Effect::Record(None)]);
    keys(&mut app, &[":"]);
    typed(&mut app, "record sideways");
    assert!(keys(&mut app, &["<Enter>"]).is_empty());

    // What the runtime does with them.
    let mut session = opsdeck::recording::Session {
        recorder: None,
        header: header(),
    };
    let (_tx, rx) = opsdeck::transport::channel(16, 16);
    let named = || Some(RecordTo::File(file.clone()));
    assert_eq!(session.switch(named(), &rx), Ok(Some(file.clone())));
    assert!(file.exists());
    let again = session
        .switch(Some(RecordTo::File(dir.path().join("other.odr"))), &rx)
        .unwrap_err();
    assert!(again.contains("already recording"), "{again}");
    assert_eq!(session.switch(None, &rx), Ok(None));
    assert_eq!(session.switch(None, &rx), Err("not recording".to_string()));
    let taken = session.switch(named(), &rx).unwrap_err();
    assert!(taken.contains("cannot record to"), "{taken}");
    // Two starts in the same second under the default name: the second
    // gets a number instead of failing.
    let default = dir
        .path()
        .join("recordings")
        .join("20261205T100000Z-demo.odr");
    let to = || Some(RecordTo::Default(default.clone()));
    assert_eq!(session.switch(to(), &rx), Ok(Some(default.clone())));
    assert_eq!(session.switch(None, &rx), Ok(None));
    let second = session.switch(to(), &rx).unwrap().unwrap();
    assert_eq!(
        second,
        dir.path()
            .join("recordings")
            .join("20261205T100000Z-demo-2.odr")
    );
    assert_eq!(session.switch(None, &rx), Ok(None));
    assert!(Recording::open(&default).is_ok() && Recording::open(&second).is_ok());
    app.update(Event::Recording(Ok(Some(file))));
    assert_eq!(app.recorded_bytes, Some(0));
    app.update(Event::Recording(Ok(None)));
    assert_eq!(app.recorded_bytes, None);
}

/// The demo story's post-mortem draft, as `:export postmortem` writes it:
/// nine minutes of the demo, a note, and a restart that succeeded.
#[test]
fn the_demo_post_mortem_draft() {
    let mut app = support::app((160, 48));
    support::play_demo(&mut app, 540);
    keys(&mut app, &["7", "n"]);
    typed(&mut app, "rolled back payment-service by hand");
    keys(&mut app, &["<Enter>"]);
    app.add_to_timeline(opsdeck::core::timeline::TimelineEntry::new(
        app.now,
        opsdeck::core::source::Severity::Info,
        opsdeck::core::timeline::Origin::Opsdeck,
        "done: restart deploy/payment-service in production — deployment.apps/payment-service restarted",
    ));
    keys(&mut app, &[":"]);
    typed(&mut app, "export postmortem");
    let effects = keys(&mut app, &["<Enter>"]);
    let [Effect::WriteFile { path, contents }] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(
        path.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("postmortem-"),
        "{path:?}"
    );
    let detection = app
        .model
        .timeline
        .entries()
        .iter()
        .find(|e| e.severity == opsdeck::core::source::Severity::Crit)
        .unwrap()
        .at;
    assert!(
        contents.contains(&format!(
            "| detection (first critical entry) | {} |",
            detection.format("%H:%M:%S")
        )),
        "{contents}"
    );
    assert!(contents.contains("1. "), "what we did lists the restart");
    insta::assert_snapshot!(
        "demo_post_mortem",
        contents.replace(
            &app.now.format("%Y-%m-%d %H:%M:%S").to_string(),
            "<written at>"
        )
    );
}

#[test]
fn export_writes_a_post_mortem_from_a_recording_and_never_over_a_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("incident.odr");
    record_demo(&path, 300);
    let out = dir.path().join("post-mortem.md");
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .arg("export")
            .arg(&path)
            .arg("--out")
            .arg(&out)
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .output()
            .unwrap()
    };
    let first = run();
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let draft = std::fs::read_to_string(&out).unwrap();
    assert!(draft.starts_with("# Post-mortem draft: demo"), "{draft}");
    assert!(draft.contains("rolled back by hand"), "{draft}");
    assert!(draft.contains("## Peaks") && draft.contains("## Timeline"));
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let second = run();
    assert_eq!(second.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("exists"),
        "{second:?}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), draft);

    let not = dir.path().join("not.odr");
    std::fs::write(&not, "hello").unwrap();
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["export"])
        .arg(&not)
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not an opsdeck recording"), "{err}");
}

#[tokio::test]
async fn the_player_jumps_to_the_next_and_previous_timeline_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jumps.odr");
    record_demo(&path, 120);
    let rec = Recording::open(&path).unwrap();
    let entries: Vec<DateTime<Utc>> = records(&rec)
        .iter()
        .filter(|r| {
            matches!(
                r.entry,
                Entry::Console(_) | Entry::Update(Update::Timeline(_))
            )
        })
        .map(|r| r.at)
        .collect();
    assert!(entries.len() >= 3, "{entries:?}");
    let (tx, mut rx) = opsdeck::transport::channel(1 << 16, 1 << 20);
    let control = opsdeck::recording::player::spawn(rec, tx);
    control.send(ReplayControl::TogglePause).unwrap();
    let mut app = replay_app();
    // The first mark (not a restart's) that is paused and, when `from` is
    // given, somewhere else: the player's answer to the last control.
    let mut mark_after = async |app: &mut App, from: Option<DateTime<Utc>>| loop {
        let u = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no new mark after {from:?}"))
            .unwrap();

        let mark = match &u {
            Update::Replay(m) if m.restart.is_none() && m.paused && Some(m.at) != from => {
                Some(m.at)
            }
            _ => None,
        };
        app.update(Event::Update(u));
        if let Some(at) = mark {
            break at;
        }
    };
    let start = mark_after(&mut app, None).await;
    control.send(ReplayControl::TimelineEntry(true)).unwrap();
    let at = mark_after(&mut app, Some(start)).await;
    assert!(entries.contains(&at), "{at} is not an entry's time");
    control.send(ReplayControl::TimelineEntry(true)).unwrap();
    let later = mark_after(&mut app, Some(at)).await;
    assert!(later > at && entries.contains(&later), "{later} after {at}");
    control.send(ReplayControl::TimelineEntry(false)).unwrap();
    let back = mark_after(&mut app, Some(later)).await;
    assert!(
        back < later && entries.contains(&back),
        "{back} before {later}"
    );
}

#[test]
fn records_the_writer_cannot_take_are_dropped_and_counted_not_queued() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.odr");
    let recorder = Recorder::start_with(&path, &header(), Duration::from_secs(1), 1).unwrap();
    let sent = 20_000;
    for i in 0..sent {
        recorder.record(
            t0(),
            Entry::Console(opsdeck::core::timeline::TimelineEntry::new(
                t0(),
                opsdeck::core::source::Severity::Info,
                opsdeck::core::timeline::Origin::Opsdeck,
                format!("entry {i}"),
            )),
        );
    }
    let dropped = recorder.dropped();
    assert_eq!(recorder.stop(), None);
    let kept = records(&Recording::open(&path).unwrap()).len() as u64;
    assert!(dropped > 0, "a one-record queue never filled");
    assert_eq!(kept + dropped, sent);
}

/// The header of a replay: REPLAY, the speed, paused, the recorded time;
/// and of a recording console: REC and the size.
#[test]
fn the_replay_and_recording_headers() {
    let mut replay = replay_app();
    support::play_demo(&mut replay, 120);
    replay.update(Event::Update(Update::Replay(
        opsdeck::core::replay::ReplayMark {
            at: t0() + chrono::Duration::seconds(120),
            speed: 4.0,
            paused: true,
            restart: None,
            checkpoint: None,
            screen: None,
            ended: None,
        },
    )));
    let top = |app: &App| support::screen(app).lines().next().unwrap().to_string();
    insta::assert_snapshot!("replay_header_160", top(&replay));
    replay.update(Event::Resize {
        width: 80,
        height: 24,
    });
    insta::assert_snapshot!("replay_header_80", top(&replay));

    let mut live = support::app((160, 48));
    support::play_demo(&mut live, 120);
    live.recorded_bytes = Some(3_412_000);
    insta::assert_snapshot!("recording_header_160", top(&live));
}

/// #16: an action's outcome entry carries the command and who confirmed it
/// how, so the recording and its post-mortem say what was run.
#[test]
fn the_post_mortem_names_each_actions_command_and_who_confirmed_it() {
    use support::actions::{command, passed, precheck};
    let mut app = support::app((160, 48));
    support::play_demo(&mut app, 30);
    let effects = command(&mut app, "restart deploy/payment-service");
    precheck(&mut app, &effects, passed("allowed"), passed("ok"));
    typed(&mut app, "production/payment-service");
    let effects = keys(&mut app, &["<Tab>", "<Enter>"]);
    let [Effect::Execute { id, plan, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    app.update(opsdeck::app::Event::ActionDone {
        id: *id,
        plan: Box::new(plan.clone()),
        outcome: opsdeck::core::executor::Outcome::Ok("restarted".into()),
    });
    let made = app.made.last().expect("the outcome is recorded").clone();
    let executed = made.executed().expect("what ran is recorded").clone();
    // As a recording keeps it: the record survives the round trip.
    let back: opsdeck::core::timeline::TimelineEntry =
        serde_json::from_str(&serde_json::to_string(&made).unwrap()).unwrap();
    assert_eq!(back.executed(), Some(&executed));
    assert_eq!(executed.by.as_str(), "oncall");
    assert_eq!(
        executed.confirmation.as_str(),
        "typed \"production/payment-service\""
    );
    keys(&mut app, &["<Esc>", "7", "g"]);
    let shown = support::screen(&app);
    assert!(
        shown.contains("· by oncall (typed")
            && shown.contains("· kubectl --context demo -n production rollout restart"),
        "the Timeline's detail line names them:\n{shown}"
    );
    let draft = opsdeck::postmortem::markdown(
        &app.model,
        &opsdeck::postmortem::Source {
            context: "demo",
            from: "this session",
            written_at: app.now,
        },
    );
    assert!(
        draft.contains(
            "   confirmed by oncall (typed \"production/payment-service\"): `kubectl --context demo -n production rollout restart deploy/payment-service`"
        ),
        "{draft}"
    );
}

/// Records `secs` of the demo with each second's updates stamped with
/// the demo's time (as a live run at 1x would), a note half-way, in small
/// frames that start mid-second;
/// returns the live app's digest after each second (index 0: before any).
fn record_demo_in_demo_time(path: &Path, secs: u64) -> Vec<String> {
    use opsdeck::recording::format::{encode, frame};
    let mut live = support::app((160, 48));
    let mut engine = demo_engine();
    let mut digests = vec![digest(&live)];
    let mut records = Vec::new();
    for s in 1..=secs {
        let now = t0() + chrono::Duration::seconds(s as i64);
        for u in engine.advance(Duration::from_secs(s)) {
            records.push(Record {
                at: now,
                entry: Entry::Update(u.clone()),
            });
            tap::apply(&mut live, u);
        }
        live.update(Event::Tick(now));
        if s == secs / 2 {
            keys(&mut live, &["7", "n"]);
            typed(&mut live, "rolled back by hand");
            keys(&mut live, &["<Enter>"]);
        }
        for e in std::mem::take(&mut live.made) {
            records.push(Record {
                at: e.at,
                entry: Entry::Console(e),
            });
        }
        digests.push(digest(&live));
    }
    let mut bytes = MAGIC.to_vec();
    bytes.extend(frame(t0(), &encode(&header()).unwrap()));
    // A frame starts at each log batch (applying one twice shows) and
    // after 13 records.
    let mut chunk: Vec<Record> = Vec::new();
    for r in records {
        if matches!(r.entry, Entry::Update(Update::Logs(_))) || chunk.len() == 13 {
            if let Some(first) = chunk.first() {
                bytes.extend(frame(first.at, &encode(&chunk).unwrap()));
            }
            chunk.clear();
        }
        chunk.push(r);
    }
    bytes.extend(frame(chunk[0].at, &encode(&chunk).unwrap()));
    std::fs::write(path, bytes).unwrap();
    digests
}

/// Applies what the player sends until `done` says the mark it just
/// applied is the one awaited; returns the restarts seen on the way.
async fn play_until(
    app: &mut App,
    rx: &mut opsdeck::transport::UpdateRx,
    done: impl Fn(&opsdeck::core::replay::ReplayMark) -> bool,
) -> Vec<opsdeck::core::replay::Restart> {
    let mut restarts = Vec::new();
    loop {
        let u = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("the player went quiet")
            .expect("the player stopped");
        let mark = match &u {
            Update::Replay(m) => Some(m.clone()),
            _ => None,
        };
        app.update(Event::Update(u));
        if let Some(m) = mark {
            restarts.extend(m.restart);
            if done(&m) {
                return restarts;
            }
        }
    }
}

/// #16: a seek starts from the latest checkpoint before its target, and
/// the model it shows is the live run's at that time, backwards and
/// forwards, landing anywhere between two checkpoints.
#[tokio::test]
async fn a_seek_from_a_checkpoint_shows_what_the_live_run_had_then() {
    use opsdeck::core::replay::Restart;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seek.odr");
    let secs = 200;
    let live = record_demo_in_demo_time(&path, secs);
    let rec = Recording::open(&path).unwrap();
    let (tx, mut rx) = opsdeck::transport::channel(1 << 16, 1 << 20);
    let control = opsdeck::recording::player::spawn(rec, tx);
    control.send(ReplayControl::Speed(64.0)).unwrap();
    let mut app = replay_app();
    play_until(&mut app, &mut rx, |m| m.ended.is_some()).await;
    assert_eq!(digest(&app), live[secs as usize]);
    // Every 30 recorded seconds, as the player went.
    assert!(app.checkpoints.len() >= 5, "{}", app.checkpoints.len());
    control.send(ReplayControl::TogglePause).unwrap();
    play_until(&mut app, &mut rx, |m| m.paused).await;

    let mut from_checkpoints = 0;
    // Back into the middle, back near the start, forward past kept
    // checkpoints, to the first second, a second before a checkpoint's
    // records end, on one, and to the end.
    for s in [130_u64, 47, 171, 1, 59, 120, 89, 100, 200] {
        let to = t0() + chrono::Duration::seconds(s as i64);
        control.send(ReplayControl::Seek(to)).unwrap();
        let restarts = play_until(&mut app, &mut rx, |m| {
            m.at == to && m.restart.is_none() && m.checkpoint.is_none()
        })
        .await;
        assert!(restarts.len() <= 1, "{restarts:?}");
        if let Some(Restart::Checkpoint(_)) = restarts.first() {
            from_checkpoints += 1;
        }
        assert!(
            digest(&app) == live[s as usize],
            "after a seek to second {s} ({restarts:?}) the model is not the live run's"
        );
    }
    assert!(
        from_checkpoints >= 4,
        "{from_checkpoints} seeks used a checkpoint"
    );
}

/// #16: the recording keeps which tab and service were on screen, and a
/// replay follows them until the user moves away; `b` follows again.
#[tokio::test]
async fn a_replay_follows_the_responders_tab_and_service_until_the_user_moves() {
    use opsdeck::app::tab::Tab;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("screens.odr");
    let recorder = Recorder::start_flushing(&path, &header(), Duration::ZERO).unwrap();
    let mut live = support::app((160, 48));
    let start_tab = live.tab.name().to_string();
    let mut engine = demo_engine();
    let at = |s: i64| t0() + chrono::Duration::seconds(s);
    for s in 1..=90 {
        for u in engine.advance(Duration::from_secs(s as u64)) {
            recorder.record(at(s), Entry::Update(u.clone()));
            tap::apply(&mut live, u);
        }
        live.update(Event::Tick(at(s)));
        match s {
            30 => {
                keys(&mut live, &["2"]);
            }
            60 => {
                keys(&mut live, &[":"]);
                typed(&mut live, "service payment-service");
                keys(&mut live, &["<Enter>"]);
            }
            _ => {}
        }
        tap::record_made(&mut live, Some(&recorder));
    }
    assert_eq!(recorder.stop(), None);
    let rec = Recording::open(&path).unwrap();
    let screens: Vec<(DateTime<Utc>, String, Option<String>)> = records(&rec)
        .into_iter()
        .filter_map(|r| match r.entry {
            Entry::Screen(s) => Some((r.at, s.tab, s.service.map(|n| n.as_str().to_string()))),
            _ => None,
        })
        .collect();
    let payment = Some("payment-service".to_string());
    // When recording started, then each change, and nothing in between.
    assert_eq!(
        screens,
        vec![
            (at(1), start_tab, None),
            (at(30), "heatmap".to_string(), None),
            (at(60), "heatmap".to_string(), payment.clone()),
        ]
    );

    let (tx, mut rx) = opsdeck::transport::channel(1 << 16, 1 << 20);
    let control = opsdeck::recording::player::spawn(rec, tx);
    control.send(ReplayControl::TogglePause).unwrap();
    let mut app = replay_app();
    let service = |app: &App| app.service.as_ref().map(|s| s.name.clone());
    let mut seek = async |app: &mut App, s: i64| {
        control.send(ReplayControl::Seek(at(s))).unwrap();
        play_until(app, &mut rx, |m| {
            m.at == at(s) && m.restart.is_none() && m.checkpoint.is_none() && m.screen.is_none()
        })
        .await;
    };
    seek(&mut app, 45).await;
    assert_eq!((app.tab, service(&app)), (Tab::Heatmap, None));
    seek(&mut app, 90).await;
    assert_eq!((app.tab, service(&app)), (Tab::Heatmap, payment.clone()));
    let top = |app: &App| support::screen(app).lines().next().unwrap().to_string();
    assert!(!top(&app).contains("own view"), "{}", top(&app));

    // The user goes elsewhere: the replay no longer moves them, and says so.
    keys(&mut app, &["4"]);
    assert!(!app.following);
    assert!(top(&app).contains("own view (b: follow)"), "{}", top(&app));
    seek(&mut app, 45).await;
    assert_eq!((app.tab, service(&app)), (Tab::Breakers, payment.clone()));
    // `b`: the responder's screen at this point of the recording.
    keys(&mut app, &["b"]);
    assert!(app.following);
    assert_eq!((app.tab, service(&app)), (Tab::Heatmap, None));
    assert!(!top(&app).contains("own view"), "{}", top(&app));
    seek(&mut app, 90).await;
    assert_eq!((app.tab, service(&app)), (Tab::Heatmap, payment));
}

/// #16: every guard step's answer goes with an action's outcome or
/// refusal into the recording, redacted as in the audit log; a replay's
/// Timeline detail and its post-mortem show them. Older recordings, which
/// have none, still read.
#[test]
fn a_recording_keeps_every_check_of_an_action_and_of_a_refusal() {
    use opsdeck::core::executor::Check;
    use opsdeck::core::timeline::TimelineEntry;
    use support::actions::{command, passed, precheck};
    let mut app = support::app((160, 48));
    support::play_demo(&mut app, 30);
    app.made.clear();
    // Executed: every step passed, a secret in the permission's answer.
    let effects = command(&mut app, "restart deploy/payment-service");
    precheck(
        &mut app,
        &effects,
        passed("allowed for token=hunter2"),
        passed("server dry run ok"),
    );
    typed(&mut app, "production/payment-service");
    let effects = keys(&mut app, &["<Tab>", "<Enter>"]);
    let [Effect::Execute { id, plan, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    app.update(Event::ActionDone {
        id: *id,
        plan: Box::new(plan.clone()),
        outcome: opsdeck::core::executor::Outcome::Ok("restarted".into()),
    });
    keys(&mut app, &["<Esc>"]);
    // Refused: the dry run says no.
    let effects = command(&mut app, "scale deploy/payment-service 5");
    precheck(
        &mut app,
        &effects,
        passed("allowed"),
        Check::Refused("admission webhook denied the request".into()),
    );
    keys(&mut app, &["<Esc>"]);
    let made = std::mem::take(&mut app.made);
    let done = made.iter().find(|e| e.text.starts_with("done:")).unwrap();
    let refused = made
        .iter()
        .find(|e| e.text.starts_with("refused:"))
        .unwrap();
    let shown =
        |e: &TimelineEntry| -> Vec<String> { e.checks().iter().map(ToString::to_string).collect() };
    let done_checks = shown(done);
    for step in [
        "read-only: passed",
        "permission: passed (allowed for token=",
        "dry run: passed (server dry run ok)",
        "confirmation: passed (typed \"production/payment-service\")",
        "cooldown: passed",
    ] {
        assert!(
            done_checks.iter().any(|c| c.starts_with(step)),
            "{step} is not among {done_checks:?}"
        );
    }
    assert!(!done_checks.concat().contains("hunter2"), "{done_checks:?}");
    let refused_checks = shown(refused);
    assert_eq!(
        refused_checks.last().unwrap(),
        "dry run: REFUSED (admission webhook denied the request)",
        "{refused_checks:?}"
    );
    assert!(
        refused_checks
            .iter()
            .any(|c| c == "permission: passed (allowed)")
    );

    // Through a recording into a replay.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checks.odr");
    let recorder = Recorder::start(&path, &header()).unwrap();
    for e in &made {
        recorder.record(e.at, Entry::Console(e.clone()));
    }
    assert_eq!(recorder.stop(), None);
    let back: Vec<TimelineEntry> = records(&Recording::open(&path).unwrap())
        .into_iter()
        .filter_map(|r| match r.entry {
            Entry::Console(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(back, made);
    let mut replay = replay_app();
    support::play_demo(&mut replay, 30);
    for e in back {
        replay.update(Event::Update(Update::Timeline(e)));
    }
    keys(&mut replay, &["7", "G"]);
    let selected = replay.model.timeline.selected().unwrap().text.to_string();
    if !selected.starts_with("refused:") {
        keys(&mut replay, &["g"]);
    }
    let screen = support::screen(&replay);
    assert!(
        screen.contains("· checks:")
            && screen.contains("read-only ✓ target ✓ preconditions ✓ permission ✓")
            && screen.contains("dry run ✗ (admission webhook denied the request)"),
        "the Timeline's detail shows the checks:\n{screen}"
    );
    let draft = opsdeck::postmortem::markdown(
        &replay.model,
        &opsdeck::postmortem::Source {
            context: "demo",
            from: "a recording",
            written_at: replay.now,
        },
    );
    assert!(
        draft.contains("   - dry run: passed (server dry run ok)")
            && draft.contains("   - dry run: REFUSED (admission webhook denied the request)")
            && !draft.contains("hunter2"),
        "{draft}"
    );

    // A recording made before: its action entries have no checks.
    let mut old = serde_json::to_value(done).unwrap();
    let about = old["about"]["Action"].as_object_mut().unwrap();
    assert!(about.remove("checks").is_some());
    let old: TimelineEntry = serde_json::from_value(old).unwrap();
    assert!(old.checks().is_empty());
    assert_eq!(old.executed(), done.executed());
}
