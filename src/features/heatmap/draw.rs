//! The Heatmap tab: services × time coloured against each service's SLO,
//! the latency-bucket drill-down, and the firing alerts.

use crate::features::heatmap::model::{BucketGrid, Grid, Level, Slo, le_label};
use crate::shared::prometheus::Metric;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Width of the service-name column.
use crate::features::heatmap::model::Heatmap;
use crate::features::heatmap::view::{HeatmapView, LABEL};
use crate::shared::theme::Theme;
use chrono::{DateTime, Utc};

/// What the Heatmap tab draws from: its own state, the theme and the clock.
pub struct HeatmapScreen<'a> {
    pub theme: &'a Theme,
    pub now: DateTime<Utc>,
    pub heatmap: &'a Heatmap,
    pub view: &'a HeatmapView,
}

pub fn draw(frame: &mut Frame, area: Rect, screen: &HeatmapScreen<'_>) {
    let t = &screen.theme;
    let alerts_height = (screen.heatmap.shown_alerts().count().min(5) as u16 + 2).max(3);
    let [grid_area, alerts_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(alerts_height)]).areas(area);
    let view = &screen.view;
    let hm = &screen.heatmap;
    let mut title = vec![
        Span::styled(" Heatmap ", t.title),
        Span::styled(
            format!("{} ({}) ", view.metric.label(), unit_label(view.metric)),
            t.muted,
        ),
    ];
    if let Some(grid) = hm.shown(view.metric) {
        let c = grid.columns;
        let minutes = (c.step * c.count as f64 / 60.0).round();
        title.push(Span::styled(
            format!("· window {minutes}m, step {}s ", c.step),
            t.muted,
        ));
    }
    if let Some(age) = hm.age(view.metric, screen.now) {
        title.push(Span::styled(
            format!("· {}s old ", age.num_seconds().max(0)),
            t.muted,
        ));
    }
    if let Some(err) = &hm.error {
        title.push(Span::styled(
            format!("· stale since {}: {} ", err.at.format("%H:%M:%S"), err.data),
            t.crit,
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Line::from(title));
    let inner = block.inner(grid_area);
    frame.render_widget(block, grid_area);
    let lines = if view.drill {
        drill_lines(screen, inner)
    } else {
        grid_lines(screen, inner)
    };
    frame.render_widget(Paragraph::new(lines), inner);
    alerts(frame, alerts_area, screen);
}

fn unit_label(metric: Metric) -> &'static str {
    match metric {
        Metric::P95 | Metric::P99 => "ms",
        Metric::ErrorRatio | Metric::Availability => "%",
        Metric::Rate => "req/s",
    }
}

/// A cell's character and style: the heat ramp with colour, shades without.
fn cell(screen: &HeatmapScreen<'_>, level: Level) -> (char, Style) {
    let t = &screen.theme;
    let ramp = &t.heat;
    if ramp.len() >= 3 {
        let pick = |i: usize| Style::default().fg(ramp[i]);
        return match level {
            Level::Good => ('█', pick(0)),
            Level::Near => ('█', pick(ramp.len() / 2)),
            Level::Bad => ('█', pick(ramp.len() - 1)),
            Level::Gap => ('·', t.muted),
            Level::Infinite => ('▲', t.crit),
        };
    }
    match level {
        Level::Good => ('░', t.ok),
        Level::Near => ('▒', t.warn),
        Level::Bad => ('█', t.crit),
        Level::Gap => (' ', t.muted),
        Level::Infinite => ('▲', t.crit),
    }
}

