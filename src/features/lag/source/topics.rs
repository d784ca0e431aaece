//! Topics and their partitions from metadata, log watermarks, and the
//! sizes of dead-letter topics.

use super::client::{blocking, consumer};
use super::config::ClusterConfig;
use super::error::SourceError;
use crate::features::lag::stats::dlq::{DlqPatterns, TopicSize, topic_size};
use rdkafka::consumer::{BaseConsumer, Consumer};
use std::collections::BTreeMap;

/// Topic → partition ids (sorted), from one metadata request for all
/// topics, so partitions added since the last poll show up. Topics the
/// broker reports with an error (being deleted) are left out.
pub(crate) fn topic_partitions(
    client: &BaseConsumer,
    cluster: &ClusterConfig,
) -> Result<BTreeMap<String, Vec<i32>>, SourceError> {
    let metadata = client
        .fetch_metadata(None, cluster.timeout)
        .map_err(|e| SourceError::from_kafka(cluster, "fetching metadata", &e))?;
    Ok(metadata
        .topics()
        .iter()
        .filter(|t| t.error().is_none())
        .map(|t| {
            let mut ids: Vec<i32> = t.partitions().iter().map(|p| p.id()).collect();
            ids.sort_unstable();
            (t.name().to_string(), ids)
        })
        .collect())
}

/// Kafka's own topics (`__consumer_offsets`, ...), never a group's input.
pub(crate) fn is_internal(topic: &str) -> bool {
    topic.starts_with("__")
}

/// `(low, high)`: log-start and log-end offsets of one partition.
pub(crate) fn watermarks(
    client: &BaseConsumer,
    cluster: &ClusterConfig,
    topic: &str,
    partition: i32,
) -> Result<(i64, i64), SourceError> {
    client
        .fetch_watermarks(topic, partition, cluster.timeout)
        .map_err(|e| {
            SourceError::from_kafka(
                cluster,
                &format!("reading offsets of {topic}/{partition}"),
                &e,
            )
        })
}

/// Size of every topic matching `patterns`, sorted by name.
pub async fn dead_letter_sizes(
    cluster: &ClusterConfig,
    patterns: &DlqPatterns,
) -> Result<Vec<TopicSize>, SourceError> {
    let patterns = patterns.clone();
    blocking(cluster, move |cluster| {
        let client = consumer(cluster, None)?;
        let layout = topic_partitions(&client, cluster)?;
        dead_letter_sizes_in(&client, cluster, &layout, &patterns)
    })
    .await
}

/// Size of every topic of `layout` matching `patterns`, sorted by name.
pub(crate) fn dead_letter_sizes_in(
    client: &BaseConsumer,
    cluster: &ClusterConfig,
    layout: &BTreeMap<String, Vec<i32>>,
    patterns: &DlqPatterns,
) -> Result<Vec<TopicSize>, SourceError> {
    let mut sizes = Vec::new();
    for (topic, partitions) in layout {
        if !patterns.matches(topic) {
            continue;
        }
        let marks = partitions
            .iter()
            .map(|p| watermarks(client, cluster, topic, *p))
            .collect::<Result<Vec<_>, _>>()?;
        sizes.push(topic_size(topic, chrono::Utc::now(), &marks));
    }
    Ok(sizes)
}
