//! The Heatmap tab on the demo's metrics: the red band as the incident
//! unfolds, the cursor's exact value, the drill-down, alerts, mono.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use insta::assert_snapshot;
use opsdeck::app::App;
use opsdeck::app::tab::Tab;
use opsdeck::features::heatmap::model::Level;
use opsdeck::shared::color::ColorSupport;
use opsdeck::shared::prometheus::Metric;
use ratatui::style::Color;
use support::*;

fn heatmap_app(theme: &str, support: ColorSupport, size: (u16, u16), secs: u64) -> App {
    let mut app = app_with(theme, support, size);
    play_demo(&mut app, secs);
    app.tab = Tab::Heatmap;
    app
}

#[test]
fn payment_service_turns_red_and_sorts_first_with_gaps_never_drawn_as_zero() {
    let app = heatmap_app("dark", ColorSupport::TrueColor, (120, 32), 150);
    let grid = app.model.heatmap.data.grid(Metric::ErrorRatio).unwrap();
    let worst = &grid.rows[0];
    assert_eq!(worst.service, "payment-service");
    let last = grid.columns.count - 1;
    assert_eq!(
        grid.level(worst, last, &app.model.heatmap.data.slos),
        Level::Bad
    );
    let healthy = grid
        .rows
        .iter()
        .find(|r| r.service == "inventory-service")
        .unwrap();
    assert_eq!(
        grid.level(healthy, last, &app.model.heatmap.data.slos),
        Level::Good
    );
    assert_snapshot!(render(&app).backend());
}

/// The README promises every screen at 80x24 and 160x48: the grid and the
/// drill-down.
#[test]
fn grid_and_drill_down_at_80x24_and_160x48() {
    for size in [(80, 24), (160, 48)] {
        let mut app = heatmap_app("dark", ColorSupport::TrueColor, size, 150);
        // The legend and the cursor's value must stay in view at either size.
        let text = screen(&app);
        assert!(text.contains("within SLO"), "{text}");
        assert!(text.contains("api-gateway at 10:02:30: 469ms"), "{text}");
        assert_snapshot!(
            format!("grid_{}x{}", size.0, size.1),
            render(&app).backend()
        );
        keys(&mut app, &["<Enter>"]);
        assert!(app.model.heatmap.view.drill, "{:?}", app.status);
        // Every bucket, from the top to the bottom, fits.
        let text = screen(&app);
        assert!(text.contains("+Inf ") && text.contains("≤25ms "), "{text}");
        assert_snapshot!(
            format!("drill_down_{}x{}", size.0, size.1),
            render(&app).backend()
        );
    }
}

#[test]
fn the_red_band_uses_the_top_of_the_theme_heat_ramp_two_services_per_line() {
    let mut app = heatmap_app("dark", ColorSupport::TrueColor, (120, 32), 150);
    keys(&mut app, &["m", "m"]);
    assert_eq!(app.model.heatmap.view.metric, Metric::ErrorRatio);
    let terminal = render(&app);
    let text = screen(&app);
    // payment-service is worst: the upper half of the first line.
    let y = text.lines().position(|l| l.contains("payment-s/")).unwrap() as u16;
    let buf = terminal.backend().buffer();
    let last_cell = (0..120u16)
        .rev()
        .find(|&x| buf[(x, y)].symbol() == "▀")
        .unwrap();
    assert_eq!(buf[(last_cell, y)].fg, *app.theme.heat.last().unwrap());
    assert_ne!(
        buf[(last_cell, y)].bg,
        Color::Reset,
        "the lower half is the second service"
    );
}

#[test]
fn the_cursor_shows_the_exact_value_and_moves_through_time() {
    let mut app = heatmap_app("dark", ColorSupport::TrueColor, (120, 32), 150);
    assert!(
        screen(&app).contains("(SLO < 100ms)"),
        "api-gateway's SLO:\n{}",
        screen(&app)
    );
    keys(&mut app, &["h", "h", "j"]);
    assert_eq!(app.model.heatmap.view.row, 1);
    assert_eq!(app.model.heatmap.view.col, Some(57));
    let status = screen(&app);
    assert!(
        status
            .lines()
            .any(|l| l.contains(" at ") && l.contains("SLO")),
        "{status}"
    );
}

#[test]
fn enter_drills_down_to_latency_buckets_and_esc_comes_back() {
    let mut app = heatmap_app("dark", ColorSupport::TrueColor, (120, 32), 150);
    keys(&mut app, &["<Enter>"]);
    assert!(app.model.heatmap.view.drill);
    let text = screen(&app);
    assert!(
        text.contains("share of requests per latency bucket"),
        "{text}"
    );
    assert!(text.contains("+Inf ") && text.contains("≤250ms "), "{text}");
    assert_snapshot!("drill_down_120x32", render(&app).backend());
    keys(&mut app, &["<Esc>"]);
    assert!(!app.model.heatmap.view.drill);
}

