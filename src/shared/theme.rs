//! The theme's semantic style slots, as every tab draws with them;
//! `config/theme.rs` reads themes from TOML and fits them to the terminal.

use ratatui::style::{Color, Modifier, Style};

/// Styles by meaning, so tabs say `theme.crit`, never a colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Style,
    pub muted: Style,
    pub accent: Style,
    pub ok: Style,
    pub warn: Style,
    pub crit: Style,
    pub stale: Style,
    pub selection: Style,
    pub border: Style,
    pub title: Style,
    pub header: Style,
    pub tab_active: Style,
    pub tab_inactive: Style,
    pub key: Style,
    pub input: Style,
    pub readonly: Style,
    /// Low to high, for heatmaps and bars.
    pub heat: Vec<Color>,
}

/// Slot names a theme file may set (besides `extends` and `heat`).
pub const SLOTS: &[&str] = &[
    "text",
    "muted",
    "accent",
    "ok",
    "warn",
    "crit",
    "stale",
    "selection",
    "border",
    "title",
    "header",
    "tab_active",
    "tab_inactive",
    "key",
    "input",
    "readonly",
];

impl Default for Theme {
    /// The last fallback when no file can be read: terminal colours and modifiers.
    fn default() -> Self {
        let plain = Style::default();
        Theme {
            name: "default".into(),
            text: plain,
            muted: plain.add_modifier(Modifier::DIM),
            accent: plain.add_modifier(Modifier::BOLD),
            ok: plain,
            warn: plain.add_modifier(Modifier::BOLD),
            crit: plain.add_modifier(Modifier::BOLD | Modifier::REVERSED),
            stale: plain.add_modifier(Modifier::DIM),
            selection: plain.add_modifier(Modifier::REVERSED),
            border: plain,
            title: plain.add_modifier(Modifier::BOLD),
            header: plain,
            tab_active: plain.add_modifier(Modifier::REVERSED),
            tab_inactive: plain,
            key: plain.add_modifier(Modifier::BOLD),
            input: plain,
            readonly: plain.add_modifier(Modifier::REVERSED),
            heat: Vec::new(),
        }
    }
}
