//! Drawing the Overview: the probable-cause line, one row per service with
//! its columns dropped by priority to fit the width, and the shared
//! infrastructure underneath.

use super::board::{Evidence, ServiceRow, restarts_condition};
use super::cause::Cause;
use super::feature::OverviewTab;
use crate::core::health::Badge;
use crate::core::service::Condition;
use crate::core::source::SourceId;
use crate::shared::feature::Screen;
use crate::shared::format::age;
use crate::shared::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

/// The service name is never cut below this many characters.
pub const SERVICE_MIN: u16 = 20;
const SERVICE_MAX: u16 = 32;
/// Evidence items the cause line names per service.
const EVIDENCE_SHOWN: usize = 3;

/// The Overview's columns, in the order they are kept when the width is
/// short: the first ones stay at 80 columns, the rest come with width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Service,
    Pods,
    P95,
    Errors,
    Breakers,
    Lag,
    Alerts,
    Db,
    Restarts,
    Avail,
    Trend,
    Newest,
}

impl Column {
    pub const PRIORITY: [Column; 12] = [
        Column::Service,
        Column::Pods,
        Column::P95,
        Column::Errors,
        Column::Breakers,
        Column::Lag,
        Column::Alerts,
        Column::Db,
        Column::Restarts,
        Column::Avail,
        Column::Trend,
        Column::Newest,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Column::Service => "SERVICE",
            Column::Pods => "PODS",
            Column::P95 => "P95",
            Column::Errors => "ERR%",
            Column::Breakers => "BREAKERS",
            Column::Lag => "LAG",
            Column::Alerts => "ALRT",
            Column::Db => "DB",
            Column::Restarts => "RST",
            Column::Avail => "AVAIL",
            Column::Trend => "P95 TREND",
            Column::Newest => "NEWEST ENTRY",
        }
    }

    /// Its width; `Newest` takes what is left (at least this).
    fn width(self) -> u16 {
        match self {
            Column::Service => SERVICE_MIN,
            Column::Pods => 8,
            Column::P95 => 7,
            Column::Errors => 6,
            Column::Breakers => 10,
            Column::Lag => 8,
            Column::Alerts => 4,
            Column::Db => 7,
            Column::Restarts => 4,
            Column::Avail => 7,
            Column::Trend => 12,
            Column::Newest => 24,
        }
    }

    /// The source a column summarises: its cells are stale with it.
    fn source(self) -> Option<SourceId> {
        match self {
            Column::Pods | Column::Restarts => Some(SourceId::Kubernetes),
            Column::P95 | Column::Errors | Column::Avail | Column::Trend | Column::Alerts => {
                Some(SourceId::Prometheus)
            }
            Column::Breakers => Some(SourceId::Actuator),
            Column::Lag => Some(SourceId::Kafka),
            Column::Db => Some(SourceId::Postgres),
            Column::Service | Column::Newest => None,
        }
    }
}

/// The columns that fit `width`, in display order, and the service
/// column's width.
pub fn columns(width: u16, longest_name: usize) -> (Vec<Column>, u16) {
    let mut used = 0u16;
    let mut kept = Vec::new();
    for c in Column::PRIORITY {
        let need = c.width() + u16::from(!kept.is_empty());
        if used + need > width {
            // Later, narrower columns may still fit.
            continue;
        }
        used += need;
        kept.push(c);
    }
    let spare = width.saturating_sub(used);
    let name = u16::try_from(longest_name).unwrap_or(SERVICE_MAX);
    let grow = name
        .clamp(SERVICE_MIN, SERVICE_MAX)
        .saturating_sub(SERVICE_MIN)
        .min(spare);
    (kept, SERVICE_MIN + grow)
}

pub fn draw(frame: &mut Frame, area: Rect, tab: &OverviewTab, screen: &Screen<'_>) {
    let t = screen.theme;
    let board = &tab.board;
    // At 80 columns a caller is named with its first evidence only.
    let per_caller = if area.width >= 120 { EVIDENCE_SHOWN } else { 1 };
    let cause = cause_line(&board.cause, t, per_caller);
    // As many lines as it needs at this width, up to three.
    let cause_height = cause.as_ref().map_or(0, |l| {
        let width = usize::from(area.width.max(1));
        l.width().div_ceil(width).clamp(1, 3) as u16
    });
    let infra_lines = infra_lines(tab, t);
    let infra_height = if infra_lines.is_empty() {
        0
    } else {
        infra_lines.len() as u16 + 2
    };
    let [top, table, bottom] = Layout::vertical([
        Constraint::Length(cause_height),
        Constraint::Fill(1),
        Constraint::Length(infra_height),
    ])
    .areas(area);
    if let Some(line) = cause {
        frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), top);
    }
    draw_table(frame, table, tab, screen);
    if !infra_lines.is_empty() {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border)
            .title(Span::styled(" Shared infrastructure ", t.title));
        frame.render_widget(Paragraph::new(infra_lines).block(block), bottom);
    }
}

