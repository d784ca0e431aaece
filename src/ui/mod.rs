//! Drawing: pure functions of `&App` onto a `Frame`. Nothing here mutates
//! state, locks, sends, or does I/O.

pub mod dialog;
pub mod footer;
pub mod header;
pub mod help;
pub mod tabs;
pub mod who;

use crate::app::layout;
use crate::app::{App, Overlay};
use crate::shared::feature::Screen;
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
    let screen = Screen {
        theme: &app.theme,
        now: app.now,
        health: &app.model.health,
        context: app.model.context.as_deref(),
        namespace: app.model.namespace.as_deref(),
        color_support: app.color_support,
    };
    app.feature(app.tab).draw(frame, a.body, &screen);
    footer::draw(frame, a.status, a.hints, app);
    match &app.overlay {
        Overlay::Help { scroll } => help::draw(frame, a.body, app, *scroll),
        Overlay::Action(d) => dialog::draw(frame, a.body, app, d),
        Overlay::Who => who::draw(frame, a.body, app),
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
