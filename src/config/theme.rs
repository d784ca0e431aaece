//! Themes: semantic style slots read from TOML, with `extends`, fitted to the
//! terminal's colours. Built-ins are embedded; user themes override them.

use super::problem::{Problem, SourceText};
use crate::shared::color::{ColorSupport, fit, parse_color};
use crate::shared::theme::{SLOTS, Theme};
use ratatui::style::{Color, Modifier, Style};
use std::path::{Path, PathBuf};
use toml_edit::{Item, Value};

/// The themes shipped in `themes/`, embedded.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

impl Theme {
    fn slot_mut(&mut self, name: &str) -> Option<&mut Style> {
        Some(match name {
            "text" => &mut self.text,
            "muted" => &mut self.muted,
            "accent" => &mut self.accent,
            "ok" => &mut self.ok,
            "warn" => &mut self.warn,
            "crit" => &mut self.crit,
            "stale" => &mut self.stale,
            "selection" => &mut self.selection,
            "border" => &mut self.border,
            "title" => &mut self.title,
            "header" => &mut self.header,
            "tab_active" => &mut self.tab_active,
            "tab_inactive" => &mut self.tab_inactive,
            "key" => &mut self.key,
            "input" => &mut self.input,
            "readonly" => &mut self.readonly,
            _ => return None,
        })
    }

    /// Fits every colour to what the terminal supports.
    pub fn fitted(mut self, support: ColorSupport) -> Theme {
        for name in SLOTS {
            if let Some(style) = self.slot_mut(name) {
                style.fg = style.fg.map(|c| fit(c, support));
                style.bg = style.bg.map(|c| fit(c, support));
                style.underline_color = style.underline_color.map(|c| fit(c, support));
            }
        }
        self.heat = self.heat.iter().map(|c| fit(*c, support)).collect();
        self
    }
}

/// A theme file that can be looked up by name.
#[derive(Debug, Clone)]
pub struct ThemeFile {
    pub name: String,
    pub path: PathBuf,
    pub text: String,
}

/// All themes a user can pick: their own first, then the built-ins.
#[derive(Debug, Clone, Default)]
pub struct ThemeSet {
    user: Vec<ThemeFile>,
}

impl ThemeSet {
    pub fn new(user: Vec<ThemeFile>) -> Self {
        ThemeSet { user }
    }

    /// Every theme name, for completion and `check`.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.user.iter().map(|f| f.name.clone()).collect();
        for (n, _) in BUILT_IN {
            if !names.iter().any(|u| u == n) {
                names.push((*n).to_string());
            }
        }
        names
    }

    fn find(&self, name: &str) -> Option<(PathBuf, &str)> {
        if let Some(f) = self.user.iter().find(|f| f.name == name) {
            return Some((f.path.clone(), f.text.as_str()));
        }
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| (PathBuf::from(format!("themes/{n}.toml (built-in)")), *text))
    }

    /// Resolves a theme through its `extends` chain. Broken entries are
    /// skipped and reported; an unknown name is an error.
    pub fn resolve(
        &self,
        name: &str,
        support: ColorSupport,
    ) -> Result<(Theme, Vec<Problem>), String> {
        let mut chain = Vec::new();
        let mut problems = Vec::new();
        let mut next = Some(name.to_string());
        while let Some(n) = next.take() {
            if chain
                .iter()
                .any(|(c, _, _): &(String, PathBuf, &str)| *c == n)
            {
                problems.push(Problem {
                    file: chain.last().map(|c| c.1.clone()).unwrap_or_default(),
                    line: None,
                    key: "extends".into(),
                    message: format!("extends {n:?} again: a cycle; stopped there"),
                });
                break;
            }
            let Some((path, text)) = self.find(&n) else {
                if chain.is_empty() {
                    return Err(format!(
                        "unknown theme {n:?}; known: {}",
                        self.names().join(", ")
                    ));
                }
                problems.push(Problem {
                    file: chain.last().map(|c| c.1.clone()).unwrap_or_default(),
                    line: None,
                    key: "extends".into(),
                    message: format!("unknown theme {n:?}"),
                });
                break;
            };
            next = extends_of(text);
            chain.push((n, path, text));
        }
        let mut theme = Theme::default();
        for (_, path, text) in chain.iter().rev() {
            apply_file(&mut theme, SourceText::new(path, text), &mut problems);
        }
        theme.name = name.to_string();
        Ok((theme.fitted(support), problems))
    }
}

fn extends_of(text: &str) -> Option<String> {
    let doc = toml_edit::Document::parse(text).ok()?;
    doc.get("extends")?.as_str().map(str::to_string)
}

fn apply_file(theme: &mut Theme, src: SourceText<'_>, problems: &mut Vec<Problem>) {
    let doc = match src.parse() {
        Ok(d) => d,
        Err(p) => return problems.push(p),
    };
    for (key, item) in doc.iter() {
        let span = doc.key(key).and_then(|k| k.span());
        let result = match key {
            "extends" => item
                .as_str()
                .map(|_| ())
                .ok_or_else(|| "expected a theme name".to_string()),
            "heat" => parse_heat(item).map(|h| theme.heat = h),
            _ => match theme.slot_mut(key) {
                Some(slot) => parse_style(item).map(|s| *slot = s),
                None => Err(format!(
                    "unknown slot; expected one of {}, heat, extends",
                    SLOTS.join(", ")
                )),
            },
        };
        if let Err(msg) = result {
            problems.push(src.problem(span, key, format!("{msg} (entry skipped)")));
        }
    }
}

