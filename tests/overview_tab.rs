//! The Overview: every service of the demo incident, worst first, at
//! three moments of its story; and the service scope that Enter (or
//! `:service`) sets on every tab.
#![allow(clippy::unwrap_used)]

mod support;

use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Effect};
use opsdeck::core::timeline::About;
use ratatui::style::Style;
use support::{app, keys, play_demo, render, screen, typed};

fn overview_at(size: (u16, u16), secs: u64) -> App {
    let mut app = app(size);
    app.tab = Tab::Overview;
    play_demo(&mut app, secs);
    app
}

/// The style of the cell where `text` starts on the line that holds `row`.
fn style_of(app: &App, row: &str, text: &str) -> Style {
    let terminal = render(app);
    let buf = terminal.backend().buffer();
    let lines: Vec<String> = screen(app).lines().map(String::from).collect();
    let y = lines
        .iter()
        .position(|l| l.starts_with(&format!("│{row} ")))
        .unwrap_or_else(|| panic!("no row {row:?}:\n{}", lines.join("\n")));
    let line = &lines[y];
    let byte = line.find(row).unwrap() + line[line.find(row).unwrap()..].find(text).unwrap();
    let x = line[..byte].chars().count() as u16;
    buf[(x, y as u16)].style()
}

fn first_service_row(app: &App) -> String {
    screen(app)
        .lines()
        .skip_while(|l| !l.contains("SERVICE"))
        .nth(1)
        .unwrap()
        .to_string()
}

#[test]
fn before_the_incident_every_service_is_ok_and_there_is_no_cause_line() {
    for size in [(80, 24), (160, 48)] {
        let app = overview_at(size, 30);
        let text = screen(&app);
        assert!(!text.contains("probable cause"), "{text}");
        let ok = app.theme.ok;
        assert_eq!(style_of(&app, "payment-service", "3/3").fg, ok.fg, "{text}");
        insta::assert_snapshot!(format!("before_{}x{}", size.0, size.1), text);
    }
}

#[test]
fn in_the_incident_payment_service_is_first_red_and_named_the_probable_cause() {
    for size in [(80, 24), (160, 48)] {
        let app = overview_at(size, 150);
        let text = screen(&app);
        assert!(
            first_service_row(&app).contains("payment-service"),
            "worst first:\n{text}"
        );
        assert!(
            text.contains("probable cause: payment-service: error ratio over SLO"),
            "{text}"
        );
        assert!(text.contains("callers order-service (breaker paymentService open"));
        let crit = app.theme.crit.fg;
        // OOMKilled then CrashLoopBackOff: 1 of 3 ready, crit.
        assert_eq!(style_of(&app, "payment-service", "1/3 CLB").fg, crit);
        assert_eq!(style_of(&app, "payment-service", "12.2%").fg, crit);
        // Breakers in order-service protecting calls to it are open.
        assert_eq!(style_of(&app, "payment-service", "1 in").fg, crit);
        assert_eq!(style_of(&app, "order-service", "1 out").fg, crit);
        // order-consumer's group lag grows.
        assert!(text.contains("1.3k ↑"), "{text}");
        // The migration's CREATE INDEX blocks order-service's inserts.
        assert!(
            text.contains("pid 4570 (psql, migrations) blocks 8"),
            "{text}"
        );
        assert!(style_of(&app, "order-service", "wait 7").fg.is_some());
        insta::assert_snapshot!(format!("incident_{}x{}", size.0, size.1), text);
    }
}

#[test]
fn after_the_rollback_payment_service_recovers_in_the_overview() {
    for size in [(80, 24), (160, 48)] {
        let app = overview_at(size, 400);
        let text = screen(&app);
        assert!(!text.contains("probable cause"), "{text}");
        assert!(!text.contains("blocks 8"), "{text}");
        assert_eq!(
            style_of(&app, "payment-service", "3/3").fg,
            app.theme.ok.fg,
            "{text}"
        );
        insta::assert_snapshot!(format!("recovered_{}x{}", size.0, size.1), text);
    }
}