fn grid_lines(screen: &HeatmapScreen<'_>, area: Rect) -> Vec<Line<'static>> {
    let t = &screen.theme;
    let view = &screen.view;
    let Some(grid) = screen.heatmap.shown(view.metric) else {
        return vec![Line::styled(
            "No data yet. Prometheus is set with [prometheus] url = \"http://...\" in config.toml (the demo fills this tab).",
            t.muted,
        )];
    };
    if grid.rows.is_empty() {
        return vec![Line::styled(
            format!("The {} query returned no series.", view.metric.label()),
            t.warn,
        )];
    }
    let cols = grid.columns.count;
    let fit = usize::from(area.width).saturating_sub(LABEL + 1).min(cols);
    let first = cols - fit;
    let selected_col = view.column(cols);
    let height = usize::from(area.height).saturating_sub(3);
    let half_blocks = screen.theme.heat.len() >= 3;
    let (rows, note) = grid.visible(if half_blocks { height * 2 } else { height });
    let mut lines = if half_blocks {
        paired_rows(screen, grid, rows, first, selected_col)
    } else {
        Vec::new()
    };
    for (r, row) in rows.iter().enumerate().filter(|_| !half_blocks) {
        let mut spans = vec![Span::styled(
            format!("{:<w$} ", truncate(&row.name, LABEL), w = LABEL),
            if r == view.row { t.selection } else { t.text },
        )];
        for c in first..cols {
            let (ch, mut style) = cell(screen, grid.level(row, c, &screen.heatmap.slos));
            if r == view.row && c == selected_col {
                style = style
                    .patch(t.selection)
                    .add_modifier(ratatui::style::Modifier::REVERSED);
            }
            push_run(&mut spans, ch, style);
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(legend(screen, grid, first, note)));
    lines.push(status(
        screen,
        grid,
        rows.get(view.row).map(|r| r.name.as_str()),
        selected_col,
    ));
    lines
}

/// Two services per line with half blocks: the upper one is the glyph's
/// foreground, the lower its background. A gap leaves its half empty. The
/// cursor's column is marked under the grid; its exact value is below.
fn paired_rows(
    screen: &HeatmapScreen<'_>,
    grid: &Grid,
    rows: &[crate::features::heatmap::model::Row],
    first: usize,
    selected_col: usize,
) -> Vec<Line<'static>> {
    let t = &screen.theme;
    let view = &screen.view;
    let color = |row: Option<&crate::features::heatmap::model::Row>, c: usize| -> Color {
        let Some(row) = row else { return Color::Reset };
        match grid.level(row, c, &screen.heatmap.slos) {
            Level::Gap => Color::Reset,
            Level::Infinite => t.crit.fg.unwrap_or(Color::Reset),
            level => cell(screen, level).1.fg.unwrap_or(Color::Reset),
        }
    };
    let half = LABEL / 2;
    let mut lines = Vec::new();
    for (k, pair) in rows.chunks(2).enumerate() {
        let (top, bottom) = (pair.first(), pair.get(1));
        let label = format!(
            "{:<w$} ",
            format!(
                "{}/{}",
                truncate(top.map_or("", |r| r.name.as_str()), half - 1),
                truncate(bottom.map_or("", |r| r.name.as_str()), half - 1)
            ),
            w = LABEL
        );
        let selected = view.row / 2 == k;
        let mut spans = vec![Span::styled(
            label,
            if selected { t.selection } else { t.text },
        )];
        for c in first..grid.columns.count {
            let style = Style::default().fg(color(top, c)).bg(color(bottom, c));
            push_run(&mut spans, '▀', style);
        }
        lines.push(Line::from(spans));
    }
    let mut marker = " ".repeat(LABEL + 1 + selected_col.saturating_sub(first));
    marker.push('^');
    lines.push(Line::styled(marker, t.accent));
    lines
}

/// Appends a cell, extending the last span when it has the same style: a
/// wide grid is a few runs per row, not one span per cell.
fn push_run(spans: &mut Vec<Span<'static>>, ch: char, style: Style) {
    if let Some(last) = spans.last_mut()
        && last.style == style
    {
        last.content.to_mut().push(ch);
        return;
    }
    spans.push(Span::styled(ch.to_string(), style));
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn legend(
    screen: &HeatmapScreen<'_>,
    grid: &Grid,
    first: usize,
    note: Option<String>,
) -> Vec<Span<'static>> {
    let t = &screen.theme;
    let mut spans = vec![Span::raw(" ".repeat(LABEL + 1))];
    for (level, label) in [
        (Level::Good, " within SLO  "),
        (Level::Near, " near  "),
        (Level::Bad, " over  "),
        (Level::Gap, " no data  "),
        (Level::Infinite, " +Inf  "),
    ] {
        let (ch, style) = cell(screen, level);
        spans.push(Span::styled(ch.to_string(), style));
        spans.push(Span::styled(label, t.muted));
    }
    let from = chrono::DateTime::from_timestamp(grid.columns.time_of(first) as i64, 0)
        .map(|d| d.format("%H:%M").to_string())
        .unwrap_or_default();
    spans.push(Span::styled(
        format!("from {from} · step {}s", grid.columns.step as i64),
        t.muted,
    ));
    if let Some(note) = note {
        spans.push(Span::styled(format!(" · {note}"), t.warn));
    }
    spans
}

fn status(
    screen: &HeatmapScreen<'_>,
    grid: &Grid,
    service: Option<&str>,
    col: usize,
) -> Line<'static> {
    let t = &screen.theme;
    let Some(row) = service.and_then(|s| grid.rows.iter().find(|r| r.name == s)) else {
        return Line::default();
    };
    let when = chrono::DateTime::from_timestamp(grid.columns.time_of(col) as i64, 0)
        .map(|d| d.format("%H:%M:%S").to_string())
        .unwrap_or_default();
    let value = row.cells.get(col).copied().flatten();
    let shown = match value {
        None => "no data".to_string(),
        Some(v) if v.is_infinite() => "+Inf (top of the histogram)".to_string(),
        Some(v) => grid.metric.unit().format(v),
    };
    let slo = match screen.heatmap.slos.get(&row.service, grid.metric) {
        Some(Slo::Below(x)) => format!("SLO < {}", grid.metric.unit().format(x)),
        Some(Slo::Above(x)) => format!("SLO > {}", grid.metric.unit().format(x)),
        None => "no SLO".to_string(),
    };
    let level = grid.level(row, col, &screen.heatmap.slos);
    let style = match level {
        Level::Bad | Level::Infinite => t.crit,
        Level::Near => t.warn,
        _ => t.text,
    };
    Line::from(vec![
        Span::styled(format!("{} ", row.name), t.accent),
        Span::styled(format!("at {when}: "), t.muted),
        Span::styled(shown, style),
        Span::styled(
            format!("  ({slo}) · Enter: latency buckets · m: metric"),
            t.muted,
        ),
    ])
}

