//! The Timeline tab: incident entries, newest or oldest first, filtered.

use crate::core::source::Severity;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};

/// What the Timeline tab draws from: its entries and the theme.
pub struct TimelineScreen<'a> {
    pub theme: &'a crate::shared::theme::Theme,
    pub timeline: &'a super::model::Timeline,
}

pub fn draw(frame: &mut Frame, area: Rect, screen: &TimelineScreen<'_>) {
    let t = &screen.theme;
    let tl = &screen.timeline;
    let order = if tl.newest_first {
        "newest first"
    } else {
        "oldest first"
    };
    let mut title = vec![
        Span::styled(" Timeline ", t.title),
        Span::styled(format!("{} entries · {order} ", tl.len()), t.muted),
    ];
    if !tl.filter().is_empty() {
        title.push(Span::styled(
            format!("· filter \"{}\": {} match ", tl.filter(), tl.visible_len()),
            t.accent,
        ));
    }
    if tl.dropped > 0 {
        title.push(Span::styled(
            format!("· {} oldest dropped ", tl.dropped),
            t.warn,
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    if tl.visible_len() == 0 {
        let msg = if tl.is_empty() {
            "No entries yet. Source events appear here as they happen; n adds a note.".to_string()
        } else {
            format!(
                "No entry matches \"{}\". Esc clears the filter.",
                tl.filter()
            )
        };
        frame.render_widget(Paragraph::new(Span::styled(msg, t.muted)), inner);
        return;
    }

    // The last lines show the selected entry in full: rows are cut at the edge.
    let detail_height = crate::shared::format::DETAIL_LINES;
    let detail = Rect::new(
        inner.x,
        inner.bottom().saturating_sub(detail_height),
        inner.width,
        detail_height,
    );
    let inner = Rect::new(
        inner.x,
        inner.y,
        inner.width,
        inner.height.saturating_sub(detail_height),
    );
    if let Some(e) = tl.selected() {
        let mut spans = vec![
            Span::styled(
                format!(
                    "{} {} {}: ",
                    e.at.format("%Y-%m-%d %H:%M:%S UTC"),
                    e.severity.label(),
                    e.origin
                ),
                severity_style(screen, e.severity),
            ),
            Span::styled(e.text.to_string(), t.text),
        ];
        // An executed action: who let it run, and the command it was.
        if let Some(x) = e.executed() {
            spans.push(Span::styled(
                format!(" · by {} ({}) · ", x.by, x.confirmation),
                t.muted,
            ));
            spans.push(Span::styled(x.command.to_string(), t.key));
        }
        // An action's guard steps in two lines at most: the refusing
        // one with its reason (the post-mortem has every answer).
        for (i, c) in e.checks().iter().enumerate() {
            let lead = if i == 0 { " · checks: " } else { " " };
            spans.push(Span::styled(lead, t.muted));
            if c.passed {
                spans.push(Span::styled(format!("{} ✓", c.step), t.muted));
            } else {
                spans.push(Span::styled(format!("{} ✗ ({})", c.step, c.detail), t.crit));
            }
        }
        let line = Line::from(spans);
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(t.border);
        frame.render_widget(
            Paragraph::new(line).block(block).wrap(Wrap { trim: false }),
            detail,
        );
    }
    let rows = usize::from(inner.height.saturating_sub(1));
    let top = tl.cursor.top.min(tl.visible_len().saturating_sub(1));
    let visible = (top..(top + rows).min(tl.visible_len())).filter_map(|i| {
        let e = tl.row(i)?;
        let sev_style = severity_style(screen, e.severity);
        let text_style = if e.severity == Severity::Crit {
            t.crit
        } else {
            t.text
        };
        let row = Row::new(vec![
            Span::styled(e.at.format("%H:%M:%S").to_string(), t.muted),
            Span::styled(e.severity.label(), sev_style),
            Span::styled(e.origin.to_string(), t.accent),
            Span::styled(e.text.to_string(), text_style),
        ]);
        Some(if i == tl.cursor.selected {
            row.style(t.selection)
        } else {
            row
        })
    });
    let widths = [
        Constraint::Length(8),
        Constraint::Length(4),
        Constraint::Length(14),
        Constraint::Fill(1),
    ];
    let header = Row::new(["TIME", "SEV", "SOURCE", "EVENT"]).style(t.title);
    let table = Table::new(visible, widths).header(header).column_spacing(1);
    frame.render_widget(table, inner);
}

fn severity_style(screen: &TimelineScreen<'_>, severity: Severity) -> Style {
    match severity {
        Severity::Info => screen.theme.ok,
        Severity::Warn => screen.theme.warn,
        Severity::Crit => screen.theme.crit,
    }
}
