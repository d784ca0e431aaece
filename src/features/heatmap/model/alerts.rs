//! Prometheus alerts as the Heatmap's alert pane lists them, and which of
//! them started firing since the previous poll (for the Timeline).

use crate::core::source::{AlertSummary, Severity};
use chrono::{DateTime, Utc};

/// Whether an alert's condition has held for its `for:` duration yet.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum AlertState {
    Firing,
    Pending,
}

/// One active alert.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PromAlert {
    /// Stable identity across polls: the alert name and its label set.
    pub id: String,
    pub name: String,
    pub state: AlertState,
    pub severity: Severity,
    pub service: String,
    /// When the condition started holding (`activeAt`), when known.
    pub since: Option<DateTime<Utc>>,
    pub summary: String,
}

/// Maps a `severity` label to ours: `critical`/`page` are Crit,
/// `warning`/`warn` are Warn, anything else (or none) is Info.
pub fn severity_of(label: Option<&str>) -> Severity {
    match label.map(str::to_ascii_lowercase).as_deref() {
        Some("critical" | "page" | "crit") => Severity::Crit,
        Some("warning" | "warn") => Severity::Warn,
        _ => Severity::Info,
    }
}

/// Alerts firing in `current` that were not firing in `previous`. On the
/// first poll `previous` is empty, so alerts already firing are reported
/// too: they belong to the incident even if they started before opsdeck.
pub fn newly_firing<'a>(previous: &[PromAlert], current: &'a [PromAlert]) -> Vec<&'a PromAlert> {
    current
        .iter()
        .filter(|a| a.state == AlertState::Firing)
        .filter(|a| {
            !previous
                .iter()
                .any(|p| p.id == a.id && p.state == AlertState::Firing)
        })
        .collect()
}

/// The Timeline text of a newly firing alert.
pub fn timeline_text(alert: &PromAlert) -> String {
    let mut text = format!("alert {} firing for {}", alert.name, alert.service);
    if let Some(since) = alert.since {
        text.push_str(&format!(" since {}", since.format("%H:%M:%S")));
    }
    if !alert.summary.is_empty() {
        text.push_str(": ");
        text.push_str(&alert.summary);
    }
    text
}

/// The header's count of firing alerts.
pub fn summaries(alerts: &[PromAlert]) -> Vec<AlertSummary> {
    alerts
        .iter()
        .filter(|a| a.state == AlertState::Firing)
        .map(|a| AlertSummary {
            name: a.name.clone(),
            severity: a.severity,
            service: a.service.clone(),
            since: a.since.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(id: &str, state: AlertState) -> PromAlert {
        PromAlert {
            id: id.into(),
            name: "HighLatency".into(),
            state,
            severity: Severity::Crit,
            service: "orders".into(),
            since: None,
            summary: "p95 over 500ms".into(),
        }
    }

    #[test]
    fn only_transitions_into_firing_are_new() {
        let before = [
            alert("a", AlertState::Firing),
            alert("b", AlertState::Pending),
        ];
        let now = [
            alert("a", AlertState::Firing),
            alert("b", AlertState::Firing),
            alert("c", AlertState::Pending),
        ];
        let new: Vec<&str> = newly_firing(&before, &now)
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(new, ["b"]);
        assert_eq!(newly_firing(&[], &now).len(), 2);
        assert_eq!(
            timeline_text(&now[0]),
            "alert HighLatency firing for orders: p95 over 500ms"
        );
        assert_eq!(summaries(&now).len(), 2);
    }

    #[test]
    fn severities() {
        assert_eq!(severity_of(Some("critical")), Severity::Crit);
        assert_eq!(severity_of(Some("Warning")), Severity::Warn);
        assert_eq!(severity_of(None), Severity::Info);
    }
}
