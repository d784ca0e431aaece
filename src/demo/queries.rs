//! The demo's database targets, polled every few seconds as live ones
//! would be: `orders-db` (Postgres) where a `CREATE INDEX` scans `orders`
//! and blocks the inserts queued behind it, `shop-mongo` where a COLLSCAN
//! on `shop.orders` runs long, and `cache` (Redis) whose hit rate drops
//! while checkout retries with fresh keys. Cancel, terminate and killOp
//! change the world (see `actions`). Each poll reports the pg, mongo and
//! redis badges, as the live source does.

use super::Generator;
use super::world::{PaymentPods, World};
use crate::core::source::HealthReport;
use crate::features::queries::model::{
    Kind, MongoData, PgData, QueriesUpdate, RedisData, Snapshot,
};
use crate::features::queries::mongo::{CurrentOp, DbProfile, Member, OpId, ReplicaSet, SlowOp};
use crate::features::queries::postgres::{
    Backend, BackendState, ConnectionGroup, Statement, StatementsOrder, UnusedIndex, usage,
};
use crate::features::queries::redis::{Info, MemoryUse, PatternCount, Rates, SlowEntry};
use crate::update::Update;
use chrono::{DateTime, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// Seconds between polls, as a live source would.
const POLL_SECS: u64 = 5;
pub const PG_TARGET: &str = "orders-db";
pub const MONGO_TARGET: &str = "shop-mongo";
pub const REDIS_TARGET: &str = "cache";
/// The COLLSCAN on shop.orders.
pub const SCAN_OPID: i64 = 91_823_311;
/// The pid of the payment-service UPDATE that waits on the first queued
/// insert, relative to the scan's pid.
pub const SECOND_LEVEL: i32 = 2;

pub const CREATE_INDEX: &str =
    "CREATE INDEX orders_status_created_idx\n    ON orders (status, created_at)";
const INSERT: &str = "INSERT INTO orders (id, customer_id, total, status, created_at)\nVALUES ($1, $2, $3, $4, now())";
const UPDATE: &str = "UPDATE orders SET status = $1, paid_at = now()\nWHERE id = $2";

/// Polls the demo world's three database targets.
pub struct QueriesFeed {
    rng: ChaCha8Rng,
    second: u64,
    /// When the blocking chain was first seen, for its running time.
    chain_since: Option<u64>,
    scan_since: Option<u64>,
    calls: u64,
    redis: RedisCounters,
}

#[derive(Default)]
struct RedisCounters {
    hits: u64,
    misses: u64,
    evicted: u64,
    expired: u64,
    commands: u64,
    slowlog_id: i64,
}

impl QueriesFeed {
    pub fn new(seed: u64) -> Self {
        QueriesFeed {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0071_7565_7269_6573),
            second: 0,
            chain_since: None,
            scan_since: None,
            calls: 0,
            redis: RedisCounters::default(),
        }
    }
}

impl Generator for QueriesFeed {
    fn tick(&mut self, world: &World, at: DateTime<Utc>, _: &mut ChaCha8Rng) -> Vec<Update> {
        let second = self.second;
        self.second += 1;
        if world.db_root.is_some() {
            self.chain_since.get_or_insert(second);
        } else {
            self.chain_since = None;
        }
        if world.mongo_scan {
            self.scan_since.get_or_insert(second.saturating_sub(40));
        } else {
            self.scan_since = None;
        }
        if !second.is_multiple_of(POLL_SECS) {
            return Vec::new();
        }
        self.calls += 1;
        let update = |kind, target: &str, data| {
            Update::from(QueriesUpdate {
                kind,
                target: target.into(),
                at,
                data: Ok(data),
            })
        };
        let mut out = vec![
            update(
                Kind::Postgres,
                PG_TARGET,
                Snapshot::Postgres(Box::new(self.postgres(world, second))),
            ),
            update(
                Kind::Mongo,
                MONGO_TARGET,
                Snapshot::Mongo(Box::new(self.mongo(world, second, at))),
            ),
            update(
                Kind::Redis,
                REDIS_TARGET,
                Snapshot::Redis(Box::new(self.cache(world, at))),
            ),
        ];
        out.extend([Kind::Postgres, Kind::Mongo, Kind::Redis].map(|kind| {
            Update::from(HealthReport {
                source: kind.source(),
                at,
                error: None,
                interval: Duration::from_secs(POLL_SECS),
            })
        }));
        out
    }
}