#[test]
fn mono_draws_levels_with_shades_and_no_colour() {
    let app = heatmap_app("mono", ColorSupport::Mono, (120, 32), 150);
    let terminal = render(&app);
    for cell in terminal.backend().buffer().content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset));
    }
    let text = screen(&app);
    assert!(text.contains('█') && text.contains('░'), "{text}");
    assert_snapshot!(render(&app).backend());
}

#[test]
fn without_prometheus_the_tab_says_how_to_configure_it() {
    let mut app = app((100, 30));
    app.tab = Tab::Heatmap;
    assert!(screen(&app).contains("[prometheus] url"));
}

#[test]
fn brackets_change_a_live_window_and_say_the_demo_window_is_fixed() {
    use opsdeck::app::Effect;
    use opsdeck::shared::prometheus::Window;
    let mut app = heatmap_app("dark", ColorSupport::TrueColor, (120, 32), 20);
    assert!(keys(&mut app, &["]"]).is_empty());
    assert!(app.status.clone().unwrap().text.contains("fixed"));
    app.prom_window = Some(Window::H1);
    let view = |window| Effect::PromView {
        window,
        columns: 97,
    };
    assert_eq!(keys(&mut app, &["]"]), vec![view(Window::H6)]);
    assert_eq!(keys(&mut app, &["["]), vec![view(Window::H1)]);
    assert_eq!(
        keys(&mut app, &["[", "["]),
        vec![view(Window::M15), view(Window::M15)]
    );
    // A resize asks for as many columns as now fit.
    let effects = app.update(opsdeck::app::Event::Resize {
        width: 200,
        height: 50,
    });
    assert_eq!(
        effects,
        vec![Effect::PromView {
            window: Window::M15,
            columns: 177
        }]
    );
    assert!(
        app.update(opsdeck::app::Event::Resize {
            width: 200,
            height: 40
        })
        .is_empty(),
        "same width: nothing to ask"
    );
}

#[test]
fn gaps_nan_and_infinity_are_drawn_as_such_never_as_zero() {
    use opsdeck::app::Event;
    use opsdeck::features::heatmap::model::{NamedSeries, PromUpdate};
    use opsdeck::shared::prometheus::Columns;
    use opsdeck::update::Update;
    let mut app = app_with("mono", ColorSupport::Mono, (100, 24));
    app.tab = Tab::Heatmap;
    let columns = Columns::ending_at(t0().timestamp() as f64, 15.0, 10);
    let points = |values: &[f64]| {
        values
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_sign_negative())
            .map(|(i, v)| (columns.time_of(i), *v))
            .collect()
    };
    // -1 marks a missing sample (left out of the series).
    let series = vec![NamedSeries {
        name: "checkout".into(),
        points: points(&[
            0.05,
            -1.0,
            f64::NAN,
            0.05,
            f64::INFINITY,
            0.05,
            0.05,
            0.05,
            0.05,
            0.05,
        ]),
    }];
    app.update(Event::Update(Update::from(PromUpdate::Range {
        metric: Metric::P95,
        at: t0(),
        columns,
        series,
        warnings: vec![],
    })));
    let text = screen(&app);
    let row = text.lines().find(|l| l.contains("checkout")).unwrap();
    let cells: String = row.chars().skip(22).take(10).collect();
    assert_eq!(
        cells, "░  ░▲░░░░░",
        "missing and NaN are gaps, +Inf is marked:\n{text}"
    );
    assert_snapshot!(render(&app).backend());

    // With colour, a gap leaves its half block empty (the terminal's own background).
    let mut app = app_with("dark", ColorSupport::TrueColor, (100, 24));
    app.tab = Tab::Heatmap;
    let series = vec![NamedSeries {
        name: "checkout".into(),
        points: points(&[0.05, -1.0, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]),
    }];
    app.update(Event::Update(Update::from(PromUpdate::Range {
        metric: Metric::P95,
        at: t0(),
        columns,
        series,
        warnings: vec![],
    })));
    let terminal = render(&app);
    let y = screen(&app)
        .lines()
        .position(|l| l.contains("checkout/"))
        .unwrap() as u16;
    let buf = terminal.backend().buffer();
    let first = (0..100u16).find(|&x| buf[(x, y)].symbol() == "▀").unwrap();
    assert_ne!(buf[(first, y)].fg, Color::Reset);
    assert_eq!(buf[(first + 1, y)].fg, Color::Reset, "the missing sample");
}
