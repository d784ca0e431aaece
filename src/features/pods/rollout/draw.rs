//! The Deployments view's table (rollout state per deployment) and the
//! rollout detail under it: revisions side by side, and the pods of the
//! selected one.

use super::compare;
use super::history::{self, Revision, short_image, short_images};
use super::state::RolloutState;
use super::verdict::{Verdict, pct, secs};
use crate::features::pods::draw::{PodsScreen, health_style, highlight, mib, window};
use crate::features::pods::model::{Deployment, Pod};
use crate::shared::format::age;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};

/// Below this inner width the table abbreviates: READY as `ready/desired`,
/// short headers, one image, no Progressing reason.
const WIDE: u16 = 140;

fn state_style(screen: &PodsScreen<'_>, state: RolloutState) -> Style {
    match state {
        RolloutState::Complete => screen.theme.ok,
        RolloutState::Progressing | RolloutState::Paused => screen.theme.warn,
        RolloutState::Stalled => screen.theme.crit,
    }
}

/// `42m` while the rollout runs, `-` when it is done or unknown.
fn running(screen: &PodsScreen<'_>, d: &Deployment) -> String {
    history::running_for(screen.workloads, d, screen.now)
        .map(|run| age(Some(screen.now - run), screen.now))
        .unwrap_or_else(|| "-".into())
}

fn revision_text(revision: Option<u64>) -> String {
    revision.map_or_else(|| "-".into(), |r| r.to_string())
}

pub fn table(frame: &mut Frame, area: Rect, screen: &PodsScreen<'_>) {
    let t = &screen.theme;
    let v = &screen.view;
    let w = &screen.workloads;
    let wide = area.width >= WIDE;
    let (top, rows_fit) = window(area, v);
    // The rollout detail takes rows the cursor's page did not count: keep
    // the selected deployment in view anyway.
    let top = top.max((v.cursor.selected + 1).saturating_sub(rows_fit));
    let rows = v
        .rows()
        .iter()
        .enumerate()
        .skip(top)
        .take(rows_fit)
        .filter_map(|(i, key)| {
            let d = w.deployments.get(key)?;
            let state = RolloutState::of(d);
            let behind = if d.ready < d.replicas { t.warn } else { t.text };
            let mut cells = vec![Span::styled(d.name.clone(), t.text)];
            if wide {
                cells.extend([
                    Span::styled(d.replicas.to_string(), t.text),
                    Span::styled(d.ready.to_string(), behind),
                ]);
            } else {
                cells.push(Span::styled(format!("{}/{}", d.ready, d.replicas), behind));
            }
            cells.extend([
                Span::styled(d.updated.to_string(), t.text),
                Span::styled(d.available.to_string(), t.text),
                Span::styled(revision_text(d.revision), t.text),
                Span::styled(state.word(), state_style(screen, state)),
            ]);
            if wide {
                cells.push(Span::styled(
                    d.progressing.clone().unwrap_or_else(|| "-".into()),
                    t.muted,
                ));
            }
            cells.push(Span::styled(running(screen, d), t.muted));
            let images = if wide {
                short_images(&d.images)
            } else {
                match d.images.as_slice() {
                    [] => short_image(&d.image).to_string(),
                    [(_, one)] => short_image(one).to_string(),
                    [(_, first), rest @ ..] => format!("{} +{}", short_image(first), rest.len()),
                }
            };
            cells.push(Span::styled(images, t.muted));
            Some(highlight(Row::new(cells), i == v.cursor.selected, screen))
        });
    let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec![
                "NAME",
                "DESIRED",
                "READY",
                "UP-TO-DATE",
                "AVAILABLE",
                "REV",
                "ROLLOUT",
                "PROGRESSING",
                "RUNNING",
                "IMAGES",
            ],
            vec![
                Constraint::Fill(1),
                Constraint::Length(7),
                Constraint::Length(5),
                Constraint::Length(10),
                Constraint::Length(9),
                Constraint::Length(4),
                Constraint::Length(11),
                Constraint::Length(24),
                Constraint::Length(7),
                Constraint::Fill(1),
            ],
        )
    } else {
        (
            vec![
                "NAME", "READY", "UPD", "AVL", "REV", "ROLLOUT", "FOR", "IMAGE",
            ],
            vec![
                Constraint::Fill(1),
                Constraint::Length(5),
                Constraint::Length(3),
                Constraint::Length(3),
                Constraint::Length(4),
                Constraint::Length(11),
                Constraint::Length(4),
                Constraint::Fill(1),
            ],
        )
    };
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(t.title))
            .column_spacing(1),
        area,
    );
}

/// Memory of a pod against the sum of its containers' limits.
fn memory(screen: &PodsScreen<'_>, p: &Pod) -> Option<(u64, Option<u64>)> {
    let m = screen
        .workloads
        .metrics
        .get(&(p.namespace.clone(), p.name.clone()))?;
    let limit: u64 = p
        .containers
        .iter()
        .filter_map(|c| c.memory_limit_bytes)
        .sum();
    Some((m.memory_bytes, (limit > 0).then_some(limit)))
}

/// `450Mi/512Mi 88%` for the pod of a revision closest to its limit.
fn revision_memory(screen: &PodsScreen<'_>, r: &Revision<'_>) -> String {
    let worst = r
        .pods
        .iter()
        .filter_map(|p| memory(screen, p))
        .max_by_key(|(used, limit)| limit.map_or(0, |l| used * 1000 / l.max(1)));
    match worst {
        None => "-".into(),
        Some((used, None)) => mib(used),
        Some((used, Some(limit))) => {
            format!("{}/{} {}%", mib(used), mib(limit), used * 100 / limit)
        }
    }
}

