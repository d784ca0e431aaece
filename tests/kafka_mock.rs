//! The Kafka source and lag model against librdkafka's in-process mock
//! cluster: exact lag per partition, uncommitted partitions, discovery, and
//! a cluster that cannot list groups.
#![allow(clippy::unwrap_used)]

mod support;

use opsdeck::features::lag::actions;
use opsdeck::features::lag::source::{self, ClusterConfig, ErrorKind, WatchTopics};
use opsdeck::features::lag::stats::{GroupHistory, HistorySettings, TopicPartition};
use rdkafka::mocking::MockCluster;
use support::kafka::{consume_and_commit, produce};

const N: i64 = 25;
const M: i64 = 10;

fn cluster(mock: &MockCluster<'_, rdkafka::producer::DefaultProducerContext>) -> ClusterConfig {
    ClusterConfig::new("mock", mock.bootstrap_servers())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lag_per_partition_is_produced_minus_committed() {
    let mock = MockCluster::new(1).unwrap();
    mock.create_topic("orders", 3, 1).unwrap();
    let bootstrap = mock.bootstrap_servers();
    produce(&bootstrap, "orders", &[0, 1, 2], N as usize);
    consume_and_commit(&bootstrap, "billing", "orders", &[0, 1], M);

    let c = cluster(&mock);
    let snap = source::group_snapshot(&c, "billing", &WatchTopics::Named(vec!["orders".into()]))
        .await
        .unwrap();
    let offsets: Vec<(i32, Option<i64>, i64, i64)> = snap
        .partitions
        .iter()
        .map(|p| (p.tp.partition, p.committed, p.low, p.high))
        .collect();
    assert_eq!(
        offsets,
        vec![(0, Some(M), 0, N), (1, Some(M), 0, N), (2, None, 0, N)]
    );

    let mut history = GroupHistory::new(HistorySettings::default());
    history.push(snap);
    let lag = history.lag().unwrap();
    let per_partition: Vec<(i32, i64, bool)> = lag
        .partitions
        .iter()
        .map(|p| (p.tp.partition, p.lag, p.from_log_start))
        .collect();
    assert_eq!(
        per_partition,
        vec![(0, N - M, false), (1, N - M, false), (2, N, true)]
    );
    assert_eq!(lag.total, 2 * (N - M) + N);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_groups_is_reported_as_not_supported() {
    let mock = MockCluster::new(1).unwrap();
    mock.create_topic("orders", 1, 1).unwrap();
    produce(&mock.bootstrap_servers(), "orders", &[0], 3);
    consume_and_commit(&mock.bootstrap_servers(), "billing", "orders", &[0], 2);
    let c = cluster(&mock);

    let err = source::list_groups(&c).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::ListingNotSupported, "{err}");
    assert!(
        err.to_string()
            .starts_with("kafka mock: listing groups not supported"),
        "{err}"
    );

    // The configured group is still watched, without state or members.
    let snap = source::group_snapshot(&c, "billing", &WatchTopics::Named(vec!["orders".into()]))
        .await
        .unwrap();
    assert_eq!(snap.description, None);
    assert_eq!(snap.partitions[0].committed, Some(2));

    let report = source::probe(&c).await;
    assert_eq!(report.metadata.as_ref().map(|m| m.0), Ok(1));
    let listing = report.listing.unwrap().unwrap_err();
    assert_eq!(listing.kind, ErrorKind::ListingNotSupported);

    // Without a state there is no knowing the group is Empty: no reset.
    let planned = actions::plan(&c, "billing", "orders", &actions::ResetSpec::Earliest)
        .await
        .unwrap();
    assert!(planned.refusal.unwrap().contains("state unknown"));
    let err = actions::execute(&c, &planned.plan).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Refused, "{err}");
    let snap = source::group_snapshot(&c, "billing", &WatchTopics::Named(vec!["orders".into()]))
        .await
        .unwrap();
    assert_eq!(snap.partitions[0].committed, Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_finds_topics_the_group_commits_on_and_reports_missing_ones() {
    let mock = MockCluster::new(1).unwrap();
    mock.create_topic("orders", 2, 1).unwrap();
    mock.create_topic("payments", 1, 1).unwrap();
    let bootstrap = mock.bootstrap_servers();
    produce(&bootstrap, "orders", &[0, 1], 5);
    produce(&bootstrap, "payments", &[0], 5);
    consume_and_commit(&bootstrap, "billing", "orders", &[1], 3);
    let c = cluster(&mock);

    let found = source::group_snapshot(&c, "billing", &WatchTopics::Discover)
        .await
        .unwrap();
    assert_eq!(found.topics(), vec!["orders"]);
    // Every partition of the topic comes from metadata, committed or not.
    assert_eq!(found.partitions.len(), 2);
    assert_eq!(found.partitions[0].committed, None);

    consume_and_commit(&bootstrap, "billing", "payments", &[0], 4);
    let again = source::group_snapshot(&c, "billing", &WatchTopics::Discover)
        .await
        .unwrap();
    assert_eq!(again.topics(), vec!["orders", "payments"]);
    let tp = TopicPartition::new("payments", 0);
    assert_eq!(again.partition(&tp).unwrap().committed, Some(4));

    let named = WatchTopics::Named(vec!["orders".into(), "gone".into()]);
    let snap = source::group_snapshot(&c, "billing", &named).await.unwrap();
    assert_eq!(snap.missing_topics, vec!["gone".to_string()]);
    assert_eq!(snap.topics(), vec!["orders"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rates_follow_new_messages_and_commits() {
    let mock = MockCluster::new(1).unwrap();
    mock.create_topic("orders", 1, 1).unwrap();
    let bootstrap = mock.bootstrap_servers();
    produce(&bootstrap, "orders", &[0], 10);
    consume_and_commit(&bootstrap, "billing", "orders", &[0], 5);
    let c = cluster(&mock);
    let topics = WatchTopics::Named(vec!["orders".into()]);
    let mut history = GroupHistory::new(HistorySettings::default());
    history.push(
        source::group_snapshot(&c, "billing", &topics)
            .await
            .unwrap(),
    );
    produce(&bootstrap, "orders", &[0], 10);
    consume_and_commit(&bootstrap, "billing", "orders", &[0], 12);
    history.push(
        source::group_snapshot(&c, "billing", &topics)
            .await
            .unwrap(),
    );
    let rates = history.rates();
    assert!(rates.consume.per_sec().unwrap() > 0.0);
    assert!(rates.produce.per_sec().unwrap() > 0.0);
    assert_eq!(history.lag().unwrap().total, 8);
    assert_eq!(history.sparkline(10), vec![5, 8]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_topics_are_sized() {
    let mock = MockCluster::new(1).unwrap();
    mock.create_topic("orders-dlq", 2, 1).unwrap();
    mock.create_topic("orders", 1, 1).unwrap();
    produce(&mock.bootstrap_servers(), "orders-dlq", &[0, 1], 3);
    let sizes = source::dead_letter_sizes(&cluster(&mock), &Default::default())
        .await
        .unwrap();
    assert_eq!(sizes.len(), 1);
    assert_eq!((sizes[0].topic.as_str(), sizes[0].size), ("orders-dlq", 6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_broker_fails_fast_with_the_cluster_name() {
    let closed = support::closed_port::ClosedPort::new();
    let c = ClusterConfig::new("dead", format!("127.0.0.1:{}", closed.port()))
        .with_timeout(std::time::Duration::from_secs(1))
        .with_property("sasl.password", "never-shown");
    let started = std::time::Instant::now();
    let err = source::group_snapshot(&c, "g", &WatchTopics::Discover)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
    assert!(
        err.to_string()
            .starts_with("kafka dead: fetching metadata: no broker answered within 1s"),
        "{err}"
    );
    assert!(!err.to_string().contains("never-shown"));
    let report = source::probe(&c).await;
    assert!(report.metadata.is_err());
    assert!(report.listing.is_none());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_that_accepts_but_never_answers_does_not_hang() {
    // Accepts connections and holds them open without a byte in reply.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(16) {
            held.push(stream);
        }
    });
    let c = ClusterConfig::new("hung", format!("127.0.0.1:{port}"))
        .with_timeout(std::time::Duration::from_secs(1));
    let started = std::time::Instant::now();
    let err = source::list_groups(&c).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
