//! Reading a small local file (a password, a CA bundle) from async code:
//! on tokio's blocking pool, with a deadline and a size bound. A FIFO
//! nobody writes or a hung network mount would otherwise stop a runtime
//! thread (on a current-thread runtime, everything else with it), and a
//! wrong path (`/dev/zero`) would be read without end.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// How long reading such a file may take. A local file answers in
/// microseconds; this leaves room for a slow network mount.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Files whose read is still stuck on the blocking pool. A stuck read
/// cannot be cancelled, so a poller retrying every few seconds must not
/// start another one each time and fill the pool with stuck threads.
static STUCK: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// The file's bytes, or why not (without the path: the caller names it).
/// More than `max` bytes is an error, and so is no answer in `timeout`.
pub async fn read_small(path: &Path, max: u64, timeout: Duration) -> Result<Vec<u8>, String> {
    if !mark_stuck(path) {
        return Err("an earlier read has not answered yet (a FIFO or a hung mount?)".into());
    }
    let owned = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || {
        let bytes = read_bounded(&owned, max);
        unmark_stuck(&owned);
        bytes
    });
    match tokio::time::timeout(timeout, read).await {
        Ok(Ok(Ok(bytes))) => Ok(bytes),
        Ok(Ok(Err(e))) => Err(e),
        Ok(Err(e)) => {
            unmark_stuck(path);
            Err(format!("the read failed: {e}"))
        }
        Err(_) => Err(format!(
            "no answer within {}s (a FIFO nobody writes, or a hung mount?)",
            timeout.as_secs_f64()
        )),
    }
}

fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!("larger than {} KiB", max / 1024));
    }
    Ok(bytes)
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

    #[tokio::test]
    async fn a_file_is_read_and_a_huge_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("small");
        std::fs::write(&path, "abc").unwrap();
        assert_eq!(read_small(&path, 3, READ_TIMEOUT).await.unwrap(), b"abc");
        // Again: a finished read leaves nothing marked as stuck.
        assert_eq!(read_small(&path, 3, READ_TIMEOUT).await.unwrap(), b"abc");
        let err = read_small(&path, 2, READ_TIMEOUT).await.unwrap_err();
        assert_eq!(err, "larger than 0 KiB");
        let endless = read_small(Path::new("/dev/zero"), 64 * 1024, READ_TIMEOUT).await;
        assert_eq!(endless.unwrap_err(), "larger than 64 KiB");
        let missing = read_small(&dir.path().join("nope"), 10, READ_TIMEOUT).await;
        assert!(missing.unwrap_err().contains("No such file"));
    }
}
