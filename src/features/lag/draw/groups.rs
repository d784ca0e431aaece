//! The groups table: one row per cluster and group.

use super::LagScreen;
use crate::features::lag::model::{GroupSummary, SPARK};
use crate::features::lag::stats::{GroupHistory, Rate, Trend};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Row, Table};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// From this width the topics and produce rate fit.
const WIDE: u16 = 120;

pub fn title(screen: &LagScreen<'_>) -> Line<'static> {
    let t = screen.theme;
    let c = screen.lag;
    let v = screen.view;
    let mut spans = vec![
        Span::styled(" Consumer groups ", t.title),
        Span::styled(format!("{} ", c.groups.len()), t.muted),
    ];
    let crit = c
        .summaries
        .values()
        .filter(|s| s.alerts.lag_crit_since.is_some())
        .count();
    if crit > 0 {
        spans.push(Span::styled(format!("· {crit} lagging "), t.crit));
    }
    let from_start = c.summaries.values().any(|s| s.any_from_log_start);
    if from_start {
        spans.push(Span::styled(
            "· * lag from the log start (never committed) ",
            t.muted,
        ));
    }
    // Data older than a few polls (a broker down): say how old.
    if let Some(newest) = c
        .groups
        .values()
        .filter_map(|h| h.latest())
        .map(|s| s.at)
        .max()
    {
        let polls = 3 * i64::from(screen.settings.interval_secs);
        if (screen.now - newest).num_seconds() > polls {
            let old = crate::shared::format::age(Some(newest), screen.now);
            spans.push(Span::styled(format!("· data {old} old "), t.stale));
        }
    }
    if !v.filter.is_empty() {
        spans.push(Span::styled(
            format!("· filter \"{}\": {} ", v.filter, v.len()),
            t.accent,
        ));
    }
    Line::from(spans)
}

pub fn table(frame: &mut Frame, area: Rect, screen: &LagScreen<'_>) {
    let t = screen.theme;
    let v = screen.view;
    let wide = area.width >= WIDE;
    let mut header = vec![
        "GROUP",
        "STATE",
        "MEMB",
        "LAG",
        "TREND",
        "CONSUME/s",
        "DRAIN",
        "REBAL/h",
    ];
    let mut widths = vec![
        Constraint::Fill(1),
        Constraint::Length(11),
        Constraint::Length(4),
        Constraint::Length(8),
        Constraint::Length(SPARK as u16),
        Constraint::Length(9),
        Constraint::Length(10),
        Constraint::Length(7),
    ];
    if wide {
        header.extend(["PRODUCE/s", "TOPICS"]);
        widths.extend([Constraint::Length(9), Constraint::Length(24)]);
    }
    let top = v.cursor.top.min(v.len().saturating_sub(1));
    let height = usize::from(area.height.saturating_sub(1));
    let rows = v
        .rows
        .iter()
        .enumerate()
        .skip(top)
        .take(height)
        .filter_map(|(i, key)| {
            let h = screen.lag.groups.get(key)?;
            let s = screen.lag.summaries.get(key)?;
            let row = Row::new(cells(screen, &key.1, h, s, wide));
            Some(if i == v.cursor.selected {
                row.style(t.selection)
            } else {
                row
            })
        });
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(t.header))
            .column_spacing(1),
        area,
    );
}

fn cells<'a>(
    screen: &LagScreen<'_>,
    group: &str,
    h: &GroupHistory,
    s: &GroupSummary,
    wide: bool,
) -> Vec<Line<'a>> {
    let t = screen.theme;
    let latest = h.latest();
    let alerts = &s.alerts;
    let lag = s.lag;
    let row_style = if alerts.lag_crit_since.is_some() {
        t.crit
    } else if alerts.rebalances.is_some() {
        t.warn
    } else {
        t.text
    };
    let (state, state_style) = match latest.and_then(|s| s.state()) {
        Some(s) if s.is_rebalancing() => (short_state(s.label()), t.warn),
        Some(s) if s.label() == "Dead" => ("Dead".to_string(), t.crit),
        Some(s) => (short_state(s.label()), t.text),
        None => ("?".to_string(), t.muted),
    };
    let members = latest
        .and_then(|s| s.description.as_ref())
        .map_or("-".to_string(), |d| d.members.len().to_string());
    let rates = s.rates;
    let (drain, drain_style) = drain(screen, s.trend.clone());
    let rebalances = s.rebalances;
    let mut cells = vec![
        Line::from(Span::styled(group.to_string(), row_style)),
        Line::from(Span::styled(state, state_style)),
        Line::from(members),
        Line::from(Span::styled(
            format!("{lag}{}", if s.any_from_log_start { "*" } else { "" }),
            row_style,
        )),
        Line::from(Span::styled(spark(&s.sparkline), lag_style(screen, lag))),
        Line::from(rate(rates.consume)),
        Line::from(Span::styled(drain, drain_style)),
        Line::from(Span::styled(
            rebalances.to_string(),
            if alerts.rebalances.is_some() {
                t.warn
            } else {
                t.text
            },
        )),
    ];
    if wide {
        let topics = latest.map(|s| s.topics().join(",")).unwrap_or_default();
        cells.push(Line::from(rate(rates.produce)));
        cells.push(Line::from(Span::styled(topics, t.muted)));
    }
    cells
}

fn short_state(label: &str) -> String {
    match label {
        "PreparingRebalance" => "Preparing".into(),
        "CompletingRebalance" => "Completing".into(),
        other => other.to_string(),
    }
}

fn lag_style(screen: &LagScreen<'_>, lag: i64) -> Style {
    if lag > 1000 {
        screen.theme.warn
    } else {
        screen.theme.ok
    }
}

/// `12.5`, `reset` (an offset went backwards), `-` (not yet known).
pub fn rate(r: Rate) -> String {
    match r {
        Rate::PerSec(v) if v >= 100.0 => format!("{v:.0}"),
        Rate::PerSec(v) => format!("{v:.1}"),
        Rate::Reset => "reset".into(),
        Rate::Unknown => "-".into(),
    }
}

fn drain(screen: &LagScreen<'_>, trend: Trend) -> (String, Style) {
    let t = screen.theme;
    match trend {
        Trend::CaughtUp => ("caught up".into(), t.ok),
        Trend::Draining { eta } => (human(eta.as_secs()), t.text),
        Trend::Growing => ("growing".into(), t.crit),
        Trend::Stalled { .. } => ("stalled".into(), t.crit),
        Trend::Reset => ("reset".into(), t.warn),
        Trend::Unknown => ("-".into(), t.muted),
    }
}

/// `45s`, `12m`, `3h`.
fn human(secs: u64) -> String {
    match secs {
        0..=119 => format!("{secs}s"),
        120..=7_199 => format!("{}m", secs / 60),
        _ => format!("{}h", secs / 3600),
    }
}

/// Lag values as bars scaled to their own maximum.
pub fn spark(values: &[u64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .map(|v| BARS[((*v as f64 / max as f64) * (BARS.len() - 1) as f64).round() as usize])
        .collect()
}
