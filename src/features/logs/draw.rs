//! The Logs tab: many pods' lines, time-ordered as they arrive, with search
//! highlight, SGR colours through the theme, wrap or horizontal scroll. Only
//! the visible part of a line is ever processed, however long it is.

use crate::core::sanitize::{SgrColor, SgrStyle, StyledRun};
use crate::features::logs::line::Level;
use crate::features::logs::store::LineRef;
use crate::shared::color::fit;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use regex::Regex;

/// Width of the pod column.
const POD_WIDTH: usize = 24;
/// Width of the container column, shown from `CONTAINER_MIN_WIDTH` columns.
const CONTAINER_WIDTH: usize = 16;
const CONTAINER_MIN_WIDTH: usize = 118;

/// What the Logs tab draws from: its own state, the theme and how many
/// colours the terminal has (for the colours log lines carry).
pub struct LogsScreen<'a> {
    pub theme: &'a crate::shared::theme::Theme,
    pub logs: &'a super::model::Logs,
    pub color_support: crate::shared::color::ColorSupport,
}

pub fn draw(frame: &mut Frame, area: Rect, screen: &LogsScreen<'_>) {
    let t = &screen.theme;
    let logs = &screen.logs;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(title(screen));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if logs.visible_len() == 0 {
        let msg = if logs.is_empty() {
            "No logs yet. :logs deploy/NAME (or -l app=x, pod/NAME) follows pods; L on the Pods tab follows the selected one."
        } else {
            "No line matches: Esc clears the filter, a shows every level, c stops following a request."
        };
        frame.render_widget(Paragraph::new(Span::styled(msg, t.muted)), inner);
        return;
    }
    let height = usize::from(inner.height);
    let width = usize::from(inner.width);
    let mut rows: Vec<Line> = Vec::with_capacity(height);
    let mut record = logs.cursor.top.min(logs.visible_len().saturating_sub(1));
    while rows.len() < height {
        let Some(line) = logs.row(record) else { break };
        let selected = record == logs.cursor.selected;
        push_record(&mut rows, screen, &line, selected, width, height);
        record += 1;
    }
    rows.truncate(height);
    frame.render_widget(Paragraph::new(rows), inner);
}

fn title(screen: &LogsScreen<'_>) -> Line<'static> {
    let t = &screen.theme;
    let logs = &screen.logs;
    let scope = logs.scope.as_ref().map_or_else(
        || "all pods".to_string(),
        |s| format!("{} ({} pods)", s.label, s.pods.len()),
    );
    let mut spans = vec![
        Span::styled(" Logs ", t.title),
        Span::styled(format!("{scope} · {} lines ", logs.visible_len()), t.muted),
    ];
    if logs.follow {
        spans.push(Span::styled("· following ", t.ok));
    } else {
        spans.push(Span::styled(
            format!("· paused, {} new (G follows) ", logs.new_while_paused),
            t.warn,
        ));
    }
    if logs.level != crate::features::logs::model::LevelFilter::All {
        spans.push(Span::styled(format!("· {} ", logs.level.label()), t.accent));
    }
    if let Some(f) = logs.filter_text() {
        spans.push(Span::styled(format!("· /{f}/ "), t.accent));
    }
    if let Some(id) = &logs.correlation {
        spans.push(Span::styled(format!("· request {id} "), t.accent));
    }
    if logs.dropped > 0 {
        spans.push(Span::styled(
            format!("· {} oldest dropped ", logs.dropped),
            t.warn,
        ));
    }
    if let Some((pod, secs)) = logs.behind.iter().max_by_key(|(_, s)| **s) {
        spans.push(Span::styled(format!("· {pod} behind by {secs} s "), t.crit));
    }
    Line::from(spans)
}

/// `payment-service-7d9f8c6b5-x2k4p` → `payment-service-x2k4p`: the template
/// hash says nothing to a reader and costs width.
pub fn short_pod(name: &str) -> String {
    let parts: Vec<&str> = name.split('-').collect();
    let short = match parts.as_slice() {
        [head @ .., hash, id]
            if parts.len() >= 3
                && (8..=10).contains(&hash.len())
                && hash.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            format!("{}-{id}", head.join("-"))
        }
        _ => name.to_string(),
    };
    short.chars().take(POD_WIDTH).collect()
}

