//! Offset resets: plan from a fresh snapshot, commit only while the group is
//! Empty, read the offsets back, and undo by committing what was there.

use super::reset_plan::{PlanError, ResetPlan, ResetTarget, plan_reset, refusal};
use crate::features::lag::source::client::{blocking, consumer};
use crate::features::lag::source::config::ClusterConfig;
use crate::features::lag::source::error::{ErrorKind, SourceError};
use crate::features::lag::source::groups::describe_one;
use crate::features::lag::source::offsets::{WatchTopics, committed_offsets, snapshot_now};
use crate::features::lag::source::topics::list_offsets;
use crate::features::lag::stats::{GroupSnapshot, TopicPartition};
use chrono::{DateTime, Utc};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{BTreeMap, HashMap};

/// A reset as the user asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetSpec {
    Earliest,
    Latest,
    Shift(i64),
    /// The first message at or after this time.
    Timestamp(DateTime<Utc>),
}

/// A plan ready to show: what would move, and why it may not (yet).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedReset {
    /// What the plan was worked out from.
    pub snapshot: GroupSnapshot,
    pub plan: ResetPlan,
    /// Set when executing now would be refused.
    pub refusal: Option<String>,
}

/// Reads the group's offsets on `topic` and works out the reset; commits
/// nothing.
pub async fn plan(
    cluster: &ClusterConfig,
    group: &str,
    topic: &str,
    spec: &ResetSpec,
) -> Result<PlannedReset, SourceError> {
    let (group, topic, spec) = (group.to_string(), topic.to_string(), spec.clone());
    blocking(cluster, move |cluster| {
        let snapshot = snapshot_now(cluster, &group, &WatchTopics::Named(vec![topic.clone()]))?;
        let target = match spec {
            ResetSpec::Earliest => ResetTarget::Earliest,
            ResetSpec::Latest => ResetTarget::Latest,
            ResetSpec::Shift(n) => ResetTarget::Shift(n),
            ResetSpec::Timestamp(at) => {
                let partitions: Vec<i32> = snapshot.topic(&topic).map(|p| p.tp.partition).collect();
                let client = consumer(cluster, None)?;
                ResetTarget::Offsets(offsets_for_time(&client, cluster, &topic, &partitions, at)?)
            }
        };
        let plan = plan_reset(&snapshot, &topic, &target).map_err(|e| match e {
            PlanError::UnknownTopic(t) => {
                SourceError::new(cluster, ErrorKind::Broker, format!("topic {t} not found"))
            }
        })?;
        let members = snapshot.description.as_ref().map_or(0, |d| d.members.len());
        let refusal = refusal(&group, snapshot.state(), members);
        Ok(PlannedReset {
            snapshot,
            plan,
            refusal,
        })
    })
    .await
}

/// Per partition, the offset of the first message at or after `at`;
/// partitions with none are left out (the plan sends them to the end). A
/// partition the broker could not look up fails the plan: sending it to
/// the end would skip its messages for an error.
fn offsets_for_time(
    client: &BaseConsumer,
    cluster: &ClusterConfig,
    topic: &str,
    partitions: &[i32],
    at: DateTime<Utc>,
) -> Result<BTreeMap<i32, i64>, SourceError> {
    let doing = "looking up offsets by time";
    let asked = partitions
        .iter()
        .map(|&p| (topic, p, Offset::Offset(at.timestamp_millis())));
    let mut found = BTreeMap::new();
    for (tp, offset) in list_offsets(client, cluster, asked, doing)? {
        match offset {
            Ok(Offset::Offset(n)) => {
                found.insert(tp.partition, n);
            }
            Ok(_) => {}
            Err(e) => {
                let doing = format!("{doing} on {}/{}", tp.topic, tp.partition);
                return Err(SourceError::from_kafka(cluster, &doing, &e));
            }
        }
    }
    Ok(found)
}

/// Offsets read back after a commit: partition → committed.
pub type Committed = BTreeMap<i32, Option<i64>>;

/// Commits the plan's new offsets if the group is Empty right now, then
/// reads them back; a read-back that differs is an error.
pub async fn execute(cluster: &ClusterConfig, plan: &ResetPlan) -> Result<Committed, SourceError> {
    let plan = plan.clone();
    blocking(cluster, move |cluster| commit_plan(cluster, &plan)).await
}