fn parse_heat(item: &Item) -> Result<Vec<Color>, String> {
    let array = item.as_array().ok_or("expected an array of colours")?;
    let colors = array
        .iter()
        .map(|v| {
            v.as_str()
                .ok_or_else(|| "expected colour names".to_string())
                .and_then(parse_color)
        })
        .collect::<Result<Vec<_>, _>>()?;
    if colors.len() < 2 {
        return Err("a heat ramp needs at least 2 colours".into());
    }
    Ok(colors)
}

/// A style table: `{ fg = "red", bg = "#101010", bold = true }`.
fn parse_style(item: &Item) -> Result<Style, String> {
    let table = item
        .as_table_like()
        .ok_or("expected a style table like { fg = \"red\" }")?;
    let mut style = Style::default();
    for (key, value) in table.iter() {
        let value = value
            .as_value()
            .ok_or_else(|| format!("{key}: expected a value"))?;
        match key {
            "fg" => style.fg = Some(parse_color(str_of(key, value)?)?),
            "bg" => style.bg = Some(parse_color(str_of(key, value)?)?),
            "bold" | "italic" | "underline" | "dim" | "reversed" => {
                let on = value
                    .as_bool()
                    .ok_or_else(|| format!("{key}: expected true or false"))?;
                let m = match key {
                    "bold" => Modifier::BOLD,
                    "italic" => Modifier::ITALIC,
                    "underline" => Modifier::UNDERLINED,
                    "dim" => Modifier::DIM,
                    _ => Modifier::REVERSED,
                };
                style = if on {
                    style.add_modifier(m)
                } else {
                    style.remove_modifier(m)
                };
            }
            other => return Err(format!("unknown style field {other:?}")),
        }
    }
    Ok(style)
}

fn str_of<'v>(key: &str, value: &'v Value) -> Result<&'v str, String> {
    value
        .as_str()
        .ok_or_else(|| format!("{key}: expected a colour name"))
}

/// Reads user themes from a directory; unreadable files become problems.
pub fn read_user_themes(dir: &Path) -> (Vec<ThemeFile>, Vec<Problem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (files, problems);
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push(ThemeFile { name, path, text }),
            Err(e) => problems.push(Problem {
                file: path,
                line: None,
                key: String::new(),
                message: format!("cannot read: {e}"),
            }),
        }
    }
    (files, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_resolves_cleanly() {
        let set = ThemeSet::default();
        for (name, _) in BUILT_IN {
            let (theme, problems) = set.resolve(name, ColorSupport::TrueColor).unwrap();
            assert!(problems.is_empty(), "{name}: {problems:?}");
            assert_eq!(theme.name, *name);
        }
    }

    #[test]
    fn extends_overrides_only_what_it_sets() {
        let user = ThemeFile {
            name: "mine".into(),
            path: "mine.toml".into(),
            text: "extends = \"dark\"\ncrit = { fg = \"#ff00ff\", bold = true }\n".into(),
        };
        let set = ThemeSet::new(vec![user]);
        let (dark, _) = set.resolve("dark", ColorSupport::TrueColor).unwrap();
        let (mine, problems) = set.resolve("mine", ColorSupport::TrueColor).unwrap();
        assert!(problems.is_empty());
        assert_eq!(mine.crit.fg, Some(Color::Rgb(255, 0, 255)));
        assert_eq!(mine.ok, dark.ok);
    }

    #[test]
    fn broken_slots_are_skipped_and_reported() {
        let user = ThemeFile {
            name: "bad".into(),
            path: "bad.toml".into(),
            text: "extends = \"dark\"\nok = { fg = \"chartreuse\" }\nwat = { fg = \"red\" }\nwarn = { fg = \"yellow\" }\n".into(),
        };
        let set = ThemeSet::new(vec![user]);
        let (theme, problems) = set.resolve("bad", ColorSupport::TrueColor).unwrap();
        let texts: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert!(
            texts[0].starts_with("bad.toml:2 ok: unknown colour \"chartreuse\""),
            "{}",
            texts[0]
        );
        assert!(
            texts[1].starts_with("bad.toml:3 wat: unknown slot"),
            "{}",
            texts[1]
        );
        assert_eq!(theme.warn.fg, Some(Color::Yellow));
    }

    #[test]
    fn cycles_and_unknown_names_are_reported() {
        let a = ThemeFile {
            name: "a".into(),
            path: "a.toml".into(),
            text: "extends = \"b\"\n".into(),
        };
        let b = ThemeFile {
            name: "b".into(),
            path: "b.toml".into(),
            text: "extends = \"a\"\n".into(),
        };
        let set = ThemeSet::new(vec![a, b]);
        let (_, problems) = set.resolve("a", ColorSupport::TrueColor).unwrap();
        assert!(problems[0].message.contains("cycle"));
        assert!(set.resolve("nope", ColorSupport::TrueColor).is_err());
    }

    #[test]
    fn mono_support_strips_every_colour() {
        let (theme, _) = ThemeSet::default()
            .resolve("dark", ColorSupport::Mono)
            .unwrap();
        for name in SLOTS {
            let mut t = theme.clone();
            let s = *t.slot_mut(name).unwrap();
            assert!(matches!(s.fg, None | Some(Color::Reset)), "{name}");
            assert!(matches!(s.bg, None | Some(Color::Reset)), "{name}");
        }
    }
}
