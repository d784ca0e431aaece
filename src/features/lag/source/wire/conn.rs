//! One plain TCP connection to a broker, kept across polls: requests go
//! out with increasing correlation ids, several at a time, and replies are
//! matched to them in order (Kafka answers a connection's requests in
//! the order they came).

use super::frame::{Request, WireError, decode, encode, read};
use super::shape::Field;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Requests written before their replies are read: enough to hide the
/// round trips, few enough that neither side's socket buffer fills while
/// the other is not reading.
const WINDOW: usize = 32;

pub struct Connection {
    stream: TcpStream,
    next_id: i32,
    wait: Duration,
}

impl Connection {
    /// Connects to `addr` (`host:port`) within `wait`.
    pub async fn open(addr: &str, wait: Duration) -> Result<Connection, WireError> {
        let stream = tokio::time::timeout(wait, TcpStream::connect(addr))
            .await
            .map_err(|_| WireError::Connection(format!("connecting to {addr}: timed out")))?
            .map_err(|e| WireError::Connection(format!("connecting to {addr}: {e}")))?;
        // Small requests, each awaited: no waiting to fill a packet.
        let _ = stream.set_nodelay(true);
        Ok(Connection {
            stream,
            next_id: 0,
            wait,
        })
    }

    pub async fn call<R: Request>(
        &mut self,
        request: &R,
        version: i16,
        shape: &[Field],
    ) -> Result<R::Response, WireError> {
        let mut replies = self
            .call_all(std::slice::from_ref(request), version, shape)
            .await?;
        replies
            .pop()
            .ok_or_else(|| WireError::Reply("no reply".into()))
    }

    /// Every request's reply, in order, with at most `WINDOW` in flight.
    pub async fn call_all<R: Request>(
        &mut self,
        requests: &[R],
        version: i16,
        shape: &[Field],
    ) -> Result<Vec<R::Response>, WireError> {
        let mut replies = Vec::with_capacity(requests.len());
        for window in requests.chunks(WINDOW) {
            let first = self.next_id;
            let mut out = Vec::new();
            for request in window {
                out.extend(encode(request, version, self.next_id)?);
                self.next_id = self.next_id.wrapping_add(1);
            }
            self.stream
                .write_all(&out)
                .await
                .map_err(|e| WireError::Connection(format!("sending a request: {e}")))?;
            for i in 0..window.len() {
                let body = read(&mut self.stream, self.wait).await?;
                let id = first.wrapping_add(i32::try_from(i).unwrap_or(i32::MAX));
                replies.push(decode::<R>(&body, version, id, shape)?);
            }
        }
        Ok(replies)
    }
}