fn backend(pid: i32, app: &str, state: BackendState, secs: f64, query: &str) -> Backend {
    Backend {
        pid,
        user: Some("shop".into()),
        database: Some("orders".into()),
        application: app.into(),
        client_addr: "10.0.12.35".parse().ok(),
        state,
        wait_event_type: None,
        wait_event: None,
        backend_type: "client backend".into(),
        query_duration: Some(Duration::from_secs_f64(secs)),
        xact_duration: Some(Duration::from_secs_f64(secs)),
        query: query.into(),
        blocked_by: Vec::new(),
        over_threshold: secs > 5.0,
        superuser: false,
        backend_start: None,
    }
}

impl QueriesFeed {
    fn postgres(&mut self, world: &World, second: u64) -> PgData {
        let rng = &mut self.rng;
        let mut activity = Vec::new();
        for i in 0..rng.random_range(2..5) {
            let ms = f64::from(rng.random_range(1..250u32)) / 1000.0;
            let (app, query) = if i % 2 == 0 {
                (
                    "order-service",
                    "SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2",
                )
            } else {
                (
                    "inventory-service",
                    "UPDATE stock SET reserved = reserved + $1 WHERE sku = $2",
                )
            };
            activity.push(backend(
                5100 + i * 17 + rng.random_range(0..9),
                app,
                BackendState::Active,
                ms,
                query,
            ));
        }
        let mut waiting = 0;
        if let (Some(root), Some(since)) = (world.db_root, self.chain_since) {
            let running = (second - since) as f64 + 38.0;
            let mut scan = backend(root, "psql", BackendState::Active, running, CREATE_INDEX);
            scan.user = Some("migrations".into());
            scan.client_addr = "10.0.40.2".parse().ok();
            scan.wait_event_type = Some("IO".into());
            scan.wait_event = Some("DataFileRead".into());
            activity.push(scan);
            for (i, pid) in world.db_waiting.iter().enumerate() {
                if world.db_gone.contains(pid) {
                    continue;
                }
                let mut b = backend(
                    *pid,
                    "order-service",
                    BackendState::Active,
                    running - 2.0 - 3.0 * i as f64,
                    INSERT,
                );
                b.wait_event_type = Some("Lock".into());
                b.wait_event = Some("relation".into());
                b.blocked_by = vec![root];
                waiting += 1;
                activity.push(b);
            }
            let update_pid = root + SECOND_LEVEL;
            if let Some(first) = world.db_waiting.iter().find(|p| !world.db_gone.contains(p))
                && !world.db_gone.contains(&update_pid)
            {
                let mut b = backend(
                    update_pid,
                    "payment-service",
                    BackendState::Active,
                    running - 4.0,
                    UPDATE,
                );
                b.wait_event_type = Some("Lock".into());
                b.wait_event = Some("transactionid".into());
                b.blocked_by = vec![*first];
                waiting += 1;
                activity.push(b);
            }
        }
        let stalled = waiting > 0;
        let calls = self.calls;
        let statement = |queryid: i64, calls: i64, mean: f64, query: &str| Statement {
            queryid: Some(queryid),
            calls,
            mean_ms: mean,
            max_ms: mean * 9.5,
            total_ms: mean * calls as f64,
            percent_of_total: 0.0,
            rows: calls,
            query: query.into(),
        };
        let n = i64::try_from(calls).unwrap_or(0);
        let mut statements = vec![
            statement(
                -4_112_093_883_514_401,
                18_000 + 90 * n,
                if stalled { 2_840.0 } else { 1.8 },
                INSERT,
            ),
            statement(
                7_301_557_420_118_213,
                52_000 + 400 * n,
                0.42,
                "SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2",
            ),
            statement(
                1_994_420_003_117_250,
                7_400 + 30 * n,
                if stalled { 1_920.0 } else { 2.6 },
                UPDATE,
            ),
            statement(
                -88_120_555_900_412,
                210 + n,
                145.0,
                "SELECT date_trunc($1, created_at) AS day, sum(total)\nFROM orders\nWHERE created_at > now() - $2::interval\nGROUP BY 1 ORDER BY 1",
            ),
            statement(
                3_300_120_004_981_001,
                96_000 + 800 * n,
                0.08,
                "SELECT sku, available FROM stock WHERE sku = ANY($1)",
            ),
            statement(
                5_120_998_004_100_002,
                3 + n / 60,
                48_200.0,
                "VACUUM ANALYZE orders",
            ),
        ];
        let total: f64 = statements.iter().map(|s| s.total_ms).sum();
        for s in &mut statements {
            s.percent_of_total = 100.0 * s.total_ms / total.max(1.0);
        }
        statements.sort_by(|a, b| b.mean_ms.total_cmp(&a.mean_ms));
        // Requests pile up behind the blocked inserts: the pool nears its limit.
        let base = 44 + u64::from(rng.random_range(0..6u32));
        let pile = if stalled { 14 + waiting as u64 / 2 } else { 0 };
        let groups = vec![
            ConnectionGroup {
                database: Some("orders".into()),
                application: "order-service".into(),
                count: i64::try_from((base + pile).min(65)).unwrap_or(0),
            },
            ConnectionGroup {
                database: Some("orders".into()),
                application: "payment-service".into(),
                count: 18,
            },
            ConnectionGroup {
                database: Some("orders".into()),
                application: "inventory-service".into(),
                count: 12,
            },
            ConnectionGroup {
                database: Some("orders".into()),
                application: "psql".into(),
                count: 1,
            },
            ConnectionGroup {
                database: Some("orders".into()),
                application: "opsdeck".into(),
                count: 1,
            },
        ];
        PgData {
            statements: Ok(statements),
            statements_order: StatementsOrder::MeanTime,
            statements_limit: 50,
            activity: Ok(activity),
            connections: Ok(usage(groups, 100, 0.9)),
            unused_indexes: Ok(vec![
                UnusedIndex {
                    schema: "public".into(),
                    table: "orders".into(),
                    index: "orders_legacy_ref_idx".into(),
                    bytes: 431_964_160,
                },
                UnusedIndex {
                    schema: "public".into(),
                    table: "customers".into(),
                    index: "customers_fax_idx".into(),
                    bytes: 8_388_608,
                },
            ]),
            activity_threshold: Duration::from_secs(5),
            allow_privileged: false,
        }
    }

