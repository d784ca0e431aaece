//! The demo's Kafka cluster: `order-processing-group` (order-consumer's
//! pods) falls behind on `order-events` while payment is down and drains
//! once consumers are added; `inventory-sync` keeps up; `analytics-etl` has
//! no consumers (Empty, stalled; the one a reset can be tried on); the
//! dead-letter topic grows while payments fail.

use super::Generator;
use super::world::{PaymentPods, World};
use crate::core::source::{HealthReport, SourceId};
use crate::features::lag::model::LagUpdate;
use crate::features::lag::stats::dlq::topic_size;
use crate::features::lag::stats::{
    GroupDescription, GroupSnapshot, GroupState, Member, PartitionOffsets, TopicPartition,
};
use crate::update::Update;
use chrono::{DateTime, Utc};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

pub const CLUSTER: &str = "demo";
pub const ORDERS: &str = "order-processing-group";
pub const ANALYTICS: &str = "analytics-etl";
const POLL_SECS: u64 = 5;
const PARTITIONS: usize = 6;

pub struct LagFeed {
    second: u64,
    /// Log-end offsets of order-events, per partition.
    order_events: [i64; PARTITIONS],
    inventory: [i64; 3],
    /// order-processing-group's lag as the feed has moved it toward the world's.
    lag: f64,
    /// analytics-etl's committed offsets (it has no consumer: they stay).
    analytics: [Option<i64>; PARTITIONS],
    dlq: i64,
    members: u32,
}

impl LagFeed {
    pub fn new() -> Self {
        LagFeed {
            second: 0,
            order_events: [180_000, 181_200, 179_400, 180_900, 182_100, 178_800],
            inventory: [52_000, 51_400, 53_100],
            lag: 0.0,
            analytics: [
                Some(150_000),
                Some(151_000),
                Some(149_000),
                Some(150_500),
                Some(152_000),
                None,
            ],
            dlq: 140,
            members: 3,
        }
    }
}

impl Default for LagFeed {
    fn default() -> Self {
        Self::new()
    }
}

fn members(prefix: &str, n: u32, topic: &str, partitions: usize) -> Vec<Member> {
    (0..n)
        .map(|i| Member {
            member_id: format!("{prefix}-{i}"),
            client_id: format!("{prefix}-{i}"),
            host: format!("/10.1.0.{}", 20 + i),
            assignment: Some(
                (0..partitions)
                    .filter(|p| *p as u32 % n.max(1) == i)
                    .map(|p| TopicPartition::new(topic, p as i32))
                    .collect(),
            ),
        })
        .collect()
}

fn owner_of(members: &[Member], tp: &TopicPartition) -> Option<String> {
    members
        .iter()
        .find(|m| m.assignment.as_ref().is_some_and(|a| a.contains(tp)))
        .map(|m| m.member_id.clone())
}

impl Generator for LagFeed {
    fn tick(&mut self, world: &World, at: DateTime<Utc>, rng: &mut ChaCha8Rng) -> Vec<Update> {
        let second = self.second;
        self.second += 1;
        // Producers write every second; about 120 orders/s across partitions.
        for h in &mut self.order_events {
            *h += rng.random_range(15..25);
        }
        for h in &mut self.inventory {
            *h += rng.random_range(3..8);
        }
        if world.payment == PaymentPods::Crashing {
            self.dlq += rng.random_range(1..4);
        }
        self.lag += (world.lag as f64 - self.lag) * 0.2;
        for (p, new) in &world.offset_resets {
            if let Some(slot) = self.analytics.get_mut(*p as usize) {
                *slot = Some(*new);
            }
        }
        if !second.is_multiple_of(POLL_SECS) {
            return Vec::new();
        }
        let replicas = world
            .cluster
            .get("order-consumer")
            .map_or(3, |d| d.replicas);
        let state = if replicas != self.members {
            self.members = replicas;
            GroupState::PreparingRebalance
        } else {
            GroupState::Stable
        };
        let order_members = members("order-consumer", replicas, "order-events", PARTITIONS);
        let share = self.lag / PARTITIONS as f64;
        let orders = GroupSnapshot {
            group: ORDERS.into(),
            at,
            partitions: (0..PARTITIONS)
                .map(|p| {
                    let tp = TopicPartition::new("order-events", p as i32);
                    let high = self.order_events[p];
                    PartitionOffsets {
                        owner: owner_of(&order_members, &tp),
                        committed: Some(high - share.round() as i64 - rng.random_range(0..5)),
                        low: 0,
                        high,
                        tp,
                    }
                })
                .collect(),
            description: Some(GroupDescription {
                id: ORDERS.into(),
                state,
                protocol_type: "consumer".into(),
                protocol: "cooperative-sticky".into(),
                members: order_members,
            }),
            missing_topics: Vec::new(),
        };
        let inventory_members = members("inventory-sync", 2, "inventory-updates", 3);
        let inventory = GroupSnapshot {
            group: "inventory-sync".into(),
            at,
            partitions: (0..3)
                .map(|p| {
                    let tp = TopicPartition::new("inventory-updates", p as i32);
                    let high = self.inventory[p];
                    PartitionOffsets {
                        owner: owner_of(&inventory_members, &tp),
                        committed: Some(high),
                        low: 0,
                        high,
                        tp,
                    }
                })
                .collect(),
            description: Some(GroupDescription {
                id: "inventory-sync".into(),
                state: GroupState::Stable,
                protocol_type: "consumer".into(),
                protocol: "range".into(),
                members: inventory_members,
            }),
            missing_topics: Vec::new(),
        };
        let analytics = GroupSnapshot {
            group: ANALYTICS.into(),
            at,
            partitions: (0..PARTITIONS)
                .map(|p| PartitionOffsets {
                    tp: TopicPartition::new("order-events", p as i32),
                    committed: self.analytics[p],
                    low: 0,
                    high: self.order_events[p],
                    owner: None,
                })
                .collect(),
            description: Some(GroupDescription {
                id: ANALYTICS.into(),
                state: GroupState::Empty,
                protocol_type: "consumer".into(),
                protocol: String::new(),
                members: Vec::new(),
            }),
            missing_topics: Vec::new(),
        };
        vec![
            Update::from(LagUpdate {
                cluster: CLUSTER.into(),
                at,
                groups: vec![orders, inventory, analytics],
                dlq: vec![topic_size("order-events-dlq", at, &[(0, self.dlq)])],
                note: None,
                failures: Vec::new(),
            }),
            Update::from(HealthReport {
                source: SourceId::Kafka,
                at,
                error: None,
                interval: Duration::from_secs(POLL_SECS),
            }),
        ]
    }
}