#[test]
fn enter_scopes_every_tab_to_the_service_and_esc_leaves() {
    let mut app = overview_at((160, 48), 150);
    let effects = keys(&mut app, &["<Enter>"]);
    assert_eq!(app.tab, Tab::Pods, "Enter shows its pods");
    let text = screen(&app);
    assert!(text.contains("service: payment-service"), "{text}");
    assert!(text.contains("payment-service-"), "{text}");
    assert!(!text.contains("order-service-"), "{text}");
    assert!(!text.contains("api-gateway-"), "{text}");
    // Its logs are followed from its deployment.
    assert!(
        effects.iter().any(|e| matches!(e, Effect::FollowLogs(_)))
            || app.model.logs.scope.as_ref().unwrap().label == "deploy/payment-service",
        "{effects:?}"
    );
    assert_eq!(
        app.model.logs.scope.as_ref().unwrap().label,
        "deploy/payment-service"
    );

    // Breakers: those protecting calls to it (held by order-service).
    keys(&mut app, &["4"]);
    let text = screen(&app);
    assert!(text.contains("paymentService"), "{text}");
    assert!(!text.contains("inventoryService"), "{text}");

    // Heatmap: its row and its latency buckets.
    keys(&mut app, &["2"]);
    let text = screen(&app);
    assert!(text.contains("payment-service"), "{text}");
    assert!(!text.contains("api-gateway"), "{text}");

    // Queries: its sessions (the UPDATE waiting in the chain), no others.
    keys(&mut app, &["5"]);
    let text = screen(&app);
    assert!(text.contains("UPDATE"), "{text}");
    assert!(!text.contains("inventory-service"), "{text}");

    // Esc closes the heatmap's drill-down first, then leaves the scope.
    keys(&mut app, &["1", "<Esc>"]);
    assert!(app.service.is_none());
    let text = screen(&app);
    assert!(!text.contains("service: payment-service"), "{text}");
    assert!(text.contains("order-service-"), "every pod again:\n{text}");
}

#[test]
fn the_service_command_scopes_from_anywhere_and_completes_names() {
    let mut app = overview_at((160, 48), 150);
    keys(&mut app, &["6", ":"]);
    typed(&mut app, "service order-con");
    keys(&mut app, &["<Tab>"]);
    let opsdeck::app::Overlay::Input(line) = &app.overlay else {
        panic!("no input")
    };
    assert_eq!(line.value(), "service order-consumer");
    keys(&mut app, &["<Enter>"]);
    assert_eq!(app.tab, Tab::Lag, ":service stays on the tab");
    let text = screen(&app);
    assert!(text.contains("order-processing-group"), "{text}");
    assert!(!text.contains("analytics-etl"), "{text}");

    keys(&mut app, &[":"]);
    typed(&mut app, "service nope");
    keys(&mut app, &["<Enter>"]);
    assert_eq!(app.service.as_ref().unwrap().name, "order-consumer");
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("no service \"nope\""),
        "{:?}",
        app.status
    );

    keys(&mut app, &[":"]);
    typed(&mut app, "service -");
    keys(&mut app, &["<Enter>"]);
    assert!(app.service.is_none());
    assert!(screen(&app).contains("analytics-etl"));
}

#[test]
fn the_start_tab_is_the_overview_unless_configured() {
    let loaded = opsdeck::config::defaults("dark", opsdeck::shared::color::ColorSupport::TrueColor);
    let options = opsdeck::app::Options::default();
    let app = App::new(loaded.clone(), options.clone(), support::t0());
    assert_eq!(app.tab, Tab::Overview);
    let mut pods = loaded.clone();
    pods.settings.start_tab = "pods".into();
    assert_eq!(
        App::new(pods, options.clone(), support::t0()).tab,
        Tab::Pods
    );
    let mut bad = loaded;
    bad.settings.start_tab = "nowhere".into();
    let app = App::new(bad, options, support::t0());
    assert_eq!(app.tab, Tab::Overview);
    assert!(
        app.status.as_ref().unwrap().text.contains("start_tab"),
        "{:?}",
        app.status
    );
}

/// Puts the Timeline's cursor on the newest entry about this kind of
/// object, and presses Enter.
fn enter_on(app: &mut App, kind: fn(&About) -> bool) -> About {
    keys(app, &["7"]);
    let t = &app.model.timeline;
    let row = (0..t.visible_len())
        .find(|i| t.row(*i).and_then(|e| e.about.as_ref()).is_some_and(kind))
        .unwrap_or_else(|| panic!("no such entry:\n{}", screen(app)));
    let about = t.row(row).unwrap().about.clone().unwrap();
    app.model.timeline.cursor.selected = row;
    keys(app, &["<Enter>"]);
    about
}

