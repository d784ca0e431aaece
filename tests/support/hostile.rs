//! What the sanitizer must leave of hostile backend text, on a drawn screen
//! or in the bytes written to a terminal. Checking that no cell holds a
//! control character proves nothing: ratatui drops such graphemes itself,
//! sanitized or not. What only the sanitizer does is hide the payload of an
//! escape string and put visible marks where it removed something.

/// Every expectation `text` breaks: a `hidden` piece that shows (an OSC or
/// DCS payload, a raw bidi override), a `shown` piece that is missing (the
/// words around the hostile bytes, with their marks: `␛` where an escape
/// was removed, `\u{FFFD}` for a bidi control).
pub fn broken(text: &str, hidden: &[&str], shown: &[&str]) -> Vec<String> {
    let leaked = hidden
        .iter()
        .filter(|h| text.contains(**h))
        .map(|h| format!("shown but must not be: {h:?}"));
    let missing = shown
        .iter()
        .filter(|s| !text.contains(**s))
        .map(|s| format!("missing: {s:?}"));
    leaked.chain(missing).collect()
}

/// Fails with every broken expectation at once, so one run with the
/// sanitizer bypassed shows that each of them can fail.
pub fn assert_sanitized(text: &str, hidden: &[&str], shown: &[&str]) {
    let broken = broken(text, hidden, shown);
    // Raw terminal output is quoted, so a failure cannot act on the
    // terminal of whoever reads it.
    let raw = text.chars().any(|c| c.is_control() && c != '\n');
    let text = if raw {
        format!("{text:?}")
    } else {
        text.to_owned()
    };
    assert!(broken.is_empty(), "{broken:#?}\nin:\n{text}");
}
