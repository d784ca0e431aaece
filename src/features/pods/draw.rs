//! The Pods tab: pods (with a detail pane), deployments, or events.

use crate::features::pods::model::{Pod, PodMetrics};
use crate::features::pods::view::{PodsMode, health_rank};
use crate::shared::format::age;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};

/// What the Pods tab draws from: its own state, the scope it watches, the
/// Kubernetes badge's health, the theme and the clock.
pub struct PodsScreen<'a> {
    pub theme: &'a crate::shared::theme::Theme,
    pub now: chrono::DateTime<chrono::Utc>,
    pub workloads: &'a super::model::Workloads,
    pub view: &'a super::view::PodsView,
    pub settings: &'a super::settings::RolloutSettings,
    pub context: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub health: Option<&'a crate::core::health::SourceHealth>,
}

pub fn draw(frame: &mut Frame, area: Rect, screen: &PodsScreen<'_>) {
    let v = &screen.view;
    let (list, detail) = if v.detail && v.mode != PodsMode::Events {
        // The rollout detail needs more lines than a pod's.
        let share = if v.mode == PodsMode::Pods { 45 } else { 35 };
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(share), Constraint::Fill(1)]).areas(area);
        (top, Some(bottom))
    } else {
        (area, None)
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(screen.theme.border)
        .title(title(screen));
    let inner = block.inner(list);
    frame.render_widget(block, list);
    if v.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(empty_text(screen), screen.theme.muted))
                .wrap(Wrap { trim: true }),
            inner,
        );
    } else {
        match v.mode {
            PodsMode::Pods => pods_table(frame, inner, screen),
            PodsMode::Deployments => super::rollout::draw::table(frame, inner, screen),
            PodsMode::Events => events_table(frame, inner, screen),
        }
    }
    match detail {
        Some(area) if v.mode == PodsMode::Pods => pod_detail(frame, area, screen),
        Some(area) => super::rollout::draw::detail(frame, area, screen),
        None => {}
    }
}

