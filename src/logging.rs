//! opsdeck's own log: `tracing` into the Console tab, optionally a file.
//! Nothing goes to stdout or stderr while the TUI is up.

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub fn init(log_file: Option<&Path>) -> color_eyre::Result<()> {
    tui_logger::init_logger(tui_logger::LevelFilter::Trace)?;
    tui_logger::set_default_level(tui_logger::LevelFilter::Debug);
    let file_layer = match log_file {
        Some(path) => {
            let file = File::options().create(true).append(true).open(path)?;
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
