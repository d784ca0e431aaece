//! The load of `benches/lag_groups.sh`: on the broker at BOOTSTRAP, a topic
//! of PARTITIONS partitions with 20 messages each, and GROUPS consumer
//! groups that committed offset 10 on every partition (10 messages of lag
//! each). Usage: lag_groups BOOTSTRAP [GROUPS] [PARTITIONS]
#![allow(clippy::unwrap_used)]

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};
use std::time::Duration;

const TOPIC: &str = "bench-orders";
const PRODUCED: usize = 20;
const COMMITTED: i64 = 10;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bootstrap = args
        .get(1)
        .expect("usage: lag_groups BOOTSTRAP [GROUPS] [PARTITIONS]");
    let groups: usize = args.get(2).map_or(200, |a| a.parse().unwrap());
    let partitions: i32 = args.get(3).map_or(50, |a| a.parse().unwrap());

    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    let created = admin
        .create_topics(
            &[NewTopic::new(TOPIC, partitions, TopicReplication::Fixed(1))],
            &AdminOptions::new().operation_timeout(Some(Duration::from_secs(10))),
        )
        .await
        .unwrap();
    for r in created {
        r.unwrap();
    }

    // One message per batch: tansu's high watermark is wrong for batches
    // of more than one.
    let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("batch.num.messages", "1")
        .set("linger.ms", "0")
        .create()
        .unwrap();
    for p in 0..partitions {
        for i in 0..PRODUCED {
            let payload = format!("message {i}");
            producer
                .send(
                    BaseRecord::<(), str>::to(TOPIC)
                        .partition(p)
                        .payload(&payload),
                )
                .map_err(|(e, _)| e)
                .unwrap();
        }
    }
    producer.flush(Duration::from_secs(30)).unwrap();

    let mut offsets = TopicPartitionList::new();
    for p in 0..partitions {
        offsets
            .add_partition_offset(TOPIC, p, Offset::Offset(COMMITTED))
            .unwrap();
    }
    for g in 0..groups {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .set("group.id", format!("bench-group-{g:03}"))
            .set("enable.auto.commit", "false")
            .create()
            .unwrap();
        consumer.commit(&offsets, CommitMode::Sync).unwrap();
    }
    println!(
        "{groups} groups committed {COMMITTED} of {PRODUCED} on {partitions} partitions of {TOPIC}"
    );
}
