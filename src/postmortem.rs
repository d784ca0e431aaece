//! A post-mortem draft in Markdown, from what the console applied: the
//! key times, what was done, the worst each source got, and the Timeline.
//! Backend text is already safe (`Clean`); cells are escaped for Markdown.

use crate::core::peak::{Peak, Spell};
use crate::core::source::Severity;
use crate::core::timeline::{Origin, TimelineEntry};
use crate::features::pods::peaks::MAX_TROUBLED;
use crate::features::timeline::model::md_cell;
use crate::model::Model;
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// Where the draft comes from, for its first lines.
pub struct Source<'a> {
    pub context: &'a str,
    /// "this session", or the recording's file name.
    pub from: &'a str,
    pub written_at: DateTime<Utc>,
}

pub fn markdown(model: &Model, source: &Source<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Post-mortem draft: {}\n", md_cell(source.context));
    let _ = writeln!(
        out,
        "Written by opsdeck at {} UTC from {}. A draft: check every line before it is shared.\n",
        source.written_at.format("%Y-%m-%d %H:%M:%S"),
        md_cell(source.from)
    );
    let entries = model.timeline.entries();
    summary(&mut out, model, entries);
    what_we_did(&mut out, entries);
    peaks(&mut out, model);
    let _ = writeln!(out, "## Timeline\n");
    out.push_str("| time (UTC) | severity | source | event |\n|---|---|---|---|\n");
    for e in entries {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            e.at.format("%H:%M:%S"),
            e.severity.label(),
            md_cell(&e.origin.to_string()),
            md_cell(e.text.as_str())
        );
    }
    out
}

fn is_action_outcome(e: &TimelineEntry) -> bool {
    e.origin == Origin::Opsdeck
        && ["done:", "failed:", "timed out", "not run:", "refused:"]
            .iter()
            .any(|p| e.text.as_str().starts_with(p))
}

fn summary(out: &mut String, model: &Model, entries: &[TimelineEntry]) {
    let start = entries.first().map(|e| e.at);
    let detection = entries
        .iter()
        .find(|e| e.severity == Severity::Crit)
        .map(|e| e.at);
    let mitigation = entries
        .iter()
        .find(|e| e.origin == Origin::Opsdeck && e.text.as_str().starts_with("done:"))
        .map(|e| e.at);
    // Resolved when the alerts last cleared, unless one fires again later.
    let still_firing = model.heatmap.peaks.firing();
    let resolution = model
        .heatmap
        .peaks
        .alerts_cleared
        .filter(|at| !still_firing && detection.is_none_or(|d| *at >= d));
    let _ = writeln!(out, "## Summary\n");
    out.push_str("| | time (UTC) | after the start |\n|---|---|---|\n");
    let rows = [
        ("start (first Timeline entry)", start),
        ("detection (first critical entry)", detection),
        ("first mitigation (first action that succeeded)", mitigation),
        ("resolution (no alert firing since)", resolution),
    ];
    for (what, at) in rows {
        let (time, after) = match (at, start) {
            (Some(at), Some(s)) => (at.format("%H:%M:%S").to_string(), duration(at - s)),
            _ => ("not seen".to_string(), String::new()),
        };
        let _ = writeln!(out, "| {what} | {time} | {after} |");
    }
    if let (Some(d), Some(r)) = (detection, resolution) {
        let _ = writeln!(out, "\nFrom detection to resolution: {}.", duration(r - d));
    }
    out.push('\n');
}

fn what_we_did(out: &mut String, entries: &[TimelineEntry]) {
    let _ = writeln!(out, "## What we did\n");
    let done: Vec<&TimelineEntry> = entries.iter().filter(|e| is_action_outcome(e)).collect();
    if done.is_empty() {
        out.push_str("No action was run from opsdeck.\n\n");
        return;
    }
    for (i, e) in done.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. {} — {}",
            i + 1,
            e.at.format("%H:%M:%S"),
            md_cell(e.text.as_str())
        );
        if let Some(x) = e.executed() {
            let _ = writeln!(
                out,
                "   confirmed by {} ({}): `{}`",
                md_cell(x.by.as_str()),
                md_cell(x.confirmation.as_str()),
                code_span(x.command.as_str())
            );
        }
        for c in e.checks() {
            let _ = writeln!(out, "   - {}", md_cell(&c.to_string()));
        }
    }
    out.push('\n');
}

