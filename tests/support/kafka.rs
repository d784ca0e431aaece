//! Helpers the Kafka integration tests share: producing, consuming and
//! committing with plain librdkafka clients, and the env-var gate.

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The env var's value; without it the test is skipped with a printed
/// reason, except under `CI=true`, where a missing server is a failure.
pub fn env_or_skip(var: &str, test: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{test}: {var} is not set and CI=true (tests/run-all.sh starts the server)")
        }
        _ => {
            super::live::skipped(&format!(
                "{test}: {var} is not set (tests/run-all.sh sets it)"
            ));
            None
        }
    }
}

/// Sends `per_partition` messages to each of `partitions` of `topic` and
/// waits until all are acknowledged. One message per batch: tansu's high
/// watermark is wrong for batches of more than one.
pub fn produce(bootstrap: &str, topic: &str, partitions: &[i32], per_partition: usize) {
    let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("batch.num.messages", "1")
        .set("linger.ms", "0")
        .set("message.timeout.ms", "10000")
        .create()
        .unwrap();
    for &p in partitions {
        for i in 0..per_partition {
            let payload = format!("message {i}");
            producer
                .send(
                    BaseRecord::<(), str>::to(topic)
                        .partition(p)
                        .payload(&payload),
                )
                .map_err(|(e, _)| e)
                .unwrap();
        }
    }
    producer.flush(Duration::from_secs(10)).unwrap();
}

/// A group consumer with manual commits.
pub fn group_consumer(bootstrap: &str, group: &str) -> BaseConsumer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("client.id", "opsdeck-test")
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("session.timeout.ms", "6000")
        .set("heartbeat.interval.ms", "500")
        .create()
        .unwrap()
}

/// Reads `partitions` of `topic` from the beginning as `group` until
/// offset `count - 1` of each has been seen, then commits `count` for each.
pub fn consume_and_commit(
    bootstrap: &str,
    group: &str,
    topic: &str,
    partitions: &[i32],
    count: i64,
) {
    let consumer = group_consumer(bootstrap, group);
    let mut tpl = TopicPartitionList::new();
    for &p in partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&tpl).unwrap();
    let mut seen: BTreeMap<i32, i64> = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while partitions
        .iter()
        .any(|p| seen.get(p).copied().unwrap_or(-1) < count - 1)
    {
        assert!(Instant::now() < deadline, "consumed only {seen:?}");
        if let Some(m) = consumer.poll(Duration::from_millis(200)) {
            let m = m.unwrap();
            let best = seen.entry(m.partition()).or_insert(-1);
            *best = (*best).max(m.offset());
        }
    }
    let mut commit = TopicPartitionList::new();
    for &p in partitions {
        commit
            .add_partition_offset(topic, p, Offset::Offset(count))
            .unwrap();
    }
    consumer.commit(&commit, CommitMode::Sync).unwrap();
}

/// Waits, up to 20 s, until `check` holds.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Commits `offset` on each of `partitions` for `group` without joining it.
pub fn commit_at(bootstrap: &str, group: &str, topic: &str, partitions: &[i32], offset: i64) {
    let consumer = group_consumer(bootstrap, group);
    let mut tpl = TopicPartitionList::new();
    for &p in partitions {
        tpl.add_partition_offset(topic, p, Offset::Offset(offset))
            .unwrap();
    }
    consumer.commit(&tpl, CommitMode::Sync).unwrap();
}
