//! Small helpers for the SQL opsdeck sends.

/// Starts every statement opsdeck sends, so the statements view can leave
/// opsdeck's own polling out of the top list.
pub const TAG: &str = "/* opsdeck */";

/// `name` as a quoted SQL identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_and_quotes_doubled() {
        assert_eq!(quote_ident("public"), "\"public\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
