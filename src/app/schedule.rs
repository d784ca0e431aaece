//! When to draw: only after something changed, at most `fps` times a second.

use std::time::{Duration, Instant};

/// Coalesces changes into frames.
#[derive(Debug, Clone)]
pub struct RenderSchedule {
    min_interval: Duration,
    dirty: bool,
    last_draw: Option<Instant>,
}

/// What the loop should do about drawing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    Draw,
    /// Something changed but the last frame was too recent: draw at this instant.
    At(Instant),
    Idle,
}

impl RenderSchedule {
    pub fn new(fps: u32) -> Self {
        RenderSchedule {
            min_interval: Duration::from_secs(1) / fps.max(1),
            dirty: true,
            last_draw: None,
        }
    }

    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    pub fn poll(&self, now: Instant) -> Frame {
        if !self.dirty {
            return Frame::Idle;
        }
        match self.last_draw {
            Some(last) if now < last + self.min_interval => Frame::At(last + self.min_interval),
            _ => Frame::Draw,
        }
    }

    pub fn drawn(&mut self, now: Instant) {
        self.dirty = false;
        self.last_draw = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_changes_becomes_one_frame_per_interval() {
        let t0 = Instant::now();
        let mut s = RenderSchedule::new(30);
        assert_eq!(s.poll(t0), Frame::Draw);
        s.drawn(t0);
        let mut frames = 0;
        // 1000 updates over 100 ms, polled after each one.
        for i in 0..1000u64 {
            let now = t0 + Duration::from_micros(100 * i);
            s.mark_dirty();
            if s.poll(now) == Frame::Draw {
                s.drawn(now);
                frames += 1;
            }
        }
        assert_eq!(
            frames, 2,
            "at 30 fps, 100 ms holds 3 frame slots, one used at t0"
        );
    }

    #[test]
    fn idle_means_no_frame() {
        let t0 = Instant::now();
        let mut s = RenderSchedule::new(30);
        s.drawn(t0);
        assert_eq!(s.poll(t0 + Duration::from_secs(10)), Frame::Idle);
    }

    #[test]
    fn a_change_too_soon_is_deferred_not_dropped() {
        let t0 = Instant::now();
        let mut s = RenderSchedule::new(10);
        s.drawn(t0);
        s.mark_dirty();
        assert_eq!(
            s.poll(t0 + Duration::from_millis(20)),
            Frame::At(t0 + Duration::from_millis(100))
        );
        assert_eq!(s.poll(t0 + Duration::from_millis(100)), Frame::Draw);
    }
}
