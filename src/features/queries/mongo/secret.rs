//! Keeps passwords out of error text: URI secrets (through the remediation
//! redactor every other source uses) and the literal password, wherever
//! the driver might echo them.

use crate::core::redact::redact;

/// Error text fit for the screen: no URI secrets, not the password itself,
/// one line.
pub(crate) fn scrub(text: &str, password: Option<&str>) -> String {
    let mut out = redact(text);
    if let Some(password) = password.filter(|p| !p.is_empty()) {
        out = out.replace(password, "***");
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_userinfo_is_redacted_and_the_rest_kept() {
        assert_eq!(
            scrub(
                "failed mongodb://ops:s3cr%40t@db-0:27017,db-1:27017/admin?tls=true",
                None
            ),
            "failed mongodb://ops:***@db-0:27017,db-1:27017/admin?tls=true"
        );
        assert_eq!(
            scrub("mongodb+srv://ops@cluster0.example.net/", None),
            "mongodb+srv://ops@cluster0.example.net/"
        );
    }

    #[test]
    fn the_password_and_line_breaks_go() {
        assert_eq!(
            scrub(
                "auth failed for hunter2\n  at mongodb://a:hunter2@h/",
                Some("hunter2")
            ),
            "auth failed for *** at mongodb://a:***@h/"
        );
        assert_eq!(scrub("plain text", Some("")), "plain text");
    }
}
