//! One snapshot of a group: its committed offsets and the log watermarks of
//! every partition of the topics it consumes, plus its state and members.

use super::client::{blocking, consumer};
use super::config::ClusterConfig;
use super::error::{ErrorKind, SourceError};
use super::groups::describe_one;
use super::topics::{is_internal, prefetch_watermarks, topic_partitions, watermarks};
use crate::features::lag::stats::{
    GroupDescription, GroupSnapshot, PartitionOffsets, TopicPartition,
};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Which topics a group's snapshot covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchTopics {
    /// These topics; ones that no longer exist go to `missing_topics`.
    Named(Vec<String>),
    /// Every topic where the group has a committed offset or a member is
    /// assigned a partition (one OffsetFetch over all topics).
    Discover,
}

/// Polls `group` once. A cluster that cannot describe groups still gives
/// offsets, with `description: None`.
pub async fn group_snapshot(
    cluster: &ClusterConfig,
    group: &str,
    topics: &WatchTopics,
) -> Result<GroupSnapshot, SourceError> {
    let group = group.to_string();
    let topics = topics.clone();
    blocking(cluster, move |cluster| {
        snapshot_now(cluster, &group, &topics)
    })
    .await
}

/// One group with a client of its own, as an offset reset plans from it.
pub(crate) fn snapshot_now(
    cluster: &ClusterConfig,
    group: &str,
    topics: &WatchTopics,
) -> Result<GroupSnapshot, SourceError> {
    let client = consumer(cluster, Some(group))?;
    let layout = topic_partitions(&client, cluster)?;
    let description = describe_unless_unsupported(&client, cluster, group)?;
    let mut snapshot = committed_snapshot(&client, cluster, &layout, group, topics, description)?;
    let wanted = snapshot.partitions.iter().map(|p| &p.tp).collect();
    let mut marks = prefetch_watermarks(&client, cluster, &wanted)?;
    fill_watermarks(&client, cluster, &mut snapshot, &mut marks)?;
    Ok(snapshot)
}

/// The group's description, or `None` where the cluster cannot describe
/// groups.
pub(crate) fn describe_unless_unsupported(
    client: &BaseConsumer,
    cluster: &ClusterConfig,
    group: &str,
) -> Result<Option<GroupDescription>, SourceError> {
    match describe_one(client, cluster, group) {
        Ok(d) => Ok(Some(d)),
        Err(e) if e.kind == ErrorKind::ListingNotSupported => Ok(None),
        Err(e) => Err(e),
    }
}

/// The group's snapshot with its committed offsets read through `client`
/// (which has the group's id) and the watermarks still zero:
/// `fill_watermarks` reads them once for all groups of a poll.
pub(crate) fn committed_snapshot(
    client: &BaseConsumer,
    cluster: &ClusterConfig,
    layout: &BTreeMap<String, Vec<i32>>,
    group: &str,
    topics: &WatchTopics,
    description: Option<GroupDescription>,
) -> Result<GroupSnapshot, SourceError> {
    let (candidates, _) = candidate_topics(layout, topics);
    let committed = committed_offsets(client, cluster, group, layout, &candidates)?;
    Ok(snapshot_of(layout, group, topics, description, &committed))
}

/// The topics a snapshot may cover, and the named ones that do not exist.
fn candidate_topics<'a>(
    layout: &'a BTreeMap<String, Vec<i32>>,
    topics: &'a WatchTopics,
) -> (Vec<&'a str>, Vec<String>) {
    match topics {
        WatchTopics::Named(names) => {
            let (present, missing): (Vec<&String>, Vec<&String>) =
                names.iter().partition(|n| layout.contains_key(n.as_str()));
            (
                present.into_iter().map(String::as_str).collect(),
                missing.into_iter().cloned().collect(),
            )
        }
        WatchTopics::Discover => (
            layout
                .keys()
                .map(String::as_str)
                .filter(|t| !is_internal(t))
                .collect(),
            Vec::new(),
        ),
    }
}