fn pod_line(screen: &PodsScreen<'_>, p: &Pod) -> Line<'static> {
    let t = &screen.theme;
    let last = p
        .last_termination
        .as_ref()
        .map(|l| format!(" · last {} {}", l.reason, l.exit_code))
        .unwrap_or_default();
    let mem = match memory(screen, p) {
        Some((used, Some(limit))) => format!(
            " · mem {}/{} {}%",
            mib(used),
            mib(limit),
            used * 100 / limit
        ),
        Some((used, None)) => format!(" · mem {}", mib(used)),
        None => String::new(),
    };
    Line::from(vec![
        Span::styled(format!("    {} ", p.name), t.text),
        Span::styled(p.status.clone(), health_style(screen, p)),
        Span::styled(
            format!(
                " · {}/{} · restarts {}{last}{mem}",
                p.ready, p.total, p.restarts
            ),
            t.muted,
        ),
    ])
}

/// The rollout detail of the selected deployment.
pub fn detail(frame: &mut Frame, area: Rect, screen: &PodsScreen<'_>) {
    let t = &screen.theme;
    let w = &screen.workloads;
    let Some(d) = screen
        .view
        .selected_key()
        .and_then(|k| w.deployments.get(k))
    else {
        return;
    };
    let state = RolloutState::of(d);
    let wide = area.width >= WIDE + 2;
    let mut reason = match &d.progressing {
        Some(r) => format!(" ({r})"),
        None => String::new(),
    };
    if !wide && state != RolloutState::Stalled {
        reason.clear();
    }
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("revision {} ", revision_text(d.revision)), t.title),
        Span::styled(
            format!("{}{reason}", state.word()),
            state_style(screen, state),
        ),
        Span::styled(
            format!(
                " · running {} · {} desired, {} updated, {} ready, {} available",
                running(screen, d),
                d.replicas,
                d.updated,
                d.ready,
                d.available
            ),
            t.muted,
        ),
    ])];
    match compare::judge(w, d, screen.settings) {
        Some(Verdict::Advised(text)) => lines.push(Line::styled(text, t.crit)),
        Some(Verdict::Within(text)) => lines.push(Line::styled(text, t.ok)),
        Some(Verdict::Unknown(text)) => lines.push(Line::styled(text, t.muted)),
        None => {}
    }
    if let Some(note) = &w.revision_note {
        lines.push(Line::styled(note.clone(), t.muted));
    }
    let revisions = history::history(w, &d.namespace, &d.name);
    if revisions.is_empty() {
        lines.push(Line::styled(
            "no ReplicaSets of this deployment: no revision history to show",
            t.muted,
        ));
    } else {
        let head = if wide {
            format!(
                "  {:<4} {:<34} {:<5} {:>8} {:>3} {:<18} {:>6} {:>6} {:<4} {}",
                "REV",
                "IMAGES",
                "READY",
                "RESTARTS",
                "OOM",
                "MEMORY/LIMIT",
                "P95",
                "ERRORS",
                "AGE",
                "CHANGE-CAUSE"
            )
        } else {
            format!(
                "  {:<4} {:<24} {:<5} {:>4} {:>3} {:>4} {:>6} {:>6}",
                "REV", "IMAGE", "READY", "RST", "OOM", "MEM", "P95", "ERR"
            )
        };
        lines.push(Line::styled(head, t.title));
        let selected = screen.view.revision.min(revisions.len() - 1);
        for (i, r) in revisions.iter().enumerate() {
            let rs = r.replica_set;
            let current = rs.revision.is_some() && rs.revision == d.revision;
            let mark = if current { "*" } else { " " };
            let ready = format!("{}/{}", rs.ready, rs.replicas);
            let f = compare::figures(w, d, r, &screen.settings.version_label);
            let p95 = f.p95_secs.map_or_else(|| "-".into(), secs);
            let errors = f.error_ratio.map_or_else(|| "-".into(), pct);
            let text = if wide {
                format!(
                    "{mark} {:<4} {:<34} {:<5} {:>8} {:>3} {:<18} {:>6} {:>6} {:<4} {}",
                    revision_text(rs.revision),
                    r.images_short(),
                    ready,
                    r.restarts(),
                    r.oom_kills(),
                    revision_memory(screen, r),
                    p95,
                    errors,
                    age(rs.created, screen.now),
                    rs.change_cause.as_deref().unwrap_or("-")
                )
            } else {
                let image = rs.images.first().map_or("-", |(_, i)| short_image(i));
                let mem = f
                    .memory_share
                    .map_or_else(|| "-".into(), |m| format!("{:.0}%", m * 100.0));
                format!(
                    "{mark} {:<4} {:<24} {:<5} {:>4} {:>3} {:>4} {:>6} {:>6}",
                    revision_text(rs.revision),
                    image,
                    ready,
                    r.restarts(),
                    r.oom_kills(),
                    mem,
                    p95,
                    errors,
                )
            };
            let style = if i == selected {
                t.selection
            } else if r.oom_kills() > 0 {
                t.crit
            } else {
                t.text
            };
            lines.push(Line::styled(text, style));
        }
        if let Some(r) = revisions.get(selected) {
            let n = revision_text(r.replica_set.revision);
            if r.pods.is_empty() {
                lines.push(Line::styled(format!("  revision {n}: no pods"), t.muted));
            } else {
                lines.push(Line::styled(format!("  pods of revision {n}:"), t.muted));
                lines.extend(r.pods.iter().map(|p| pod_line(screen, p)));
            }
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent)
        .title(Span::styled(
            format!(" rollout of deploy/{} ", d.name),
            t.title,
        ));
    // The verdict and the pod lines may be longer than the pane: wrapped,
    // not cut (the revision rows fit 80 columns).
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(ratatui::widgets::Wrap { trim: false }),
        area,
    );
}
