//! The Console tab: opsdeck's own log, through tui-logger.

use super::feature::ConsoleTab;
use crate::shared::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};
use tui_logger::{TuiLoggerLevelOutput, TuiLoggerWidget};

pub fn draw(frame: &mut Frame, area: Rect, t: &Theme, console: &ConsoleTab) {
    let title = Line::from(vec![
        Span::styled(" Console ", t.title),
        Span::styled(
            format!(
                "level {} and above · PgUp/PgDn scroll, End follows ",
                console.level
            ),
            t.muted,
        ),
    ]);
    let widget = TuiLoggerWidget::default()
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.border)
                .title(title),
        )
        .style(t.text)
        .style_error(t.crit)
        .style_warn(t.warn)
        .style_info(t.text)
        .style_debug(t.muted)
        .style_trace(t.muted)
        .output_separator(' ')
        .output_timestamp(Some("%H:%M:%S".to_string()))
        .output_level(Some(TuiLoggerLevelOutput::Abbreviated))
        .output_target(false)
        .output_file(false)
        .output_line(false)
        .state(&console.widget);
    frame.render_widget(widget, area);
}
