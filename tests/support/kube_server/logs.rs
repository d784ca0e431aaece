//! Container logs: lines pushed by the test, served by
//! `GET .../pods/{pod}/log` with the kubelet's query parameters, and
//! followed (`follow=true`) until the stream is ended or the pod deleted.

use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use serde_json::Value;
use tokio::sync::{broadcast, mpsc};

use super::resource::Res;
use super::routes::{self, Query, Reply};
use super::state::{Shared, Store};
use super::status::{self, Failure};
use super::time;

/// `(namespace, pod, container)`.
pub type LogKey = (String, String, String);

#[derive(Debug, Clone)]
pub struct LogLine {
    at: SystemTime,
    text: String,
}

#[derive(Debug, Clone)]
enum LogEvent {
    Line(LogLine),
    End,
}

/// The log of one container: the current instance's lines, the previous
/// instance's (for `previous=true`), and the followers of the current one.
#[derive(Debug)]
pub struct LogBuffer {
    current: Vec<LogLine>,
    previous: Option<Vec<LogLine>>,
    ended: bool,
    followers: broadcast::Sender<LogEvent>,
}

impl Default for LogBuffer {
    fn default() -> Self {
        Self {
            current: Vec::new(),
            previous: None,
            ended: false,
            followers: broadcast::channel(1024).0,
        }
    }
}

impl Store {
    fn log_buffer(&mut self, ns: &str, pod: &str, container: &str) -> &mut LogBuffer {
        self.logs
            .entry((ns.to_string(), pod.to_string(), container.to_string()))
            .or_default()
    }

    /// Appends a line (without its newline) stamped now.
    pub fn push_log(&mut self, ns: &str, pod: &str, container: &str, text: &str) {
        self.push_log_at(ns, pod, container, text, SystemTime::now());
    }

    /// Appends a line the kubelet stamped at `at` (a stream running late).
    pub fn push_log_at(
        &mut self,
        ns: &str,
        pod: &str,
        container: &str,
        text: &str,
        at: SystemTime,
    ) {
        let line = LogLine {
            at,
            text: text.to_string(),
        };
        let buffer = self.log_buffer(ns, pod, container);
        buffer.current.push(line.clone());
        // Nobody following is normal.
        let _ = buffer.followers.send(LogEvent::Line(line));
    }

    /// How many `follow=true` streams of this container are open.
    pub fn log_followers(&self, ns: &str, pod: &str, container: &str) -> usize {
        self.logs
            .get(&(ns.to_string(), pod.to_string(), container.to_string()))
            .map_or(0, |b| b.followers.receiver_count())
    }

    /// The container stopped: followers reach the end of the stream.
    pub fn end_log(&mut self, ns: &str, pod: &str, container: &str) {
        let buffer = self.log_buffer(ns, pod, container);
        buffer.ended = true;
        let _ = buffer.followers.send(LogEvent::End);
    }

    /// The container restarted: its lines become the `previous=true` log,
    /// followers of the old instance end, and a new empty log begins.
    pub fn restart_log(&mut self, ns: &str, pod: &str, container: &str) {
        let buffer = self.log_buffer(ns, pod, container);
        let _ = buffer.followers.send(LogEvent::End);
        buffer.previous = Some(std::mem::take(&mut buffer.current));
        buffer.ended = false;
        buffer.followers = broadcast::channel(1024).0;
    }
}

/// Ends every follow on a deleted pod and forgets its logs.
pub fn end_pod_streams(store: &mut Store, ns: &str, pod: &str) {
    store.logs.retain(|(n, p, _), buffer| {
        let gone = n == ns && p == pod;
        if gone {
            let _ = buffer.followers.send(LogEvent::End);
        }
        !gone
    });
}

/// What one log request asks for.
struct LogRequest {
    follow: bool,
    timestamps: bool,
    tail_lines: Option<usize>,
    since: Option<SystemTime>,
    limit_bytes: Option<usize>,
}

