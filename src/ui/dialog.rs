//! The action dialog: the whole plan, each guard decision, the confirmation.

use crate::app::App;
use crate::app::dialog::{ActionDialog, Stage};
use crate::core::action::{Confirm, Risk};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

pub fn draw(frame: &mut Frame, area: Rect, app: &App, d: &ActionDialog) {
    let t = &app.theme;
    let width = area.width.saturating_sub(4).min(96);
    let p = &d.plan;
    let (risk_text, risk_style) = match p.risk {
        Risk::Low => ("low", t.ok),
        Risk::High => ("HIGH", t.crit),
    };
    let field = |name: &str| Span::styled(format!("{name:<9}"), t.muted);
    let mut lines = vec![Line::from(vec![
        field("target"),
        Span::styled(p.target.to_string(), t.text),
    ])];
    // Plans over several instances list each on a line of its own.
    lines.extend(multiline(field("effect"), &p.effect, t.accent, field("")));
    lines.extend(vec![
        Line::from(vec![
            field("risk"),
            Span::styled(risk_text, risk_style),
            Span::styled(
                p.risk_reason
                    .as_ref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default(),
                t.muted,
            ),
        ]),
        Line::from(vec![
            field("undo"),
            Span::styled(p.undo_text.clone(), t.text),
        ]),
    ]);
    lines.extend(multiline(field("command"), &p.cli, t.key, field("")));
    lines.push(Line::default());
    let head = lines.len();
    lines.extend(check_lines(app, d, false));
    let stage = stage_lines(app, d);
    let title = Line::from(vec![
        Span::styled(format!(" {} ", p.action.verb().replace('_', " ")), t.title),
        Span::styled(format!("{} ", p.target.name), t.accent),
    ]);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if p.risk == Risk::High {
            t.crit
        } else {
            t.accent
        })
        .title(title);
    // Room for every line (plans over many pods are longer), within the body.
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows = |lines: &[Line]| -> u16 {
        let n: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
        u16::try_from(n).unwrap_or(u16::MAX)
    };
    let (body_rows, stage_rows) = (rows(&lines), rows(&stage));
    let height = area
        .height
        .min((body_rows.saturating_add(stage_rows) + 2).max(22));
    if body_rows.saturating_add(stage_rows) + 2 > height {
        // Too tall for the terminal (80x24): the plain passes fold into
        // one line, so every refusal and every check that was not really
        // made (not checked, lock not taken) stays in view.
        lines.truncate(head);
        lines.extend(check_lines(app, d, true));
    }
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, popup);
    let inside = block.inner(popup);
    frame.render_widget(block, popup);
    // The confirmation stays in view, at the bottom: what does not fit is
    // cut from the plan's end, never the field to type in or the buttons.
    let [body, foot] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(stage_rows)]).areas(inside);
    let text = |lines| {
        Paragraph::new(lines)
            .style(t.text)
            .wrap(Wrap { trim: false })
    };
    frame.render_widget(text(lines), body);
    frame.render_widget(text(stage), foot);
}

/// `text` split at newlines: the first line after `head`, the rest after `indent`.
fn multiline(
    head: Span<'static>,
    text: &str,
    style: Style,
    indent: Span<'static>,
) -> Vec<Line<'static>> {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            let lead = if i == 0 { head.clone() } else { indent.clone() };
            Line::from(vec![lead, Span::styled(l.to_string(), style)])
        })
        .collect()
}

/// One line per guard decision; `fold`: the plain passes on one line.
fn check_lines(app: &App, d: &ActionDialog, fold: bool) -> Vec<Line<'static>> {
    let t = &app.theme;
    let plain = |x: &crate::remediation::guard::Decision| {
        x.passed && !x.detail.starts_with("not checked") && !x.detail.contains("could not")
    };
    let mut out = Vec::new();
    if fold {
        let passed: Vec<&str> = d
            .decisions
            .iter()
            .filter(|x| plain(x))
            .map(|x| x.step.label())
            .collect();
        if !passed.is_empty() {
            out.push(Line::from(vec![
                Span::styled("ok  ", t.ok),
                Span::styled(passed.join(" · "), t.muted),
            ]));
        }
    }
    for decision in d.decisions.iter().filter(|x| !fold || !plain(x)) {
        let (mark, style) = if decision.passed {
            ("ok  ", t.ok)
        } else {
            ("NO  ", t.crit)
        };
        out.push(Line::from(vec![
            Span::styled(mark, style),
            Span::styled(format!("{:<14}", decision.step.label()), t.muted),
            Span::styled(
                decision.detail.clone(),
                if decision.passed { t.text } else { t.crit },
            ),
        ]));
    }
    if d.stage == Stage::Checking {
        out.push(Line::styled("…   checking permission and dry run", t.muted));
    }
    out.push(Line::default());
    out
}

fn stage_lines(app: &App, d: &ActionDialog) -> Vec<Line<'static>> {
    let t = &app.theme;
    match &d.stage {
        Stage::Checking | Stage::Ready => {
            let mut out = Vec::new();
            if d.confirm == Confirm::Typed {
                let why = d.confirm_why.clone().unwrap_or_default();
                out.push(Line::styled(
                    format!("type {:?} to confirm ({why}):", d.plan.confirm_text()),
                    t.warn,
                ));
                out.push(Line::from(vec![
                    Span::styled("> ", t.key),
                    Span::styled(format!("{}_", d.typed), t.input),
                ]));
            }
            out.push(buttons(app, d));
            out
        }
        Stage::Locking => vec![Line::styled(
            "asking the war room for the lock… (Esc cancels)",
            t.accent,
        )],
        Stage::Running { since } => {
            let secs = (app.now - *since).num_seconds().max(0);
            let spin = SPINNER[(secs as usize) % SPINNER.len()];
            vec![Line::styled(
                format!("{spin} running… {secs}s (the console stays live; Esc hides this)"),
                t.accent,
            )]
        }
        Stage::Done { ok, message } => vec![
            Line::styled(message.clone(), if *ok { t.ok } else { t.crit }),
            Line::styled("Enter or Esc closes", t.muted),
        ],
        Stage::Refused { reason } => vec![
            Line::styled(format!("refused — {reason}"), t.crit),
            Line::styled("nothing was done. Enter or Esc closes", t.muted),
        ],
    }
}

fn buttons(app: &App, d: &ActionDialog) -> Line<'static> {
    let t = &app.theme;
    let focus = |on: bool, base: Style| {
        if on {
            base.add_modifier(Modifier::REVERSED)
        } else {
            base
        }
    };
    let confirm_style = if d.can_confirm() {
        t.ok
    } else {
        t.muted.add_modifier(Modifier::CROSSED_OUT)
    };
    let hint = match d.confirm {
        Confirm::Key => "   y confirms · Tab moves · Esc cancels",
        Confirm::Typed => "   Tab to Confirm, Enter · Esc cancels",
    };
    Line::from(vec![
        Span::styled("[ Cancel ]", focus(!d.focus_confirm, t.text)),
        Span::raw("  "),
        Span::styled("[ Confirm ]", focus(d.focus_confirm, confirm_style)),
        Span::styled(hint, t.muted),
    ])
}
