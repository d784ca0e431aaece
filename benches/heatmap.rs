//! Heatmap tab. Target (issue 7): a frame with 50 services x 240 columns at
//! 200x50 in under 2 ms.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Event, Options};
use opsdeck::features::heatmap::model::{NamedSeries, PromUpdate};
use opsdeck::shared::color::ColorSupport;
use opsdeck::shared::prometheus::{Columns, Metric};
use opsdeck::update::Update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

fn app(theme: &str, support: ColorSupport) -> App {
    let t0 = Utc.timestamp_opt(1_795_255_200, 0).unwrap();
    let mut app = App::new(
        opsdeck::config::defaults(theme, support),
        Options::default(),
        t0,
    );
    app.tab = Tab::Heatmap;
    app.update(Event::Resize {
        width: 200,
        height: 50,
    });
    let columns = Columns::ending_at(t0.timestamp() as f64, 15.0, 240);
    let series = (0..50)
        .map(|s| NamedSeries {
            name: format!("service-{s:02}"),
            points: (0..240)
                .filter(|c| (c + s) % 17 != 0) // some gaps
                .map(|c| {
                    (
                        columns.time_of(c),
                        0.02 + f64::from((c * 7 + s * 13) as u32 % 100) / 100.0,
                    )
                })
                .collect(),
        })
        .collect();
    app.update(Event::Update(Update::from(PromUpdate::Range {
        metric: Metric::P95,
        at: t0,
        columns,
        series,
        warnings: Vec::new(),
    })));
    app
}

fn bench(c: &mut Criterion) {
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("test backend");
    for (name, theme, support) in [
        ("colour, half blocks", "dark", ColorSupport::TrueColor),
        ("mono, shades", "mono", ColorSupport::Mono),
    ] {
        let app = app(theme, support);
        c.bench_function(
            &format!("heatmap 50 services x 240 columns at 200x50, {name}"),
            |b| {
                b.iter(|| {
                    terminal
                        .draw(|f| opsdeck::ui::draw(f, black_box(&app)))
                        .expect("draw");
                })
            },
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
