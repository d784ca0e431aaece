//! The MongoDB source: what is running now (`currentOp`), what ran slowly
//! (`system.profile`), replica-set health (`replSetGetStatus`), killing an
//! op (`killOp`), and the `opsdeck check` probe. Every command carries
//! `maxTimeMS`, and every error names the target and never the password.

mod client;
mod command_text;
mod error;
mod fields;
mod ops;
mod probe;
mod profile;
mod replset;
mod secret;
mod target;

pub use client::{APP_NAME, MongoClient};
pub use command_text::truncate_chars;
pub use error::MongoError;
pub use ops::{CurrentOp, OpId};
pub use probe::{Access, Privileges, Probe, probe};
pub use profile::{DbProfile, SlowOp};
pub use replset::{Member, ReplicaSet};
pub use target::{DEFAULT_PROFILE_LIMIT, DEFAULT_SECS_RUNNING, MongoTarget};
