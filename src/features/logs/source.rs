//! Following pod logs through the Kubernetes log API (`follow=true`), as
//! stern does: one stream per pod container, lines parsed and batched off
//! the UI loop, streams resumed when a container restarts.

use crate::core::outbox::{Outbox, Report};
use crate::features::logs::line_reader::{LineReader, MAX_LINE_BYTES};
use crate::features::logs::model::LogsUpdate;
use crate::features::logs::record::{note, to_log_line};
use chrono::Utc;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::LogParams;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Lines sent together; a stream never waits longer than `BATCH_WAIT`.
const BATCH_LINES: usize = 500;
const BATCH_WAIT: Duration = Duration::from_millis(100);
/// A stream this far behind real time is reported.
const BEHIND_AFTER_SECS: i64 = 5;

/// One container to follow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LogTarget {
    pub namespace: String,
    pub pod: String,
    pub container: String,
}

/// How to start each stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogOptions {
    /// The last terminated container (the OOMKilled one).
    pub previous: bool,
    pub since_seconds: Option<i64>,
    pub tail_lines: Option<i64>,
}

/// Follow exactly these containers (streams not listed are stopped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowLogs {
    pub targets: Vec<LogTarget>,
    pub options: LogOptions,
}

/// Runs the log streams the UI asks for until `requests` closes, through
/// the connection on `link`. When `:ctx` changes the cluster, every stream
/// starts again on the new one: a pod of the same name there is another pod.
/// `correlation_fields`: JSON fields that carry a request id (config
/// `[logs] correlation_fields`; empty means the defaults).
pub async fn run(
    mut link: crate::shared::kube::ConnectionLink,
    tx: Outbox<LogsUpdate>,
    mut requests: mpsc::UnboundedReceiver<FollowLogs>,
    correlation_fields: Vec<String>,
) {
    let fields = std::sync::Arc::new(correlation_fields);
    let mut streams = Streams::default();
    let mut current = link.borrow_and_update().clone();
    let mut link_open = true;
    loop {
        tokio::select! {
            request = requests.recv() => {
                let Some(request) = request else { break };
                if let Some(conn) = &current {
                    streams.follow(&conn.client, request, &tx, &fields);
                } else {
                    streams.last = Some(request);
                }
            }
            changed = link.changed(), if link_open => {
                if changed.is_err() {
                    // Nobody will switch clusters any more; keep streaming.
                    link_open = false;
                    continue;
                }
                let next = link.borrow_and_update().clone();
                let moved = match (&current, &next) {
                    (Some(a), Some(b)) => a.context != b.context,
                    (a, b) => a.is_some() != b.is_some(),
                };
                current = next;
                if moved {
                    streams.stop_all();
                    if let (Some(conn), Some(request)) = (&current, streams.last.take()) {
                        streams.follow(&conn.client, request, &tx, &fields);
                    }
                }
            }
        }
    }
    streams.stop_all();
}

/// The running streams and the request they were started for.
#[derive(Default)]
struct Streams {
    running: HashMap<LogTarget, (LogOptions, JoinHandle<()>)>,
    last: Option<FollowLogs>,
}

impl Streams {
    /// Stops what `request` no longer asks for and starts what is new.
    fn follow(
        &mut self,
        client: &kube::Client,
        request: FollowLogs,
        tx: &Outbox<LogsUpdate>,
        fields: &std::sync::Arc<Vec<String>>,
    ) {
        self.running.retain(|target, (options, task)| {
            let keep = request.targets.contains(target) && *options == request.options;
            if !keep {
                task.abort();
            }
            keep
        });
        for target in &request.targets {
            if self.running.contains_key(target) {
                continue;
            }
            let task = tokio::spawn(follow(
                client.clone(),
                target.clone(),
                request.options.clone(),
                tx.clone(),
                fields.clone(),
            ));
            self.running
                .insert(target.clone(), (request.options.clone(), task));
        }
        self.last = Some(request);
    }

    fn stop_all(&mut self) {
        for (_, (_, task)) in self.running.drain() {
            task.abort();
        }
    }
}

