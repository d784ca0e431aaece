//! The Overview's selection and `/` filter over the board's rows.

use super::board::Board;
use crate::core::cursor::ListCursor;

#[derive(Debug, Clone, Default)]
pub struct OverviewView {
    pub cursor: ListCursor,
    pub filter: String,
    /// Indices into `Board::rows` that pass the filter, in board order.
    pub rows: Vec<usize>,
    /// The service the user moved the cursor to, kept across rebuilds
    /// that reorder; until then the cursor stays on the worst.
    picked: Option<String>,
}

impl OverviewView {
    /// Recomputes the rows after the board or the filter changed; the
    /// cursor stays on the same service when it is still shown.
    pub fn refresh(&mut self, board: &Board) {
        let needle = self.filter.to_lowercase();
        self.rows = board
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| needle.is_empty() || r.name.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect();
        if let Some(name) = &self.picked
            && let Some(pos) = self.rows.iter().position(|i| &board.rows[*i].name == name)
        {
            self.cursor.selected = pos;
        }
        self.cursor.clamp(self.rows.len());
    }

    /// The user moved the cursor: it follows this service from now on.
    pub fn pick(&mut self, board: &Board) {
        self.picked = self
            .rows
            .get(self.cursor.selected)
            .map(|i| board.rows[*i].name.clone());
    }

    pub fn selected_name<'a>(&self, board: &'a Board) -> Option<&'a str> {
        self.rows
            .get(self.cursor.selected)
            .map(|i| board.rows[*i].name.as_str())
    }
}
