//! Keys of a replay: pause, speed and seek, told to the player. The
//! player's marks (`Update::Replay`) say back where it is.

use super::{App, Effect};
use crate::core::replay::{RecordTo, ReplayControl, SPEEDS};
use crate::core::source::Severity;
use chrono::{DateTime, NaiveTime, Utc};

impl App {
    pub(super) fn replay_pause(&mut self) -> Vec<Effect> {
        self.tell_player(ReplayControl::TogglePause)
    }

    /// Halves or doubles the speed, within `SPEEDS`.
    pub(super) fn replay_speed(&mut self, faster: bool) -> Vec<Effect> {
        let current = self.replay.as_ref().map_or(1.0, |m| m.speed);
        let next = if faster { current * 2.0 } else { current / 2.0 };
        let next = next.clamp(SPEEDS.0, SPEEDS.1);
        if next != current {
            self.say(Severity::Info, format!("replay at {}", speed_label(next)));
        }
        // The player's next mark confirms it; a second key press before
        // that steps from here.
        if let Some(mark) = &mut self.replay {
            mark.speed = next;
        }
        self.tell_player(ReplayControl::Speed(next))
    }

    /// `]t` / `[t`: to the next or previous Timeline entry.
    pub(super) fn replay_jump(&mut self, forward: bool) -> Vec<Effect> {
        self.tell_player(ReplayControl::TimelineEntry(forward))
    }

    /// `:seek 10:04:30` (that time on the replay's day), `:seek +5m`,
    /// `:seek -2m` (also `s` and `h`).
    pub(super) fn seek(&mut self, arg: &str) -> Vec<Effect> {
        match seek_target(self.now, arg) {
            Ok(at) => {
                self.say(
                    Severity::Info,
                    format!("seeking to {}", at.format("%H:%M:%S")),
                );
                self.tell_player(ReplayControl::Seek(at))
            }
            Err(e) => {
                self.say(Severity::Warn, e);
                Vec::new()
            }
        }
    }

    fn tell_player(&mut self, control: ReplayControl) -> Vec<Effect> {
        if !self.options.replay {
            self.say(
                Severity::Info,
                "not a replay: open a recording with `opsdeck replay FILE`",
            );
            return Vec::new();
        }
        vec![Effect::Replay(control)]
    }
}

impl App {
    /// `:record start [FILE]`, `:record stop`.
    pub(super) fn record(&mut self, arg: &str) -> Vec<Effect> {
        if self.options.replay {
            self.say(Severity::Info, "replay: this is a recording already");
            return Vec::new();
        }
        let mut words = arg.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some("start"), file, None) => {
                let to = match file {
                    Some(f) => RecordTo::File(f.into()),
                    None => {
                        let context = self.model.context.as_deref().unwrap_or("opsdeck");
                        RecordTo::Default(crate::core::replay::recording_path(
                            &self.export_dir,
                            self.now,
                            context,
                        ))
                    }
                };
                vec![Effect::Record(Some(to))]
            }
            (Some("stop"), None, None) => vec![Effect::Record(None)],
            _ => {
                self.say(Severity::Warn, "record start [FILE] or record stop");
                Vec::new()
            }
        }
    }

    pub(super) fn on_recording(&mut self, result: Result<Option<std::path::PathBuf>, String>) {
        match result {
            Ok(Some(path)) => {
                self.recorded_bytes = Some(0);
                self.say(Severity::Info, format!("recording to {}", path.display()));
            }
            Ok(None) => {
                self.recorded_bytes = None;
                self.say(Severity::Info, "recording stopped");
            }
            Err(e) => self.say(Severity::Warn, e),
        }
    }
}

/// `4x`, `0.25x`.
pub fn speed_label(speed: f64) -> String {
    format!("{speed}x")
}

/// The time a `:seek` argument names, from the replay's clock `now`.
pub fn seek_target(now: DateTime<Utc>, arg: &str) -> Result<DateTime<Utc>, String> {
    let arg = arg.trim();
    let bad = || format!("seek to what? {arg:?}: give 10:04:30, +5m or -2m");
    if let Some(sign) = arg.chars().next().filter(|c| *c == '+' || *c == '-') {
        let body = &arg[1..];
        let (digits, unit) = body.split_at(
            body.find(|c: char| !c.is_ascii_digit())
                .unwrap_or(body.len()),
        );
        let n: i64 = digits.parse().map_err(|_| bad())?;
        let secs = match unit {
            "" | "m" | "min" => n.checked_mul(60),
            "s" => Some(n),
            "h" => n.checked_mul(3600),
            _ => None,
        }
        .ok_or_else(bad)?;
        let delta = chrono::Duration::try_seconds(secs).ok_or_else(bad)?;
        return Ok(if sign == '+' {
            now + delta
        } else {
            now - delta
        });
    }
    let time = NaiveTime::parse_from_str(arg, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(arg, "%H:%M"))
        .map_err(|_| bad())?;
    Ok(now.date_naive().and_time(time).and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn seek_takes_a_time_of_day_or_a_step() {
        let now = at("2026-12-05T10:04:30Z");
        assert_eq!(seek_target(now, "10:00:00"), Ok(at("2026-12-05T10:00:00Z")));
        assert_eq!(seek_target(now, "09:30"), Ok(at("2026-12-05T09:30:00Z")));
        assert_eq!(seek_target(now, "+5m"), Ok(at("2026-12-05T10:09:30Z")));
        assert_eq!(seek_target(now, "-2"), Ok(at("2026-12-05T10:02:30Z")));
        assert_eq!(seek_target(now, "+30s"), Ok(at("2026-12-05T10:05:00Z")));
        assert_eq!(seek_target(now, "-1h"), Ok(at("2026-12-05T09:04:30Z")));
        for bad in ["", "soon", "+5y", "25:00:00", "+99999999999999999999m", "-"] {
            assert!(seek_target(now, bad).is_err(), "{bad:?}");
        }
    }
}