#[test]
fn enter_on_a_timeline_entry_goes_to_its_object_selected() {
    let mut app = overview_at((160, 48), 200);

    let about = enter_on(&mut app, |a| matches!(a, About::Pod { .. }));
    assert_eq!(app.tab, Tab::Pods);
    let About::Pod { name, .. } = about else {
        panic!()
    };
    assert_eq!(app.model.pods.view.selected_key().unwrap().1, name.as_str());

    enter_on(&mut app, |a| matches!(a, About::Deployment { .. }));
    assert_eq!(app.tab, Tab::Pods);
    assert_eq!(
        app.model.pods.view.selected_key().unwrap().1,
        "payment-service"
    );

    enter_on(&mut app, |a| matches!(a, About::Breaker { .. }));
    assert_eq!(app.tab, Tab::Breakers);
    assert!(screen(&app).contains("paymentService"), "{}", screen(&app));

    enter_on(&mut app, |a| matches!(a, About::Group { .. }));
    assert_eq!(app.tab, Tab::Lag);
    assert_eq!(
        app.model.lag.view.selected().unwrap().1,
        "order-processing-group"
    );

    let about = enter_on(&mut app, |a| matches!(a, About::Backend { .. }));
    let About::Backend { pid, .. } = about else {
        panic!()
    };
    assert_eq!(app.tab, Tab::Queries);
    assert_eq!(
        app.model.queries.view.sub_view().unwrap().name(),
        "blocking"
    );
    assert_eq!(app.model.queries.view.selected_pid(), Some(pid), "the root");

    enter_on(&mut app, |a| matches!(a, About::Alert { .. }));
    assert_eq!(app.tab, Tab::Heatmap);
    let row = app.model.heatmap.view.row;
    let grid = app
        .model
        .heatmap
        .data
        .shown(app.model.heatmap.view.metric)
        .unwrap();
    assert_eq!(grid.rows[row].service, "payment-service");
}

#[test]
fn enter_on_an_entry_about_nothing_says_so_and_stays() {
    let mut app = overview_at((80, 24), 30);
    keys(&mut app, &["7"]);
    let t = &app.model.timeline;
    let row = (0..t.visible_len())
        .find(|i| t.row(*i).is_some_and(|e| e.about.is_none()))
        .unwrap();
    app.model.timeline.cursor.selected = row;
    keys(&mut app, &["<Enter>"]);
    assert_eq!(app.tab, Tab::Timeline);
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("not about one object"),
        "{:?}",
        app.status
    );
}

#[test]
fn from_a_row_one_key_jumps_to_its_service_on_another_tab() {
    let mut app = overview_at((160, 48), 200);

    // A breaker → the owning service's logs (its deployment followed).
    keys(&mut app, &["4"]);
    let text = screen(&app);
    assert!(text.contains("paymentService"), "{text}");
    keys(&mut app, &["L"]);
    assert_eq!(app.tab, Tab::Logs);
    assert_eq!(app.service.as_ref().unwrap().name, "order-service");
    assert_eq!(
        app.model.logs.scope.as_ref().unwrap().label,
        "deploy/order-service"
    );
    keys(&mut app, &["<Esc>", "<Esc>"]);

    // A blocking backend → the pods of its application: the chain's root
    // is psql (linked to nothing), a waiting INSERT is order-service's.
    keys(&mut app, &["5"]);
    keys(&mut app, &[":"]);
    typed(&mut app, "view blocking");
    keys(&mut app, &["<Enter>", "P"]);
    assert_eq!(app.tab, Tab::Queries, "the root links to no service");
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("links to no service"),
        "{:?}",
        app.status
    );
    keys(&mut app, &["j", "P"]);
    assert_eq!(app.tab, Tab::Pods);
    assert_eq!(app.service.as_ref().unwrap().name, "order-service");
    keys(&mut app, &["<Esc>"]);

    // A lag group → its consumer deployment's pods.
    keys(&mut app, &["6", "j"]);
    let group = app.model.lag.view.selected().unwrap().1.clone();
    assert_eq!(group, "order-processing-group", "{}", screen(&app));
    keys(&mut app, &["P"]);
    assert_eq!(app.tab, Tab::Pods);
    assert!(screen(&app).contains("order-consumer-"));
    assert!(!screen(&app).contains("payment-service-"));
    keys(&mut app, &["<Esc>"]);

    // A pod → its service's heatmap row.
    keys(&mut app, &["1", "/"]);
    typed(&mut app, "payment");
    keys(&mut app, &["<Enter>", "H"]);
    assert_eq!(app.tab, Tab::Heatmap);
    let grid = app
        .model
        .heatmap
        .data
        .shown(app.model.heatmap.view.metric)
        .unwrap();
    assert_eq!(
        grid.rows[app.model.heatmap.view.row].service,
        "payment-service"
    );
    keys(&mut app, &["<Esc>", "<Esc>"]);
    assert!(app.service.is_none());

    // A heatmap cell → that service's logs since the cell's start.
    keys(&mut app, &["2", "h", "h", "L"]);
    assert_eq!(app.tab, Tab::Logs);
    let (_, options) = &app.log_options;
    let since = options.since_seconds.unwrap();
    assert!(since >= 60, "{since}");
}