    fn mongo(&mut self, world: &World, second: u64, at: DateTime<Utc>) -> MongoData {
        let mut ops = Vec::new();
        if let Some(since) = self.scan_since {
            ops.push(CurrentOp {
                opid: OpId::Number(SCAN_OPID),
                op: "query".into(),
                ns: "shop.orders".into(),
                secs_running: i64::try_from(second - since).unwrap_or(0),
                plan_summary: Some("COLLSCAN".into()),
                app_name: Some("order-service".into()),
                client: Some("10.0.12.35:50412".into()),
                waiting_for_lock: false,
                desc: Some("conn4211".into()),
                command: r#"{ find: "orders", filter: { status: "PENDING", customerId: { $exists: true } }, sort: { createdAt: -1 } }"#.into(),
            });
            ops.push(CurrentOp {
                opid: OpId::Number(SCAN_OPID + 479),
                op: "update".into(),
                ns: "shop.orders".into(),
                secs_running: 6 + i64::from(self.rng.random_range(0..5u32)),
                plan_summary: Some("IXSCAN { _id: 1 }".into()),
                app_name: Some("payment-service".into()),
                client: Some("10.0.14.7:41822".into()),
                waiting_for_lock: true,
                desc: Some("conn4390".into()),
                command: r#"{ update: "orders", updates: [ { q: { _id: ObjectId("6556f1c2e4b0a1d2c3f4a5b6") }, u: { $set: { status: "PAID" } } } ] }"#.into(),
            });
        }
        let ts = |ago: i64| Some(at - chrono::Duration::seconds(ago));
        let slow = |millis: i64,
                    op: &str,
                    ns: &str,
                    examined: i64,
                    returned: i64,
                    plan: &str,
                    app: &str| SlowOp {
            millis,
            op: op.into(),
            ns: ns.into(),
            docs_examined: examined,
            nreturned: returned,
            plan_summary: Some(plan.into()),
            app_name: Some(app.into()),
            ts: ts(millis / 100),
        };
        let mut shop = vec![
            slow(
                412,
                "update",
                "shop.carts",
                1,
                0,
                "IXSCAN { userId: 1 }",
                "cart-service",
            ),
            slow(
                188,
                "query",
                "shop.inventory",
                240,
                240,
                "IXSCAN { sku: 1 }",
                "inventory-service",
            ),
        ];
        if world.mongo_scan {
            shop.insert(
                0,
                slow(
                    4_210,
                    "query",
                    "shop.orders",
                    1_203_448,
                    12,
                    "COLLSCAN",
                    "order-service",
                ),
            );
        }
        let lag = if world.payment == PaymentPods::Crashing {
            12
        } else {
            1
        };
        MongoData {
            ops: Ok(ops),
            secs_running: 5,
            profiles: vec![
                (
                    "shop".into(),
                    Ok(DbProfile {
                        db: "shop".into(),
                        level: 1,
                        slowms: 100,
                        ops: shop,
                    }),
                ),
                (
                    "analytics".into(),
                    Ok(DbProfile {
                        db: "analytics".into(),
                        level: 0,
                        slowms: 100,
                        ops: Vec::new(),
                    }),
                ),
            ],
            replica_set: Ok(ReplicaSet::Members {
                set: "rs0".into(),
                members: vec![
                    Member {
                        name: "mongo-0.mongo:27017".into(),
                        state: "PRIMARY".into(),
                        healthy: true,
                        lag_secs: Some(0),
                    },
                    Member {
                        name: "mongo-1.mongo:27017".into(),
                        state: "SECONDARY".into(),
                        healthy: true,
                        lag_secs: Some(lag),
                    },
                    Member {
                        name: "mongo-2.mongo:27017".into(),
                        state: "SECONDARY".into(),
                        healthy: true,
                        lag_secs: Some(1),
                    },
                ],
            }),
            allow_privileged: false,
        }
    }

