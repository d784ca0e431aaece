//! Cancelling a backend's query or terminating the backend, and what is
//! checked first: a fresh look at the backend for the plan, and refusals
//! for backends that are dangerous to signal.

use crate::features::queries::postgres::PgConnection;
use crate::features::queries::postgres::PgError;
use crate::features::queries::postgres::activity::{BackendState, seconds};
use std::fmt;
use std::time::Duration;

/// A backend as it is right now, for the confirmation shown before acting.
#[derive(Debug, Clone, PartialEq)]
pub struct BackendSnapshot {
    pub pid: i32,
    pub user: Option<String>,
    pub database: Option<String>,
    pub application: String,
    pub backend_type: String,
    pub state: Option<BackendState>,
    /// The backend's role has `rolsuper`.
    pub superuser: bool,
    pub query: String,
    pub query_duration: Option<Duration>,
    pub xact_duration: Option<Duration>,
    /// µs since the epoch (see `Backend::backend_start`).
    pub backend_start: Option<i64>,
}

/// Why opsdeck will not signal a backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No such backend any more (it ended, or the pid is wrong).
    NotFound { pid: i32 },
    /// The session opsdeck itself reads through.
    OwnSession { pid: i32 },
    /// A replica or logical-replication subscriber streams through it.
    Replication { pid: i32, backend_type: String },
    /// A superuser's session: usually an operator or a migration.
    Superuser { pid: i32, role: String },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotFound { pid } => write!(f, "no backend with pid {pid}"),
            Refusal::OwnSession { pid } => write!(f, "pid {pid} is opsdeck's own session"),
            Refusal::Replication { pid, backend_type } => write!(
                f,
                "pid {pid} is a replication backend ({backend_type}); set allow_privileged to signal it"
            ),
            Refusal::Superuser { pid, role } => write!(
                f,
                "pid {pid} belongs to superuser {role}; set allow_privileged to signal it"
            ),
        }
    }
}

fn is_replication(backend_type: &str) -> bool {
    backend_type == "walsender" || backend_type.starts_with("logical replication")
}

/// The reason not to signal `pid`, if there is one. Replication and
/// superuser backends are allowed with `allow_privileged`; a missing
/// backend and opsdeck's own never are.
pub fn refusal(
    pid: i32,
    backend: Option<&BackendSnapshot>,
    own_pid: Option<i32>,
    allow_privileged: bool,
) -> Option<Refusal> {
    let Some(backend) = backend else {
        return Some(Refusal::NotFound { pid });
    };
    if own_pid == Some(pid) {
        return Some(Refusal::OwnSession { pid });
    }
    if allow_privileged {
        return None;
    }
    if is_replication(&backend.backend_type) {
        return Some(Refusal::Replication {
            pid,
            backend_type: backend.backend_type.clone(),
        });
    }
    if backend.superuser {
        return Some(Refusal::Superuser {
            pid,
            role: backend.user.clone().unwrap_or_default(),
        });
    }
    None
}

const LOOKUP_SQL: &str =
    "/* opsdeck */ SELECT a.pid, a.usename::text AS usename, a.datname::text AS datname,
  a.application_name, a.backend_type, a.state, coalesce(r.rolsuper, false) AS rolsuper,
  a.query,
  extract(epoch FROM now() - a.query_start)::float8 AS query_secs,
  extract(epoch FROM now() - a.xact_start)::float8 AS xact_secs,
  (extract(epoch FROM a.backend_start) * 1000000)::int8 AS backend_start
FROM pg_stat_activity a
LEFT JOIN pg_roles r ON r.oid = a.usesysid
WHERE a.pid = $1";

impl PgConnection {
    /// The backend with `pid` as it is now, or None when it is gone.
    pub async fn lookup(&mut self, pid: i32) -> Result<Option<BackendSnapshot>, PgError> {
        const ACTION: &str = "lookup";
        let rows = self.query(ACTION, LOOKUP_SQL, &[&pid]).await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        Ok(Some(BackendSnapshot {
            pid: self.get(ACTION, row, "pid")?,
            user: self.get(ACTION, row, "usename")?,
            database: self.get(ACTION, row, "datname")?,
            application: self
                .get::<Option<String>>(ACTION, row, "application_name")?
                .unwrap_or_default(),
            backend_type: self
                .get::<Option<String>>(ACTION, row, "backend_type")?
                .unwrap_or_default(),
            state: self
                .get::<Option<String>>(ACTION, row, "state")?
                .map(|s| BackendState::parse(&s)),
            superuser: self.get(ACTION, row, "rolsuper")?,
            query: self
                .get::<Option<String>>(ACTION, row, "query")?
                .unwrap_or_default(),
            query_duration: seconds(self.get(ACTION, row, "query_secs")?),
            xact_duration: seconds(self.get(ACTION, row, "xact_secs")?),
            backend_start: self.get(ACTION, row, "backend_start")?,
        }))
    }

