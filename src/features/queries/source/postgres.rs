//! Polling one Postgres target: its session (opened on first use, reopened
//! after a failure), every view read in turn, each with its own error.

use super::{OrderLink, ticker};
use crate::features::queries::model::{Kind, PgData, QueriesUpdate, Snapshot};
use crate::features::queries::postgres::{PgAddress, PgConnection, PgTarget, StatementsOrder};
use crate::features::queries::settings::PgTargetSettings;
use chrono::Utc;
use std::time::Duration;
use tokio::sync::mpsc;

/// The source's target from the config and the resolved password.
pub fn target(s: &PgTargetSettings, password: Option<String>) -> PgTarget {
    let mut t = PgTarget::new(&s.name, PgAddress::Dsn(s.dsn.clone())).with_password(password);
    t.statement_timeout = Duration::from_millis(u64::from(s.statement_timeout_ms));
    t.require_tls = s.require_tls;
    t.ca_file = s.ca_file.clone();
    t.thresholds.activity = Duration::from_secs(u64::from(s.activity_threshold_secs));
    t.thresholds.connections_ratio = f64::from(s.connections_warn_pct) / 100.0;
    t
}

/// Polls until `tx` closes; a new statement order is read at once.
pub async fn run(s: PgTargetSettings, tx: mpsc::Sender<QueriesUpdate>, order: OrderLink) {
    let mut conn: Option<PgConnection> = None;
    let mut tick = ticker(Duration::from_secs(u64::from(s.interval_secs)));
    let mut wanted = *order.borrow();
    // None once nobody can change the order: then only the clock polls.
    let mut order = Some(order);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            changed = async {
                match &mut order {
                    Some(o) => o.changed().await.map(|_| *o.borrow_and_update()),
                    None => std::future::pending().await,
                }
            } => match changed {
                Ok(o) => wanted = o,
                Err(_) => {
                    order = None;
                    continue;
                }
            },
        }
        let data = match &mut conn {
            Some(c) => poll(c, &s, wanted).await,
            None => match s.password.resolve().await {
                Ok(password) => {
                    let c = conn.insert(PgConnection::new(target(&s, password)));
                    poll(c, &s, wanted).await
                }
                Err(e) => Err(format!("{}: {e}", s.name)),
            },
        };
        let update = QueriesUpdate {
            kind: Kind::Postgres,
            target: s.name.clone(),
            at: Utc::now(),
            data: data.map(|d| Snapshot::Postgres(Box::new(d))),
        };
        if tx.send(update).await.is_err() {
            return;
        }
    }
}

/// Reads every view. Err only when the server cannot be reached at all
/// (connect fails, or every read fails).
pub async fn poll(
    conn: &mut PgConnection,
    s: &PgTargetSettings,
    order: StatementsOrder,
) -> Result<PgData, String> {
    conn.connect().await.map_err(|e| e.to_string())?;
    let top = usize::try_from(s.top).unwrap_or(50);
    let text = |e: crate::features::queries::postgres::PgError| e.to_string();
    let statements = conn.statements(order, top).await.map_err(text);
    let activity = conn.activity().await.map_err(text);
    let connections = conn.connections().await.map_err(text);
    let unused_indexes = conn.unused_indexes(top).await.map_err(text);
    if let (Err(e), Err(_), Err(_), Err(_)) =
        (&statements, &activity, &connections, &unused_indexes)
    {
        return Err(e.clone());
    }
    Ok(PgData {
        statements,
        statements_order: order,
        statements_limit: top,
        activity,
        connections,
        unused_indexes,
        activity_threshold: Duration::from_secs(u64::from(s.activity_threshold_secs)),
        allow_privileged: s.allow_privileged,
    })
}
