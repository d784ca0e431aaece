//! The app driven without a terminal: keys and updates in, state and effects out.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Effect, Event, Overlay};
use opsdeck::config::keymap::Keymap;
use opsdeck::core::command::{COMMANDS, Tabs};
use opsdeck::core::source::Severity;
use opsdeck::core::timeline::Origin;
use std::path::Path;
use support::*;

#[test]
fn q_and_ctrl_c_quit() {
    let mut app = app((80, 24));
    assert_eq!(keys(&mut app, &["q"]), vec![Effect::Quit]);
    assert_eq!(keys(&mut app, &["<C-c>"]), vec![Effect::Quit]);
}

#[test]
fn q_types_into_an_open_input_instead_of_quitting() {
    let mut app = app((80, 24));
    keys(&mut app, &["n"]);
    assert!(keys(&mut app, &["q"]).is_empty());
    let Overlay::Input(line) = &app.overlay else {
        panic!("input closed")
    };
    assert_eq!(line.value(), "q");
}

#[test]
fn tabs_switch_by_number_name_cycle_and_click() {
    let mut app = app((80, 24));
    keys(&mut app, &["8"]);
    assert_eq!(app.tab, Tab::Console);
    keys(&mut app, &["<Tab>"]);
    assert_eq!(app.tab, Tab::Overview);
    keys(&mut app, &["<S-Tab>"]);
    assert_eq!(app.tab, Tab::Console);
    keys(&mut app, &["0"]);
    assert_eq!(app.tab, Tab::Overview, "the Overview is tab 0");
    keys(&mut app, &[":"]);
    typed(&mut app, "tab timeline");
    keys(&mut app, &["<Enter>"]);
    assert_eq!(app.tab, Tab::Timeline);
    // Nine tabs fit 80 columns with short labels, the active tab's whole:
    // with Timeline active " 0 Over" 0..6, " 1 Pods" 8..14, ..., " 7
    // Timeline" 56..66, " 8 Cons" 68..74; each click moves the labels.
    for (column, tab) in [
        (72, Tab::Console),
        (11, Tab::Pods),
        (19, Tab::Heatmap),
        (63, Tab::Timeline),
        (52, Tab::Lag),
        (44, Tab::Queries),
        (35, Tab::Breakers),
        (27, Tab::Logs),
    ] {
        app.update(Event::Click { column, row: 1 });
        assert_eq!(app.tab, tab, "click at column {column}");
    }
    app.update(Event::Click { column: 3, row: 5 });
    assert_eq!(
        app.tab,
        Tab::Logs,
        "a click outside the tab bar changes nothing"
    );
}

#[test]
fn a_note_is_multi_word_saved_with_enter_and_dropped_with_esc() {
    let mut app = app((80, 24));
    keys(&mut app, &["n"]);
    typed(&mut app, "paged the payments team");
    keys(&mut app, &["<Enter>"]);
    let e = app.model.timeline.row(0).unwrap();
    assert_eq!(e.text, "paged the payments team");
    assert_eq!(e.origin, Origin::Note("oncall".into()));
    assert_eq!(e.severity, Severity::Info);
    keys(&mut app, &["n"]);
    typed(&mut app, "never mind");
    keys(&mut app, &["<Esc>"]);
    assert_eq!(app.model.timeline.len(), 1);
    assert!(matches!(app.overlay, Overlay::None));
}

#[test]
fn the_filter_is_live_enter_keeps_it_esc_restores_it() {
    let mut app = app((80, 24));
    play_demo(&mut app, 200);
    let all = app.model.timeline.visible_len();
    keys(&mut app, &["/"]);
    typed(&mut app, "kafka");
    assert_eq!(app.model.timeline.visible_len(), 2, "live while typing");
    keys(&mut app, &["<Enter>"]);
    assert_eq!(app.model.timeline.filter(), "kafka");
    keys(&mut app, &["/"]);
    typed(&mut app, "x");
    keys(&mut app, &["<Esc>"]);
    assert_eq!(
        app.model.timeline.filter(),
        "kafka",
        "Esc in the input restores"
    );
    keys(&mut app, &["<Esc>"]);
    assert_eq!(app.model.timeline.visible_len(), all, "Esc outside clears");
}

#[test]
fn esc_in_a_filter_restores_that_tabs_filter_and_no_other() {
    let mut app = app((120, 30));
    play_demo(&mut app, 200);
    keys(&mut app, &["7", "/"]);
    typed(&mut app, "kafka");
    keys(&mut app, &["<Enter>"]);
    for (tab, key) in [(Tab::Lag, "6"), (Tab::Breakers, "4"), (Tab::Pods, "1")] {
        keys(&mut app, &[key, "/"]);
        typed(&mut app, "order");
        keys(&mut app, &["<Enter>", "/"]);
        typed(&mut app, "zzz");
        keys(&mut app, &["<Esc>"]);
        let now = match tab {
            Tab::Lag => app.model.lag.view.filter.clone(),
            Tab::Breakers => app.model.breakers.view.filter.clone(),
            _ => app.model.pods.view.filter.text.clone(),
        };
        assert_eq!(now, "order", "{tab:?} filter back to what it was");
        assert_eq!(app.model.timeline.filter(), "kafka", "after {tab:?}");
    }
}

