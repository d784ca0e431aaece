//! A MongoDB target's views: currentOp over the threshold (COLLSCAN in
//! the crit colour), slow ops from the profiler, replica-set members.

use super::QueriesScreen;
use super::WIDE;
use super::cells::{duration_style, one_line, selected, window};
use crate::features::queries::model::{QueryRow, TargetState, human_duration};
use crate::features::queries::mongo::ReplicaSet;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Wrap};
use std::time::Duration;

fn message(frame: &mut Frame, area: Rect, text: String, style: Style) {
    frame.render_widget(
        Paragraph::new(Line::styled(text, style)).wrap(Wrap { trim: true }),
        area,
    );
}

/// The plan summary, COLLSCAN in the crit colour.
fn plan_span(screen: &QueriesScreen<'_>, plan: Option<&str>) -> Span<'static> {
    let t = &screen.theme;
    match plan {
        Some(p) if p.contains("COLLSCAN") => Span::styled(p.to_string(), t.crit),
        Some(p) => Span::styled(p.to_string(), t.muted),
        None => Span::styled("-", t.muted),
    }
}

pub fn ops(frame: &mut Frame, area: Rect, screen: &QueriesScreen<'_>, s: &TargetState) {
    let t = &screen.theme;
    let Some(m) = s.mongo() else { return };
    if let Err(e) = &m.ops {
        return message(frame, area, e.clone(), t.warn);
    }
    if s.ops().is_empty() {
        return message(
            frame,
            area,
            format!("no op has run {}s or longer", m.secs_running),
            t.ok,
        );
    }
    let wide = area.width >= WIDE;
    let mut header = vec!["OPID", "SECS", "OP", "NS", "PLAN"];
    let mut widths = vec![
        Constraint::Length(10),
        Constraint::Length(6),
        Constraint::Length(8),
        Constraint::Length(16),
        Constraint::Length(12),
    ];
    if wide {
        header.extend(["APP", "CLIENT", "LOCK"]);
        widths.extend([
            Constraint::Length(14),
            Constraint::Length(21),
            Constraint::Length(7),
        ]);
    }
    header.push("COMMAND");
    widths.push(Constraint::Fill(1));
    let threshold = Duration::from_secs(u64::from(m.secs_running.max(1)));
    let height = area.height.saturating_sub(1);
    let rows = window(screen, height).filter_map(|(i, row)| {
        let QueryRow::Op(opid) = row else { return None };
        let op = s.op(opid)?;
        let secs = Duration::from_secs(u64::try_from(op.secs_running).unwrap_or(0));
        let mut cells = vec![
            Span::styled(
                if op.waiting_for_lock {
                    format!("{opid}⧗")
                } else {
                    opid.to_string()
                },
                if op.waiting_for_lock { t.warn } else { t.text },
            ),
            Span::styled(
                op.secs_running.to_string(),
                duration_style(screen, secs, threshold),
            ),
            Span::styled(op.op.clone(), t.text),
            Span::styled(op.ns.clone(), t.text),
            plan_span(screen, op.plan_summary.as_deref()),
        ];
        if wide {
            cells.push(Span::styled(
                op.app_name.clone().unwrap_or_default(),
                t.muted,
            ));
            cells.push(Span::styled(
                op.client.clone().unwrap_or_else(|| "internal".into()),
                t.muted,
            ));
            cells.push(if op.waiting_for_lock {
                Span::styled("waiting", t.warn)
            } else {
                Span::styled("-", t.muted)
            });
        }
        cells.push(Span::styled(one_line(&op.command), t.text));
        Some(selected(
            screen,
            i,
            Row::new(cells.into_iter().map(Line::from)),
        ))
    });
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(t.header))
            .column_spacing(1),
        area,
    );
}

