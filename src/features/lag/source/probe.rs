//! `opsdeck check` for a Kafka cluster: reachable, how many brokers, and
//! whether groups can be listed.

use super::client::{blocking, consumer};
use super::config::ClusterConfig;
use super::error::SourceError;
use super::groups::describe;
use rdkafka::consumer::Consumer;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq)]
pub struct ProbeReport {
    pub cluster: String,
    /// Brokers and topics in the metadata, or why it could not be read.
    pub metadata: Result<(usize, usize), SourceError>,
    /// Groups listed; `None` when metadata already failed. An error of kind
    /// `ListingNotSupported` means configured groups are still watched.
    pub listing: Option<Result<usize, SourceError>>,
    pub took: Duration,
}

pub async fn probe(cluster: &ClusterConfig) -> ProbeReport {
    let started = Instant::now();
    let outcome = blocking(cluster, |cluster| {
        let client = consumer(cluster, None)?;
        let metadata = client
            .fetch_metadata(None, cluster.timeout)
            .map(|m| (m.brokers().len(), m.topics().len()))
            .map_err(|e| SourceError::from_kafka(cluster, "fetching metadata", &e));
        let listing = metadata
            .is_ok()
            .then(|| describe(&client, cluster, None).map(|groups| groups.len()));
        Ok((metadata, listing))
    })
    .await;
    let (metadata, listing) = match outcome {
        Ok(found) => found,
        Err(e) => (Err(e), None),
    };
    ProbeReport {
        cluster: cluster.name.clone(),
        metadata,
        listing,
        took: started.elapsed(),
    }
}
