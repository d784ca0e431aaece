//! The tab bar.

use crate::app::App;
use crate::app::layout::{tab_bar, tab_label};
use crate::app::tab::Tab;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let mut spans = Vec::new();
    let bar = tab_bar(area.width);
    for tab in Tab::ALL {
        let style = if tab == app.tab {
            t.tab_active
        } else {
            t.tab_inactive
        };
        spans.push(Span::styled(tab_label(tab, bar, tab == app.tab), style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
