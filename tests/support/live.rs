//! Where a live test finds its server: an address tests/run-all.sh exports.
//! Included by path (`#[path = "support/live.rs"] mod live;`) so a test
//! binary does not compile the rest of `support` for it.

use std::io::Write;

/// The variable's value; or, when it is unset, a visible skip line and
/// `None` — except under `CI=true`, where a missing server is a failure.
pub fn server_env(var: &str, what: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{var} must be set under CI=true: tests/run-all.sh starts {what}")
        }
        _ => {
            skipped(&format!("{var} is unset; tests/run-all.sh starts {what}"));
            None
        }
    }
}

/// Writes past the test harness's output capture (which takes only the
/// print macros), so a skip shows in every run and run-all.sh can count it.
pub fn skipped(reason: &str) {
    let _ = writeln!(std::io::stderr(), "skipped: {reason}");
}
