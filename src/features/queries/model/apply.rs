//! Folding one poll into its target, and the Timeline entries its
//! threshold crossings make.

use super::snapshot::{PgData, QueriesUpdate, RedisData, Snapshot};
use super::{Marks, Queries, TargetKey, TargetState, human_duration};
use crate::core::clean::Clean;
use crate::core::source::Severity;
use crate::core::timeline::{About, Origin, TimelineEntry};
use crate::features::queries::postgres::{BlockTree, blocking};
use chrono::{DateTime, Utc};

/// At most this many new blocking chains are written per poll; more are
/// summed up in one line.
const NEW_CHAINS_WRITTEN: usize = 3;

/// Query text quoted in a Timeline entry.
const QUOTED_CHARS: usize = 80;

impl Queries {
    /// Applies one poll (its text made safe where it entered); returns the
    /// Timeline entries of the thresholds it crossed.
    pub fn apply(&mut self, u: Clean<QueriesUpdate>) -> Vec<TimelineEntry> {
        let u = u.into_inner();
        let key = TargetKey {
            kind: u.kind,
            name: u.target.clone(),
        };
        let state = self
            .targets
            .entry(key.clone())
            .or_insert_with(|| TargetState {
                key,
                data: None,
                last_ok: None,
                last_poll: u.at,
                error: None,
                blocking: Vec::new(),
                marks: Marks::default(),
            });
        state.last_poll = u.at;
        match u.data {
            Err(e) => {
                state.error = Some(e);
                Vec::new()
            }
            Ok(data) => {
                state.error = None;
                state.last_ok = Some(u.at);
                state.blocking = match &data {
                    Snapshot::Postgres(pg) => {
                        pg.activity.as_deref().map(blocking).unwrap_or_default()
                    }
                    _ => Vec::new(),
                };
                state.data = Some(data);
                crossings(state, u.at)
            }
        }
    }
}

fn crossings(state: &mut TargetState, at: DateTime<Utc>) -> Vec<TimelineEntry> {
    let name = state.key.name.clone();
    let source = Origin::Source(state.key.kind.source());
    let entry = |severity, text: String| TimelineEntry::new(at, severity, source.clone(), text);
    let about = |pid: i32| About::Backend {
        target: name.as_str().into(),
        pid,
    };
    let mut out = Vec::new();
    match &state.data {
        Some(Snapshot::Postgres(pg)) => {
            out.extend(
                chains(&name, pg, &state.blocking, &mut state.marks)
                    .into_iter()
                    .map(|(s, t, root)| match root {
                        Some(pid) => entry(s, t).about(about(pid)),
                        None => entry(s, t),
                    }),
            );
            if let Ok(c) = &pg.connections
                && c.warning != state.marks.connections_high
            {
                state.marks.connections_high = c.warning;
                let pct = c.ratio * 100.0;
                out.push(if c.warning {
                    entry(
                        Severity::Warn,
                        format!(
                            "{name}: {} of {} connections in use ({pct:.0}%)",
                            c.total, c.max_connections
                        ),
                    )
                } else {
                    entry(
                        Severity::Info,
                        format!("{name}: connections back to {pct:.0}% of max_connections"),
                    )
                });
            }
        }
        Some(Snapshot::Redis(r)) => {
            if let Some((low, text)) = hit_rate(&name, r)
                && low != state.marks.hit_rate_low
            {
                state.marks.hit_rate_low = low;
                out.push(entry(
                    if low { Severity::Warn } else { Severity::Info },
                    text,
                ));
            }
        }
        Some(Snapshot::Mongo(_)) | None => {}
    }
    out
}

/// New root blockers, and the moment the last chain ends.
fn chains(
    name: &str,
    pg: &PgData,
    trees: &[BlockTree],
    marks: &mut Marks,
) -> Vec<(Severity, String, Option<i32>)> {
    let roots: std::collections::BTreeSet<i32> = trees.iter().map(|t| t.pid).collect();
    let mut out = Vec::new();
    let fresh: Vec<&BlockTree> = trees
        .iter()
        .filter(|t| !marks.roots.contains(&t.pid))
        .collect();
    for t in fresh.iter().take(NEW_CHAINS_WRITTEN) {
        let backend = pg
            .activity
            .as_ref()
            .ok()
            .and_then(|list| list.iter().find(|b| b.pid == t.pid));
        let what = match backend {
            Some(b) => {
                let running = b
                    .query_duration
                    .map(|d| format!(" (running {})", human_duration(d)))
                    .unwrap_or_default();
                format!("{running}: {}", quote(&b.query))
            }
            None => String::new(),
        };
        out.push((
            Severity::Crit,
            format!(
                "{name}: blocking chain: pid {} blocks {} backend(s){what}",
                t.pid,
                t.waiting()
            ),
            Some(t.pid),
        ));
    }
    if fresh.len() > NEW_CHAINS_WRITTEN {
        out.push((
            Severity::Crit,
            format!(
                "{name}: {} more blocking chains",
                fresh.len() - NEW_CHAINS_WRITTEN
            ),
            None,
        ));
    }
    if roots.is_empty() && !marks.roots.is_empty() {
        out.push((
            Severity::Info,
            format!("{name}: no blocked backends any more"),
            None,
        ));
    }
    marks.roots = roots;
    out
}

/// Whether the windowed hit rate is under the target's mark, and the line
/// that says so; None without lookups in the window.
fn hit_rate(name: &str, r: &RedisData) -> Option<(bool, String)> {
    let rates = r.rates.as_ref()?;
    let rate = rates.hit_rate?;
    let low = rate < r.hit_rate_warn;
    let window = rates.window.as_secs();
    let text = if low {
        format!(
            "{name}: Redis hit rate {:.0}% < {:.0}% over the last {window}s ({} hits, {} misses)",
            rate * 100.0,
            r.hit_rate_warn * 100.0,
            rates.hits,
            rates.misses
        )
    } else {
        format!(
            "{name}: Redis hit rate back to {:.0}% (≥ {:.0}%)",
            rate * 100.0,
            r.hit_rate_warn * 100.0
        )
    };
    Some((low, text))
}

/// A query on one line, cut for a Timeline row.
fn quote(query: &str) -> String {
    let line = query.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::features::queries::mongo::truncate_chars(&line, QUOTED_CHARS)
}
