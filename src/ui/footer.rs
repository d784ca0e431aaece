//! The two bottom lines: a status or input line, and key hints generated
//! from the live keymap.

use crate::app::{App, Overlay};
use crate::core::command::Command;
use crate::core::source::Severity;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

pub fn draw(frame: &mut Frame, status: Rect, hints: Rect, app: &App) {
    let t = &app.theme;
    match &app.overlay {
        Overlay::Input(line) => {
            let prompt = line.kind.prompt();
            let width = status.width.saturating_sub(prompt.len() as u16 + 1) as usize;
            let scroll = line.input.visual_scroll(width);
            let text: String = line.value().chars().skip(scroll).collect();
            let p = Paragraph::new(Line::from(vec![
                Span::styled(prompt, t.key),
                Span::styled(text, t.input),
            ]))
            .style(t.input);
            frame.render_widget(p, status);
            let x = status.x
                + prompt.len() as u16
                + (line.input.visual_cursor().saturating_sub(scroll)) as u16;
            frame.set_cursor_position(Position::new(
                x.min(status.right().saturating_sub(1)),
                status.y,
            ));
            if !line.completions.is_empty() && status.y > 0 {
                draw_completions(
                    frame,
                    Rect::new(status.x, status.y - 1, status.width, 1),
                    app,
                );
            }
        }
        _ => {
            let line = match (&app.status, app.pending_keys.is_empty()) {
                // Leaving while an action runs: what it waits for, above all.
                _ if let Some(text) = app.leaving_line() => Line::styled(text, t.warn),
                (_, false) => {
                    let keys: Vec<String> =
                        app.pending_keys.iter().map(|k| k.to_string()).collect();
                    Line::styled(format!("{} …", keys.join(" ")), t.key)
                }
                (Some(s), true) => {
                    let style = match s.severity {
                        Severity::Info => t.text,
                        Severity::Warn => t.warn,
                        Severity::Crit => t.crit,
                    };
                    Line::styled(s.text.clone(), style)
                }
                (None, true) => Line::default(),
            };
            frame.render_widget(Paragraph::new(line), status);
        }
    }
    frame.render_widget(Paragraph::new(hint_line(app)), hints);
}

fn draw_completions(frame: &mut Frame, area: Rect, app: &App) {
    let Overlay::Input(line) = &app.overlay else {
        return;
    };
    let t = &app.theme;
    let mut spans = Vec::new();
    for (i, c) in line.completions.iter().enumerate() {
        let style = if Some(i) == line.completion_index {
            t.selection
        } else {
            t.muted
        };
        spans.push(Span::styled(format!(" {c} "), style));
    }
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(Line::from(spans)).style(t.input), area);
}

/// `?` first (it lists everything), then the focused context's keys, then
/// the other global essentials; the line is cut at the screen's edge.
pub fn hint_line(app: &App) -> Line<'static> {
    let t = &app.theme;
    let contexts = app.contexts();
    let effective = app.keymap.effective(&contexts);
    let mut shown: Vec<&Command> = Vec::new();
    let mut spans = Vec::new();
    let essentials = [Command::CommandLine, Command::Filter, Command::Quit];
    let help = effective
        .iter()
        .filter(|(ctx, b)| *ctx == "global" && b.run == Command::Help);
    let specific = effective.iter().filter(|(ctx, _)| *ctx != "global");
    let global = effective
        .iter()
        .filter(|(ctx, b)| *ctx == "global" && essentials.contains(&b.run));
    for (_, b) in help.chain(specific).chain(global) {
        if shown.contains(&&b.run) {
            continue;
        }
        shown.push(&b.run);
        spans.push(Span::styled(b.keys(), t.key));
        spans.push(Span::styled(format!(" {}  ", b.desc), t.muted));
    }
    Line::from(spans)
}
