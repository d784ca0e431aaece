//! Errors as one line that names the target and what opsdeck was doing,
//! keeps the server's message and SQLSTATE, and never the password.

use std::fmt;

/// What to do when pg_stat_statements is unusable, word for word.
pub const STATEMENTS_FIX: &str = "add pg_stat_statements to shared_preload_libraries (restart) and run CREATE EXTENSION pg_stat_statements;";

/// Why pg_stat_statements cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementsMissing {
    /// No CREATE EXTENSION in the database opsdeck connects to.
    NotCreated,
    /// The extension exists but the library is not in
    /// shared_preload_libraries, so the view errors.
    NotLoaded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PgErrorKind {
    /// The address or settings cannot be used as given.
    Config(String),
    /// The server refused or failed the request.
    Server {
        sqlstate: String,
        message: String,
    },
    /// No answer: cannot connect, connection lost, timed out.
    Transport(String),
    StatementsMissing(StatementsMissing),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgError {
    pub target: String,
    /// What opsdeck was doing: `connect`, `statements`, `cancel`, ...
    pub action: &'static str,
    pub kind: PgErrorKind,
}

impl PgError {
    pub fn new(target: &str, action: &'static str, kind: PgErrorKind) -> PgError {
        PgError {
            target: target.to_string(),
            action,
            kind,
        }
    }

    /// From a tokio-postgres error; `password` is cut out of every text in
    /// case a server or library ever echoes it.
    pub fn from_driver(
        target: &str,
        action: &'static str,
        error: &tokio_postgres::Error,
        password: Option<&str>,
    ) -> PgError {
        let kind = match error.as_db_error() {
            Some(db) => {
                let mut message = db.message().to_string();
                if let Some(detail) = db.detail() {
                    message.push_str(&format!(" (detail: {detail})"));
                }
                if let Some(hint) = db.hint() {
                    message.push_str(&format!(" (hint: {hint})"));
                }
                PgErrorKind::Server {
                    sqlstate: db.code().code().to_string(),
                    message: scrub(&message, password),
                }
            }
            None => PgErrorKind::Transport(scrub(&chain(error), password)),
        };
        PgError::new(target, action, kind)
    }

    /// The SQLSTATE the server answered, e.g. `57014` for a cancelled or
    /// timed-out statement.
    pub fn sqlstate(&self) -> Option<&str> {
        match &self.kind {
            PgErrorKind::Server { sqlstate, .. } => Some(sqlstate),
            _ => None,
        }
    }
}

impl fmt::Display for PgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.target, self.action)?;
        match &self.kind {
            PgErrorKind::Config(text) | PgErrorKind::Transport(text) => f.write_str(text),
            PgErrorKind::Server { sqlstate, message } => {
                write!(f, "{message} (SQLSTATE {sqlstate})")
            }
            PgErrorKind::StatementsMissing(StatementsMissing::NotCreated) => write!(
                f,
                "pg_stat_statements is not created in this database: {STATEMENTS_FIX}"
            ),
            PgErrorKind::StatementsMissing(StatementsMissing::NotLoaded) => write!(
                f,
                "pg_stat_statements is not loaded by the server: {STATEMENTS_FIX}"
            ),
        }
    }
}

impl std::error::Error for PgError {}

/// The error and its causes on one line ("error connecting to server:
/// Connection refused (os error 111)").
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut cause = error.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = c.source();
    }
    parts.join(": ")
}

/// One line, with the password (when there is one) replaced by `***`.
pub(super) fn scrub(text: &str, password: Option<&str>) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match password {
        Some(p) if !p.is_empty() => line.replace(p, "***"),
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_target_action_and_sqlstate() {
        let e = PgError::new(
            "orders-db",
            "statements",
            PgErrorKind::Server {
                sqlstate: "42501".into(),
                message: "permission denied for view x".into(),
            },
        );
        assert_eq!(
            e.to_string(),
            "orders-db: statements: permission denied for view x (SQLSTATE 42501)"
        );
        assert_eq!(e.sqlstate(), Some("42501"));
    }

    #[test]
    fn missing_extension_gives_the_fix() {
        let e = PgError::new(
            "orders-db",
            "statements",
            PgErrorKind::StatementsMissing(StatementsMissing::NotCreated),
        );
        assert!(e.to_string().ends_with(
            ": add pg_stat_statements to shared_preload_libraries (restart) and run CREATE EXTENSION pg_stat_statements;"
        ));
    }

    #[test]
    fn scrub_joins_lines_and_hides_the_password() {
        assert_eq!(
            scrub("bad\npassword hunter2  for x", Some("hunter2")),
            "bad password *** for x"
        );
        assert_eq!(scrub("a\tb", Some("")), "a b");
        assert_eq!(scrub("a b", None), "a b");
    }
}
