//! Reads reply fields whatever BSON type the server chose: counters come
//! as Int32, Int64 or Double depending on version, size and mongos.

use chrono::{DateTime, Utc};
use mongodb::bson::{Bson, Document};

pub(crate) fn int(doc: &Document, key: &str) -> Option<i64> {
    match doc.get(key)? {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        // Whole seconds or counts; the fraction, if any, is noise.
        Bson::Double(n) if n.is_finite() => Some(*n as i64),
        _ => None,
    }
}

pub(crate) fn float(doc: &Document, key: &str) -> Option<f64> {
    match doc.get(key)? {
        Bson::Int32(n) => Some(f64::from(*n)),
        Bson::Int64(n) => Some(*n as f64),
        Bson::Double(n) => Some(*n),
        _ => None,
    }
}

pub(crate) fn text(doc: &Document, key: &str) -> Option<String> {
    doc.get_str(key).ok().map(str::to_string)
}

pub(crate) fn flag(doc: &Document, key: &str) -> bool {
    doc.get_bool(key).unwrap_or(false)
}

pub(crate) fn date(doc: &Document, key: &str) -> Option<DateTime<Utc>> {
    match doc.get(key)? {
        Bson::DateTime(d) => DateTime::from_timestamp_millis(d.timestamp_millis()),
        _ => None,
    }
}
