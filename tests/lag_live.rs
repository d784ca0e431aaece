#![allow(clippy::unwrap_used)]
//! The Lag tab against tansu (tests/run-all.sh starts it and sets
//! OPSDECK_TEST_KAFKA_BOOTSTRAP): a group's lag is read by the source into
//! the app; an offset reset goes through the whole guard chain (Empty
//! precondition, dry run against the broker, typed name) and really moves
//! the committed offsets; undo from the Timeline puts them back.

mod support;

use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Effect, Event, Overlay};
use opsdeck::core::action::Backend;
use opsdeck::features::lag::actions::executor::KafkaExecutor;
use opsdeck::features::lag::settings::KafkaCluster;
use opsdeck::features::lag::source::poll::{cluster_config, poll_cluster};
use opsdeck::features::lag::source::{self, ClusterConfig, WatchTopics};
use opsdeck::features::lag::stats::dlq::DlqPatterns;
use opsdeck::remediation::audit::AuditLog;
use opsdeck::remediation::executor::Router;
use opsdeck::remediation::run::{self, Services};
use opsdeck::update::Update;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use std::sync::Arc;
use std::time::Duration;
use support::kafka::{consume_and_commit, env_or_skip, produce};
use support::{app, keys, typed};

const VAR: &str = "OPSDECK_TEST_KAFKA_BOOTSTRAP";

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

async fn create_topic(bootstrap: &str, topic: &str, partitions: i32) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    let results = admin
        .create_topics(
            &[NewTopic::new(topic, partitions, TopicReplication::Fixed(1))],
            &AdminOptions::new().operation_timeout(Some(Duration::from_secs(10))),
        )
        .await
        .unwrap();
    for r in results {
        r.unwrap();
    }
}

async fn committed(c: &ClusterConfig, group: &str, topic: &str) -> Vec<Option<i64>> {
    source::group_snapshot(c, group, &WatchTopics::Named(vec![topic.into()]))
        .await
        .unwrap()
        .partitions
        .iter()
        .map(|p| p.committed)
        .collect()
}

async fn drive(app: &mut App, services: &Services, mut effects: Vec<Effect>) {
    while let Some(effect) = effects.pop() {
        match effect {
            Effect::Precheck { id, plan, .. } => {
                let (permission, dry_run) = run::precheck(services, &plan).await;
                effects.extend(app.update(Event::Prechecked {
                    id,
                    permission,
                    dry_run,
                    room: None,
                }));
            }
            Effect::Execute {
                id,
                plan,
                decisions,
            } => {
                let outcome = run::execute(services, &plan, &decisions).await;
                effects.extend(app.update(Event::ActionDone {
                    id,
                    plan: Box::new(plan),
                    outcome,
                }));
            }
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reset_through_the_guard_chain_moves_offsets_and_undo_restores_them() {
    let Some(bootstrap) = env_or_skip(
        VAR,
        "reset_through_the_guard_chain_moves_offsets_and_undo_restores_them",
    ) else {
        return;
    };
    let (topic, group) = (unique("orders"), unique("billing"));
    create_topic(&bootstrap, &topic, 2).await;
    produce(&bootstrap, &topic, &[0, 1], 20);
    consume_and_commit(&bootstrap, &group, &topic, &[0, 1], 15);

    let settings = KafkaCluster {
        name: "test".into(),
        bootstrap: bootstrap.clone(),
        groups: vec![group.clone()],
        ..KafkaCluster::default()
    };
    let c = cluster_config(&settings).unwrap();
    let (update, error) = poll_cluster(&c, &settings, &DlqPatterns::default()).await;
    assert_eq!(error, None);
    let mut a = app((160, 48));
    a.update(Event::Update(Update::from(update.unwrap())));
    a.tab = Tab::Lag;
    let history = a.model.lag.data.groups.values().next().unwrap();
    assert_eq!(
        history.lag().unwrap().total,
        10,
        "20 produced, 15 committed, per partition"
    );

    let dir = tempfile::tempdir().unwrap();
    let services = Services {
        executor: Arc::new(
            Router::new().with(Backend::Kafka, Arc::new(KafkaExecutor::new([c.clone()]))),
        ),
        audit: Some(AuditLog::open(&dir.path().join("audit.jsonl")).unwrap()),
        user: "tester".into(),
        host: "bastion".into(),
        timeout: Duration::from_secs(20),
    };
    keys(&mut a, &["r"]);
    let effects = keys(&mut a, &["<Enter>"]);
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    assert!(
        d.plan.effect.contains("replays 30 messages"),
        "{}",
        d.plan.effect
    );
    assert!(
        d.plan.effect.contains("p0: 15 → 0 (replays 15)"),
        "{}",
        d.plan.effect
    );
    assert!(d.wants_typing(), "a reset always wants the typed name");
    drive(&mut a, &services, effects).await;
    let Overlay::Action(d) = &a.overlay else {
        panic!("dialog gone")
    };
    let dry = d
        .decisions
        .iter()
        .find(|x| x.step.label() == "dry run")
        .unwrap();
    assert!(dry.passed && dry.detail.contains("Empty"), "{dry:?}");
    // The app's clock is the wall clock, as live: polls carry real times.
    a.update(Event::Tick(chrono::Utc::now()));
    typed(&mut a, &group);
    let effects = keys(&mut a, &["<Tab>", "<Enter>"]);
    drive(&mut a, &services, effects).await;
    assert_eq!(committed(&c, &group, &topic).await, vec![Some(0), Some(0)]);

    // The undo is planned from a poll newer than the reset.
    keys(&mut a, &["<Esc>", "7"]);
    keys(&mut a, &["u"]);
    assert!(
        matches!(a.overlay, Overlay::None),
        "planned from an old poll"
    );
    assert!(
        a.status
            .as_ref()
            .unwrap()
            .text
            .contains("not read since it ran"),
        "{:?}",
        a.status
    );
    let (update, error) = poll_cluster(&c, &settings, &DlqPatterns::default()).await;
    assert_eq!(error, None);
    a.update(Event::Update(Update::from(update.unwrap())));
    let effects = keys(&mut a, &["u"]);
    let Overlay::Action(d) = &a.overlay else {
        panic!("no undo dialog: {:?}", a.status)
    };
    assert!(d.plan.effect.contains("p0: 0 → 15"), "{}", d.plan.effect);
    drive(&mut a, &services, effects).await;
    typed(&mut a, &group);
    let effects = keys(&mut a, &["<Tab>", "<Enter>"]);
    drive(&mut a, &services, effects).await;
    assert_eq!(
        committed(&c, &group, &topic).await,
        vec![Some(15), Some(15)]
    );
}
