//! In-progress operations from `currentOp`, and killing one.

use super::client::MongoClient;
use super::command_text::{render_command, truncate_chars};
use super::error::MongoError;
use super::fields::{flag, int, text};
use mongodb::bson::{Bson, Document, doc};
use std::fmt;

/// mongod numbers ops; mongos names them `shard:number`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum OpId {
    Number(i64),
    Sharded(String),
}

impl OpId {
    fn from_bson(value: &Bson) -> Option<Self> {
        match value {
            Bson::Int32(n) => Some(Self::Number(i64::from(*n))),
            Bson::Int64(n) => Some(Self::Number(*n)),
            Bson::Double(n) if n.fract() == 0.0 => Some(Self::Number(*n as i64)),
            Bson::String(s) => Some(Self::Sharded(s.clone())),
            _ => None,
        }
    }

    /// As the server wrote it: Int32 when it fits, as mongod does.
    pub(in crate::features::queries) fn to_bson(&self) -> Bson {
        match self {
            Self::Number(n) => i32::try_from(*n).map_or(Bson::Int64(*n), Bson::Int32),
            Self::Sharded(s) => Bson::String(s.clone()),
        }
    }
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Sharded(s) => f.write_str(s),
        }
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CurrentOp {
    pub opid: OpId,
    /// `query`, `command`, `update`, `getmore`...
    pub op: String,
    pub ns: String,
    pub secs_running: i64,
    pub plan_summary: Option<String>,
    pub app_name: Option<String>,
    /// The client's `host:port`.
    pub client: Option<String>,
    pub waiting_for_lock: bool,
    /// The connection, e.g. `conn4211`.
    pub desc: Option<String>,
    /// The whole command, one line, without driver plumbing.
    pub command: String,
}

impl CurrentOp {
    /// A full collection scan: the usual cause of a long-running query.
    pub fn is_collscan(&self) -> bool {
        self.plan_summary
            .as_deref()
            .is_some_and(|p| p.contains("COLLSCAN"))
    }

    /// The command cut to `max_chars` for a table cell.
    pub fn command_truncated(&self, max_chars: usize) -> String {
        truncate_chars(&self.command, max_chars)
    }

    fn from_doc(doc: &Document) -> Option<Self> {
        Some(Self {
            opid: OpId::from_bson(doc.get("opid")?)?,
            op: text(doc, "op").unwrap_or_default(),
            ns: text(doc, "ns").unwrap_or_default(),
            secs_running: int(doc, "secs_running").unwrap_or(0),
            plan_summary: text(doc, "planSummary"),
            app_name: text(doc, "appName"),
            // mongos reports the client as `client_s`.
            client: text(doc, "client").or_else(|| text(doc, "client_s")),
            waiting_for_lock: flag(doc, "waitingForLock"),
            desc: text(doc, "desc"),
            command: doc
                .get_document("command")
                .map(render_command)
                .unwrap_or_default(),
        })
    }
}

impl MongoClient {
    /// Active ops running at least the target's `secs_running`, longest
    /// first. The server applies the threshold.
    pub async fn current_ops(&self) -> Result<Vec<CurrentOp>, MongoError> {
        let threshold = i64::from(self.target.secs_running);
        let command = doc! {
            "currentOp": 1,
            "active": true,
            "secs_running": { "$gte": threshold },
        };
        let mut ops = self.in_progress(command).await?;
        ops.sort_by_key(|op| std::cmp::Reverse(op.secs_running));
        Ok(ops)
    }

    /// A fresh look at one op, e.g. right before proposing to kill it;
    /// `None` once it has finished.
    pub async fn op(&self, opid: &OpId) -> Result<Option<CurrentOp>, MongoError> {
        let command = doc! { "currentOp": 1, "opid": opid.to_bson() };
        Ok(self.in_progress(command).await?.into_iter().next())
    }

    async fn in_progress(&self, command: Document) -> Result<Vec<CurrentOp>, MongoError> {
        let reply = self.run("admin", command).await?;
        let inprog = reply
            .get_array("inprog")
            .map_err(|_| self.error("currentOp reply has no inprog array"))?;
        Ok(inprog
            .iter()
            .filter_map(Bson::as_document)
            .filter_map(CurrentOp::from_doc)
            .collect())
    }
}
