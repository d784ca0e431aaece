//! The Queries tab: one database target at a time. A line of targets
//! (`[` `]` switch), a line of the target's views (`←` `→`), the view's
//! table, the detail of the selected row on Enter, and the target's error
//! with the time of its last good data when the latest poll failed.

mod cells;
mod detail;
mod mongo;
mod postgres;
mod redis;

use crate::features::queries::model::{Kind, SubView, TargetState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Widths at which more columns fit.
pub(crate) const WIDE: u16 = 120;

/// What the Queries tab draws from: its own state, the `[queries]`
/// settings (thresholds) and the theme.
pub struct QueriesScreen<'a> {
    pub theme: &'a crate::shared::theme::Theme,
    pub queries: &'a super::model::Queries,
    pub view: &'a super::view::QueriesView,
    pub settings: &'a super::settings::QueriesSettings,
}

pub fn draw(frame: &mut Frame, area: Rect, screen: &QueriesScreen<'_>) {
    let t = &screen.theme;
    let v = &screen.view;
    let state = v.state(screen.queries);
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
            Paragraph::new(Span::styled(empty_text(screen), t.muted)).wrap(Wrap { trim: true }),
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
    frame.render_widget(Paragraph::new(target_line(screen)), targets);
    frame.render_widget(Paragraph::new(view_line(screen, state)), views);
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
        SubView::Statements => postgres::statements(frame, body, screen, state),
        SubView::Activity => postgres::activity(frame, body, screen, state),
        SubView::Blocking => postgres::blocking(frame, body, screen, state),
        SubView::Connections => postgres::connections(frame, body, screen, state),
        SubView::Ops => mongo::ops(frame, body, screen, state),
        SubView::Slow => mongo::slow(frame, body, screen, state),
        SubView::ReplicaSet => mongo::replica_set(frame, body, screen, state),
        SubView::Redis => redis::draw(frame, body, screen, state),
    }
    if let Some(pane) = pane {
        detail::draw(frame, pane, screen, state);
    }
}

fn empty_text(screen: &QueriesScreen<'_>) -> String {
    if screen.settings.enabled() {
        "Waiting for the first poll of the database targets…".into()
    } else {
        "No database targets: add [queries.postgres.<name>] (dsn = ...), [queries.mongo.<name>] (uri = ...) or [queries.redis.<name>] (url = ...) to config.toml; passwords by password_env or password_file.".into()
    }
}

/// `pg orders-db · mongo shop ✗ · redis cache`, the shown one highlighted.
fn target_line(screen: &QueriesScreen<'_>) -> Line<'static> {
    let t = &screen.theme;
    let q = &screen.queries;
    let shown = screen.view.target.as_ref();
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
fn view_line(screen: &QueriesScreen<'_>, state: &TargetState) -> Line<'static> {
    let t = &screen.theme;
    let current = screen.view.sub_view_of(state.key.kind);
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
    spans.extend(cells::summary(screen, state));
    Line::from(spans)
}