/// The group's snapshot from its committed offsets however they were read
/// (a missing partition never committed), the watermarks still zero.
pub(crate) fn snapshot_of(
    layout: &BTreeMap<String, Vec<i32>>,
    group: &str,
    topics: &WatchTopics,
    description: Option<GroupDescription>,
    committed: &HashMap<TopicPartition, Option<i64>>,
) -> GroupSnapshot {
    let (candidates, missing_topics) = candidate_topics(layout, topics);
    let kept: BTreeSet<&str> = match topics {
        WatchTopics::Named(_) => candidates.into_iter().collect(),
        WatchTopics::Discover => {
            let assigned = assigned_topics(description.as_ref());
            candidates
                .into_iter()
                .filter(|t| {
                    assigned.contains(*t)
                        || committed
                            .iter()
                            .any(|(tp, c)| tp.topic == *t && c.is_some())
                })
                .collect()
        }
    };
    let mut partitions = Vec::new();
    for topic in kept {
        for &partition in layout.get(topic).map(Vec::as_slice).unwrap_or_default() {
            let tp = TopicPartition::new(topic, partition);
            partitions.push(PartitionOffsets {
                committed: committed.get(&tp).copied().flatten(),
                low: 0,
                high: 0,
                owner: description
                    .as_ref()
                    .and_then(|d| d.owner_of(&tp))
                    .map(|m| m.member_id.clone()),
                tp,
            });
        }
    }
    GroupSnapshot {
        group: group.to_string(),
        at: chrono::Utc::now(),
        description,
        partitions,
        missing_topics,
    }
}

/// Log-start and log-end offsets of partitions, each read once per poll
/// however many groups consume it.
pub(crate) type Watermarks = HashMap<TopicPartition, (i64, i64)>;

/// Fills the snapshot's watermarks, reading those not in `marks` yet.
/// Called after the committed offsets were read, so a lag is never
/// understated by a log end read before the commit.
pub(crate) fn fill_watermarks(
    client: &BaseConsumer,
    cluster: &ClusterConfig,
    snapshot: &mut GroupSnapshot,
    marks: &mut Watermarks,
) -> Result<(), SourceError> {
    for p in &mut snapshot.partitions {
        let (low, high) = match marks.get(&p.tp) {
            Some(found) => *found,
            None => {
                let found = watermarks(client, cluster, &p.tp.topic, p.tp.partition)?;
                marks.insert(p.tp.clone(), found);
                found
            }
        };
        p.low = low;
        p.high = high;
    }
    Ok(())
}

fn assigned_topics(description: Option<&GroupDescription>) -> BTreeSet<String> {
    description
        .into_iter()
        .flat_map(|d| &d.members)
        .flat_map(|m| m.assignment.iter().flatten())
        .map(|tp| tp.topic.clone())
        .collect()
}

/// The group's committed offset for every partition of `topics`; `None`
/// where it never committed (or the broker reports an error for it).
pub(crate) fn committed_offsets(
    client: &BaseConsumer,
    cluster: &ClusterConfig,
    group: &str,
    layout: &BTreeMap<String, Vec<i32>>,
    topics: &[&str],
) -> Result<HashMap<TopicPartition, Option<i64>>, SourceError> {
    let mut tpl = TopicPartitionList::new();
    for topic in topics {
        for &partition in layout.get(*topic).map(Vec::as_slice).unwrap_or_default() {
            tpl.add_partition(topic, partition);
        }
    }
    if tpl.count() == 0 {
        return Ok(HashMap::new());
    }
    let answered = client
        .committed_offsets(tpl, cluster.timeout)
        .map_err(|e| {
            SourceError::from_kafka(cluster, &format!("reading offsets of group {group}"), &e)
        })?;
    Ok(answered
        .elements()
        .iter()
        .map(|e| {
            let committed = match (e.error(), e.offset()) {
                (Ok(()), Offset::Offset(n)) => Some(n),
                _ => None,
            };
            (TopicPartition::new(e.topic(), e.partition()), committed)
        })
        .collect())
}
