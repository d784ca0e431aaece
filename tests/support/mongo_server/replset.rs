//! `replSetGetStatus`, and the `$clusterTime` gossip a replica-set member
//! adds to every reply.

use super::commands::error;
use super::state::{Member, State};
use bson::{Binary, Bson, DateTime, Document, Timestamp, doc, spec::BinarySubtype};

pub const SET_NAME: &str = "rs0";

pub fn status(state: &State) -> Document {
    let Some(members) = &state.replica_set else {
        return error(76, "NoReplicationEnabled", "not running with --replSet");
    };
    let members: Vec<Bson> = members
        .iter()
        .enumerate()
        .map(|(i, m)| Bson::Document(member(i, m)))
        .collect();
    let my_state = state
        .replica_set
        .iter()
        .flatten()
        .find(|m| m.state_str == "PRIMARY")
        .map_or(2, |m| state_code(&m.state_str));
    doc! {
        "set": SET_NAME,
        "date": DateTime::now(),
        "myState": my_state,
        "term": 3_i64,
        "heartbeatIntervalMillis": 2000_i64,
        "majorityVoteCount": 2_i32,
        "members": members,
        "ok": 1.0,
    }
}

fn member(index: usize, m: &Member) -> Document {
    let secs = u32::try_from(m.optime_date.timestamp_millis() / 1000).unwrap_or(0);
    let mut out = doc! {
        "_id": i32::try_from(index).unwrap_or(0),
        "name": m.name.as_str(),
        "health": m.health,
        "state": state_code(&m.state_str),
        "stateStr": m.state_str.as_str(),
        "uptime": 86_400_i32,
        "optime": { "ts": Timestamp { time: secs, increment: 1 }, "t": 3_i64 },
        "optimeDate": m.optime_date,
        "lastHeartbeat": DateTime::now(),
        "syncSourceHost": "",
        "configVersion": 1_i32,
    };
    if m.state_str == "PRIMARY" {
        out.insert("self", true);
        out.insert("electionDate", DateTime::from_millis(0));
    }
    out
}

fn state_code(state_str: &str) -> i32 {
    match state_str {
        "STARTUP" => 0,
        "PRIMARY" => 1,
        "SECONDARY" => 2,
        "RECOVERING" => 3,
        "STARTUP2" => 5,
        "ARBITER" => 7,
        "DOWN" => 8,
        "ROLLBACK" => 9,
        "REMOVED" => 10,
        _ => 6,
    }
}

/// The driver must echo this back in later commands, which exercises its
/// `$clusterTime` path against the server's parser.
pub fn add_cluster_time(reply: &mut Document) {
    let now = u32::try_from(DateTime::now().timestamp_millis() / 1000).unwrap_or(0);
    let ts = Timestamp {
        time: now,
        increment: 1,
    };
    let hash = Binary {
        subtype: BinarySubtype::Generic,
        bytes: vec![0; 20],
    };
    reply.insert(
        "$clusterTime",
        doc! { "clusterTime": ts, "signature": { "hash": hash, "keyId": 0_i64 } },
    );
    reply.insert("operationTime", ts);
}
