//! The app's once-a-second clock, on a thread of its own.
//!
//! A tokio interval of 1 s costs the runtime's worker two or three
//! wake-ups a second: its timer wheel wakes at the start of the coarse slot
//! the deadline sits in, again at the deadline, and once more when the
//! next deadline is registered. A sleeping thread wakes once, and its
//! `Notify` wakes the app loop directly: an idle opsdeck then has no thread
//! waking more often than once a second.

use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;

/// Ticks on the wall clock's whole periods (whole seconds for the app),
/// so the clock in the title bar turns when the second does.
pub struct Clock {
    tick: Arc<Notify>,
    #[cfg(test)]
    thread: std::thread::JoinHandle<()>,
}

impl Clock {
    /// Starts the thread; it ends at the first beat after the clock is dropped.
    pub fn start(period: Duration) -> std::io::Result<Clock> {
        let tick = Arc::new(Notify::new());
        let beats = Arc::downgrade(&tick);
        let _thread = std::thread::Builder::new()
            .name("opsdeck-clock".into())
            .spawn(move || beat(&beats, period))?;
        Ok(Clock {
            tick,
            #[cfg(test)]
            thread: _thread,
        })
    }

    /// The next tick. Ticks missed while nobody waited collapse into one,
    /// as with `MissedTickBehavior::Skip`: a stalled loop is not flooded.
    pub async fn tick(&self) {
        self.tick.notified().await;
    }
}

fn beat(tick: &Weak<Notify>, period: Duration) {
    let period_ns = period.as_nanos().max(1);
    loop {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let to_next = period_ns - since_epoch % period_ns;
        std::thread::sleep(Duration::from_nanos(
            u64::try_from(to_next).unwrap_or(u64::MAX),
        ));
        match tick.upgrade() {
            Some(tick) => tick.notify_one(),
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn it_ticks_each_period_and_its_thread_ends_with_it() {
        let clock = Clock::start(Duration::from_millis(20)).expect("a thread");
        let started = std::time::Instant::now();
        for _ in 0..3 {
            tokio::time::timeout(Duration::from_secs(5), clock.tick())
                .await
                .expect("a tick within 5 s");
        }
        // Three ticks on 20 ms boundaries: at least two whole periods.
        assert!(started.elapsed() >= Duration::from_millis(40));
        let Clock { tick, thread } = clock;
        drop(tick);
        for _ in 0..250 {
            if thread.is_finished() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the clock's thread outlived the clock");
    }

    #[tokio::test]
    async fn ticks_missed_while_nobody_waited_are_one_tick() {
        use futures::FutureExt;
        let clock = Clock::start(Duration::from_millis(100)).expect("a thread");
        std::thread::sleep(Duration::from_millis(450));
        assert!(clock.tick().now_or_never().is_some(), "the stored tick");
        // Four beats were missed: one tick was kept, not four.
        assert!(
            clock.tick().now_or_never().is_none(),
            "a second stored tick"
        );
    }
}
