//! Writing the app's own state files (resume positions, preferences, the
//! statistics file) safely:
//! - atomically: to a temporary file in the same folder, created with
//!   `O_CREAT|O_EXCL|O_NOFOLLOW` and mode 0600, flushed to disk, then
//!   renamed over the old one (and the folder synced), so a crash at any
//!   moment leaves either the old content or the new, never half of either;
//! - privately: files are 0600, folders we create 0700;
//! - never through a symbolic link: the rename replaces a link planted at
//!   the file's path (with a warning) and leaves its target alone;
//! - off the main thread: [`save_in_background`] hands the bytes to one
//!   writer thread that writes them in the order given; [`wait_for_writes`]
//!   (called before the process exits) waits until all are on disk.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::OnceLock;

/// Writes `bytes` to `path` atomically and privately (see the module's
/// comment), creating its folder. Blocks on the disk: the main thread uses
/// [`save_in_background`] instead.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)?;
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        tracing::warn!(
            "{} is a symbolic link; it is replaced by a regular file and what it points to is left alone",
            path.display()
        );
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let (temporary, mut file) = create_temporary(folder, &name)?;
    let mut write = || -> std::io::Result<()> {
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        // The rename itself reaches the disk with the folder.
        if let Ok(dir) = std::fs::File::open(folder) {
            let _ = dir.sync_all();
        }
        Ok(())
    };
    let result = write();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// A new, empty, private file `.NAME.PID.N.tmp` in `folder` that did not
/// exist before (never a link someone planted there).
fn create_temporary(folder: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut last = None;
    for _ in 0..16 {
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let temporary = folder.join(format!(".{name}.{}.{n}{nanos:x}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&temporary)
        {
            Ok(file) => return Ok((temporary, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no temporary file could be created")))
}

/// Moves a file that could not be read as what it should be out of the way
/// (`NAME.corrupt`), so it is kept for a person to look at.
pub fn set_aside(path: &Path) -> std::path::PathBuf {
    let mut aside = path.as_os_str().to_owned();
    aside.push(".corrupt");
    let aside = std::path::PathBuf::from(aside);
    let _ = std::fs::rename(path, &aside);
    aside
}

/// Queues `bytes` to be written to `path` by the writer thread and returns
/// at once; `what` names the content in a warning if the write fails.
pub fn save_in_background(path: &Path, bytes: Vec<u8>, what: &str) {
    writer().save(path, bytes, what);
}

/// Waits until every write queued so far is on disk (or has failed).
pub fn wait_for_writes() {
    if let Some(writer) = WRITER.get() {
        writer.flush();
    }
}

static WRITER: OnceLock<Writer> = OnceLock::new();

fn writer() -> &'static Writer {
    WRITER.get_or_init(Writer::new)
}

/// One thread that writes state files in the order they were queued. Of
/// several writes of one file queued back to back only the last is made.
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

enum Job {
    Write {
        path: PathBuf,
        bytes: Vec<u8>,
        what: String,
    },
    Flush(mpsc::SyncSender<()>),
    /// Holds the writer until the sender side is dropped or sends (tests).
    #[cfg(test)]
    Hold(mpsc::Receiver<()>),
}

impl Writer {
    /// Starts the writer thread (writing in place when no thread can start).
    pub fn new() -> Writer {
        let (jobs, queue) = mpsc::channel::<Job>();
        let started = std::thread::Builder::new()
            .name("framescope-state-writer".into())
            .spawn(move || run(queue));
        if let Err(e) = started {
            tracing::warn!(
                "the state-file writer thread did not start ({e}); files are written in place"
            );
        }
        Writer { jobs }
    }

    fn save(&self, path: &Path, bytes: Vec<u8>, what: &str) {
        let job = Job::Write {
            path: path.to_path_buf(),
            bytes,
            what: what.to_string(),
        };
        if let Err(mpsc::SendError(job)) = self.jobs.send(job) {
            run_one(job);
        }
    }

    fn flush(&self) {
        let (done, wait) = mpsc::sync_channel(1);
        if self.jobs.send(Job::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }
}

fn run(queue: mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        batch.extend(queue.try_iter());
        // Between two flushes, an older write of a file a newer one replaces
        // is skipped.
        let mut skip = vec![false; batch.len()];
        for i in 0..batch.len() {
            let Job::Write { path, .. } = &batch[i] else {
                continue;
            };
            for later in &batch[i + 1..] {
                match later {
                    Job::Write { path: p, .. } if p == path => {
                        skip[i] = true;
                        break;
                    }
                    Job::Write { .. } => {}
                    _ => break,
                }
            }
        }
        for (job, skip) in batch.into_iter().zip(skip) {
            if !skip {
                run_one(job);
            }
        }
    }
}

fn run_one(job: Job) {
    match job {
        Job::Write { path, bytes, what } => {
            if let Err(e) = write_atomically(&path, &bytes) {
                tracing::warn!("{what} could not be saved to {} ({e})", path.display());
            }
        }
        Job::Flush(done) => {
            let _ = done.send(());
        }
        #[cfg(test)]
        Job::Hold(until) => {
            let _ = until.recv();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().mode() & 0o777
    }

    #[test]
    fn files_are_private_and_folders_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/framescope/positions.json");
        write_atomically(&path, b"{}").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        // An existing file readable by others becomes private on the next save.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_atomically(&path, b"{\"a\":1}").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"a\":1}");
    }

    #[test]
    fn a_symbolic_link_at_the_path_is_replaced_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("victim");
        std::fs::write(&target, "precious").unwrap();
        let path = dir.path().join("positions.json");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
        let meta = std::fs::symlink_metadata(&path).unwrap();
        assert!(meta.file_type().is_file());
        assert_eq!(meta.mode() & 0o777, 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        // A link to a file that does not exist yet is not created through either.
        let dangling_target = dir.path().join("created-through-link");
        let other = dir.path().join("preferences.toml");
        std::os::unix::fs::symlink(&dangling_target, &other).unwrap();
        write_atomically(&other, b"x").unwrap();
        assert!(!dangling_target.exists());
    }

    #[test]
    fn saving_in_the_background_returns_before_any_disk_work() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("positions.json");
        let writer = Writer::new();
        // Hold the writer thread: if `save` wrote in place, the file would
        // exist right after it returns.
        let (release, hold) = mpsc::channel();
        writer.jobs.send(Job::Hold(hold)).unwrap();
        writer.save(&path, b"first".to_vec(), "test");
        writer.save(&path, b"second".to_vec(), "test");
        assert!(!path.exists(), "save wrote on the calling thread");
        release.send(()).unwrap();
        writer.flush();
        // In order: the last write wins.
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn a_flush_sees_every_earlier_write() {
        let dir = tempfile::tempdir().unwrap();
        let writer = Writer::new();
        for i in 0..50 {
            writer.save(&dir.path().join(format!("f{}", i % 5)), vec![i], "test");
        }
        writer.flush();
        for f in 0..5u8 {
            assert_eq!(
                std::fs::read(dir.path().join(format!("f{f}"))).unwrap(),
                [45 + f]
            );
        }
    }
}
