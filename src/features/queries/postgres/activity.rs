//! What every non-idle backend is doing now, from pg_stat_activity, with
//! the pids that block it and whether it has run too long.

use super::blocking::{BlockTree, blocking_trees};
use super::connection::PgConnection;
use super::error::PgError;
use std::net::IpAddr;
use std::time::Duration;

/// `pg_stat_activity.state`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BackendState {
    Active,
    Idle,
    IdleInTransaction,
    IdleInTransactionAborted,
    FastpathFunctionCall,
    Disabled,
    Other(String),
}

impl BackendState {
    pub fn parse(text: &str) -> BackendState {
        match text {
            "active" => BackendState::Active,
            "idle" => BackendState::Idle,
            "idle in transaction" => BackendState::IdleInTransaction,
            "idle in transaction (aborted)" => BackendState::IdleInTransactionAborted,
            "fastpath function call" => BackendState::FastpathFunctionCall,
            "disabled" => BackendState::Disabled,
            other => BackendState::Other(other.to_string()),
        }
    }

    pub fn label(&self) -> &str {
        match self {
            BackendState::Active => "active",
            BackendState::Idle => "idle",
            BackendState::IdleInTransaction => "idle in transaction",
            BackendState::IdleInTransactionAborted => "idle in transaction (aborted)",
            BackendState::FastpathFunctionCall => "fastpath function call",
            BackendState::Disabled => "disabled",
            BackendState::Other(text) => text,
        }
    }
}

/// One row of the activity view.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Backend {
    pub pid: i32,
    pub user: Option<String>,
    pub database: Option<String>,
    pub application: String,
    /// None for Unix-socket clients and background workers.
    pub client_addr: Option<IpAddr>,
    pub state: BackendState,
    pub wait_event_type: Option<String>,
    pub wait_event: Option<String>,
    /// `client backend`, `autovacuum worker`, `walsender`, ...
    pub backend_type: String,
    /// Since the current (or, when idle in a transaction, the last) query
    /// started.
    pub query_duration: Option<Duration>,
    /// Since the open transaction started.
    pub xact_duration: Option<Duration>,
    pub query: String,
    /// From `pg_blocking_pids`: the backends this one waits for.
    pub blocked_by: Vec<i32>,
    pub over_threshold: bool,
    /// The backend's role has `rolsuper`.
    pub superuser: bool,
    /// `backend_start` in µs since the epoch: with the pid, names the
    /// session (a pid is reused after the session ends).
    #[serde(default)]
    pub backend_start: Option<i64>,
}

/// Whether a backend has run too long: an active query by its own
/// duration; a transaction left idle by how long it has been open, since
/// that is how long its locks have been held.
pub fn is_over(
    state: &BackendState,
    query: Option<Duration>,
    xact: Option<Duration>,
    threshold: Duration,
) -> bool {
    let measured = match state {
        BackendState::Active | BackendState::FastpathFunctionCall => query,
        BackendState::IdleInTransaction | BackendState::IdleInTransactionAborted => xact,
        _ => None,
    };
    measured.is_some_and(|d| d > threshold)
}

/// The lock-wait trees among `backends` (see `blocking_trees`).
pub fn blocking(backends: &[Backend]) -> Vec<BlockTree> {
    let pairs: Vec<(i32, Vec<i32>)> = backends
        .iter()
        .map(|b| (b.pid, b.blocked_by.clone()))
        .collect();
    blocking_trees(&pairs)
}

/// Seconds from SQL as a duration; a clock step can make them negative.
pub(in crate::features::queries) fn seconds(secs: Option<f64>) -> Option<Duration> {
    secs.filter(|s| s.is_finite())
        .map(|s| Duration::from_secs_f64(s.max(0.0)))
}

/// `rolsuper` comes along so the guard chain can refuse a superuser's
/// backend from the snapshot, before anything is sent.
const ACTIVITY_SQL: &str =
    "/* opsdeck */ SELECT a.pid, a.usename::text AS usename, a.datname::text AS datname,
  a.application_name, a.client_addr, a.state, a.wait_event_type, a.wait_event, a.backend_type,
  extract(epoch FROM now() - a.query_start)::float8 AS query_secs,
  extract(epoch FROM now() - a.xact_start)::float8 AS xact_secs,
  a.query, pg_blocking_pids(a.pid) AS blocked_by, coalesce(r.rolsuper, false) AS rolsuper,
  (extract(epoch FROM a.backend_start) * 1000000)::int8 AS backend_start
