//! One-line errors that name the target and carry the server's own
//! message, scrubbed of any password.

use super::secret::scrub;
use mongodb::error::{Error as DriverError, ErrorKind};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MongoError {
    target: String,
    message: String,
}

impl MongoError {
    pub(crate) fn new(target: &str, message: &str, password: Option<&str>) -> Self {
        Self {
            target: scrub(target, password),
            message: scrub(message, password),
        }
    }

    pub(crate) fn from_driver(target: &str, error: &DriverError, password: Option<&str>) -> Self {
        Self::new(target, &describe(error), password)
    }

    pub fn target(&self) -> &str {
        &self.target
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for MongoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "mongo {}: {}", self.target, self.message)
    }
}

impl std::error::Error for MongoError {}

/// The driver's `Display` wraps everything in `Kind: ..., labels: ...`;
/// the kind alone reads better, and a command failure reads best as the
/// server's `errmsg` followed by its code.
fn describe(error: &DriverError) -> String {
    match &*error.kind {
        ErrorKind::Command(failure) => format!(
            "{} ({} {})",
            failure.message, failure.code_name, failure.code
        ),
        ErrorKind::ServerSelection { message, .. } => unreachable_cause(message),
        kind => kind.to_string(),
    }
}

/// Server selection failures dump the whole topology; the first server's
/// own error is the part worth a line, when it is there.
fn unreachable_cause(message: &str) -> String {
    let cause = message
        .split_once("Error: Kind: ")
        .and_then(|(_, rest)| rest.split_once(", labels:"))
        .map(|(cause, _)| cause);
    match cause {
        Some(cause) => format!("no server reachable: {cause}"),
        None => message.to_string(),
    }
}

/// The server's error code, for the few failures that are a state rather
/// than an error (e.g. "not a replica set").
pub(crate) fn server_code(error: &DriverError) -> Option<i32> {
    match &*error.kind {
        ErrorKind::Command(failure) => Some(failure.code),
        _ => None,
    }
}
