//! What the fake server knows: in-progress ops, profiler collections,
//! replica-set members, the connected user's privileges, and every command
//! it was sent.

use bson::{DateTime, Document};
use std::collections::HashMap;

/// One replica-set member as `replSetGetStatus` reports it.
#[derive(Clone, Debug)]
pub struct Member {
    pub name: String,
    pub state_str: String,
    /// 1.0 up, 0.0 unreachable (a double on the wire).
    pub health: f64,
    pub optime_date: DateTime,
}

impl Member {
    pub fn new(name: &str, state_str: &str, health: f64, optime_date: DateTime) -> Self {
        Self {
            name: name.into(),
            state_str: state_str.into(),
            health,
            optime_date,
        }
    }
}

/// The authenticated user behind `connectionStatus`; `None` in the server
/// state means auth is off (no users, no privileges).
#[derive(Clone, Debug)]
pub struct Privileges {
    pub user: String,
    pub db: String,
    pub roles: Vec<String>,
    /// Actions granted on the cluster resource, e.g. `inprog`, `killop`.
    pub cluster_actions: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Profile {
    pub level: i32,
    pub docs: Vec<Document>,
}

/// A command as the server received it.
#[derive(Clone, Debug)]
pub struct SeenCommand {
    pub name: String,
    pub db: String,
    pub body: Document,
}

#[derive(Default)]
pub struct State {
    pub ops: Vec<Document>,
    pub profiles: HashMap<String, Profile>,
    pub replica_set: Option<Vec<Member>>,
    pub privileges: Option<Privileges>,
    pub seen: Vec<SeenCommand>,
}

impl State {
    pub fn profile(&self, db: &str) -> Profile {
        self.profiles.get(db).cloned().unwrap_or_default()
    }
}
