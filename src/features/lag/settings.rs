//! `[kafka]` as the Lag feature uses it; `config/settings/kafka.rs` reads it
//! from the file and reports problems with file, line and key.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct KafkaSettings {
    pub clusters: Vec<KafkaCluster>,
    pub interval_secs: u32,
    pub dlq_patterns: Vec<String>,
    pub lag_threshold: u32,
    pub lag_for_secs: u32,
    pub rebalances_per_hour: u32,
    /// Consumer group → the deployment that runs its consumers.
    pub consumers: BTreeMap<String, String>,
}

impl Default for KafkaSettings {
    fn default() -> Self {
        KafkaSettings {
            clusters: Vec::new(),
            interval_secs: 5,
            dlq_patterns: vec!["*-dlq".into(), "*.DLT".into()],
            lag_threshold: 1000,
            lag_for_secs: 300,
            rebalances_per_hour: 5,
            consumers: BTreeMap::new(),
        }
    }
}

/// `[kafka.clusters.NAME]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KafkaCluster {
    pub name: String,
    pub bootstrap: String,
    pub groups: Vec<String>,
    pub discover: bool,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// librdkafka properties passed through (no secrets).
    pub properties: BTreeMap<String, String>,
    /// librdkafka property → environment variable holding its value.
    pub secret_env: BTreeMap<String, String>,
}
