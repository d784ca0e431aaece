//! Errors as one line that names the target and what opsdeck was doing,
//! says plainly when access was refused (NOAUTH, WRONGPASS, NOPERM), and
//! never contains the password.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisErrorKind {
    /// The URL or settings cannot be used as given.
    Config(String),
    /// Not authenticated: no password given where one is needed
    /// (NOAUTH), or a wrong one (WRONGPASS).
    NoAuth(String),
    /// Authenticated, but the ACL forbids the command (NOPERM).
    NoPerm(String),
    /// Any other error reply, with its code (`ERR`, `BUSY`, ...).
    Server { code: String, message: String },
    /// No answer: cannot connect, connection lost, timed out.
    Transport(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisError {
    pub target: String,
    /// What opsdeck was doing: `connect`, `info`, `slowlog`, `scan`.
    pub action: &'static str,
    pub kind: RedisErrorKind,
}

impl RedisError {
    pub fn new(target: &str, action: &'static str, kind: RedisErrorKind) -> RedisError {
        RedisError {
            target: target.to_string(),
            action,
            kind,
        }
    }

    /// From a redis-rs error, with `password` cut out of the text.
    pub fn from_driver(
        target: &str,
        action: &'static str,
        error: &::redis::RedisError,
        password: Option<&str>,
    ) -> RedisError {
        let clean = |text: &str| scrub(text, password);
        let message = clean(error.detail().unwrap_or_default());
        let kind = match error.code() {
            Some("NOPERM") => RedisErrorKind::NoPerm(message),
            Some(code @ ("NOAUTH" | "WRONGPASS")) => {
                RedisErrorKind::NoAuth(format!("{code} {message}"))
            }
            Some(code) => RedisErrorKind::Server {
                code: code.to_string(),
                message,
            },
            None if error.kind() == ::redis::ErrorKind::AuthenticationFailed => {
                RedisErrorKind::NoAuth("the server refused the password".to_string())
            }
            None => RedisErrorKind::Transport(clean(&error.to_string())),
        };
        RedisError::new(target, action, kind)
    }

    /// True when the connection should be replaced before the next call.
    pub(super) fn breaks_connection(error: &::redis::RedisError) -> bool {
        error.is_io_error()
            || error.is_connection_dropped()
            || error.is_timeout()
            || error.is_unrecoverable_error()
    }
}

impl fmt::Display for RedisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.target, self.action)?;
        match &self.kind {
            RedisErrorKind::Config(text) | RedisErrorKind::Transport(text) => f.write_str(text),
            RedisErrorKind::NoAuth(text) => write!(f, "not authenticated: {text}"),
            RedisErrorKind::NoPerm(text) => write!(f, "not permitted (NOPERM): {text}"),
            RedisErrorKind::Server { code, message } => write!(f, "{code} {message}"),
        }
    }
}

impl std::error::Error for RedisError {}

pub(super) use crate::shared::redis_client::scrub;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_target_action_and_refusal() {
        let e = RedisError::new(
            "cache",
            "info",
            RedisErrorKind::NoPerm("User x has no permissions to run the 'info' command".into()),
        );
        assert_eq!(
            e.to_string(),
            "cache: info: not permitted (NOPERM): User x has no permissions to run the 'info' command"
        );
    }

    fn mapped(code: &str, detail: &str) -> RedisErrorKind {
        let e = ::redis::make_extension_error(code.into(), Some(detail.into()));
        RedisError::from_driver("cache", "info", &e, Some("hunter2")).kind
    }

    #[test]
    fn refusals_are_told_apart_from_other_errors() {
        assert_eq!(
            mapped("NOAUTH", "Authentication required."),
            RedisErrorKind::NoAuth("NOAUTH Authentication required.".into())
        );
        assert_eq!(
            mapped("WRONGPASS", "invalid username-password pair"),
            RedisErrorKind::NoAuth("WRONGPASS invalid username-password pair".into())
        );
        assert_eq!(
            mapped("NOPERM", "no permissions to run the 'info' command"),
            RedisErrorKind::NoPerm("no permissions to run the 'info' command".into())
        );
        assert_eq!(
            mapped("BUSY", "script hunter2 running"),
            RedisErrorKind::Server {
                code: "BUSY".into(),
                message: "script *** running".into()
            }
        );
    }

    #[test]
    fn scrub_hides_the_password() {
        assert_eq!(scrub("a hunter2\nb", Some("hunter2")), "a *** b");
        assert_eq!(scrub("a b", None), "a b");
    }
}
