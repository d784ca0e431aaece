//! The room's writer: messages out (in order, kept while Redis is away),
//! heartbeats, and the lock questions of the guard chain.

use super::keys;
use super::link::Link;
use super::scripts::{self, HEARTBEAT, LOCK, RELEASE};
use super::settings::WarroomSettings;
use crate::core::room::{
    Holder, LockAnswer, LockKeys, Member, Peer, RoomLink, RoomMessage, RoomRequest, RoomUpdate,
};
use crate::transport::UpdateTx;
use redis::Value;
use std::collections::VecDeque;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};

/// Messages kept while Redis is unreachable; past it the oldest go (and
/// are counted in the log).
const QUEUE: usize = 1_000;
/// How often a console says it is here.
pub const BEAT: Duration = Duration::from_secs(5);
/// A member whose last heartbeat is older than this has gone.
const STALE: Duration = Duration::from_secs(20);
/// How long an empty room's member list outlives its last heartbeat.
const KEEP: Duration = Duration::from_secs(3_600);

pub enum Op {
    Request(RoomRequest),
    Look {
        keys: LockKeys,
        reply: oneshot::Sender<LockAnswer>,
    },
    Take {
        keys: LockKeys,
        holder: Holder,
        ttl: Duration,
        reply: oneshot::Sender<LockAnswer>,
    },
    Release {
        keys: LockKeys,
        holder: Holder,
        cooldown: Duration,
    },
    /// Answered once every op sent before it is done.
    Flush(oneshot::Sender<()>),
}

pub struct Desk {
    pub link: Link,
    pub me: Peer,
    pub settings: WarroomSettings,
    pub room: Option<String>,
    pub follow: watch::Sender<Option<String>>,
    pub out: UpdateTx,
    pub queue: VecDeque<RoomMessage>,
    pub presence: Option<(Option<String>, String, u64)>,
    /// The link state last told to the app.
    pub told: Option<RoomLink>,
}

