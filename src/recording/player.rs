//! Replaying a recording into the app loop's channel at its recorded pace
//! (scaled by the speed), with pause and seek.
//!
//! As it plays, the player asks the app to keep its model at a frame
//! boundary every `checkpoint_period` of recorded time; a seek then starts
//! from the latest kept checkpoint before its target (backwards, or
//! forwards past where the replay is) instead of the recording's start.

use super::format::{Entry, Record};
use super::reader::Recording;
use crate::core::replay::{ReplayControl, ReplayMark, Restart, SPEEDS};
use crate::core::source::Severity;
use crate::core::timeline::{Origin, TimelineEntry};
use crate::transport::UpdateTx;
use crate::update::Update;
use chrono::{DateTime, Utc};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How often the app's clock is told the replay's time.
const MARK_EVERY: Duration = Duration::from_secs(1);
/// Recorded time between checkpoints: a seek replays at most this much
/// (plus a frame) of the recording after restoring one.
pub const CHECKPOINT_EVERY: chrono::Duration = chrono::Duration::seconds(30);
/// Checkpoints a replay keeps at most (each is a model, about 1.5 MB for
/// the demo): a longer recording spaces them further apart.
pub const MAX_CHECKPOINTS: i64 = 240;

/// The recorded time between checkpoints for a recording that spans `span`.
pub fn checkpoint_period(span: chrono::Duration) -> chrono::Duration {
    let spread = chrono::Duration::milliseconds(span.num_milliseconds() / MAX_CHECKPOINTS + 1);
    spread.max(CHECKPOINT_EVERY)
}

/// Starts the player; the returned sender carries the user's controls.
pub fn spawn(recording: Recording, tx: UpdateTx) -> mpsc::UnboundedSender<ReplayControl> {
    let (control_tx, control_rx) = mpsc::unbounded_channel();
    tokio::spawn(Player::new(recording, tx).run(control_rx));
    control_tx
}

struct Player {
    recording: Recording,
    tx: UpdateTx,
    /// The next frame to decode.
    frame: usize,
    pending: VecDeque<Record>,
    /// Recorded time the replay is at.
    clock: DateTime<Utc>,
    speed: f64,
    paused: bool,
    /// Real instant at which the replay was at `clock`.
    anchor: Instant,
    damaged: usize,
    /// Checkpoints the app was asked to keep, in frame order.
    saved: Vec<Checkpoint>,
    /// A checkpoint to ask for before the next record is sent.
    save_due: Option<Checkpoint>,
    /// Recorded milliseconds between checkpoints.
    period_ms: i64,
    /// The latest time of the records sent since the start or the
    /// checkpoint the app resumed from.
    sent_until: Option<DateTime<Utc>>,
}

/// A model the app keeps: the state once every record before `frame`
/// was applied.
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    frame: usize,
    /// The latest time among those records: a seek to an earlier time
    /// cannot start from here.
    until: Option<DateTime<Utc>>,
}

impl Player {
    fn new(recording: Recording, tx: UpdateTx) -> Player {
        let clock = recording.start();
        let damaged = recording.corrupt;
        let span = recording
            .frames
            .last()
            .map_or(chrono::Duration::zero(), |f| f.first - clock);
        Player {
            recording,
            tx,
            frame: 0,
            pending: VecDeque::new(),
            clock,
            speed: 1.0,
            paused: false,
            anchor: Instant::now(),
            damaged,
            saved: Vec::new(),
            save_due: None,
            period_ms: checkpoint_period(span).num_milliseconds(),
            sent_until: None,
        }
    }

    async fn run(mut self, mut control: mpsc::UnboundedReceiver<ReplayControl>) {
        self.say_damage().await;
        if self.mark(None).await.is_err() {
            return;
        }
        let mut next_mark = Instant::now() + MARK_EVERY;
        loop {
            let next = self.peek();
            let due = match (&next, self.paused) {
                (Some(at), false) => Some(self.real_time_of(*at)),
                _ => None,
            };
            let wake = due.map_or(next_mark, |d| d.min(next_mark));
            tokio::select! {
                _ = tokio::time::sleep_until(wake) => {
                    if let Some(d) = due.filter(|d| *d <= Instant::now()) {
                        if let Some(r) = self.pending.pop_front() {
                            // Later records are timed from this one.
                            self.clock = self.clock.max(r.at);
                            self.anchor = d;
                            if self.deliver(r).await.is_err() {
                                return;
                            }
                        }
                    } else {
                        self.advance_clock(next);
                        if self.mark(None).await.is_err() {
                            return;
                        }
                        next_mark = Instant::now() + MARK_EVERY;
                    }
                }
                c = control.recv() => {
                    let Some(c) = c else { return };
                    self.advance_clock(next);
                    if self.obey(c).await.is_err() {
                        return;
                    }
                    next_mark = Instant::now() + MARK_EVERY;
                }
                _ = self.tx.closed() => return,
            }
        }
    }

