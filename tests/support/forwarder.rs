//! A TCP forwarder in front of a test server, for outage tests: `shut`
//! closes the port and drops every forwarded connection, as when the server
//! dies; `open` listens on the same port again, as when it restarts. The
//! server behind it keeps its state, as a real one keeps its data.
//! Included by path (`#[path = "support/forwarder.rs"] mod forwarder;`) so
//! a live test binary does not compile the rest of `support` for it.

#![allow(dead_code, clippy::unwrap_used)]

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// Forwards a loopback port to a target while open.
pub struct Forwarder {
    addr: SocketAddr,
    target: SocketAddr,
    task: Option<JoinHandle<()>>,
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

impl Forwarder {
    /// Listens on an ephemeral loopback port and forwards to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        Self::start_on(IpAddr::from([127, 0, 0, 1]), target).await
    }

    /// The same on another address (127.0.0.2 reaches the server under an
    /// address its certificate does not name).
    pub async fn start_on(ip: IpAddr, target: SocketAddr) -> Self {
        let listener = TcpListener::bind((ip, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        Self {
            addr,
            target,
            task: Some(tokio::spawn(serve(listener, target))),
        }
    }

    /// The address clients should use.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server "dies": nothing listens, open connections are closed.
    pub async fn shut(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            // Waiting for the abort drops the listener and every connection.
            let _ = task.await;
        }
    }

    /// The server "restarts" on the same port.
    pub async fn open(&mut self) {
        self.shut().await;
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(_) if tries < 50 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot listen on {} again: {e}", self.addr),
            }
        };
        self.task = Some(tokio::spawn(serve(listener, self.target)));
    }
}

/// Accepts and forwards until aborted; the connections live in a `JoinSet`
/// so aborting this task drops them all.
async fn serve(listener: TcpListener, target: SocketAddr) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((mut inbound, _)) = accepted else { continue };
                connections.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
            Some(_) = connections.join_next() => {}
        }
    }
}
