//! The metrics the Heatmap can show, their units, the time windows, and the
//! query step that fits a window into a number of columns.

use std::time::Duration;

/// One metric of the Heatmap: a cell's value is this metric for one service
/// over one time step.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Metric {
    P95,
    P99,
    ErrorRatio,
    Availability,
    Rate,
}

/// How a metric's values are measured, for formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    /// 0..=1, shown as a percentage.
    Ratio,
    PerSecond,
}

impl Metric {
    pub const ALL: [Metric; 5] = [
        Metric::P95,
        Metric::P99,
        Metric::ErrorRatio,
        Metric::Availability,
        Metric::Rate,
    ];

    /// The name used in config keys (`[prometheus.queries] p95 = ...`).
    pub fn key(self) -> &'static str {
        match self {
            Metric::P95 => "p95",
            Metric::P99 => "p99",
            Metric::ErrorRatio => "error_ratio",
            Metric::Availability => "availability",
            Metric::Rate => "rate",
        }
    }

    /// A short human label for titles and tabs.
    pub fn label(self) -> &'static str {
        match self {
            Metric::P95 => "p95 latency",
            Metric::P99 => "p99 latency",
            Metric::ErrorRatio => "error ratio",
            Metric::Availability => "availability",
            Metric::Rate => "request rate",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Metric::P95 | Metric::P99 => Unit::Seconds,
            Metric::ErrorRatio | Metric::Availability => Unit::Ratio,
            Metric::Rate => Unit::PerSecond,
        }
    }

    pub fn from_key(key: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.key() == key)
    }
}

impl Unit {
    /// A compact text for a cell or legend: `87ms`, `1.20s`, `0.35%`,
    /// `99.95%`, `12.3/s`; `+Inf` and `NaN` as such.
    pub fn format(self, value: f64) -> String {
        if value.is_nan() {
            return "NaN".into();
        }
        if value.is_infinite() {
            return if value > 0.0 { "+Inf" } else { "-Inf" }.into();
        }
        match self {
            Unit::Seconds if value.abs() < 1.0 => format!("{:.0}ms", value * 1000.0),
            Unit::Seconds => format!("{value:.2}s"),
            Unit::Ratio => {
                let pct = value * 100.0;
                // Availability lives in the last decimals: keep two of them.
                if pct.abs() >= 10.0 {
                    format!("{pct:.2}%")
                } else {
                    format!("{pct:.3}%")
                }
            }
            Unit::PerSecond if value.abs() >= 100.0 => format!("{value:.0}/s"),
            Unit::PerSecond => format!("{value:.1}/s"),
        }
    }
}

/// How far back the Heatmap looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Window {
    M15,
    #[default]
    H1,
    H6,
}

impl Window {
    pub const ALL: [Window; 3] = [Window::M15, Window::H1, Window::H6];

    pub fn secs(self) -> u64 {
        match self {
            Window::M15 => 15 * 60,
            Window::H1 => 3600,
            Window::H6 => 6 * 3600,
        }
    }

    /// As written in config and shown in titles: `15m`, `1h`, `6h`.
    pub fn label(self) -> &'static str {
        match self {
            Window::M15 => "15m",
            Window::H1 => "1h",
            Window::H6 => "6h",
        }
    }

    pub fn parse(text: &str) -> Option<Window> {
        Window::ALL.into_iter().find(|w| w.label() == text)
    }
}

/// Query steps Prometheus users recognise; a step is always one of these so
/// columns line up with dashboards and recording rules.
pub const FRIENDLY_STEPS_SECS: [u64; 9] = [15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/// The smallest friendly step that fits `window` into at most `columns`
/// columns (the largest, 1h, when none does).
pub fn step_for(window: Window, columns: usize) -> Duration {
    let columns = columns.max(1) as u64;
    let secs = FRIENDLY_STEPS_SECS
        .into_iter()
        .find(|step| window.secs().div_ceil(*step) <= columns)
        .unwrap_or(3600);
    Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_fit_the_columns_and_are_friendly() {
        assert_eq!(step_for(Window::H1, 60), Duration::from_secs(60));
        assert_eq!(step_for(Window::H1, 59), Duration::from_secs(120));
        assert_eq!(step_for(Window::M15, 200), Duration::from_secs(15));
        assert_eq!(step_for(Window::M15, 40), Duration::from_secs(30));
        assert_eq!(step_for(Window::H6, 60), Duration::from_secs(600));
        assert_eq!(step_for(Window::H6, 1), Duration::from_secs(3600));
        assert_eq!(step_for(Window::H1, 0), Duration::from_secs(3600));
    }

    #[test]
    fn keys_and_windows_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_key(m.key()), Some(m));
        }
        for w in Window::ALL {
            assert_eq!(Window::parse(w.label()), Some(w));
        }
        assert_eq!(Window::parse("2h"), None);
    }

    #[test]
    fn values_are_formatted_by_unit() {
        assert_eq!(Unit::Seconds.format(0.087), "87ms");
        assert_eq!(Unit::Seconds.format(1.2), "1.20s");
        assert_eq!(Unit::Ratio.format(0.9995), "99.95%");
        assert_eq!(Unit::Ratio.format(0.0035), "0.350%");
        assert_eq!(Unit::PerSecond.format(12.34), "12.3/s");
        assert_eq!(Unit::Seconds.format(f64::INFINITY), "+Inf");
    }
}
