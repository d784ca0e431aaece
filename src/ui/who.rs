//! The `:who` overlay: the war room's members, from their heartbeats.

use crate::app::{App, member_rows};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let room = &app.model.room;
    let rows = member_rows(app);
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|[who, context, tab, idle]| {
            Line::from(vec![
                Span::styled(format!("{who:<28} "), t.text),
                Span::styled(format!("{context:<16} "), t.muted),
                Span::styled(format!("{tab:<10} "), t.text),
                Span::styled(idle.clone(), t.muted),
            ])
        })
        .collect();
    if rows.is_empty() {
        lines.push(Line::styled("no heartbeat seen yet", t.muted));
    }
    if let Some(crate::core::room::RoomLink::Down(why)) = &room.link {
        lines.push(Line::default());
        lines.push(Line::styled(format!("room unreachable: {why}"), t.crit));
    }
    if room.dropped > 0 {
        let why = room.last_drop.as_ref().map_or("", |w| w.as_str());
        lines.push(Line::styled(
            format!("{} room messages dropped (last: {why})", room.dropped),
            t.warn,
        ));
    }
    let name = room.name.as_ref().map_or("", |n| n.as_str());
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let popup = super::help::centered(area, 76, height.min(area.height));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent)
        .title(Span::styled(
            format!(" Room {name}: {} here ", rows.len()),
            t.title,
        ))
        .title_bottom(Span::styled(" Esc closes ", t.muted));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block).style(t.text), popup);
}
