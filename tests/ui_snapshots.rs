//! Snapshots of every screen of the foundation, at 80x24 and 160x48, plus
//! style asserts on key cells (text snapshots do not show colour).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use insta::assert_snapshot;
use opsdeck::core::source::{HealthReport, SourceId};
use opsdeck::shared::color::ColorSupport;
use opsdeck::update::Update;
use ratatui::style::Color;
use support::*;

const SMALL: (u16, u16) = (80, 24);
const WIDE: (u16, u16) = (160, 48);

#[test]
fn timeline_populated() {
    for size in [SMALL, WIDE] {
        let mut app = app(size);
        play_demo(&mut app, 200);
        let name = format!("timeline_populated_{}x{}", size.0, size.1);
        assert_snapshot!(name, render(&app).backend());
    }
}

#[test]
fn timeline_empty() {
    assert_snapshot!(render(&app(SMALL)).backend());
}

#[test]
fn timeline_filtered_oldest_first_with_selection() {
    let mut app = app(SMALL);
    play_demo(&mut app, 200);
    keys(&mut app, &["/"]);
    typed(&mut app, "payment");
    keys(&mut app, &["<Enter>", "o", "j"]);
    assert_snapshot!(render(&app).backend());
}

#[test]
fn timeline_filter_without_match() {
    let mut app = app(SMALL);
    play_demo(&mut app, 100);
    keys(&mut app, &["/"]);
    typed(&mut app, "zzz");
    assert_snapshot!(render(&app).backend());
}

#[test]
fn console_empty() {
    let mut app = app(SMALL);
    keys(&mut app, &["8"]);
    assert_snapshot!(render(&app).backend());
}

#[test]
fn help_overlay() {
    for size in [SMALL, WIDE] {
        let mut app = app(size);
        play_demo(&mut app, 60);
        keys(&mut app, &["?"]);
        assert_snapshot!(
            format!("help_{}x{}", size.0, size.1),
            render(&app).backend()
        );
    }
}

#[test]
fn command_line_with_completion() {
    let mut app = app(SMALL);
    keys(&mut app, &[":"]);
    typed(&mut app, "t");
    keys(&mut app, &["<Tab>"]);
    assert_snapshot!(render(&app).backend());
}

#[test]
fn note_entry() {
    let mut app = app(SMALL);
    play_demo(&mut app, 60);
    keys(&mut app, &["n"]);
    typed(&mut app, "rolled back payment-service by hand");
    assert_snapshot!(render(&app).backend());
}

#[test]
fn too_small_screen() {
    let app = app((60, 20));
    assert_snapshot!(render(&app).backend());
}

#[test]
fn header_badges_readonly_and_problems() {
    let mut app = app(WIDE);
    app.options.readonly = true;
    app.update(opsdeck::app::Event::Update(Update::from(HealthReport {
        source: SourceId::Prometheus,
        at: t0(),
        error: Some("connection refused".into()),
        interval: std::time::Duration::from_secs(15),
    })));
    app.update(opsdeck::app::Event::Update(Update::from(HealthReport {
        source: SourceId::Demo,
        at: t0() - chrono::Duration::seconds(60),
        error: None,
        interval: std::time::Duration::from_secs(5),
    })));
    let first_line: String = screen(&app).lines().next().unwrap().to_string();
    assert_snapshot!(first_line);
}

/// Finds the first cell of `needle` on screen.
fn find(app: &opsdeck::app::App, needle: &str) -> (u16, u16) {
    let text = screen(app);
    for (y, line) in text.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            let x = line[..byte].chars().count();
            return (x as u16, y as u16);
        }
    }
    panic!("{needle:?} not on screen:\n{text}");
}

#[test]
fn critical_entries_use_the_theme_crit_colour() {
    let mut app = app(WIDE);
    play_demo(&mut app, 60);
    let terminal = render(&app);
    let buf = terminal.backend().buffer();
    let (x, y) = find(&app, "OOMKilled");
    assert_eq!(buf[(x, y)].fg, app.theme.crit.fg.unwrap());
    let (x, y) = find(&app, "rolled out payment-service");
    assert_eq!(buf[(x, y)].fg, app.theme.text.fg.unwrap());
    assert_ne!(app.theme.crit.fg, app.theme.text.fg);
}

#[test]
fn the_mono_theme_uses_no_colour_at_all() {
    let mut app = app_with("mono", ColorSupport::Mono, WIDE);
    play_demo(&mut app, 200);
    keys(&mut app, &["?"]);
    let terminal = render(&app);
    for cell in terminal.backend().buffer().content() {
        assert_eq!(
            (cell.fg, cell.bg),
            (Color::Reset, Color::Reset),
            "cell {:?}",
            cell.symbol()
        );
    }
    keys(&mut app, &["<Esc>"]);
    let terminal = render(&app);
    let (x, y) = find(&app, "OOMKilled");
    assert!(
        terminal.backend().buffer()[(x, y)]
            .modifier
            .contains(ratatui::style::Modifier::BOLD)
    );
}

#[test]
fn sixteen_colour_terminals_get_only_ansi_colours() {
    let mut app = app_with("dark", ColorSupport::Ansi16, WIDE);
    play_demo(&mut app, 200);
    let terminal = render(&app);
    for cell in terminal.backend().buffer().content() {
        for c in [cell.fg, cell.bg] {
            assert!(
                !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                "{c:?} at {:?}",
                cell.symbol()
            );
        }
    }
}

#[test]
fn hostile_backend_text_never_reaches_the_terminal() {
    let mut app = app(SMALL);
    let hostile = "\x1b]0;pwned\x07pod \x1b[2Jcrash\rOVERWRITE\x1b]52;c;ZXZpbA==\x1b\\ \x07\x08\u{202e}evil\x1bP+q\x1b\\";
    app.update(opsdeck::app::Event::Update(Update::Timeline(
        opsdeck::core::timeline::TimelineEntry::new(
            t0(),
            opsdeck::core::source::Severity::Crit,
            opsdeck::core::timeline::Origin::Source(SourceId::Kubernetes),
            hostile,
        ),
    )));
    // The title, the clipboard payload and the DCS are gone, each leaving
    // one mark; CR, BEL and BS show as control pictures, the bidi override
    // as U+FFFD.
    support::hostile::assert_sanitized(
        &screen(&app),
        &["pwned", "52;c;", "ZXZpbA==", "+q", "\u{202e}"],
        &["\u{241B}pod crash\u{240D}OVERWRITE\u{241B} \u{2407}\u{2408}\u{FFFD}evil\u{241B}"],
    );
}
