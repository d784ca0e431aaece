//! Polling one Redis target: INFO with rates over the window since the
//! previous poll, SLOWLOG and the key-pattern counts.

use super::ticker;
use crate::features::queries::model::{Kind, QueriesUpdate, RedisData, Snapshot};
use crate::features::queries::redis::{InfoSample, RedisConnection, RedisTarget};
use crate::features::queries::settings::RedisTargetSettings;
use chrono::Utc;
use std::time::Duration;
use tokio::sync::mpsc;

/// The source's target from the config and the resolved password.
pub fn target(s: &RedisTargetSettings, password: Option<String>) -> RedisTarget {
    let mut t = RedisTarget::new(&s.name, &s.url).with_password(password);
    t.patterns = s.patterns.clone();
    t.scan_cap = u64::from(s.scan_cap);
    t.slowlog_len = usize::try_from(s.slowlog_len).unwrap_or(10);
    t.timeout = Duration::from_millis(u64::from(s.timeout_ms));
    t.ca_file = s.ca_file.clone();
    t
}

/// Polls until `tx` closes.
pub async fn run(s: RedisTargetSettings, tx: mpsc::Sender<QueriesUpdate>) {
    let mut conn: Option<RedisConnection> = None;
    let mut previous: Option<InfoSample> = None;
    let mut tick = ticker(Duration::from_secs(u64::from(s.interval_secs)));
    let warn = f64::from(s.hit_rate_warn_pct) / 100.0;
    loop {
        tick.tick().await;
        let data = match &mut conn {
            Some(c) => poll(c, &mut previous, warn).await,
            None => match s.password.resolve().await {
                Ok(password) => {
                    let c = conn.insert(RedisConnection::new(target(&s, password)));
                    poll(c, &mut previous, warn).await
                }
                Err(e) => Err(format!("{}: {e}", s.name)),
            },
        };
        let update = QueriesUpdate {
            kind: Kind::Redis,
            target: s.name.clone(),
            at: Utc::now(),
            data: data.map(|d| Snapshot::Redis(Box::new(d))),
        };
        if tx.send(update).await.is_err() {
            return;
        }
    }
}

/// One poll; the INFO sample is kept for the next window's rates.
pub async fn poll(
    c: &mut RedisConnection,
    previous: &mut Option<InfoSample>,
    hit_rate_warn: f64,
) -> Result<RedisData, String> {
    let snapshot = c.poll(previous.as_ref()).await.map_err(|e| e.to_string())?;
    let info = snapshot.sample.info.clone();
    *previous = Some(snapshot.sample);
    Ok(RedisData {
        info,
        rates: snapshot.rates,
        memory: snapshot.memory,
        slowlog: snapshot.slowlog,
        patterns: snapshot.patterns,
        hit_rate_warn,
    })
}
