//! `find` (for `<db>.system.profile`; other collections are empty) and the
//! `profile` command that reads or sets the profiling level.

use super::commands::error;
use super::matcher;
use super::state::State;
use bson::{Bson, Document, doc};

const SLOW_MS: i32 = 100;

pub fn find(state: &State, db: &str, body: &Document) -> Document {
    let collection = body.get_str("find").unwrap_or_default();
    let mut docs = if collection == "system.profile" {
        state.profile(db).docs
    } else {
        Vec::new()
    };
    let filter = body.get_document("filter").cloned().unwrap_or_default();
    let mut kept = Vec::new();
    for d in docs.drain(..) {
        match matcher::matches(&d, &filter) {
            Ok(true) => kept.push(d),
            Ok(false) => {}
            Err(message) => return error(2, "BadValue", &message),
        }
    }
    if let Ok(spec) = body.get_document("sort") {
        matcher::sort(&mut kept, spec);
    }
    if let Some(limit) = number(body.get("limit")).filter(|l| *l != 0) {
        kept.truncate(usize::try_from(limit.unsigned_abs()).unwrap_or(usize::MAX));
    }
    let batch: Vec<Bson> = kept.into_iter().map(Bson::Document).collect();
    doc! {
        // Everything fits in the first batch, so the cursor is already closed.
        "cursor": { "firstBatch": batch, "id": 0_i64, "ns": format!("{db}.{collection}") },
        "ok": 1.0,
    }
}

/// `{profile: -1}` reads the level; 0, 1 or 2 sets it and answers the old one.
pub fn profile(state: &mut State, db: &str, body: &Document) -> Document {
    let Some(level) = number(body.get("profile")) else {
        return error(14, "TypeMismatch", "profile level must be a number");
    };
    let was = state.profile(db).level;
    if (0..=2).contains(&level) {
        let entry = state.profiles.entry(db.to_string()).or_default();
        entry.level = i32::try_from(level).unwrap_or(0);
    } else if level != -1 {
        return error(2, "BadValue", "Invalid profiling level");
    }
    doc! { "was": was, "slowms": SLOW_MS, "sampleRate": 1.0, "ok": 1.0 }
}

fn number(value: Option<&Bson>) -> Option<i64> {
    match value? {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        Bson::Double(n) => Some(*n as i64),
        _ => None,
    }
}
