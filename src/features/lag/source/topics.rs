//! Topics and their partitions from metadata, log watermarks, and the
//! sizes of dead-letter topics.

use super::client::{blocking, consumer};
use super::config::ClusterConfig;
use super::error::{ErrorKind, SourceError};
use crate::features::lag::stats::TopicPartition;
use crate::features::lag::stats::dlq::{DlqPatterns, TopicSize, topic_size};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaResult;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// `(low, high)` of every partition in `tps`: one ListOffsets request per
/// leader for each end, where `watermarks` takes two round trips per
/// partition, one partition after another (1,000 partitions over a 2 ms
/// link took 4 s of a 5 s interval). A set, because a request naming a
/// partition twice goes unanswered (tansu 0.6 fails it; librdkafka then
/// waits out the timeout). Partitions answered with an error are left
/// out: the caller reads those one by one and reports what fails.
pub(crate) fn watermarks_of(
    client: &BaseConsumer,
    cluster: &ClusterConfig,
    tps: &BTreeSet<&TopicPartition>,
) -> Result<HashMap<TopicPartition, (i64, i64)>, SourceError> {
    if tps.is_empty() {
        return Ok(HashMap::new());
    }
    let query = |end: Offset| -> Result<HashMap<TopicPartition, i64>, SourceError> {
        let asked = tps.iter().map(|tp| (tp.topic.as_str(), tp.partition, end));
        Ok(list_offsets(client, cluster, asked, "reading offsets")?
            .into_iter()
            .filter_map(|(tp, found)| match found {
                Ok(Offset::Offset(n)) => Some((tp, n)),
                _ => None,
            })
            .collect())
    };
    let low = query(Offset::Beginning)?;
    let mut high = query(Offset::End)?;
    Ok(low
        .into_iter()
        .filter_map(|(tp, low)| high.remove(&tp).map(|high| (tp, (low, high))))
        .collect())
}

/// One ListOffsets request per leader: for each `(topic, partition,
/// query)` asked (a time, or the log's start or end), the offset the
/// broker found, or its error for that partition, for the caller to judge.
pub(crate) fn list_offsets<'a>(
    client: &BaseConsumer,
    cluster: &ClusterConfig,
    asked: impl IntoIterator<Item = (&'a str, i32, Offset)>,
    doing: &str,
) -> Result<Vec<(TopicPartition, KafkaResult<Offset>)>, SourceError> {
    let mut list = TopicPartitionList::new();
    for (topic, partition, query) in asked {
        list.add_partition_offset(topic, partition, query)
            .map_err(|e| SourceError::from_kafka(cluster, doing, &e))?;
    }
    let found = client
        .offsets_for_times(list, cluster.timeout)
        .map_err(|e| SourceError::from_kafka(cluster, doing, &e))?;
    Ok(found
        .elements()
        .iter()
        .map(|e| {
            let tp = TopicPartition::new(e.topic(), e.partition());
            (tp, e.error().map(|()| e.offset()))
        })
        .collect())
}

/// The watermarks `watermarks_of` could read, for `fill_watermarks` to
/// complete one by one; an error only when the cluster is unreachable
/// (reading one by one would then wait out the timeout per partition).
pub(crate) fn prefetch_watermarks(
    client: &BaseConsumer,
    cluster: &ClusterConfig,
    tps: &BTreeSet<&TopicPartition>,
) -> Result<HashMap<TopicPartition, (i64, i64)>, SourceError> {
    match watermarks_of(client, cluster, tps) {
        Ok(found) => Ok(found),
        Err(e) if e.kind == ErrorKind::Unreachable => Err(e),
        Err(e) => {
            tracing::debug!("{}: watermarks one by one: {e}", cluster.name);
            Ok(HashMap::new())
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lag::source::client::consumer;
    use rdkafka::config::ClientConfig as KafkaClientConfig;
    use rdkafka::mocking::MockCluster;
    use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
    use std::time::Duration;

    /// Two brokers, each leading some partitions of two topics, each
    /// partition with its own number of messages: one batch per leader
    /// and end must give what reading them one by one gives.
    #[test]
    fn every_partitions_watermarks_at_once_are_those_read_one_by_one() {
        let mock = MockCluster::new(2).unwrap();
        let layout = [("orders", 6), ("payments", 3)];
        for (topic, partitions) in layout {
            mock.create_topic(topic, partitions, 1).unwrap();
            for p in 0..partitions {
                mock.partition_leader(topic, p, Some(1 + p % 2)).unwrap();
            }
        }
        let producer: BaseProducer = KafkaClientConfig::new()
            .set("bootstrap.servers", mock.bootstrap_servers())
            .create()
            .unwrap();
        let mut tps = Vec::new();
        for (topic, partitions) in layout {
            for p in 0..partitions {
                for _ in 0..(p * 3 + 1) {
                    let record = BaseRecord::<(), str>::to(topic).payload("m").partition(p);
                    producer.send(record).map_err(|(e, _)| e).unwrap();
                }
                tps.push(TopicPartition::new(topic, p));
            }
        }
        producer.flush(Duration::from_secs(10)).unwrap();
        let cluster = ClusterConfig::new("mock", mock.bootstrap_servers());
        let client = consumer(&cluster, None).unwrap();

        let batch = watermarks_of(&client, &cluster, &tps.iter().collect()).unwrap();

        assert_eq!(batch.len(), tps.len());
        for tp in &tps {
            let one = watermarks(&client, &cluster, &tp.topic, tp.partition).unwrap();
            assert_eq!(batch.get(tp), Some(&one), "{tp:?}");
        }
        assert_eq!(batch[&TopicPartition::new("orders", 5)], (0, 16));
        assert!(
            watermarks_of(&client, &cluster, &BTreeSet::new())
                .unwrap()
                .is_empty()
        );
    }

    /// A batch that fails because the broker is gone fails the poll at
    /// once: falling back to one request per partition would wait out the
    /// timeout once per partition. Other failures fall back.
    #[test]
    fn only_an_unreachable_cluster_fails_the_prefetch() {
        let mock = MockCluster::new(1).unwrap();
        mock.create_topic("orders", 4, 1).unwrap();
        // Time enough to connect on a busy machine; once the broker is
        // down, the batch must fail rather than fall back.
        let cluster = ClusterConfig::new("mock", mock.bootstrap_servers())
            .with_timeout(Duration::from_secs(10));
        let client = consumer(&cluster, None).unwrap();
        let tps: Vec<TopicPartition> = (0..4).map(|p| TopicPartition::new("orders", p)).collect();
        let wanted: BTreeSet<&TopicPartition> = tps.iter().collect();
        assert_eq!(
            prefetch_watermarks(&client, &cluster, &wanted)
                .unwrap()
                .len(),
            4
        );
        mock.broker_down(1).unwrap();
        let cluster = cluster.with_timeout(Duration::from_secs(1));
        let err = prefetch_watermarks(&client, &cluster, &wanted).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
    }
}