fn title(screen: &PodsScreen<'_>) -> Line<'static> {
    let t = &screen.theme;
    let v = &screen.view;
    let w = &screen.workloads;
    let (name, count) = match v.mode {
        PodsMode::Pods => ("Pods", w.pods.len()),
        PodsMode::Deployments => ("Deployments", w.deployments.len()),
        PodsMode::Events => (
            if v.warnings_only {
                "Warning events"
            } else {
                "Events"
            },
            w.events.len(),
        ),
    };
    let mut spans = vec![
        Span::styled(format!(" {name} "), t.title),
        Span::styled(format!("{count} "), t.muted),
    ];
    if let Some(ns) = &screen.namespace {
        spans.push(Span::styled(format!("· {ns} "), t.muted));
    }
    if v.mode == PodsMode::Pods {
        let dir = if v.descending { "↓" } else { "↑" };
        spans.push(Span::styled(
            format!("· by {} {dir} ", v.sort.title()),
            t.muted,
        ));
    }
    if !v.filter.text.is_empty() {
        spans.push(Span::styled(
            format!("· filter \"{}\": {} ", v.filter.text, v.len()),
            t.accent,
        ));
    }
    if let Some(note) = &w.metrics_note {
        spans.push(Span::styled(format!("· {note} "), t.stale));
    } else if let Some(newest) = w.metrics_at {
        // Metrics are samples: say how old they are.
        spans.push(Span::styled(
            format!("· metrics {} old ", age(Some(newest), screen.now)),
            t.muted,
        ));
    }
    Line::from(spans)
}

fn empty_text(screen: &PodsScreen<'_>) -> String {
    let v = &screen.view;
    if !v.filter.text.is_empty() {
        return format!(
            "Nothing matches \"{}\". Esc clears the filter.",
            v.filter.text
        );
    }
    match screen.health {
        Some(h) if h.last.error.is_some() => format!("No data: {}", h.last.error.clone().unwrap_or_default()),
        None if screen.context.is_none() => {
            "Kubernetes is not configured: opsdeck reads ~/.kube/config (or KUBECONFIG, --context, [kubernetes] in config.toml).".into()
        }
        _ => "Nothing here (yet).".into(),
    }
}

pub(super) fn health_style(screen: &PodsScreen<'_>, p: &Pod) -> Style {
    match health_rank(p) {
        1 => screen.theme.crit,
        2 => screen.theme.warn,
        4 => screen.theme.muted,
        _ => screen.theme.text,
    }
}

/// The first visible row and how many rows fit under the column header.
pub(super) fn window(area: Rect, v: &crate::features::pods::view::PodsView) -> (usize, usize) {
    (
        v.cursor.top.min(v.len().saturating_sub(1)),
        usize::from(area.height.saturating_sub(1)),
    )
}

/// The selected row in the theme's selection style.
pub(super) fn highlight<'a>(row: Row<'a>, selected: bool, screen: &PodsScreen<'_>) -> Row<'a> {
    if selected {
        row.style(screen.theme.selection)
    } else {
        row
    }
}

pub(super) fn mib(bytes: u64) -> String {
    if bytes >= 10 << 30 {
        format!("{}Gi", bytes >> 30)
    } else {
        format!("{}Mi", bytes >> 20)
    }
}

/// CPU and memory with their share of the limits; `compact` keeps only the
/// share (or the amount when there is no limit) for narrow terminals.
fn usage(p: &Pod, m: Option<&PodMetrics>, compact: bool) -> (String, String) {
    let Some(m) = m else {
        return ("-".into(), "-".into());
    };
    let cpu_limit: u64 = p.containers.iter().filter_map(|c| c.cpu_limit_millis).sum();
    let mem_limit: u64 = p
        .containers
        .iter()
        .filter_map(|c| c.memory_limit_bytes)
        .sum();
    let pct = |used: u64, limit: u64| {
        (used * 100)
            .checked_div(limit)
            .map(|p| format!(" {p}%"))
            .unwrap_or_default()
    };
    if compact {
        let short = |used: u64, limit: u64, amount: String| {
            let p = pct(used, limit);
            if p.is_empty() {
                amount
            } else {
                p.trim().to_string()
            }
        };
        return (
            short(m.cpu_millis, cpu_limit, format!("{}m", m.cpu_millis)),
            short(m.memory_bytes, mem_limit, mib(m.memory_bytes)),
        );
    }
    (
        format!("{}m{}", m.cpu_millis, pct(m.cpu_millis, cpu_limit)),
        format!("{}{}", mib(m.memory_bytes), pct(m.memory_bytes, mem_limit)),
    )
}

fn pods_table(frame: &mut Frame, area: Rect, screen: &PodsScreen<'_>) {
    let t = &screen.theme;
    let v = &screen.view;
    let w = &screen.workloads;
    // Narrow terminals keep the name readable: extra columns only when they fit.
    let with_last = area.width >= 118;
    let wide = area.width >= 158;
    let (top, rows_fit) = window(area, v);
    let rows = v
        .rows()
        .iter()
        .enumerate()
        .skip(top)
        .take(rows_fit)
        .filter_map(|(i, key)| {
            let p = w.pods.get(key)?;
            let (cpu, mem) = usage(p, w.metrics.get(key), !with_last);
            let restarts = match p.last_restart {
                Some(at) if p.restarts > 0 => {
                    format!("{} ({} ago)", p.restarts, age(Some(at), screen.now))
                }
                _ => p.restarts.to_string(),
            };
            let last = p
                .last_termination
                .as_ref()
                .map(|t| format!("{} {}", t.reason, t.exit_code))
                .unwrap_or_default();
            let mut cells = vec![
                Span::styled(p.name.clone(), t.text),
                Span::styled(format!("{}/{}", p.ready, p.total), t.text),
                Span::styled(p.status.clone(), health_style(screen, p)),
                Span::styled(restarts, if p.restarts > 0 { t.warn } else { t.text }),
            ];
            if with_last {
                cells.push(Span::styled(last, t.crit));
            }
            cells.push(Span::styled(age(p.created, screen.now), t.muted));
            if wide {
                cells.push(Span::styled(p.node.clone().unwrap_or_default(), t.muted));
                cells.push(Span::styled(
                    p.deployment.clone().unwrap_or_default(),
                    t.accent,
                ));
            }
            cells.push(Span::styled(cpu, t.text));
            cells.push(Span::styled(mem, t.text));
            let row = Row::new(cells);
            Some(highlight(row, i == v.cursor.selected, screen))
        });
    let mut header = vec!["NAME", "READY", "STATUS", "RESTARTS"];
    let mut widths = vec![
        Constraint::Fill(2),
        Constraint::Length(5),
        Constraint::Length(16),
        Constraint::Length(11),
    ];
    if with_last {
        header.push("LAST");
        widths.push(Constraint::Length(13));
    }
    header.push("AGE");
    widths.push(Constraint::Length(4));
    if wide {
        header.extend(["NODE", "OWNER"]);
        widths.extend([Constraint::Fill(1), Constraint::Length(18)]);
    }
    if with_last {
        header.extend(["CPU", "MEM"]);
        widths.extend([Constraint::Length(9), Constraint::Length(10)]);
    } else {
        header.extend(["CPU%", "MEM%"]);
        widths.extend([Constraint::Length(5), Constraint::Length(5)]);
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.title))
        .column_spacing(1);
    frame.render_widget(table, area);
}

