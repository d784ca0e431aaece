//! opsdeck's own log: `tracing` into the Console tab, optionally a file.
//! Nothing goes to stdout or stderr while the TUI is up.

use crate::core::sanitize::{safe, sanitize};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Events a second the Console can take in between two `collect`s
/// before the oldest are dropped.
const HOT_EVENTS: usize = 10_000;

pub fn init(log_file: Option<&Path>) -> color_eyre::Result<()> {
    // Not `tui_logger::init_logger`: its thread wakes every 10 ms to move
    // events along, idle or not. The runtime calls `collect` instead.
    tui_logger::set_hot_buffer_depth(HOT_EVENTS);
    tui_logger::move_events();
    tui_logger::set_default_level(tui_logger::LevelFilter::Debug);
    let file_layer = match log_file {
        Some(path) => {
            let file = crate::shared::private_file::open_append(path)
                .map_err(|e| color_eyre::eyre::eyre!("--log-file {e}"))?;
            Some(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_target(false)
                    .with_writer(Mutex::new(SafeLines(file))),
            )
        }
        None => None,
    };
    tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::DEBUG)
        .with(ConsoleLayer)
        .with(file_layer)
        .try_init()?;
    Ok(())
}

/// Moves logged events to where the Console draws them from: once a
/// second, and before a frame that shows the Console.
pub fn collect() {
    tui_logger::move_events();
}

/// Feeds the Console as `tui_logger::TuiTracingSubscriberLayer` does, with
/// each message sanitized: log lines quote backend text (errors, refusals,
/// names), and the Console draws what it is given.
struct ConsoleLayer;

impl<S: tracing::Subscriber> Layer<S> for ConsoleLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let meta = event.metadata();
        let level = match *meta.level() {
            tracing::Level::ERROR => log::Level::Error,
            tracing::Level::WARN => log::Level::Warn,
            tracing::Level::INFO => log::Level::Info,
            tracing::Level::DEBUG => log::Level::Debug,
            tracing::Level::TRACE => log::Level::Trace,
        };
        tui_logger::Drain::new().log(
            &log::Record::builder()
                .args(format_args!("{}", safe(&fields.0)))
                .level(level)
                .target(meta.target())
                .build(),
        );
    }
}

/// An event's message, then its other fields as ` name: value`.
#[derive(Default)]
struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = if field.name() == "message" {
            write!(self.0, " {value:?}")
        } else {
            write!(self.0, " {}: {value:?}", field.name())
        };
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let _ = if field.name() == "message" {
            write!(self.0, " {value}")
        } else {
            write!(self.0, " {}: {value}", field.name())
        };
    }
}

/// The log file, written line by line through the sanitizer, so that
/// `cat` or `tail -f` of it cannot run an escape sequence.
struct SafeLines<W>(W);

impl<W: Write> Write for SafeLines<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for line in buf.split_inclusive(|b| *b == b'\n') {
            match line.split_last() {
                Some((b'\n', body)) => {
                    self.0.write_all(sanitize(body).as_str().as_bytes())?;
                    self.0.write_all(b"\n")?;
                }
                _ => self.0.write_all(sanitize(line).as_str().as_bytes())?,
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    const HOSTILE: &str = "a\x1b[2Jb\x1b]52;c;ZXZpbA==\x07c\u{202E}d\u{9b}e";

    fn assert_safe(text: &str) {
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)),
            "{text:?}"
        );
    }

    #[test]
    fn the_log_file_gets_no_escape_sequence() {
        let mut out = SafeLines(Vec::new());
        out.write_all(format!("one {HOSTILE}\ntwo {HOSTILE}\n").as_bytes())
            .unwrap();
        let text = String::from_utf8(out.0).unwrap();
        assert_safe(&text);
        assert_eq!(text.lines().count(), 2);
        assert!(
            text.starts_with("one ab\u{241B}c\u{FFFD}d\u{241B}e\n"),
            "{text:?}"
        );
    }

    #[test]
    fn console_messages_are_sanitized() {
        let subscriber = tracing_subscriber::registry().with(ConsoleLayer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(plan = HOSTILE, "refused: {HOSTILE}");
        });
        tui_logger::move_events();
        let widget = tui_logger::TuiLoggerWidget::default();
        let area = ratatui::layout::Rect::new(0, 0, 200, 3);
        let mut buf = ratatui::buffer::Buffer::empty(area);
        ratatui::widgets::Widget::render(widget, area, &mut buf);
        let shown: String = buf.content().iter().map(|c| c.symbol()).collect();
        assert!(shown.contains("refused: ab"), "{shown}");
        assert!(!shown.contains("52;c;"), "{shown}");
        assert_safe(&shown);
    }
}