fn pod_color(screen: &LogsScreen<'_>, pod: &str) -> Style {
    const PALETTE: [Color; 8] = [
        Color::Cyan,
        Color::Magenta,
        Color::Green,
        Color::Blue,
        Color::Yellow,
        Color::LightCyan,
        Color::LightMagenta,
        Color::LightGreen,
    ];
    // FNV-1a: stable across runs, so a pod keeps its colour.
    let hash = pod.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let color = fit(
        PALETTE[(hash % PALETTE.len() as u64) as usize],
        screen.color_support,
    );
    Style::default().fg(color)
}

fn level_style(screen: &LogsScreen<'_>, level: Level) -> Style {
    let t = &screen.theme;
    match level {
        Level::Error | Level::Fatal => t.crit,
        Level::Warn => t.warn,
        Level::Debug | Level::Trace => t.muted,
        Level::Info | Level::Unknown => t.text,
    }
}

fn push_record(
    rows: &mut Vec<Line<'static>>,
    screen: &LogsScreen<'_>,
    line: &LineRef<'_>,
    selected: bool,
    width: usize,
    height: usize,
) {
    let t = &screen.theme;
    let logs = &screen.logs;
    let time = match (logs.show_time, line.time()) {
        (false, _) => String::new(),
        (true, Some(t)) => t.format("%H:%M:%S%.3f ").to_string(),
        (true, None) => " ".repeat(13),
    };
    let mut prefix = vec![
        Span::styled(time, t.muted),
        Span::styled(
            format!("{:<w$} ", short_pod(line.pod()), w = POD_WIDTH),
            pod_color(screen, line.pod()),
        ),
    ];
    // The container column only where the message keeps enough room.
    if width >= CONTAINER_MIN_WIDTH {
        let container: String = line.container().chars().take(CONTAINER_WIDTH).collect();
        prefix.push(Span::styled(
            format!("{container:<w$} ", w = CONTAINER_WIDTH),
            t.muted,
        ));
    }
    if line.note() {
        prefix.push(Span::styled("── ", t.muted));
    } else {
        prefix.push(Span::styled(
            format!("{:<5} ", level_label(line.level())),
            level_style(screen, line.level()),
        ));
    }
    let prefix_width: usize = prefix.iter().map(|s| s.content.chars().count()).sum();
    let text_width = width.saturating_sub(prefix_width).max(1);
    let base = if line.note() {
        t.muted
    } else {
        level_style(screen, line.level())
    };
    let search = logs.search.as_ref();
    let budget = height.saturating_sub(rows.len());
    let mut texts: Vec<(&str, &[StyledRun], Style)> =
        vec![(line.message(), line.message_runs(), base)];
    texts.extend(line.extra().iter().map(|e| (e.as_str(), e.runs(), t.muted)));
    for (i, (text, runs, style)) in texts.into_iter().enumerate() {
        let pieces = if logs.wrap {
            wrap_pieces(text, text_width, budget.saturating_sub(rows.len()).max(1))
        } else {
            vec![window(text, logs.hscroll, text_width)]
        };
        for (j, (start, piece)) in pieces.into_iter().enumerate() {
            let mut spans = if i == 0 && j == 0 {
                prefix.clone()
            } else {
                vec![Span::raw(" ".repeat(prefix_width))]
            };
            spans.extend(styled(screen, runs, start, &piece, style, search));
            if i == 0 && j == 0 && !line.fields().is_empty() && !logs.wrap {
                spans.push(Span::styled(format!("  {}", line.fields()), t.muted));
            }
            let mut l = Line::from(spans);
            if selected {
                l = l.patch_style(t.selection);
            }
            rows.push(l);
            if rows.len() >= height {
                return;
            }
        }
    }
}

fn level_label(level: Level) -> &'static str {
    match level {
        Level::Unknown => "",
        other => other.as_str(),
    }
}

