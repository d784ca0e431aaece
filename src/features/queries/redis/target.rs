//! One Redis server opsdeck watches. The password is resolved by the
//! caller (env or file), kept out of the URL, and never printed.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, PartialEq, Eq)]
pub struct RedisTarget {
    /// The name shown to the user and at the start of every error.
    pub name: String,
    /// `redis://host:port/db`, or `redis://user@host:port/db` for an ACL
    /// user; no password in it.
    pub url: String,
    pub password: Option<String>,
    /// SCAN MATCH patterns whose keys are counted each poll.
    pub patterns: Vec<String>,
    /// At most this many keys examined by SCAN per poll, shared evenly
    /// between the patterns, so counting never becomes the load.
    pub scan_cap: u64,
    /// How many SLOWLOG entries to read.
    pub slowlog_len: usize,
    /// For connecting and for each reply.
    pub timeout: Duration,
    /// PEM CA that signed a `rediss://` server's certificate, trusted
    /// instead of the system's roots.
    pub ca_file: Option<PathBuf>,
}

pub const DEFAULT_PATTERN: &str = "ratelimit:*";
pub const DEFAULT_SCAN_CAP: u64 = 10_000;
pub const DEFAULT_SLOWLOG_LEN: usize = 10;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

impl RedisTarget {
    /// A target with the default patterns, cap, SLOWLOG length and timeout.
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> RedisTarget {
        RedisTarget {
            name: name.into(),
            url: url.into(),
            password: None,
            patterns: vec![DEFAULT_PATTERN.to_string()],
            scan_cap: DEFAULT_SCAN_CAP,
            slowlog_len: DEFAULT_SLOWLOG_LEN,
            timeout: DEFAULT_TIMEOUT,
            ca_file: None,
        }
    }

    pub fn with_password(mut self, password: Option<String>) -> RedisTarget {
        self.password = password;
        self
    }
}

// Hand-written so the password can never reach a log through `{:?}`.
impl fmt::Debug for RedisTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTarget")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("patterns", &self.patterns)
            .field("scan_cap", &self.scan_cap)
            .field("slowlog_len", &self.slowlog_len)
            .field("timeout", &self.timeout)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_a_hidden_password() {
        let target = RedisTarget::new("cache", "redis://127.0.0.1:6379/0")
            .with_password(Some("hunter2".into()));
        assert_eq!(target.patterns, ["ratelimit:*"]);
        assert_eq!(target.scan_cap, 10_000);
        assert_eq!(target.slowlog_len, 10);
        let shown = format!("{target:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains(r#"password: Some("***")"#), "{shown}");
    }
}
