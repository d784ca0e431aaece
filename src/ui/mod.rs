//! Drawing: pure functions of `&App` onto a `Frame`. Nothing here mutates
//! state, locks, sends, or does I/O.

pub mod console;
pub mod dialog;
pub mod footer;
pub mod header;
pub mod help;
pub mod tabs;

use crate::app::layout;
use crate::app::tab::Tab;
use crate::app::{App, Overlay};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    frame.render_widget(Block::default().style(app.theme.text), area);
    if layout::too_small(area) {
        return draw_too_small(frame, area, app);
    }
    let a = layout::areas(area);
    header::draw(frame, a.header, app);
    tabs::draw(frame, a.tabs, app);
    match app.tab {
        Tab::Pods => crate::features::pods::draw::draw(
            frame,
            a.body,
            &crate::features::pods::draw::PodsScreen {
                theme: &app.theme,
                now: app.now,
                workloads: &app.model.workloads,
                view: &app.model.pods_view,
                context: app.model.context.as_deref(),
                namespace: app.model.namespace.as_deref(),
                health: app
                    .model
                    .health
                    .get(crate::core::source::SourceId::Kubernetes),
            },
        ),
        Tab::Heatmap => crate::features::heatmap::draw::draw(
            frame,
            a.body,
            &crate::features::heatmap::draw::HeatmapScreen {
                theme: &app.theme,
                now: app.now,
                heatmap: &app.model.heatmap,
                view: &app.model.heatmap_view,
            },
        ),
        Tab::Logs => crate::features::logs::draw::draw(
            frame,
            a.body,
            &crate::features::logs::draw::LogsScreen {
                theme: &app.theme,
                logs: &app.model.logs,
                color_support: app.color_support,
            },
        ),
        Tab::Breakers => crate::features::breakers::draw::draw(
            frame,
            a.body,
            &crate::features::breakers::draw::BreakersScreen {
                theme: &app.theme,
                now: app.now,
                breakers: &app.model.breakers,
                view: &app.model.breakers_view,
                health: app
                    .model
                    .health
                    .get(crate::core::source::SourceId::Actuator),
            },
        ),
        Tab::Lag => crate::features::lag::draw::draw(
            frame,
            a.body,
            &crate::features::lag::draw::LagScreen {
                theme: &app.theme,
                now: app.now,
                lag: &app.model.consumers,
                view: &app.model.lag_view,
                settings: &app.settings.kafka,
                health: app.model.health.get(crate::core::source::SourceId::Kafka),
            },
        ),
        Tab::Queries => crate::features::queries::draw::draw(
            frame,
            a.body,
            &crate::features::queries::draw::QueriesScreen {
                theme: &app.theme,
                queries: &app.model.queries,
                view: &app.model.queries_view,
                settings: &app.settings.queries,
            },
        ),
        Tab::Timeline => crate::features::timeline::draw::draw(
            frame,
            a.body,
            &crate::features::timeline::draw::TimelineScreen {
                theme: &app.theme,
                timeline: &app.model.timeline,
            },
        ),
        Tab::Console => console::draw(frame, a.body, app),
    }
    footer::draw(frame, a.status, a.hints, app);
    match &app.overlay {
        Overlay::Help { scroll } => help::draw(frame, a.body, app, *scroll),
        Overlay::Action(d) => dialog::draw(frame, a.body, app, d),
        Overlay::None | Overlay::Input(_) => {}
    }
}

fn draw_too_small(frame: &mut Frame, area: Rect, app: &App) {
    let (w, h) = layout::MIN_SIZE;
    let text = vec![
        Line::styled(
            format!("terminal too small: {w}x{h} needed"),
            app.theme.warn,
        ),
        Line::styled(
            format!("(now {}x{})", area.width, area.height),
            app.theme.muted,
        ),
    ];
    let y = area.height.saturating_sub(2) / 2;
    let rect = Rect::new(
        area.x,
        area.y + y,
        area.width,
        area.height.saturating_sub(y),
    );
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}
