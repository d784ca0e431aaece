//! opsdeck's own log: `tracing` into the Console tab, optionally a file.
//! Nothing goes to stdout or stderr while the TUI is up.

use std::path::Path;
use std::sync::Mutex;
use tracing_subscriber::layer::SubscriberExt;
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
                    .with_writer(Mutex::new(file)),
            )
        }
        None => None,
    };
    tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::DEBUG)
        .with(tui_logger::TuiTracingSubscriberLayer)
        .with(file_layer)
        .try_init()?;
    Ok(())
}

/// Moves logged events to where the Console draws them from: once a
/// second, and before a frame that shows the Console.
pub fn collect() {
    tui_logger::move_events();
}
