//! What one poll of a consumer group saw. The Kafka source builds these;
//! the model keeps a history of them.

use chrono::{DateTime, Utc};

/// A partition of a topic.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

/// The coordinator's word for where a group is in its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum GroupState {
    Empty,
    Stable,
    PreparingRebalance,
    CompletingRebalance,
    /// The group has no members and no offsets (or does not exist).
    Dead,
    /// A state this version does not know, kept verbatim.
    Other(String),
}

impl GroupState {
    /// Parses the state string a broker sends in DescribeGroups.
    pub fn parse(text: &str) -> GroupState {
        match text {
            "Empty" => GroupState::Empty,
            "Stable" => GroupState::Stable,
            "PreparingRebalance" => GroupState::PreparingRebalance,
            // Old brokers say AwaitingSync for the same phase.
            "CompletingRebalance" | "AwaitingSync" => GroupState::CompletingRebalance,
            "Dead" => GroupState::Dead,
            other => GroupState::Other(other.to_string()),
        }
    }

    pub fn label(&self) -> &str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::Stable => "Stable",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Dead => "Dead",
            GroupState::Other(s) => s,
        }
    }

    pub fn is_rebalancing(&self) -> bool {
        matches!(
            self,
            GroupState::PreparingRebalance | GroupState::CompletingRebalance
        )
    }
}

/// One member of a group as the coordinator describes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Member {
    pub member_id: String,
    pub client_id: String,
    pub host: String,
    /// The partitions assigned to it; `None` when the group does not use the
    /// consumer protocol or the assignment could not be decoded.
    pub assignment: Option<Vec<TopicPartition>>,
}

/// A group as ListGroups + DescribeGroups report it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GroupDescription {
    pub id: String,
    pub state: GroupState,
    /// `consumer` for Kafka consumers, `connect` for Connect workers, ...
    pub protocol_type: String,
    /// The assignor (`range`, `cooperative-sticky`, ...).
    pub protocol: String,
    pub members: Vec<Member>,
}

impl GroupDescription {
    /// The member whose assignment holds `tp`.
    pub fn owner_of(&self, tp: &TopicPartition) -> Option<&Member> {
        self.members.iter().find(|m| {
            m.assignment
                .as_ref()
                .is_some_and(|parts| parts.contains(tp))
        })
    }
}

/// Offsets of one partition as seen by one poll.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PartitionOffsets {
    pub tp: TopicPartition,
    /// The group's committed offset; `None` when it never committed here.
    pub committed: Option<i64>,
    /// Log-start offset (the oldest message still kept).
    pub low: i64,
    /// Log-end offset (the offset the next message will get).
    pub high: i64,
    /// `member_id` of the member assigned this partition, when known.
    pub owner: Option<String>,
}

/// One poll of one consumer group.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupSnapshot {
    pub group: String,
    pub at: DateTime<Utc>,
    /// `None` when the cluster cannot describe groups (listing unsupported).
    pub description: Option<GroupDescription>,
    /// Sorted by topic, then partition.
    pub partitions: Vec<PartitionOffsets>,
    /// Watched topics that no longer exist (deleted while watching).
    pub missing_topics: Vec<String>,
}

impl GroupSnapshot {
    pub fn state(&self) -> Option<&GroupState> {
        self.description.as_ref().map(|d| &d.state)
    }

    pub fn partition(&self, tp: &TopicPartition) -> Option<&PartitionOffsets> {
        // Sorted as the source sends them; hand-made samples may not be.
        match self.partitions.binary_search_by(|p| p.tp.cmp(tp)) {
            Ok(i) => self.partitions.get(i),
            Err(_) => self.partitions.iter().find(|p| &p.tp == tp),
        }
    }

    /// The partitions of one topic, in partition order.
    pub fn topic(&self, topic: &str) -> impl Iterator<Item = &PartitionOffsets> {
        self.partitions.iter().filter(move |p| p.tp.topic == topic)
    }

    /// The topics in this snapshot, sorted, without repeats.
    pub fn topics(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .partitions
            .iter()
            .map(|p| p.tp.topic.as_str())
            .collect();
        names.dedup();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_broker_state() {
        assert_eq!(GroupState::parse("Empty"), GroupState::Empty);
        assert_eq!(GroupState::parse("Stable"), GroupState::Stable);
        assert_eq!(
            GroupState::parse("AwaitingSync"),
            GroupState::CompletingRebalance
        );
        assert!(GroupState::parse("PreparingRebalance").is_rebalancing());
        assert!(!GroupState::parse("Dead").is_rebalancing());
        let odd = GroupState::parse("Assigning");
        assert_eq!(odd.label(), "Assigning");
    }

    #[test]
    fn owner_is_the_member_holding_the_partition() {
        let tp = TopicPartition::new("orders", 1);
        let desc = GroupDescription {
            id: "g".into(),
            state: GroupState::Stable,
            protocol_type: "consumer".into(),
            protocol: "range".into(),
            members: vec![
                Member {
                    member_id: "a".into(),
                    client_id: "c".into(),
                    host: "/h".into(),
                    assignment: Some(vec![TopicPartition::new("orders", 0)]),
                },
                Member {
                    member_id: "b".into(),
                    client_id: "c".into(),
                    host: "/h".into(),
                    assignment: Some(vec![tp.clone()]),
                },
            ],
        };
        assert_eq!(desc.owner_of(&tp).map(|m| m.member_id.as_str()), Some("b"));
        assert!(desc.owner_of(&TopicPartition::new("x", 0)).is_none());
    }
}
