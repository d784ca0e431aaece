//! What the runtime holds of the room: requests in, lock answers out.

use super::desk::{Desk, Op};
use super::follow::Follow;
use super::link::Link;
use super::settings::WarroomSettings;
use crate::core::room::{Holder, LockAnswer, LockKeys, Peer, RoomRequest};
use crate::transport::UpdateTx;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};

#[derive(Debug, Clone)]
pub struct Room {
    ops: mpsc::UnboundedSender<Op>,
    /// How long a lock question may take before it counts as unanswered.
    patience: Duration,
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("room op")
    }
}

/// Starts the room's two tasks (joined to no room yet).
pub fn spawn(settings: WarroomSettings, me: Peer, out: UpdateTx) -> Room {
    let (ops_tx, ops_rx) = mpsc::unbounded_channel();
    let (follow_tx, follow_rx) = watch::channel(None);
    let patience = settings.timeout() * 3;
    let follow = Follow {
        link: Link::new(settings.clone()),
        session: me.session.to_string(),
        out: out.clone(),
        dropped: 0,
        failing: false,
    };
    tokio::spawn(follow.run(follow_rx));
    let desk = Desk {
        link: Link::new(settings.clone()),
        me,
        settings,
        room: None,
        follow: follow_tx,
        out,
        queue: Default::default(),
        presence: None,
        told: None,
    };
    tokio::spawn(desk.run(ops_rx));
    Room {
        ops: ops_tx,
        patience,
    }
}

impl Room {
    pub fn request(&self, request: RoomRequest) {
        let _ = self.ops.send(Op::Request(request));
    }

    /// Whether another console holds or just ran this action (nothing taken).
    pub async fn look(&self, keys: LockKeys) -> LockAnswer {
        let (reply, answer) = oneshot::channel();
        self.ask(Op::Look { keys, reply }, answer).await
    }

    /// Takes the lock for `ttl`, unless held or cooling down.
    pub async fn take(&self, keys: LockKeys, holder: Holder, ttl: Duration) -> LockAnswer {
        let (reply, answer) = oneshot::channel();
        self.ask(
            Op::Take {
                keys,
                holder,
                ttl,
                reply,
            },
            answer,
        )
        .await
    }

    /// Gives the lock back and starts the shared cooldown (`ZERO`: none).
    pub fn release(&self, keys: LockKeys, holder: Holder, cooldown: Duration) {
        let _ = self.ops.send(Op::Release {
            keys,
            holder,
            cooldown,
        });
    }

    /// Leaves the room, waiting at most `wait` for the goodbye to be sent.
    pub async fn bye(&self, wait: Duration) {
        self.request(RoomRequest::Leave);
        let (reply, done) = oneshot::channel();
        if self.ops.send(Op::Flush(reply)).is_ok() {
            let _ = tokio::time::timeout(wait, done).await;
        }
    }

    async fn ask(&self, op: Op, answer: oneshot::Receiver<LockAnswer>) -> LockAnswer {
        if self.ops.send(op).is_err() {
            return LockAnswer::Unavailable("the room's task has stopped".into());
        }
        match tokio::time::timeout(self.patience, answer).await {
            Ok(Ok(a)) => a,
            Ok(Err(_)) => LockAnswer::Unavailable("the room's task has stopped".into()),
            Err(_) => LockAnswer::Unavailable(format!(
                "the room did not answer in {}s",
                self.patience.as_secs()
            )),
        }
    }
}
