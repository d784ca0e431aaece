//! Polling one MongoDB target: one driver client (it reconnects by
//! itself once made), currentOp, the profilers and replica-set status,
//! each with its own error.

use super::ticker;
use crate::features::queries::model::{Kind, MongoData, QueriesUpdate, Snapshot};
use crate::features::queries::mongo::{MongoClient, MongoTarget};
use crate::features::queries::settings::MongoTargetSettings;
use chrono::Utc;
use std::time::Duration;
use tokio::sync::mpsc;

/// The source's target from the config and the resolved password.
pub fn target(s: &MongoTargetSettings, password: Option<String>) -> MongoTarget {
    let mut t = MongoTarget::new(&s.name, &s.uri);
    t.password = password;
    t.secs_running = s.secs_running;
    t.profile_dbs = s.profile_dbs.clone();
    t.profile_limit = i64::from(s.profile_limit);
    t.poll_interval = Duration::from_secs(u64::from(s.interval_secs));
    t.max_time = Duration::from_millis(u64::from(s.max_time_ms));
    t
}

/// Polls until `tx` closes.
pub async fn run(s: MongoTargetSettings, tx: mpsc::Sender<QueriesUpdate>) {
    let mut client: Option<MongoClient> = None;
    let mut tick = ticker(Duration::from_secs(u64::from(s.interval_secs)));
    loop {
        tick.tick().await;
        if client.is_none() {
            client = match s.password.resolve().await {
                Ok(password) => match MongoClient::connect(&target(&s, password)).await {
                    Ok(c) => Some(c),
                    Err(e) => {
                        if send(&tx, &s.name, Err(e.to_string())).await.is_err() {
                            return;
                        }
                        continue;
                    }
                },
                Err(e) => {
                    if send(&tx, &s.name, Err(format!("{}: {e}", s.name)))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    continue;
                }
            };
        }
        let Some(c) = &client else { continue };
        let data = poll(c, s.allow_privileged).await;
        if send(&tx, &s.name, data).await.is_err() {
            return;
        }
    }
}

async fn send(
    tx: &mpsc::Sender<QueriesUpdate>,
    name: &str,
    data: Result<MongoData, String>,
) -> Result<(), ()> {
    let update = QueriesUpdate {
        kind: Kind::Mongo,
        target: name.to_string(),
        at: Utc::now(),
        data: data.map(|d| Snapshot::Mongo(Box::new(d))),
    };
    tx.send(update).await.map_err(|_| ())
}

/// Reads every view. Err only when every read failed (the server is gone).
pub async fn poll(c: &MongoClient, allow_privileged: bool) -> Result<MongoData, String> {
    let ops = c.current_ops().await.map_err(|e| e.to_string());
    let profiles = c
        .target()
        .profile_dbs
        .iter()
        .cloned()
        .zip(c.profiles().await)
        .map(|(db, p)| (db, p.map_err(|e| e.to_string())))
        .collect();
    let replica_set = c.replica_set().await.map_err(|e| e.to_string());
    if let (Err(e), Err(_)) = (&ops, &replica_set) {
        return Err(e.clone());
    }
    Ok(MongoData {
        ops,
        secs_running: c.target().secs_running,
        profiles,
        replica_set,
        allow_privileged,
    })
}
