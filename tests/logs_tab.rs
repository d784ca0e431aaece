//! The Logs tab on the demo's pods: follow, pause, filter, search, pivot,
//! wrap, hostile lines; and what it asks a live source to stream.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use insta::assert_snapshot;
use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Effect, Event};
use opsdeck::features::logs::model::LogsUpdate;
use opsdeck::features::logs::record::to_log_line;
use opsdeck::update::Update;
use support::*;

fn logs_app(size: (u16, u16), secs: u64) -> App {
    let mut app = app(size);
    play_demo(&mut app, secs);
    app.tab = Tab::Logs;
    app
}

fn command(app: &mut App, line: &str) -> Vec<Effect> {
    keys(app, &[":"]);
    typed(app, line);
    keys(app, &["<Enter>"])
}

#[test]
fn following_every_pod_at_80x24_and_160x48() {
    for size in [(80, 24), (160, 48)] {
        let app = logs_app(size, 100);
        assert!(app.model.logs.follow);
        if size.0 >= 120 {
            let text = screen(&app);
            assert!(
                text.lines()
                    .any(|l| l.contains("order-service-") && l.contains(" order-service ")),
                "the container column:\n{text}"
            );
        }
        assert_snapshot!(
            format!("logs_following_{}x{}", size.0, size.1),
            render(&app).backend()
        );
    }
}

#[test]
fn paused_with_a_counter_of_new_lines() {
    let mut app = logs_app((100, 30), 60);
    keys(&mut app, &["k", "k"]);
    assert!(!app.model.logs.follow);
    let selected = app.model.logs.cursor.selected;
    play_demo(&mut app, 70);
    app.tab = Tab::Logs;
    assert_eq!(
        app.model.logs.cursor.selected, selected,
        "the view stays put"
    );
    assert!(app.model.logs.new_while_paused > 0);
    assert_snapshot!(render(&app).backend());
    keys(&mut app, &["G"]);
    assert!(app.model.logs.follow);
}

#[test]
fn filter_search_and_wrap() {
    let mut app = logs_app((100, 30), 100);
    keys(&mut app, &["/"]);
    typed(&mut app, "payment|charge");
    keys(&mut app, &["<Enter>"]);
    keys(&mut app, &["f"]);
    typed(&mut app, "failed");
    keys(&mut app, &["<Enter>"]);
    assert_snapshot!("filtered_with_search", render(&app).backend());
    keys(&mut app, &["W"]);
    assert_snapshot!("filtered_wrapped", render(&app).backend());
}

#[test]
fn levels_next_error_and_the_correlation_pivot() {
    let mut app = logs_app((120, 30), 100);
    keys(&mut app, &["g", "]", "e"]);
    // The first error may be the OutOfMemoryError (no request id): go on.
    for _ in 0..20 {
        if app.model.logs.selected().unwrap().correlation().is_some() {
            break;
        }
        keys(&mut app, &["]", "e"]);
    }
    let line = app.model.logs.selected().unwrap();
    assert_eq!(line.level(), opsdeck::features::logs::line::Level::Error);
    let id = line.correlation().unwrap().to_owned();
    keys(&mut app, &["c"]);
    let pods: std::collections::BTreeSet<String> = (0..app.model.logs.visible_len())
        .map(|r| app.model.logs.row(r).unwrap())
        .inspect(|l| assert_eq!(l.correlation(), Some(&*id)))
        .map(|l| l.pod().split('-').next().unwrap().to_string())
        .collect();
    assert!(
        pods.len() >= 2,
        "the request's path across services: {pods:?}"
    );
    keys(&mut app, &["c", "e"]);
    assert!((0..app.model.logs.visible_len()).all(|r| {
        let l = app.model.logs.row(r).unwrap();
        l.note()
            || matches!(
                l.level(),
                opsdeck::features::logs::line::Level::Error
                    | opsdeck::features::logs::line::Level::Fatal
            )
    }));
}

