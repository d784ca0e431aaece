//! A tiny HTTP/1.1 server for tests: each request's target goes to a
//! handler that returns a status, content type and body, or `None` to
//! never answer (a hung server).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// What the handler answers.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

pub fn json(status: u16, body: impl Into<String>) -> Option<Reply> {
    Some(Reply {
        status,
        content_type: "application/json",
        body: body.into(),
    })
}

/// Serves on a free loopback port until the test process ends.
pub fn serve<F>(handler: F) -> SocketAddr
where
    F: Fn(&str) -> Option<Reply> + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    serve_on(listener, handler)
}

/// Serves on `listener` (e.g. bound to a port a test server scrapes).
pub fn serve_on<F>(listener: TcpListener, handler: F) -> SocketAddr
where
    F: Fn(&str) -> Option<Reply> + Send + Sync + 'static,
{
    let addr = listener.local_addr().unwrap();
    let handler = Arc::new(handler);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handler = Arc::clone(&handler);
            std::thread::spawn(move || answer(stream, &*handler));
        }
    });
    addr
}

fn answer(stream: TcpStream, handler: &dyn Fn(&str) -> Option<Reply>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Skip the headers; these tests send no bodies.
    let mut line = String::new();
    while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) && line != "\r\n" {
        line.clear();
    }
    let target = request_line.split(' ').nth(1).unwrap_or("/").to_string();
    let Some(reply) = handler(&target) else {
        std::thread::sleep(Duration::from_secs(3600));
        return;
    };
    let mut stream = stream;
    let head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reply.status,
        reply.content_type,
        reply.body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(reply.body.as_bytes());
}

/// A query parameter of a request target, percent-decoded enough for numbers.
pub fn param(target: &str, name: &str) -> Option<String> {
    let query = target.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.replace("%2B", "+").replace("%3A", ":"))
    })
}
