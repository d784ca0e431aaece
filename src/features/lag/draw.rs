//! The Lag tab: consumer groups worst first (lag, its trend as a
//! sparkline, rates, time to drain, rebalances), the selected group's
//! partitions on Enter, and the dead-letter topics underneath.

mod groups;
mod partitions;

use super::model::Consumers;
use super::settings::KafkaSettings;
use super::stats::GroupSnapshot;
use super::view::LagView;
use crate::core::health::SourceHealth;
use crate::shared::theme::Theme;
use chrono::{DateTime, Utc};

use crate::features::lag::stats::dlq::Growth;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// What the Lag tab draws from: its own state, the settings that set its
/// thresholds, the Kafka badge's health, the theme and the clock.
pub struct LagScreen<'a> {
    pub theme: &'a Theme,
    pub now: DateTime<Utc>,
    pub lag: &'a Consumers,
    pub view: &'a LagView,
    pub settings: &'a KafkaSettings,
    pub health: Option<&'a SourceHealth>,
}

impl LagScreen<'_> {
    /// The latest snapshot of the group the cursor is on.
    pub fn selected_group(&self) -> Option<&GroupSnapshot> {
        self.lag.selected_group(self.view)
    }
}

pub fn draw(frame: &mut Frame, area: Rect, s: &LagScreen<'_>) {
    let c = &s.lag;
    let dead = c.dead_letters();
    let notes = c.notes.len() + c.failures.len().min(2);
    let dlq_height = if dead.is_empty() {
        0
    } else {
        dead.len().min(4) as u16 + 2
    };
    let [list, dlq, foot] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(dlq_height),
        Constraint::Length(notes as u16),
    ])
    .areas(area);
    let v = &s.view;
    let (list, pane) = if v.detail && !v.is_empty() {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(40), Constraint::Fill(1)]).areas(list);
        (top, Some(bottom))
    } else {
        (list, None)
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.theme.border)
        .title(groups::title(s));
    let inner = block.inner(list);
    frame.render_widget(block, list);
    if v.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(empty_text(s), s.theme.muted)).wrap(Wrap { trim: true }),
            inner,
        );
    } else {
        groups::table(frame, inner, s);
    }
    if let Some(pane) = pane {
        partitions::draw(frame, pane, s);
    }
    if !dead.is_empty() {
        let t = s.theme;
        let lines: Vec<Line> = dead
            .iter()
            .take(4)
            .map(|(cluster, topic, size, growth)| {
                let (text, style) = match growth {
                    Growth::PerMinute(r) if *r > 0.0 => (format!("+{r:.0}/min"), t.warn),
                    Growth::PerMinute(_) => ("steady".to_string(), t.muted),
                    Growth::Reset => ("recreated".to_string(), t.warn),
                    Growth::Unknown => ("-".to_string(), t.muted),
                };
                Line::from(vec![
                    Span::styled(format!(" {topic:<32} "), t.text),
                    Span::styled(format!("{size:>9} msgs  "), t.text),
                    Span::styled(format!("{text:<12}"), style),
                    Span::styled(format!(" {cluster}"), t.muted),
                ])
            })
            .collect();
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border)
            .title(Span::styled(" Dead letters ", t.title));
        frame.render_widget(Paragraph::new(lines).block(block), dlq);
    }
    let mut lines: Vec<Line> = c
        .notes
        .values()
        .map(|n| Line::styled(format!(" · {n}"), s.theme.muted))
        .collect();
    lines.extend(
        c.failures
            .iter()
            .take(2)
            .map(|((_, g), e)| Line::styled(format!(" ! {g}: {e}"), s.theme.warn)),
    );
    frame.render_widget(Paragraph::new(lines), foot);
}

fn empty_text(s: &LagScreen<'_>) -> String {
    let v = &s.view;
    if !v.filter.is_empty() {
        return format!("Nothing matches \"{}\". Esc clears the filter.", v.filter);
    }
    match s.health {
        Some(h) if h.last.error.is_some() => {
            format!("No data: {}", h.last.error.clone().unwrap_or_default())
        }
        None if s.settings.clusters.is_empty() => "Kafka is not configured: add [kafka.clusters.NAME] with bootstrap = \"host:port\" (and groups or discover = true) to config.toml.".into(),
        _ => "No consumer groups (yet).".into(),
    }
}
