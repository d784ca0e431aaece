//! `[prometheus]` as the Heatmap and the Breakers use it; `config/settings.rs`
//! reads it and reports problems with file, line and key.

use super::metric::{Metric, Window};
use std::collections::BTreeMap;

/// `[prometheus]`: where the Heatmap's data comes from. Off while `url` is
/// unset. Secrets are named by environment variable, never written here.
#[derive(Debug, Clone, PartialEq)]
pub struct PromSettings {
    /// Base URL, e.g. `http://prometheus.monitoring:9090`.
    pub url: Option<String>,
    /// The environment variable holding a bearer token.
    pub bearer_token_env: Option<String>,
    /// Extra request headers (e.g. a tenant id for a Prometheus-compatible proxy).
    pub headers: BTreeMap<String, String>,
    /// The label that names a service; `job`, then `app`, are the fallbacks.
    pub service_label: String,
    pub interval_secs: u32,
    pub window: Window,
    /// PromQL replacing a metric's default query; `{label}` and `{range}`
    /// are filled in (see `sources::prometheus::queries`).
    pub queries: BTreeMap<Metric, String>,
}

impl Default for PromSettings {
    fn default() -> Self {
        PromSettings {
            url: None,
            bearer_token_env: None,
            headers: BTreeMap::new(),
            service_label: "service".into(),
            interval_secs: 15,
            window: Window::default(),
            queries: BTreeMap::new(),
        }
    }
}
