//! Recording an incident as the console applied it, and replaying it.
//!
//! A recording is what the app loop applied, in order and with the wall
//! clock of each step: every `Update` from every source, and every Timeline
//! entry the console made itself (notes, action plans, checks and
//! outcomes). `Update` payloads are `Clean`, so a replay shows what the
//! responders saw, and reading a file back sanitizes its text again.

pub mod format;
pub mod player;
pub mod reader;
pub mod tap;
pub mod writer;

pub use format::{Entry, Header, Record};
pub use reader::{ReadError, Recording};
pub use writer::Recorder;
