//! The incident Timeline: entries in time order, a filter, and the cursor.

use crate::core::cursor::ListCursor;
use crate::core::timeline::TimelineEntry;
use chrono::{DateTime, Utc};

/// Entries kept before the oldest are dropped (counted, never silently).
pub const MAX_ENTRIES: usize = 100_000;

/// Timeline entries with their filter and selection.
#[derive(Debug, Clone)]
pub struct Timeline {
    entries: Vec<TimelineEntry>,
    filter: String,
    /// Indices into `entries` that match `filter`, ascending (= oldest first).
    matching: Vec<usize>,
    pub newest_first: bool,
    pub cursor: ListCursor,
    pub dropped: u64,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline {
            entries: Vec::new(),
            filter: String::new(),
            matching: Vec::new(),
            newest_first: true,
            cursor: ListCursor::default(),
            dropped: 0,
        }
    }
}

impl Timeline {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Rows shown with the filter applied.
    pub fn visible_len(&self) -> usize {
        self.matching.len()
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// All entries, oldest first (for export).
    pub fn entries(&self) -> &[TimelineEntry] {
        &self.entries
    }

    /// Entries that match the filter, oldest first.
    pub fn matching(&self) -> impl Iterator<Item = &TimelineEntry> {
        self.matching.iter().map(|&i| &self.entries[i])
    }

    /// The entry shown at display row `row`, honouring order and filter.
    pub fn row(&self, row: usize) -> Option<&TimelineEntry> {
        let n = self.matching.len();
        if row >= n {
            return None;
        }
        let pos = if self.newest_first { n - 1 - row } else { row };
        self.matching.get(pos).map(|&i| &self.entries[i])
    }

    pub fn selected(&self) -> Option<&TimelineEntry> {
        self.row(self.cursor.selected)
    }

    /// Adds an entry in time order; the selection follows the newest entry
    /// when it was on it, and otherwise stays on the entry it was on.
    pub fn push(&mut self, entry: TimelineEntry) {
        let following = self.is_following();
        let at = entry.at;
        let idx = self.entries.partition_point(|e| e.at <= at);
        let matches = matches(&entry, &self.filter);
        self.entries.insert(idx, entry);
        if idx + 1 == self.entries.len() {
            if matches {
                self.matching.push(idx);
            }
        } else {
            self.recompute();
        }
        if following {
            self.follow_newest();
        } else if matches {
            // Keep the selection on its entry if the new row lands above it.
            let pos = self.matching.partition_point(|&i| i < idx);
            let row = if self.newest_first {
                self.matching.len() - 1 - pos
            } else {
                pos
            };
            if row <= self.cursor.selected {
                self.cursor.selected += 1;
            }
        }
        if self.entries.len() > MAX_ENTRIES {
            self.entries.remove(0);
            self.dropped += 1;
            if !self.newest_first {
                self.cursor.selected = self.cursor.selected.saturating_sub(1);
            }
            self.recompute();
        }
        self.cursor.clamp(self.visible_len());
    }

    /// True when the selection is on the newest visible entry.
    fn is_following(&self) -> bool {
        let n = self.visible_len();
        n == 0
            || (self.newest_first && self.cursor.selected == 0)
            || (!self.newest_first && self.cursor.selected + 1 >= n)
    }

    fn follow_newest(&mut self) {
        if self.newest_first {
            self.cursor.to_first();
        } else {
            self.cursor.to_last(self.visible_len());
        }
    }

    /// Case-insensitive substring filter over severity, origin and text.
    pub fn set_filter(&mut self, filter: &str) {
        self.filter = filter.trim().to_lowercase();
        self.recompute();
        self.follow_newest();
    }

    pub fn toggle_order(&mut self) {
        let n = self.visible_len();
        self.newest_first = !self.newest_first;
        if n > 0 {
            self.cursor.selected = n - 1 - self.cursor.selected.min(n - 1);
        }
    }

    fn recompute(&mut self) {
        let filter = &self.filter;
        self.matching = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| matches(e, filter))
            .map(|(i, _)| i)
            .collect();
        self.cursor.clamp(self.visible_len());
    }
}

impl Timeline {
    /// The whole timeline, oldest first, as a Markdown document.
    pub fn to_markdown(&self, exported_at: DateTime<Utc>) -> String {
        let mut out = format!(
            "# Incident timeline\n\nExported by opsdeck at {} UTC; {} entries.\n\n",
            exported_at.format("%Y-%m-%d %H:%M:%S"),
            self.entries.len()
        );
        if self.dropped > 0 {
            out.push_str(&format!("{} older entries were dropped.\n\n", self.dropped));
        }
        out.push_str("| time (UTC) | severity | source | event |\n|---|---|---|---|\n");
        for e in &self.entries {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                e.at.format("%Y-%m-%d %H:%M:%S"),
                e.severity.label(),
                md_cell(&e.origin.to_string()),
                md_cell(e.text.as_str())
            ));
        }
        out
    }
}