fn drill_lines(screen: &HeatmapScreen<'_>, area: Rect) -> Vec<Line<'static>> {
    let t = &screen.theme;
    let view = &screen.view;
    let service = screen
        .heatmap
        .shown(view.metric)
        .and_then(|g| g.rows.get(view.row))
        .map(|r| r.service.clone());
    let Some(grid) = service
        .as_deref()
        .and_then(|s| screen.heatmap.drill_down(s))
    else {
        return vec![Line::styled(
            "No latency histogram for this service. Esc goes back.",
            t.muted,
        )];
    };
    let mut lines = vec![Line::styled(
        format!(
            "{}: share of requests per latency bucket (Esc goes back)",
            grid.service
        ),
        t.title,
    )];
    lines.extend(bucket_rows(screen, &grid, area));
    lines
}

fn bucket_rows(screen: &HeatmapScreen<'_>, grid: &BucketGrid, area: Rect) -> Vec<Line<'static>> {
    let cols = grid.columns.count;
    let fit = usize::from(area.width).saturating_sub(LABEL + 1).min(cols);
    let ramp: Vec<Color> = screen.theme.heat.clone();
    let shades = [' ', '░', '▒', '▓', '█'];
    grid.rows
        .iter()
        .rev()
        .map(|row| {
            let mut spans = vec![Span::styled(
                format!("{:>w$} ", le_label(row.le), w = LABEL),
                screen.theme.muted,
            )];
            for c in (cols - fit)..cols {
                let span = match row.cells.get(c).copied().flatten() {
                    None => Span::styled("·", screen.theme.muted),
                    Some(share) if ramp.len() >= 2 => {
                        let i =
                            ((share.clamp(0.0, 1.0)) * (ramp.len() - 1) as f64).round() as usize;
                        Span::styled("█", Style::default().fg(ramp[i]))
                    }
                    Some(share) => Span::raw(
                        shades[((share.clamp(0.0, 1.0)) * 4.0).round() as usize].to_string(),
                    ),
                };
                spans.push(span);
            }
            Line::from(spans)
        })
        .collect()
}

fn alerts(frame: &mut Frame, area: Rect, screen: &HeatmapScreen<'_>) {
    let t = &screen.theme;
    let alerts: Vec<_> = screen.heatmap.shown_alerts().collect();
    let mut lines = Vec::new();
    for a in alerts
        .iter()
        .take(usize::from(area.height.saturating_sub(2)))
    {
        let since = a
            .since
            .map(|s| format!("since {}", s.format("%H:%M:%S")))
            .unwrap_or_default();
        let style = match a.severity {
            crate::core::source::Severity::Crit => t.crit,
            crate::core::source::Severity::Warn => t.warn,
            crate::core::source::Severity::Info => t.text,
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<8} ", format!("{:?}", a.state).to_lowercase()),
                style,
            ),
            Span::styled(format!("{:<24} ", a.name), style),
            Span::styled(format!("{:<18} ", a.service), t.accent),
            Span::styled(format!("{since}  "), t.muted),
            Span::styled(a.summary.clone(), t.text),
        ]));
    }
    if lines.is_empty() {
        lines.push(Line::styled("No alert firing or pending.", t.muted));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(format!(" Alerts {} ", alerts.len()), t.title));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