/// Puts back the offsets `plan` found before it ran (same precondition).
/// Partitions that had none keep the reset's offset: Kafka has no way to
/// un-commit short of deleting the group.
pub async fn undo(cluster: &ClusterConfig, plan: &ResetPlan) -> Result<Committed, SourceError> {
    execute(cluster, &plan.undo()).await
}

fn commit_plan(cluster: &ClusterConfig, plan: &ResetPlan) -> Result<Committed, SourceError> {
    let group = plan.group.as_str();
    if plan.rows.is_empty() {
        return Ok(Committed::new());
    }
    let client = consumer(cluster, Some(group))?;
    let description = describe_one(&client, cluster, group).map_err(|e| match e.kind {
        ErrorKind::ListingNotSupported => refused(cluster, refusal(group, None, 0)),
        _ => e,
    })?;
    if let Some(reason) = refusal(group, Some(&description.state), description.members.len()) {
        return Err(refused(cluster, Some(reason)));
    }
    let mut tpl = TopicPartitionList::new();
    for row in &plan.rows {
        tpl.add_partition_offset(&plan.topic, row.partition, Offset::Offset(row.new))
            .map_err(|e| SourceError::from_kafka(cluster, "building the commit", &e))?;
    }
    client.commit(&tpl, CommitMode::Sync).map_err(|e| {
        match e.rdkafka_error_code() {
            // The coordinator only takes commits from outside an Empty group:
            // a consumer joined between the check and the commit.
            Some(
                RDKafkaErrorCode::UnknownMemberId
                | RDKafkaErrorCode::IllegalGeneration
                | RDKafkaErrorCode::RebalanceInProgress,
            ) => refused(
                cluster,
                Some(format!(
                    "group {group} became active during the reset ({e}); nothing changed"
                )),
            ),
            _ => SourceError::from_kafka(
                cluster,
                &format!("committing offsets of group {group}"),
                &e,
            ),
        }
    })?;
    let layout = BTreeMap::from([(
        plan.topic.clone(),
        plan.rows.iter().map(|r| r.partition).collect::<Vec<_>>(),
    )]);
    let read: HashMap<TopicPartition, Option<i64>> =
        committed_offsets(&client, cluster, group, &layout, &[plan.topic.as_str()])?;
    let committed: Committed = plan
        .rows
        .iter()
        .map(|r| {
            let tp = TopicPartition::new(plan.topic.as_str(), r.partition);
            (r.partition, read.get(&tp).copied().flatten())
        })
        .collect();
    let differs: Vec<String> = plan
        .rows
        .iter()
        .filter(|r| committed.get(&r.partition).copied().flatten() != Some(r.new))
        .map(|r| r.partition.to_string())
        .collect();
    if !differs.is_empty() {
        return Err(SourceError::new(
            cluster,
            ErrorKind::Broker,
            format!(
                "group {group}: committed offsets read back differ from the plan on {} partition(s) {}",
                plan.topic,
                differs.join(",")
            ),
        ));
    }
    Ok(committed)
}

fn refused(cluster: &ClusterConfig, reason: Option<String>) -> SourceError {
    SourceError::new(
        cluster,
        ErrorKind::Refused,
        reason.unwrap_or_else(|| "reset refused".to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::mocking::MockCluster;
    use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
    use std::time::Duration;

    /// librdkafka's mock has no time index (every lookup by time answers
    /// "none", which the plan sends to the end; tansu's test covers real
    /// lookups), but it fails requests on demand: a lookup the broker
    /// fails must be an error, never "go to the end". (librdkafka reports
    /// a partition's error as the whole lookup's; the per-partition arm is
    /// for the answer that names it only on the partition.)
    #[test]
    fn a_failed_lookup_by_time_fails_rather_than_going_to_the_end() {
        let mock = MockCluster::new(1).unwrap();
        mock.create_topic("orders", 2, 1).unwrap();
        let cluster = ClusterConfig::new("mock", mock.bootstrap_servers())
            .with_timeout(Duration::from_secs(10));
        let client = consumer(&cluster, None).unwrap();
        let at = Utc::now();
        let none = offsets_for_time(&client, &cluster, "orders", &[0, 1], at).unwrap();
        assert_eq!(none, BTreeMap::new());

        mock.request_errors(
            RDKafkaApiKey::ListOffsets,
            &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED; 5],
        );
        let err = offsets_for_time(&client, &cluster, "orders", &[0, 1], at).unwrap_err();
        assert!(
            err.to_string().contains("looking up offsets by time"),
            "{err}"
        );
    }
}
