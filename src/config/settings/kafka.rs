//! `[kafka]`: clusters, which consumer groups to watch, thresholds.
//!
//! ```toml
//! [kafka]
//! interval_secs = 5
//! dlq_patterns = ["*-dlq", "*.DLT"]
//! lag_threshold = 1000       # crit when above ...
//! lag_for_secs = 300         # ... for longer than this
//! rebalances_per_hour = 5    # warn above
//! [kafka.clusters.prod]
//! bootstrap = "kafka-0.kafka:9092,kafka-1.kafka:9092"
//! groups = ["order-processing-group"]   # always watched
//! discover = true                       # and every group the cluster lists ...
//! include = ["order-*"]                 # ... matching these (default all)
//! exclude = ["console-consumer-*"]
//! properties = { "security.protocol" = "SASL_SSL", "sasl.mechanism" = "SCRAM-SHA-512", "sasl.username" = "opsdeck" }
//! secret_env = { "sasl.password" = "KAFKA_PASSWORD" }   # librdkafka property = env var
//! [kafka.consumers]                     # group = the deployment that consumes it
//! order-processing-group = "order-consumer"
//! ```

use super::{Reader, Table};
use crate::features::lag::settings::{KafkaCluster, KafkaSettings};
use std::collections::BTreeMap;

impl Reader<'_> {
    pub(super) fn kafka(&mut self, k: &Table, out: &mut KafkaSettings) {
        const PRE: &str = "kafka.";
        self.check_keys(
            k,
            PRE,
            &[
                "interval_secs",
                "dlq_patterns",
                "lag_threshold",
                "lag_for_secs",
                "rebalances_per_hour",
                "clusters",
                "consumers",
            ],
        );
        self.int(k, PRE, "interval_secs", 1..=3_600, &mut out.interval_secs);
        self.strings(k, PRE, "dlq_patterns", &mut out.dlq_patterns);
        self.int(
            k,
            PRE,
            "lag_threshold",
            0..=u32::MAX,
            &mut out.lag_threshold,
        );
        self.int(k, PRE, "lag_for_secs", 0..=86_400, &mut out.lag_for_secs);
        self.int(
            k,
            PRE,
            "rebalances_per_hour",
            0..=10_000,
            &mut out.rebalances_per_hour,
        );
        if let Some(c) = self.subtable(k, PRE, "consumers") {
            out.consumers = self.string_map(&c, "kafka.consumers.");
        }
        if let Some(clusters) = self.subtable(k, PRE, "clusters") {
            for (name, item) in clusters.iter() {
                let prefix = format!("{PRE}clusters.{name}.");
                let Some(t) = item.as_table() else {
                    self.report(
                        &clusters,
                        "kafka.clusters.",
                        name,
                        "expected a section like [kafka.clusters.NAME]",
                    );
                    continue;
                };
                self.check_keys(
                    t,
                    &prefix,
                    &[
                        "bootstrap",
                        "groups",
                        "discover",
                        "include",
                        "exclude",
                        "properties",
                        "secret_env",
                    ],
                );
                let mut c = KafkaCluster {
                    name: name.to_string(),
                    ..KafkaCluster::default()
                };
                self.string(t, &prefix, "bootstrap", &mut c.bootstrap);
                self.strings(t, &prefix, "groups", &mut c.groups);
                self.bool(t, &prefix, "discover", &mut c.discover);
                self.strings(t, &prefix, "include", &mut c.include);
                self.strings(t, &prefix, "exclude", &mut c.exclude);
                if let Some(p) = self.subtable(t, &prefix, "properties") {
                    let props = self.string_map(&p, &format!("{prefix}properties."));
                    for (key, _) in props.iter().filter(|(k, _)| is_secret(k)) {
                        self.report(
                            &p,
                            &format!("{prefix}properties."),
                            key,
                            "secrets are not accepted inline; name the variable in secret_env",
                        );
                    }
                    c.properties = props.into_iter().filter(|(k, _)| !is_secret(k)).collect();
                }
                if let Some(s) = self.subtable(t, &prefix, "secret_env") {
                    c.secret_env = self.string_map(&s, &format!("{prefix}secret_env."));
                }
                if c.bootstrap.is_empty() {
                    self.report(
                        &clusters,
                        "kafka.clusters.",
                        name,
                        "needs bootstrap = \"host:port\"",
                    );
                } else {
                    out.clusters.push(c);
                }
            }
        }
    }

    /// A table of strings; other values are reported.
    pub(super) fn string_map(&mut self, t: &Table, prefix: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (key, value) in t.iter() {
            match value.as_str() {
                Some(v) => {
                    out.insert(key.to_string(), v.to_string());
                }
                None => self.report(t, prefix, key, "expected a string"),
            }
        }
        out
    }
}

/// librdkafka properties that hold secrets.
fn is_secret(key: &str) -> bool {
    crate::features::lag::source::is_secret_key(key)
}
