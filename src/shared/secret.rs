//! A password named by the config, never written in it: an environment
//! variable or a file, read when it is needed.
//!
//! The file is read on tokio's blocking pool with a deadline: a FIFO
//! nobody writes or a hung network mount would otherwise stop a runtime
//! thread (and, on a current-thread runtime, everything else with it).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// How long reading a `password_file` may take. A local file answers in
/// microseconds; this leaves room for a slow network mount.
pub const SECRET_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest password file read. Passwords and tokens are bytes to a few
/// KiB; a bigger file is the wrong one (or `/dev/zero`) and is not read on.
pub const MAX_SECRET_BYTES: u64 = 64 * 1024;

/// Password files whose read is still stuck on the blocking pool. A stuck
/// read cannot be cancelled, so a poller retrying every few seconds must
/// not start another one each time and fill the pool with stuck threads.
static STUCK: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Secret {
    #[default]
    None,
    /// The name of an environment variable.
    Env(String),
    /// A file holding the password (a trailing newline is dropped).
    File(PathBuf),
}

impl Secret {
    /// The password, or why it cannot be read (which never contains it).
    pub async fn resolve(&self) -> Result<Option<String>, String> {
        self.resolve_within(SECRET_READ_TIMEOUT).await
    }

    /// `resolve`, giving a password file `timeout` to answer.
    pub async fn resolve_within(&self, timeout: Duration) -> Result<Option<String>, String> {
        match self {
            Secret::None => Ok(None),
            Secret::Env(var) => match std::env::var(var) {
                Ok(v) => Ok(Some(v)),
                Err(_) => Err(format!("password_env: {var} is not set")),
            },
            Secret::File(path) => read_file(path, timeout).await.map(Some),
        }
    }
}

async fn read_file(path: &Path, timeout: Duration) -> Result<String, String> {
    let shown = path.display().to_string();
    if !mark_stuck(path) {
        return Err(format!(
            "password_file {shown}: an earlier read has not answered yet (a FIFO or a hung mount?)"
        ));
    }
    let owned = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || {
        let text = read_bounded(&owned);
        unmark_stuck(&owned);
        text
    });
    match tokio::time::timeout(timeout, read).await {
        Ok(Ok(Ok(text))) => Ok(text.trim_end_matches(['\r', '\n']).to_string()),
        Ok(Ok(Err(e))) => Err(format!("password_file {shown}: {e}")),
        Ok(Err(e)) => {
            unmark_stuck(path);
            Err(format!("password_file {shown}: the read failed: {e}"))
        }
        Err(_) => Err(format!(
            "password_file {shown}: no answer within {}s (a FIFO nobody writes, or a hung mount?)",
            timeout.as_secs_f64()
        )),
    }
}

/// The file's text, refused past `MAX_SECRET_BYTES`.
fn read_bounded(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_SECRET_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_SECRET_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {} KiB: not a password file",
            MAX_SECRET_BYTES / 1024
        )));
    }
    Ok(text)
}

/// Records a read of `path` as under way; false if one already is.
fn mark_stuck(path: &Path) -> bool {
    let mut stuck = STUCK.lock().unwrap_or_else(PoisonError::into_inner);
    stuck.insert(path.to_path_buf())
}

fn unmark_stuck(path: &Path) {
    let mut stuck = STUCK.lock().unwrap_or_else(PoisonError::into_inner);
    stuck.remove(path);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_password_file_is_read_without_its_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "hunter2\r\n").unwrap();
        let secret = Secret::File(path.clone());
        assert_eq!(secret.resolve().await.unwrap().as_deref(), Some("hunter2"));
        // Read again: a finished read leaves nothing marked as stuck.
        assert_eq!(secret.resolve().await.unwrap().as_deref(), Some("hunter2"));
        let missing = Secret::File(dir.path().join("nope")).resolve().await;
        assert!(missing.unwrap_err().contains("nope"));
        let endless = Secret::File("/dev/zero".into()).resolve().await;
        assert_eq!(
            endless.unwrap_err(),
            "password_file /dev/zero: larger than 64 KiB: not a password file"
        );
        let unset = Secret::Env("OPSDECK_TEST_SURELY_UNSET_VAR".into())
            .resolve()
            .await;
        assert_eq!(
            unset.unwrap_err(),
            "password_env: OPSDECK_TEST_SURELY_UNSET_VAR is not set"
        );
    }

    /// A FIFO nobody writes: the read waits in the blocking pool while the
    /// runtime's only thread keeps running other tasks, and the caller gets
    /// a clear error when the deadline passes.
    #[test]
    fn a_fifo_nobody_writes_does_not_block_the_runtime() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pw.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let secret = Secret::File(fifo.clone());
        // Its own thread, so a read that blocks the runtime fails the test
        // instead of hanging it.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let outcome = rt.block_on(async {
                let ticks = Arc::new(AtomicU32::new(0));
                let counter = ticks.clone();
                tokio::spawn(async move {
                    loop {
                        counter.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                });
                let first = secret.resolve_within(Duration::from_millis(300)).await;
                // A second attempt while the first read is still stuck does
                // not queue another blocked thread.
                let second = secret.resolve_within(Duration::from_millis(300)).await;
                (first, second, ticks.load(Ordering::Relaxed))
            });
            let _ = done_tx.send(outcome);
        });
        let (first, second, ticks) = done_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("resolving a FIFO blocked the runtime");
        let first = first.unwrap_err();
        assert!(first.contains("no answer within 0.3s"), "{first}");
        assert!(first.contains("pw.fifo"), "{first}");
        let second = second.unwrap_err();
        assert!(second.contains("has not answered yet"), "{second}");
        assert!(ticks >= 10, "the other task ran only {ticks} times");
        // Release the stuck read: open the FIFO's other end, then close it.
        drop(std::fs::OpenOptions::new().write(true).open(&fifo).unwrap());
    }
}
