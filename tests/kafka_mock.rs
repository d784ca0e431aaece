//! The Kafka source and lag model against librdkafka's in-process mock
//! cluster: exact lag per partition, uncommitted partitions, discovery, a
//! cluster that cannot list groups, and a poller that keeps its clients
//! (bounded) while reading fresh commits every poll, both ways of reading
//! committed offsets: a librdkafka client per group, and the protocol
//! reader (`source::wire`), which here speaks the one-group-per-request
//! versions (the mock offers FindCoordinator v3 and OffsetFetch v6, not
//! the batched v4 and v8).
#![allow(clippy::unwrap_used)]

mod support;

use opsdeck::features::lag::actions;
use opsdeck::features::lag::settings::KafkaCluster;
use opsdeck::features::lag::source::poll::Poller;
use opsdeck::features::lag::source::pool::{ClusterClients, MAX_GROUP_CLIENTS};
use opsdeck::features::lag::source::wire::CommittedReader;
use opsdeck::features::lag::source::{self, ClusterConfig, ErrorKind, WatchTopics};
use opsdeck::features::lag::stats::{GroupHistory, HistorySettings, TopicPartition};
use rdkafka::mocking::MockCluster;
use support::kafka::{commit_at, consume_and_commit, produce};

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

/// Per group: (topic, partition, committed, high) for every partition.
type Offsets = Vec<(String, Vec<(String, i32, Option<i64>, i64)>)>;

fn offsets(update: &opsdeck::features::lag::model::LagUpdate) -> Offsets {
    update
        .groups
        .iter()
        .map(|g| {
            let parts = g
                .partitions
                .iter()
                .map(|p| (p.tp.topic.clone(), p.tp.partition, p.committed, p.high))
                .collect();
            (g.group.clone(), parts)
        })
        .collect()
}

/// Orders (3 partitions of 10 messages) for `orders_groups`, each at its
/// own offset; payments (2 partitions of 4) for `pay`.
fn expected(orders_groups: &[(&str, i64)], pay: (&str, i64)) -> Offsets {
    let mut all: Offsets = orders_groups
        .iter()
        .map(|(g, at)| {
            let parts = (0..3)
                .map(|p| ("orders".into(), p, Some(*at), 10))
                .collect();
            (g.to_string(), parts)
        })
        .collect();
    let parts = (0..2)
        .map(|p| ("payments".into(), p, Some(pay.1), 4))
        .collect();
    all.push((pay.0.to_string(), parts));
    all.sort();
    all
}

fn two_topics(mock: &MockCluster<'_, rdkafka::producer::DefaultProducerContext>) {
    mock.create_topic("orders", 3, 1).unwrap();
    mock.create_topic("payments", 2, 1).unwrap();
    let bootstrap = mock.bootstrap_servers();
    produce(&bootstrap, "orders", &[0, 1, 2], 10);
    produce(&bootstrap, "payments", &[0, 1], 4);
}

