//! Crash isolation for the headless subcommands (`inspect`, `snapshot`).
//!
//! Their GStreamer work runs in a worker process: this executable again,
//! with the same arguments and [`ENV`] set. A crash inside a GStreamer
//! element on a damaged file (a SIGSEGV or an abort no process survives)
//! then ends the worker, not the command, which reports it in one sentence
//! ([`crash_sentence`]) and exits non-zero; a worker that stops answering is
//! killed after a time limit the command sets.
//!
//! The worker dies with its parent (`PR_SET_PDEATHSIG`) and runs in a
//! process group of its own, so Ctrl+C in a terminal reaches only the
//! parent, which decides what becomes of the output so far. When it crashes
//! (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) it first writes the name of
//! the crashing thread — GStreamer names a streaming thread after its
//! element's pad, e.g. `qtdemux0:sink` — as a line `!crash NAME` on its
//! standard output, then dies of the signal as it would have.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// The environment variable that makes a run a worker (its value is the
/// parent's process id).
pub const ENV: &str = "FRAMESCOPE_WORKER";

/// Lines read from the worker and not yet taken, at most.
const LINES_IN_FLIGHT: usize = 1024;

/// How a crash line starts on the worker's standard output.
const CRASH_PREFIX: &str = "!crash ";

/// The signals a crash comes as.
const CRASH_SIGNALS: [libc::c_int; 5] = [
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGFPE,
    libc::SIGILL,
    libc::SIGABRT,
];

/// Whether this process is a worker: [`ENV`] names its parent. (A stray
/// `FRAMESCOPE_WORKER` in a user's environment names some other process,
/// and changes nothing.)
pub fn is_worker() -> bool {
    // SAFETY: getppid only reads this process's parent id.
    let parent = unsafe { libc::getppid() };
    std::env::var(ENV)
        .ok()
        .and_then(|v| v.parse::<libc::pid_t>().ok())
        .is_some_and(|p| p == parent)
}

/// Makes this process a worker: it dies with its parent, and a crash names
/// its thread on standard output first.
pub fn enter() {
    let parent: Option<libc::pid_t> = std::env::var(ENV).ok().and_then(|v| v.parse().ok());
    // SAFETY: prctl and getppid only change or read this process's
    // attributes; _exit ends it without running anything else.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        // The parent may have gone before the line above.
        if parent.is_some_and(|p| p != libc::getppid()) {
            libc::_exit(1);
        }
    }
    for signal in CRASH_SIGNALS {
        // SAFETY: the handler only makes async-signal-safe calls (prctl,
        // write, raise); SA_RESETHAND restores the default action first.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_crash as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESETHAND | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// Writes `\n!crash THREAD\n` on standard output and dies of `signal`.
extern "C" fn on_crash(signal: libc::c_int) {
    let mut name = [0u8; 16];
    let mut line = [0u8; 32];
    let mut len = 0;
    for &b in b"\n!crash " {
        line[len] = b;
        len += 1;
    }
    // SAFETY: PR_GET_NAME writes at most 16 bytes into `name`; write and
    // raise are async-signal-safe.
    unsafe {
        libc::prctl(libc::PR_GET_NAME, name.as_mut_ptr());
        for &b in name.iter().take_while(|&&b| b != 0) {
            // Only plain characters: the line must stay one line.
            line[len] = if b.is_ascii_graphic() { b } else { b'_' };
            len += 1;
        }
        line[len] = b'\n';
        len += 1;
        libc::write(1, line.as_ptr().cast(), len);
        // The default action is back (SA_RESETHAND): the signal, pending
        // until this handler returns, ends the process as it would have.
        libc::raise(signal);
    }
}

/// The signal (SIGINT or SIGTERM) that asked this process to stop, or 0.
static STOP: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_stop(signal: libc::c_int) {
    STOP.store(signal, Ordering::Relaxed);
}

/// From now on SIGINT and SIGTERM only set a flag ([`stop_signal`]).
pub fn catch_stop_signals() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_stop as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// The stop signal received since [`catch_stop_signals`], if any.
pub fn stop_signal() -> Option<i32> {
    match STOP.load(Ordering::Relaxed) {
        0 => None,
        s => Some(s),
    }
}

/// What came from a worker.
#[derive(Debug)]
pub enum Next {
    /// A line of its standard output.
    Line(String),
    /// Nothing within the time asked.
    Quiet,
    /// Its standard output closed: it ended (see [`Worker::finish`]).
    Closed,
}

/// How a worker ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// It exited with this code.
    Exited(i32),
    /// It died of `signal`; `thread` is the thread that crashed, if it
    /// said.
    Crashed { signal: i32, thread: Option<String> },
    /// It did not end in time and was killed.
    Killed,
}

