//! Shell-style `*` patterns, as config files spell namespaces and group names.

/// `*` matches any run of characters; everything else matches itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_shell_stars() {
        assert!(glob_match("prod*", "production"));
        assert!(glob_match("*-prod", "eu-prod"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("*-prod", "prod-eu"));
        assert!(!glob_match("production", "production-2"));
        assert!(!glob_match("a*a", "a"));
    }
}
