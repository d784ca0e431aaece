//! Raw mode, alternate screen and mouse capture, restored on every way out.

use crate::quiet_backend::QuietBackend;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout};

pub type Tui = Terminal<QuietBackend<CrosstermBackend<Stdout>>>;

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
        let terminal = Terminal::new(QuietBackend::new(CrosstermBackend::new(io::stdout())))?;
        Ok((guard, terminal))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// The OSC 52 sequence that asks the terminal (or tmux with
/// `set-clipboard on`) to put `text` on the clipboard; works over ssh.
pub fn osc52(text: &str) -> String {
    use base64::Engine;
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

/// Writes the OSC 52 sequence between frames.
pub fn copy_to_clipboard(text: &str) -> io::Result<()> {
    use std::io::Write;
    let mut out = io::stdout();
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
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

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_carries_base64_text() {
        assert_eq!(super::osc52("hi\n"), "\x1b]52;c;aGkK\x07");
    }
}
