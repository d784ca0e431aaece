//! A MongoDB 7.0 stand-in speaking the real wire protocol (OP_MSG with
//! BSON), good enough for the official driver to connect, handshake and run
//! the diagnostic commands opsdeck uses. Blocking std threads: one accepts,
//! one serves each connection; they live until the test process ends.

mod commands;
pub mod fixtures;
mod handshake;
mod matcher;
mod ops;
mod privileges;
mod profile;
mod replset;
mod state;
mod wire;

pub use handshake::VERSION;
pub use state::{Member, Privileges, SeenCommand};

use bson::Document;
use state::{Profile, State};
use std::io::BufReader;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use wire::Frame;

/// What the server starts with; everything can be changed later through
/// the handle.
#[derive(Clone, Debug, Default)]
pub struct MongoServerOptions {
    pub ops: Vec<Document>,
    /// `Some` turns on replica-set mode (hello `setName`, `replSetGetStatus`).
    pub replica_set: Option<Vec<Member>>,
    /// `None` is a server with auth off.
    pub privileges: Option<Privileges>,
}

/// The handle tests drive the server through.
#[derive(Clone)]
pub struct MongoServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl MongoServer {
    pub fn start(options: MongoServerOptions) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            ops: options.ops,
            replica_set: options.replica_set,
            privileges: options.privileges,
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        std::thread::Builder::new()
            .name("mongo-server".into())
            .spawn(move || accept(listener, shared))
            .unwrap();
        Self { addr, state }
    }

    /// A URI the driver connects to this server with, without discovery.
    pub fn uri(&self) -> String {
        format!("mongodb://{}/?directConnection=true", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn add_op(&self, op: Document) {
        self.lock().ops.push(op);
    }

    /// Replaces the running ops (an op ends, another takes its opid).
    pub fn set_ops(&self, ops: Vec<Document>) {
        self.lock().ops = ops;
    }

    pub fn ops(&self) -> Vec<Document> {
        self.lock().ops.clone()
    }

    /// Sets `<db>`'s profiling level and its `system.profile` documents.
    pub fn set_profile(&self, db: &str, level: i32, docs: Vec<Document>) {
        self.lock()
            .profiles
            .insert(db.to_string(), Profile { level, docs });
    }

    pub fn set_replica_set(&self, members: Option<Vec<Member>>) {
        self.lock().replica_set = members;
    }

    pub fn set_privileges(&self, privileges: Option<Privileges>) {
        self.lock().privileges = privileges;
    }

    /// Every command received so far, handshakes included, in order.
    pub fn commands_seen(&self) -> Vec<SeenCommand> {
        self.lock().seen.clone()
    }

    /// The commands named `name` received so far.
    pub fn commands_named(&self, name: &str) -> Vec<SeenCommand> {
        let seen = self.commands_seen();
        seen.into_iter().filter(|c| c.name == name).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }
}

fn accept(listener: TcpListener, state: Arc<Mutex<State>>) {
    let next_id = AtomicI32::new(1);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let state = Arc::clone(&state);
        let connection_id = next_id.fetch_add(1, Ordering::Relaxed);
        let _ = std::thread::Builder::new()
            .name(format!("mongo-conn-{connection_id}"))
            .spawn(move || serve(stream, &state, connection_id));
    }
}

/// Answers requests until the driver closes the connection.
fn serve(stream: TcpStream, state: &Mutex<State>, connection_id: i32) {
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        let request = match wire::read_frame(&mut reader) {
            Ok(Frame::Msg(request)) => request,
            Ok(Frame::Other { op_code }) => {
                eprintln!("mongo_server: opcode {op_code} is not supported; closing");
                return;
            }
            Err(_) => return,
        };
        let reply = commands::handle(state, request.body, connection_id);
        if request.flags & wire::MORE_TO_COME != 0 {
            continue;
        }
        if wire::write_reply(&mut writer, request.request_id, &reply).is_err() {
            return;
        }
    }
}
