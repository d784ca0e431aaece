#![allow(clippy::unwrap_used)]
//! The Mongo source against the wire-protocol test server, through the
//! real driver.

mod support;

use bson::{Bson, DateTime as BsonDate, doc};
use chrono::{DateTime, Utc};
use opsdeck::features::queries::mongo::{
    Access, CurrentOp, MongoClient, MongoTarget, OpId, ReplicaSet, probe,
};
use std::time::{Duration, Instant};
use support::mongo_server::{
    Member, MongoServer, MongoServerOptions, Privileges, VERSION, fixtures,
};

const ORDERS_OPID: i64 = 91_823_311;
const EVENTS_OPID: i64 = 91_823_790;

fn server_with_fixture_ops() -> MongoServer {
    MongoServer::start(MongoServerOptions {
        ops: fixtures::currentop_ops(),
        ..MongoServerOptions::default()
    })
}

fn target(server: &MongoServer) -> MongoTarget {
    let mut target = MongoTarget::new("orders-db", server.uri());
    target.profile_dbs = vec!["shop".into(), "analytics".into()];
    target
}

async fn connect(server: &MongoServer) -> MongoClient {
    MongoClient::connect(&target(server)).await.unwrap()
}

/// An op that has run for `secs` seconds, typed as mongod types it.
fn short_op(opid: i32, secs: i64) -> bson::Document {
    doc! {
        "type": "op", "desc": "conn9", "active": true, "opid": opid,
        "secs_running": secs, "microsecs_running": secs * 1_000_000,
        "op": "query", "ns": "shop.carts", "command": { "find": "carts", "$db": "shop" },
        "planSummary": "IXSCAN { userId: 1 }", "waitingForLock": false,
    }
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn current_ops_over_the_threshold_with_their_details() {
    let server = server_with_fixture_ops();
    server.add_op(short_op(91_820_001, 2));
    let ops = connect(&server).await.current_ops().await.unwrap();

    assert_eq!(
        ops.iter().map(|o| o.opid.clone()).collect::<Vec<_>>(),
        [OpId::Number(ORDERS_OPID), OpId::Number(EVENTS_OPID)]
    );
    assert_eq!(
        ops[0],
        CurrentOp {
            opid: OpId::Number(ORDERS_OPID),
            op: "query".into(),
            ns: "shop.orders".into(),
            secs_running: 47,
            plan_summary: Some("COLLSCAN".into()),
            app_name: Some("order-service".into()),
            client: Some("10.0.12.35:50412".into()),
            waiting_for_lock: false,
            desc: Some("conn4211".into()),
            command: r#"{ find: "orders", filter: { status: "PENDING", customerId: { $exists: true } }, sort: { createdAt: -1 } }"#.into(),
        }
    );
    assert!(ops[0].is_collscan());
    assert!(!ops[1].is_collscan());
    assert!(ops[1].waiting_for_lock);
    assert_eq!(ops[1].secs_running, 12);
    assert_eq!(
        ops[1].command,
        r#"{ aggregate: "events", pipeline: [ { $match: { type: "checkout" } }, { $group: { _id: "$service", n: { $sum: 1 } } } ], cursor: {} }"#
    );
    assert_eq!(ops[0].command_truncated(16), "{ find: \"orders…");
}

#[tokio::test]
async fn the_server_applies_the_secs_running_threshold() {
    let server = server_with_fixture_ops();
    server.add_op(short_op(91_820_001, 2));
    let mut target = target(&server);
    target.secs_running = 20;
    let client = MongoClient::connect(&target).await.unwrap();

    let ops = client.current_ops().await.unwrap();

    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].opid, OpId::Number(ORDERS_OPID));
    let sent = server.commands_named("currentOp");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].db, "admin");
    assert_eq!(sent[0].body.get("active"), Some(&Bson::Boolean(true)));
    assert_eq!(
        sent[0].body.get_document("secs_running").unwrap(),
        &doc! { "$gte": 20_i64 }
    );
}

