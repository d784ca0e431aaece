//! Writing a recording off the app loop: the loop hands each record to a
//! thread and never waits for the disk.

use super::format::{self, Entry, Header, MAGIC, Record};
use crate::core::replay::Screen;
use chrono::{DateTime, Utc};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest a record waits in memory before it is on disk.
const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// Records in one frame at most (a firehose second is cut in several).
const FRAME_RECORDS: usize = 10_000;
/// Records waiting for the writer at most: past this (a disk slower than
/// the sources) records are dropped and counted, never piled up in memory.
pub const RECORDS_QUEUED: usize = 100_000;

/// A recording being written. Dropping it (or `stop`) writes what is left.
pub struct Recorder {
    tx: Option<mpsc::SyncSender<Record>>,
    /// Records dropped because the writer fell behind.
    dropped: Arc<AtomicU64>,
    /// Set to end the writer even while a tap still holds a sender.
    stop: Arc<AtomicBool>,
    bytes: Arc<AtomicU64>,
    error: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
    path: PathBuf,
    /// The screen last recorded: only a change is recorded again.
    screen: Mutex<Option<Screen>>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("path", &self.path)
            .finish()
    }
}

impl Recorder {
    /// Creates `path` (never over an existing file or through a symlink:
    /// `O_CREAT|O_EXCL` refuses both; readable by its owner only) and
    /// writes the header.
    pub fn start(path: &Path, header: &Header) -> std::io::Result<Recorder> {
        Recorder::start_flushing(path, header, FLUSH_EVERY)
    }

    /// `start`, writing a frame at least every `every` (tests use small
    /// frames to have many).
    pub fn start_flushing(
        path: &Path,
        header: &Header,
        every: Duration,
    ) -> std::io::Result<Recorder> {
        Recorder::start_with(path, header, every, RECORDS_QUEUED)
    }

    /// `start_flushing`, with at most `queued` records waiting for the
    /// writer (tests use a small bound to see drops counted).
    pub fn start_with(
        path: &Path,
        header: &Header,
        every: Duration,
        queued: usize,
    ) -> std::io::Result<Recorder> {
        Recorder::start_in(path, false, header, every, queued)
    }

    /// `start` under a name opsdeck chose: if it is taken (two starts in
    /// the same second), `-2`, `-3` … is added (`path()` says which).
    pub fn start_numbered(path: &Path, header: &Header) -> std::io::Result<Recorder> {
        Recorder::start_in(path, true, header, FLUSH_EVERY, RECORDS_QUEUED)
    }

    fn start_in(
        path: &Path,
        numbered: bool,
        header: &Header,
        every: Duration,
        queued: usize,
    ) -> std::io::Result<Recorder> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::shared::private_file::create_dirs(dir)?;
        }
        let (mut file, path) = if numbered {
            crate::shared::private_file::create_unique(path)?
        } else {
            (
                crate::shared::private_file::create_new(path)?,
                path.to_path_buf(),
            )
        };
        let mut head = MAGIC.to_vec();
        head.extend(format::frame(header.started_at, &format::encode(header)?));
        file.write_all(&head)?;
        let bytes = Arc::new(AtomicU64::new(head.len() as u64));
        let error = Arc::new(Mutex::new(None));
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::sync_channel(queued);
        let dropped = Arc::new(AtomicU64::new(0));
        let thread = {
            let (bytes, error, stop) = (bytes.clone(), error.clone(), stop.clone());
            let writer = Writer {
                every,
                bytes,
                error,
                stop,
            };
            std::thread::Builder::new()
                .name("opsdeck-recorder".into())
                .spawn(move || writer.run(file, rx))?
        };
        Ok(Recorder {
            tx: Some(tx),
            dropped,
            stop,
            bytes,
            error,
            thread: Some(thread),
            path,
            screen: Mutex::new(None),
        })
    }

    /// Hands one record to the writer; never blocks.
    pub fn record(&self, at: DateTime<Utc>, entry: Entry) {
        if let Some(tx) = &self.tx {
            queue(tx, &self.dropped, Record { at, entry });
        }
    }

    /// Records what is on screen when it differs from what was last
    /// recorded (the first call records it).
    pub fn record_screen(&self, at: DateTime<Utc>, screen: Screen) {
        let Ok(mut last) = self.screen.lock() else {
            return;
        };
        if last.as_ref() != Some(&screen) {
            *last = Some(screen.clone());
            self.record(at, Entry::Screen(screen));
        }
    }

    /// Records dropped so far because the writer fell behind.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// A transport tap that records every update a source sends, on the
    /// source's thread (see `transport::Tap`).
    pub fn tap(&self) -> crate::transport::Tap {
        let (tx, dropped) = (self.tx.clone(), self.dropped.clone());
        Arc::new(move |u: &crate::update::Update| {
            if matches!(u, crate::update::Update::Replay(_)) {
                return;
            }
            if let Some(tx) = &tx {
                let record = Record {
                    at: Utc::now(),
                    entry: Entry::Update(u.clone()),
                };
                queue(tx, &dropped, record);
            }
        })
    }

    /// Bytes on disk so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Why writing stopped, if it did.
    pub fn error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|e| e.clone())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes what is pending and closes the file.
    pub fn stop(mut self) -> Option<String> {
        self.finish();
        self.error()
    }

    fn finish(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Hands a record to the writer without waiting; counts it when full.
fn queue(tx: &mpsc::SyncSender<Record>, dropped: &AtomicU64, record: Record) {
    if let Err(mpsc::TrySendError::Full(_)) = tx.try_send(record) {
        dropped.fetch_add(1, Ordering::Relaxed);
    }
}

struct Writer {
    every: Duration,
    bytes: Arc<AtomicU64>,
    error: Arc<Mutex<Option<String>>>,
    stop: Arc<AtomicBool>,
}

impl Writer {
    /// Batches records for up to `every` and appends them as one frame,
    /// until the recorder stops (what was sent by then is written).
    fn run(self, mut file: File, rx: mpsc::Receiver<Record>) {
        let mut batch: Vec<Record> = Vec::new();
        let mut deadline = Instant::now() + self.every;
        loop {
            let wait = deadline.saturating_duration_since(Instant::now());
            let mut closed = match rx.recv_timeout(wait) {
                Ok(r) => {
                    batch.push(r);
                    false
                }
                Err(RecvTimeoutError::Timeout) => false,
                Err(RecvTimeoutError::Disconnected) => true,
            };
            if self.stop.load(Ordering::Relaxed) {
                batch.extend(rx.try_iter());
                closed = true;
            }
            let due = Instant::now() >= deadline || batch.len() >= FRAME_RECORDS || closed;
            if due {
                for chunk in batch.chunks(FRAME_RECORDS) {
                    match write_batch(&mut file, chunk) {
                        Ok(n) => {
                            self.bytes.fetch_add(n, Ordering::Relaxed);
                        }
                        Err(e) => {
                            if let Ok(mut slot) = self.error.lock() {
                                *slot = Some(e.to_string());
                            }
                            return;
                        }
                    }
                }
                batch.clear();
                deadline = Instant::now() + self.every;
            }
            if closed {
                let _ = file.sync_all();
                return;
            }
        }
    }
}

fn write_batch(file: &mut File, batch: &[Record]) -> std::io::Result<u64> {
    let payload = format::encode(&batch)?;
    let frame = format::frame(batch[0].at, &payload);
    file.write_all(&frame)?;
    Ok(frame.len() as u64)
}
