//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

// Not every test crate uses every re-export of the server.
pub mod actions;
#[allow(unused_imports)]
pub mod actuator_server;
pub mod closed_port;
pub mod exporter;
pub mod forwarder;
pub mod hostile;
pub mod http;
pub mod kafka;
#[allow(unused_imports)]
pub mod kube_server;
pub mod live;
#[allow(unused_imports)]
pub mod mongo_server;
pub mod tmux;

use chrono::{DateTime, TimeZone, Utc};
use opsdeck::app::{App, Event, Options};
use opsdeck::config::keys::KeyPress;
use opsdeck::demo::{DemoEngine, DemoOptions};
use opsdeck::shared::color::ColorSupport;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

/// A fixed instant so snapshots do not depend on the clock.
pub fn t0() -> DateTime<Utc> {
    Utc.timestamp_opt(1_795_255_200, 0).unwrap() // 2026-11-21 10:00:00 UTC
}

/// An app with the built-in defaults and the given theme, sized like a terminal.
pub fn app_with(theme: &str, support: ColorSupport, (w, h): (u16, u16)) -> App {
    let loaded = opsdeck::config::defaults(theme, support);
    let options = Options {
        readonly: false,
        replay: false,
        mouse: true,
        user: "oncall".into(),
        host: "bastion-1".into(),
        session: String::new(),
    };
    let mut app = App::new(loaded, options, t0());
    app.update(Event::Resize {
        width: w,
        height: h,
    });
    // Most tests are about the Timeline; Pods tests switch with `pods_app`.
    app.tab = opsdeck::app::tab::Tab::Timeline;
    app
}

pub fn app((w, h): (u16, u16)) -> App {
    app_with("dark", ColorSupport::TrueColor, (w, h))
}

/// An app on the Pods tab.
pub fn pods_app(size: (u16, u16)) -> App {
    let mut app = app(size);
    app.tab = opsdeck::app::tab::Tab::Pods;
    app
}

/// Plays the demo incident into the app for `secs` seconds at 1x.
pub fn play_demo(app: &mut App, secs: u64) {
    let mut engine = DemoEngine::new(
        DemoOptions {
            seed: 7,
            speed: 1.0,
            looping: true,
            ..DemoOptions::default()
        },
        t0(),
    );
    for u in engine.advance(Duration::from_secs(secs)) {
        app.update(Event::Update(u));
    }
    app.update(Event::Tick(t0() + chrono::Duration::seconds(secs as i64)));
}

/// Sends keys written as in keymap files, e.g. `["n", "h", "i", "<Enter>"]`.
pub fn keys(app: &mut App, keys: &[&str]) -> Vec<opsdeck::app::Effect> {
    keys.iter()
        .flat_map(|k| app.update(Event::Key(KeyPress::parse(k).unwrap())))
        .collect()
}

pub fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Event::Key(KeyPress::plain(c)));
    }
}

pub fn render(app: &App) -> Terminal<TestBackend> {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| opsdeck::ui::draw(f, app)).unwrap();
    terminal
}

/// The screen as plain text lines.
pub fn screen(app: &App) -> String {
    let terminal = render(app);
    let buf = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}
