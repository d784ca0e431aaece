//! Replica-set members from `replSetGetStatus`, with each one's
//! replication lag behind the primary.

use super::client::MongoClient;
use super::error::{MongoError, server_code};
use super::fields::{date, float, text};
use chrono::{DateTime, Utc};
use mongodb::bson::{Bson, Document, doc};

/// The server's NoReplicationEnabled: a standalone, which is fine.
const NO_REPLICATION_ENABLED: i32 = 76;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ReplicaSet {
    NotReplicaSet,
    Members { set: String, members: Vec<Member> },
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Member {
    pub name: String,
    /// `PRIMARY`, `SECONDARY`, `(not reachable/healthy)`...
    pub state: String,
    pub healthy: bool,
    /// Seconds behind the primary's optime; `None` without a primary or
    /// for a member that is down (its optime is meaningless then).
    pub lag_secs: Option<i64>,
}

impl MongoClient {
    pub async fn replica_set(&self) -> Result<ReplicaSet, MongoError> {
        let status = self
            .run_raw("admin", doc! { "replSetGetStatus": 1 })
            .await?;
        let reply = match status {
            Ok(reply) => reply,
            Err(e) if server_code(&e) == Some(NO_REPLICATION_ENABLED) => {
                return Ok(ReplicaSet::NotReplicaSet);
            }
            Err(e) => return Err(self.driver_error(&e)),
        };
        let docs: Vec<&Document> = reply
            .get_array("members")
            .map_err(|_| self.error("replSetGetStatus reply has no members array"))?
            .iter()
            .filter_map(Bson::as_document)
            .collect();
        let primary_optime = docs
            .iter()
            .find(|m| text(m, "stateStr").as_deref() == Some("PRIMARY"))
            .and_then(|m| optime(m));
        let members = docs
            .iter()
            .map(|m| Member {
                name: text(m, "name").unwrap_or_default(),
                state: text(m, "stateStr").unwrap_or_default(),
                healthy: float(m, "health").is_some_and(|h| h > 0.0),
                lag_secs: primary_optime
                    .zip(optime(m))
                    .map(|(primary, own)| (primary - own).num_seconds()),
            })
            .collect();
        Ok(ReplicaSet::Members {
            set: text(&reply, "set").unwrap_or_default(),
            members,
        })
    }
}

/// A member's last applied write time; a down member reports the epoch.
fn optime(member: &Document) -> Option<DateTime<Utc>> {
    let healthy = float(member, "health").is_some_and(|h| h > 0.0);
    date(member, "optimeDate").filter(|d| healthy && d.timestamp_millis() > 0)
}