#[tokio::test]
async fn every_command_carries_max_time_ms_and_the_app_name() {
    let server = server_with_fixture_ops();
    server.set_profile("shop", 1, fixtures::profile_docs());
    let client = connect(&server).await;
    client.current_ops().await.unwrap();
    client.profile("shop").await.unwrap();
    client.replica_set().await.unwrap();
    client.server_version().await.unwrap();

    let seen = server.commands_seen();
    let handshake = &seen[0];
    assert!(
        ["hello", "isMaster"].contains(&handshake.name.as_str()),
        "{}",
        handshake.name
    );
    assert_eq!(
        handshake
            .body
            .get_document("client")
            .unwrap()
            .get_document("application")
            .unwrap(),
        &doc! { "name": "opsdeck" }
    );
    let ours: Vec<_> = seen
        .iter()
        .filter(|c| !["hello", "isMaster", "endSessions"].contains(&c.name.as_str()))
        .collect();
    assert_eq!(
        ours.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        [
            "ping",
            "currentOp",
            "profile",
            "find",
            "replSetGetStatus",
            "buildInfo"
        ]
    );
    for command in ours {
        assert_eq!(
            command.body.get("maxTimeMS"),
            Some(&Bson::Int32(2000)),
            "{}",
            command.name
        );
    }
}

#[tokio::test]
async fn slow_ops_come_slowest_first_with_the_examined_ratio() {
    let server = server_with_fixture_ops();
    let mut docs = fixtures::profile_docs();
    docs.reverse();
    // At level 2 opsdeck's own commands are profiled; they must not show.
    docs.push(
        doc! { "op": "command", "ns": "shop.$cmd", "millis": 9999_i32, "appName": "opsdeck" },
    );
    server.set_profile("shop", 1, docs);

    let profile = connect(&server).await.profile("shop").await.unwrap();

    assert_eq!(
        (profile.db.as_str(), profile.level, profile.slowms),
        ("shop", 1, 100)
    );
    assert_eq!(profile.off_message(), None);
    let ops = &profile.ops;
    assert_eq!(
        ops.iter().map(|o| o.millis).collect::<Vec<_>>(),
        [3812, 412]
    );
    assert_eq!(
        (
            ops[0].op.as_str(),
            ops[0].ns.as_str(),
            ops[0].docs_examined,
            ops[0].nreturned
        ),
        ("query", "shop.orders", 1_840_221, 14)
    );
    assert_eq!(ops[0].examined_per_returned(), 1_840_221.0 / 14.0);
    assert!(ops[0].is_collscan());
    assert_eq!(ops[0].ts, Some(utc("2026-11-21T10:07:58.120Z")));
    assert_eq!(ops[0].app_name.as_deref(), Some("order-service"));
    // An update returns nothing: the ratio is the examined count itself.
    assert_eq!((ops[1].nreturned, ops[1].examined_per_returned()), (0, 1.0));
    assert_eq!(ops[1].plan_summary.as_deref(), Some("IXSCAN { sku: 1 }"));

    let find = &server.commands_named("find")[0];
    assert_eq!(find.db, "shop");
    assert_eq!(find.body.get_str("find").unwrap(), "system.profile");
    assert_eq!(
        find.body.get_document("sort").unwrap(),
        &doc! { "millis": -1 }
    );
}

#[tokio::test]
async fn the_profile_limit_is_applied() {
    let server = server_with_fixture_ops();
    server.set_profile("shop", 2, fixtures::profile_docs());
    let mut target = target(&server);
    target.profile_limit = 1;
    let client = MongoClient::connect(&target).await.unwrap();

    let profile = client.profile("shop").await.unwrap();

    assert_eq!(profile.level, 2);
    assert_eq!(
        profile.ops.iter().map(|o| o.millis).collect::<Vec<_>>(),
        [3812]
    );
}

