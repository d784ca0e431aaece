//! A loopback port that refuses connections for as long as a test needs it.
//!
//! Binding port 0 and dropping the listener frees the number for anyone:
//! another test's server can take it before this test connects, and then
//! "nothing listens there" is no longer true. A socket bound but never
//! listening holds the port, and the kernel answers every connection
//! attempt with a reset, as for a closed port.

use std::net::SocketAddr;
use tokio::net::TcpSocket;

pub struct ClosedPort {
    // Held, never listened on: keeps the port from being handed out.
    _socket: TcpSocket,
    addr: SocketAddr,
}

impl ClosedPort {
    pub fn new() -> ClosedPort {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = socket.local_addr().unwrap();
        ClosedPort {
            _socket: socket,
            addr,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}
