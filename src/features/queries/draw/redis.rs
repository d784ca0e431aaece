//! A Redis target's health: hit rate over the poll window against its
//! mark, memory against maxmemory, evictions, clients, ops/s, the key
//! pattern counts, then SLOWLOG.

use super::QueriesScreen;
use super::cells::{one_line, selected, window};
use crate::features::queries::model::{QueryRow, TargetState, human_bytes, human_duration};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

/// Lines of figures above SLOWLOG.
const FIGURES: u16 = 6;

pub fn draw(frame: &mut Frame, area: Rect, screen: &QueriesScreen<'_>, s: &TargetState) {
    let t = &screen.theme;
    let Some(r) = s.redis() else { return };
    let snap = r;
    let info = &r.info;
    let [figures, slow_area] =
        Layout::vertical([Constraint::Length(FIGURES), Constraint::Fill(1)]).areas(area);
    let field = |name: &str| Span::styled(format!("{name:<10}"), t.muted);
    let mut lines = Vec::new();
    let hit = match snap.rates.as_ref() {
        None => vec![Span::styled("(needs two polls for a window)", t.muted)],
        Some(rates) => match rates.hit_rate {
            None => vec![Span::styled(
                format!("no lookups in the last {}s", rates.window.as_secs()),
                t.muted,
            )],
            Some(rate) => {
                let low = rate < r.hit_rate_warn;
                let mut spans = vec![
                    Span::styled(
                        format!("{:.1}%", rate * 100.0),
                        if low { t.crit } else { t.ok },
                    ),
                    Span::styled(
                        format!(
                            " over the last {}s ({} hits, {} misses)",
                            rates.window.as_secs(),
                            rates.hits,
                            rates.misses
                        ),
                        t.muted,
                    ),
                ];
                if low {
                    spans.push(Span::styled(
                        format!("  < {:.0}%", r.hit_rate_warn * 100.0),
                        t.crit,
                    ));
                }
                if rates.restarted {
                    spans.push(Span::styled("  (restarted in the window)", t.warn));
                }
                spans
            }
        },
    };
    lines.push(Line::from([vec![field("hit rate")], hit].concat()));
    let memory = match &snap.memory {
        None => vec![Span::styled("-", t.muted)],
        Some(m) => match (m.max, m.ratio) {
            (Some(max), Some(ratio)) => vec![Span::styled(
                format!(
                    "{} of {} maxmemory ({:.0}%)",
                    human_bytes(m.used),
                    human_bytes(max),
                    ratio * 100.0
                ),
                if ratio >= 0.9 {
                    t.crit
                } else if ratio >= 0.75 {
                    t.warn
                } else {
                    t.text
                },
            )],
            _ => vec![Span::styled(
                format!(
                    "{} (no maxmemory: grows until the OS stops it)",
                    human_bytes(m.used)
                ),
                t.text,
            )],
        },
    };
    lines.push(Line::from([vec![field("memory")], memory].concat()));
    let per_sec = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}/s"));
    let rates = snap.rates.as_ref();
    let evicted = rates.and_then(|r| r.evicted_per_sec);
    lines.push(Line::from(vec![
        field("evicted"),
        Span::styled(
            per_sec(evicted),
            if evicted.is_some_and(|e| e > 0.0) {
                t.warn
            } else {
                t.text
            },
        ),
        Span::styled("   expired ", t.muted),
        Span::styled(per_sec(rates.and_then(|r| r.expired_per_sec)), t.text),
        Span::styled("   ops ", t.muted),
        Span::styled(
            match rates.and_then(|r| r.ops_per_sec) {
                Some(v) => format!("{v:.0}/s"),
                None => info
                    .instantaneous_ops_per_sec
                    .map_or_else(|| "-".into(), |v| format!("{v}/s (instant)")),
            },
            t.text,
        ),
    ]));
    let blocked = info.blocked_clients.unwrap_or(0);
    lines.push(Line::from(vec![
        field("clients"),
        Span::styled(
            format!(
                "{} connected",
                info.connected_clients
                    .map_or_else(|| "-".into(), |c| c.to_string())
            ),
            t.text,
        ),
        Span::styled(
            format!(", {blocked} blocked"),
            if blocked > 0 { t.warn } else { t.muted },
        ),
    ]));
    let mut keys = vec![field("keys")];
    if snap.patterns.is_empty() {
        keys.push(Span::styled("no patterns configured", t.muted));
    }
    for (i, p) in snap.patterns.iter().enumerate() {
        if i > 0 {
            keys.push(Span::styled(" · ", t.muted));
        }
        keys.push(Span::styled(format!("{} ", p.pattern), t.muted));
        keys.push(Span::styled(p.label(), t.text));
    }
    lines.push(Line::from(keys));
    lines.push(Line::from(vec![
        field("server"),
        Span::styled(
            format!(
                "Redis {}, up {}",
                info.redis_version.as_deref().unwrap_or("?"),
                info.uptime_secs.map_or_else(
                    || "?".into(),
                    |u| human_duration(std::time::Duration::from_secs(u))
                )
            ),
            t.muted,
        ),
    ]));
    frame.render_widget(Paragraph::new(lines), figures);

    if snap.slowlog.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled("SLOWLOG is empty", t.muted)),
            slow_area,
        );
        return;
    }
    let height = slow_area.height.saturating_sub(1);
    let rows = window(screen, height).filter_map(|(i, row)| {
        let QueryRow::Slowlog(x) = row else {
            return None;
        };
        let e = snap.slowlog.get(*x)?;
        let when = chrono::DateTime::from_timestamp(e.timestamp, 0)
            .map(|d| d.format("%H:%M:%S").to_string())
            .unwrap_or_default();
        let cells = [
            Span::styled(e.id.to_string(), t.muted),
            Span::styled(when, t.muted),
            Span::styled(human_duration(e.duration), t.text),
            Span::styled(one_line(&e.args.join(" ")), t.text),
            Span::styled(
                e.client_name
                    .clone()
                    .or_else(|| e.client_addr.clone())
                    .unwrap_or_default(),
                t.muted,
            ),
        ];
        Some(selected(
            screen,
            i,
            Row::new(cells.into_iter().map(Line::from)),
        ))
    });
    let widths = [
        Constraint::Length(6),
        Constraint::Length(8),
        Constraint::Length(9),
        Constraint::Fill(1),
        Constraint::Length(18),
    ];
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(["ID", "AT", "DURATION", "SLOWLOG COMMAND", "CLIENT"]).style(t.header))
            .column_spacing(1),
        slow_area,
    );
}