    /// The recorded time of the next record, decoding frames as needed.
    fn peek(&mut self) -> Option<DateTime<Utc>> {
        while self.pending.is_empty() && self.frame < self.recording.frames.len() {
            if self.checkpoint_at(self.frame) && !self.saved.iter().any(|c| c.frame == self.frame) {
                // Everything before this frame has been sent.
                self.save_due = Some(Checkpoint {
                    frame: self.frame,
                    until: self.sent_until,
                });
            }
            match self.recording.frame(self.frame) {
                Ok(records) => self.pending.extend(records),
                Err(_) => self.damaged += 1,
            }
            self.frame += 1;
        }
        self.pending.front().map(|r| r.at)
    }

    /// Frame `i` is the first to start in a new period of recorded time
    /// (the same frames whatever the replay did before).
    fn checkpoint_at(&self, i: usize) -> bool {
        let start = self.recording.start();
        let period = |i: usize| {
            self.recording
                .frames
                .get(i)
                .map(|f| (f.first - start).num_milliseconds() / self.period_ms)
        };
        i > 0 && period(i) > period(i - 1)
    }

    fn real_time_of(&self, at: DateTime<Utc>) -> Instant {
        let ahead = (at - self.clock).to_std().unwrap_or_default();
        self.anchor + ahead.div_f64(self.speed)
    }

    /// Moves the clock with real time, never past the next record, and not
    /// at all once the recording has ended.
    fn advance_clock(&mut self, next: Option<DateTime<Utc>>) {
        let now = Instant::now();
        if !self.paused && next.is_some() {
            let real = now
                .saturating_duration_since(self.anchor)
                .mul_f64(self.speed);
            let mut clock = self.clock + chrono::Duration::from_std(real).unwrap_or_default();
            if let Some(next) = next {
                clock = clock.min(next);
            }
            self.clock = clock;
        }
        self.anchor = now;
    }

    async fn obey(&mut self, control: ReplayControl) -> Result<(), ()> {
        match control {
            ReplayControl::TogglePause => self.paused = !self.paused,
            ReplayControl::Speed(s) => self.speed = s.clamp(SPEEDS.0, SPEEDS.1),
            ReplayControl::Seek(to) => return self.seek(to).await,
            ReplayControl::TimelineEntry(forward) => {
                return match self.entry_time(forward) {
                    Some(at) => self.seek(at).await,
                    None => self.mark(None).await,
                };
            }
        }
        self.mark(None).await
    }

    /// Plays every record up to `to` at once. Backwards, it starts over
    /// from the latest checkpoint that comes before `to` (or the start);
    /// forwards, from such a checkpoint if it is past where the replay is.
    async fn seek(&mut self, to: DateTime<Utc>) -> Result<(), ()> {
        let to = to.max(self.recording.start());
        let back = to < self.clock;
        let best = self
            .saved
            .iter()
            .filter(|c| c.until.is_none_or(|u| u <= to))
            .max_by_key(|c| c.frame)
            .copied();
        let restart = match best {
            Some(c) if back || c.frame > self.frame => Some(c),
            _ if back => Some(Checkpoint {
                frame: 0,
                until: None,
            }),
            _ => None,
        };
        if let Some(c) = restart {
            self.frame = c.frame;
            self.pending.clear();
            self.save_due = None;
            self.sent_until = c.until;
            self.clock = c.until.unwrap_or_else(|| self.recording.start());
            let from = match c.frame {
                0 => Restart::Start,
                f => Restart::Checkpoint(f as u64),
            };
            self.mark(Some(from)).await?;
        }
        while let Some(at) = self.peek() {
            if at > to {
                break;
            }
            if let Some(r) = self.pending.pop_front() {
                self.deliver(r).await?;
            }
        }
        self.clock = to;
        self.anchor = Instant::now();
        self.mark(None).await
    }

