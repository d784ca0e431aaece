//! One Kafka cluster as opsdeck is told about it, and the librdkafka
//! configuration built from it.

use rdkafka::ClientConfig;
use std::fmt;
use std::time::Duration;

/// How long any one call may wait for the cluster.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Shown instead of a secret value.
const HIDDEN: &str = "***";

#[derive(Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    /// The name opsdeck shows (`prod-eu`), in every error too.
    pub name: String,
    /// `host:port[,host:port...]`.
    pub bootstrap: String,
    /// Extra librdkafka properties (`security.protocol`, `sasl.mechanism`,
    /// `sasl.username`, `sasl.password`, `ssl.ca.location`, ...), passed
    /// through as given. Secrets arrive already resolved from their env
    /// reference by the caller.
    pub properties: Vec<(String, String)>,
    pub timeout: Duration,
}

impl ClusterConfig {
    pub fn new(name: impl Into<String>, bootstrap: impl Into<String>) -> Self {
        ClusterConfig {
            name: name.into(),
            bootstrap: bootstrap.into(),
            properties: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    pub fn with_property(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.properties.push((key.into(), value.into()));
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// librdkafka settings for a client of this cluster; with `group`, a
    /// consumer that acts for that group without ever joining it.
    pub(crate) fn client_config(&self, group: Option<&str>) -> ClientConfig {
        let mut config = ClientConfig::new();
        config.set("client.id", "opsdeck");
        // Bound connection attempts too, so a dead address fails within the
        // call timeout instead of librdkafka's 30 s default.
        let millis = self.timeout.as_millis().clamp(1000, 300_000).to_string();
        config.set("socket.connection.setup.timeout.ms", &millis);
        for (key, value) in &self.properties {
            config.set(key, value);
        }
        // Set last: these are not the user's to override.
        config.set("bootstrap.servers", &self.bootstrap);
        if let Some(group) = group {
            config.set("group.id", group);
            // opsdeck only reads offsets and commits them on explicit request.
            config.set("enable.auto.commit", "false");
            config.set("enable.auto.offset.store", "false");
        }
        config
    }

    /// Whether clients reach this cluster in plain text: no
    /// `security.protocol` but PLAINTEXT, no `sasl.*` or `ssl.*` property.
    /// Only then may opsdeck speak the protocol itself; TLS and SASL are
    /// left to librdkafka.
    pub fn is_plaintext(&self) -> bool {
        self.properties.iter().all(|(key, value)| {
            let key = key.to_ascii_lowercase();
            if key == "security.protocol" {
                value.eq_ignore_ascii_case("plaintext")
            } else {
                !key.starts_with("sasl.") && !key.starts_with("ssl.")
            }
        })
    }

    /// `text` with every secret property value replaced, for any message
    /// that might echo configuration back (librdkafka config errors do).
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (key, value) in &self.properties {
            if is_secret_key(key) && !value.is_empty() {
                out = out.replace(value.as_str(), HIDDEN);
            }
        }
        out
    }
}

/// Property keys whose values must never be shown or logged.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.contains("password")
        || key.contains("secret")
        || key.contains("token")
        || key == "ssl.key.pem"
        || key == "sasl.oauthbearer.config"
        || key == "sasl.jaas.config"
}

impl fmt::Debug for ClusterConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let properties: Vec<(&str, &str)> = self
            .properties
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str(),
                    if is_secret_key(k) { HIDDEN } else { v.as_str() },
                )
            })
            .collect();
        f.debug_struct("ClusterConfig")
            .field("name", &self.name)
            .field("bootstrap", &self.bootstrap)
            .field("properties", &properties)
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secured() -> ClusterConfig {
        ClusterConfig::new("prod", "b1:9093")
            .with_property("security.protocol", "SASL_SSL")
            .with_property("sasl.username", "svc-opsdeck")
            .with_property("sasl.password", "hunter2-very-secret")
            .with_property("ssl.key.password", "k3y-pass")
    }

    #[test]
    fn debug_hides_secret_values() {
        let text = format!("{:?}", secured());
        assert!(text.contains("svc-opsdeck"));
        assert!(text.contains("SASL_SSL"));
        assert!(!text.contains("hunter2"));
        assert!(!text.contains("k3y-pass"));
    }

    #[test]
    fn redact_replaces_secret_values_in_any_text() {
        let c = secured();
        assert_eq!(
            c.redact("bad value hunter2-very-secret for sasl.password"),
            "bad value *** for sasl.password"
        );
        assert_eq!(c.redact("svc-opsdeck"), "svc-opsdeck");
    }

    #[test]
    fn secret_keys() {
        for key in [
            "sasl.password",
            "ssl.key.password",
            "ssl.keystore.password",
            "ssl.truststore.password",
            "sasl.oauthbearer.client.secret",
            "ssl.key.pem",
            "SASL.PASSWORD",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        assert!(!is_secret_key("sasl.username"));
        assert!(!is_secret_key("ssl.ca.location"));
    }

    #[test]
    fn only_a_cluster_without_tls_or_sasl_is_plaintext() {
        let plain = ClusterConfig::new("c", "b:9092");
        assert!(plain.is_plaintext());
        assert!(
            plain
                .clone()
                .with_property("security.protocol", "plaintext")
                .is_plaintext()
        );
        assert!(
            plain
                .clone()
                .with_property("client.rack", "a")
                .is_plaintext()
        );
        assert!(!secured().is_plaintext());
        for (key, value) in [
            ("security.protocol", "SSL"),
            ("security.protocol", "SASL_PLAINTEXT"),
            ("SASL.mechanism", "PLAIN"),
            ("ssl.ca.location", "/ca.pem"),
        ] {
            assert!(
                !plain.clone().with_property(key, value).is_plaintext(),
                "{key}"
            );
        }
    }

    #[test]
    fn group_and_bootstrap_cannot_be_overridden() {
        let c = ClusterConfig::new("c", "real:9092")
            .with_property("bootstrap.servers", "other:1")
            .with_property("enable.auto.commit", "true");
        let config = c.client_config(Some("g"));
        assert_eq!(config.get("bootstrap.servers"), Some("real:9092"));
        assert_eq!(config.get("group.id"), Some("g"));
        assert_eq!(config.get("enable.auto.commit"), Some("false"));
        assert_eq!(c.client_config(None).get("group.id"), None);
    }
}
