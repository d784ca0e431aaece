//! How updates travel from the sources to the app loop, by kind of data.
//!
//! - Snapshots (a full list of pods, one poll of a database target, of a
//!   Kafka cluster, of the breakers, one Prometheus metric) are latest-wins:
//!   a newer snapshot replaces one the app has not applied yet, together
//!   with any pending changes it supersedes. Sending one never waits.
//! - Log lines have their own lane, bounded by a number of lines. Sending
//!   never waits: a batch that does not fit is dropped and counted, and the
//!   app is told the count (`LogsUpdate::Dropped`).
//! - Everything else (health, Timeline entries, watch changes, scope) is
//!   kept in order; a sender waits while the queue is full.

use crate::core::outbox::{Outbox, Report};
use crate::features::breakers::model::BreakerSource;
use crate::features::heatmap::model::PromUpdate;
use crate::features::logs::model::LogsUpdate;
use crate::features::pods::model::KubeUpdate;
use crate::features::queries::model::Kind;
use crate::shared::prometheus::Metric;
use crate::update::Update;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{Notify, mpsc};

/// The receiving loop is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

/// What a newer snapshot of the same key replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Pods,
    Deployments,
    ReplicaSets,
    Events,
    Metrics,
    RevisionMetrics,
    Alerts,
    PromRange(Metric),
    PromBuckets,
    PromAlerts,
    Breakers(BreakerSource),
    Lag(String),
    Queries(Kind, String),
}

/// How an update travels.
enum Lane {
    /// Replaces pending items of its key.
    Snapshot(Key),
    /// In order; superseded by a later snapshot of its key.
    Change(Key),
    /// In order.
    Event,
    /// Log lines, counted.
    Logs(usize),
}

fn lane(u: &Update) -> Lane {
    match u {
        Update::Kube(k) => match &**k {
            KubeUpdate::Pods(_) => Lane::Snapshot(Key::Pods),
            KubeUpdate::PodsChanged { .. } => Lane::Change(Key::Pods),
            KubeUpdate::Deployments(_) => Lane::Snapshot(Key::Deployments),
            KubeUpdate::DeploymentsChanged { .. } => Lane::Change(Key::Deployments),
            KubeUpdate::ReplicaSets(_) => Lane::Snapshot(Key::ReplicaSets),
            KubeUpdate::ReplicaSetsChanged { .. } => Lane::Change(Key::ReplicaSets),
            KubeUpdate::Events(_) => Lane::Snapshot(Key::Events),
            KubeUpdate::Metrics(_) => Lane::Snapshot(Key::Metrics),
            KubeUpdate::RevisionMetrics(_) => Lane::Snapshot(Key::RevisionMetrics),
            KubeUpdate::Scope { .. } | KubeUpdate::Contexts(_) => Lane::Event,
        },
        Update::Alerts(_) => Lane::Snapshot(Key::Alerts),
        Update::Prometheus(p) => match &**p {
            PromUpdate::Range { metric, .. } => Lane::Snapshot(Key::PromRange(*metric)),
            PromUpdate::Buckets { .. } => Lane::Snapshot(Key::PromBuckets),
            PromUpdate::Alerts { .. } => Lane::Snapshot(Key::PromAlerts),
            PromUpdate::Polled { .. } => Lane::Event,
        },
        Update::Breakers(b) => Lane::Snapshot(Key::Breakers(b.source)),
        Update::Lag(l) => Lane::Snapshot(Key::Lag(l.cluster.clone())),
        Update::Queries(q) => Lane::Snapshot(Key::Queries(q.kind, q.target.clone())),
        Update::Logs(l) => match &**l {
            LogsUpdate::Lines(lines) => Lane::Logs(lines.len()),
            LogsUpdate::Behind { .. } | LogsUpdate::Dropped(_) => Lane::Event,
        },
        Update::Health(_)
        | Update::Timeline(_)
        | Update::Contexts(_)
        | Update::Replay(_)
        | Update::Room(_)
        | Update::Scope { .. } => Lane::Event,
    }
}

struct State {
    /// Snapshots, changes and events, in the order sent.
    items: VecDeque<(Option<Key>, Update)>,
    logs: VecDeque<Update>,
    log_lines: usize,
    dropped_lines: u64,
    /// Which lane `pop` serves first, so neither starves the other.
    logs_first: bool,
    senders: usize,
    receiver: bool,
}

