//! A private D-Bus session bus for a test: [`Bus::start`] runs
//! `dbus-run-session`, and [`Bus`] starts commands on it (the test's
//! display too), runs `framescope ctl`, `gdbus` and `dbus-send` against the
//! players there, and ends the bus when dropped. The remote-control tests
//! (`control.rs`) and the C ABI's kiosks (`capi.rs`) use it.

use super::{ensure_display, output_within};
use framescope::control::{INTERFACE, OBJECT_PATH as PATH};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A private session bus: `dbus-run-session` running a `sleep` whose end
/// (when this is dropped) ends the bus.
pub struct Bus {
    pub address: String,
    sleeper: u32,
    session: Child,
    /// The session's runtime folder: the AT-SPI bus it starts puts its
    /// socket there, named after the display, which parallel tests share.
    runtime: tempfile::TempDir,
}

impl Bus {
    pub fn start() -> Bus {
        let runtime = tempfile::tempdir().expect("a runtime folder");
        let mut session = Command::new("dbus-run-session")
            .env("XDG_RUNTIME_DIR", runtime.path())
            .args([
                "--",
                "sh",
                "-c",
                "echo \"$DBUS_SESSION_BUS_ADDRESS\"; echo $$; exec sleep 300",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-run-session runs (scripts/setup.sh test installs dbus-daemon)");
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(session.stdout.take().unwrap()).lines();
        let address = lines.next().unwrap().unwrap();
        let sleeper = lines.next().unwrap().unwrap().trim().parse().unwrap();
        assert!(address.contains('='), "a bus address, not “{address}”");
        Bus {
            address,
            sleeper,
            session,
            runtime,
        }
    }

    /// A command on this bus (and the test's display).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("DISPLAY", ensure_display())
            .env("XDG_RUNTIME_DIR", self.runtime.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs `program args` on this bus: (exit code, stdout, stderr).
    pub fn run(&self, program: &str, args: &[&str]) -> (i32, String, String) {
        let child = self.command(program).args(args).spawn().unwrap();
        let done = output_within(child, Duration::from_secs(60));
        (
            done.status.and_then(|s| s.code()).unwrap_or(-1),
            String::from_utf8_lossy(&done.stdout).trim().to_string(),
            String::from_utf8_lossy(&done.stderr).trim().to_string(),
        )
    }

    /// `framescope ctl ARGS`.
    pub fn ctl(&self, args: &[&str]) -> (i32, String, String) {
        let mut all = vec!["ctl"];
        all.extend_from_slice(args);
        self.run(env!("CARGO_BIN_EXE_framescope"), &all)
    }

    /// `framescope ctl ARGS`, which must succeed; its output.
    pub fn ctl_ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.ctl(args);
        assert_eq!(code, 0, "framescope ctl {args:?} failed: {err}");
        out
    }

    /// `framescope ctl stats --json`, parsed.
    pub fn stats(&self) -> serde_json::Value {
        let json = self.ctl_ok(&["stats", "--json"]);
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("stats --json is JSON ({e}): {json}"))
    }

    /// The bus names now on the bus.
    pub fn names(&self) -> String {
        self.run(
            "gdbus",
            &[
                "call",
                "--session",
                "--dest",
                "org.freedesktop.DBus",
                "--object-path",
                "/org/freedesktop/DBus",
                "--method",
                "org.freedesktop.DBus.ListNames",
            ],
        )
        .1
    }

    /// `gdbus call` of METHOD on the Framescope interface of `name`.
    pub fn gdbus(&self, name: &str, method: &str, args: &[&str]) -> (i32, String, String) {
        let method = format!("{INTERFACE}.{method}");
        let mut all = vec![
            "call",
            "--session",
            "--dest",
            name,
            "--object-path",
            PATH,
            "--method",
            &method,
        ];
        all.extend_from_slice(args);
        self.run("gdbus", &all)
    }

    /// `dbus-send` of METHOD with typed ARGS (`string:x`, `double:nan`).
    pub fn dbus_send(&self, name: &str, method: &str, args: &[&str]) -> (i32, String, String) {
        let dest = format!("--dest={name}");
        let method = format!("{INTERFACE}.{method}");
        let mut all = vec!["--session", "--print-reply", &dest, PATH, &method];
        all.extend_from_slice(args);
        self.run("dbus-send", &all)
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        // SAFETY: a plain kill(2) of the sleep this bus started.
        unsafe { libc::kill(self.sleeper as i32, libc::SIGTERM) };
        let _ = self.session.wait();
    }
}

/// Polls `check` every 100 ms for up to `limit` (a player in another
/// process answering on the bus); whether it held.
pub fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}
