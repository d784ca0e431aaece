//! A password named by the config, never written in it: an environment
//! variable or a file, read when it is needed (off the runtime, with a
//! deadline: `shared::file_read`).

use crate::shared::file_read::{READ_TIMEOUT, read_small};
use std::path::PathBuf;
use std::time::Duration;

/// Largest password file read. Passwords and tokens are bytes to a few
/// KiB; a bigger file is the wrong one (or `/dev/zero`) and is not read on.
pub const MAX_SECRET_BYTES: u64 = 64 * 1024;

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
        self.resolve_within(READ_TIMEOUT).await
    }

    /// `resolve`, giving a password file `timeout` to answer.
    pub async fn resolve_within(&self, timeout: Duration) -> Result<Option<String>, String> {
        match self {
            Secret::None => Ok(None),
            Secret::Env(var) => match std::env::var(var) {
                Ok(v) => Ok(Some(v)),
                Err(_) => Err(format!("password_env: {var} is not set")),
            },
            Secret::File(path) => {
                let problem = |e: &str| format!("password_file {}: {e}", path.display());
                let bytes = read_small(path, MAX_SECRET_BYTES, timeout)
                    .await
                    .map_err(|e| problem(&e))?;
                let text = String::from_utf8(bytes).map_err(|_| problem("not UTF-8 text"))?;
                Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()))
            }
        }
    }
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
            "password_file /dev/zero: larger than 64 KiB"
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
