//! The selected breaker in full: where it is read, thresholds, the
//! window's calls, and every transition seen.

use super::BreakersScreen;
use super::cells::{count, rate_text};
use crate::features::breakers::model::{BreakerRow, VisibleRow};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, screen: &BreakersScreen<'_>) {
    let t = screen.theme;
    let b = screen.breakers;
    let rows: Vec<&BreakerRow> = match screen.view.selected() {
        Some(VisibleRow::One(key)) => b.get(key).into_iter().collect(),
        Some(VisibleRow::Group(g)) => b
            .rows
            .values()
            .filter(|r| r.key.service == g.service && r.key.breaker == g.breaker && b.shown(r))
            .collect(),
        None => Vec::new(),
    };
    let mut lines = Vec::new();
    for r in rows {
        let f = &r.figures;
        let field = |name: &str| Span::styled(format!("{name:<13}"), t.muted);
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", r.key.instance), t.accent),
            Span::styled(format!("{} ", r.key.breaker), t.text),
            Span::styled(
                format!("({} via {})", f.state.as_str(), r.source.label()),
                t.muted,
            ),
        ]));
        let where_ = r
            .endpoint
            .as_ref()
            .map_or_else(|| format!("prometheus instance {}", r.target), |e| e.base());
        lines.push(Line::from(vec![field("endpoint"), Span::raw(where_)]));
        let warming = |rate: Option<crate::features::breakers::data::Rate>| {
            if rate == Some(crate::features::breakers::data::Rate::NotEnoughCalls) {
                "warming up (not enough calls)".to_string()
            } else {
                String::new()
            }
        };
        lines.push(Line::from(vec![
            field("failure rate"),
            Span::raw(format!(
                "{} {}",
                rate_text(f.failure_rate, f.failure_threshold),
                warming(f.failure_rate)
            )),
        ]));
        lines.push(Line::from(vec![
            field("slow calls"),
            Span::raw(format!(
                "{} {}",
                rate_text(f.slow_rate, f.slow_threshold),
                warming(f.slow_rate)
            )),
        ]));
        lines.push(Line::from(vec![
            field("window"),
            Span::raw(format!(
                "{} buffered, {} failed, {} slow; {} not permitted since start",
                count(f.buffered),
                count(f.failed),
                count(f.slow),
                count(f.not_permitted)
            )),
        ]));
        let since = r.since.format("%H:%M:%S").to_string();
        lines.push(Line::from(vec![
            field("since"),
            Span::raw(if r.since_known {
                since
            } else {
                format!("{since} (first seen; the change itself was not observed)")
            }),
        ]));
        for tr in r.transitions.iter().rev() {
            lines.push(Line::from(vec![
                field(""),
                Span::styled(
                    format!(
                        "{} {} → {}",
                        tr.at.format("%H:%M:%S"),
                        tr.from.as_str(),
                        tr.to.as_str()
                    ),
                    t.text,
                ),
            ]));
        }
        if let Some(e) = &r.error {
            lines.push(Line::from(vec![
                field("last poll"),
                Span::styled(e.clone(), t.warn),
            ]));
        }
        lines.push(Line::default());
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(" Detail (Esc closes) ", t.title));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
