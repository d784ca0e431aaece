//! `[kubernetes]` as the sources use it; `config/settings.rs` reads it.

use std::path::PathBuf;

/// `[kubernetes]`: which cluster and namespace to watch. Every field is
/// optional; the kubeconfig's current context is the default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KubeSettings {
    /// Off unless a kubeconfig is found or this section says `enabled = true`.
    pub enabled: Option<bool>,
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub all_namespaces: bool,
    /// How often pod metrics are polled.
    pub metrics_interval_secs: u32,
}
