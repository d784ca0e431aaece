//! The Queries tab: one database target at a time. A line of targets
//! (`[` `]` switch), a line of the target's views (`←` `→`), the view's
//! table, the detail of the selected row on Enter, and the target's error
//! with the time of its last good data when the latest poll failed.

mod cells;
mod detail;
mod mongo;
mod postgres;
mod redis;

use crate::app::App;
use crate::features::queries::model::{Kind, SubView, TargetState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Widths at which more columns fit.
pub(crate) const WIDE: u16 = 120;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let v = &app.model.queries_view;
    let state = v.state(&app.model.queries);
    let (list, pane) = if v.detail && !v.is_empty() {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).areas(area);
        (top, Some(bottom))
    } else {
        (area, None)
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(" Queries ", t.title));
    let inner = block.inner(list);
    frame.render_widget(block, list);
    let Some(state) = state else {
        frame.render_widget(
            Paragraph::new(Span::styled(empty_text(app), t.muted)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    };
    let error_lines = u16::from(state.error.is_some());
    let [targets, views, body, error] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(error_lines),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(target_line(app)), targets);
    frame.render_widget(Paragraph::new(view_line(app, state)), views);
    if let Some(e) = &state.error {
        let since = state
            .last_ok
            .map(|at| format!("stale since {}", at.format("%H:%M:%S")))
            .unwrap_or_else(|| "no data yet".into());
        frame.render_widget(
            Paragraph::new(Line::styled(format!("! {since} — {e}"), t.warn)),
            error,
        );
    }
    match v.sub_view_of(state.key.kind) {
        SubView::Statements => postgres::statements(frame, body, app, state),
        SubView::Activity => postgres::activity(frame, body, app, state),
        SubView::Blocking => postgres::blocking(frame, body, app, state),
        SubView::Connections => postgres::connections(frame, body, app, state),
        SubView::Ops => mongo::ops(frame, body, app, state),
        SubView::Slow => mongo::slow(frame, body, app, state),
        SubView::ReplicaSet => mongo::replica_set(frame, body, app, state),
        SubView::Redis => redis::draw(frame, body, app, state),
    }
    if let Some(pane) = pane {
        detail::draw(frame, pane, app, state);
    }
}

fn empty_text(app: &App) -> String {
    if app.settings.queries.enabled() {
        "Waiting for the first poll of the database targets…".into()
    } else {
        "No database targets: add [queries.postgres.<name>] (dsn = ...), [queries.mongo.<name>] (uri = ...) or [queries.redis.<name>] (url = ...) to config.toml; passwords by password_env or password_file.".into()
    }
}

/// `pg orders-db · mongo shop ✗ · redis cache`, the shown one highlighted.
fn target_line(app: &App) -> Line<'static> {
    let t = &app.theme;
    let q = &app.model.queries;
    let shown = app.model.queries_view.target.as_ref();
    let mut spans = Vec::new();
    for (i, (key, state)) in q.targets.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", t.muted));
        }
        let kind = match key.kind {
            Kind::Postgres => "pg",
            Kind::Mongo => "mongo",
            Kind::Redis => "redis",
        };
        let mut name_style = if state.error.is_some() {
            t.crit
        } else {
            t.text
        };
        if Some(key) == shown {
            name_style = t.selection;
        }
        spans.push(Span::styled(format!("{kind} "), t.muted));
        spans.push(Span::styled(key.name.clone(), name_style));
        if state.error.is_some() {
            spans.push(Span::styled(" ✗", t.crit));
        }
    }
    if q.targets.len() > 1 {
        spans.push(Span::styled("   [ ] target", t.muted));
    }
    Line::from(spans)
}

/// The target's views, the shown one highlighted, then what matters now.
fn view_line(app: &App, state: &TargetState) -> Line<'static> {
    let t = &app.theme;
    let current = app.model.queries_view.sub_view_of(state.key.kind);
    let mut spans = Vec::new();
    for view in SubView::of(state.key.kind) {
        let style = if *view == current {
            t.tab_active
        } else {
            t.tab_inactive
        };
        spans.push(Span::styled(format!(" {} ", view.title()), style));
        spans.push(Span::raw(" "));
    }
    spans.extend(cells::summary(app, state));
    Line::from(spans)
}
