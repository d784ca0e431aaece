//! Where the app loop meets the recorder: what is recorded, and when.

use super::{Entry, Recorder};
use crate::app::{App, Effect, Event};
use crate::update::Update;
use chrono::Utc;

/// Applies one update, recording it first when a recording runs. A
/// replay's own clock marks are not recorded.
pub fn apply(app: &mut App, update: Update, recorder: Option<&Recorder>) -> Vec<Effect> {
    if let Some(r) = recorder
        && !matches!(update, Update::Replay(_))
    {
        r.record(Utc::now(), Entry::Update(update.clone()));
    }
    let effects = app.update(Event::Update(update));
    // What applying an update made, applying it again in a replay makes.
    app.made.clear();
    effects
}

/// Records the Timeline entries the console made itself (notes, action
/// plans and outcomes), and shows the recording's size.
pub fn record_made(app: &mut App, recorder: Option<&Recorder>) {
    let made = std::mem::take(&mut app.made);
    if let Some(r) = recorder {
        for entry in made {
            r.record(entry.at, Entry::Console(entry));
        }
        app.recorded_bytes = Some(r.bytes());
    }
}
