//! Terminal-safe excerpts of reply bodies and messages, for error texts.
//!
//! A proxy's HTML page, a binary body or a hostile server can put escape
//! sequences and control characters into what we would show; these helpers
//! make sure an error message is one short, printable line.

/// How many characters of a body an error message quotes.
const BODY_PREVIEW_CHARS: usize = 120;

/// The start of `body` as one printable line of at most 120 characters.
pub(crate) fn body_preview(body: &[u8]) -> String {
    one_line(&String::from_utf8_lossy(body), BODY_PREVIEW_CHARS)
}

/// `text` on one line: control, bidi and whitespace characters become single
/// spaces, and a text longer than `max_chars` is cut and ends with "…".
pub(crate) fn one_line(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if is_blank_or_unsafe(c) {
            pending_space = !out.is_empty();
            continue;
        }
        let needed = if pending_space { 2 } else { 1 };
        if used + needed > max_chars {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
        used += needed;
    }
    out
}

/// Whitespace, C0/C1 controls and the bidi controls that can reorder what a
/// terminal shows (a "Trojan Source" style trick in an error text).
fn is_blank_or_unsafe(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_newlines_become_single_spaces() {
        let body = b"<html>\r\n\t<title>502 \x1b[31mBad\x07 Gateway</title>\n";
        assert_eq!(
            body_preview(body),
            "<html> <title>502 [31mBad Gateway</title>"
        );
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        let text = "a".repeat(300);
        let preview = one_line(&text, 10);
        assert_eq!(preview, format!("{}…", "a".repeat(10)));
    }

    #[test]
    fn bidi_overrides_are_removed() {
        assert_eq!(one_line("ok\u{202E}evil", 50), "ok evil");
    }

    #[test]
    fn invalid_utf8_and_empty_bodies_are_safe() {
        assert_eq!(body_preview(b""), "");
        assert_eq!(body_preview(b"\xff\xfeok"), "\u{FFFD}\u{FFFD}ok");
    }
}