#[tokio::test]
async fn profiling_off_says_how_to_turn_it_on() {
    let server = server_with_fixture_ops();
    server.set_profile("shop", 1, fixtures::profile_docs());
    server.set_profile("analytics", 0, fixtures::profile_docs());

    let profiles = connect(&server).await.profiles().await;

    let profiles: Vec<_> = profiles.into_iter().map(Result::unwrap).collect();
    assert_eq!(profiles.len(), 2);
    assert_eq!(profiles[0].ops.len(), 2);
    let off = &profiles[1];
    assert!(off.is_off());
    assert!(off.ops.is_empty());
    assert_eq!(
        off.off_message().unwrap(),
        "profiling is off on analytics (db.setProfilingLevel(1, {slowms: 100}))"
    );
    let finds: Vec<_> = server
        .commands_named("find")
        .iter()
        .map(|c| c.db.clone())
        .collect();
    assert_eq!(finds, ["shop"]);
}

#[tokio::test]
async fn replica_set_members_with_their_lag_behind_the_primary() {
    let server = server_with_fixture_ops();
    let at = |text: &str| BsonDate::parse_rfc3339_str(text).unwrap();
    server.set_replica_set(Some(vec![
        Member::new(
            "mongodb-0:27017",
            "PRIMARY",
            1.0,
            at("2026-11-21T10:08:10Z"),
        ),
        Member::new(
            "mongodb-1:27017",
            "SECONDARY",
            1.0,
            at("2026-11-21T10:08:03Z"),
        ),
        Member::new(
            "mongodb-2:27017",
            "(not reachable/healthy)",
            0.0,
            BsonDate::from_millis(0),
        ),
    ]));
    let client = connect(&server).await;

    let ReplicaSet::Members { set, members } = client.replica_set().await.unwrap() else {
        panic!("expected members");
    };

    assert_eq!(set, "rs0");
    let rows: Vec<_> = members
        .iter()
        .map(|m| (m.name.as_str(), m.state.as_str(), m.healthy, m.lag_secs))
        .collect();
    assert_eq!(
        rows,
        [
            ("mongodb-0:27017", "PRIMARY", true, Some(0)),
            ("mongodb-1:27017", "SECONDARY", true, Some(7)),
            ("mongodb-2:27017", "(not reachable/healthy)", false, None),
        ]
    );
    // A replica-set member gossips $clusterTime; the driver sends it back.
    let last = server.commands_named("replSetGetStatus").pop().unwrap();
    assert!(last.body.contains_key("$clusterTime"));
}

#[tokio::test]
async fn a_standalone_is_not_a_replica_set() {
    let server = server_with_fixture_ops();
    let status = connect(&server).await.replica_set().await.unwrap();
    assert_eq!(status, ReplicaSet::NotReplicaSet);
}

