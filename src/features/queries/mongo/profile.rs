//! Slow operations recorded by the database profiler (`system.profile`).

use super::client::{APP_NAME, MongoClient};
use super::error::MongoError;
use super::fields::{date, int, text};
use chrono::{DateTime, Utc};
use mongodb::bson::{Document, doc};

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SlowOp {
    pub millis: i64,
    pub op: String,
    pub ns: String,
    pub docs_examined: i64,
    /// Absent for writes, which return nothing: read as 0.
    pub nreturned: i64,
    pub plan_summary: Option<String>,
    pub app_name: Option<String>,
    pub ts: Option<DateTime<Utc>>,
}

impl SlowOp {
    /// Documents examined per document returned: high means a missing or
    /// poor index. With nothing returned, the examined count itself.
    pub fn examined_per_returned(&self) -> f64 {
        if self.nreturned == 0 {
            self.docs_examined as f64
        } else {
            self.docs_examined as f64 / self.nreturned as f64
        }
    }

    pub fn is_collscan(&self) -> bool {
        self.plan_summary
            .as_deref()
            .is_some_and(|p| p.contains("COLLSCAN"))
    }

    fn from_doc(doc: &Document) -> Self {
        Self {
            millis: int(doc, "millis").unwrap_or(0),
            op: text(doc, "op").unwrap_or_default(),
            ns: text(doc, "ns").unwrap_or_default(),
            docs_examined: int(doc, "docsExamined").unwrap_or(0),
            nreturned: int(doc, "nreturned").unwrap_or(0),
            plan_summary: text(doc, "planSummary"),
            app_name: text(doc, "appName"),
            ts: date(doc, "ts"),
        }
    }
}

/// One database's profiler: its level and, when on, its slowest entries.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DbProfile {
    pub db: String,
    /// 0 off, 1 slow ops only, 2 everything.
    pub level: i64,
    pub slowms: i64,
    /// Slowest first; empty when profiling is off.
    pub ops: Vec<SlowOp>,
}

impl DbProfile {
    pub fn is_off(&self) -> bool {
        self.level == 0
    }

    /// What to tell the user when there is nothing to show because the
    /// profiler is off, with the command that turns it on.
    pub fn off_message(&self) -> Option<String> {
        self.is_off().then(|| {
            format!(
                "profiling is off on {} (db.setProfilingLevel(1, {{slowms: 100}}))",
                self.db
            )
        })
    }
}

impl MongoClient {
    /// The profiler of every database the target lists, each with its own
    /// result so one unreadable database does not hide the others.
    pub async fn profiles(&self) -> Vec<Result<DbProfile, MongoError>> {
        let mut out = Vec::with_capacity(self.target.profile_dbs.len());
        for db in &self.target.profile_dbs {
            out.push(self.profile(db).await);
        }
        out
    }

    pub async fn profile(&self, db: &str) -> Result<DbProfile, MongoError> {
        let status = self.run(db, doc! { "profile": -1 }).await?;
        let level = int(&status, "was").unwrap_or(0);
        let slowms = int(&status, "slowms").unwrap_or(0);
        let ops = if level == 0 {
            Vec::new()
        } else {
            self.slowest(db).await?
        };
        Ok(DbProfile {
            db: db.to_string(),
            level,
            slowms,
            ops,
        })
    }

    async fn slowest(&self, db: &str) -> Result<Vec<SlowOp>, MongoError> {
        let profile = self.database(db).collection::<Document>("system.profile");
        // At level 2 opsdeck's own polling is profiled too; leave it out.
        let find = profile
            .find(doc! { "appName": { "$ne": APP_NAME } })
            .sort(doc! { "millis": -1 })
            .limit(self.target.profile_limit)
            .max_time(self.target.max_time);
        self.bounded(async move {
            let mut cursor = find.await?;
            let mut ops = Vec::new();
            while cursor.advance().await? {
                ops.push(SlowOp::from_doc(&cursor.deserialize_current()?));
            }
            Ok(ops)
        })
        .await
    }
}
