//! `[breakers]` as the Breakers feature uses it; `config/settings/breakers.rs`
//! reads it and reports problems with file, line and key.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct BreakerSettings {
    /// Service name → its actuator.
    pub actuators: BTreeMap<String, Actuator>,
    pub discovery: Option<BreakerDiscovery>,
    /// Read `resilience4j_circuitbreaker_*` from the `[prometheus]` server.
    pub prometheus: bool,
    pub interval_secs: u32,
    /// The environment variable holding a bearer token for the URLs.
    pub bearer_token_env: Option<String>,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        BreakerSettings {
            actuators: BTreeMap::new(),
            discovery: None,
            prometheus: false,
            interval_secs: 5,
            bearer_token_env: None,
        }
    }
}

impl BreakerSettings {
    pub fn enabled(&self) -> bool {
        !self.actuators.is_empty() || self.discovery.is_some() || self.prometheus
    }
}

/// One `[breakers.actuators]` entry: a base URL, and which environment it
/// is in when the config says (the guard chain's protection needs it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Actuator {
    pub url: String,
    pub context: Option<String>,
    pub namespace: Option<String>,
}

impl Actuator {
    pub fn endpoint(&self) -> crate::core::action::Endpoint {
        crate::core::action::Endpoint::Url {
            base: self.url.clone(),
            context: self.context.clone(),
            namespace: self.namespace.clone(),
        }
    }
}

/// `[breakers.discovery]`: pods whose actuator is read through the pod proxy.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakerDiscovery {
    pub selector: String,
    pub port: u16,
    /// The actuator base path in the pod.
    pub path: String,
    /// `None`: the namespace Kubernetes is watched in.
    pub namespace: Option<String>,
}
