//! Secrets never reach the screen or a log: passwords in DSNs and URLs,
//! bearer tokens and `Authorization` headers, `password=` / `token: '…'` /
//! SQL `PASSWORD '…'` pairs, quoted or not.
//!
//! A key is found in any letter case and anywhere in a word
//! (`access_token=`, `client_secret:`), followed by `=` or `:` (after an
//! optional closing quote, as in JSON). Its value is what the quotes hold
//! (to the end of the text if they never close), or else the run of
//! characters up to whitespace, `&`, `,`, `;` or a quote. Only the value
//! becomes `***`, so the message still says what was refused, and
//! redacting twice changes nothing.

/// Keys whose value is a secret.
const KEYS: [&str; 7] = [
    "password", "passwd", "secret", "token", "api_key", "api-key", "apikey",
];

/// Keys whose value may follow after spaces alone when it is quoted, as in
/// SQL's `ALTER ROLE bob PASSWORD 'hunter2'`.
const SPACED_KEYS: [&str; 2] = ["password", "passwd"];

/// The credential follows one of these words in an `Authorization` header.
const AUTH_SCHEMES: [&str; 6] = ["bearer", "basic", "digest", "token", "negotiate", "ntlm"];

/// What replaces a secret.
const MASK: &str = "***";

/// Replaces secrets in a backend message with `***`.
pub fn redact(text: &str) -> String {
    // Pairs first: a quoted value may hold `@` and `:` that would otherwise
    // read as a URL's userinfo once the quotes are gone.
    let mut out = redact_userinfo(&redact_pairs(text));
    // A userinfo mask can swallow what ended a pair's value (`&` in
    // `://password://&@`), so a second pass would read the mask as a new
    // value: pass again until nothing changes, so redacting twice never
    // does. Each pass only masks; a few reach the fixed point.
    for _ in 0..4 {
        let again = redact_userinfo(&redact_pairs(&out));
        if again == out {
            break;
        }
        out = again;
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
                out.push_str(MASK);
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Masks the value of every key, bearer token and `Authorization` header.
fn redact_pairs(text: &str) -> String {
    // ASCII lowercasing keeps every byte offset, so matches in `lower` are
    // offsets in `text`; keys are ASCII, so they only match on char starts.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < lower.len() {
        match secret_at(&lower, at) {
            Some(value) => {
                out.push_str(&text[copied..value.start]);
                out.push_str(MASK);
                copied = value.end;
                at = value.end.max(at + 1);
            }
            None => at += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The byte range of the secret that a key starting at `at` introduces.
fn secret_at(lower: &str, at: usize) -> Option<std::ops::Range<usize>> {
    // Bytes, not `str`: `at` may be inside a multi-byte char.
    let rest = &lower.as_bytes()[at..];
    if let Some(key) = KEYS.iter().find(|k| rest.starts_with(k.as_bytes())) {
        return key_value(lower, at + key.len(), SPACED_KEYS.contains(key));
    }
    if rest.starts_with(b"authorization") {
        let value = after_separator(lower, at + "authorization".len())?;
        return credential(lower, value);
    }
    if rest.starts_with(b"bearer") {
        let value = skip_blanks(lower, at + "bearer".len());
        if value > at + "bearer".len() {
            return word(lower, value);
        }
    }
    None
}

/// The value after a key that ends at `end`: `=x`, `: 'x'`, `":"x"`, or
/// (for `spaced` keys) ` 'x'`.
fn key_value(lower: &str, end: usize, spaced: bool) -> Option<std::ops::Range<usize>> {
    if let Some(value) = after_separator(lower, end) {
        return quoted(lower, value).or_else(|| word(lower, value));
    }
    let value = skip_blanks(lower, end);
    if spaced && value > end {
        return quoted(lower, value);
    }
    None
}

/// Where the value starts when `=` or `:` follows `end` (after an optional
/// closing quote and blanks), as in `password=`, `secret: `, `"token":`.
fn after_separator(lower: &str, end: usize) -> Option<usize> {
    let bytes = lower.as_bytes();
    let mut i = end;
    if matches!(bytes.get(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    i = skip_blanks(lower, i);
    match bytes.get(i) {
        Some(b'=' | b':') => Some(skip_blanks(lower, i + 1)),
        _ => None,
    }
}

/// An `Authorization` value: the credential after a known scheme
/// (`Bearer x`, `Basic x`), or the whole first word.
fn credential(lower: &str, value: usize) -> Option<std::ops::Range<usize>> {
    let rest = &lower.as_bytes()[value..];
    for scheme in AUTH_SCHEMES {
        let after = value + scheme.len();
        if rest.starts_with(scheme.as_bytes())
            && skip_blanks(lower, after) > after
            && let Some(secret) = word(lower, skip_blanks(lower, after))
        {
            return Some(secret);
        }
    }
    quoted(lower, value).or_else(|| word(lower, value))
}

/// The inside of a `'…'` or `"…"` at `at` (SQL's `''` and a backslash
/// escape the quote); to the end of the text if it never closes. `None`
/// when there is no quote or nothing inside it.
fn quoted(lower: &str, at: usize) -> Option<std::ops::Range<usize>> {
    let bytes = lower.as_bytes();
    let quote = *bytes.get(at).filter(|b| matches!(b, b'\'' | b'"'))?;
    let start = at + 1;
    let mut i = start;
    let end = loop {
        match bytes.get(i) {
            None => break lower.len(),
            Some(b'\\') => i += 2,
            Some(&b) if b == quote && bytes.get(i + 1) == Some(&quote) && quote == b'\'' => i += 2,
            Some(&b) if b == quote => break i,
            Some(_) => i += 1,
        }
    };
    // A backslash as the last byte steps past the end.
    let end = end.min(lower.len());
    (end > start).then_some(start..end)
}

/// An unquoted value at `at`: up to whitespace, `&`, `,`, `;` or a quote.
fn word(lower: &str, at: usize) -> Option<std::ops::Range<usize>> {
    let rest = &lower[at..];
    let len = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '&' | ',' | ';' | '"' | '\''))
        .unwrap_or(rest.len());
    (len > 0).then_some(at..at + len)
}

/// The first offset from `at` that is not a space or a tab.
fn skip_blanks(lower: &str, at: usize) -> usize {
    let bytes = lower.as_bytes();
    let mut i = at;
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn secrets_are_replaced_and_the_rest_kept() {
        let cases = [
            (
                "connect postgres://ops:s3cr3t@db:5432/orders failed",
                "connect postgres://ops:***@db:5432/orders failed",
            ),
            (
                "Authorization: Bearer eyJhbGciOi.x.y denied",
                "Authorization: Bearer *** denied",
            ),
            (
                "host=db password=hunter2 user=ops",
                "host=db password=*** user=ops",
            ),
            (
                "https://api.example/v1?a=1&token=abc&b=2",
                "https://api.example/v1?a=1&token=***&b=2",
            ),
            ("http://db:5432/x no secret", "http://db:5432/x no secret"),
            ("password='hunter 2' ok", "password='***' ok"),
            ("password=\"hunter2\" ok", "password=\"***\" ok"),
            ("token=\"x y\" ok", "token=\"***\" ok"),
            ("secret: 'x' ok", "secret: '***' ok"),
            (
                "ALTER ROLE bob PASSWORD 'hunter2' VALID UNTIL 'x'",
                "ALTER ROLE bob PASSWORD '***' VALID UNTIL 'x'",
            ),
            (
                "alter role bob with password 'it''s'",
                "alter role bob with password '***'",
            ),
            (
                r#"{"password": "a\"b", "user": "x"}"#,
                r#"{"password": "***", "user": "x"}"#,
            ),
            (
                "proxy-authorization: Basic dXNlcjpwdw== next",
                "proxy-authorization: Basic *** next",
            ),
            ("authorization=abc123 next", "authorization=*** next"),
            ("X-Api-Key: k123 next", "X-Api-Key: *** next"),
            ("client_secret=abc&x=1", "client_secret=***&x=1"),
            (
                "unterminated password='abc def",
                "unterminated password='***",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(redact(input), expected, "{input}");
            assert_eq!(redact(expected), expected, "twice: {input}");
        }
    }

    #[test]
    fn words_that_only_look_like_keys_stay() {
        for text in [
            "FATAL: password authentication failed for user \"ops\"",
            "tokens: 5, secretary=bob, password_env = \"PG_PW\"",
            "mongodb://ops@mongo-0:27017/?authSource=admin",
            "bearer",
            "the secret is out",
        ] {
            assert_eq!(redact(text), text);
        }
    }
}
