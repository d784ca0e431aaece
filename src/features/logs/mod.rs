//! Logs: multi-pod follow by deployment or label selector, JSON-aware
//! lines (level, message, correlation id), filter, search, pivot.

pub mod clean;
pub mod commands;
pub mod draw;
pub mod feature;
pub mod line;
pub mod line_reader;
pub mod model;
pub mod record;
pub mod rows;
pub mod source;
pub mod store;
