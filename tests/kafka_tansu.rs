//! The Kafka source against a real broker protocol implementation (tansu,
//! in memory; tests/run-all.sh starts it and sets
//! OPSDECK_TEST_KAFKA_BOOTSTRAP): group listing with state and members,
//! offset resets that really move committed offsets, undo, refusal while a
//! member is active, a topic recreated with more partitions, and a poller
//! that follows discovered groups (one deleted, one added) both ways of
//! reading committed offsets: a client per group, without new clients for
//! the others, and over the protocol (FindCoordinator v4 and OffsetFetch v8,
//! many groups per request, which tansu 0.6 offers) on one kept connection.
#![allow(clippy::unwrap_used)]

mod support;

use opsdeck::features::lag::actions;
use opsdeck::features::lag::actions::ResetSpec;
use opsdeck::features::lag::settings::KafkaCluster;
use opsdeck::features::lag::source::poll::Poller;
use opsdeck::features::lag::source::pool::{ClusterClients, MAX_GROUP_CLIENTS};
use opsdeck::features::lag::source::{self, ClusterConfig, ErrorKind, WatchTopics};
use opsdeck::features::lag::stats::{
    GroupHistory, GroupState, HistorySettings, Rate, TopicPartition,
};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;
use support::kafka::{
    commit_at, consume_and_commit, env_or_skip, eventually, group_consumer, produce,
};

const VAR: &str = "OPSDECK_TEST_KAFKA_BOOTSTRAP";

/// Names no other test (or earlier run against the same broker) uses.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

fn admin(bootstrap: &str) -> AdminClient<DefaultClientContext> {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap()
}

async fn create_topic(bootstrap: &str, topic: &str, partitions: i32) {
    let results = admin(bootstrap)
        .create_topics(
            &[NewTopic::new(topic, partitions, TopicReplication::Fixed(1))],
            &AdminOptions::new().operation_timeout(Some(Duration::from_secs(10))),
        )
        .await
        .unwrap();
    for r in results {
        match r {
            // The name is this test's own: "already exists" means a request
            // that timed out on a busy machine was retried after the
            // broker had created it.
            Err((_, rdkafka::types::RDKafkaErrorCode::TopicAlreadyExists)) => {}
            other => {
                other.unwrap();
            }
        }
    }
}

async fn delete_topic(bootstrap: &str, topic: &str) {
    let results = admin(bootstrap)
        .delete_topics(
            &[topic],
            &AdminOptions::new().operation_timeout(Some(Duration::from_secs(10))),
        )
        .await
        .unwrap();
    for r in results {
        r.unwrap();
    }
}

