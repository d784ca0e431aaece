//! A terminal backend that writes nothing for a frame that changes no
//! cell. Ratatui's draw writes style resets and hides the cursor again on
//! every frame, even an empty one: on an idle console (the clock ticks,
//! a source reports data that is not on screen) that is every frame.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

/// Wraps a backend: empty draws and repeated cursor hides or shows are
/// dropped; everything else goes through.
#[derive(Debug)]
pub struct QuietBackend<B> {
    inner: B,
    /// `Some(true)` once the cursor is known hidden.
    cursor_hidden: Option<bool>,
}

impl<B> QuietBackend<B> {
    pub fn new(inner: B) -> Self {
        QuietBackend {
            inner,
            cursor_hidden: None,
        }
    }
}

impl<B: Backend> Backend for QuietBackend<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut content = content.peekable();
        if content.peek().is_none() {
            return Ok(());
        }
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        if self.cursor_hidden == Some(true) {
            return Ok(());
        }
        self.inner.hide_cursor()?;
        self.cursor_hidden = Some(true);
        Ok(())
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        if self.cursor_hidden == Some(false) {
            return Ok(());
        }
        self.inner.show_cursor()?;
        self.cursor_hidden = Some(false);
        Ok(())
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::widgets::Paragraph;
    use ratatui::{Terminal, TerminalOptions, Viewport};

    /// Counts what the backend writes.
    #[derive(Clone, Default)]
    struct Sink(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    type Quiet = Terminal<QuietBackend<CrosstermBackend<Sink>>>;

    fn terminal() -> (Quiet, Sink) {
        let sink = Sink::default();
        let t = Terminal::with_options(
            QuietBackend::new(CrosstermBackend::new(sink.clone())),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, 20, 2)),
            },
        )
        .unwrap();
        (t, sink)
    }

    #[test]
    fn a_frame_that_changes_no_cell_writes_nothing() {
        let (mut t, sink) = terminal();
        let written = || sink.0.borrow().len();
        let draw = |t: &mut Quiet, text: &str| {
            t.draw(|f| f.render_widget(Paragraph::new(text.to_string()), f.area()))
                .unwrap();
        };
        draw(&mut t, "10:00:00");
        let first = written();
        assert!(first > 0);
        draw(&mut t, "10:00:00");
        assert_eq!(written(), first, "an unchanged frame wrote bytes");
        draw(&mut t, "10:00:01");
        let changed = written() - first;
        assert!(
            changed > 0 && changed < 40,
            "one cell changed: {changed} bytes"
        );
    }

    #[test]
    fn the_cursor_is_hidden_once_and_shown_when_asked() {
        let (mut t, sink) = terminal();
        let written = || sink.0.borrow().len();
        t.draw(|_| {}).unwrap();
        let after_first = written();
        t.draw(|_| {}).unwrap();
        assert_eq!(written(), after_first);
        t.draw(|f| f.set_cursor_position((3, 1))).unwrap();
        assert!(written() > after_first, "show and move the cursor");
    }
}
