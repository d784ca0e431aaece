//! One session per target, opened on first use and reused; dropped when it
//! fails so the next call opens a fresh one. Every session opsdeck opens
//! gets `application_name = 'opsdeck'` and the target's
//! `statement_timeout`, so opsdeck can never become the slow query.

use super::error::{PgError, PgErrorKind, scrub};
use super::target::{PgAddress, PgTarget};
use super::tls;
use std::time::Duration;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, Row};

/// The name opsdeck's sessions carry in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "opsdeck";

/// How much longer than `statement_timeout` opsdeck waits for an answer
/// before it gives up on the connection itself (a dead network never
/// answers, and the server-side timeout cannot help then).
const ANSWER_SLACK: Duration = Duration::from_secs(2);

/// A reusable session with one target.
pub struct PgConnection {
    target: PgTarget,
    session: Option<Session>,
}

struct Session {
    client: Client,
    backend_pid: i32,
}

impl PgConnection {
    /// Opens nothing yet: the first query connects.
    pub fn new(target: PgTarget) -> PgConnection {
        PgConnection {
            target,
            session: None,
        }
    }

    pub fn target(&self) -> &PgTarget {
        &self.target
    }

    /// Connects now unless a live session is already open.
    pub async fn connect(&mut self) -> Result<(), PgError> {
        self.client().await.map(|_| ())
    }

    /// The server process of the open session, if one is open.
    pub fn backend_pid(&self) -> Option<i32> {
        self.session.as_ref().map(|s| s.backend_pid)
    }

    /// Closes the session; the next query opens a new one.
    pub fn disconnect(&mut self) {
        self.session = None;
    }

    /// Runs `sql` and returns its rows; on failure the error names
    /// `action`, and a lost or silent connection is dropped.
    pub(in crate::features::queries) async fn query(
        &mut self,
        action: &'static str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, PgError> {
        let limit = self.target.statement_timeout + ANSWER_SLACK;
        let client = self.client().await?;
        let result = tokio::time::timeout(limit, client.query(sql, params)).await;
        match result {
            Ok(Ok(rows)) => Ok(rows),
            Ok(Err(e)) => Err(self.failed(action, &e)),
            Err(_) => {
                self.session = None;
                Err(self.error(action, no_answer(limit)))
            }
        }
    }

    /// As `query`, for exactly one row.
    pub(in crate::features::queries) async fn query_one(
        &mut self,
        action: &'static str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, PgError> {
        let mut rows = self.query(action, sql, params).await?;
        match rows.len() {
            1 => Ok(rows.remove(0)),
            n => Err(self.error(
                action,
                PgErrorKind::Transport(format!("expected one row, the server sent {n}")),
            )),
        }
    }

    /// Reads column `column` of `row` as `T`, naming the column when the
    /// type does not match (a server version opsdeck does not know).
    pub(in crate::features::queries) fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
        &self,
        action: &'static str,
        row: &'a Row,
        column: &str,
    ) -> Result<T, PgError> {
        row.try_get(column).map_err(|e| {
            let text = format!("column {column}: {e}");
            self.error(action, PgErrorKind::Transport(text))
        })
    }

    pub(in crate::features::queries) fn error(
        &self,
        action: &'static str,
        kind: PgErrorKind,
    ) -> PgError {
        PgError::new(&self.target.name, action, kind)
    }

    /// Maps a driver error, dropping the session unless the server simply
    /// refused this one statement (a FATAL error, such as being
    /// terminated, ends the session too).
    pub(in crate::features::queries) fn failed(
        &mut self,
        action: &'static str,
        e: &tokio_postgres::Error,
    ) -> PgError {
        let session_over = match e.as_db_error() {
            Some(db) => matches!(db.severity(), "FATAL" | "PANIC"),
            None => true,
        };
        if session_over {
            self.session = None;
        }
        PgError::from_driver(
            &self.target.name,
            action,
            e,
            self.target.password.as_deref(),
        )
    }

    async fn client(&mut self) -> Result<&Client, PgError> {
        let alive = self.session.as_ref().is_some_and(|s| !s.client.is_closed());
        if !alive {
            self.session = Some(self.open().await?);
        }
        match &self.session {
            Some(session) => Ok(&session.client),
            None => Err(self.error("connect", PgErrorKind::Transport("not connected".into()))),
        }
    }

    async fn open(&self) -> Result<Session, PgError> {
        let config = self.config()?;
        let password = config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned());
        let fail = |e: &tokio_postgres::Error| {
            PgError::from_driver(&self.target.name, "connect", e, password.as_deref())
        };
        let limit = self.target.connect_timeout + self.target.statement_timeout + ANSWER_SLACK;
        let opened = tokio::time::timeout(limit, async {
            let client = tls::connect(&self.target, &config)
                .await
                .map_err(|e| match e {
                    tls::ConnectError::Driver(e) => fail(&e),
                    tls::ConnectError::Setup(text) => {
                        self.error("connect", PgErrorKind::Config(text))
                    }
                })?;
            client
                .batch_execute(&session_settings(self.target.statement_timeout))
                .await
                .map_err(|e| fail(&e))?;
            let row = client
                .query_one("SELECT pg_backend_pid()", &[])
                .await
                .map_err(|e| fail(&e))?;
            let backend_pid: i32 = row.try_get(0).map_err(|e| fail(&e))?;
            Ok(Session {
                client,
                backend_pid,
            })
        })
        .await;
        opened.unwrap_or_else(|_| Err(self.error("connect", no_answer(limit))))
    }

    fn config(&self) -> Result<Config, PgError> {
        let mut config = match &self.target.address {
            PgAddress::Dsn(dsn) => dsn.parse::<Config>().map_err(|e| {
                let text = scrub(
                    &format!("the DSN is not valid: {e}"),
                    self.target.password.as_deref(),
                );
                self.error("connect", PgErrorKind::Config(text))
            })?,
            PgAddress::Params {
                host,
                port,
                user,
                dbname,
            } => {
                let mut config = Config::new();
                config.host(host).port(*port).user(user).dbname(dbname);
                config
            }
        };
        if let Some(password) = &self.target.password {
            config.password(password);
        }
        config
            .application_name(APPLICATION_NAME)
            .connect_timeout(self.target.connect_timeout);
        Ok(config)
    }
}

/// The statements every new session runs first. Time spent waiting for a
/// lock counts towards `statement_timeout`, so no `lock_timeout` is needed.
/// The name is set again for poolers that drop startup parameters.
fn session_settings(statement_timeout: Duration) -> String {
    let ms = statement_timeout.as_millis().max(1);
    format!("SET statement_timeout = {ms}; SET application_name = '{APPLICATION_NAME}'")
}

fn no_answer(limit: Duration) -> PgErrorKind {
    PgErrorKind::Transport(format!(
        "no answer within {:.1}s (timed out)",
        limit.as_secs_f64()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_session_sets_the_timeout_and_the_name() {
        assert_eq!(
            session_settings(Duration::from_millis(2500)),
            "SET statement_timeout = 2500; SET application_name = 'opsdeck'"
        );
        // A zero timeout would mean "no limit" to Postgres.
        assert!(session_settings(Duration::ZERO).starts_with("SET statement_timeout = 1;"));
    }
}