fn draw_table(frame: &mut Frame, area: Rect, tab: &OverviewTab, screen: &Screen<'_>) {
    let t = screen.theme;
    let board = &tab.board;
    let stale = stale_sources(screen);
    let mut title = vec![Span::styled(
        format!(" Services ({}) ", tab.view.rows.len()),
        t.title,
    )];
    if !tab.view.filter.is_empty() {
        title.push(Span::styled(format!("/{} ", tab.view.filter), t.accent));
    }
    for (id, note) in &stale {
        title.push(Span::styled(format!("{} {note} ", id.label()), t.stale));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if tab.view.rows.is_empty() {
        let text = if board.rows.is_empty() {
            "no services yet: waiting for deployments or Prometheus series"
        } else {
            "no service matches the filter"
        };
        frame.render_widget(Paragraph::new(Span::styled(text, t.muted)), inner);
        return;
    }
    let longest = board.rows.iter().map(|r| r.name.chars().count()).max();
    let (cols, service_width) = columns(inner.width, longest.unwrap_or(0));
    let widths: Vec<Constraint> = cols
        .iter()
        .map(|c| match c {
            Column::Service => Constraint::Length(service_width),
            Column::Newest => Constraint::Fill(1),
            c => Constraint::Length(c.width()),
        })
        .collect();
    let header = Row::new(cols.iter().map(|c| Cell::from(c.title()))).style(t.header);
    let rows_shown = usize::from(inner.height.saturating_sub(1));
    let cursor = tab.view.cursor;
    let rows = tab
        .view
        .rows
        .iter()
        .enumerate()
        .skip(cursor.top)
        .take(rows_shown)
        .map(|(pos, i)| {
            let r = &board.rows[*i];
            let cells = cols.iter().map(|c| {
                let (text, cond) = cell(*c, r);
                let style = match c.source().filter(|s| stale.iter().any(|(id, _)| id == s)) {
                    Some(_) if cond != Condition::Ok => t.stale,
                    _ => style_of(cond, t),
                };
                Cell::from(Span::styled(text, style))
            });
            let row = Row::new(cells);
            if pos == cursor.selected {
                row.style(t.selection)
            } else {
                row
            }
        });
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
}

fn style_of(c: Condition, t: &Theme) -> Style {
    match c {
        Condition::Ok => t.ok,
        Condition::Warn => t.warn,
        Condition::Crit => t.crit,
    }
}

/// Sources whose data is old or failing, with the age of their last good
/// data.
fn stale_sources(screen: &Screen<'_>) -> Vec<(SourceId, String)> {
    screen
        .health
        .badges(screen.now)
        .into_iter()
        .filter_map(|(id, badge)| {
            let since = screen.health.get(id).and_then(|h| h.last_ok);
            match badge {
                Badge::Stale => Some((id, format!("stale {}", age(since, screen.now)))),
                Badge::Error(_) => {
                    Some((id, format!("failing, data {} old", age(since, screen.now))))
                }
                Badge::Ok | Badge::Off => None,
            }
        })
        .collect()
}

/// One cell's text and condition.
fn cell(c: Column, r: &ServiceRow) -> (String, Condition) {
    let none = || ("-".to_string(), Condition::Ok);
    match c {
        Column::Service => {
            let mark = if r.no_data() { " (no data)" } else { "" };
            (format!("{}{mark}", r.name), r.worst())
        }
        Column::Pods => r.pods.as_ref().map_or_else(none, |p| {
            let why = if p.crash_looping {
                " CLB"
            } else if p.oom_killed.is_some() {
                " OOM"
            } else {
                ""
            };
            (format!("{}/{}{why}", p.ready, p.desired), p.condition)
        }),
        Column::Restarts => r.pods.as_ref().map_or_else(none, |p| {
            (p.restarts.to_string(), restarts_condition(p.restarts))
        }),
        Column::P95 => r
            .slo
            .as_ref()
            .and_then(|s| s.p95_secs.map(|v| (ms(v), s.p95)))
            .unwrap_or_else(none),
        Column::Errors => r
            .slo
            .as_ref()
            .and_then(|s| s.error_ratio.map(|v| (percent(v, 1), s.errors)))
            .unwrap_or_else(none),
        Column::Avail => r
            .slo
            .as_ref()
            .and_then(|s| s.availability.map(|v| (percent(v, 2), s.avail)))
            .unwrap_or_else(none),
        Column::Trend => r
            .slo
            .as_ref()
            .map(|s| (sparkline(&s.trend, 12), s.p95))
            .unwrap_or_else(none),
        Column::Breakers => {
            let b = &r.breakers;
            let text = match (b.own, b.to_it) {
                (0, 0) => "-".to_string(),
                (o, 0) => format!("{o} out"),
                (0, i) => format!("{i} in"),
                (o, i) => format!("{o} out {i} in"),
            };
            (text, b.condition)
        }
        Column::Lag => r.lag.as_ref().map_or_else(none, |l| {
            let trend = if l.growing {
                " ↑".to_string()
            } else {
                l.drain
                    .filter(|_| l.lag > 0)
                    .map(|d| format!(" {}", short_duration(d)))
                    .unwrap_or_default()
            };
            (format!("{}{trend}", count(l.lag)), l.condition)
        }),
        Column::Alerts => match r.alerts {
            (0, _) => none(),
            (n, c) => (n.to_string(), c),
        },
        Column::Db => r.db.as_ref().map_or_else(none, |d| {
            let text = if d.blocking > 0 {
                format!("blk {}", d.blocking)
            } else if d.waiting > 0 {
                format!("wait {}", d.waiting)
            } else if d.long > 0 {
                format!("long {}", d.long)
            } else {
                "-".to_string()
            };
            (text, d.condition)
        }),
        Column::Newest => r.newest.as_ref().map_or_else(none, |(at, sev, text)| {
            let cond = match sev {
                crate::core::source::Severity::Info => Condition::Ok,
                crate::core::source::Severity::Warn => Condition::Warn,
                crate::core::source::Severity::Crit => Condition::Crit,
            };
            (format!("{} {text}", at.format("%H:%M:%S")), cond)
        }),
    }
}

fn ms(secs: f64) -> String {
    if secs.is_infinite() {
        return "+Inf".into();
    }
    if secs >= 1.0 {
        format!("{secs:.1}s")
    } else {
        format!("{:.0}ms", secs * 1000.0)
    }
}

fn percent(ratio: f64, decimals: usize) -> String {
    format!("{:.*}%", decimals, ratio * 100.0)
}

fn count(n: i64) -> String {
    match n {
        n if n >= 1_000_000 => format!("{:.1}M", n as f64 / 1e6),
        n if n >= 10_000 => format!("{:.0}k", n as f64 / 1e3),
        n if n >= 1_000 => format!("{:.1}k", n as f64 / 1e3),
        n => n.to_string(),
    }
}

fn short_duration(d: std::time::Duration) -> String {
    match d.as_secs() {
        s if s >= 3600 => format!("{}h", s / 3600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The last `width` values as block characters, scaled to their own
/// maximum; a gap is a space.
pub fn sparkline(values: &[Option<f64>], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let tail = &values[values.len().saturating_sub(width)..];
    let max = tail
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |a, b| a.max(*b));
    tail.iter()
        .map(|v| match v {
            Some(v) if v.is_finite() && max > 0.0 => {
                let i = ((v / max) * 7.0).round().clamp(0.0, 7.0) as usize;
                BARS[i]
            }
            Some(v) if v.is_infinite() => '█',
            Some(_) => BARS[0],
            None => ' ',
        })
        .collect()
}

fn evidence_text(evidence: &[Evidence], shown: usize) -> String {
    evidence
        .iter()
        .take(shown)
        .map(|e| match e.at {
            Some(at) => format!("{} {}", e.text, at.format("%H:%M:%S")),
            None => e.text.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn cause_line(cause: &Cause, t: &Theme, per_caller: usize) -> Option<Line<'static>> {
    match cause {
        Cause::Quiet => None,
        Cause::Probable {
            service,
            evidence,
            callers,
            unexplained,
        } => {
            let mut spans = vec![
                Span::styled(" probable cause: ", t.muted),
                Span::styled(service.clone(), t.crit),
                Span::styled(
                    format!(": {}", evidence_text(evidence, EVIDENCE_SHOWN)),
                    t.text,
                ),
            ];
            if !callers.is_empty() {
                let list: Vec<String> = callers
                    .iter()
                    .map(|(name, ev)| format!("{name} ({})", evidence_text(ev, per_caller)))
                    .collect();
                spans.push(Span::styled(
                    format!("; callers {}", list.join(", ")),
                    t.text,
                ));
            }
            if !unexplained.is_empty() {
                spans.push(Span::styled(
                    format!(
                        "; also unhealthy, no known path: {}",
                        unexplained.join(", ")
                    ),
                    t.muted,
                ));
            }
            Some(Line::from(spans))
        }
        Cause::NoSingle { unhealthy } => Some(Line::from(vec![
            Span::styled(" no single cause: ", t.warn),
            Span::styled(
                format!(
                    "{} are unhealthy and no call path leads to one of them",
                    unhealthy.join(", ")
                ),
                t.text,
            ),
        ])),
    }
}

fn infra_lines(tab: &OverviewTab, t: &Theme) -> Vec<Line<'static>> {
    let board = &tab.board;
    let mut lines: Vec<Line<'static>> = board
        .infra
        .iter()
        .filter(|i| i.condition != Condition::Ok)
        .take(3)
        .map(|i| {
            Line::from(vec![
                Span::styled(format!(" {:<24} ", i.name), t.text),
                Span::styled(i.text.clone(), style_of(i.condition, t)),
            ])
        })
        .collect();
    if !board.unlinked.is_empty() {
        let shown: Vec<&str> = board.unlinked.iter().take(4).map(String::as_str).collect();
        let more = board.unlinked.len().saturating_sub(shown.len());
        let more = if more > 0 {
            format!(" (+{more})")
        } else {
            String::new()
        };
        lines.push(Line::styled(
            format!(" unlinked: {}{more}", shown.join(", ")),
            t.muted,
        ));
    }
    lines
}
