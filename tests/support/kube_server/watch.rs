//! `?watch=true`: a chunked stream of JSON lines
//! `{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}`,
//! resumed from a resourceVersion, ending with a 410 `ERROR` when that
//! version is compacted away.

use std::time::Duration;

use axum::body::Bytes;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

use super::resource::Res;
use super::routes::{self, Query, Reply};
use super::selector::Selectors;
use super::state::{Change, Shared, Signal, names};
use super::status;

/// Which changes one watch reports.
struct Filter {
    res: Res,
    namespace: Option<String>,
    selectors: Selectors,
}

impl Filter {
    /// The event line a watch with selectors sends for a change: an object
    /// entering the selection is ADDED, one leaving it DELETED.
    fn event(&self, change: &Change) -> Option<Bytes> {
        if change.res != self.res {
            return None;
        }
        let (ns, _) = names(&change.object);
        if self.namespace.as_ref().is_some_and(|wanted| *wanted != ns) {
            return None;
        }
        let matches_now = self.selectors.matches(&change.object);
        let matched_before = change.before.as_ref().map(|b| self.selectors.matches(b));
        let kind = match (change.deleted, matched_before, matches_now) {
            (true, _, true) => "DELETED",
            (false, None | Some(false), true) => "ADDED",
            (false, Some(true), true) => "MODIFIED",
            (false, Some(true), false) => "DELETED",
            _ => return None,
        };
        Some(line(kind, &change.object))
    }
}

/// Opens a watch on `res` in `ns` (all namespaces when `None`).
pub fn watch(shared: &Shared, res: Res, ns: Option<&str>, q: &Query) -> Reply {
    let filter = Filter {
        res,
        namespace: ns.map(str::to_string),
        selectors: Selectors::parse(res, q.get("labelSelector"), q.get("fieldSelector"))?,
    };
    let bookmarks = q.flag("allowWatchBookmarks");
    let initial_events = q.flag("sendInitialEvents");
    let timeout = q
        .number("timeoutSeconds")?
        .filter(|secs| *secs > 0)
        .map(|secs| Duration::from_secs(secs.unsigned_abs()));
    let requested = match q.get("resourceVersion").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => Some(v.parse::<u64>().map_err(|_| {
            status::bad_request(format!(
                "resourceVersion: Invalid value: \"{v}\": must be a number"
            ))
        })?),
    };

    let store = shared.lock();
    let mut first = Vec::new();
    let start_rv;
    let (backlog, signals) = match requested {
        // A real version (not "0", "any") without initial events: resume.
        Some(rv) if rv != 0 && !initial_events => {
            let oldest = store.oldest_resource_version();
            if rv < oldest {
                let gone = status::too_old_resource_version(rv, oldest);
                let (tx, rx) = mpsc::channel(1);
                tx.try_send(line("ERROR", &gone.to_json()))
                    .expect("a fresh channel has room for one line");
                return Ok(routes::streaming("application/json", rx));
            }
            start_rv = rv;
            store.follow_from(rv)
        }
        // From "now": the current objects arrive as ADDED first.
        _ => {
            start_rv = store.resource_version();
            for object in store.list(res, ns) {
                if filter.selectors.matches(object) {
                    first.push(line("ADDED", object));
                }
            }
            if initial_events {
                first.push(bookmark(res, start_rv, true));
            }
            store.follow_from(start_rv)
        }
    };
    drop(store);

    let (tx, rx) = mpsc::channel(256);
    let stream = Stream {
        tx,
        filter,
        bookmarks,
        last_rv: start_rv,
    };
    tokio::spawn(stream.run(first, backlog, signals, timeout));
    Ok(routes::streaming("application/json", rx))
}

/// The task feeding one open watch.
struct Stream {
    tx: mpsc::Sender<Bytes>,
    filter: Filter,
    bookmarks: bool,
    last_rv: u64,
}

impl Stream {
    async fn run(
        mut self,
        first: Vec<Bytes>,
        backlog: Vec<std::sync::Arc<Change>>,
        mut signals: broadcast::Receiver<Signal>,
        timeout: Option<Duration>,
    ) {
        let deadline = timeout.map(|t| Instant::now() + t);
        for bytes in first {
            if self.tx.send(bytes).await.is_err() {
                return;
            }
        }
        for change in backlog {
            if !self.send_change(&change).await {
                return;
            }
        }
        loop {
            let signal = tokio::select! {
                signal = signals.recv() => signal,
                () = until(deadline) => return,
                () = self.tx.closed() => return,
            };
            let keep_going = match signal {
                Ok(Signal::Change(change)) => self.send_change(&change).await,
                Ok(Signal::Bookmark { rv }) if self.bookmarks => self
                    .tx
                    .send(bookmark(self.filter.res, rv, false))
                    .await
                    .is_ok(),
                Ok(Signal::Bookmark { .. }) => true,
                Ok(Signal::Expire { oldest }) => {
                    self.send_gone(oldest).await;
                    false
                }
                // A watcher that falls this far behind is dropped by the
                // real server too; the client must relist.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    self.send_gone(self.last_rv + 1).await;
                    false
                }
                Err(broadcast::error::RecvError::Closed) => false,
            };
            if !keep_going {
                return;
            }
        }
    }

    async fn send_change(&mut self, change: &Change) -> bool {
        self.last_rv = change.rv;
        match self.filter.event(change) {
            Some(bytes) => self.tx.send(bytes).await.is_ok(),
            None => true,
        }
    }

    async fn send_gone(&self, oldest: u64) {
        let gone = status::too_old_resource_version(self.last_rv, oldest);
        // The client may be gone already; nothing to do then.
        let _ = self.tx.send(line("ERROR", &gone.to_json())).await;
    }
}

async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// One watch event as a JSON line.
fn line(kind: &str, object: &Value) -> Bytes {
    let mut text = serde_json::to_vec(&json!({"type": kind, "object": object}))
        .expect("serde_json::Value always serializes");
    text.push(b'\n');
    Bytes::from(text)
}

/// A BOOKMARK at `rv`; `initial_end` marks the end of `sendInitialEvents`.
fn bookmark(res: Res, rv: u64, initial_end: bool) -> Bytes {
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    line(
        "BOOKMARK",
        &json!({"kind": res.kind(), "apiVersion": res.api_version(), "metadata": metadata}),
    )
}