#[test]
fn scope_follows_a_deployment_and_asks_a_live_source_for_its_containers() {
    let mut app = logs_app((120, 30), 30);
    let effects = command(&mut app, "logs deploy/order-service --tail 50");
    let [Effect::FollowLogs(f)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(f.targets.len(), 3);
    assert!(
        f.targets
            .iter()
            .all(|t| t.pod.starts_with("order-service") && t.container == "order-service")
    );
    assert_eq!(f.options.tail_lines, Some(50));
    assert!((0..app.model.logs.visible_len()).all(|r| {
        app.model
            .logs
            .row(r)
            .unwrap()
            .pod()
            .starts_with("order-service")
    }));
    let effects = command(&mut app, "logs deploy/x --since 5 minutes");
    assert!(effects.is_empty());
    assert!(app.status.clone().unwrap().text.contains("bad duration"));
}

#[test]
fn pods_joining_and_leaving_are_noted_in_the_log_and_the_timeline() {
    let mut app = logs_app((120, 30), 30);
    command(&mut app, "logs deploy/payment-service");
    let old: Vec<String> = app
        .model
        .logs
        .scope
        .clone()
        .unwrap()
        .pods
        .into_iter()
        .collect();
    let mut pods = app
        .model
        .pods
        .data
        .pods
        .values()
        .cloned()
        .collect::<Vec<_>>();
    pods.retain(|p| p.name != old[0]);
    let mut newcomer = app
        .model
        .pods
        .data
        .pods
        .values()
        .find(|p| p.name == old[1])
        .unwrap()
        .clone();
    newcomer.name = "payment-service-abcdefghj-zzzzz".into();
    pods.push(newcomer);
    let effects = app.update(Event::Update(Update::from(
        opsdeck::features::pods::model::KubeUpdate::Pods(pods),
    )));
    assert!(
        matches!(effects.as_slice(), [Effect::FollowLogs(_)]),
        "the live source is told"
    );
    let text = app.model.logs.visible_text();
    assert!(
        text.contains("pod payment-service-abcdefghj-zzzzz joined"),
        "{text}"
    );
    assert!(text.contains(&format!("pod {} left", old[0])), "{text}");
    assert!(
        app.model
            .timeline
            .entries()
            .iter()
            .any(|e| e.text.contains("joined"))
    );
}

#[test]
fn copy_goes_through_osc52_and_save_writes_the_view() {
    let mut app = logs_app((120, 30), 30);
    let effects = keys(&mut app, &["y"]);
    let [Effect::Clipboard(text)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(!text.is_empty());
    let effects = keys(&mut app, &["s"]);
    let [Effect::WriteFile { path, contents }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(
        path.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("logs-")
    );
    assert_eq!(
        contents.lines().filter(|l| !l.starts_with('\t')).count(),
        app.model.logs.visible_len()
    );
    // The runtime may have written it under a numbered name (the first
    // was taken): the footer says what was saved, and where.
    let stem = path.file_stem().unwrap().to_string_lossy();
    let written = path.with_file_name(format!("{stem}-2.log"));
    app.update(Event::Written {
        path: written.clone(),
        result: Ok(()),
    });
    let status = app.status.clone().unwrap().text;
    assert_eq!(status, format!("logs saved to {}", written.display()));
}

#[test]
fn hostile_and_huge_lines_are_drawn_safely() {
    let mut app = logs_app((80, 24), 5);
    let hostile = b"2026-11-21T10:00:05.000000000Z \x1b]0;pwned\x07evil \x1b[2J\x1b[H\rOVERWRITE \x1b]52;c;ZXZpbA==\x07 \x90dcs\x9c \xff\xfe bytes";
    let huge = [
        b"2026-11-21T10:00:06.000000000Z ".as_slice(),
        &vec![b'x'; 10 << 20],
    ]
    .concat();
    let lines = vec![
        to_log_line("evil-pod-abcdefghj-x1x1x", "app", hostile, &[]),
        to_log_line("big-pod-abcdefghj-y2y2y", "app", &huge, &[]),
    ];
    app.update(Event::Update(Update::from(LogsUpdate::Lines(lines))));
    // The title and the clipboard payload are gone, each leaving one mark,
    // as do the 8-bit DCS controls; CR shows as a control picture. (Were
    // the clipboard payload shown, the row would be cut before it: the
    // exact row is what proves it gone.)
    support::hostile::assert_sanitized(
        &screen(&app),
        &["pwned"],
        &["\u{241B}evil \u{240D}OVERWRITE \u{241B} \u{241B}dcs\u{241B} \u{FFFD}\u{FFFD} bytes"],
    );
    assert_snapshot!(render(&app).backend());
    keys(&mut app, &["W"]);
    render(&app);
}

#[test]
fn times_toggle_and_the_buffer_size_comes_from_config() {
    let mut app = logs_app((100, 30), 10);
    // Rows start with the time column, then lose it (messages may carry their own).
    let first_row = |app: &App| screen(app).lines().nth(3).unwrap().to_string();
    assert!(
        first_row(&app).starts_with("│10:00:"),
        "{}",
        first_row(&app)
    );
    keys(&mut app, &["T"]);
    assert!(
        !first_row(&app).starts_with("│10:00:"),
        "{}",
        first_row(&app)
    );
    let (settings, problems) =
        opsdeck::config::settings::Settings::load(opsdeck::config::problem::SourceText::new(
            std::path::Path::new("config.toml"),
            "[logs]\nbuffer_lines = 1000\n",
        ));
    assert!(problems.is_empty());
    let mut loaded =
        opsdeck::config::defaults("dark", opsdeck::shared::color::ColorSupport::TrueColor);
    loaded.settings = settings;
    let mut small = App::new(loaded, Default::default(), t0());
    play_demo(&mut small, 100);
    assert_eq!(small.model.logs.len(), 1000);
    assert!(small.model.logs.dropped > 0);
}
