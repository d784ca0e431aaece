//! A tiny HTTP/1.1 server for tests: each request's target goes to a
//! handler that returns a status, content type and body, or `None` to
//! never answer (a hung server).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
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
    serve_recording(handler).0
}

/// Like `serve`, also keeping each request's line and headers, as sent.
pub fn serve_recording<F>(handler: F) -> (SocketAddr, Arc<Mutex<Vec<String>>>)
where
    F: Fn(&str) -> Option<Reply> + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&heads);
    let addr = serve_on_recording(listener, handler, Some(seen));
    (addr, heads)
}

/// Serves on `listener` (e.g. bound to a port a test server scrapes).
pub fn serve_on<F>(listener: TcpListener, handler: F) -> SocketAddr
where
    F: Fn(&str) -> Option<Reply> + Send + Sync + 'static,
{
    serve_on_recording(listener, handler, None)
}

type Heads = Option<Arc<Mutex<Vec<String>>>>;

fn serve_on_recording<F>(listener: TcpListener, handler: F, heads: Heads) -> SocketAddr
where
    F: Fn(&str) -> Option<Reply> + Send + Sync + 'static,
{
    let addr = listener.local_addr().unwrap();
    let handler = Arc::new(handler);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handler = Arc::clone(&handler);
            let heads = heads.clone();
            std::thread::spawn(move || answer(stream, &*handler, heads));
        }
    });
    addr
}

fn answer(stream: TcpStream, handler: &dyn Fn(&str) -> Option<Reply>, heads: Heads) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Read the headers; these tests send no bodies.
    let mut head = request_line.clone();
    let mut line = String::new();
    while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) && line != "\r\n" {
        head.push_str(&line);
        line.clear();
    }
    if let Some(heads) = heads {
        heads.lock().unwrap().push(head);
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

/// Answers every request 200 with a JSON body that never ends (chunked),
/// `start` then `repeat` for ever, until the client goes away. Returns the
/// address and how many body bytes were written so far.
pub fn serve_endless(
    start: &'static str,
    repeat: &'static str,
) -> (SocketAddr, Arc<std::sync::atomic::AtomicU64>) {
    use std::sync::atomic::{AtomicU64, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let sent = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&sent);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let counter = Arc::clone(&counter);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) && line != "\r\n"
                {
                    line.clear();
                }
                let mut stream = stream;
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                let chunk = |text: &str| format!("{:x}\r\n{text}\r\n", text.len());
                let mut body = repeat.repeat(64 * 1024 / repeat.len().max(1));
                if stream.write_all(head.as_bytes()).is_err()
                    || stream.write_all(chunk(start).as_bytes()).is_err()
                {
                    return;
                }
                counter.fetch_add(start.len() as u64, Ordering::Relaxed);
                body = chunk(&body);
                let payload = body.len() as u64;
                while stream.write_all(body.as_bytes()).is_ok() {
                    counter.fetch_add(payload, Ordering::Relaxed);
                }
            });
        }
    });
    (addr, sent)
}
