//! User files over embedded defaults: config, keymap, themes. Loading never
//! fails: a broken entry is skipped and becomes a `Problem` shown to the user.

pub mod keymap;
pub mod keys;
pub mod paths;
pub mod problem;
pub mod settings;
pub mod theme;

use crate::shared::color::ColorSupport;
use crate::shared::theme::Theme;
use keymap::Keymap;
use problem::{Problem, SourceText};
use settings::Settings;
use std::path::{Path, PathBuf};
use theme::ThemeSet;

/// Everything read from disk at start-up, plus what was wrong with it.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub settings: Settings,
    pub keymap: Keymap,
    pub themes: ThemeSet,
    pub theme: Theme,
    pub color_support: ColorSupport,
    pub problems: Vec<Problem>,
}

/// Where to look for the user's files.
#[derive(Debug, Clone)]
pub struct Locations {
    pub config_file: PathBuf,
    /// Whether the user named the config file (then a missing file is a problem).
    pub config_explicit: bool,
    pub dir: PathBuf,
}

impl Locations {
    pub fn new(config: Option<PathBuf>) -> Self {
        let dir = paths::config_dir();
        Locations {
            config_explicit: config.is_some(),
            config_file: config.unwrap_or_else(|| dir.join("config.toml")),
            dir,
        }
    }
}

/// Reads a user file: missing is fine, unreadable is a problem.
fn read_optional(path: &Path, required: bool, problems: &mut Vec<Problem>) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => None,
        Err(e) => {
            problems.push(Problem {
                file: path.to_path_buf(),
                line: None,
                key: String::new(),
                message: format!("cannot read ({e}); using defaults"),
            });
            None
        }
    }
}

/// Loads config, keymap and themes. `theme_override` is `--theme`.
pub fn load(loc: &Locations, theme_override: Option<&str>, support: ColorSupport) -> Loaded {
    let mut problems = Vec::new();
    let settings = match read_optional(&loc.config_file, loc.config_explicit, &mut problems) {
        Some(text) => {
            let (s, p) = Settings::load(SourceText::new(&loc.config_file, &text));
            problems.extend(p);
            s
        }
        None => Settings::default(),
    };

    let keymap_path = loc.dir.join("keymaps.toml");
    let keymap_text = read_optional(&keymap_path, false, &mut problems);
    let (keymap, p) = Keymap::load(keymap_text.as_deref().map(|t| (keymap_path.as_path(), t)));
    problems.extend(p);

    let (user_themes, p) = theme::read_user_themes(&loc.dir.join("themes"));
    problems.extend(p);
    let themes = ThemeSet::new(user_themes);
    let wanted = if support == ColorSupport::Mono {
        "mono"
    } else {
        theme_override.unwrap_or(&settings.theme)
    };
    let theme = match themes.resolve(wanted, support) {
        Ok((t, p)) => {
            problems.extend(p);
            t
        }
        Err(msg) => {
            problems.push(Problem {
                file: loc.config_file.clone(),
                line: None,
                key: "ui.theme".into(),
                message: format!("{msg}; using dark"),
            });
            themes
                .resolve("dark", support)
                .map(|(t, _)| t)
                .unwrap_or_default()
        }
    };
    Loaded {
        settings,
        keymap,
        themes,
        theme,
        color_support: support,
        problems,
    }
}

/// The built-in defaults only, as if the user had no files (tests, benches).
pub fn defaults(theme: &str, support: ColorSupport) -> Loaded {
    let (keymap, mut problems) = Keymap::load(None);
    let themes = ThemeSet::default();
    let theme = match themes.resolve(theme, support) {
        Ok((t, p)) => {
            problems.extend(p);
            t
        }
        Err(_) => Theme::default(),
    };
    Loaded {
        settings: Settings::default(),
        keymap,
        themes,
        theme,
        color_support: support,
        problems,
    }
}
