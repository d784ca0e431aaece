//! Per-source health, as the header badges show it.

use crate::core::source::{HealthReport, SourceId};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// What a badge says about a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Badge {
    Ok,
    /// No report for longer than three intervals.
    Stale,
    /// The last poll failed; the text is shown with the time of the last good data.
    Error(String),
    /// Configured but switched off.
    Off,
}

/// The latest report and the time of the last good data of one source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceHealth {
    pub last: HealthReport,
    pub last_ok: Option<DateTime<Utc>>,
}

/// Health of every source that has reported, in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Health {
    sources: BTreeMap<SourceId, SourceHealth>,
    off: Vec<SourceId>,
}

impl Health {
    pub fn apply(&mut self, report: HealthReport) {
        let previous_ok = self.sources.get(&report.source).and_then(|s| s.last_ok);
        let last_ok = if report.error.is_none() {
            Some(report.at)
        } else {
            previous_ok
        };
        self.sources.insert(
            report.source,
            SourceHealth {
                last: report,
                last_ok,
            },
        );
    }

    /// Marks a source as configured but disabled.
    pub fn set_off(&mut self, source: SourceId) {
        if !self.off.contains(&source) {
            self.off.push(source);
        }
    }

    pub fn get(&self, source: SourceId) -> Option<&SourceHealth> {
        self.sources.get(&source)
    }

    /// Every known source and its badge at `now`.
    pub fn badges(&self, now: DateTime<Utc>) -> Vec<(SourceId, Badge)> {
        let mut out: Vec<(SourceId, Badge)> = self
            .sources
            .iter()
            .map(|(id, h)| (*id, badge(h, now)))
            .collect();
        out.extend(self.off.iter().map(|id| (*id, Badge::Off)));
        out
    }
}

fn badge(h: &SourceHealth, now: DateTime<Utc>) -> Badge {
    if let Some(err) = &h.last.error {
        return Badge::Error(err.clone());
    }
    let stale_after = h.last.interval * 3;
    match (now - h.last.at).to_std() {
        Ok(age) if age > stale_after => Badge::Stale,
        _ => Badge::Ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::time::Duration;

    fn report(sec: i64, error: Option<&str>) -> HealthReport {
        HealthReport {
            source: SourceId::Prometheus,
            at: Utc.timestamp_opt(1_800_000_000 + sec, 0).unwrap(),
            error: error.map(str::to_string),
            interval: Duration::from_secs(5),
        }
    }

    #[test]
    fn ok_turns_stale_after_three_intervals() {
        let mut h = Health::default();
        h.apply(report(0, None));
        let at = |s: i64| Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap();
        assert_eq!(h.badges(at(14))[0].1, Badge::Ok);
        assert_eq!(h.badges(at(16))[0].1, Badge::Stale);
    }

    #[test]
    fn an_error_keeps_the_time_of_the_last_good_data() {
        let mut h = Health::default();
        h.apply(report(0, None));
        h.apply(report(5, Some("connection refused")));
        let s = h.get(SourceId::Prometheus).unwrap();
        assert_eq!(
            s.last_ok,
            Some(Utc.timestamp_opt(1_800_000_000, 0).unwrap())
        );
        assert_eq!(
            h.badges(s.last.at)[0].1,
            Badge::Error("connection refused".into())
        );
    }
}