/// Sees every update the channel accepts, on the sender's thread (a
/// recording's writer): the app loop never pays for it.
pub type Tap = Arc<dyn Fn(&Update) + Send + Sync>;

struct Shared {
    state: Mutex<State>,
    tap: Mutex<Option<Tap>>,
    /// Something to receive, or the last sender left.
    ready: Notify,
    /// Room in the ordered queue, or the receiver left.
    room: Notify,
    capacity: usize,
    log_capacity: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock leaves plain queues: still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn tap(&self) -> Option<Tap> {
        self.tap.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The sending side; clone one per source.
pub struct UpdateTx {
    shared: Arc<Shared>,
}

/// The app loop's side.
pub struct UpdateRx {
    shared: Arc<Shared>,
}

/// A channel holding at most `capacity` ordered items (plus one snapshot
/// per key) and `log_lines` log lines.
pub fn channel(capacity: usize, log_lines: usize) -> (UpdateTx, UpdateRx) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            items: VecDeque::new(),
            logs: VecDeque::new(),
            log_lines: 0,
            dropped_lines: 0,
            logs_first: false,
            senders: 1,
            receiver: true,
        }),
        tap: Mutex::new(None),
        ready: Notify::new(),
        room: Notify::new(),
        capacity: capacity.max(1),
        log_capacity: log_lines,
    });
    (
        UpdateTx {
            shared: shared.clone(),
        },
        UpdateRx { shared },
    )
}

impl Clone for UpdateTx {
    fn clone(&self) -> Self {
        self.shared.lock().senders += 1;
        UpdateTx {
            shared: self.shared.clone(),
        }
    }
}

impl Drop for UpdateTx {
    fn drop(&mut self) {
        let last = {
            let mut st = self.shared.lock();
            st.senders -= 1;
            st.senders == 0
        };
        if last {
            self.shared.ready.notify_one();
        }
    }
}

impl UpdateTx {
    /// Sends `update` by its kind (see the module doc). Waits only for an
    /// ordered item while the queue is full.
    pub async fn send(&self, update: Update) -> Result<(), Closed> {
        let lane = lane(&update);
        let mut update = Some(update);
        loop {
            let room = self.shared.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            if let Some(sent) = self.try_put(&lane, &mut update) {
                return sent;
            }
            room.await;
        }
    }

    /// Sends `update` in order with every other update sent this way,
    /// never replaced by a newer snapshot nor dropped, waiting while the
    /// queue is full: a replay must apply exactly what was recorded.
    pub async fn send_in_order(&self, update: Update) -> Result<(), Closed> {
        let mut update = Some(update);
        loop {
            let room = self.shared.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            if let Some(sent) = self.try_put(&Lane::Event, &mut update) {
                return sent;
            }
            room.await;
        }
    }

    /// Sends without waiting; false when the ordered queue is full or the
    /// receiver is gone.
    pub fn try_send(&self, update: Update) -> bool {
        let lane = lane(&update);
        matches!(self.try_put(&lane, &mut Some(update)), Some(Ok(())))
    }

    /// `None`: no room yet for an ordered item.
    fn try_put(&self, lane: &Lane, update: &mut Option<Update>) -> Option<Result<(), Closed>> {
        let tap = self.shared.tap();
        // What the channel accepts is what the tap sees, in queue order.
        let accept = |update: &mut Option<Update>| {
            let u = update.take();
            if let (Some(tap), Some(u)) = (&tap, &u) {
                tap(u);
            }
            u
        };
        let mut st = self.shared.lock();
        if !st.receiver {
            return Some(Err(Closed));
        }
        match lane {
            Lane::Snapshot(key) => {
                st.items.retain(|(k, _)| k.as_ref() != Some(key));
                st.items.push_back((Some(key.clone()), accept(update)?));
            }
            Lane::Logs(n) => {
                if st.log_lines + n > self.shared.log_capacity {
                    st.dropped_lines += *n as u64;
                } else {
                    st.log_lines += n;
                    st.logs.push_back(accept(update)?);
                }
            }
            Lane::Change(_) | Lane::Event if st.items.len() >= self.shared.capacity => {
                return None;
            }
            Lane::Change(key) => st.items.push_back((Some(key.clone()), accept(update)?)),
            Lane::Event => st.items.push_back((None, accept(update)?)),
        }
        drop(st);
        self.shared.ready.notify_one();
        Some(Ok(()))
    }

