//! Creating and opening the files opsdeck writes (exports, saved logs,
//! recordings, its log file, the audit log): readable by the owner only,
//! never through a symlink, and never replacing a file that is there.
//!
//! They hold what the console saw (log lines, queries, pod names) and the
//! audit trail; a symlink planted at a predictable name (`timeline-<time>.md`
//! in a shared directory) must not make opsdeck write over another file.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Owner read and write, nothing for anyone else.
pub const PRIVATE_MODE: u32 = 0o600;

/// How many numbered names `create_unique` tries before it gives up.
const MAX_SUFFIX: u32 = 1000;

/// Creates `dir` and its missing parents readable by the owner only (0700):
/// the state and export directories hold the audit log and what the
/// console saw. A directory already there keeps its mode.
pub fn create_dirs(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Creates `path` with mode 0600. Fails if anything is there, a symlink
/// included (`O_EXCL` does not follow one, dangling or not).
pub fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(PRIVATE_MODE)
        .open(path)
}

/// `create_new` at `path`, or, if the name is taken, at `<stem>-2.<ext>`,
/// `<stem>-3.<ext>`, …: two exports in the same second both land. Returns
/// the file and the name it got.
pub fn create_unique(path: &Path) -> io::Result<(File, PathBuf)> {
    let mut candidate = path.to_path_buf();
    for n in 2..=MAX_SUFFIX + 1 {
        match create_new(&candidate) {
            Ok(file) => return Ok((file, candidate)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                candidate = numbered(path, n);
            }
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{} and {MAX_SUFFIX} numbered names exist", path.display()),
    ))
}

/// `dir/stem.ext` → `dir/stem-n.ext`.
fn numbered(path: &Path, n: u32) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

/// Opens `path` to append, creating it 0600. A symlink at `path` is refused
/// (`O_NOFOLLOW`), as is anything but a regular file (`O_NONBLOCK` makes a
/// FIFO fail at once instead of waiting for a reader). An existing file
/// open to group or others is narrowed to 0600; if that fails, so does
/// the open, saying why.
pub fn open_append(path: &Path) -> Result<File, String> {
    let shown = path.display();
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(PRIVATE_MODE)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => format!("{shown} is a symlink: refused (name the file itself)"),
            Some(libc::ENXIO) => format!("{shown} is a FIFO or socket: refused"),
            _ => format!("{shown}: {e}"),
        })?;
    let meta = file.metadata().map_err(|e| format!("{shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown} is not a regular file: refused"));
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(PRIVATE_MODE))
            .map_err(|e| {
                format!("{shown} has mode {mode:04o} and cannot be narrowed to 0600: {e}")
            })?;
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    #[test]
    fn new_directories_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("state/opsdeck");
        super::create_dirs(&dir).expect("created");
        for d in [root.path().join("state"), dir] {
            let mode = std::fs::metadata(&d).expect("there").permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", d.display());
        }
    }

    use super::*;
    use std::io::Write;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.md");
        create_new(&a).unwrap();
        assert_eq!(mode(&a), 0o600);
        let (_, b) = create_unique(&dir.path().join("b.md")).unwrap();
        assert_eq!(mode(&b), 0o600);
        let c = dir.path().join("c.log");
        open_append(&c).unwrap();
        assert_eq!(mode(&c), 0o600);
    }

    #[test]
    fn a_taken_name_gets_a_number_and_the_old_file_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("timeline-20260101T000000Z.md");
        std::fs::write(&path, "first").unwrap();
        let (mut file, second) = create_unique(&path).unwrap();
        file.write_all(b"second").unwrap();
        assert_eq!(second, dir.path().join("timeline-20260101T000000Z-2.md"));
        let (_, third) = create_unique(&path).unwrap();
        assert_eq!(third, dir.path().join("timeline-20260101T000000Z-3.md"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "second");
        assert!(create_new(&path).is_err());
    }

    #[test]
    fn a_symlink_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me").unwrap();
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("logs-20260101T000000Z.log");
        std::os::unix::fs::symlink(&victim, &link).unwrap();

        assert!(create_new(&link).is_err());
        // A numbered name instead: the symlink and its target stay as they are.
        let (mut file, written) = create_unique(&link).unwrap();
        file.write_all(b"lines").unwrap();
        assert_ne!(written, link);
        let err = open_append(&link).unwrap_err();
        assert!(err.contains("is a symlink: refused"), "{err}");

        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert_eq!(mode(&victim), 0o644);
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());

        // A dangling symlink is not followed to create its target either.
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(create_new(&dangling).is_err());
        assert!(open_append(&dangling).is_err());
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn appending_narrows_a_wide_mode_and_keeps_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, "old\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut file = open_append(&path).unwrap();
        file.write_all(b"new\n").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\nnew\n");
    }

    #[test]
    fn a_fifo_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("audit.jsonl");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let err = open_append(&fifo).unwrap_err();
        assert!(err.contains("refused"), "{err}");
    }
}
