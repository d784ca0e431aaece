//! The selected row in full: every field, and the whole query text with
//! its line breaks (the tables cut it to one line).

use super::QueriesScreen;
use crate::features::queries::model::{QueryRow, TargetState, human_duration, human_ms};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use std::time::Duration;

pub fn draw(frame: &mut Frame, area: Rect, screen: &QueriesScreen<'_>, s: &TargetState) {
    let t = &screen.theme;
    let mut lines: Vec<Line> = Vec::new();
    let field = |name: &str, value: String, style: Style| {
        Line::from(vec![
            Span::styled(format!("{name:<13}"), t.muted),
            Span::styled(value, style),
        ])
    };
    let text_block = |text: &str, lines: &mut Vec<Line>| {
        lines.push(Line::styled("", t.text));
        for l in text.lines() {
            lines.push(Line::styled(l.to_string(), t.text));
        }
    };
    match screen.view.selected() {
        Some(QueryRow::Statement { index, .. }) => {
            if let Some(st) = s
                .pg()
                .and_then(|pg| pg.statements.as_ref().ok())
                .and_then(|l| l.get(*index))
            {
                lines.push(field(
                    "queryid",
                    st.queryid.map_or_else(|| "-".into(), |q| q.to_string()),
                    t.text,
                ));
                lines.push(field(
                    "time",
                    format!(
                        "mean {}, max {}, total {} ({:.1}% of all)",
                        human_ms(st.mean_ms),
                        human_ms(st.max_ms),
                        human_ms(st.total_ms),
                        st.percent_of_total
                    ),
                    t.text,
                ));
                lines.push(field(
                    "calls",
                    format!("{} calls, {} rows", st.calls, st.rows),
                    t.text,
                ));
                text_block(&st.query, &mut lines);
            }
        }
        Some(QueryRow::Backend(pid)) | Some(QueryRow::Tree { pid, .. }) => {
            let pid = *pid;
            match s.backend(pid) {
                Some(b) => {
                    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
                    lines.push(field(
                        "pid",
                        format!("{pid} ({}, {})", b.backend_type, b.state.label()),
                        t.accent,
                    ));
                    lines.push(field(
                        "who",
                        format!(
                            "user {}{}, db {}, app {}, client {}",
                            opt(&b.user),
                            if b.superuser { " (superuser)" } else { "" },
                            opt(&b.database),
                            if b.application.is_empty() {
                                "-"
                            } else {
                                &b.application
                            },
                            b.client_addr
                                .map_or_else(|| "local".into(), |a| a.to_string())
                        ),
                        t.text,
                    ));
                    let d = |d: Option<Duration>| d.map_or_else(|| "-".into(), human_duration);
                    lines.push(field(
                        "running",
                        format!(
                            "query {}, transaction {}",
                            d(b.query_duration),
                            d(b.xact_duration)
                        ),
                        t.text,
                    ));
                    let wait = match (&b.wait_event_type, &b.wait_event) {
                        (Some(k), Some(e)) => format!("{k}: {e}"),
                        (Some(k), None) => k.clone(),
                        _ => "-".into(),
                    };
                    lines.push(field("waits on", wait, t.text));
                    if !b.blocked_by.is_empty() {
                        let pids: Vec<String> =
                            b.blocked_by.iter().map(|p| p.to_string()).collect();
                        lines.push(field("blocked by", pids.join(", "), t.crit));
                    }
                    if let Some(tree) = s.blocking.iter().find(|tr| tr.pid == pid) {
                        lines.push(field(
                            "blocks",
                            format!(
                                "{} backend(s) (root of a chain: C cancels, X terminates it)",
                                tree.waiting()
                            ),
                            t.crit,
                        ));
                    }
                    text_block(&b.query, &mut lines);
                }
                None => lines.push(field(
                    "pid",
                    format!("{pid}: not in the activity list (its query is unknown)"),
                    t.muted,
                )),
            }
        }
        Some(QueryRow::Op(opid)) => {
            if let Some(op) = s.op(opid) {
                lines.push(field(
                    "opid",
                    format!("{opid} ({} on {})", op.op, op.ns),
                    t.accent,
                ));
                lines.push(field(
                    "running",
                    human_duration(Duration::from_secs(
                        u64::try_from(op.secs_running).unwrap_or(0),
                    )),
                    t.text,
                ));
                lines.push(field(
                    "plan",
                    op.plan_summary.clone().unwrap_or_else(|| "-".into()),
                    if op.is_collscan() { t.crit } else { t.text },
                ));
                lines.push(field(
                    "client",
                    format!(
                        "{} (app {}, {})",
                        op.client.as_deref().unwrap_or("internal"),
                        op.app_name.as_deref().unwrap_or("-"),
                        op.desc.as_deref().unwrap_or("-")
                    ),
                    t.text,
                ));
                if op.waiting_for_lock {
                    lines.push(field("lock", "waiting for a lock".into(), t.warn));
                }
                text_block(&op.command, &mut lines);
            }
        }
        Some(QueryRow::Slow { db, op }) => {
            if let Some(o) = s
                .mongo()
                .and_then(|m| m.profiles.get(*db))
                .and_then(|(_, p)| p.as_ref().ok())
                .and_then(|p| p.ops.get(*op))
            {
                lines.push(field("ns", format!("{} ({})", o.ns, o.op), t.accent));
                lines.push(field("millis", o.millis.to_string(), t.text));
                lines.push(field(
                    "examined",
                    format!(
                        "{} docs for {} returned ({:.0} per returned)",
                        o.docs_examined,
                        o.nreturned,
                        o.examined_per_returned()
                    ),
                    t.text,
                ));
                lines.push(field(
                    "plan",
                    o.plan_summary.clone().unwrap_or_else(|| "-".into()),
                    if o.is_collscan() { t.crit } else { t.text },
                ));
                lines.push(field(
                    "at",
                    o.ts.map_or_else(|| "-".into(), |ts| ts.to_rfc3339()),
                    t.text,
                ));
                lines.push(field(
                    "app",
                    o.app_name.clone().unwrap_or_else(|| "-".into()),
                    t.text,
                ));
            }
        }
        Some(QueryRow::Slowlog(x)) => {
            if let Some(e) = s.redis().and_then(|r| r.slowlog.get(*x)) {
                lines.push(field("id", e.id.to_string(), t.accent));
                lines.push(field("duration", human_duration(e.duration), t.text));
                lines.push(field(
                    "client",
                    format!(
                        "{} {}",
                        e.client_addr.as_deref().unwrap_or("-"),
                        e.client_name.as_deref().unwrap_or("")
                    ),
                    t.text,
                ));
                text_block(&e.args.join(" "), &mut lines);
            }
        }
        Some(QueryRow::Member(_)) | Some(QueryRow::Group(_)) | Some(QueryRow::Index(_)) => {
            lines.push(Line::styled("every field is in the table above", t.muted));
        }
        None => {}
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