#[test]
fn a_failing_source_greys_its_cells_and_says_how_old_its_data_is() {
    use opsdeck::core::source::{HealthReport, SourceId};
    use opsdeck::update::Update;
    let mut app = overview_at((160, 48), 150);
    let at = app.now;
    app.update(opsdeck::app::Event::Update(Update::from(HealthReport {
        source: SourceId::Prometheus,
        at: at - chrono::Duration::seconds(90),
        error: None,
        interval: std::time::Duration::from_secs(15),
    })));
    app.update(opsdeck::app::Event::Update(Update::from(HealthReport {
        source: SourceId::Prometheus,
        at,
        error: Some("connection refused".into()),
        interval: std::time::Duration::from_secs(15),
    })));
    let text = screen(&app);
    assert!(text.contains("prom failing, data 90s old"), "{text}");
    assert_eq!(
        style_of(&app, "payment-service", "12.2%").fg,
        app.theme.stale.fg,
        "{text}"
    );
    // Kubernetes still answers (the demo's): its cells keep their colour.
    assert_eq!(
        style_of(&app, "payment-service", "1/3 CLB").fg,
        app.theme.crit.fg
    );
    assert!(
        text.contains("prom source"),
        "the shared block says so:\n{text}"
    );
}

#[test]
fn an_entry_from_another_context_is_not_looked_for_in_this_one() {
    let mut app = overview_at((160, 48), 200);
    app.update(opsdeck::app::Event::Update(
        opsdeck::update::Update::Scope {
            context: "prod-eu".into(),
            namespace: "production".into(),
        },
    ));
    enter_on(&mut app, |a| matches!(a, About::Pod { .. }));
    assert_eq!(app.tab, Tab::Timeline, "it stays");
    let status = &app.status.as_ref().unwrap().text;
    assert!(status.contains(":ctx demo first"), "{status}");
}

/// The runtime applies updates in batches and works the Overview out once
/// a batch: second by second through the incident, that must show what
/// working it out after every update shows.
#[test]
fn updates_applied_in_batches_settle_to_what_one_at_a_time_shows() {
    use opsdeck::app::Event;
    use opsdeck::demo::{DemoEngine, DemoOptions};
    use std::time::Duration;
    let engine = || {
        DemoEngine::new(
            DemoOptions {
                seed: 7,
                speed: 1.0,
                looping: true,
                ..DemoOptions::default()
            },
            support::t0(),
        )
    };
    let (mut e1, mut e2) = (engine(), engine());
    let (mut one, mut batched) = (app((160, 48)), app((160, 48)));
    one.tab = Tab::Overview;
    batched.tab = Tab::Overview;
    let mut compared = 0;
    for s in 1..=400u64 {
        let at = support::t0() + chrono::Duration::seconds(s as i64);
        for u in e1.advance(Duration::from_secs(s)) {
            one.update(Event::Update(u));
        }
        batched.begin_batch();
        for u in e2.advance(Duration::from_secs(s)) {
            batched.update(Event::Update(u));
        }
        let _ = batched.end_batch();
        one.update(Event::Tick(at));
        batched.update(Event::Tick(at));
        if s % 20 == 0 {
            assert_eq!(screen(&batched), screen(&one), "at {s} s");
            compared += 1;
        }
    }
    assert_eq!(compared, 20);
    assert!(screen(&one).contains("payment-service"));
}

/// Behind another tab the board is not folded for every batch (at 20,000
/// pods that was most of what a change cost); shown again, it is what it
/// would have been had it been on screen all along.
#[test]
fn the_board_behind_another_tab_is_folded_when_the_overview_is_shown() {
    for secs in [30, 150, 400] {
        let shown = overview_at((160, 48), secs);
        let mut behind = app((160, 48));
        behind.tab = Tab::Pods;
        play_demo(&mut behind, secs);
        assert!(behind.model.overview.stale, "folded behind the Pods tab");
        keys(&mut behind, &["0"]);
        assert_eq!(behind.tab, Tab::Overview);
        assert!(!behind.model.overview.stale);
        assert_eq!(
            behind.model.overview.board.rows, shown.model.overview.board.rows,
            "at {secs} s"
        );
        assert_eq!(screen(&behind), screen(&shown), "at {secs} s");
    }
}