/// The chars of `text` from `skip` to `skip + width`, with their byte start.
fn window(text: &str, skip: usize, width: usize) -> (usize, String) {
    let mut chars = text.char_indices().skip(skip).take(width).peekable();
    let start = chars.peek().map_or(text.len(), |(i, _)| *i);
    (start, chars.map(|(_, c)| c).collect())
}

/// Up to `max_rows` pieces of `width` chars each, with their byte starts.
fn wrap_pieces(text: &str, width: usize, max_rows: usize) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut skip = 0;
    while out.len() < max_rows {
        let (start, piece) = window(text, skip, width);
        if piece.is_empty() && !out.is_empty() {
            break;
        }
        let n = piece.chars().count();
        out.push((start, piece));
        if n < width {
            break;
        }
        skip += n;
    }
    out
}

/// Spans of `piece` (which starts at byte `start` of `text`): SGR runs as
/// theme-fitted styles, search matches highlighted.
fn styled(
    screen: &LogsScreen<'_>,
    runs: &[StyledRun],
    start: usize,
    piece: &str,
    base: Style,
    search: Option<&Regex>,
) -> Vec<Span<'static>> {
    let end = start + piece.len();
    let mut marks: Vec<(usize, usize, Style)> = runs
        .iter()
        .filter(|r| r.range.end > start && r.range.start < end)
        .map(|r| {
            (
                r.range.start.max(start) - start,
                r.range.end.min(end) - start,
                sgr(screen, base, &r.style),
            )
        })
        .collect();
    if let Some(re) = search {
        for m in re.find_iter(piece) {
            marks.push((
                m.start(),
                m.end(),
                screen.theme.selection.add_modifier(Modifier::UNDERLINED),
            ));
        }
    }
    if marks.is_empty() {
        return vec![Span::styled(piece.to_string(), base)];
    }
    // Paint per byte boundary, later marks (search) over earlier (SGR).
    let mut cuts: Vec<usize> = marks
        .iter()
        .flat_map(|(a, b, _)| [*a, *b])
        .chain([0, piece.len()])
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .filter_map(|w| {
            let (a, b) = (w[0], w[1]);
            let segment = piece.get(a..b)?;
            let style = marks
                .iter()
                .filter(|(s, e, _)| *s <= a && b <= *e)
                .fold(base, |acc, (_, _, st)| acc.patch(*st));
            Some(Span::styled(segment.to_string(), style))
        })
        .collect()
}

fn sgr(screen: &LogsScreen<'_>, base: Style, s: &SgrStyle) -> Style {
    let color = |c: SgrColor| {
        let raw = match c {
            SgrColor::Basic(n) => Color::Indexed(n),
            SgrColor::Indexed(n) => Color::Indexed(n),
            SgrColor::Rgb(r, g, b) => Color::Rgb(r, g, b),
        };
        fit(raw, screen.color_support)
    };
    let mut style = base;
    if let Some(fg) = s.fg {
        style = style.fg(color(fg));
    }
    if let Some(bg) = s.bg {
        style = style.bg(color(bg));
    }
    for (on, m) in [
        (s.bold, Modifier::BOLD),
        (s.dim, Modifier::DIM),
        (s.italic, Modifier::ITALIC),
        (s.underline, Modifier::UNDERLINED),
        (s.reverse, Modifier::REVERSED),
    ] {
        if on {
            style = style.add_modifier(m);
        }
    }
    style
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_names_lose_the_template_hash() {
        assert_eq!(
            short_pod("payment-service-7d9f8c6b5-x2k4p"),
            "payment-service-x2k4p"
        );
        assert_eq!(short_pod("redis-0"), "redis-0");
        assert_eq!(
            short_pod("a-very-long-deployment-name-here-7d9f8c6b5-x2k4p")
                .chars()
                .count(),
            POD_WIDTH
        );
    }

    #[test]
    fn windows_and_wraps_are_bounded_by_the_width() {
        let huge = "x".repeat(10 << 20);
        let (start, piece) = window(&huge, 100, 80);
        assert_eq!((start, piece.len()), (100, 80));
        let pieces = wrap_pieces(&huge, 80, 5);
        assert_eq!(pieces.len(), 5);
        assert_eq!(wrap_pieces("short", 80, 5), vec![(0, "short".to_string())]);
    }
}
