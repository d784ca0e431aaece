//! Replaying a recording into the app loop's channel at its recorded pace
//! (scaled by the speed), with pause and seek.

use super::format::{Entry, Record};
use super::reader::Recording;
use crate::core::replay::{ReplayControl, ReplayMark, SPEEDS};
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
}

impl Player {
    fn new(recording: Recording, tx: UpdateTx) -> Player {
        let clock = recording.start();
        let damaged = recording.corrupt;
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
        }
    }

    async fn run(mut self, mut control: mpsc::UnboundedReceiver<ReplayControl>) {
        self.say_damage().await;
        if self.mark(false).await.is_err() {
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
                        if self.mark(false).await.is_err() {
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
            match self.recording.frame(self.frame) {
                Ok(records) => self.pending.extend(records),
                Err(_) => self.damaged += 1,
            }
            self.frame += 1;
        }
        self.pending.front().map(|r| r.at)
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
                    None => self.mark(false).await,
                };
            }
        }
        self.mark(false).await
    }

    /// Plays every record up to `to` at once; backwards starts over.
    async fn seek(&mut self, to: DateTime<Utc>) -> Result<(), ()> {
        let to = to.max(self.recording.start());
        let back = to < self.clock;
        if back {
            self.frame = 0;
            self.pending.clear();
            self.clock = self.recording.start();
            self.mark(true).await?;
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
        self.mark(false).await
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
        let update = match record.entry {
            Entry::Update(u) => u,
            Entry::Console(e) => Update::Timeline(e),
        };
        self.tx.send_in_order(update).await.map_err(|_| ())
    }

    async fn mark(&mut self, restart: bool) -> Result<(), ()> {
        self.peek();
        let ended =
            (self.pending.is_empty() && self.frame >= self.recording.frames.len()).then(|| {
                let cut = if self.recording.truncated {
                    " (file truncated)"
                } else {
                    ""
                };
                format!("recording ends at {}{cut}", self.clock.format("%H:%M:%S"))
            });
        let mark = ReplayMark {
            at: self.clock,
            speed: self.speed,
            paused: self.paused,
            restart,
            ended,
        };
        self.tx
            .send_in_order(Update::Replay(mark))
            .await
            .map_err(|_| ())
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
