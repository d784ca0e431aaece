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

use crate::core::replay::RecordTo;
use chrono::Utc;
use std::path::PathBuf;

/// The recording of a console session: the running recorder, if any, and
/// the header a new one starts with (`:record start`).
#[derive(Debug)]
pub struct Session {
    pub recorder: Option<Recorder>,
    pub header: Header,
}

impl Session {
    /// Starts recording to `path`, or (`None`) stops. Says what happened
    /// as the app's `Event::Recording` wants it.
    pub fn switch(
        &mut self,
        to: Option<RecordTo>,
        updates: &crate::transport::UpdateRx,
    ) -> Result<Option<PathBuf>, String> {
        match (to, self.recorder.take()) {
            (Some(_), Some(r)) => {
                let running = r.path().display().to_string();
                self.recorder = Some(r);
                Err(format!("already recording to {running}: record stop first"))
            }
            (Some(to), None) => {
                self.header.started_at = Utc::now();
                let started = match &to {
                    RecordTo::File(path) => Recorder::start(path, &self.header),
                    RecordTo::Default(path) => Recorder::start_numbered(path, &self.header),
                };
                match started {
                    Ok(r) => {
                        updates.set_tap(Some(r.tap()));
                        let path = r.path().to_path_buf();
                        self.recorder = Some(r);
                        Ok(Some(path))
                    }
                    Err(e) => {
                        let (RecordTo::File(path) | RecordTo::Default(path)) = to;
                        Err(format!("cannot record to {}: {e}", path.display()))
                    }
                }
            }
            (None, Some(r)) => {
                updates.set_tap(None);
                let dropped = r.dropped();
                match r.stop() {
                    None if dropped > 0 => Err(format!(
                        "recording stopped; {dropped} records were dropped because the disk fell behind"
                    )),
                    None => Ok(None),
                    Some(e) => Err(format!("recording stopped after an error: {e}")),
                }
            }
            (None, None) => Err("not recording".into()),
        }
    }
}
