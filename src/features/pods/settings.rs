//! `[rollout]`: when a rollback is advised, and how Prometheus tells one
//! revision's pods from another's.
//!
//! ```toml
//! [rollout]
//! error_ratio = 0.05      # rollback advised above 5 % errors
//! p95_secs = 2.0          # ... above a 2 s p95
//! memory_share = 0.8      # ... above 80 % of the memory limit
//! version_label = "pod_template_hash"   # the series label naming a revision
//! # p95_query / error_ratio_query: PromQL; {label} is the version label,
//! # {service} the service label, {range} the rate window.
//!
//! [rollout.services."payment-service"]
//! error_ratio = 0.02
//! ```

use std::collections::BTreeMap;

/// The rollback conditions (the runbook's defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub error_ratio: f64,
    pub p95_secs: f64,
    /// Memory used over its limit, 0..1.
    pub memory_share: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            error_ratio: 0.05,
            p95_secs: 2.0,
            memory_share: 0.8,
        }
    }
}

/// `[rollout]` as read.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutSettings {
    pub thresholds: Thresholds,
    /// Per service (deployment name): its own thresholds.
    pub services: BTreeMap<String, Thresholds>,
    /// The label whose value names a revision in the series: Prometheus
    /// turns the pod label `pod-template-hash` into `pod_template_hash`.
    pub version_label: String,
    pub p95_query: Option<String>,
    pub error_ratio_query: Option<String>,
}

impl Default for RolloutSettings {
    fn default() -> Self {
        RolloutSettings {
            thresholds: Thresholds::default(),
            services: BTreeMap::new(),
            version_label: "pod_template_hash".into(),
            p95_query: None,
            error_ratio_query: None,
        }
    }
}

impl RolloutSettings {
    /// The thresholds for one deployment.
    pub fn thresholds_for(&self, deployment: &str) -> Thresholds {
        self.services
            .get(deployment)
            .copied()
            .unwrap_or(self.thresholds)
    }
}