/// `GET /api/v1/namespaces/{ns}/pods/{pod}/log`.
pub fn logs(shared: &Shared, ns: &str, pod: &str, q: &Query) -> Reply {
    let to_usize = |n: Option<i64>| n.and_then(|n| usize::try_from(n).ok());
    let request = LogRequest {
        follow: q.flag("follow"),
        timestamps: q.flag("timestamps"),
        tail_lines: to_usize(q.number("tailLines")?),
        since: q
            .number("sinceSeconds")?
            .map(|s| SystemTime::now() - Duration::from_secs(s.unsigned_abs())),
        limit_bytes: to_usize(q.number("limitBytes")?),
    };
    let previous = q.flag("previous");
    let mut store = shared.lock();
    let pod_object = store
        .get(Res::Pods, ns, pod)
        .ok_or_else(|| status::not_found(Res::Pods, pod))?;
    let container = choose_container(pod_object, pod, q.get("container"))?;
    let buffer = store.log_buffer(ns, pod, &container);
    let lines = if previous {
        buffer.previous.clone().ok_or_else(|| {
            status::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{pod}\" not found"
            ))
        })?
    } else {
        buffer.current.clone()
    };
    let live = (request.follow && !previous && !buffer.ended).then(|| buffer.followers.subscribe());
    drop(store);

    let mut lines: Vec<LogLine> = lines
        .into_iter()
        .filter(|line| request.since.is_none_or(|since| line.at >= since))
        .collect();
    if let Some(tail) = request.tail_lines {
        lines.drain(..lines.len().saturating_sub(tail));
    }
    let (tx, rx) = mpsc::channel(256);
    tokio::spawn(stream(tx, request, lines, live));
    Ok(routes::streaming("text/plain", rx))
}

/// The container a request names; without a name, the only one. Errors are
/// the real server's 400s.
fn choose_container(pod_object: &Value, pod: &str, asked: Option<&str>) -> Result<String, Failure> {
    let names_in = |key: &str| -> Vec<String> {
        pod_object["spec"][key]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|c| c["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let containers = names_in("containers");
    let all: Vec<String> = containers
        .iter()
        .cloned()
        .chain(names_in("initContainers"))
        .chain(names_in("ephemeralContainers"))
        .collect();
    match asked {
        Some(name) if all.iter().any(|c| c == name) => Ok(name.to_string()),
        Some(name) => Err(status::bad_request(format!(
            "container {name} is not valid for pod {pod}"
        ))),
        None if containers.len() == 1 => Ok(containers[0].clone()),
        None => Err(status::bad_request(format!(
            "a container name must be specified for pod {pod}, choose one of: [{}]",
            containers.join(" ")
        ))),
    }
}

/// Writes the selected lines, then (when following) the lines pushed later,
/// until the stream ends, the client leaves or `limitBytes` is reached.
async fn stream(
    tx: mpsc::Sender<Bytes>,
    request: LogRequest,
    lines: Vec<LogLine>,
    mut live: Option<broadcast::Receiver<LogEvent>>,
) {
    let mut budget = request.limit_bytes.unwrap_or(usize::MAX);
    let mut send = async |line: &LogLine| -> bool {
        let mut text = if request.timestamps {
            format!("{} {}\n", time::rfc3339_nano(line.at), line.text)
        } else {
            format!("{}\n", line.text)
        };
        if text.len() >= budget {
            // limitBytes cuts the log mid-line, as the kubelet does.
            let mut cut = budget;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            let _ = tx.send(Bytes::from(text)).await;
            return false;
        }
        budget -= text.len();
        tx.send(Bytes::from(text)).await.is_ok()
    };
    for line in &lines {
        if !send(line).await {
            return;
        }
    }
    let Some(live) = live.as_mut() else {
        return;
    };
    loop {
        let event = tokio::select! {
            event = live.recv() => event,
            () = tx.closed() => return,
        };
        match event {
            Ok(LogEvent::Line(line)) => {
                if !send(&line).await {
                    return;
                }
            }
            // A slow reader loses lines rather than blocking the test.
            Err(broadcast::error::RecvError::Lagged(_)) => {}
            Ok(LogEvent::End) | Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}