    /// Resolves when the receiver is gone.
    pub async fn closed(&self) {
        loop {
            let room = self.shared.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            if !self.shared.lock().receiver {
                return;
            }
            room.await;
        }
    }
}

impl UpdateRx {
    /// Starts (`Some`) or stops handing every accepted update to `tap`.
    pub fn set_tap(&self, tap: Option<Tap>) {
        *self.shared.tap.lock().unwrap_or_else(|e| e.into_inner()) = tap;
    }

    /// The next update; `None` once every sender is gone and nothing is left.
    pub async fn recv(&mut self) -> Option<Update> {
        loop {
            let ready = self.shared.ready.notified();
            tokio::pin!(ready);
            ready.as_mut().enable();
            {
                let mut st = self.shared.lock();
                if let Some(u) = self.pop(&mut st) {
                    return Some(u);
                }
                if st.senders == 0 {
                    return None;
                }
            }
            ready.await;
        }
    }

    /// The next update if one is waiting.
    pub fn try_recv(&mut self) -> Option<Update> {
        let mut st = self.shared.lock();
        self.pop(&mut st)
    }

    fn pop(&self, st: &mut State) -> Option<Update> {
        if st.dropped_lines > 0 {
            let n = std::mem::take(&mut st.dropped_lines);
            return Some(Update::from(LogsUpdate::Dropped(n)));
        }
        st.logs_first = !st.logs_first;
        let from_logs = |st: &mut State| {
            let u = st.logs.pop_front()?;
            if let Lane::Logs(n) = lane(&u) {
                st.log_lines -= n;
            }
            Some(u)
        };
        let from_items = |st: &mut State| st.items.pop_front().map(|(_, u)| u);
        let next = if st.logs_first {
            from_logs(st).or_else(|| from_items(st))
        } else {
            from_items(st).or_else(|| from_logs(st))
        };
        if next.is_some() {
            self.shared.room.notify_waiters();
        }
        next
    }
}

impl Drop for UpdateRx {
    fn drop(&mut self) {
        self.shared.lock().receiver = false;
        self.shared.room.notify_waiters();
    }
}

