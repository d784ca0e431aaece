//! The Console tab: which level it shows and tui-logger's scroll state.

use crate::shared::feature::{Feature, Page, Screen};
use ratatui::Frame;
use ratatui::layout::Rect;
use tui_logger::{LevelFilter, TuiWidgetEvent, TuiWidgetState};

pub struct ConsoleTab {
    pub level: LevelFilter,
    pub widget: TuiWidgetState,
}

impl std::fmt::Debug for ConsoleTab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleTab")
            .field("level", &self.level)
            .finish()
    }
}

/// A copy shows the same level from the newest line: the widget's scroll
/// is where the user was, not data (a replay's checkpoints copy the model).
impl Clone for ConsoleTab {
    fn clone(&self) -> Self {
        ConsoleTab::new(self.level)
    }
}

impl Default for ConsoleTab {
    fn default() -> Self {
        ConsoleTab::new(LevelFilter::Info)
    }
}

/// Levels from none to all, as `+` and `-` step through them.
const LEVELS: [LevelFilter; 6] = [
    LevelFilter::Off,
    LevelFilter::Error,
    LevelFilter::Warn,
    LevelFilter::Info,
    LevelFilter::Debug,
    LevelFilter::Trace,
];

impl ConsoleTab {
    pub fn new(level: LevelFilter) -> ConsoleTab {
        ConsoleTab {
            level,
            widget: TuiWidgetState::new().set_default_display_level(level),
        }
    }

    pub fn set_level(&mut self, level: LevelFilter) {
        *self = ConsoleTab::new(level);
    }

    /// `+` / `-`: one level more or less; returns the level now shown.
    pub fn step_level(&mut self, more: bool) -> LevelFilter {
        let i = LEVELS.iter().position(|l| *l == self.level).unwrap_or(3);
        let next = if more {
            (i + 1).min(LEVELS.len() - 1)
        } else {
            i.saturating_sub(1)
        };
        self.set_level(LEVELS[next]);
        LEVELS[next]
    }
}

impl Feature for ConsoleTab {
    /// tui-logger scrolls by pages; End follows the newest line again.
    fn move_by(&mut self, delta: isize, _page: Page) {
        let event = if delta < 0 {
            TuiWidgetEvent::PrevPageKey
        } else if delta >= isize::MAX / 2 {
            TuiWidgetEvent::EscapeKey
        } else {
            TuiWidgetEvent::NextPageKey
        };
        self.widget.transition(event);
    }

    fn fit(&mut self, _page: Page) {}

    fn filter(&self) -> Result<String, &'static str> {
        Err("the Console filters by level: + and -")
    }

    fn set_filter(&mut self, _text: &str) -> Result<(), String> {
        Ok(())
    }

    fn toggle_detail(&mut self) {}

    fn close(&mut self) -> bool {
        false
    }

    fn draw(&self, frame: &mut Frame, area: Rect, screen: &Screen<'_>) {
        super::draw::draw(frame, area, screen.theme, self)
    }
}
