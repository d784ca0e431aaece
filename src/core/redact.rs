//! Secrets never reach the screen or a log: passwords in DSNs and URLs,
//! bearer tokens, `password=` pairs.

/// Replaces secrets in a backend message with `***`.
pub fn redact(text: &str) -> String {
    let mut out = redact_userinfo(text);
    for marker in [
        "Bearer ",
        "bearer ",
        "password=",
        "PASSWORD=",
        "token=",
        "access_token=",
    ] {
        out = redact_after(&out, marker);
    }
    out
}

/// `scheme://user:secret@host` becomes `scheme://user:***@host`.
fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '/' || c == '"')
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                out.push_str(&authority[..=colon]);
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Replaces the word after `marker` (up to whitespace, `&`, `,` or a quote).
fn redact_after(text: &str, marker: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i + marker.len()]);
        let tail = &rest[i + marker.len()..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '&' | ',' | '"' | '\''))
            .unwrap_or(tail.len());
        if end > 0 {
            out.push_str("***");
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn secrets_are_replaced_and_the_rest_kept() {
        assert_eq!(
            redact("connect postgres://ops:s3cr3t@db:5432/orders failed"),
            "connect postgres://ops:***@db:5432/orders failed"
        );
        assert_eq!(
            redact("Authorization: Bearer eyJhbGciOi.x.y denied"),
            "Authorization: Bearer *** denied"
        );
        assert_eq!(
            redact("host=db password=hunter2 user=ops"),
            "host=db password=*** user=ops"
        );
        assert_eq!(
            redact("https://api.example/v1?a=1&token=abc&b=2"),
            "https://api.example/v1?a=1&token=***&b=2"
        );
        assert_eq!(
            redact("http://db:5432/x no secret"),
            "http://db:5432/x no secret"
        );
    }
}
