//! The Breakers tab: one row per instance and breaker (or per service when
//! grouped), state coloured, failure rate as a bar against its threshold,
//! targets that failed underneath, and a detail pane on Enter.

mod cells;
mod detail;

use crate::app::App;
use crate::features::breakers::model::{BreakerRow, VisibleRow};
use crate::shared::format::age;
use cells::{bar, count, rate_text, short_instance, state_span, transitions};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};

/// Widths at which more columns fit.
const WIDE: u16 = 120;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let b = &app.model.breakers;
    let v = &app.model.breakers_view;
    let failures = b.failures.len().min(3) as u16;
    let [list, problems] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(failures)]).areas(area);
    let (list, pane) = if v.detail && !v.is_empty() {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).areas(list);
        (top, Some(bottom))
    } else {
        (list, None)
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border)
        .title(title(app));
    let inner = block.inner(list);
    frame.render_widget(block, list);
    if v.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(empty_text(app), app.theme.muted))
                .wrap(Wrap { trim: true }),
            inner,
        );
    } else {
        table(frame, inner, app);
    }
    if let Some(pane) = pane {
        detail::draw(frame, pane, app);
    }
    let lines: Vec<Line> = b
        .failures
        .iter()
        .take(3)
        .map(|(target, e)| {
            let text = if e.starts_with(target.as_str()) {
                e.clone()
            } else {
                format!("{target}: {e}")
            };
            Line::styled(format!(" ! {text}"), app.theme.warn)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), problems);
}

fn title(app: &App) -> Line<'static> {
    let t = &app.theme;
    let b = &app.model.breakers;
    let v = &app.model.breakers_view;
    let shown = b.rows.values().filter(|r| b.shown(r)).count();
    let mut spans = vec![
        Span::styled(" Circuit breakers ", t.title),
        Span::styled(format!("{shown} "), t.muted),
    ];
    if v.grouped {
        spans.push(Span::styled("· per service ", t.muted));
    }
    let open = b
        .rows
        .values()
        .filter(|r| {
            b.shown(r) && crate::features::breakers::model::state_rank(&r.figures.state) == 0
        })
        .count();
    if open > 0 {
        spans.push(Span::styled(format!("· {open} open "), t.crit));
    }
    let pairs: std::collections::BTreeSet<(&str, &str)> = b
        .rows
        .values()
        .map(|r| (r.key.service.as_str(), r.key.breaker.as_str()))
        .collect();
    let split = pairs.iter().filter(|(s, n)| b.disagrees(s, n)).count();
    if split > 0 {
        spans.push(Span::styled(
            format!("· ≠ pods disagree on {split} "),
            t.warn,
        ));
    }
    if !v.filter.is_empty() {
        spans.push(Span::styled(
            format!("· filter \"{}\": {} ", v.filter, v.len()),
            t.accent,
        ));
    }
    Line::from(spans)
}

fn empty_text(app: &App) -> String {
    let v = &app.model.breakers_view;
    if !v.filter.is_empty() {
        return format!("Nothing matches \"{}\". Esc clears the filter.", v.filter);
    }
    match app.model.health.get(crate::core::source::SourceId::Actuator) {
        Some(h) if h.last.error.is_some() => {
            format!("No data: {}", h.last.error.clone().unwrap_or_default())
        }
        None if app.model.breakers.last_poll.is_empty() => "Breakers are not configured: add [breakers] to config.toml (actuators = { name = \"http://host:port/actuator\" }, discovery through the pod proxy, or prometheus = true).".into(),
        _ => "No circuit breakers reported (yet).".into(),
    }
}

fn table(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let v = &app.model.breakers_view;
    let b = &app.model.breakers;
    let wide = area.width >= WIDE;
    let mut header = vec![
        "SERVICE", "INSTANCE", "BREAKER", "STATE", "FAILURE", "IN STATE",
    ];
    let mut widths = vec![
        Constraint::Length(14),
        Constraint::Length(16),
        Constraint::Length(17),
        Constraint::Length(13),
        Constraint::Length(17),
        Constraint::Length(8),
    ];
    if wide {
        header.extend([
            "SLOW",
            "BUF",
            "FAIL",
            "SLOW#",
            "NOT PERM",
            "LAST TRANSITIONS",
        ]);
        widths.extend([
            Constraint::Length(11),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(5),
            Constraint::Length(8),
            Constraint::Fill(1),
        ]);
    }
    let top = v.cursor.top.min(v.len().saturating_sub(1));
    let height = usize::from(area.height.saturating_sub(1));
    let rows = v
        .rows
        .iter()
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(i, vr)| {
            let cells = match vr {
                VisibleRow::One(key) => match b.get(key) {
                    Some(r) => one_row(app, r, wide),
                    None => Vec::new(),
                },
                VisibleRow::Group(g) => {
                    let mixed = g.states.len() > 1;
                    let summary = g
                        .states
                        .iter()
                        .map(|(s, n)| format!("{n} {s}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let mut state = state_span(app, &g.worst, mixed);
                    if mixed {
                        state.content = format!("≠{}", g.worst.as_str()).into();
                    }
                    let instances = b.instances(&g.service, &g.breaker);
                    let worst_rate = instances
                        .iter()
                        .max_by(|a, b| {
                            let r = |x: &&BreakerRow| {
                                x.figures
                                    .failure_rate
                                    .and_then(|r| r.percent())
                                    .unwrap_or(-1.0)
                            };
                            r(a).total_cmp(&r(b))
                        })
                        .copied();
                    let mut cells = vec![
                        Line::from(Span::styled(g.service.clone(), t.text)),
                        Line::from(Span::styled(format!("{} pods", g.instances), t.muted)),
                        Line::from(Span::styled(g.breaker.clone(), t.text)),
                        Line::from(state),
                        worst_rate.map_or_else(Line::default, |r| bar(app, r)),
                        Line::from(Span::styled(summary.clone(), t.muted)),
                    ];
                    if wide {
                        cells.extend((0..6).map(|_| Line::default()));
                    }
                    cells
                }
            };
            let row = Row::new(cells);
            if i == v.cursor.selected {
                row.style(t.selection)
            } else {
                row
            }
        });
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.header))
        .column_spacing(1);
    frame.render_widget(table, area);
}

fn one_row<'a>(app: &App, r: &BreakerRow, wide: bool) -> Vec<Line<'a>> {
    let t = &app.theme;
    let b = &app.model.breakers;
    let f = &r.figures;
    let split = b.disagrees(&r.key.service, &r.key.breaker);
    let style = if r.error.is_some() { t.stale } else { t.text };
    let since = age(Some(r.since), app.now);
    let mut cells = vec![
        Line::from(Span::styled(r.key.service.clone(), style)),
        Line::from(Span::styled(short_instance(&r.key), t.muted)),
        Line::from(Span::styled(r.key.breaker.clone(), style)),
        Line::from(state_span(app, &f.state, split)),
        bar(app, r),
        Line::from(Span::styled(
            if r.since_known {
                since
            } else {
                format!("≥{since}")
            },
            t.muted,
        )),
    ];
    if wide {
        cells.extend([
            Line::from(Span::styled(
                rate_text(f.slow_rate, f.slow_threshold),
                t.text,
            )),
            Line::from(count(f.buffered)),
            Line::from(count(f.failed)),
            Line::from(count(f.slow)),
            Line::from(Span::styled(
                count(f.not_permitted),
                if f.not_permitted.unwrap_or(0) > 0 {
                    t.warn
                } else {
                    t.text
                },
            )),
            Line::from(Span::styled(transitions(r, app.now), t.muted)),
        ]);
    }
    cells
}
