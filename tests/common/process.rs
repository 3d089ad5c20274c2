//! Child processes of the tests: the `framescope` executable started with
//! no display, a child's output read to its end within a time limit,
//! whether a tool runs at all, and which GL libraries a player maps.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Whether `program` with `args` runs and succeeds (output thrown away):
/// how the tests find out which tools the machine has.
pub fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `framescope` with no display (`DISPLAY` and `WAYLAND_DISPLAY` removed),
/// nothing on stdin, stdout and stderr piped; add the arguments and spawn.
pub fn framescope_headless() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_framescope"));
    command
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// What a child wrote and how it ended.
pub struct Finished {
    /// `None`: it was still running at the limit and was killed.
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// From the call until its output was read to the end.
    pub took: Duration,
}

/// Reads `child`'s piped stdout and stderr to their end while it runs,
/// killing it once it has run `limit` past this call.
pub fn output_within(mut child: Child, limit: Duration) -> Finished {
    let started = Instant::now();
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().expect("stdout is piped")));
    let stderr = read_all(Box::new(child.stderr.take().expect("stderr is piped")));
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Finished {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        took: started.elapsed(),
    }
}

/// The GL libraries (`libLLVM`, a Mesa `_dri.so` driver) mapped by the
/// process `command` starts, read from its `/proc/PID/maps` 3 s after it
/// started (while it plays); the process must then end by itself, and
/// successfully. `what` names it in failures.
pub fn gl_libraries_while_playing(mut command: Command, what: &str) -> Vec<String> {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{what} could not start ({e})"));
    std::thread::sleep(Duration::from_secs(3));
    let maps = std::fs::read_to_string(format!("/proc/{}/maps", child.id())).unwrap_or_default();
    let status = child.wait().expect("the child ends");
    assert!(status.success(), "{what}: {status:?}");
    ["libLLVM", "_dri.so"]
        .iter()
        .filter(|lib| maps.contains(*lib))
        .map(|lib| lib.to_string())
        .collect()
}

/// Checks a player's GL libraries where no GPU device exists:
/// `gl_libraries(extra arguments)` ([`gl_libraries_while_playing`]) finds
/// none on the default path, and both with `--video-path gl` (the premise,
/// which shows the check can fail).
pub fn assert_gl_only_on_the_gl_path(gl_libraries: impl Fn(&[&str]) -> Vec<String>) {
    assert_eq!(
        gl_libraries(&[]),
        Vec::<String>::new(),
        "GL libraries loaded on the default path without a GPU device"
    );
    assert_eq!(
        gl_libraries(&["--video-path", "gl"]).len(),
        2,
        "premise: the GL path loads LLVM and the Mesa driver"
    );
}