#[tokio::test]
async fn a_killed_op_is_gone_from_the_next_poll() {
    let server = server_with_fixture_ops();
    let client = connect(&server).await;
    let orders = OpId::Number(ORDERS_OPID);

    let fresh = client.op(&orders).await.unwrap().unwrap();
    assert_eq!((fresh.ns.as_str(), fresh.secs_running), ("shop.orders", 47));
    assert!(fresh.command.starts_with(r#"{ find: "orders""#));

    client.kill_op(&orders).await.unwrap();

    let kill = &server.commands_named("killOp")[0];
    assert_eq!(kill.db, "admin");
    assert_eq!(kill.body.get("op"), Some(&Bson::Int32(91_823_311)));
    let left: Vec<_> = client
        .current_ops()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.opid)
        .collect();
    assert_eq!(left, [OpId::Number(EVENTS_OPID)]);
    assert_eq!(client.op(&orders).await.unwrap(), None);
    assert_eq!(server.ops().len(), 1);
}

#[tokio::test]
async fn an_unreachable_server_fails_fast_with_one_clean_line() {
    let closed = support::closed_port::ClosedPort::new();
    let uri = format!(
        "mongodb://127.0.0.1:{}/?directConnection=true",
        closed.port()
    );
    let mut target = MongoTarget::new("orders-db", uri);
    target.connect_timeout = Duration::from_millis(500);

    let started = Instant::now();
    let error = MongoClient::connect(&target).await.err().unwrap();

    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let text = error.to_string();
    assert_eq!(
        text,
        "mongo orders-db: no server reachable: I/O error: Connection refused (os error 111)"
    );
    assert!(!text.contains('\n'));
    assert_eq!(error.target(), "orders-db");
}

#[tokio::test]
async fn the_password_never_appears_in_errors() {
    let password = "Hunter2-s3cret";
    // Against a server that refuses the login: the server's words, not the password.
    let server = server_with_fixture_ops();
    let mut target = MongoTarget::new(
        "orders-db",
        format!("mongodb://ops@{}/?directConnection=true", server.addr()),
    );
    target.password = Some(password.into());
    target.connect_timeout = Duration::from_millis(500);
    let refused = MongoClient::connect(&target)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(refused.contains("Authentication failed"), "{refused}");
    assert!(!refused.contains(password), "{refused}");
    assert!(!server.commands_named("saslStart").is_empty());

    // A password left in the URI by mistake, on an unreachable host.
    let closed = support::closed_port::ClosedPort::new();
    let uri = format!(
        "mongodb://ops:{password}@127.0.0.1:{}/?directConnection=true",
        closed.port()
    );
    let mut inline = MongoTarget::new("orders-db", uri);
    inline.connect_timeout = Duration::from_millis(300);
    let unreachable = MongoClient::connect(&inline)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        unreachable.starts_with("mongo orders-db: "),
        "{unreachable}"
    );
    assert!(!unreachable.contains(password), "{unreachable}");

    // A URI the driver rejects, echoing parts of it.
    let mut broken = MongoTarget::new(
        "orders-db",
        format!("mongodb://ops:{password}@db:notaport/"),
    );
    broken.password = Some(password.into());
    let rejected = MongoClient::connect(&broken)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(!rejected.contains(password), "{rejected}");

    // A password with no user to go with it.
    let mut no_user = MongoTarget::new("orders-db", server.uri());
    no_user.password = Some(password.into());
    let config = MongoClient::connect(&no_user)
        .await
        .err()
        .unwrap()
        .to_string();
    assert_eq!(
        config,
        "mongo orders-db: a password is set but the URI names no user (mongodb://USER@host/)"
    );

    assert!(!format!("{target:?} {inline:?}").contains(password));
}

#[tokio::test]
async fn the_probe_reports_version_and_access() {
    let server = server_with_fixture_ops();

    let open = probe(&target(&server)).await.unwrap();
    assert_eq!(open.version, VERSION);
    assert_eq!(
        (
            open.privileges.user.clone(),
            open.privileges.inprog,
            open.privileges.killop
        ),
        (None, Access::Unknown, Access::Unknown)
    );
    assert_eq!(open.privileges.inprog.to_string(), "unknown");

    server.set_privileges(Some(Privileges {
        user: "ops".into(),
        db: "admin".into(),
        roles: vec!["clusterMonitor".into()],
        cluster_actions: vec!["inprog".into(), "serverStatus".into()],
    }));
    let monitor = probe(&target(&server)).await.unwrap();
    assert_eq!(monitor.privileges.user.as_deref(), Some("ops@admin"));
    assert_eq!(
        (monitor.privileges.inprog, monitor.privileges.killop),
        (Access::Granted, Access::Missing)
    );
    let status = server.commands_named("connectionStatus").pop().unwrap();
    assert!(status.body.get_bool("showPrivileges").unwrap());
}

#[tokio::test]
async fn dropping_the_client_ends_its_sessions() {
    let server = server_with_fixture_ops();
    let client = connect(&server).await;
    client.current_ops().await.unwrap();

    drop(client);

    // The driver ends sessions from a task it spawns on drop.
    let deadline = Instant::now() + Duration::from_secs(2);
    while server.commands_named("endSessions").is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let end = &server.commands_named("endSessions")[0];
    assert_eq!(end.db, "admin");
    assert_eq!(end.body.get_array("endSessions").unwrap().len(), 1);
}