/// Five groups on orders and one on payments, polled three times by the
/// poller `make` returns, with fresh commits between polls; `check` sees
/// its clients after each poll.
async fn fresh_commits_every_poll(
    make: impl FnOnce(ClusterConfig, KafkaCluster) -> Poller,
    check: impl Fn(&ClusterClients, usize),
) {
    let mock = MockCluster::new(1).unwrap();
    two_topics(&mock);
    let bootstrap = mock.bootstrap_servers();
    let groups = ["g0", "g1", "g2", "g3", "g4"];
    for (i, g) in groups.iter().enumerate() {
        commit_at(&bootstrap, g, "orders", &[0, 1, 2], i as i64 + 1);
    }
    commit_at(&bootstrap, "pay", "payments", &[0, 1], 1);
    let settings = KafkaCluster {
        name: "mock".into(),
        bootstrap: bootstrap.clone(),
        groups: groups
            .iter()
            .chain(&["pay"])
            .map(|g| g.to_string())
            .collect(),
        ..KafkaCluster::default()
    };
    let mut poller = make(cluster(&mock), settings);

    let mut at: Vec<(&str, i64)> = groups.iter().zip(1..).map(|(g, i)| (*g, i)).collect();
    let mut pay = 1;
    for round in 0..3 {
        let (update, error) = poller.poll().await;
        assert_eq!(error, None);
        let update = update.unwrap();
        assert_eq!(update.failures, vec![]);
        assert_eq!(
            offsets(&update),
            expected(&at, ("pay", pay)),
            "poll {round}"
        );
        check(poller.clients().unwrap(), round);
        // Commits between polls are read back by the same clients.
        at[0].1 += 3;
        pay += 1;
        commit_at(&bootstrap, "g0", "orders", &[0, 1, 2], at[0].1);
        commit_at(&bootstrap, "pay", "payments", &[0, 1], pay);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poller_keeps_its_clients_and_reads_fresh_commits_every_poll() {
    fresh_commits_every_poll(
        |c, s| Poller::new(c, s, Default::default()).with_capacity(MAX_GROUP_CLIENTS),
        |clients, round| {
            // One shared client and one per group, made in the first poll only.
            assert_eq!((clients.held(), clients.created()), (7, 7), "poll {round}");
            assert_eq!(clients.wire_connections(), None);
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_wire_a_poller_reads_fresh_commits_every_poll_on_one_connection() {
    fresh_commits_every_poll(
        |c, s| Poller::new(c, s, Default::default()),
        |clients, round| {
            // The shared client only, and one connection (the broker is
            // every group's coordinator), made in the first poll.
            assert_eq!((clients.held(), clients.created()), (1, 1), "poll {round}");
            assert_eq!(clients.wire_connections(), Some((1, 1)), "poll {round}");
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_its_capacity_the_pool_holds_no_more_clients_and_reads_stay_right() {
    let mock = MockCluster::new(1).unwrap();
    two_topics(&mock);
    let bootstrap = mock.bootstrap_servers();
    let groups = ["g0", "g1", "g2"];
    for (i, g) in groups.iter().enumerate() {
        commit_at(&bootstrap, g, "orders", &[0, 1, 2], i as i64 + 5);
    }
    commit_at(&bootstrap, "pay", "payments", &[0, 1], 2);
    let settings = KafkaCluster {
        name: "mock".into(),
        bootstrap,
        groups: groups
            .iter()
            .chain(&["pay"])
            .map(|g| g.to_string())
            .collect(),
        ..KafkaCluster::default()
    };
    let mut poller = Poller::new(cluster(&mock), settings, Default::default()).with_capacity(2);
    let at: Vec<(&str, i64)> = groups.iter().zip(5..).map(|(g, i)| (*g, i)).collect();
    for round in 1..=3u64 {
        let (update, error) = poller.poll().await;
        assert_eq!(error, None);
        assert_eq!(offsets(&update.unwrap()), expected(&at, ("pay", 2)));
        let clients = poller.clients().unwrap();
        // The shared client and the first two groups' stay; the other two
        // groups get a client for each poll.
        assert_eq!(clients.held(), 3, "poll {round}");
        assert_eq!(clients.created(), 3 + 2 * round, "poll {round}");
    }
}

/// `g0` committed at 4 on `orders`, `pay` at 3 on `payments`; a short
/// timeout, for the polls that fail while the broker is down.
fn two_committed_groups(
    mock: &MockCluster<'_, rdkafka::producer::DefaultProducerContext>,
) -> (ClusterConfig, KafkaCluster) {
    two_topics(mock);
    let bootstrap = mock.bootstrap_servers();
    commit_at(&bootstrap, "g0", "orders", &[0, 1, 2], 4);
    commit_at(&bootstrap, "pay", "payments", &[0, 1], 3);
    let settings = KafkaCluster {
        name: "mock".into(),
        bootstrap,
        groups: vec!["g0".into(), "pay".into()],
        ..KafkaCluster::default()
    };
    let config = cluster(mock).with_timeout(std::time::Duration::from_secs(1));
    (config, settings)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_poll_drops_every_client_and_the_next_one_makes_them_again() {
    let mock = MockCluster::new(1).unwrap();
    let (config, settings) = two_committed_groups(&mock);
    let mut poller =
        Poller::new(config, settings, Default::default()).with_capacity(MAX_GROUP_CLIENTS);
    let (_, error) = poller.poll().await;
    assert_eq!(error, None);
    assert_eq!(poller.clients().unwrap().held(), 3);

    // Kept clients of a dead cluster would reconnect on their own, each;
    // after a failed round there are none.
    mock.broker_down(1).unwrap();
    let (update, error) = poller.poll().await;
    assert!(update.is_none() && error.is_some(), "{error:?}");
    assert_eq!(poller.clients().unwrap().held(), 0);

    mock.broker_up(1).unwrap();
    let (update, error) = poller.poll().await;
    assert_eq!(error, None);
    assert_eq!(
        offsets(&update.unwrap()),
        expected(&[("g0", 4)], ("pay", 3))
    );
    let clients = poller.clients().unwrap();
    assert_eq!((clients.held(), clients.created()), (3, 6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_wire_a_failed_poll_drops_the_connections_and_the_next_one_reconnects() {
    let mock = MockCluster::new(1).unwrap();
    let (config, settings) = two_committed_groups(&mock);
    let mut poller = Poller::new(config, settings, Default::default());
    let (_, error) = poller.poll().await;
    assert_eq!(error, None);
    assert_eq!(poller.clients().unwrap().wire_connections(), Some((1, 1)));

    mock.broker_down(1).unwrap();
    let (update, error) = poller.poll().await;
    assert!(update.is_none() && error.is_some(), "{error:?}");
    assert_eq!(poller.clients().unwrap().wire_connections(), Some((0, 1)));

    mock.broker_up(1).unwrap();
    let (update, error) = poller.poll().await;
    assert_eq!(error, None);
    assert_eq!(
        offsets(&update.unwrap()),
        expected(&[("g0", 4)], ("pay", 3))
    );
    assert_eq!(poller.clients().unwrap().wire_connections(), Some((1, 2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_wire_groups_spread_over_three_coordinators_keep_one_connection_each() {
    let mock = MockCluster::new(3).unwrap();
    two_topics(&mock);
    let bootstrap = mock.bootstrap_servers();
    let groups: Vec<String> = (0..12).map(|i| format!("spread-{i:02}")).collect();
    for (i, g) in groups.iter().enumerate() {
        commit_at(&bootstrap, g, "orders", &[0, 1, 2], i as i64);
    }
    commit_at(&bootstrap, "pay", "payments", &[0, 1], 2);
    let settings = KafkaCluster {
        name: "mock".into(),
        bootstrap: bootstrap.clone(),
        groups: groups.iter().cloned().chain(["pay".into()]).collect(),
        ..KafkaCluster::default()
    };
    let mut poller = Poller::new(cluster(&mock), settings, Default::default());
    let at: Vec<(&str, i64)> = groups.iter().map(String::as_str).zip(0..).collect();
    let mut first = None;
    for round in 0..3 {
        let (update, error) = poller.poll().await;
        assert_eq!(error, None);
        assert_eq!(
            offsets(&update.unwrap()),
            expected(&at, ("pay", 2)),
            "poll {round}"
        );
        let (open, connects) = poller.clients().unwrap().wire_connections().unwrap();
        // The mock hashes groups over its brokers: more than one
        // coordinator, and never more connections than brokers.
        assert!((2..=3).contains(&open), "poll {round}: {open} open");
        assert_eq!(*first.get_or_insert(connects), connects, "poll {round}");
        assert_eq!(connects, open as u64, "poll {round}");
    }

    // Once a broker coordinates none of the groups read, its connection goes.
    let mut reader = CommittedReader::default();
    let topics = [("orders".to_string(), vec![0, 1, 2])]
        .into_iter()
        .collect();
    let wait = std::time::Duration::from_secs(5);
    let all = reader
        .read(&bootstrap, &groups, &topics, wait)
        .await
        .unwrap();
    assert_eq!(all.len(), 12);
    assert_eq!(reader.open(), 3);
    let one = reader
        .read(&bootstrap, &groups[..1], &topics, wait)
        .await
        .unwrap();
    assert_eq!(one[&groups[0]].as_ref().unwrap().len(), 3);
    assert!(reader.open() <= 2, "{} open", reader.open());
}