    /// When the next Timeline entry a source or the console recorded
    /// plays (after the clock), or the previous one (before it: after a
    /// jump the clock is on an entry, so repeating the key keeps going).
    fn entry_time(&mut self, forward: bool) -> Option<DateTime<Utc>> {
        let is_entry = |r: &Record| {
            matches!(
                r.entry,
                Entry::Console(_) | Entry::Update(Update::Timeline(_))
            )
        };
        if forward {
            let clock = self.clock;
            if let Some(r) = self.pending.iter().find(|r| r.at > clock && is_entry(r)) {
                return Some(r.at);
            }
            return (self.frame..self.recording.frames.len()).find_map(|i| {
                let records = self.recording.frame(i).ok()?;
                records
                    .iter()
                    .find(|r| r.at > clock && is_entry(r))
                    .map(|r| r.at)
            });
        }
        let before = self.clock;
        let last = self.recording.frame_at(before);
        (0..=last).rev().find_map(|i| {
            let records = self.recording.frame(i).ok()?;
            records
                .iter()
                .rev()
                .find(|r| r.at < before && is_entry(r))
                .map(|r| r.at)
        })
    }

    async fn deliver(&mut self, record: Record) -> Result<(), ()> {
        if let Some(c) = self.save_due.take() {
            let mut mark = self.mark_here(None, true);
            mark.checkpoint = Some(c.frame as u64);
            self.send(Update::Replay(mark)).await?;
            let at = self.saved.partition_point(|s| s.frame < c.frame);
            self.saved.insert(at, c);
        }
        self.sent_until = self.sent_until.max(Some(record.at));
        let update = match record.entry {
            Entry::Update(u) => u,
            Entry::Console(e) => Update::Timeline(e),
            Entry::Screen(screen) => {
                let mut mark = self.mark_here(None, true);
                mark.screen = Some(screen);
                Update::Replay(mark)
            }
        };
        self.send(update).await
    }

    async fn mark(&mut self, restart: Option<Restart>) -> Result<(), ()> {
        let mark = self.mark_here(restart, false);
        self.send(Update::Replay(mark)).await
    }

    async fn send(&self, update: Update) -> Result<(), ()> {
        self.tx.send_in_order(update).await.map_err(|_| ())
    }

    /// Where the player is. Marks sent with a record (a checkpoint before
    /// it, a screen as it) never say the recording ended: the next plain
    /// mark does.
    fn mark_here(&mut self, restart: Option<Restart>, with_record: bool) -> ReplayMark {
        self.peek();
        let ended =
            (self.pending.is_empty() && self.frame >= self.recording.frames.len() && !with_record)
                .then(|| {
                    let cut = if self.recording.truncated {
                        " (file truncated)"
                    } else {
                        ""
                    };
                    format!("recording ends at {}{cut}", self.clock.format("%H:%M:%S"))
                });
        ReplayMark {
            at: self.clock,
            speed: self.speed,
            paused: self.paused,
            restart,
            checkpoint: None,
            screen: None,
            ended,
        }
    }

    /// Damaged frames are skipped, and the Timeline says how many.
    async fn say_damage(&mut self) {
        if self.damaged == 0 {
            return;
        }
        let text = format!(
            "replay: {} damaged frame(s) of the recording skipped",
            self.damaged
        );
        let entry = TimelineEntry::new(self.clock, Severity::Warn, Origin::Opsdeck, text);
        let _ = self.tx.send_in_order(Update::Timeline(entry)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_come_every_30_s_and_a_long_recording_keeps_at_most_240() {
        let h = chrono::Duration::hours;
        assert_eq!(
            checkpoint_period(chrono::Duration::zero()),
            CHECKPOINT_EVERY
        );
        assert_eq!(checkpoint_period(h(1)), CHECKPOINT_EVERY);
        for span in [h(2), h(3), h(24), h(24 * 7)] {
            let period = checkpoint_period(span);
            let kept = span.num_milliseconds() / period.num_milliseconds();
            assert!(kept <= MAX_CHECKPOINTS, "{span}: {kept}");
            assert!(kept >= MAX_CHECKPOINTS - 1, "{span}: only {kept}");
        }
        assert_eq!(checkpoint_period(h(24)).num_seconds(), 360);
    }
}
