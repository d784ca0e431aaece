//! Where the app loop meets the recorder: what the console itself adds.

use super::{Entry, Recorder};
use crate::app::{App, Effect, Event};
use crate::update::Update;

/// Applies one update. Updates are recorded where they are sent (the
/// recorder's `transport::Tap`), so the app loop does not pay for it.
pub fn apply(app: &mut App, update: Update) -> Vec<Effect> {
    let effects = app.update(Event::Update(update));
    // What applying an update made, applying it again in a replay makes.
    app.made.clear();
    effects
}

/// Applies every record of `recording` to `app`, as a replay would at
/// full speed; returns how many frames could not be read.
pub fn apply_all(app: &mut App, recording: &super::Recording) -> usize {
    let mut damaged = recording.corrupt;
    for i in 0..recording.frames.len() {
        match recording.frame(i) {
            Ok(records) => {
                for r in records {
                    match r.entry {
                        Entry::Update(u) => apply(app, u),
                        Entry::Console(e) => apply(app, Update::Timeline(e)),
                        // What was on screen changes no data.
                        Entry::Screen(_) => Vec::new(),
                    };
                }
            }
            Err(_) => damaged += 1,
        }
    }
    damaged
}

/// Records the Timeline entries the console made itself (notes, action
/// plans and outcomes) and what is on screen if that changed, and shows
/// the recording's size.
pub fn record_made(app: &mut App, recorder: Option<&Recorder>) {
    let made = std::mem::take(&mut app.made);
    if let Some(r) = recorder {
        for entry in made {
            r.record(entry.at, Entry::Console(entry));
        }
        r.record_screen(app.now, app.screen());
    }
    // Whatever started or stopped it, the header shows what is running.
    app.recorded_bytes = recorder.map(Recorder::bytes);
}