FROM pg_stat_activity a
LEFT JOIN pg_roles r ON r.oid = a.usesysid
WHERE a.pid <> pg_backend_pid() AND a.state IS NOT NULL AND a.state <> 'idle'
ORDER BY a.query_start NULLS LAST, a.pid";

impl PgConnection {
    /// Every non-idle backend but opsdeck's own session, oldest query
    /// first.
    pub async fn activity(&mut self) -> Result<Vec<Backend>, PgError> {
        const ACTION: &str = "activity";
        let threshold = self.target().thresholds.activity;
        let rows = self.query(ACTION, ACTIVITY_SQL, &[]).await?;
        rows.iter()
            .map(|row| {
                let state = BackendState::parse(&self.get::<String>(ACTION, row, "state")?);
                let query_duration = seconds(self.get(ACTION, row, "query_secs")?);
                let xact_duration = seconds(self.get(ACTION, row, "xact_secs")?);
                Ok(Backend {
                    pid: self.get(ACTION, row, "pid")?,
                    user: self.get(ACTION, row, "usename")?,
                    database: self.get(ACTION, row, "datname")?,
                    application: self
                        .get::<Option<String>>(ACTION, row, "application_name")?
                        .unwrap_or_default(),
                    client_addr: self.get(ACTION, row, "client_addr")?,
                    over_threshold: is_over(&state, query_duration, xact_duration, threshold),
                    state,
                    wait_event_type: self.get(ACTION, row, "wait_event_type")?,
                    wait_event: self.get(ACTION, row, "wait_event")?,
                    backend_type: self
                        .get::<Option<String>>(ACTION, row, "backend_type")?
                        .unwrap_or_default(),
                    query_duration,
                    xact_duration,
                    query: self
                        .get::<Option<String>>(ACTION, row, "query")?
                        .unwrap_or_default(),
                    blocked_by: self
                        .get::<Option<Vec<i32>>>(ACTION, row, "blocked_by")?
                        .unwrap_or_default(),
                    superuser: self.get(ACTION, row, "rolsuper")?,
                    backend_start: self.get(ACTION, row, "backend_start")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(5);

    fn s(secs: u64) -> Option<Duration> {
        Some(Duration::from_secs(secs))
    }

    #[test]
    fn active_queries_are_judged_by_query_time() {
        assert!(is_over(&BackendState::Active, s(6), s(6), T));
        assert!(!is_over(&BackendState::Active, s(5), s(60), T));
        assert!(!is_over(&BackendState::Active, None, s(60), T));
    }

    #[test]
    fn idle_transactions_are_judged_by_transaction_time() {
        assert!(is_over(&BackendState::IdleInTransaction, s(0), s(6), T));
        assert!(is_over(
            &BackendState::IdleInTransactionAborted,
            s(0),
            s(6),
            T
        ));
        assert!(!is_over(&BackendState::IdleInTransaction, s(60), s(4), T));
        assert!(!is_over(&BackendState::Idle, s(60), s(60), T));
    }

    #[test]
    fn states_round_trip_and_unknown_ones_are_kept() {
        for text in [
            "active",
            "idle",
            "idle in transaction",
            "idle in transaction (aborted)",
            "fastpath function call",
            "disabled",
            "starting",
        ] {
            assert_eq!(BackendState::parse(text).label(), text);
        }
        assert_eq!(
            BackendState::parse("starting"),
            BackendState::Other("starting".into())
        );
    }

    #[test]
    fn negative_or_missing_seconds() {
        assert_eq!(seconds(Some(-0.5)), Some(Duration::ZERO));
        assert_eq!(seconds(Some(1.5)), Some(Duration::from_millis(1500)));
        assert_eq!(seconds(None), None);
        assert_eq!(seconds(Some(f64::NAN)), None);
    }
}
