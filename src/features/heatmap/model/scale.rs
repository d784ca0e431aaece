//! The colour scale: where a value stands against its service's SLO.

use crate::shared::prometheus::Metric;
use std::collections::BTreeMap;

/// The colour class of one cell.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Level {
    Good,
    /// Within 20% of the threshold, still on the good side.
    Near,
    Bad,
    /// No sample, or NaN: drawn as a gap, never as zero.
    Gap,
    /// +Inf or -Inf, e.g. a quantile that fell into the `+Inf` bucket.
    Infinite,
}

/// One SLO threshold for one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Slo {
    /// Good while the value stays below this (latency, error ratio).
    Below(f64),
    /// Good while the value stays above this ratio (availability).
    Above(f64),
}

/// How close to a threshold counts as "near".
const NEAR_FRACTION: f64 = 0.2;

impl Slo {
    /// How far the value has used up its allowance: 1.0 is at the threshold,
    /// above 1.0 is breaching. For `Above`, the allowance is the budget
    /// `1 - threshold` (99.9% leaves 0.1%), which is what "within 20%"
    /// means for availability: 20% of 99.9% would make everything near.
    pub fn usage(self, value: f64) -> f64 {
        match self {
            Slo::Below(limit) => value / limit,
            Slo::Above(limit) => (1.0 - value) / (1.0 - limit),
        }
    }
}

/// The colour class of `value` against `slo`. With no SLO (request rate,
/// or a service without one) every finite value is `Good`.
pub fn level(value: Option<f64>, slo: Option<Slo>) -> Level {
    let Some(value) = value.filter(|v| !v.is_nan()) else {
        return Level::Gap;
    };
    if value.is_infinite() {
        return Level::Infinite;
    }
    let Some(slo) = slo else {
        return Level::Good;
    };
    let usage = slo.usage(value);
    if usage >= 1.0 {
        Level::Bad
    } else if usage >= 1.0 - NEAR_FRACTION {
        Level::Near
    } else {
        Level::Good
    }
}

/// The runbooks' service in front of everything, with the tighter latency SLO.
pub const GATEWAY: &str = "api-gateway";

/// Per-service SLO thresholds, with the runbooks' defaults for any service
/// not listed: p95 < 100 ms for api-gateway and < 500 ms elsewhere, error
/// ratio < 0.1%, availability > 99.9%. p99 and request rate have none.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SloTable {
    overrides: BTreeMap<(String, Metric), Option<Slo>>,
}

impl SloTable {
    /// Sets (or with `None`, removes) the SLO of one service for one metric.
    pub fn set(&mut self, service: &str, metric: Metric, slo: Option<Slo>) {
        self.overrides.insert((service.to_string(), metric), slo);
    }

    pub fn get(&self, service: &str, metric: Metric) -> Option<Slo> {
        if let Some(slo) = self.overrides.get(&(service.to_string(), metric)) {
            return *slo;
        }
        match metric {
            Metric::P95 if service == GATEWAY => Some(Slo::Below(0.1)),
            Metric::P95 => Some(Slo::Below(0.5)),
            Metric::ErrorRatio => Some(Slo::Below(0.001)),
            Metric::Availability => Some(Slo::Above(0.999)),
            Metric::P99 | Metric::Rate => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_levels_against_the_runbook_defaults() {
        let t = SloTable::default();
        let gw = t.get(GATEWAY, Metric::P95);
        assert_eq!(level(Some(0.05), gw), Level::Good);
        assert_eq!(level(Some(0.085), gw), Level::Near);
        assert_eq!(level(Some(0.1), gw), Level::Bad);
        let orders = t.get("orders", Metric::P95);
        assert_eq!(level(Some(0.3), orders), Level::Good);
        assert_eq!(level(Some(0.45), orders), Level::Near);
        assert_eq!(level(Some(0.6), orders), Level::Bad);
    }

    #[test]
    fn ratios_use_the_error_budget() {
        let t = SloTable::default();
        let err = t.get("orders", Metric::ErrorRatio);
        assert_eq!(level(Some(0.0), err), Level::Good);
        assert_eq!(level(Some(0.0009), err), Level::Near);
        assert_eq!(level(Some(0.002), err), Level::Bad);
        let avail = t.get("orders", Metric::Availability);
        assert_eq!(level(Some(1.0), avail), Level::Good);
        assert_eq!(level(Some(0.99915), avail), Level::Near);
        assert_eq!(level(Some(0.998), avail), Level::Bad);
    }

    #[test]
    fn gaps_and_infinities_are_never_colours_of_a_number() {
        let slo = Some(Slo::Below(0.5));
        assert_eq!(level(None, slo), Level::Gap);
        assert_eq!(level(Some(f64::NAN), slo), Level::Gap);
        assert_eq!(level(Some(f64::INFINITY), slo), Level::Infinite);
        assert_eq!(level(Some(1e9), None), Level::Good);
    }

    #[test]
    fn overrides_replace_or_remove_a_default() {
        let mut t = SloTable::default();
        t.set("search", Metric::P95, Some(Slo::Below(2.0)));
        t.set("batch", Metric::ErrorRatio, None);
        assert_eq!(t.get("search", Metric::P95), Some(Slo::Below(2.0)));
        assert_eq!(t.get("batch", Metric::ErrorRatio), None);
        assert_eq!(t.get("search", Metric::P99), None);
    }
}
