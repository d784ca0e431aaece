//! Timeline: what happened during this incident, automatic entries and
//! typed notes, filterable, exportable as Markdown.

pub mod draw;
pub mod feature;
pub mod model;
