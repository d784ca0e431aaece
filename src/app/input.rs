//! The one-line text input used for `:` commands, `/` filters and notes.
//! Editing comes from `tui-input`; completion and history are ours.

use crate::config::keys::KeyPress;
use crossterm::event::{KeyCode, KeyModifiers};
use tui_input::{Input, InputRequest};

/// What the typed text is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputKind {
    Command,
    /// Live filter; keeps the filter that was active before, for Esc.
    Filter {
        previous: String,
    },
    Note,
    /// Logs search.
    Find,
}

impl InputKind {
    pub fn prompt(&self) -> &'static str {
        match self {
            InputKind::Command => ":",
            InputKind::Filter { .. } => "/",
            InputKind::Note => "note: ",
            InputKind::Find => "find: ",
        }
    }
}

/// An open input line.
#[derive(Debug, Clone)]
pub struct LineInput {
    pub kind: InputKind,
    pub input: Input,
    /// Candidates for the word being completed, shown above the line.
    pub completions: Vec<String>,
    pub completion_index: Option<usize>,
    /// Text before completion started, so cycling can restore the prefix.
    completion_base: String,
    history_pos: Option<usize>,
}

impl LineInput {
    pub fn new(kind: InputKind, text: &str) -> Self {
        LineInput {
            kind,
            input: Input::new(text.to_string()),
            completions: Vec::new(),
            completion_index: None,
            completion_base: String::new(),
            history_pos: None,
        }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    /// Applies an editing key; returns whether the text changed.
    pub fn edit(&mut self, key: KeyPress) -> bool {
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        let req = match key.code {
            KeyCode::Char('w') if ctrl => InputRequest::DeletePrevWord,
            KeyCode::Char('u') if ctrl => InputRequest::DeleteFromStart,
            KeyCode::Char(_) if ctrl || key.mods.contains(KeyModifiers::ALT) => return false,
            KeyCode::Char(c) => InputRequest::InsertChar(c),
            KeyCode::Backspace => InputRequest::DeletePrevChar,
            KeyCode::Delete => InputRequest::DeleteNextChar,
            KeyCode::Left => InputRequest::GoToPrevChar,
            KeyCode::Right => InputRequest::GoToNextChar,
            KeyCode::Home => InputRequest::GoToStart,
            KeyCode::End => InputRequest::GoToEnd,
            _ => return false,
        };
        let changed = self.input.handle(req).is_some_and(|c| c.value);
        if changed {
            self.completions.clear();
            self.completion_index = None;
        }
        changed
    }

    /// Cycles through `candidates` for the last word of the text.
    pub fn complete(&mut self, candidates: impl FnOnce(&str) -> Vec<String>) {
        if self.completion_index.is_none() {
            self.completion_base = self.value().to_string();
            self.completions = candidates(&self.completion_base);
            if self.completions.is_empty() {
                return;
            }
        }
        let next = self
            .completion_index
            .map_or(0, |i| (i + 1) % self.completions.len().max(1));
        let Some(choice) = self.completions.get(next) else {
            return;
        };
        let base = &self.completion_base;
        let head = match base.rfind(' ') {
            Some(i) => &base[..=i],
            None => "",
        };
        self.input = Input::new(format!("{head}{choice}"));
        self.completion_index = Some(next);
        if self.completions.len() == 1 {
            // Nothing to cycle: the next Tab completes the next word.
            self.completions.clear();
            self.completion_index = None;
        }
    }

    /// Steps through earlier commands (newest last in `history`).
    pub fn history(&mut self, history: &[String], older: bool) {
        if history.is_empty() {
            return;
        }
        let pos = match (self.history_pos, older) {
            (None, true) => history.len() - 1,
            (None, false) => return,
            (Some(p), true) => p.saturating_sub(1),
            (Some(p), false) if p + 1 < history.len() => p + 1,
            (Some(_), false) => {
                self.history_pos = None;
                self.input = Input::default();
                return;
            }
        };
        self.history_pos = Some(pos);
        self.input = Input::new(history[pos].clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_and_editing() {
        let mut l = LineInput::new(InputKind::Note, "");
        for c in "db fix".chars() {
            l.edit(KeyPress::plain(c));
        }
        l.edit(KeyPress::new(KeyCode::Backspace, KeyModifiers::NONE));
        assert_eq!(l.value(), "db fi");
        l.edit(KeyPress::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(l.value(), "db ");
    }

    #[test]
    fn completion_cycles_over_candidates_for_the_last_word() {
        let mut l = LineInput::new(InputKind::Command, "theme l");
        let cands = |_: &str| vec!["light".to_string(), "lagoon".to_string()];
        l.complete(cands);
        assert_eq!(l.value(), "theme light");
        l.complete(|_: &str| vec![]);
        assert_eq!(l.value(), "theme lagoon");
        l.complete(|_: &str| vec![]);
        assert_eq!(l.value(), "theme light");
    }

    #[test]
    fn a_single_candidate_lets_the_next_tab_complete_the_next_word() {
        let mut l = LineInput::new(InputKind::Command, "th");
        l.complete(|_: &str| vec!["theme ".to_string()]);
        assert_eq!(l.value(), "theme ");
        l.complete(|base: &str| {
            assert_eq!(base, "theme ");
            vec!["mono".to_string()]
        });
        assert_eq!(l.value(), "theme mono");
    }

    #[test]
    fn history_walks_back_and_forward() {
        let h = vec!["tab 1".to_string(), "theme light".to_string()];
        let mut l = LineInput::new(InputKind::Command, "");
        l.history(&h, true);
        assert_eq!(l.value(), "theme light");
        l.history(&h, true);
        assert_eq!(l.value(), "tab 1");
        l.history(&h, false);
        assert_eq!(l.value(), "theme light");
        l.history(&h, false);
        assert_eq!(l.value(), "");
    }
}
