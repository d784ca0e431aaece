//! The cells of a breaker row: state, the failure-rate bar, counts.

use super::BreakersScreen;
use crate::features::breakers::data::{BreakerState, Rate};
use crate::features::breakers::model::{BreakerRow, RowKey};
use crate::shared::format::age;
use chrono::{DateTime, Utc};
use ratatui::text::{Line, Span};

/// Cells of the failure-rate bar: full at the threshold.
const BAR: usize = 6;

/// The state, coloured by how bad it is; `≠` marks pods that disagree.
pub fn state_span(screen: &BreakersScreen<'_>, state: &BreakerState, split: bool) -> Span<'static> {
    let t = screen.theme;
    let style = match state {
        BreakerState::Open | BreakerState::ForcedOpen => t.crit,
        BreakerState::HalfOpen | BreakerState::Disabled | BreakerState::Unknown(_) => t.warn,
        BreakerState::MetricsOnly => t.muted,
        BreakerState::Closed => t.ok,
    };
    let mark = if split { "≠" } else { "" };
    Span::styled(format!("{mark}{}", state.as_str()), style)
}

/// `████░░ 62.5%` against the threshold, or `warming up` while resilience4j
/// has too few calls to report a rate.
pub fn bar(screen: &BreakersScreen<'_>, r: &BreakerRow) -> Line<'static> {
    let t = screen.theme;
    let f = &r.figures;
    match f.failure_rate {
        None => Line::from(Span::styled("-", t.muted)),
        Some(Rate::NotEnoughCalls) => Line::from(Span::styled("warming up", t.muted)),
        Some(Rate::Percent(p)) => {
            let threshold = f.failure_threshold.unwrap_or(50.0).max(0.1);
            let share = (p / threshold).clamp(0.0, 1.0);
            let filled = (share * BAR as f64).round() as usize;
            let style = if p >= threshold {
                t.crit
            } else if share >= 0.5 {
                t.warn
            } else {
                t.ok
            };
            Line::from(vec![
                Span::styled("█".repeat(filled), style),
                Span::styled("░".repeat(BAR - filled), t.muted),
                Span::styled(
                    format!(" {}", crate::features::breakers::model::pct(p)),
                    style,
                ),
            ])
        }
    }
}

/// `12.5%/100%`, `warming up`, or `-` when the source has no such figure.
pub fn rate_text(rate: Option<Rate>, threshold: Option<f64>) -> String {
    use crate::features::breakers::model::pct;
    match (rate, threshold) {
        (None, _) => "-".into(),
        (Some(Rate::NotEnoughCalls), _) => "warming".into(),
        (Some(Rate::Percent(p)), Some(t)) => format!("{}/{}", pct(p), pct(t)),
        (Some(Rate::Percent(p)), None) => pct(p),
    }
}

pub fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "-".into(), |n| n.to_string())
}

/// A pod's name without its deployment prefix (`7d9f8-x2k4p`), which the
/// service column already says.
pub fn short_instance(key: &RowKey) -> String {
    key.instance
        .strip_prefix(&format!("{}-", key.service))
        .unwrap_or(&key.instance)
        .to_string()
}

/// The last transitions as a chain, `C→O→H→O 40s`.
pub fn transitions(r: &BreakerRow, now: DateTime<Utc>) -> String {
    let recent: Vec<_> = r.transitions.iter().rev().take(3).collect();
    let Some(last) = recent.first() else {
        return "-".into();
    };
    let mut chain = vec![letter(&recent[recent.len() - 1].from)];
    chain.extend(recent.iter().rev().map(|t| letter(&t.to)));
    format!("{} {}", chain.join("→"), age(Some(last.at), now))
}

fn letter(s: &BreakerState) -> &'static str {
    match s {
        BreakerState::Closed => "C",
        BreakerState::Open => "O",
        BreakerState::HalfOpen => "H",
        BreakerState::ForcedOpen => "F",
        BreakerState::Disabled => "D",
        BreakerState::MetricsOnly => "M",
        BreakerState::Unknown(_) => "?",
    }
}
