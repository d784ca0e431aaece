//! Selection and scroll position of a list, kept in the model so drawing
//! stays a pure function of state.

/// Selected row and first visible row of a list of `len` rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListCursor {
    pub selected: usize,
    pub top: usize,
}

impl ListCursor {
    /// Moves the selection by `delta` rows, clamped to the list.
    pub fn move_by(&mut self, delta: isize, len: usize) {
        let last = len.saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn to_first(&mut self) {
        self.selected = 0;
    }

    pub fn to_last(&mut self, len: usize) {
        self.selected = len.saturating_sub(1);
    }

    /// Keeps the selection inside a list that may have shrunk.
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
        self.top = self.top.min(self.selected);
    }

    /// Adjusts `top` so the selected row is one of the `rows` visible ones.
    /// Moves by `delta` within `len` rows and keeps the selection among
    /// the `rows` on screen.
    pub fn step(&mut self, delta: isize, len: usize, rows: usize) {
        self.move_by(delta, len);
        self.scroll_into_view(rows);
    }

    /// Keeps the selection inside `len` rows and among the `rows` on
    /// screen, after either changed.
    pub fn fit(&mut self, len: usize, rows: usize) {
        self.clamp(len);
        self.scroll_into_view(rows);
    }

    pub fn scroll_into_view(&mut self, rows: usize) {
        let rows = rows.max(1);
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + rows {
            self.top = self.selected + 1 - rows;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_are_clamped_to_the_list() {
        let mut c = ListCursor::default();
        c.move_by(-3, 10);
        assert_eq!(c.selected, 0);
        c.move_by(25, 10);
        assert_eq!(c.selected, 9);
        c.move_by(1, 0);
        assert_eq!(c.selected, 0);
    }

    #[test]
    fn scrolling_keeps_the_selection_visible() {
        let mut c = ListCursor::default();
        c.move_by(12, 100);
        c.scroll_into_view(5);
        assert_eq!(c.top, 8);
        c.move_by(-10, 100);
        c.scroll_into_view(5);
        assert_eq!(c.top, 2);
    }

    #[test]
    fn clamp_follows_a_shrinking_list() {
        let mut c = ListCursor {
            selected: 40,
            top: 38,
        };
        c.clamp(10);
        assert_eq!(
            c,
            ListCursor {
                selected: 9,
                top: 9
            }
        );
    }
}
