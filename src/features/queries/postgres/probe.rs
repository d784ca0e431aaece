//! `opsdeck check` for a Postgres target: can opsdeck connect, which
//! server is it, can it read pg_stat_statements, and may it see every
//! session's query and signal backends.

use super::connection::PgConnection;
use super::error::{PgError, PgErrorKind, STATEMENTS_FIX, StatementsMissing};
use super::statements::StatementsOrder;
use super::target::PgTarget;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementsState {
    Ready,
    Missing(StatementsMissing),
    /// Present but unreadable for another reason (the server's message).
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgProbe {
    /// `server_version`, e.g. `15.18 (Debian 15.18-0+deb12u1)`.
    pub version: String,
    /// `server_version_num`, e.g. 150018.
    pub version_num: i32,
    pub statements: StatementsState,
    pub superuser: bool,
    /// Member of pg_read_all_stats (or superuser): sees other roles' query
    /// text in activity and statements.
    pub read_all_stats: bool,
    /// Member of pg_signal_backend (or superuser): may cancel and
    /// terminate other roles' backends.
    pub signal_backend: bool,
}

/// One line of the check table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeCheck {
    pub check: &'static str,
    pub ok: bool,
    pub detail: String,
}

impl PgProbe {
    /// The probe as check lines: server, statements, stats, signal.
    pub fn checks(&self) -> Vec<ProbeCheck> {
        let statements = match &self.statements {
            StatementsState::Ready => (true, "pg_stat_statements readable".to_string()),
            StatementsState::Missing(_) => (false, STATEMENTS_FIX.to_string()),
            StatementsState::Failed(why) => (false, why.clone()),
        };
        let role = |granted: bool, role: &str, without: &str| {
            if self.superuser {
                (true, "superuser".to_string())
            } else if granted {
                (true, format!("member of {role}"))
            } else {
                (false, format!("not a member of {role}: {without}"))
            }
        };
        let stats = role(
            self.read_all_stats,
            "pg_read_all_stats",
            "other roles' queries show as <insufficient privilege>",
        );
        let signal = role(
            self.signal_backend,
            "pg_signal_backend",
            "cannot cancel or terminate other roles' backends",
        );
        vec![
            ProbeCheck {
                check: "server",
                ok: true,
                detail: format!("PostgreSQL {}", self.version),
            },
            ProbeCheck {
                check: "statements",
                ok: statements.0,
                detail: statements.1,
            },
            ProbeCheck {
                check: "read stats",
                ok: stats.0,
                detail: stats.1,
            },
            ProbeCheck {
                check: "signal",
                ok: signal.0,
                detail: signal.1,
            },
        ]
    }
}

const PROBE_SQL: &str = "/* opsdeck */ SELECT current_setting('server_version') AS version,
  current_setting('server_version_num')::int4 AS version_num,
  r.rolsuper,
  pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS read_all_stats,
  pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') AS signal_backend
FROM pg_roles r
WHERE r.rolname = current_user";

/// Connects on a session of its own and asks. Err only when the server
/// cannot be reached or refuses the login.
pub async fn probe(target: &PgTarget) -> Result<PgProbe, PgError> {
    const ACTION: &str = "probe";
    let mut conn = PgConnection::new(target.clone());
    conn.connect().await?;
    let row = conn.query_one(ACTION, PROBE_SQL, &[]).await?;
    let statements = match conn.statements(StatementsOrder::TotalTime, 1).await {
        Ok(_) => StatementsState::Ready,
        Err(PgError {
            kind: PgErrorKind::StatementsMissing(missing),
            ..
        }) => StatementsState::Missing(missing),
        Err(e) => StatementsState::Failed(e.to_string()),
    };
    Ok(PgProbe {
        version: conn.get(ACTION, &row, "version")?,
        version_num: conn.get(ACTION, &row, "version_num")?,
        statements,
        superuser: conn.get(ACTION, &row, "rolsuper")?,
        read_all_stats: conn.get(ACTION, &row, "read_all_stats")?,
        signal_backend: conn.get(ACTION, &row, "signal_backend")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(superuser: bool, stats: bool, signal: bool) -> PgProbe {
        PgProbe {
            version: "15.18".into(),
            version_num: 150018,
            statements: StatementsState::Missing(StatementsMissing::NotCreated),
            superuser,
            read_all_stats: stats,
            signal_backend: signal,
        }
    }

    #[test]
    fn checks_say_what_is_missing() {
        let checks = probe(false, true, false).checks();
        let line = |name: &str| {
            checks
                .iter()
                .find(|c| c.check == name)
                .map(|c| (c.ok, c.detail.clone()))
        };
        assert_eq!(line("server"), Some((true, "PostgreSQL 15.18".into())));
        assert_eq!(line("statements"), Some((false, STATEMENTS_FIX.into())));
        assert_eq!(
            line("read stats"),
            Some((true, "member of pg_read_all_stats".into()))
        );
        assert_eq!(
            line("signal"),
            Some((
                false,
                "not a member of pg_signal_backend: cannot cancel or terminate other roles' backends"
                    .into()
            ))
        );
        assert!(probe(true, true, true).checks()[2..].iter().all(|c| c.ok));
    }
}
