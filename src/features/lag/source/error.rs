//! Kafka failures as one line that names the cluster:
//! `kafka prod-eu: listing groups: no broker answered within 5s (b1:9092)`.

use super::config::ClusterConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No broker answered within the timeout.
    Unreachable,
    /// The cluster does not implement ListGroups/DescribeGroups; configured
    /// groups can still be watched, without state or members.
    ListingNotSupported,
    /// A reset refused: the group is not Empty, or its state is unknown.
    Refused,
    /// The cluster answered with an error.
    Broker,
    /// A property librdkafka does not accept.
    Config,
    /// The blocking task died.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub cluster: String,
    pub kind: ErrorKind,
    /// One line, secrets redacted.
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "kafka {}: {}", self.cluster, self.message)
    }
}

impl std::error::Error for SourceError {}

/// librdkafka's ways of saying nobody answered.
fn is_unreachable(code: RDKafkaErrorCode) -> bool {
    matches!(
        code,
        RDKafkaErrorCode::AllBrokersDown
            | RDKafkaErrorCode::BrokerTransportFailure
            | RDKafkaErrorCode::OperationTimedOut
            | RDKafkaErrorCode::TimedOutQueue
            | RDKafkaErrorCode::Resolve
    )
}

fn is_unsupported(code: RDKafkaErrorCode) -> bool {
    matches!(
        code,
        RDKafkaErrorCode::UnsupportedFeature | RDKafkaErrorCode::UnsupportedVersion
    )
}

impl SourceError {
    pub fn new(cluster: &ClusterConfig, kind: ErrorKind, message: impl AsRef<str>) -> Self {
        let one_line = message
            .as_ref()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        SourceError {
            cluster: cluster.name.clone(),
            kind,
            message: cluster.redact(&one_line),
        }
    }

    /// An rdkafka error while `doing` something (`listing groups`, ...).
    pub fn from_kafka(cluster: &ClusterConfig, doing: &str, err: &KafkaError) -> Self {
        if let KafkaError::ClientConfig(_, description, key, _value) = err {
            // The value is left out: it may be a secret.
            return Self::new(
                cluster,
                ErrorKind::Config,
                format!("{doing}: property {key}: {description}"),
            );
        }
        if let KafkaError::ClientCreation(text) = err {
            return Self::new(cluster, ErrorKind::Config, format!("{doing}: {text}"));
        }
        let code = err.rdkafka_error_code();
        match code {
            Some(code) if is_unreachable(code) => {
                Self::unreachable(cluster, doing, &code.to_string())
            }
            Some(code) if is_unsupported(code) && matches!(err, KafkaError::GroupListFetch(_)) => {
                Self::listing_not_supported(cluster, &code.to_string())
            }
            _ => Self::new(cluster, ErrorKind::Broker, format!("{doing}: {err}")),
        }
    }

    pub fn unreachable(cluster: &ClusterConfig, doing: &str, why: &str) -> Self {
        Self::new(
            cluster,
            ErrorKind::Unreachable,
            format!(
                "{doing}: no broker answered within {}s ({}): {why}",
                cluster.timeout.as_secs_f32(),
                cluster.bootstrap
            ),
        )
    }

    pub fn listing_not_supported(cluster: &ClusterConfig, why: &str) -> Self {
        Self::new(
            cluster,
            ErrorKind::ListingNotSupported,
            format!("listing groups not supported by this cluster ({why})"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::types::RDKafkaConfRes;

    fn cluster() -> ClusterConfig {
        ClusterConfig::new("prod", "b1:9092").with_property("sasl.password", "s3cret")
    }

    #[test]
    fn timeouts_are_unreachable_and_name_the_cluster() {
        let e = SourceError::from_kafka(
            &cluster(),
            "fetching metadata",
            &KafkaError::MetadataFetch(RDKafkaErrorCode::OperationTimedOut),
        );
        assert_eq!(e.kind, ErrorKind::Unreachable);
        let text = e.to_string();
        assert!(
            text.starts_with(
                "kafka prod: fetching metadata: no broker answered within 5s (b1:9092)"
            ),
            "{text}"
        );
    }

    #[test]
    fn unsupported_listing_is_its_own_kind() {
        let e = SourceError::from_kafka(
            &cluster(),
            "listing groups",
            &KafkaError::GroupListFetch(RDKafkaErrorCode::UnsupportedFeature),
        );
        assert_eq!(e.kind, ErrorKind::ListingNotSupported);
        assert!(e.to_string().contains("listing groups not supported"));
    }

    #[test]
    fn config_errors_never_show_the_value() {
        let e = SourceError::from_kafka(
            &cluster(),
            "connecting",
            &KafkaError::ClientConfig(
                RDKafkaConfRes::RD_KAFKA_CONF_INVALID,
                "Invalid value \"s3cret\" for sasl.password".into(),
                "sasl.password".into(),
                "s3cret".into(),
            ),
        );
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(!e.to_string().contains("s3cret"), "{e}");
        assert!(e.to_string().contains("sasl.password"));
    }

    #[test]
    fn messages_are_one_line() {
        let e = SourceError::new(&cluster(), ErrorKind::Broker, "a\nb\r\n  c");
        assert_eq!(e.message, "a b c");
    }
}