fn peaks(out: &mut String, model: &Model) {
    let prom = &model.heatmap.peaks;
    let _ = writeln!(out, "## Peaks\n");
    if !prom.latency.is_empty() || !prom.errors.is_empty() {
        out.push_str(
            "| service | worst p95 | at | worst error ratio | at |\n|---|---|---|---|---|\n",
        );
        let services: std::collections::BTreeSet<&String> =
            prom.latency.keys().chain(prom.errors.keys()).collect();
        for s in services {
            let (l, la) = peak_cells(prom.latency.get(s), |v| format!("{:.0} ms", v * 1000.0));
            let (e, ea) = peak_cells(prom.errors.get(s), |v| format!("{:.1} %", v * 100.0));
            let _ = writeln!(out, "| {} | {l} | {la} | {e} | {ea} |", md_cell(s));
        }
        out.push('\n');
    }
    if !model.breakers.peaks.open.is_empty() {
        out.push_str("| circuit breaker | open for | from | to |\n|---|---|---|---|\n");
        for ((service, breaker), spells) in &model.breakers.peaks.open {
            for s in spells {
                spell_row(out, &format!("{service} {breaker}"), s);
            }
        }
        out.push('\n');
    }
    if !model.lag.peaks.lag.is_empty() {
        out.push_str("| consumer group | max lag | at |\n|---|---|---|\n");
        for ((cluster, group), peak) in &model.lag.peaks.lag {
            let _ = writeln!(
                out,
                "| {} / {} | {:.0} | {} |",
                md_cell(cluster),
                md_cell(group),
                peak.value,
                peak.at.format("%H:%M:%S")
            );
        }
        out.push('\n');
    }
    let pods = &model.pods.peaks;
    if !pods.troubled.is_empty() {
        out.push_str("| pod | restarts | last termination |\n|---|---|---|\n");
        for (key, trouble) in &pods.troubled {
            let (namespace, name) = key;
            let last = trouble
                .last_termination
                .as_ref()
                .map_or(String::new(), |t| format!("{} ({})", t.reason, t.exit_code));
            let alive = model.pods.data.pods.contains_key(key);
            let gone = if alive { "" } else { " (gone)" };
            let _ = writeln!(
                out,
                "| {}/{}{gone} | {} | {} |",
                md_cell(namespace),
                md_cell(name),
                trouble.restarts,
                md_cell(&last)
            );
        }
        if pods.full {
            let _ = writeln!(
                out,
                "\nOnly the first {MAX_TROUBLED} pods that restarted or were terminated are listed."
            );
        }
        out.push('\n');
    }
    if !model.queries.peaks.blocking.is_empty() {
        out.push_str(
            "| database | longest lock-wait chain | root pid | its query | at |\n|---|---|---|---|---|\n",
        );
        for (target, c) in &model.queries.peaks.blocking {
            let _ = writeln!(
                out,
                "| {} | {} waiting | {} | {} | {} |",
                md_cell(target),
                c.waiting,
                c.root,
                md_cell(&crate::features::queries::mongo::truncate_chars(
                    &c.query.split_whitespace().collect::<Vec<_>>().join(" "),
                    80
                )),
                c.at.format("%H:%M:%S")
            );
        }
        out.push('\n');
    }
    if !prom.alerts.is_empty() {
        out.push_str("| alert | fired for | from | to |\n|---|---|---|---|\n");
        for ((name, service), spells) in &prom.alerts {
            for s in spells {
                spell_row(out, &format!("{name} ({service})"), s);
            }
        }
        out.push('\n');
    }
}

fn peak_cells(peak: Option<&Peak>, value: impl Fn(f64) -> String) -> (String, String) {
    peak.map_or((String::new(), String::new()), |p| {
        (value(p.value), p.at.format("%H:%M:%S").to_string())
    })
}

fn spell_row(out: &mut String, what: &str, s: &Spell) {
    let to = if s.ongoing {
        format!("{} (still at the end)", s.last.format("%H:%M:%S"))
    } else {
        s.last.format("%H:%M:%S").to_string()
    };
    let _ = writeln!(
        out,
        "| {} | {} | {} | {to} |",
        md_cell(what),
        duration(s.last - s.first),
        s.first.format("%H:%M:%S")
    );
}

/// `4m 05s`, `1h 02m`.
fn duration(d: chrono::Duration) -> String {
    let secs = d.num_seconds().max(0);
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m {:02}s", secs / 60, secs % 60),
        _ => format!("{}h {:02}m", secs / 3600, secs % 3600 / 60),
    }
}

/// A command inside backticks on one line: a backtick in it would end the
/// span early, and a newline would break the list item.
fn code_span(command: &str) -> String {
    md_cell(&command.replace('`', "'"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
