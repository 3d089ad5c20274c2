//! The X display GUI tests and the executables they start draw on: the
//! caller's `DISPLAY`, or a private Xvfb that goes away with the test
//! process.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Makes sure an X display is available to child processes and GTK: keeps
/// `DISPLAY` when set, otherwise starts a private Xvfb and returns its name.
pub fn ensure_display() -> String {
    static DISPLAY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DISPLAY
        .get_or_init(|| {
            if let Ok(d) = std::env::var("DISPLAY") {
                if !d.is_empty() {
                    return d;
                }
            }
            start_xvfb()
        })
        .clone()
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.is_file())
    })
}

fn start_xvfb() -> String {
    for n in 90..130 {
        if Path::new(&format!("/tmp/.X{n}-lock")).exists() {
            continue;
        }
        assert!(
            which("Xvfb").is_some(),
            "Xvfb is not installed; run `scripts/setup.sh test`, which installs it"
        );
        // A small guardian shell stops Xvfb once this test process is gone.
        // `-noreset`: an X server resets when its last client leaves, and a
        // GTK app starting meanwhile (the tests start and end many) finds
        // no display ("Failed to initialize GTK", seen in CI).
        let script = format!(
            "Xvfb :{n} -screen 0 1280x800x24 -nolisten tcp -noreset >/dev/null 2>&1 & x=$!; \
             while kill -0 {} 2>/dev/null && kill -0 $x 2>/dev/null; do sleep 1; done; kill $x 2>/dev/null",
            std::process::id()
        );
        let spawned = std::process::Command::new("sh")
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if spawned.is_err() {
            continue;
        }
        let socket = format!("/tmp/.X11-unix/X{n}");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if Path::new(&socket).exists() {
                return format!(":{n}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("could not start Xvfb on any display from :90 to :129");
}
