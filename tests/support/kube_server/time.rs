//! RFC 3339 timestamps as the API server (seconds) and the kubelet's log
//! `timestamps=true` prefix (Go's RFC3339Nano) write them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `2026-11-21T10:08:02Z`, as in `metadata.creationTimestamp`.
pub fn rfc3339(at: SystemTime) -> String {
    let (date_time, _) = split(at);
    format!("{date_time}Z")
}

/// `2026-11-21T10:08:02.123456789Z` with trailing zeros of the fraction
/// dropped, as Go's `time.RFC3339Nano` formats it.
pub fn rfc3339_nano(at: SystemTime) -> String {
    let (date_time, nanos) = split(at);
    if nanos == 0 {
        return format!("{date_time}Z");
    }
    let fraction = format!("{nanos:09}");
    format!("{date_time}.{}Z", fraction.trim_end_matches('0'))
}

/// The current time in seconds precision.
pub fn now() -> String {
    rfc3339(SystemTime::now())
}

fn split(at: SystemTime) -> (String, u32) {
    let since_epoch = at.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = since_epoch.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    let text = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    (text, since_epoch.subsec_nanos())
}

/// Gregorian date of a day count since 1970-01-01, counting in 400-year eras
/// that start on 1 March so leap days fall at the end of a year.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let shifted = days + 719_468; // days from 0000-03-01 to 1970-01-01
    let era = shifted / 146_097;
    let day_of_era = shifted % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, month, day)
}
