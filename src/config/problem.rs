//! A problem found in a user file: where it is and what is wrong.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One broken entry in a config, keymap or theme file. The entry was skipped
/// and the rest of the file loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based; `None` when the whole file is affected (unreadable).
    pub line: Option<usize>,
    /// Dotted path of the key, e.g. `global.prepend_keymap[2].run`.
    pub key: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        // A key from the file may hold escape sequences: shown made safe.
        if !self.key.is_empty() {
            write!(f, " {}", crate::core::sanitize::safe(&self.key))?;
        }
        write!(f, ": {}", crate::core::sanitize::safe(&self.message))
    }
}

/// The text of a file being read, to turn byte spans into line numbers.
#[derive(Debug, Clone, Copy)]
pub struct SourceText<'a> {
    pub file: &'a Path,
    pub text: &'a str,
}

impl<'a> SourceText<'a> {
    pub fn new(file: &'a Path, text: &'a str) -> Self {
        SourceText { file, text }
    }

    pub fn line_of(&self, span: Option<Range<usize>>) -> Option<usize> {
        let start = span?.start.min(self.text.len());
        Some(
            self.text.as_bytes()[..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1,
        )
    }

    pub fn problem(
        &self,
        span: Option<Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            file: self.file.to_path_buf(),
            line: self.line_of(span),
            key: key.into(),
            message: message.into(),
        }
    }

    /// Parses the file as TOML, keeping spans; a syntax error is one problem.
    pub fn parse(&self) -> Result<toml_edit::Document<&'a str>, Problem> {
        toml_edit::Document::parse(self.text).map_err(|e| {
            let message = e.message().trim().to_string();
            self.problem(e.span(), "", format!("not valid TOML: {message}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_the_line() {
        let text = "[ui]\ntheme = \"dark\"\nmouse = = true\n";
        let src = SourceText::new(Path::new("config.toml"), text);
        let p = src.parse().unwrap_err();
        assert_eq!(p.line, Some(3));
        assert!(
            p.to_string().starts_with("config.toml:3: not valid TOML"),
            "{p}"
        );
    }
}