#[test]
fn navigation_keys_move_the_selection() {
    let mut app = app((80, 24));
    play_demo(&mut app, 400);
    let n = app.model.timeline.visible_len();
    assert!(n > 15);
    keys(&mut app, &["j", "j", "<Down>"]);
    assert_eq!(app.model.timeline.cursor.selected, 3);
    keys(&mut app, &["k"]);
    assert_eq!(app.model.timeline.cursor.selected, 2);
    keys(&mut app, &["G"]);
    assert_eq!(app.model.timeline.cursor.selected, n - 1);
    keys(&mut app, &["g"]);
    assert_eq!(app.model.timeline.cursor.selected, 0);
    keys(&mut app, &["<PageDown>"]);
    assert_eq!(app.model.timeline.cursor.selected, app.page_rows());
    keys(&mut app, &["<End>", "<PageUp>"]);
    assert_eq!(app.model.timeline.cursor.selected, n - 1 - app.page_rows());
    keys(&mut app, &["<Home>"]);
    assert_eq!(app.model.timeline.cursor.selected, 0);
}

#[test]
fn export_asks_the_runtime_to_write_markdown_and_reports_the_path() {
    let mut app = app((80, 24));
    play_demo(&mut app, 100);
    app.export_dir = "/tmp/exports".into();
    let effects = keys(&mut app, &["e"]);
    let [Effect::WriteFile { path, contents }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(path.starts_with("/tmp/exports") && path.extension().unwrap() == "md");
    assert!(contents.contains("| OOMKilled") || contents.contains("OOMKilled (exit code 137)"));
    app.update(Event::Written {
        path: path.clone(),
        result: Ok(()),
    });
    let status = app.status.clone().unwrap();
    assert!(
        status.text.contains(path.to_str().unwrap()),
        "{}",
        status.text
    );
}

#[test]
fn command_line_history_and_errors() {
    let mut app = app((80, 24));
    keys(&mut app, &[":"]);
    typed(&mut app, "theme light");
    keys(&mut app, &["<Enter>"]);
    assert_eq!(app.theme.name, "light");
    keys(&mut app, &[":"]);
    typed(&mut app, "bogus");
    keys(&mut app, &["<Enter>"]);
    assert!(
        app.status
            .clone()
            .unwrap()
            .text
            .contains("unknown command \"bogus\"")
    );
    keys(&mut app, &[":", "<Up>", "<Up>"]);
    let Overlay::Input(line) = &app.overlay else {
        panic!()
    };
    assert_eq!(line.value(), "theme light");
    keys(&mut app, &["<Esc>", ":"]);
    typed(&mut app, "theme nope");
    keys(&mut app, &["<Enter>"]);
    assert!(
        app.status
            .clone()
            .unwrap()
            .text
            .contains("unknown theme \"nope\"")
    );
    assert_eq!(app.theme.name, "light");
}

#[test]
fn a_new_command_clears_the_last_ones_error() {
    let mut app = app((80, 24));
    command(&mut app, "bogus");
    assert!(status_text(&app).contains("unknown command"));
    command(&mut app, "tab logs");
    assert_eq!(app.tab, Tab::Logs);
    assert_eq!(app.status, None);
}

#[test]
fn help_toggles_and_esc_closes_every_overlay() {
    let mut app = app((80, 24));
    keys(&mut app, &["?"]);
    assert!(matches!(app.overlay, Overlay::Help { .. }));
    keys(&mut app, &["j"]);
    assert!(matches!(app.overlay, Overlay::Help { scroll: 1 }));
    keys(&mut app, &["<Esc>"]);
    assert!(matches!(app.overlay, Overlay::None));
    keys(&mut app, &[":"]);
    keys(&mut app, &["<Esc>"]);
    assert!(matches!(app.overlay, Overlay::None));
}

#[test]
fn every_default_key_can_be_rebound_for_tmux_users() {
    let user = r#"
[global]
prepend_keymap = [
  { on = "<C-a>", run = "noop" },
  { on = "<C-j>", run = "down" },
  { on = "x", run = "quit" },
  { on = "q", run = "noop" },
]
"#;
    let (keymap, problems) = Keymap::load(Some((Path::new("keymaps.toml"), user)));
    assert!(problems.is_empty());
    let mut app = app((80, 24));
    app.keymap = keymap;
    play_demo(&mut app, 100);
    assert!(keys(&mut app, &["q"]).is_empty());
    keys(&mut app, &["<C-j>"]);
    assert_eq!(app.model.timeline.cursor.selected, 1);
    assert_eq!(keys(&mut app, &["x"]), vec![Effect::Quit]);
    let hints = opsdeck::ui::footer::hint_line(&app).to_string();
    assert!(
        hints.contains("x Quit") && !hints.contains("q Quit"),
        "{hints}"
    );
}

#[test]
fn new_entries_do_not_steal_the_selection() {
    let mut app = app((80, 24));
    play_demo(&mut app, 100);
    keys(&mut app, &["j", "j"]);
    let before = app.model.timeline.selected().unwrap().text.clone();
    play_demo(&mut app, 200);
    assert_eq!(app.model.timeline.selected().unwrap().text, before);
}

#[test]
fn config_problems_show_in_the_footer_at_start() {
    let mut loaded =
        opsdeck::config::defaults("dark", opsdeck::shared::color::ColorSupport::TrueColor);
    let (_, problems) = Keymap::load(Some((
        Path::new("/home/u/keymaps.toml"),
        "[global]\nkeymap = [{ on = \"q\", run = \"quitt\" }]\n",
    )));
    loaded.problems = problems;
    let app = opsdeck::app::App::new(loaded, Default::default(), t0());
    let status = app.status.unwrap();
    assert_eq!(status.severity, Severity::Warn);
    assert_eq!(
        status.text,
        "/home/u/keymaps.toml:2 global.keymap[0]: unknown command \"quitt\" (entry skipped)"
    );
}

/// Types a command line and returns the effects of Enter.
fn command(app: &mut App, line: &str) -> Vec<Effect> {
    keys(app, &[":"]);
    typed(app, line);
    keys(app, &["<Enter>"])
}

/// What every tab shows and keeps, as text, to tell whether a command
/// changed any of it.
fn tab_states(app: &App) -> Vec<(&'static str, String)> {
    let m = &app.model;
    vec![
        ("tab", format!("{:?}", app.tab)),
        ("overlay", format!("{:?}", app.overlay)),
        ("pods_view", format!("{:?}", m.pods.view)),
        ("logs", format!("{:?}", m.logs)),
        ("heatmap_view", format!("{:?}", m.heatmap.view)),
        ("breakers_view", format!("{:?}", m.breakers.view)),
        ("queries_view", format!("{:?}", m.queries.view)),
        ("lag_view", format!("{:?}", m.lag.view)),
        ("timeline", format!("{:?}", m.timeline)),
        ("console", format!("{:?}", m.console)),
        ("log_options", format!("{:?}", app.log_options)),
        ("prom_window", format!("{:?}", app.prom_window)),
    ]
}

fn status_text(app: &App) -> String {
    app.status.clone().map(|s| s.text).unwrap_or_default()
}

#[test]
fn a_command_on_a_tab_it_does_not_apply_to_says_so_and_changes_nothing() {
    let mut app = app((120, 40));
    play_demo(&mut app, 200);
    // Something selected and open on each tab, so a stray toggle shows.
    for tab in Tab::ALL {
        app.tab = tab;
        keys(&mut app, &["j"]);
    }
    let mut checked = 0;
    for spec in COMMANDS.iter().filter(|s| s.tabs != Tabs::All) {
        for tab in Tab::ALL {
            if spec.tabs.contains(tab.name()) {
                continue;
            }
            app.tab = tab;
            app.status = None;
            let line = spec.example();
            let before = tab_states(&app);
            let effects = command(&mut app, &line);
            assert!(effects.is_empty(), ":{line} on {tab:?}: {effects:?}");
            for ((what, was), (_, now)) in before.iter().zip(tab_states(&app)) {
                assert!(*was == now, ":{line} on {tab:?} changed {what}");
            }
            assert_eq!(
                status_text(&app),
                format!(":{} does not apply to the {} tab", spec.name, tab.title()),
                ":{line} on {tab:?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 150, "only {checked} cases");
}

#[test]
fn detail_on_the_logs_tab_leaves_the_pods_detail_alone() {
    let mut app = pods_app((120, 40));
    play_demo(&mut app, 200);
    app.tab = Tab::Logs;
    command(&mut app, "detail");
    assert!(!app.model.pods.view.detail);
    assert_eq!(status_text(&app), ":detail does not apply to the Logs tab");
    app.tab = Tab::Pods;
    command(&mut app, "detail");
    assert!(app.model.pods.view.detail, "on its own tab it still works");
}

#[test]
fn a_tab_command_bound_in_the_global_layer_only_runs_on_its_tab() {
    let user = "[global]\nprepend_keymap = [{ on = \"W\", run = \"wrap\" }]\n";
    let (keymap, problems) = Keymap::load(Some((Path::new("keymaps.toml"), user)));
    assert!(problems.is_empty(), "{problems:?}");
    let mut app = app((80, 24));
    app.keymap = keymap;
    let wrap = app.model.logs.wrap;
    keys(&mut app, &["W"]);
    assert_eq!(app.model.logs.wrap, wrap);
    assert_eq!(
        status_text(&app),
        ":wrap does not apply to the Timeline tab"
    );
    app.tab = Tab::Logs;
    keys(&mut app, &["W"]);
    assert_eq!(app.model.logs.wrap, !wrap);
}