    /// Looks the backend up and says why not to signal it, if anything.
    pub async fn precheck(
        &mut self,
        pid: i32,
        allow_privileged: bool,
    ) -> Result<Option<Refusal>, PgError> {
        let backend = self.lookup(pid).await?;
        Ok(refusal(
            pid,
            backend.as_ref(),
            self.backend_pid(),
            allow_privileged,
        ))
    }

    /// `pg_cancel_backend(pid)`: stops the running query, keeps the
    /// session. `None` when no session `pid` started at `started` (it
    /// ended, or its pid was reused); else whether the server sent it.
    pub async fn cancel(
        &mut self,
        pid: i32,
        started: Option<i64>,
    ) -> Result<Option<bool>, PgError> {
        self.signal("cancel", "pg_cancel_backend", pid, started)
            .await
    }

    /// `pg_terminate_backend(pid)`: ends the session, rolling back its
    /// transaction. As `cancel` for what it returns.
    pub async fn terminate(
        &mut self,
        pid: i32,
        started: Option<i64>,
    ) -> Result<Option<bool>, PgError> {
        self.signal("terminate", "pg_terminate_backend", pid, started)
            .await
    }

    /// The signal and the session's identity in one statement, so no
    /// other session can take the pid between a check and the signal.
    async fn signal(
        &mut self,
        action: &'static str,
        function: &str,
        pid: i32,
        started: Option<i64>,
    ) -> Result<Option<bool>, PgError> {
        let sql = format!(
            "/* opsdeck */ SELECT {function}(a.pid) AS ok FROM pg_stat_activity a
WHERE a.pid = $1
  AND ($2::int8 IS NULL OR (extract(epoch FROM a.backend_start) * 1000000)::int8 = $2)"
        );
        let rows = self.query(action, &sql, &[&pid, &started]).await?;
        match rows.first() {
            Some(row) => self.get(action, row, "ok").map(Some),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backend(backend_type: &str, superuser: bool) -> BackendSnapshot {
        BackendSnapshot {
            pid: 42,
            user: Some("ops".into()),
            database: Some("orders".into()),
            application: "api".into(),
            backend_type: backend_type.into(),
            state: Some(BackendState::Active),
            superuser,
            query: "select 1".into(),
            query_duration: None,
            xact_duration: None,
            backend_start: None,
        }
    }

    #[test]
    fn ordinary_backends_may_be_signalled() {
        assert_eq!(
            refusal(42, Some(&backend("client backend", false)), Some(7), false),
            None
        );
    }

    #[test]
    fn replication_and_superusers_need_allow_privileged() {
        let walsender = backend("walsender", false);
        let refused = refusal(42, Some(&walsender), None, false);
        assert_eq!(
            refused,
            Some(Refusal::Replication {
                pid: 42,
                backend_type: "walsender".into()
            })
        );
        assert_eq!(
            refused.map(|r| r.to_string()).unwrap_or_default(),
            "pid 42 is a replication backend (walsender); set allow_privileged to signal it"
        );
        assert_eq!(refusal(42, Some(&walsender), None, true), None);

        let apply = backend("logical replication worker", false);
        assert!(matches!(
            refusal(42, Some(&apply), None, false),
            Some(Refusal::Replication { .. })
        ));

        let root = backend("client backend", true);
        assert_eq!(
            refusal(42, Some(&root), None, false),
            Some(Refusal::Superuser {
                pid: 42,
                role: "ops".into()
            })
        );
        assert_eq!(refusal(42, Some(&root), None, true), None);
    }

    #[test]
    fn gone_and_own_backends_are_always_refused() {
        assert_eq!(
            refusal(42, None, None, true),
            Some(Refusal::NotFound { pid: 42 })
        );
        assert_eq!(
            refusal(42, Some(&backend("client backend", false)), Some(42), true),
            Some(Refusal::OwnSession { pid: 42 })
        );
    }
}
