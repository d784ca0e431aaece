//! `config.toml`: every section optional, every unknown key reported.

use super::problem::{Problem, SourceText};
use std::path::PathBuf;
use toml_edit::{Item, Table};

/// Settings from `config.toml`, with defaults for anything not given.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Refuse every remediation action.
    pub readonly: bool,
    pub theme: String,
    pub mouse: bool,
    /// Upper bound on frames drawn per second.
    pub fps: u32,
    /// Show the header clock in UTC (default: war rooms span time zones).
    pub clock_utc: bool,
    pub timeline_newest_first: bool,
    /// Where `e` writes timeline exports; `None` means the state directory.
    pub export_dir: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            readonly: false,
            theme: "dark".into(),
            mouse: true,
            fps: 30,
            clock_utc: true,
            timeline_newest_first: true,
            export_dir: None,
        }
    }
}

impl Settings {
    /// Reads a config file over the defaults; broken entries are skipped and reported.
    pub fn load(src: SourceText<'_>) -> (Settings, Vec<Problem>) {
        let mut settings = Settings::default();
        let mut r = Reader {
            src,
            problems: Vec::new(),
        };
        let doc = match src.parse() {
            Ok(d) => d,
            Err(p) => return (settings, vec![p]),
        };
        let root = doc.as_table();
        r.check_keys(root, "", &["readonly", "ui", "timeline"]);
        r.bool(root, "", "readonly", &mut settings.readonly);
        if let Some(ui) = r.section(root, "ui") {
            r.check_keys(ui, "ui.", &["theme", "mouse", "fps", "clock"]);
            r.string(ui, "ui.", "theme", &mut settings.theme);
            r.bool(ui, "ui.", "mouse", &mut settings.mouse);
            r.int(ui, "ui.", "fps", 1..=120, &mut settings.fps);
            let mut clock = if settings.clock_utc { "utc" } else { "local" }.to_string();
            r.string(ui, "ui.", "clock", &mut clock);
            match clock.as_str() {
                "utc" => settings.clock_utc = true,
                "local" => settings.clock_utc = false,
                _ => r.report(ui, "ui.", "clock", "expected \"utc\" or \"local\""),
            }
        }
        if let Some(t) = r.section(root, "timeline") {
            r.check_keys(t, "timeline.", &["newest_first", "export_dir"]);
            r.bool(
                t,
                "timeline.",
                "newest_first",
                &mut settings.timeline_newest_first,
            );
            let mut dir = String::new();
            r.string(t, "timeline.", "export_dir", &mut dir);
            if !dir.is_empty() {
                settings.export_dir = Some(PathBuf::from(dir));
            }
        }
        let mut problems = r.problems;
        problems.sort_by_key(|p| p.line);
        (settings, problems)
    }
}

/// Typed reads from a TOML table that record a problem instead of failing.
struct Reader<'a> {
    src: SourceText<'a>,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn report(&mut self, table: &Table, prefix: &str, key: &str, message: &str) {
        let span = table.key(key).and_then(|k| k.span());
        let problem = self.src.problem(span, format!("{prefix}{key}"), message);
        self.problems.push(problem);
    }

    fn check_keys(&mut self, table: &Table, prefix: &str, known: &[&str]) {
        for (key, _) in table.iter() {
            if !known.contains(&key) {
                let msg = format!("unknown key; expected one of {}", known.join(", "));
                self.report(table, prefix, key, &msg);
            }
        }
    }

    fn section<'t>(&mut self, root: &'t Table, name: &str) -> Option<&'t Table> {
        match root.get(name) {
            None => None,
            Some(Item::Table(t)) => Some(t),
            Some(_) => {
                self.report(root, "", name, "expected a section like [name]");
                None
            }
        }
    }

    fn bool(&mut self, t: &Table, prefix: &str, key: &str, out: &mut bool) {
        if let Some(item) = t.get(key) {
            match item.as_bool() {
                Some(v) => *out = v,
                None => self.report(t, prefix, key, "expected true or false"),
            }
        }
    }

    fn string(&mut self, t: &Table, prefix: &str, key: &str, out: &mut String) {
        if let Some(item) = t.get(key) {
            match item.as_str() {
                Some(v) => *out = v.to_string(),
                None => self.report(t, prefix, key, "expected a string"),
            }
        }
    }

    fn int(
        &mut self,
        t: &Table,
        prefix: &str,
        key: &str,
        range: std::ops::RangeInclusive<u32>,
        out: &mut u32,
    ) {
        if let Some(item) = t.get(key) {
            match item
                .as_integer()
                .and_then(|v| u32::try_from(v).ok())
                .filter(|v| range.contains(v))
            {
                Some(v) => *out = v,
                None => {
                    let msg = format!(
                        "expected a whole number from {} to {}",
                        range.start(),
                        range.end()
                    );
                    self.report(t, prefix, key, &msg);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(text: &str) -> (Settings, Vec<String>) {
        let (s, p) = Settings::load(SourceText::new(Path::new("config.toml"), text));
        (s, p.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        assert_eq!(load(""), (Settings::default(), vec![]));
    }

    #[test]
    fn values_are_read() {
        let (s, p) = load(
            "readonly = true\n[ui]\ntheme = \"light\"\nmouse = false\nfps = 10\nclock = \"local\"\n[timeline]\nnewest_first = false\nexport_dir = \"/tmp/x\"\n",
        );
        assert!(p.is_empty(), "{p:?}");
        assert!(s.readonly && !s.mouse && !s.clock_utc && !s.timeline_newest_first);
        assert_eq!((s.theme.as_str(), s.fps), ("light", 10));
        assert_eq!(s.export_dir, Some(PathBuf::from("/tmp/x")));
    }

    #[test]
    fn bad_entries_are_reported_with_lines_and_the_rest_loads() {
        let (s, p) =
            load("[ui]\ntheme = 3\nmous = false\nfps = 500\n\n[timeline]\nnewest_first = false\n");
        assert_eq!(
            p,
            [
                "config.toml:2 ui.theme: expected a string",
                "config.toml:3 ui.mous: unknown key; expected one of theme, mouse, fps, clock",
                "config.toml:4 ui.fps: expected a whole number from 1 to 120",
            ]
        );
        assert_eq!(s.theme, "dark");
        assert!(!s.timeline_newest_first);
    }
}
