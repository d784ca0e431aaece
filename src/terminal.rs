//! Raw mode, alternate screen and mouse capture, restored on every way out.

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout};

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Owns the terminal's special modes; dropping it puts the terminal back.
pub struct TerminalGuard {
    _private: (),
}

impl TerminalGuard {
    pub fn enter(mouse: bool) -> io::Result<(TerminalGuard, Tui)> {
        enable_raw_mode()?;
        let guard = TerminalGuard { _private: () };
        let mut out = io::stdout();
        execute!(out, EnterAlternateScreen)?;
        if mouse {
            execute!(out, EnableMouseCapture)?;
        }
        let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        Ok((guard, terminal))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves every mode opsdeck may have entered. Safe to call more than once,
/// and from the panic hook; errors are ignored (the tty may be gone: ssh drop).
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
}
