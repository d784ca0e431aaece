//! The Breakers tab: one row per instance and breaker (or per service when
//! grouped), state coloured, failure rate as a bar against its threshold,
//! targets that failed underneath, and a detail pane on Enter.

mod cells;
mod detail;

use super::model::{Breakers, BreakersView};
use crate::core::health::SourceHealth;
use crate::features::breakers::model::{BreakerRow, VisibleRow};
use crate::shared::format::age;
use crate::shared::theme::Theme;
use cells::{bar, count, rate_text, short_instance, state_span, transitions};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};

/// Widths at which more columns fit.
const WIDE: u16 = 120;

/// What the Breakers tab draws from: its own state, the Actuator badge's
/// health, the theme and the clock.
pub struct BreakersScreen<'a> {
    pub theme: &'a Theme,
    pub now: DateTime<Utc>,
    pub breakers: &'a Breakers,
    pub view: &'a BreakersView,
    pub health: Option<&'a SourceHealth>,
}

pub fn draw(frame: &mut Frame, area: Rect, screen: &BreakersScreen<'_>) {
    let b = screen.breakers;
    let v = screen.view;
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
        .border_style(screen.theme.border)
        .title(title(screen));
    let inner = block.inner(list);
    frame.render_widget(block, list);
    if v.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(empty_text(screen), screen.theme.muted))
                .wrap(Wrap { trim: true }),
            inner,
        );
    } else {
        table(frame, inner, screen);
    }
    if let Some(pane) = pane {
        detail::draw(frame, pane, screen);
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
            Line::styled(format!(" ! {text}"), screen.theme.warn)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), problems);
}

fn title(screen: &BreakersScreen<'_>) -> Line<'static> {
    let t = screen.theme;
    let b = screen.breakers;
    let v = screen.view;
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

fn empty_text(screen: &BreakersScreen<'_>) -> String {
    let v = screen.view;
    if !v.filter.is_empty() {
        return format!("Nothing matches \"{}\". Esc clears the filter.", v.filter);
    }
    match screen.health {
        Some(h) if h.last.error.is_some() => {
            format!("No data: {}", h.last.error.clone().unwrap_or_default())
        }
        None if screen.breakers.last_poll.is_empty() => "Breakers are not configured: add [breakers] to config.toml (actuators = { name = \"http://host:port/actuator\" }, discovery through the pod proxy, or prometheus = true).".into(),
        _ => "No circuit breakers reported (yet).".into(),
    }
}

fn table(frame: &mut Frame, area: Rect, screen: &BreakersScreen<'_>) {
    let t = screen.theme;
    let v = screen.view;
    let b = screen.breakers;
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
                    Some(r) => one_row(screen, r, wide),
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
                    let mut state = state_span(screen, &g.worst, mixed);
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
                        worst_rate.map_or_else(Line::default, |r| bar(screen, r)),
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

fn one_row<'a>(screen: &BreakersScreen<'_>, r: &BreakerRow, wide: bool) -> Vec<Line<'a>> {
    let t = screen.theme;
    let b = screen.breakers;
    let f = &r.figures;
    let split = b.disagrees(&r.key.service, &r.key.breaker);
    let style = if r.error.is_some() { t.stale } else { t.text };
    let since = age(Some(r.since), screen.now);
    let mut cells = vec![
        Line::from(Span::styled(r.key.service.clone(), style)),
        Line::from(Span::styled(short_instance(&r.key), t.muted)),
        Line::from(Span::styled(r.key.breaker.clone(), style)),
        Line::from(state_span(screen, &f.state, split)),
        bar(screen, r),
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
            Line::from(Span::styled(transitions(r, screen.now), t.muted)),
        ]);
    }
    cells
}