/// Keeps a table cell on one line and its pipes literal, and makes it
/// safe to `cat`: every cell of an export passes here.
pub fn md_cell(s: &str) -> String {
    crate::core::sanitize::safe(&s.replace(['\n', '\r'], " "))
        .replace('\\', "\\\\")
        .replace('|', "\\|")
}

fn matches(entry: &TimelineEntry, filter_lower: &str) -> bool {
    if filter_lower.is_empty() {
        return true;
    }
    entry.text.as_str().to_lowercase().contains(filter_lower)
        || entry
            .origin
            .to_string()
            .to_lowercase()
            .contains(filter_lower)
        || entry.severity.label().to_lowercase().contains(filter_lower)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::{Severity, SourceId};
    use crate::core::timeline::Origin;
    use chrono::{TimeZone, Utc};

    fn entry(sec: i64, text: &str) -> TimelineEntry {
        TimelineEntry::new(
            Utc.timestamp_opt(1_800_000_000 + sec, 0).unwrap(),
            Severity::Info,
            Origin::Source(SourceId::Demo),
            text,
        )
    }

    #[test]
    fn newest_first_shows_latest_on_top() {
        let mut t = Timeline::default();
        t.push(entry(1, "a"));
        t.push(entry(2, "b"));
        assert_eq!(t.row(0).unwrap().text, "b");
        t.toggle_order();
        assert_eq!(t.row(0).unwrap().text, "a");
    }

    #[test]
    fn late_entries_are_placed_in_time_order() {
        let mut t = Timeline::default();
        t.push(entry(10, "late"));
        t.push(entry(5, "early"));
        t.newest_first = false;
        assert_eq!(t.row(0).unwrap().text, "early");
    }

    #[test]
    fn selection_stays_on_its_entry_when_not_following() {
        let mut t = Timeline::default();
        for i in 0..5 {
            t.push(entry(i, &format!("e{i}")));
        }
        t.cursor.move_by(2, t.visible_len());
        assert_eq!(t.selected().unwrap().text, "e2");
        t.push(entry(9, "new"));
        assert_eq!(t.selected().unwrap().text, "e2");
    }

    #[test]
    fn a_late_entry_below_the_selection_does_not_move_it() {
        let mut t = Timeline::default();
        for i in [0, 10, 20, 30] {
            t.push(entry(i, &format!("e{i}")));
        }
        t.cursor.move_by(1, t.visible_len());
        assert_eq!(t.selected().unwrap().text, "e20");
        t.push(entry(5, "late, older"));
        assert_eq!(t.selected().unwrap().text, "e20");
        t.push(entry(25, "late, newer"));
        assert_eq!(t.selected().unwrap().text, "e20");
        t.toggle_order();
        t.push(entry(1, "late, oldest-first"));
        assert_eq!(t.selected().unwrap().text, "e20");
    }

    #[test]
    fn selection_follows_newest_when_on_it() {
        let mut t = Timeline::default();
        t.push(entry(1, "a"));
        t.push(entry(2, "b"));
        assert_eq!(t.selected().unwrap().text, "b");
        t.newest_first = false;
        t.cursor.to_last(2);
        t.push(entry(3, "c"));
        assert_eq!(t.selected().unwrap().text, "c");
    }

    #[test]
    fn filter_matches_text_origin_and_severity_case_insensitively() {
        let mut t = Timeline::default();
        t.push(entry(1, "payment-service OOMKilled"));
        t.push(entry(2, "lag growing"));
        t.set_filter("oomkilled");
        assert_eq!(t.visible_len(), 1);
        t.set_filter("DEMO");
        assert_eq!(t.visible_len(), 2);
        t.set_filter("");
        assert_eq!(t.visible_len(), 2);
        t.set_filter("nothing");
        assert_eq!(t.visible_len(), 0);
        assert!(t.selected().is_none());
    }

    #[test]
    fn markdown_export_is_a_table_oldest_first_with_cells_escaped() {
        let mut t = Timeline::default();
        t.push(entry(2, "b | with pipe\nand newline"));
        t.push(entry(1, "a"));
        let md = t.to_markdown(Utc.timestamp_opt(1_800_000_100, 0).unwrap());
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| 2027")).collect();
        assert_eq!(rows.len(), 2, "{md}");
        assert!(rows[0].ends_with("| a |"), "{}", rows[0]);
        // A newline was made a visible mark when the entry was made.
        assert!(
            rows[1].ends_with("| b \\| with pipe\u{240A}and newline |"),
            "{}",
            rows[1]
        );
        assert!(md.starts_with("# Incident timeline"));
    }

    #[test]
    fn oldest_entries_are_dropped_and_counted() {
        let mut t = Timeline::default();
        for i in 0..(MAX_ENTRIES as i64 + 3) {
            t.push(entry(i, "x"));
        }
        assert_eq!(t.len(), MAX_ENTRIES);
        assert_eq!(t.dropped, 3);
    }
}
