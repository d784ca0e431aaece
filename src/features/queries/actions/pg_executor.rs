//! Carries out Postgres plans: a fresh look at the backend, then
//! `pg_cancel_backend` or `pg_terminate_backend`, on a session of its own.
//! The permission check is the login's role (superuser or member of
//! `pg_signal_backend`); the dry run is the fresh look and its refusals.

use crate::core::action::{Action, ActionPlan};
use crate::core::executor::{Check, Executor};
use crate::features::queries::actions::{BackendSnapshot, refusal};
use crate::features::queries::model::query_text;
use crate::features::queries::postgres::{PgConnection, probe};
use crate::features::queries::settings::PgTargetSettings;
use crate::features::queries::source::postgres::target;
use futures::future::BoxFuture;
use std::collections::BTreeMap;
use std::time::Duration;

/// How long a terminated backend is given to disappear before the outcome
/// says it is still ending.
const GONE_WITHIN: Duration = Duration::from_secs(2);

/// The executor of Postgres plans, for the configured targets.
pub struct PgExecutor {
    targets: BTreeMap<String, PgTargetSettings>,
}

/// What a plan asks of which target.
struct Ask<'a> {
    settings: &'a PgTargetSettings,
    pid: i32,
    terminate: bool,
    query: &'a str,
    backend_start: Option<i64>,
}

impl PgExecutor {
    pub fn new(targets: &[PgTargetSettings]) -> Self {
        PgExecutor {
            targets: targets
                .iter()
                .map(|t| (t.name.clone(), t.clone()))
                .collect(),
        }
    }

    fn ask<'a>(&'a self, plan: &'a ActionPlan) -> Result<Ask<'a>, String> {
        let Action::PgSignal {
            target,
            pid,
            terminate,
            query,
            backend_start,
            ..
        } = &plan.action
        else {
            return Err("the Postgres executor only cancels and terminates backends".into());
        };
        let settings = self
            .targets
            .get(target)
            .ok_or_else(|| format!("{target} is not a configured Postgres target"))?;
        Ok(Ask {
            settings,
            pid: *pid,
            terminate: *terminate,
            query,
            backend_start: *backend_start,
        })
    }

    /// A session of the executor's own (never the poller's).
    async fn connection(ask: &Ask<'_>) -> Result<PgConnection, String> {
        let password = ask.settings.password.resolve().await?;
        Ok(PgConnection::new(target(ask.settings, password)))
    }

    /// The backend now, refused if it is gone, opsdeck's own, privileged
    /// (unless allowed) or running another query than the plan showed.
    async fn fresh(conn: &mut PgConnection, ask: &Ask<'_>) -> Result<BackendSnapshot, String> {
        let now = conn.lookup(ask.pid).await.map_err(|e| e.to_string())?;
        if let Some(r) = refusal(
            ask.pid,
            now.as_ref(),
            conn.backend_pid(),
            ask.settings.allow_privileged,
        ) {
            return Err(r.to_string());
        }
        let Some(now) = now else {
            return Err(format!("no backend with pid {}", ask.pid));
        };
        if ask.backend_start.is_some() && now.backend_start != ask.backend_start {
            return Err(format!(
                "pid {} is now another session (the planned one ended and its pid was reused); plan again",
                ask.pid
            ));
        }
        if !ask.query.is_empty() && one_line(&query_text(&now.query)) != one_line(ask.query) {
            return Err(format!(
                "pid {} now runs another statement ({}); plan again",
                ask.pid,
                crate::features::queries::mongo::truncate_chars(
                    &one_line(&query_text(&now.query)),
                    60
                )
            ));
        }
        Ok(now)
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Executor for PgExecutor {
    fn permission<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async move {
            let ask = match self.ask(plan) {
                Ok(a) => a,
                Err(e) => return Check::Refused(e),
            };
            let password = match ask.settings.password.resolve().await {
                Ok(p) => p,
                Err(e) => return Check::Refused(e),
            };
            let probed = match probe(&target(ask.settings, password)).await {
                Ok(p) => p,
                Err(e) => return Check::NoAnswer(format!("cannot read the login's roles: {e}")),
            };
            let superuser_backend = match Self::connection(&ask).await {
                Ok(mut conn) => conn
                    .lookup(ask.pid)
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|b| b.superuser),
                Err(_) => false,
            };
            if probed.superuser {
                Check::Passed("the login is a superuser".into())
            } else if superuser_backend {
                Check::Refused(format!(
                    "pid {} belongs to a superuser: only a superuser may signal it",
                    ask.pid
                ))
            } else if probed.signal_backend {
                Check::Passed("the login is a member of pg_signal_backend".into())
            } else {
                Check::Unsupported(
                    "not a member of pg_signal_backend: only backends of the login's own role can be signalled (the server decides)"
                        .into(),
                )
            }
        })
    }

    fn dry_run<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async move {
            let ask = match self.ask(plan) {
                Ok(a) => a,
                Err(e) => return Check::Refused(e),
            };
            let mut conn = match Self::connection(&ask).await {
                Ok(c) => c,
                Err(e) => return Check::Refused(e),
            };
            match Self::fresh(&mut conn, &ask).await {
                Ok(b) => Check::Passed(format!(
                    "pid {} is still there ({}{})",
                    ask.pid,
                    b.state.as_ref().map_or("?", |s| s.label()),
                    b.query_duration
                        .map(|d| format!(
                            ", query running {}",
                            crate::features::queries::model::human_duration(d)
                        ))
                        .unwrap_or_default()
                )),
                Err(e) => Check::Refused(e),
            }
        })
    }

    fn execute<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            let ask = self.ask(plan)?;
            let mut conn = Self::connection(&ask).await?;
            Self::fresh(&mut conn, &ask).await?;
            let (sent, call) = if ask.terminate {
                (
                    conn.terminate(ask.pid, ask.backend_start).await,
                    "pg_terminate_backend",
                )
            } else {
                (
                    conn.cancel(ask.pid, ask.backend_start).await,
                    "pg_cancel_backend",
                )
            };
            match sent.map_err(|e| e.to_string())? {
                None => Err(format!(
                    "nothing sent: session {} ended or was replaced just before the signal",
                    ask.pid
                )),
                Some(false) => Err(format!(
                    "{call}({}) returned false: the backend had already ended",
                    ask.pid
                )),
                Some(true) if ask.terminate => {
                    let deadline = tokio::time::Instant::now() + GONE_WITHIN;
                    while tokio::time::Instant::now() < deadline {
                        if matches!(conn.lookup(ask.pid).await, Ok(None)) {
                            return Ok(format!("{call}({}): the backend has ended", ask.pid));
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Ok(format!(
                        "{call}({}) sent; the backend is still ending",
                        ask.pid
                    ))
                }
                Some(true) => Ok(format!("{call}({}) sent", ask.pid)),
            }
        })
    }
}
