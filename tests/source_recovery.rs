//! Every source's badge recovers when its server comes back: each test runs
//! the source task against a server behind a forwarder (tests/support/
//! forwarder.rs), shuts the forwarder (the server dies: the badge reports
//! the error), opens it again on the same port (the server restarts) and
//! waits for a healthy report. The Kubernetes source's own case is
//! `kube_source::the_badge_recovers_after_the_api_server_restarts`.
//! Postgres, Redis and Prometheus are the real servers tests/run-all.sh
//! starts; without them those tests skip (fail under CI=true).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use opsdeck::core::source::SourceId;
use opsdeck::features::breakers::settings::BreakerSettings;
use opsdeck::features::breakers::source::{Transport, run as run_breakers};
use opsdeck::features::lag::settings::{KafkaCluster, KafkaSettings};
use opsdeck::features::queries::postgres::StatementsOrder;
use opsdeck::features::queries::settings::{
    MongoTargetSettings, PgTargetSettings, QueriesSettings, RedisTargetSettings,
};
use opsdeck::shared::prometheus::PromSettings;
use opsdeck::shared::secret::Secret;
use opsdeck::transport::{UpdateRx, UpdateTx};
use opsdeck::update::Update;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;
use support::actuator_server::{ActuatorServer, BreakerConfig, Config};
use support::forwarder::Forwarder;
use support::live::server_env;
use support::mongo_server::{MongoServer, MongoServerOptions};
use tokio::time::Instant;

/// Generous: CI machines are slow and shared.
const DEADLINE: Duration = Duration::from_secs(30);

/// How soon a source polled every second must say it recovered: about one
/// interval, with room for a slow machine.
const RECOVERY: Duration = Duration::from_secs(5);

/// The health reports of one source, read from the transport.
struct Badge {
    source: SourceId,
    rx: UpdateRx,
    tx: UpdateTx,
}

impl Badge {
    fn new(source: SourceId) -> Self {
        let (tx, rx) = opsdeck::transport::channel(64, 100_000);
        Badge { source, rx, tx }
    }

    fn outbox<T>(&self) -> opsdeck::core::outbox::Outbox<T>
    where
        T: Into<Update> + Send + 'static,
    {
        opsdeck::transport::outbox(&self.tx)
    }

    /// Waits for a report of the source with an error (`true`) or without
    /// one (`false`), within `within`; returns that report's error.
    async fn until(&mut self, failing: bool, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        let mut last = None;
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(Update::Health(h))) if h.source == self.source => {
                    if h.error.is_some() == failing {
                        return h.error.clone();
                    }
                    last = Some(h.error.clone());
                }
                Ok(Some(_)) => {}
                Ok(None) => panic!("the {:?} source stopped", self.source),
                Err(_) => panic!(
                    "no {} report of {:?} within {within:?}; last: {last:?}",
                    if failing { "failing" } else { "healthy" },
                    self.source
                ),
            }
        }
    }

    /// Healthy, then down while the forwarder is shut, then healthy again
    /// within `recovery` of opening it.
    async fn outage(&mut self, forwarder: &mut Forwarder, recovery: Duration) {
        self.until(false, DEADLINE).await;
        forwarder.shut().await;
        let error = self.until(true, DEADLINE).await;
        assert!(error.is_some_and(|e| !e.is_empty()));
        forwarder.open().await;
        self.until(false, recovery).await;
    }
}