impl Desk {
    pub async fn run(mut self, mut ops: mpsc::UnboundedReceiver<Op>) {
        let mut beat = tokio::time::interval(BEAT);
        beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                op = ops.recv() => match op {
                    Some(op) => self.handle(op).await,
                    None => {
                        self.leave().await;
                        return;
                    }
                },
                _ = beat.tick() => {
                    self.flush().await;
                    self.heartbeat().await;
                }
            }
        }
    }

    async fn handle(&mut self, op: Op) {
        match op {
            Op::Request(RoomRequest::Join(room)) => self.join(room).await,
            Op::Request(RoomRequest::Leave) => self.leave().await,
            Op::Request(RoomRequest::Publish(message)) => {
                if self.room.is_some() {
                    self.enqueue(*message);
                    self.flush().await;
                }
            }
            Op::Request(RoomRequest::Presence {
                context,
                tab,
                idle_secs,
            }) => {
                self.presence = Some((context, tab, idle_secs));
            }
            Op::Look { keys, reply } => {
                let answer = self.lock(&keys, None, Duration::ZERO).await;
                let _ = reply.send(answer);
            }
            Op::Take {
                keys,
                holder,
                ttl,
                reply,
            } => {
                let answer = self.lock(&keys, Some(&holder), ttl).await;
                let _ = reply.send(answer);
            }
            Op::Release {
                keys,
                holder,
                cooldown,
            } => self.release(&keys, &holder, cooldown).await,
            Op::Flush(reply) => {
                let _ = reply.send(());
            }
        }
    }

    async fn join(&mut self, room: String) {
        if self.room.as_deref() == Some(room.as_str()) {
            return;
        }
        self.leave().await;
        self.room = Some(room.clone());
        self.follow.send_replace(Some(room.clone()));
        self.tell(RoomUpdate::Room(Some(room.as_str().into())))
            .await;
        let context = self
            .presence
            .as_ref()
            .and_then(|p| p.0.as_deref())
            .map(Into::into);
        self.enqueue(RoomMessage::Joined {
            from: self.me.clone(),
            context,
        });
        self.flush().await;
        self.heartbeat().await;
    }

    /// Says goodbye (best effort: a console that cannot reach Redis
    /// leaves by its heartbeat going stale).
    async fn leave(&mut self) {
        let Some(room) = self.room.clone() else {
            return;
        };
        self.enqueue(RoomMessage::Left {
            from: self.me.clone(),
        });
        self.flush().await;
        let mut hdel = redis::cmd("HDEL");
        hdel.arg(keys::members(&room)).arg(self.me.session.as_str());
        let _ = self.link.run::<Value>(&hdel).await;
        self.queue.clear();
        self.room = None;
        self.follow.send_replace(None);
        self.tell(RoomUpdate::Room(None)).await;
    }

    fn enqueue(&mut self, message: RoomMessage) {
        if self.queue.len() >= QUEUE {
            self.queue.pop_front();
            tracing::warn!("war room: unreachable; the oldest unsent message was dropped");
        }
        self.queue.push_back(message);
    }

    /// Sends what waits, in order; stops at the first failure (kept for
    /// the next beat).
    async fn flush(&mut self) {
        let Some(room) = self.room.clone() else {
            return;
        };
        while let Some(message) = self.queue.front() {
            let Some(bytes) = message.encode() else {
                tracing::warn!("war room: a message over the size limit was not sent");
                self.queue.pop_front();
                continue;
            };
            let mut xadd = redis::cmd("XADD");
            xadd.arg(keys::stream(&room))
                .arg("MAXLEN")
                .arg("~")
                .arg(self.settings.history)
                .arg("*")
                .arg("m")
                .arg(bytes);
            match self.link.run::<Value>(&xadd).await {
                Ok(_) => {
                    self.queue.pop_front();
                    self.up().await;
                }
                Err(e) => {
                    self.down(e).await;
                    return;
                }
            }
        }
    }

    async fn heartbeat(&mut self) {
        let Some(room) = self.room.clone() else {
            return;
        };
        let (context, tab, idle_secs) = self.presence.clone().unwrap_or((None, String::new(), 0));
        let me = Member {
            peer: self.me.clone(),
            context: context.map(|c| c.as_str().into()),
            tab: tab.as_str().into(),
            idle_secs,
        };
        let json = serde_json::to_string(&me).unwrap_or_default();
        let members = keys::members(&room);
        let args = [
            self.me.session.to_string(),
            json,
            STALE.as_millis().to_string(),
            KEEP.as_millis().to_string(),
        ];
        match self
            .link
            .run::<Value>(&scripts::eval(HEARTBEAT, &[&members], &args))
            .await
        {
            Ok(Value::Array(items)) => {
                let list: Vec<Member> = items
                    .iter()
                    .filter_map(scripts::bytes)
                    .filter(|b| b.len() <= crate::core::room::MAX_MESSAGE_BYTES)
                    .filter_map(|b| serde_json::from_slice(b).ok())
                    .collect();
                self.up().await;
                self.tell(RoomUpdate::Members {
                    at: chrono::Utc::now(),
                    members: list,
                })
                .await;
            }
            Ok(_) => {
                self.down("the room's heartbeat script answered oddly".into())
                    .await
            }
            Err(e) => self.down(e).await,
        }
    }

    async fn lock(
        &mut self,
        keys: &LockKeys,
        holder: Option<&Holder>,
        ttl: Duration,
    ) -> LockAnswer {
        if self.room.is_none() {
            return LockAnswer::Unavailable("not in a room".into());
        }
        let value = holder
            .and_then(|h| serde_json::to_string(h).ok())
            .unwrap_or_default();
        let args = [value, ttl.as_millis().max(1).to_string()];
        let cmd = scripts::eval(LOCK, &[&keys.lock, &keys.cooldown], &args);
        match self.link.run::<Value>(&cmd).await {
            Ok(reply) => {
                self.up().await;
                scripts::lock_answer(&reply)
            }
            Err(e) => {
                self.down(e.clone()).await;
                LockAnswer::Unavailable(e)
            }
        }
    }

    async fn release(&mut self, keys: &LockKeys, holder: &Holder, cooldown: Duration) {
        let Ok(value) = serde_json::to_string(holder) else {
            return;
        };
        let args = [value, cooldown.as_millis().to_string()];
        let cmd = scripts::eval(RELEASE, &[&keys.lock, &keys.cooldown], &args);
        if let Err(e) = self.link.run::<Value>(&cmd).await {
            // The lock expires on its own; the cooldown is then local only.
            tracing::warn!("war room: the lock was not released ({e}); it expires by itself");
            self.down(e).await;
        }
    }

    async fn up(&mut self) {
        if self.told != Some(RoomLink::Up) {
            self.told = Some(RoomLink::Up);
            self.tell(RoomUpdate::Link(RoomLink::Up)).await;
        }
    }

    async fn down(&mut self, why: String) {
        let link = RoomLink::Down(why.as_str().into());
        if self.told.as_ref() != Some(&link) {
            tracing::warn!("war room: {why}");
            self.told = Some(link.clone());
            self.tell(RoomUpdate::Link(link)).await;
        }
    }

    async fn tell(&self, update: RoomUpdate) {
        let _ = self
            .out
            .send(crate::update::Update::Room(crate::core::clean::Clean::new(
                update,
            )))
            .await;
    }
}
