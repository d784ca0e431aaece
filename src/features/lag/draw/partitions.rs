//! The selected group's partitions: committed and log-end offsets, lag,
//! the member that owns each. "none" means the group never committed there;
//! its lag then counts from the log start.

use super::LagScreen;
use crate::features::lag::stats::partition_lag;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Row, Table};

pub fn draw(frame: &mut Frame, area: Rect, screen: &LagScreen<'_>) {
    let t = screen.theme;
    let Some(s) = screen.selected_group() else {
        return;
    };
    // The sample before the latest, for each partition's consume rate.
    let previous = screen
        .view
        .selected()
        .and_then(|k| screen.lag.groups.get(k)?.previous());
    let members = s
        .description
        .as_ref()
        .map(|d| d.members.as_slice())
        .unwrap_or(&[]);
    let mut title = vec![Span::styled(format!(" {} partitions ", s.group), t.title)];
    if !s.missing_topics.is_empty() {
        title.push(Span::styled(
            format!("· topic gone: {} ", s.missing_topics.join(", ")),
            t.warn,
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let selected = screen.view.partition;
    let height = usize::from(inner.height.saturating_sub(1));
    let top = selected.saturating_sub(height.saturating_sub(1));
    let rows = s
        .partitions
        .iter()
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(i, p)| {
            let lag = partition_lag(p);
            let owner = p
                .owner
                .as_ref()
                .and_then(|id| members.iter().find(|m| &m.member_id == id))
                .map_or_else(
                    || p.owner.clone().unwrap_or_else(|| "-".into()),
                    |m| format!("{} / {}", m.client_id, m.host),
                );
            let (committed, lag_text) = match p.committed {
                Some(c) => (c.to_string(), lag.lag.to_string()),
                None => ("none".to_string(), format!("{} (from log start)", lag.lag)),
            };
            let rate = previous
                .and_then(|before| {
                    let old = before.partition(&p.tp)?.committed?;
                    let secs = (s.at - before.at).num_milliseconds() as f64 / 1000.0;
                    let now = p.committed?;
                    Some(if now < old {
                        "reset".to_string()
                    } else if secs > 0.0 {
                        format!("{:.1}/s", (now - old) as f64 / secs)
                    } else {
                        "-".to_string()
                    })
                })
                .unwrap_or_else(|| "-".to_string());
            let row = Row::new(vec![
                Line::from(p.tp.topic.clone()),
                Line::from(p.tp.partition.to_string()),
                Line::from(Span::styled(
                    committed,
                    if p.committed.is_none() {
                        t.warn
                    } else {
                        t.text
                    },
                )),
                Line::from(p.high.to_string()),
                Line::from(Span::styled(
                    lag_text,
                    if lag.lag > 0 { t.warn } else { t.ok },
                )),
                Line::from(rate),
                Line::from(Span::styled(owner, t.muted)),
            ]);
            if i == selected {
                row.style(t.selection)
            } else {
                row
            }
        });
    let widths = [
        Constraint::Length(24),
        Constraint::Length(5),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(26),
        Constraint::Length(9),
        Constraint::Fill(1),
    ];
    let header = Row::new([
        "TOPIC",
        "PART",
        "COMMITTED",
        "LOG END",
        "LAG",
        "RATE",
        "MEMBER",
    ])
    .style(t.header);
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
}
