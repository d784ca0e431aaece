//! Key presses as keymap files spell them: `q`, `G`, `<C-c>`, `<Enter>`, `<S-Tab>`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// A key with its modifiers, normalised so a file and the terminal agree
/// (`G` is `G`, not shift+`g`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyPress {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyPress {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // A shifted character already carries its case.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        KeyPress { code, mods }
    }

    pub fn plain(c: char) -> Self {
        KeyPress::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    /// Parses one key as written in a keymap file.
    pub fn parse(s: &str) -> Result<KeyPress, String> {
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(KeyPress::plain(c));
        }
        let inner = s
            .strip_prefix('<')
            .and_then(|r| r.strip_suffix('>'))
            .ok_or_else(|| {
                format!("unknown key {s:?}: write one character or <Name> like <Enter>, <C-c>")
            })?;
        let mut mods = KeyModifiers::NONE;
        let mut rest = inner;
        while let Some((prefix, tail)) = split_modifier(rest) {
            mods |= prefix;
            rest = tail;
        }
        let code = named_key(rest).ok_or_else(|| format!("unknown key {s:?}"))?;
        Ok(KeyPress::new(code, mods))
    }

    pub fn from_event(ev: &KeyEvent) -> Self {
        KeyPress::new(ev.code, ev.modifiers)
    }
}

fn split_modifier(s: &str) -> Option<(KeyModifiers, &str)> {
    let (m, tail) = s.split_once('-')?;
    if tail.is_empty() {
        return None;
    }
    let m = match m {
        "C" | "c" | "Ctrl" | "ctrl" => KeyModifiers::CONTROL,
        "A" | "a" | "M" | "Alt" | "alt" => KeyModifiers::ALT,
        "S" | "s" | "Shift" | "shift" => KeyModifiers::SHIFT,
        _ => return None,
    };
    Some((m, tail))
}

fn named_key(name: &str) -> Option<KeyCode> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(KeyCode::Char(c));
    }
    let code = match name.to_ascii_lowercase().as_str() {
        "enter" | "cr" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "backspace" | "bs" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" => KeyCode::Insert,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pageup" => KeyCode::PageUp,
        "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "lt" => KeyCode::Char('<'),
        "gt" => KeyCode::Char('>'),
        f if f.starts_with('f') => {
            let n: u8 = f[1..].parse().ok()?;
            if (1..=24).contains(&n) {
                KeyCode::F(n)
            } else {
                return None;
            }
        }
        _ => return None,
    };
    Some(code)
}

impl fmt::Display for KeyPress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) if self.mods.is_empty() => return write!(f, "{c}"),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Delete".into(),
            KeyCode::Insert => "Insert".into(),
            KeyCode::Up => "Up".into(),
            KeyCode::Down => "Down".into(),
            KeyCode::Left => "Left".into(),
            KeyCode::Right => "Right".into(),
            KeyCode::PageUp => "PageUp".into(),
            KeyCode::PageDown => "PageDown".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        let mut prefix = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            prefix.push_str("C-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            prefix.push_str("A-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            prefix.push_str("S-");
        }
        write!(f, "<{prefix}{name}>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_forms_keymaps_use() {
        for s in [
            "q", "G", "?", "<C-c>", "<Enter>", "<Esc>", "<S-Tab>", "<PageUp>", "<F5>", "<A-x>",
            "<Space>",
        ] {
            let k = KeyPress::parse(s).unwrap();
            assert_eq!(k.to_string(), s, "round trip of {s}");
        }
    }

    #[test]
    fn terminal_events_normalise_to_file_keys() {
        let shifted_g = KeyPress::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(shifted_g, KeyPress::parse("G").unwrap());
        let backtab = KeyPress::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(backtab, KeyPress::parse("<BackTab>").unwrap());
        let ctrl_c = KeyPress::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(ctrl_c, KeyPress::parse("<C-c>").unwrap());
    }

    #[test]
    fn unknown_keys_are_errors() {
        assert!(KeyPress::parse("<Nope>").is_err());
        assert!(KeyPress::parse("ab").is_err());
        assert!(KeyPress::parse("<F99>").is_err());
        assert!(KeyPress::parse("").is_err());
    }
}
