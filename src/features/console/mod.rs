//! Console: opsdeck's own log, through tui-logger, filtered by level.

pub mod draw;
pub mod feature;
