//! Screen geometry, shared by drawing and by mouse hit-testing.

use crate::app::App;
use crate::app::tab::Tab;
use ratatui::layout::Rect;

/// The smallest terminal opsdeck draws in.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// The parts of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub tabs: Rect,
    pub body: Rect,
    pub status: Rect,
    pub hints: Rect,
}

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1
}

pub fn areas(area: Rect) -> Areas {
    let row = |y: u16, height: u16| Rect::new(area.x, area.y + y, area.width, height);
    let body_height = area.height.saturating_sub(4);
    Areas {
        header: row(0, 1),
        tabs: row(1, 1),
        body: row(2, body_height),
        status: row(2 + body_height, 1),
        hints: row(3 + body_height, 1),
    }
}

use crate::shared::format::DETAIL_LINES;

/// Table rows that fit in the body: minus its border, column header and detail.
pub fn list_rows((width, height): (u16, u16)) -> u16 {
    areas(Rect::new(0, 0, width, height))
        .body
        .height
        .saturating_sub(3 + DETAIL_LINES)
        .max(1)
}

/// Log lines that fit in the body: minus its border only.
pub fn log_rows((width, height): (u16, u16)) -> u16 {
    areas(Rect::new(0, 0, width, height))
        .body
        .height
        .saturating_sub(2)
        .max(1)
}

/// How much the tab bar must shrink to fit its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabBar {
    /// ` 1 Timeline ` and a space between.
    Full,
    /// ` 1 Timeline`.
    Compact,
    /// ` 1 Time`, the active tab still by its whole title.
    Short,
}

/// The label of a tab in the tab bar, e.g. ` 1 Timeline `.
pub fn tab_label(tab: Tab, bar: TabBar, active: bool) -> String {
    let n = tab.index();
    match bar {
        TabBar::Full => format!(" {n} {} ", tab.title()),
        TabBar::Compact => format!(" {n} {}", tab.title()),
        TabBar::Short if active => format!(" {n} {}", tab.title()),
        TabBar::Short => format!(" {n} {}", tab.short_title()),
    }
}

/// The widest tab bar that fits `width` with any tab active.
pub fn tab_bar(width: u16) -> TabBar {
    let fits = |bar: TabBar| {
        Tab::ALL.iter().all(|active| {
            let total: usize = Tab::ALL
                .iter()
                .map(|t| tab_label(*t, bar, t == active).chars().count() + 1)
                .sum();
            total <= usize::from(width)
        })
    };
    [TabBar::Full, TabBar::Compact]
        .into_iter()
        .find(|b| fits(*b))
        .unwrap_or(TabBar::Short)
}

/// The tab under a clicked cell, if any.
pub fn tab_at(app: &App, column: u16, row: u16) -> Option<Tab> {
    let (w, h) = app.size;
    let a = areas(Rect::new(0, 0, w, h));
    if row != a.tabs.y {
        return None;
    }
    let mut x = a.tabs.x;
    let bar = tab_bar(w);
    for tab in Tab::ALL {
        let width = tab_label(tab, bar, tab == app.tab).chars().count() as u16;
        if column >= x && column < x + width {
            return Some(tab);
        }
        x += width + 1;
    }
    None
}