fn addr_of(host_port: &str) -> SocketAddr {
    host_port.to_socket_addrs().unwrap().next().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actuator_badge_recovers() {
    let server = ActuatorServer::start(
        Config::new("order-service").breaker("paymentService", BreakerConfig::default()),
    );
    let mut forwarder = Forwarder::start(server.addr()).await;
    let settings = BreakerSettings {
        actuators: [(
            "order-service".to_string(),
            opsdeck::features::breakers::settings::Actuator {
                url: server
                    .base_url()
                    .replace(&server.addr().to_string(), &forwarder.addr().to_string()),
                ..Default::default()
            },
        )]
        .into(),
        interval_secs: 1,
        ..BreakerSettings::default()
    };
    let mut badge = Badge::new(SourceId::Actuator);
    let transport = Transport::new(
        tokio::sync::watch::channel(None).1,
        None,
        Duration::from_secs(2),
    )
    .unwrap();
    let kube = tokio::sync::watch::channel(None).1;
    tokio::spawn(run_breakers(
        settings,
        PromSettings::default(),
        transport,
        kube,
        badge.outbox(),
    ));
    badge.outage(&mut forwarder, RECOVERY).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongo_badge_recovers() {
    let server = MongoServer::start(MongoServerOptions::default());
    let mut forwarder = Forwarder::start(server.addr()).await;
    let mut settings = QueriesSettings::default();
    settings.mongo.push(MongoTargetSettings {
        name: "shop-mongo".into(),
        uri: server
            .uri()
            .replace(&server.addr().to_string(), &forwarder.addr().to_string()),
        password: Secret::None,
        interval_secs: 1,
        secs_running: 5,
        profile_dbs: vec![],
        profile_limit: 20,
        max_time_ms: 2_000,
        allow_privileged: false,
    });
    let mut badge = Badge::new(SourceId::Mongo);
    let (_order_tx, order) = tokio::sync::watch::channel(StatementsOrder::MeanTime);
    opsdeck::features::queries::source::spawn(&settings, badge.outbox(), order);
    badge.outage(&mut forwarder, RECOVERY).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_badge_recovers() {
    let Some(dsn) = server_env("OPSDECK_TEST_POSTGRES_DSN", "a PostgreSQL") else {
        return;
    };
    let config: tokio_postgres::Config = dsn.parse().unwrap();
    let (host, port) = match (config.get_hosts().first(), config.get_ports().first()) {
        (Some(tokio_postgres::config::Host::Tcp(h)), Some(p)) => (h.clone(), *p),
        other => panic!("the test DSN names no TCP host and port: {other:?}"),
    };
    let mut forwarder = Forwarder::start(addr_of(&format!("{host}:{port}"))).await;
    let through = dsn.replace(
        &format!("port={port}"),
        &format!("port={}", forwarder.addr().port()),
    );
    assert_ne!(through, dsn, "the test DSN names its port as port=N");
    let mut settings = QueriesSettings::default();
    settings.postgres.push(PgTargetSettings {
        name: "orders-db".into(),
        dsn: through,
        password: Secret::None,
        require_tls: false,
        ca_file: None,
        interval_secs: 1,
        statement_timeout_ms: 2_000,
        activity_threshold_secs: 1,
        connections_warn_pct: 90,
        top: 20,
        allow_privileged: false,
    });
    let mut badge = Badge::new(SourceId::Postgres);
    let (_order_tx, order) = tokio::sync::watch::channel(StatementsOrder::MeanTime);
    opsdeck::features::queries::source::spawn(&settings, badge.outbox(), order);
    badge.outage(&mut forwarder, RECOVERY).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_badge_recovers() {
    let Some(url) = server_env("OPSDECK_TEST_REDIS_URL", "a Redis") else {
        return;
    };
    let host_port = url
        .trim_start_matches("redis://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let mut forwarder = Forwarder::start(addr_of(&host_port)).await;
    let mut settings = QueriesSettings::default();
    settings.redis.push(RedisTargetSettings {
        name: "cache".into(),
        url: url.replace(&host_port, &forwarder.addr().to_string()),
        password: Secret::None,
        ca_file: None,
        interval_secs: 1,
        patterns: vec!["ratelimit:*".into()],
        scan_cap: 1_000,
        slowlog_len: 5,
        hit_rate_warn_pct: 80,
        timeout_ms: 1_000,
    });
    let mut badge = Badge::new(SourceId::Redis);
    let (_order_tx, order) = tokio::sync::watch::channel(StatementsOrder::MeanTime);
    opsdeck::features::queries::source::spawn(&settings, badge.outbox(), order);
    badge.outage(&mut forwarder, RECOVERY).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_badge_recovers() {
    let Some(url) = server_env("OPSDECK_TEST_PROMETHEUS_URL", "a Prometheus") else {
        return;
    };
    let host_port = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut forwarder = Forwarder::start(addr_of(&host_port)).await;
    let settings = PromSettings {
        url: Some(format!("http://{}", forwarder.addr())),
        interval_secs: 1,
        ..PromSettings::default()
    };
    let mut badge = Badge::new(SourceId::Prometheus);
    let _task = opsdeck::features::heatmap::source::spawn(settings, badge.outbox());
    badge.outage(&mut forwarder, RECOVERY).await;
}

/// librdkafka's mock cluster, bootstrapped through the forwarder. The
/// poller keeps its clients, which talk to the broker's own address once
/// bootstrapped, so the outage is both: the broker down and the bootstrap
/// address shut. A failing cluster is polled less and less often (up to a
/// minute apart); the badge must still follow a restart within about one
/// interval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_badge_recovers_within_an_interval() {
    let mock = rdkafka::mocking::MockCluster::new(1).unwrap();
    let mut forwarder = Forwarder::start(addr_of(&mock.bootstrap_servers())).await;
    let settings = KafkaSettings {
        clusters: vec![KafkaCluster {
            name: "mock".into(),
            bootstrap: forwarder.addr().to_string(),
            ..KafkaCluster::default()
        }],
        interval_secs: 1,
        ..KafkaSettings::default()
    };
    let mut badge = Badge::new(SourceId::Kafka);
    tokio::spawn(opsdeck::features::lag::source::poll::run(
        settings,
        badge.outbox(),
    ));
    badge.until(false, DEADLINE).await;
    mock.broker_down(1).unwrap();
    forwarder.shut().await;
    // Three failed polls: the next waits 8 intervals.
    for _ in 0..3 {
        badge.until(true, DEADLINE).await;
    }
    mock.broker_up(1).unwrap();
    forwarder.open().await;
    badge.until(false, RECOVERY).await;
}
