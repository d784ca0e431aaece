//! Routes a command body to its handler. The command name is the first
//! key; everything the driver adds (`$db`, `lsid`, `$clusterTime`,
//! `$readPreference`, `maxTimeMS`, client metadata...) is ignored unless a
//! handler reads it.

use super::state::{SeenCommand, State};
use super::{handshake, ops, privileges, profile, replset};
use bson::{Document, doc};
use std::sync::Mutex;

/// Commands a real server refuses outside the admin database.
const ADMIN_ONLY: &[&str] = &["currentOp", "killOp", "replSetGetStatus"];
/// Generic arguments any command may carry; they are never filter fields.
const GENERIC_ARGS: &[&str] = &[
    "lsid",
    "maxTimeMS",
    "comment",
    "txnNumber",
    "autocommit",
    "startTransaction",
    "readConcern",
    "writeConcern",
    "apiVersion",
    "apiStrict",
    "apiDeprecationErrors",
];

pub fn handle(state: &Mutex<State>, body: Document, connection_id: i32) -> Document {
    let name = body.keys().next().cloned().unwrap_or_default();
    let db = body.get_str("$db").unwrap_or_default().to_string();
    if std::env::var_os("MONGO_SERVER_LOG").is_some() {
        eprintln!("mongo_server: {db}.{name} {body}");
    }
    let mut state = state.lock().unwrap();
    state.seen.push(SeenCommand {
        name: name.clone(),
        db: db.clone(),
        body: body.clone(),
    });
    let mut reply = if db.is_empty() {
        error(
            40571,
            "Location40571",
            "OP_MSG requests require a $db argument",
        )
    } else if ADMIN_ONLY.contains(&name.as_str()) && db != "admin" {
        let message = format!("{name} may only be run against the admin database.");
        error(13, "Unauthorized", &message)
    } else {
        dispatch(&mut state, &name, &db, &body, connection_id)
    };
    if state.replica_set.is_some() {
        replset::add_cluster_time(&mut reply);
    }
    reply
}

fn dispatch(
    state: &mut State,
    name: &str,
    db: &str,
    body: &Document,
    connection_id: i32,
) -> Document {
    match name {
        "hello" | "isMaster" | "ismaster" => handshake::hello(state, name, body, connection_id),
        "buildInfo" | "buildinfo" => handshake::build_info(),
        "ping" | "endSessions" => doc! { "ok": 1.0 },
        // No users exist here, so any login attempt fails as a real one would.
        "saslStart" | "authenticate" => error(18, "AuthenticationFailed", "Authentication failed."),
        "currentOp" => ops::current_op(state, body),
        "killOp" => ops::kill_op(state, body),
        "find" => profile::find(state, db, body),
        "profile" => profile::profile(state, db, body),
        "replSetGetStatus" => replset::status(state),
        "connectionStatus" => privileges::connection_status(state, body),
        other => error(
            59,
            "CommandNotFound",
            &format!("no such command: '{other}'"),
        ),
    }
}

/// A command failure as the server shapes it.
pub fn error(code: i32, code_name: &str, message: &str) -> Document {
    doc! { "ok": 0.0, "errmsg": message, "code": code, "codeName": code_name }
}

/// The command's own fields that act as a filter: all but `skip` (the
/// command name and its options) and the generic arguments (`$`-prefixed
/// ones too, except the logical operators).
pub fn filter_fields(body: &Document, skip: &[&str]) -> Document {
    body.iter()
        .filter(|(k, _)| {
            let key = k.as_str();
            let dollar_arg = key.starts_with('$') && !matches!(key, "$and" | "$or");
            !skip.contains(&key) && !GENERIC_ARGS.contains(&key) && !dollar_arg
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
