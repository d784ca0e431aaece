//! The wait before the next poll of a failing cluster. It grows (up to a
//! minute) so a broken cluster is not hammered, but a cluster that was down
//! and is back must not wait that long to show it: while no bootstrap
//! broker accepts a connection, one that does again ends the wait.

use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep_until, timeout};

/// How long a reachability check waits for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Waits `wait`, or only until the next `interval` check after a
/// bootstrap broker that refused connections when the wait began accepts
/// one (a restart). A cluster that accepts connections but fails otherwise
/// (authentication, a broken broker) waits the whole time.
pub async fn wait(bootstrap: &str, wait: Duration, interval: Duration) {
    let until = Instant::now() + wait;
    if accepts(bootstrap).await {
        sleep_until(until).await;
        return;
    }
    loop {
        let next = (Instant::now() + interval).min(until);
        sleep_until(next).await;
        if next >= until || accepts(bootstrap).await {
            return;
        }
    }
}

/// Whether some bootstrap server (`host:port`, optionally `PROTOCOL://`)
/// accepts a TCP connection.
async fn accepts(bootstrap: &str) -> bool {
    for server in bootstrap.split(',') {
        let server = server.trim();
        let address = server.rsplit("://").next().unwrap_or(server);
        if let Ok(Ok(_)) = timeout(CONNECT_TIMEOUT, TcpStream::connect(address)).await {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::{TcpListener, TcpSocket};

    /// A loopback port that refuses connections until `listen` is called
    /// on it. Bound, not dropped: a dropped port could be taken by another
    /// test before this one is done with it.
    fn refusing_port() -> (TcpSocket, String) {
        let socket = TcpSocket::new_v4().expect("a socket");
        socket
            .bind(([127, 0, 0, 1], 0).into())
            .expect("a loopback port");
        let address = socket.local_addr().expect("an address").to_string();
        (socket, address)
    }

    #[tokio::test]
    async fn a_cluster_that_comes_back_ends_the_wait_at_the_next_check() {
        let (socket, address) = refusing_port();
        let bootstrap = format!("PLAINTEXT://127.0.0.1:1,{address}");
        let reopen = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            socket.listen(16).expect("the same port, listening")
        });
        let started = Instant::now();
        wait(
            &bootstrap,
            Duration::from_secs(30),
            Duration::from_millis(100),
        )
        .await;
        let waited = started.elapsed();
        let _listener = reopen.await.expect("the listener task");
        assert!(waited >= Duration::from_millis(300), "{waited:?}");
        assert!(waited < Duration::from_secs(5), "{waited:?}");
    }

    #[tokio::test]
    async fn a_reachable_cluster_waits_the_whole_time() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let bootstrap = listener.local_addr().expect("an address").to_string();
        let started = Instant::now();
        wait(
            &bootstrap,
            Duration::from_millis(400),
            Duration::from_millis(50),
        )
        .await;
        assert!(started.elapsed() >= Duration::from_millis(400));
    }

    #[tokio::test]
    async fn a_cluster_still_down_waits_the_whole_time() {
        let (_held, bootstrap) = refusing_port();
        let started = Instant::now();
        wait(
            &bootstrap,
            Duration::from_millis(400),
            Duration::from_millis(50),
        )
        .await;
        assert!(started.elapsed() >= Duration::from_millis(400));
    }
}
