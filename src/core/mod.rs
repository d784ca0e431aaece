//! The words every layer shares, and nothing else of the crate: source ids
//! and severities, health reports, Timeline entries, sanitized backend text,
//! redaction, glob patterns and the list cursor.
//!
//! `tests/layering.rs` holds this module to importing nothing above it.

pub mod action;
pub mod clean;
pub mod command;
pub mod cursor;
pub mod executor;
pub mod glob;
pub mod health;
pub mod outbox;
pub mod peak;
pub mod probe;
pub mod redact;
pub mod replay;
pub mod room;
pub mod sanitize;
pub mod service;
pub mod source;
pub mod timeline;

/// The version of the serialized `Update` stream (recordings, war-room
/// messages). Bump it when a change to any payload type would make bytes
/// written before decode differently.
pub const FORMAT_VERSION: u32 = 1;