/// A source's outbox that forwards each report into `tx`, in order, with
/// the same backpressure; it closes when `tx`'s receiver is gone. Must be
/// called inside the tokio runtime.
pub fn outbox<T>(tx: &UpdateTx) -> Outbox<T>
where
    T: Into<Update> + Send + 'static,
{
    let (out, mut reports) = mpsc::channel::<Report<T>>(64);
    let tx = tx.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                report = reports.recv() => match report {
                    Some(r) => {
                        if tx.send(r.into()).await.is_err() {
                            return;
                        }
                    }
                    None => return,
                },
                () = tx.closed() => return,
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::{HealthReport, SourceId};
    use crate::features::breakers::model::BreakersUpdate;
    use crate::features::logs::line::Level;
    use crate::features::logs::model::LogLine;
    use crate::features::queries::model::QueriesUpdate;
    use chrono::{DateTime, TimeZone, Utc};
    use std::time::Duration;

    fn at(s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, s).unwrap()
    }

    fn breakers(s: u32) -> Update {
        Update::from(BreakersUpdate {
            source: BreakerSource::Actuator,
            at: at(s),
            observations: Vec::new(),
            targets: Vec::new(),
            failures: Vec::new(),
            keep_unlisted: false,
        })
    }

    fn queries(target: &str, s: u32) -> Update {
        Update::from(QueriesUpdate {
            kind: Kind::Postgres,
            target: target.into(),
            at: at(s),
            data: Err(format!("poll {s}")),
        })
    }

    fn health(s: u32) -> Update {
        Update::from(HealthReport {
            source: SourceId::Kafka,
            at: at(s),
            error: None,
            interval: Duration::from_secs(5),
        })
    }

    fn lines(n: usize) -> Update {
        let line = LogLine {
            pod: "api-1".into(),
            container: "api".into(),
            time: None,
            level: Level::Info,
            message: crate::core::sanitize::sanitize_str("hello"),
            fields: "".into(),
            correlation: None,
            extra: Vec::new(),
            continuation: false,
            note: false,
        };
        Update::from(LogsUpdate::Lines(vec![line; n]))
    }

    fn drain(rx: &mut UpdateRx) -> Vec<Update> {
        std::iter::from_fn(|| rx.try_recv()).collect()
    }

    #[tokio::test]
    async fn a_slow_app_applies_only_the_newest_snapshot_of_each_source() {
        let (tx, mut rx) = channel(16, 100);
        tx.send(breakers(1)).await.unwrap();
        tx.send(queries("orders-db", 1)).await.unwrap();
        tx.send(health(1)).await.unwrap();
        tx.send(queries("users-db", 1)).await.unwrap();
        tx.send(breakers(2)).await.unwrap();
        tx.send(queries("orders-db", 2)).await.unwrap();
        tx.send(breakers(3)).await.unwrap();
        let got = drain(&mut rx);
        assert_eq!(
            got,
            vec![
                health(1),
                queries("users-db", 1),
                queries("orders-db", 2),
                breakers(3)
            ]
        );
    }

    #[tokio::test]
    async fn a_full_pod_list_replaces_the_changes_it_supersedes_and_later_ones_follow_it() {
        let (tx, mut rx) = channel(16, 100);
        let change = |name: &str| {
            Update::from(KubeUpdate::PodsChanged {
                upserted: Vec::new(),
                deleted: vec![("shop".into(), name.into())],
            })
        };
        tx.send(change("a")).await.unwrap();
        tx.send(Update::from(KubeUpdate::Pods(Vec::new())))
            .await
            .unwrap();
        tx.send(change("b")).await.unwrap();
        assert_eq!(
            drain(&mut rx),
            vec![Update::from(KubeUpdate::Pods(Vec::new())), change("b")]
        );
    }

    #[tokio::test]
    async fn log_lines_are_kept_below_the_bound_and_counted_above_it() {
        let (tx, mut rx) = channel(16, 10);
        for _ in 0..3 {
            tx.send(lines(4)).await.unwrap();
        }
        let got = drain(&mut rx);
        assert_eq!(got[0], Update::from(LogsUpdate::Dropped(4)));
        let kept: usize = got
            .iter()
            .map(|u| match u {
                Update::Logs(l) => match &**l {
                    LogsUpdate::Lines(l) => l.len(),
                    _ => 0,
                },
                _ => 0,
            })
            .sum();
        assert_eq!(kept, 8);
        // Once the app has caught up the lane takes lines again.
        tx.send(lines(10)).await.unwrap();
        assert_eq!(drain(&mut rx), vec![lines(10)]);
    }

    #[tokio::test]
    async fn a_log_firehose_never_makes_a_source_wait() {
        let (tx, _rx) = channel(1, 5);
        let flood = async {
            for _ in 0..1000 {
                tx.send(lines(3)).await.unwrap();
            }
        };
        tokio::time::timeout(Duration::from_secs(5), flood)
            .await
            .expect("sending log lines never waits");
    }

    #[tokio::test]
    async fn ordered_items_wait_for_room_and_keep_their_order() {
        let (tx, mut rx) = channel(2, 10);
        tx.send(health(1)).await.unwrap();
        tx.send(health(2)).await.unwrap();
        let third = tx.send(health(3));
        tokio::pin!(third);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), third.as_mut())
                .await
                .is_err(),
            "a full queue makes the sender wait"
        );
        assert_eq!(rx.recv().await, Some(health(1)));
        third.await.unwrap();
        assert_eq!(drain(&mut rx), vec![health(2), health(3)]);
    }

    #[tokio::test]
    async fn the_ends_see_each_other_go() {
        let (tx, mut rx) = channel(4, 10);
        let tx2 = tx.clone();
        tx.send(health(1)).await.unwrap();
        drop(tx);
        drop(tx2);
        assert_eq!(rx.recv().await, Some(health(1)));
        assert_eq!(rx.recv().await, None);

        let (tx, rx) = channel(4, 10);
        drop(rx);
        tokio::time::timeout(Duration::from_secs(1), tx.closed())
            .await
            .expect("closed resolves once the receiver is gone");
        assert_eq!(tx.send(health(1)).await, Err(Closed));
    }
}
