//! How tabs write times and sizes, so every tab writes them the same way.

use chrono::{DateTime, Utc};

/// Lines under a list for the selected row's detail.
pub const DETAIL_LINES: u16 = 3;

/// `3d`, `4h`, `12m`, `40s`, as kubectl prints ages.
pub fn age(since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(since) = since else {
        return "-".into();
    };
    let s = (now - since).num_seconds().max(0);
    match s {
        0..=119 => format!("{s}s"),
        120..=7_199 => format!("{}m", s / 60),
        7_200..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}