/// Streams one container; a stream that ends is marked and, unless it was
/// the previous container, resumed on the new one.
async fn follow(
    client: kube::Client,
    t: LogTarget,
    options: LogOptions,
    tx: Outbox<LogsUpdate>,
    fields: std::sync::Arc<Vec<String>>,
) {
    let api: Api<Pod> = Api::namespaced(client, &t.namespace);
    let mut first = true;
    loop {
        let params = LogParams {
            container: Some(t.container.clone()),
            follow: !options.previous,
            previous: options.previous,
            // After a resume, only what the new container wrote.
            since_seconds: if first {
                options.since_seconds
            } else {
                Some(5)
            },
            tail_lines: if first {
                options.tail_lines.or(Some(200))
            } else {
                None
            },
            timestamps: true,
            ..LogParams::default()
        };
        first = false;
        let ended = match api.log_stream(&t.pod, &params).await {
            Ok(reader) => {
                stream(reader, &t, &tx, &fields).await;
                "log stream ended"
            }
            Err(kube::Error::Api(status)) if status.code == 404 => {
                note_to(&tx, &t, "pod is gone: stream closed").await;
                return;
            }
            Err(e) => {
                let text = format!(
                    "log stream error: {}",
                    crate::core::redact::redact(&e.to_string())
                );
                note_to(&tx, &t, &text).await;
                "log stream failed"
            }
        };
        if options.previous {
            note_to(&tx, &t, "end of the previous container's log").await;
            return;
        }
        note_to(&tx, &t, &format!("{ended}; resuming")).await;
        if tx.is_closed() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// A note from opsdeck on this stream's lines (ended, resumed, gone, error).
async fn note_to(tx: &Outbox<LogsUpdate>, t: &LogTarget, text: &str) {
    let line = note(&t.pod, &t.container, Utc::now(), text);
    let _ = tx.send(Report::Data(LogsUpdate::Lines(vec![line]))).await;
}

/// Reads raw lines (invalid UTF-8 is the sanitizer's business), each cut at
/// `MAX_LINE_BYTES`, and sends them in batches at most `BATCH_WAIT` after a
/// batch's first line.
async fn stream(
    reader: impl futures::AsyncBufRead + Unpin,
    t: &LogTarget,
    tx: &Outbox<LogsUpdate>,
    fields: &[String],
) {
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    let mut reader = reader;
    let mut lines = LineReader::new(MAX_LINE_BYTES);
    let mut batch = Vec::new();
    let mut deadline: Option<tokio::time::Instant> = None;
    let mut behind_reported = 0;
    loop {
        let wait = deadline.map_or(BATCH_WAIT, |d| {
            d.saturating_duration_since(tokio::time::Instant::now())
        });
        // A cancelled read keeps what it read in `lines`, so nothing is lost.
        let read = tokio::time::timeout(wait, lines.next(&mut reader)).await;
        let ended = matches!(read, Ok(Ok(None)) | Ok(Err(_)));
        if let Ok(Ok(Some(raw))) = read {
            let mut line = to_log_line(&t.pod, &t.container, raw.bytes, &fields);
            if raw.cut {
                line.message = line.message.followed_by(&lines.cut_mark());
            }
            batch.push(line);
            deadline.get_or_insert_with(|| tokio::time::Instant::now() + BATCH_WAIT);
        }
        let due = deadline.is_some_and(|d| tokio::time::Instant::now() >= d);
        if !batch.is_empty() && (ended || due || batch.len() >= BATCH_LINES) {
            deadline = None;
            if let Some(at) = batch.last().and_then(|l| l.time) {
                let behind = (Utc::now() - at).num_seconds();
                let secs = if behind > BEHIND_AFTER_SECS {
                    behind as u64
                } else {
                    0
                };
                if secs != behind_reported {
                    behind_reported = secs;
                    let _ = tx
                        .send(Report::Data(LogsUpdate::Behind {
                            pod: t.pod.clone(),
                            secs,
                        }))
                        .await;
                }
            }
            if tx
                .send(Report::Data(LogsUpdate::Lines(std::mem::take(&mut batch))))
                .await
                .is_err()
            {
                return;
            }
        }
        if ended {
            return;
        }
    }
}