fn events_table(frame: &mut Frame, area: Rect, screen: &PodsScreen<'_>) {
    let t = &screen.theme;
    let v = &screen.view;
    let w = &screen.workloads;
    let (top, rows_fit) = window(area, v);
    let rows = v
        .event_rows()
        .iter()
        .enumerate()
        .skip(top)
        .take(rows_fit)
        .filter_map(|(i, &idx)| {
            let e = w.events.get(idx)?;
            let row = Row::new(vec![
                Span::styled(age(e.last_seen, screen.now), t.muted),
                Span::styled(
                    if e.warning { "Warning" } else { "Normal" },
                    if e.warning { t.warn } else { t.muted },
                ),
                Span::styled(e.reason.clone(), t.text),
                Span::styled(
                    format!("{}/{}", e.object_kind.to_lowercase(), e.object_name),
                    t.accent,
                ),
                Span::styled(e.count.to_string(), t.text),
                Span::styled(e.message.clone(), t.text),
            ]);
            Some(highlight(row, i == v.cursor.selected, screen))
        });
    let widths = [
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Length(14),
        Constraint::Fill(1),
        Constraint::Length(5),
        Constraint::Fill(2),
    ];
    let header = Row::new(["LAST", "TYPE", "REASON", "OBJECT", "COUNT", "MESSAGE"]).style(t.title);
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        area,
    );
}

fn pod_detail(frame: &mut Frame, area: Rect, screen: &PodsScreen<'_>) {
    let t = &screen.theme;
    let w = &screen.workloads;
    let Some(p) = screen.view.selected_key().and_then(|k| w.pods.get(k)) else {
        return;
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{} ", p.status), health_style(screen, p)),
        Span::styled(
            format!(
                "on {} · created {} ago",
                p.node.as_deref().unwrap_or("-"),
                age(p.created, screen.now)
            ),
            t.muted,
        ),
    ])];
    if let Some(d) = p
        .deployment
        .as_ref()
        .and_then(|d| w.deployment(&p.namespace, d))
    {
        lines.push(Line::styled(
            format!(
                "deploy/{}: {} desired, {} ready, {} up to date, {} available",
                d.name, d.replicas, d.ready, d.updated, d.available
            ),
            t.accent,
        ));
    }
    for c in &p.containers {
        lines.push(Line::from(vec![
            Span::styled(format!("▸ {} ", c.name), t.title),
            Span::styled(
                format!("{} · restarts {} · {}", c.state, c.restarts, c.image),
                t.text,
            ),
        ]));
        if let Some(last) = &c.last_termination {
            let when = last
                .finished_at
                .map(|f| format!(" {} ago", age(Some(f), screen.now)))
                .unwrap_or_default();
            lines.push(Line::styled(
                format!(
                    "  last state: Terminated {} (exit code {}){when}",
                    last.reason, last.exit_code
                ),
                t.crit,
            ));
        }
        let limits = format!(
            "  limits: cpu {} · memory {}",
            c.cpu_limit_millis.map_or("-".into(), |m| format!("{m}m")),
            c.memory_limit_bytes.map_or("-".into(), mib)
        );
        lines.push(Line::styled(limits, t.muted));
        for probe in &c.probes {
            lines.push(Line::styled(format!("  {probe}"), t.muted));
        }
    }
    let conditions: Vec<String> = p
        .conditions
        .iter()
        .map(|(c, ok)| format!("{c}={ok}"))
        .collect();
    lines.push(Line::styled(
        format!("conditions: {}", conditions.join(" ")),
        t.muted,
    ));
    let mut events: Vec<_> = w
        .events
        .iter()
        .filter(|e| e.warning && e.object_name == p.name)
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.last_seen));
    for e in events {
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{} ago {} ×{} ",
                    age(e.last_seen, screen.now),
                    e.reason,
                    e.count
                ),
                t.warn,
            ),
            Span::styled(e.message.clone(), t.text),
        ]));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent)
        .title(Span::styled(format!(" {} ", p.name), t.title));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
