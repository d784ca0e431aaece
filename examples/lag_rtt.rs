//! How long one poll of the Lag tab's source takes over a slow link: on
//! librdkafka's mock cluster with every request delayed by RTT_MS (2),
//! a topic of PARTITIONS partitions (500) and GROUPS groups (20) that
//! committed on every partition; prints each of three polls' time.
//! Usage: cargo run --release --example lag_rtt [PARTITIONS] [GROUPS] [RTT_MS]
#![allow(clippy::unwrap_used)]

use opsdeck::features::lag::settings::KafkaCluster;
use opsdeck::features::lag::source::ClusterConfig;
use opsdeck::features::lag::source::poll::Poller;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use std::time::{Duration, Instant};

const TOPIC: &str = "orders";

#[tokio::main]
async fn main() {
    let arg = |i: usize, default: u64| {
        std::env::args()
            .nth(i)
            .map_or(default, |a| a.parse().unwrap())
    };
    let (partitions, groups, rtt) = (arg(1, 500) as i32, arg(2, 20), arg(3, 2));
    let mock = MockCluster::new(1).unwrap();
    mock.create_topic(TOPIC, partitions, 1).unwrap();
    let bootstrap = mock.bootstrap_servers();
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .create()
        .unwrap();
    for p in 0..partitions {
        for _ in 0..2 {
            let record = BaseRecord::<(), str>::to(TOPIC).partition(p).payload("m");
            producer.send(record).map_err(|(e, _)| e).unwrap();
        }
        producer.poll(Duration::ZERO);
    }
    producer.flush(Duration::from_secs(30)).unwrap();
    let mut offsets = TopicPartitionList::new();
    for p in 0..partitions {
        offsets
            .add_partition_offset(TOPIC, p, Offset::Offset(1))
            .unwrap();
    }
    let names: Vec<String> = (0..groups).map(|g| format!("group-{g:03}")).collect();
    for g in &names {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("group.id", g)
            .create()
            .unwrap();
        consumer.commit(&offsets, CommitMode::Sync).unwrap();
    }
    mock.broker_round_trip_time(1, Duration::from_millis(rtt))
        .unwrap();
    let settings = KafkaCluster {
        name: "mock".into(),
        bootstrap: bootstrap.clone(),
        groups: names,
        ..KafkaCluster::default()
    };
    let config = ClusterConfig::new("mock", bootstrap).with_timeout(Duration::from_secs(60));
    let mut poller = Poller::new(config, settings, Default::default());
    println!("{partitions} partitions, {groups} groups, {rtt} ms a request");
    for round in 1..=3 {
        let t = Instant::now();
        let (update, error) = poller.poll().await;
        let lag: i64 = update
            .iter()
            .flat_map(|u| &u.groups)
            .flat_map(|g| &g.partitions)
            .map(|p| p.high - p.committed.unwrap_or(0))
            .sum();
        println!(
            "poll {round}: {:.2} s, total lag {lag}, error {error:?}",
            t.elapsed().as_secs_f64()
        );
    }
}
