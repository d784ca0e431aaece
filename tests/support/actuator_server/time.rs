//! The server's manual clock reads as an offset from a fixed start; Spring's
//! error bodies print it as a wall-clock `timestamp`.

use std::time::Duration;

/// 2026-11-21T10:00:00Z, the instant opsdeck's other tests start at.
const START_UNIX_SECS: u64 = 1_795_255_200;

/// Spring Boot's error timestamp (Jackson's `java.util.Date` format):
/// `2026-11-21T10:00:00.000+00:00`.
pub fn spring_timestamp(since_start: Duration) -> String {
    let secs = START_UNIX_SECS + since_start.as_secs();
    let millis = since_start.subsec_millis();
    let (year, month, day) = civil_date(secs / 86_400);
    let in_day = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}+00:00",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

/// Year, month and day of a count of days since 1970-01-01, counted out
/// year by year: plain and fast enough for test timestamps.
fn civil_date(mut days: u64) -> (u64, u64, u64) {
    let mut year = 1970;
    loop {
        let length = if is_leap(year) { 366 } else { 365 };
        if days < length {
            break;
        }
        days -= length;
        year += 1;
    }
    let february = if is_leap(year) { 29 } else { 28 };
    let months = [31, february, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 1;
    for length in months {
        if days < length {
            break;
        }
        days -= length;
        month += 1;
    }
    (year, month, days + 1)
}

fn is_leap(year: u64) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}
