//! The `?` overlay: every binding of the current screen, from the live keymap.

use crate::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, scroll: u16) {
    let t = &app.theme;
    let popup = centered(area, 70, area.height.saturating_sub(4));
    let contexts = [app.tab.context(), "global"];
    let mut lines = Vec::new();
    for ctx in contexts {
        let bindings: Vec<_> = app
            .keymap
            .effective(&contexts)
            .into_iter()
            .filter(|(c, _)| *c == ctx)
            .collect();
        if bindings.is_empty() {
            continue;
        }
        lines.push(Line::styled(format!("{} keys", title_case(ctx)), t.title));
        for (_, b) in bindings {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<12}", b.keys()), t.key),
                Span::styled(format!("{:<28}", b.desc), t.text),
                Span::styled(b.run.to_string(), t.muted),
            ]));
        }
        lines.push(Line::default());
    }
    lines.push(Line::styled(
        "Commands: type : then Tab to complete (quit, tab <name>, theme <name>, help).",
        t.muted,
    ));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent)
        .title(Span::styled(
            format!(" Help — {} ", app.tab.title()),
            t.title,
        ))
        .title_bottom(Span::styled(" j/k scroll · Esc closes ", t.muted));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(t.text)
            .scroll((scroll, 0)),
        popup,
    );
}

fn title_case(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