/// A consumer subscribed to `topic` in `group`, polling on its own thread
/// until dropped; dropping closes it, so it leaves the group.
struct LiveConsumer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl LiveConsumer {
    fn start(bootstrap: &str, group: &str, topic: &str) -> Self {
        let consumer: BaseConsumer = group_consumer(bootstrap, group);
        consumer.subscribe(&[topic]).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let _ = consumer.poll(Duration::from_millis(100));
            }
            consumer.unsubscribe();
        });
        LiveConsumer {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for LiveConsumer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn cluster(bootstrap: &str) -> ClusterConfig {
    ClusterConfig::new("tansu", bootstrap)
}

/// The group's state and member count as listed, if it is listed.
async fn listed(c: &ClusterConfig, group: &str) -> Option<(GroupState, usize)> {
    let groups = source::list_groups(c).await.unwrap();
    groups
        .into_iter()
        .find(|g| g.id == group)
        .map(|g| (g.state, g.members.len()))
}

async fn committed(c: &ClusterConfig, group: &str, topic: &str) -> Vec<Option<i64>> {
    let snap = source::group_snapshot(c, group, &WatchTopics::Named(vec![topic.into()]))
        .await
        .unwrap();
    snap.partitions.iter().map(|p| p.committed).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_groups_with_state_and_members() {
    let Some(bootstrap) = env_or_skip(VAR, "lists_groups_with_state_and_members") else {
        return;
    };
    let (topic, group) = (unique("orders"), unique("billing"));
    create_topic(&bootstrap, &topic, 2).await;
    produce(&bootstrap, &topic, &[0, 1], 5);
    // tansu lists only groups that have committed offsets (real Kafka lists
    // any group its coordinators know), so commit before joining.
    consume_and_commit(&bootstrap, &group, &topic, &[0, 1], 2);
    let c = cluster(&bootstrap);

    let live = LiveConsumer::start(&bootstrap, &group, &topic);
    eventually("the group to be Stable with one member", || async {
        listed(&c, &group).await == Some((GroupState::Stable, 1))
    })
    .await;
    let description = source::describe_group(&c, &group).await.unwrap();
    assert_eq!(description.protocol_type, "consumer");
    let member = &description.members[0];
    assert!(!member.member_id.is_empty());
    // tansu 0.6 leaves client id, host and assignment empty in
    // DescribeGroups (real Kafka fills them); what it does send must agree.
    let partitions = vec![
        TopicPartition::new(topic.as_str(), 0),
        TopicPartition::new(topic.as_str(), 1),
    ];
    if let Some(assignment) = &member.assignment {
        assert_eq!(assignment, &partitions);
    }
    if !member.client_id.is_empty() {
        assert_eq!(member.client_id, "opsdeck-test");
    }
    let snap = source::group_snapshot(&c, &group, &WatchTopics::Discover)
        .await
        .unwrap();
    assert_eq!(snap.topics(), vec![topic.as_str()]);
    assert_eq!(snap.state(), Some(&GroupState::Stable));
    let expected_owner = member.assignment.as_ref().map(|_| member.member_id.clone());
    assert!(snap.partitions.iter().all(|p| p.owner == expected_owner));

    drop(live);
    eventually("the group to be Empty once its consumer closed", || async {
        listed(&c, &group).await == Some((GroupState::Empty, 0))
    })
    .await;

    let unknown = source::describe_group(&c, &unique("nobody")).await.unwrap();
    assert_eq!(unknown.state, GroupState::Dead);

    let report = source::probe(&c).await;
    assert_eq!(report.metadata.as_ref().map(|m| m.0), Ok(1));
    assert!(report.listing.unwrap().unwrap() >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_moves_committed_offsets_and_undo_restores_them() {
    let Some(bootstrap) = env_or_skip(VAR, "reset_moves_committed_offsets_and_undo_restores_them")
    else {
        return;
    };
    let (topic, group) = (unique("orders"), unique("billing"));
    create_topic(&bootstrap, &topic, 2).await;
    produce(&bootstrap, &topic, &[0, 1], 20);
    consume_and_commit(&bootstrap, &group, &topic, &[0, 1], 15);
    let c = cluster(&bootstrap);
    assert_eq!(
        committed(&c, &group, &topic).await,
        vec![Some(15), Some(15)]
    );

    let planned = actions::plan(&c, &group, &topic, &ResetSpec::Earliest)
        .await
        .unwrap();
    assert_eq!(planned.refusal, None);
    assert_eq!(planned.plan.replayed(), 30);
    let read_back = actions::execute(&c, &planned.plan).await.unwrap();
    assert_eq!(
        read_back.values().copied().collect::<Vec<_>>(),
        vec![Some(0), Some(0)]
    );
    assert_eq!(committed(&c, &group, &topic).await, vec![Some(0), Some(0)]);

    actions::undo(&c, &planned.plan).await.unwrap();
    assert_eq!(
        committed(&c, &group, &topic).await,
        vec![Some(15), Some(15)]
    );

    let shift = actions::plan(&c, &group, &topic, &ResetSpec::Shift(-5))
        .await
        .unwrap();
    actions::execute(&c, &shift.plan).await.unwrap();
    assert_eq!(
        committed(&c, &group, &topic).await,
        vec![Some(10), Some(10)]
    );

    let latest = actions::plan(&c, &group, &topic, &ResetSpec::Latest)
        .await
        .unwrap();
    assert_eq!(latest.plan.skipped(), 20);
    actions::execute(&c, &latest.plan).await.unwrap();
    assert_eq!(
        committed(&c, &group, &topic).await,
        vec![Some(20), Some(20)]
    );

    actions::undo(&c, &latest.plan).await.unwrap();
    assert_eq!(
        committed(&c, &group, &topic).await,
        vec![Some(10), Some(10)]
    );

    // By time: the first message written after `t` is the 21st.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let t = chrono::Utc::now();
    tokio::time::sleep(Duration::from_millis(200)).await;
    produce(&bootstrap, &topic, &[0, 1], 3);
    let by_time = actions::plan(&c, &group, &topic, &ResetSpec::Timestamp(t))
        .await
        .unwrap();
    let news: Vec<i64> = by_time.plan.rows.iter().map(|r| r.new).collect();
    assert_eq!(news, vec![20, 20]);
    actions::execute(&c, &by_time.plan).await.unwrap();
    assert_eq!(
        committed(&c, &group, &topic).await,
        vec![Some(20), Some(20)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_is_refused_while_a_member_is_active() {
    let Some(bootstrap) = env_or_skip(VAR, "reset_is_refused_while_a_member_is_active") else {
        return;
    };
    let (topic, group) = (unique("orders"), unique("billing"));
    create_topic(&bootstrap, &topic, 1).await;
    produce(&bootstrap, &topic, &[0], 10);
    consume_and_commit(&bootstrap, &group, &topic, &[0], 7);
    let c = cluster(&bootstrap);

    let live = LiveConsumer::start(&bootstrap, &group, &topic);
    eventually("the group to be Stable", || async {
        matches!(listed(&c, &group).await, Some((GroupState::Stable, 1)))
    })
    .await;
    let planned = actions::plan(&c, &group, &topic, &ResetSpec::Earliest)
        .await
        .unwrap();
    let reason = planned.refusal.clone().unwrap();
    assert!(reason.contains("is Stable with 1 member"), "{reason}");
    let err = actions::execute(&c, &planned.plan).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Refused);
    assert!(err.to_string().contains("Stable"), "{err}");
    drop(live);
    // The live consumer may have committed nothing (auto-commit is off).
    assert_eq!(committed(&c, &group, &topic).await, vec![Some(7)]);
}

/// Planned while the group was Empty, a consumer joins before the commit:
/// the commit looks again and is refused, and the offsets stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_joining_after_the_plan_refuses_the_commit() {
    let Some(bootstrap) = env_or_skip(VAR, "a_member_joining_after_the_plan_refuses_the_commit")
    else {
        return;
    };
    let (topic, group) = (unique("orders"), unique("billing"));
    create_topic(&bootstrap, &topic, 1).await;
    produce(&bootstrap, &topic, &[0], 10);
    consume_and_commit(&bootstrap, &group, &topic, &[0], 7);
    let c = cluster(&bootstrap);
    eventually("the group to be Empty", || async {
        matches!(listed(&c, &group).await, Some((GroupState::Empty, 0)))
    })
    .await;
    let planned = actions::plan(&c, &group, &topic, &ResetSpec::Earliest)
        .await
        .unwrap();
    assert_eq!(planned.refusal, None, "planned while Empty");

    let live = LiveConsumer::start(&bootstrap, &group, &topic);
    eventually("the group to be Stable", || async {
        matches!(listed(&c, &group).await, Some((GroupState::Stable, 1)))
    })
    .await;
    let err = actions::execute(&c, &planned.plan).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Refused, "{err}");
    assert!(
        err.to_string()
            .contains(&format!("group {group} is Stable with 1 member")),
        "{err}"
    );
    drop(live);
    assert_eq!(committed(&c, &group, &topic).await, vec![Some(7)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_recreated_with_more_partitions_is_picked_up() {
    let Some(bootstrap) = env_or_skip(VAR, "a_topic_recreated_with_more_partitions_is_picked_up")
    else {
        return;
    };
    let (topic, group) = (unique("orders"), unique("billing"));
    create_topic(&bootstrap, &topic, 1).await;
    produce(&bootstrap, &topic, &[0], 10);
    consume_and_commit(&bootstrap, &group, &topic, &[0], 4);
    let c = cluster(&bootstrap);
    let watch = WatchTopics::Named(vec![topic.clone()]);
    let mut history = GroupHistory::new(HistorySettings::default());
    history.push(source::group_snapshot(&c, &group, &watch).await.unwrap());
    assert_eq!(history.lag().unwrap().total, 6);

    delete_topic(&bootstrap, &topic).await;
    eventually("the topic to be reported missing", || async {
        let snap = source::group_snapshot(&c, &group, &watch).await.unwrap();
        snap.missing_topics == vec![topic.clone()] && snap.partitions.is_empty()
    })
    .await;

    create_topic(&bootstrap, &topic, 3).await;
    produce(&bootstrap, &topic, &[0, 1, 2], 2);
    let snap = source::group_snapshot(&c, &group, &watch).await.unwrap();
    assert_eq!(snap.partitions.len(), 3);
    assert!(snap.missing_topics.is_empty());
    assert!(snap.partitions.iter().all(|p| p.high == 2));
    history.push(snap);
    // The log end went from 10 to 2: a reset, never a negative rate.
    assert_eq!(history.rates().produce, Rate::Reset);
}

/// Each group's committed offsets on `topic`, by group.
/// A group, its committed offsets and the partitions' high watermarks.
type GroupRow = (String, Vec<Option<i64>>, Vec<i64>);

fn committed_by_group(
    update: &opsdeck::features::lag::model::LagUpdate,
    topic: &str,
) -> Vec<GroupRow> {
    update
        .groups
        .iter()
        .map(|g| {
            let parts: Vec<_> = g.topic(topic).collect();
            (
                g.group.clone(),
                parts.iter().map(|p| p.committed).collect(),
                parts.iter().map(|p| p.high).collect(),
            )
        })
        .collect()
}

/// One poll that fails nothing and reads exactly `expected` on `topic`.
async fn poll_expecting(poller: &mut Poller, topic: &str, expected: &[GroupRow], round: usize) {
    let (update, error) = poller.poll().await;
    assert_eq!(error, None);
    let update = update.unwrap();
    assert_eq!(update.failures, vec![], "poll {round}");
    assert_eq!(committed_by_group(&update, topic), expected, "poll {round}");
}

/// `n` (at least 4) discovered groups, each at its own offset on a 4-partition topic,
/// polled twice (one group committing between polls), then one group
/// deleted and a new one committed, polled twice more, by the poller
/// `make` returns; `check` sees its clients after each poll.
async fn follow_a_fleet(
    bootstrap: &str,
    n: usize,
    make: impl FnOnce(ClusterConfig, KafkaCluster) -> Poller,
    check: impl Fn(&ClusterClients, usize),
) {
    let (topic, prefix) = (unique("orders"), unique("fleet"));
    create_topic(bootstrap, &topic, 4).await;
    produce(bootstrap, &topic, &[0, 1, 2, 3], 2 * n + 10);
    let group = |i: usize| format!("{prefix}-{i:02}");
    let mut at: Vec<(String, i64)> = (0..n).map(|i| (group(i), i as i64 + 1)).collect();
    for (g, offset) in &at {
        commit_at(bootstrap, g, &topic, &[0, 1, 2, 3], *offset);
    }
    let settings = KafkaCluster {
        name: "tansu".into(),
        bootstrap: bootstrap.to_string(),
        discover: true,
        include: vec![format!("{prefix}-*")],
        ..KafkaCluster::default()
    };
    let mut poller = make(cluster(bootstrap), settings);
    let end = (2 * n + 10) as i64;
    let expect = |at: &[(String, i64)]| -> Vec<GroupRow> {
        at.iter()
            .map(|(g, o)| (g.clone(), vec![Some(*o); 4], vec![end; 4]))
            .collect()
    };

    for round in 0..2 {
        poll_expecting(&mut poller, &topic, &expect(&at), round).await;
        check(poller.clients().unwrap(), round);
        at[3].1 += 2;
        commit_at(bootstrap, &at[3].0, &topic, &[0, 1, 2, 3], at[3].1);
    }

    // One group goes, another comes.
    let deleted = admin(bootstrap)
        .delete_groups(
            &[at[0].0.as_str()],
            &AdminOptions::new().operation_timeout(Some(Duration::from_secs(10))),
        )
        .await
        .unwrap();
    for r in deleted {
        r.unwrap();
    }
    at.remove(0);
    at.push((group(n), n as i64 + 1));
    commit_at(bootstrap, &group(n), &topic, &[0, 1, 2, 3], n as i64 + 1);
    for round in 2..4 {
        poll_expecting(&mut poller, &topic, &expect(&at), round).await;
        check(poller.clients().unwrap(), round);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovered_groups_keep_their_clients_over_polls_and_a_deleted_group_drops_its_own() {
    let Some(bootstrap) = env_or_skip(
        VAR,
        "discovered_groups_keep_their_clients_over_polls_and_a_deleted_group_drops_its_own",
    ) else {
        return;
    };
    follow_a_fleet(
        &bootstrap,
        8,
        |c, s| Poller::new(c, s, Default::default()).with_capacity(MAX_GROUP_CLIENTS),
        |clients, round| {
            // The pool follows the groups without touching the others' clients.
            let expected = if round < 2 { (9, 9) } else { (9, 10) };
            assert_eq!(
                (clients.held(), clients.created()),
                expected,
                "poll {round}"
            );
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_wire_many_groups_are_read_on_one_kept_connection() {
    let Some(bootstrap) = env_or_skip(
        VAR,
        "over_the_wire_many_groups_are_read_on_one_kept_connection",
    ) else {
        return;
    };
    follow_a_fleet(
        &bootstrap,
        40,
        |c, s| Poller::new(c, s, Default::default()),
        |clients, round| {
            // No client per group: the shared one, and one connection (tansu
            // is every group's coordinator), made in the first poll only.
            assert_eq!((clients.held(), clients.created()), (1, 1), "poll {round}");
            assert_eq!(clients.wire_connections(), Some((1, 1)), "poll {round}");
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_with_sasl_or_tls_keeps_a_client_per_group() {
    let Some(bootstrap) = env_or_skip(VAR, "a_cluster_with_sasl_or_tls_keeps_a_client_per_group")
    else {
        return;
    };
    // tansu speaks plain text only, so an `ssl.*` property (which
    // librdkafka ignores on a plain connection) stands in for a TLS or SASL
    // configuration: any such property keeps the clients per group.
    follow_a_fleet(
        &bootstrap,
        4,
        |c, s| {
            let c = c.with_property("ssl.endpoint.identification.algorithm", "none");
            Poller::new(c, s, Default::default())
        },
        |clients, round| {
            assert_eq!(clients.wire_connections(), None, "poll {round}");
            assert_eq!(clients.held(), 5, "poll {round}");
        },
    )
    .await;
}