/// A running worker.
pub struct Worker {
    child: Child,
    lines: mpsc::Receiver<String>,
    crashed_in: Option<String>,
}

impl Worker {
    /// Starts this executable again with the same arguments as a worker;
    /// its standard output comes back line by line, its standard error is
    /// this process's.
    pub fn start() -> std::io::Result<Self> {
        use std::os::unix::process::CommandExt;
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env(ENV, std::process::id().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()?;
        let stdout = child.stdout.take().expect("stdout is piped");
        // Bounded: when this process writes slowly (its output piped into a
        // pager), the worker waits instead of this process piling up lines.
        let (tx, lines) = mpsc::sync_channel(LINES_IN_FLIGHT);
        std::thread::Builder::new()
            .name("framescope-worker-out".into())
            .spawn(move || {
                let mut reader = BufReader::new(stdout);
                let mut line = Vec::new();
                loop {
                    line.clear();
                    match reader.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            let text = String::from_utf8_lossy(&line);
                            let text = text.trim_end_matches(['\n', '\r']).to_string();
                            if tx.send(text).is_err() {
                                break;
                            }
                        }
                    }
                }
            })?;
        Ok(Worker {
            child,
            lines,
            crashed_in: None,
        })
    }

    /// The next line of the worker's output, waiting `timeout` at most.
    /// Crash lines are kept for [`Worker::finish`], not returned.
    pub fn next(&mut self, timeout: Duration) -> Next {
        loop {
            match self.lines.recv_timeout(timeout) {
                Ok(line) => match line.strip_prefix(CRASH_PREFIX) {
                    Some(thread) => self.crashed_in = Some(thread.to_string()),
                    None => return Next::Line(line),
                },
                Err(mpsc::RecvTimeoutError::Timeout) => return Next::Quiet,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Next::Closed,
            }
        }
    }

    /// Kills the worker at once.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
    }

    /// Waits `grace` at most for the worker to end, killing it after that,
    /// and says how it ended.
    pub fn finish(mut self, grace: Duration) -> Ended {
        use std::os::unix::process::ExitStatusExt;
        let deadline = std::time::Instant::now() + grace;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break None;
                }
            }
        };
        // A crash line written just before the end.
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(50)) {
            if let Some(thread) = line.strip_prefix(CRASH_PREFIX) {
                self.crashed_in = Some(thread.to_string());
            }
        }
        match status {
            None => Ended::Killed,
            Some(s) => match (s.code(), s.signal()) {
                (Some(code), _) => Ended::Exited(code),
                (None, Some(signal)) if signal == libc::SIGKILL && self.crashed_in.is_none() => {
                    Ended::Killed
                }
                (None, signal) => Ended::Crashed {
                    signal: signal.unwrap_or(0),
                    thread: self.crashed_in.take(),
                },
            },
        }
    }
}

/// The GStreamer element a crashing thread belonged to, from its name
/// (`qtdemux0:sink` → `qtdemux`), when the name tells.
pub fn element_of_thread(thread: &str) -> Option<String> {
    let (element, _pad) = thread.split_once(':')?;
    let element = element.trim_end_matches(|c: char| c.is_ascii_digit());
    (!element.is_empty()).then(|| element.to_string())
}

/// The sentence for a worker that crashed while reading `uri`.
pub fn crash_sentence(uri: &str, thread: Option<&str>) -> String {
    let name = framescope::engine::display_name(uri);
    let inside = thread
        .and_then(element_of_thread)
        .map(|e| format!(" (in {e})"))
        .unwrap_or_default();
    if framescope::inspect::is_local(uri) {
        format!("GStreamer crashed while reading “{name}”{inside}; the file is probably damaged.")
    } else {
        format!(
            "GStreamer crashed while reading “{name}”{inside}; the stream probably sent damaged data."
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_names_give_elements() {
        assert_eq!(
            element_of_thread("qtdemux0:sink").as_deref(),
            Some("qtdemux")
        );
        assert_eq!(
            element_of_thread("multiqueue12:sr").as_deref(),
            Some("multiqueue")
        );
        assert_eq!(element_of_thread("framescope"), None);
        assert_eq!(
            crash_sentence("file:///tmp/a%20b.mp4", Some("matroskademux0:")),
            "GStreamer crashed while reading “/tmp/a b.mp4” (in matroskademux); the file is probably damaged."
        );
    }
}
