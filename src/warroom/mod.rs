//! The war room: consoles on one incident, in sync through a Redis the
//! team already runs. A room is a capped Redis Stream (notes, actions,
//! joins and leaves, read by late joiners from its start), a hash of
//! heartbeats (who is in it), and per-target lock and cooldown keys.
//!
//! Two tasks per console: `follow` reads the stream into `Update::Room`,
//! `desk` writes (messages, heartbeats) and answers lock questions.
//! Neither ever holds up the app: when Redis is down the badge says so,
//! writes wait in a bounded queue, and actions go on through the local
//! guard chain (or are refused, with `require_lock`).

mod desk;
mod follow;
pub mod handle;
mod keys;
mod link;
pub mod probe;
mod scripts;
pub mod settings;

pub use handle::{Room, spawn};