pub fn slow(frame: &mut Frame, area: Rect, screen: &QueriesScreen<'_>, s: &TargetState) {
    let t = &screen.theme;
    let Some(m) = s.mongo() else { return };
    // Databases with nothing to list say why: profiling off, or an error.
    let notes: Vec<Line> = m
        .profiles
        .iter()
        .filter_map(|(db, p)| match p {
            Err(e) => Some(Line::styled(format!("{db}: {e}"), t.warn)),
            Ok(p) => p.off_message().map(|m| Line::styled(m, t.warn)),
        })
        .collect();
    if m.profiles.is_empty() {
        return message(
            frame,
            area,
            "no profile databases configured (profile_dbs = [\"shop\"] under the target)".into(),
            t.muted,
        );
    }
    let [notes_area, table_area] = Layout::vertical([
        Constraint::Length(notes.len().min(3) as u16),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(notes), notes_area);
    if screen.view.is_empty() {
        return message(
            frame,
            table_area,
            "no slow operations recorded".into(),
            t.muted,
        );
    }
    let wide = area.width >= WIDE;
    let mut header = vec!["NS", "TIME", "OP", "EXAM/RET", "PLAN"];
    let mut widths = vec![
        Constraint::Length(18),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Fill(1),
    ];
    if wide {
        header.extend(["APP", "AT"]);
        widths.extend([Constraint::Length(16), Constraint::Length(9)]);
    }
    let height = table_area.height.saturating_sub(1);
    let rows = window(screen, height).filter_map(|(i, row)| {
        let QueryRow::Slow { db, op } = row else {
            return None;
        };
        let p = m.profiles.get(*db)?.1.as_ref().ok()?;
        let o = p.ops.get(*op)?;
        let ratio = o.examined_per_returned();
        let mut cells = vec![
            Span::styled(o.ns.clone(), t.text),
            Span::styled(
                human_duration(Duration::from_millis(u64::try_from(o.millis).unwrap_or(0))),
                t.text,
            ),
            Span::styled(o.op.clone(), t.text),
            Span::styled(
                format!("{ratio:.0}"),
                if ratio >= 1000.0 {
                    t.crit
                } else if ratio >= 10.0 {
                    t.warn
                } else {
                    t.text
                },
            ),
            plan_span(screen, o.plan_summary.as_deref()),
        ];
        if wide {
            cells.push(Span::styled(
                o.app_name.clone().unwrap_or_default(),
                t.muted,
            ));
            cells.push(Span::styled(
                o.ts.map(|ts| ts.format("%H:%M:%S").to_string())
                    .unwrap_or_default(),
                t.muted,
            ));
        }
        Some(selected(
            screen,
            i,
            Row::new(cells.into_iter().map(Line::from)),
        ))
    });
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(t.header))
            .column_spacing(1),
        table_area,
    );
}

pub fn replica_set(frame: &mut Frame, area: Rect, screen: &QueriesScreen<'_>, s: &TargetState) {
    let t = &screen.theme;
    let Some(m) = s.mongo() else { return };
    let (set, members) = match &m.replica_set {
        Err(e) => return message(frame, area, e.clone(), t.warn),
        Ok(ReplicaSet::NotReplicaSet) => {
            return message(
                frame,
                area,
                "a standalone server: not a replica set".into(),
                t.muted,
            );
        }
        Ok(ReplicaSet::Members { set, members }) => (set, members),
    };
    let [title, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    frame.render_widget(
        Paragraph::new(Line::styled(format!("replica set {set}"), t.muted)),
        title,
    );
    let height = table_area.height.saturating_sub(1);
    let rows = window(screen, height).filter_map(|(i, row)| {
        let QueryRow::Member(x) = row else {
            return None;
        };
        let member = members.get(*x)?;
        let state_style = match member.state.as_str() {
            "PRIMARY" | "SECONDARY" if member.healthy => t.ok,
            "ARBITER" if member.healthy => t.muted,
            _ => t.crit,
        };
        let lag = match member.lag_secs {
            Some(l) => format!("{l}s"),
            None => "-".into(),
        };
        let lag_style = match member.lag_secs {
            Some(l) if l >= 30 => t.crit,
            Some(l) if l >= 10 => t.warn,
            _ => t.text,
        };
        let cells = [
            Span::styled(member.name.clone(), t.text),
            Span::styled(member.state.clone(), state_style),
            Span::styled(
                if member.healthy { "up" } else { "DOWN" },
                if member.healthy { t.ok } else { t.crit },
            ),
            Span::styled(lag, lag_style),
        ];
        Some(selected(
            screen,
            i,
            Row::new(cells.into_iter().map(Line::from)),
        ))
    });
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(24),
        Constraint::Length(7),
        Constraint::Length(10),
    ];
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(["MEMBER", "STATE", "HEALTH", "LAG"]).style(t.header))
            .column_spacing(1),
        table_area,
    );
}
