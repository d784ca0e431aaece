//! A Postgres target's views: top statements, activity, the blocking
//! tree, connections and unused indexes.

use super::QueriesScreen;
use super::WIDE;
use super::cells::{duration_style, one_line, selected, tree_prefixes, window};
use crate::features::queries::model::{
    QueryRow, TargetState, human_bytes, human_duration, human_ms, running,
};
use crate::features::queries::postgres::{Backend, BackendState, StatementsOrder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Wrap};

/// A message in place of a table (an error, or nothing to list).
fn message(frame: &mut Frame, area: Rect, text: String, style: ratatui::style::Style) {
    frame.render_widget(
        Paragraph::new(Line::styled(text, style)).wrap(Wrap { trim: true }),
        area,
    );
}

pub fn statements(frame: &mut Frame, area: Rect, screen: &QueriesScreen<'_>, s: &TargetState) {
    let t = &screen.theme;
    let v = &screen.view;
    let Some(pg) = s.pg() else { return };
    let list = match &pg.statements {
        Ok(list) => list,
        Err(e) => return message(frame, area, e.clone(), t.warn),
    };
    let [note, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let mut note_spans = vec![Span::styled(
        format!("top {} by {}", list.len(), pg.statements_order.label()),
        t.muted,
    )];
    // A cut list read in another order may miss the new order's top ones.
    if pg.statements_order != v.order && list.len() >= pg.statements_limit {
        note_spans.push(Span::styled(
            format!(
                ", sorted by {} until the next poll re-reads",
                v.order.label()
            ),
            t.warn,
        ));
    }
    note_spans.push(Span::styled("   s: order", t.muted));
    frame.render_widget(Paragraph::new(Line::from(note_spans)), note);
    if list.is_empty() {
        return message(
            frame,
            table_area,
            "no statements recorded yet".into(),
            t.muted,
        );
    }
    let wide = area.width >= WIDE;
    let mark = |name: &str, order: StatementsOrder| {
        if v.order == order {
            format!("{name}▼")
        } else {
            name.to_string()
        }
    };
    let mut header = vec![
        mark("MEAN", StatementsOrder::MeanTime),
        "MAX".into(),
        mark("CALLS", StatementsOrder::Calls),
        mark("%TIME", StatementsOrder::TotalTime),
    ];
    let mut widths = vec![
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Length(6),
    ];
    if wide {
        header.extend([
            mark("TOTAL", StatementsOrder::TotalTime),
            mark("ROWS", StatementsOrder::Rows),
        ]);
        widths.extend([Constraint::Length(10), Constraint::Length(10)]);
    }
    header.push("QUERY".into());
    widths.push(Constraint::Fill(1));
    let height = table_area.height.saturating_sub(1);
    let rows = window(screen, height).filter_map(|(i, row)| {
        let QueryRow::Statement { index, .. } = row else {
            return None;
        };
        let st = list.get(*index)?;
        let mut cells = vec![
            Span::styled(human_ms(st.mean_ms), t.text),
            Span::styled(human_ms(st.max_ms), t.muted),
            Span::styled(st.calls.to_string(), t.text),
            Span::styled(
                format!("{:.1}", st.percent_of_total),
                if st.percent_of_total >= 25.0 {
                    t.warn
                } else {
                    t.text
                },
            ),
        ];
        if wide {
            cells.push(Span::styled(human_ms(st.total_ms), t.muted));
            cells.push(Span::styled(st.rows.to_string(), t.muted));
        }
        cells.push(Span::styled(one_line(&st.query), t.text));
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

/// `idle in tx` and friends, short enough for the column.
fn state_label(state: &BackendState) -> &str {
    match state {
        BackendState::IdleInTransaction => "idle in tx",
        BackendState::IdleInTransactionAborted => "idle tx abrt",
        BackendState::FastpathFunctionCall => "fastpath",
        other => other.label(),
    }
}

fn wait_label(b: &Backend) -> String {
    match (&b.wait_event_type, &b.wait_event) {
        (Some(kind), Some(event)) => format!("{kind}:{event}"),
        (Some(kind), None) => kind.clone(),
        _ => "-".into(),
    }
}

/// The cells of a backend after its pid: duration, state, wait, and
/// (wide) user, database, client and blockers; the query last.
fn backend_cells(
    screen: &QueriesScreen<'_>,
    s: &TargetState,
    b: &Backend,
    wide: bool,
) -> Vec<Span<'static>> {
    let t = &screen.theme;
    let threshold = s.pg().map(|pg| pg.activity_threshold).unwrap_or_default();
    let d = running(b);
    let state_style = match b.state {
        BackendState::IdleInTransaction | BackendState::IdleInTransactionAborted => t.warn,
        _ => t.text,
    };
    let mut cells = vec![
        Span::styled(human_duration(d), duration_style(screen, d, threshold)),
        Span::styled(state_label(&b.state).to_string(), state_style),
        Span::styled(
            wait_label(b),
            if b.wait_event_type.as_deref() == Some("Lock") {
                t.crit
            } else {
                t.muted
            },
        ),
        Span::styled(b.application.clone(), t.muted),
    ];
    if wide {
        cells.push(Span::styled(b.user.clone().unwrap_or_default(), t.muted));
        cells.push(Span::styled(
            b.database.clone().unwrap_or_default(),
            t.muted,
        ));
    }
    cells.push(Span::styled(one_line(&b.query), t.text));
    cells
}

fn backend_widths(wide: bool) -> (Vec<&'static str>, Vec<Constraint>) {
    let mut header = vec!["RUNNING", "STATE", "WAIT", "APP"];
    let mut widths = if wide {
        vec![
            Constraint::Length(8),
            Constraint::Length(11),
            Constraint::Length(18),
            Constraint::Length(14),
        ]
    } else {
        vec![
            Constraint::Length(7),
            Constraint::Length(10),
            Constraint::Length(13),
            Constraint::Length(10),
        ]
    };
    if wide {
        header.extend(["USER", "DB"]);
        widths.extend([Constraint::Length(10), Constraint::Length(10)]);
    }
    header.push("QUERY");
    widths.push(Constraint::Fill(1));
    (header, widths)
}

pub fn activity(frame: &mut Frame, area: Rect, screen: &QueriesScreen<'_>, s: &TargetState) {
    let t = &screen.theme;
    let Some(pg) = s.pg() else { return };
    if let Err(e) = &pg.activity {
        return message(frame, area, e.clone(), t.warn);
    }
    if s.backends().is_empty() {
        return message(frame, area, "no active backends".into(), t.muted);
    }
    let wide = area.width >= WIDE;
    let (rest, mut widths) = backend_widths(wide);
    let mut header = vec!["PID"];
    header.extend(rest);
    widths.insert(0, Constraint::Length(8));
    let height = area.height.saturating_sub(1);
    let rows = window(screen, height).filter_map(|(i, row)| {
        let QueryRow::Backend(pid) = row else {
            return None;
        };
        let b = s.backend(*pid)?;
        let blocked = !b.blocked_by.is_empty();
        let pid_text = if blocked {
            format!("{pid}⧗")
        } else {
            pid.to_string()
        };
        let mut cells = vec![Span::styled(
            pid_text,
            if blocked { t.crit } else { t.text },
        )];
        cells.extend(backend_cells(screen, s, b, wide));
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

pub fn blocking(frame: &mut Frame, area: Rect, screen: &QueriesScreen<'_>, s: &TargetState) {
    let t = &screen.theme;
    if s.blocking.is_empty() {
        let text = match s.pg().map(|pg| &pg.activity) {
            Some(Err(e)) => return message(frame, area, e.clone(), t.warn),
            _ => "no lock waits: nobody blocks anybody".to_string(),
        };
        return message(frame, area, text, t.ok);
    }
    let v = &screen.view;
    let depths: Vec<usize> = v
        .rows
        .iter()
        .map(|r| match r {
            QueryRow::Tree { depth, .. } => *depth,
            _ => 0,
        })
        .collect();
    let prefixes = tree_prefixes(&depths);
    let wide = area.width >= WIDE;
    let (rest, mut widths) = backend_widths(wide);
    let mut header = vec![if wide {
        "PID (root blocks those below)"
    } else {
        "PID"
    }];
    header.extend(rest);
    widths.insert(0, Constraint::Length(if wide { 29 } else { 17 }));
    let height = area.height.saturating_sub(1);
    let rows = window(screen, height).filter_map(|(i, row)| {
        let QueryRow::Tree { pid, depth, .. } = row else {
            return None;
        };
        let prefix = prefixes.get(i).cloned().unwrap_or_default();
        let tree = s.blocking.iter().find(|tr| tr.pid == *pid);
        let label = match tree {
            Some(tr) if *depth == 0 => format!("{pid} ◀ blocks {}", tr.waiting()),
            _ => format!("{prefix}{pid}"),
        };
        let style = if *depth == 0 { t.crit } else { t.text };
        let mut cells = vec![Span::styled(label, style)];
        match s.backend(*pid) {
            Some(b) => cells.extend(backend_cells(screen, s, b, wide)),
            None => cells.push(Span::styled(
                "(not in the activity list)".to_string(),
                t.muted,
            )),
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
        area,
    );
}

pub fn connections(frame: &mut Frame, area: Rect, screen: &QueriesScreen<'_>, s: &TargetState) {
    let t = &screen.theme;
    let Some(pg) = s.pg() else { return };
    let [gauge, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    match &pg.connections {
        Ok(c) => {
            const BAR: usize = 20;
            let filled = ((c.ratio.clamp(0.0, 1.0)) * BAR as f64).round() as usize;
            let style = if c.warning { t.crit } else { t.ok };
            let mut spans = vec![
                Span::styled(
                    format!(
                        "connections {}/{} ({:.0}%) ",
                        c.total,
                        c.max_connections,
                        c.ratio * 100.0
                    ),
                    style,
                ),
                Span::styled("█".repeat(filled), style),
                Span::styled("░".repeat(BAR - filled), t.muted),
            ];
            if c.warning {
                spans.push(Span::styled(" pool near exhaustion", t.crit));
            }
            frame.render_widget(Paragraph::new(Line::from(spans)), gauge);
        }
        Err(e) => message(frame, gauge, e.clone(), t.warn),
    }
    let groups = pg.connections.as_ref().map(|c| &c.groups).ok();
    let indexes = pg.unused_indexes.as_ref();
    let total = pg.connections.as_ref().map_or(1, |c| c.total.max(1));
    let height = table_area.height.saturating_sub(1);
    let mut rows = Vec::new();
    let mut index_header_done = false;
    for (i, row) in window(screen, height) {
        match row {
            QueryRow::Group(g) => {
                let Some(g) = groups.and_then(|gs| gs.get(*g)) else {
                    continue;
                };
                let share = g.count as f64 / total as f64 * 100.0;
                let cells = [
                    Span::styled(g.database.clone().unwrap_or_else(|| "-".into()), t.text),
                    Span::styled(
                        if g.application.is_empty() {
                            "(no name)".to_string()
                        } else {
                            g.application.clone()
                        },
                        t.text,
                    ),
                    Span::styled(g.count.to_string(), t.text),
                    Span::styled(format!("{share:.0}%"), t.muted),
                ];
                rows.push(selected(
                    screen,
                    i,
                    Row::new(cells.into_iter().map(Line::from)),
                ));
            }
            QueryRow::Index(x) => {
                if !index_header_done {
                    index_header_done = true;
                    rows.push(
                        Row::new(["UNUSED INDEX (idx_scan = 0)", "TABLE", "SIZE", ""])
                            .style(t.header),
                    );
                }
                let Some(ix) = indexes.ok().and_then(|l| l.get(*x)) else {
                    continue;
                };
                let cells = [
                    Span::styled(ix.index.clone(), t.warn),
                    Span::styled(format!("{}.{}", ix.schema, ix.table), t.muted),
                    Span::styled(human_bytes(u64::try_from(ix.bytes).unwrap_or(0)), t.text),
                    Span::raw(""),
                ];
                rows.push(selected(
                    screen,
                    i,
                    Row::new(cells.into_iter().map(Line::from)),
                ));
            }
            _ => {}
        }
    }
    if let Err(e) = indexes {
        rows.push(Row::new([Line::styled(e.clone(), t.warn)]));
    } else if indexes.is_ok_and(|l| l.is_empty()) {
        rows.push(Row::new([Line::styled("no unused indexes", t.muted)]));
    }
    let widths = [
        Constraint::Length(28),
        Constraint::Fill(1),
        Constraint::Length(9),
        Constraint::Length(6),
    ];
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(["DATABASE", "APPLICATION", "CONN", "SHARE"]).style(t.header))
            .column_spacing(1),
        table_area,
    );
}