    fn cache(&mut self, world: &World, at: DateTime<Utc>) -> RedisData {
        let rng = &mut self.rng;
        let r = &mut self.redis;
        let cold = world.payment == PaymentPods::Crashing && world.lag > 0;
        let lookups = 6_000 + u64::from(rng.random_range(0..800u32));
        let rate = if cold {
            0.55 + f64::from(rng.random_range(0..100u32)) / 1000.0
        } else {
            0.94 + f64::from(rng.random_range(0..40u32)) / 1000.0
        };
        let hits = (lookups as f64 * rate) as u64;
        let misses = lookups - hits;
        let evicted = if cold {
            u64::from(rng.random_range(40..90u32))
        } else {
            0
        };
        let expired = u64::from(rng.random_range(5..25u32));
        let commands = lookups * 2 + u64::from(rng.random_range(0..500u32));
        r.hits += hits;
        r.misses += misses;
        r.evicted += evicted;
        r.expired += expired;
        r.commands += commands;
        let window = Duration::from_secs(POLL_SECS);
        let per_sec = |n: u64| Some(n as f64 / window.as_secs_f64());
        let used = 812 * 1024 * 1024 + if cold { 140 << 20 } else { 0 };
        let max = 1024 * 1024 * 1024;
        let mut slowlog = Vec::new();
        if cold {
            r.slowlog_id += 1;
        }
        for i in 0..3 {
            slowlog.push(SlowEntry {
                id: r.slowlog_id + 40 - i,
                timestamp: at.timestamp() - i * 17,
                duration: Duration::from_micros(
                    if cold { 48_000 } else { 12_000 } / (1 + i as u64),
                ),
                args: if i == 0 {
                    vec!["KEYS".into(), "ratelimit:checkout:*".into()]
                } else {
                    vec!["HGETALL".into(), format!("cart:{}", 88_100 + i)]
                },
                client_addr: Some("10.0.12.35:50990".into()),
                client_name: None,
            });
        }
        RedisData {
            info: Info {
                redis_version: Some("7.2.4".into()),
                run_id: Some("a1c9e0f2d7b34c1e".into()),
                uptime_secs: Some(1_209_600 + self.second),
                connected_clients: Some(if cold { 412 } else { 214 }),
                blocked_clients: Some(if cold { 3 } else { 0 }),
                used_memory: Some(used),
                maxmemory: Some(max),
                keyspace_hits: Some(r.hits),
                keyspace_misses: Some(r.misses),
                evicted_keys: Some(r.evicted),
                expired_keys: Some(r.expired),
                total_commands_processed: Some(r.commands),
                instantaneous_ops_per_sec: Some(commands / POLL_SECS),
            },
            rates: Some(Rates {
                window,
                hits,
                misses,
                hit_rate: Some(hits as f64 / lookups as f64),
                evicted_per_sec: per_sec(evicted),
                expired_per_sec: per_sec(expired),
                ops_per_sec: per_sec(commands),
                restarted: false,
            }),
            memory: Some(MemoryUse {
                used,
                max: Some(max),
                ratio: Some(used as f64 / max as f64),
            }),
            slowlog,
            patterns: vec![PatternCount {
                pattern: "ratelimit:*".into(),
                count: if cold { 10_000 } else { 3_412 },
                capped: cold,
            }],
            hit_rate_warn: 0.8,
        }
    }
}
