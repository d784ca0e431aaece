//! One Postgres server opsdeck watches: where it is, how long opsdeck's own
//! statements may run, and what counts as slow. The password is resolved by
//! the caller (env or file) and never printed.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Where to connect, without the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PgAddress {
    Params {
        host: String,
        port: u16,
        user: String,
        dbname: String,
    },
    /// A libpq-style `key=value` string or a `postgres://` URL, as
    /// tokio-postgres parses it. `sslmode=require` turns TLS on;
    /// `prefer` (the default) and `disable` mean plain TCP.
    Dsn(String),
}

/// What counts as bad enough to flag.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PgThresholds {
    /// An active query (or an open transaction that sits idle) running at
    /// least this long is flagged.
    pub activity: Duration,
    /// Connections in use over `max_connections` above which the
    /// connections view warns.
    pub connections_ratio: f64,
}

impl Default for PgThresholds {
    fn default() -> Self {
        PgThresholds {
            activity: Duration::from_secs(5),
            connections_ratio: 0.9,
        }
    }
}

#[derive(Clone, PartialEq)]
pub struct PgTarget {
    /// The name shown to the user and at the start of every error.
    pub name: String,
    pub address: PgAddress,
    pub password: Option<String>,
    /// Set on every session opsdeck opens, so a slow catalog query gives up
    /// instead of adding to the incident.
    pub statement_timeout: Duration,
    pub connect_timeout: Duration,
    pub thresholds: PgThresholds,
    /// TLS even when the DSN does not say `sslmode=require`.
    pub require_tls: bool,
    /// PEM file of CA certificates trusted besides the Mozilla roots
    /// (a cloud provider's bundle, a private CA). TLS always verifies the
    /// certificate and the host name, as libpq's `verify-full` does.
    pub ca_file: Option<PathBuf>,
}

pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(2);
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl PgTarget {
    /// A target with the default timeouts and thresholds.
    pub fn new(name: impl Into<String>, address: PgAddress) -> PgTarget {
        PgTarget {
            name: name.into(),
            address,
            password: None,
            statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            thresholds: PgThresholds::default(),
            require_tls: false,
            ca_file: None,
        }
    }

    pub fn with_password(mut self, password: Option<String>) -> PgTarget {
        self.password = password;
        self
    }
}

// Hand-written so the password can never reach a log through `{:?}`.
impl fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgTarget")
            .field("name", &self.name)
            .field("address", &self.address)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("statement_timeout", &self.statement_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("thresholds", &self.thresholds)
            .field("require_tls", &self.require_tls)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_password() {
        let target = PgTarget::new("orders-db", PgAddress::Dsn("host=db".into()))
            .with_password(Some("hunter2".into()));
        let shown = format!("{target:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains(r#"password: Some("***")"#), "{shown}");
    }

    #[test]
    fn defaults_are_two_seconds_and_five_seconds() {
        let target = PgTarget::new("x", PgAddress::Dsn(String::new()));
        assert_eq!(target.statement_timeout, Duration::from_secs(2));
        assert_eq!(target.thresholds.activity, Duration::from_secs(5));
        assert_eq!(target.thresholds.connections_ratio, 0.9);
    }
}
