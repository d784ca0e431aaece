//! `hello` / legacy `isMaster` and `buildInfo`, shaped like MongoDB 7.0.

use super::state::State;
use bson::{Bson, DateTime, Document, doc};

pub const VERSION: &str = "7.0.14";
const MAX_WIRE_VERSION: i32 = 21;

/// No `topologyVersion` in the reply on purpose: without it the driver
/// polls with plain `hello` instead of streaming awaitable (exhaust) ones.
pub fn hello(state: &State, name: &str, body: &Document, connection_id: i32) -> Document {
    // Legacy isMaster answers `ismaster`; `hello` answers `isWritablePrimary`.
    let primary_key = if name == "hello" {
        "isWritablePrimary"
    } else {
        "ismaster"
    };
    let mut reply = doc! {
        "helloOk": true,
        primary_key: true,
        "maxBsonObjectSize": 16_777_216_i32,
        "maxMessageSizeBytes": 48_000_000_i32,
        "maxWriteBatchSize": 100_000_i32,
        "localTime": DateTime::now(),
        "logicalSessionTimeoutMinutes": 30_i32,
        "connectionId": connection_id,
        "minWireVersion": 0_i32,
        "maxWireVersion": MAX_WIRE_VERSION,
        "readOnly": false,
    };
    if let Some(members) = &state.replica_set {
        let hosts: Vec<Bson> = members
            .iter()
            .map(|m| Bson::from(m.name.as_str()))
            .collect();
        let me = members
            .iter()
            .find(|m| m.state_str == "PRIMARY")
            .or(members.first())
            .map(|m| m.name.clone())
            .unwrap_or_default();
        reply.insert("setName", super::replset::SET_NAME);
        reply.insert("setVersion", 1_i32);
        reply.insert("hosts", hosts);
        reply.insert("primary", me.clone());
        reply.insert("me", me);
        reply.insert("secondary", false);
    }
    // Asked when the client has credentials without a mechanism.
    if body.contains_key("saslSupportedMechs") {
        reply.insert("saslSupportedMechs", vec!["SCRAM-SHA-1", "SCRAM-SHA-256"]);
    }
    reply.insert("ok", 1.0);
    reply
}

pub fn build_info() -> Document {
    doc! {
        "version": VERSION,
        "gitVersion": "0000000000000000000000000000000000000000",
        "modules": [],
        "allocator": "tcmalloc",
        "javascriptEngine": "mozjs",
        "sysInfo": "deprecated",
        "versionArray": [7_i32, 0_i32, 14_i32, 0_i32],
        "bits": 64_i32,
        "debug": false,
        "maxBsonObjectSize": 16_777_216_i32,
        "storageEngines": ["devnull", "inMemory", "wiredTiger"],
        "ok": 1.0,
    }
}
