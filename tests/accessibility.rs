//! The app's accessibility tree, read as a screen reader reads it: the
//! `framescope` executable plays a clip under X with its queue panel and
//! inspector open, inside a private D-Bus session (`dbus-run-session`)
//! where GTK starts the AT-SPI bus, and `tests/accessibility/atspi_tree.py`
//! (pyatspi) walks every window of it. It fails on any control without a
//! name, on seek and volume sliders whose value text ("1:23 of 4:56",
//! "volume 80 %") is missing or disagrees with their value, on play and
//! mute buttons whose names do not follow their state, and on a button or
//! slider of the main window that Tab never reaches.
//!
//! Needs Debian's `at-spi2-core`, `python3-pyatspi`, `dbus-daemon` and
//! `xdotool` (all from `scripts/setup.sh`); only when one is missing is the
//! test skipped, with a printed `SKIPPED:` line.

mod common;

use common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The Python that has pyatspi: Debian's own, where a version manager may
/// have put another first on the path.
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// What is missing to read the tree, if anything.
fn missing_tools() -> Vec<&'static str> {
    let runs = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let mut missing = Vec::new();
    if !runs("dbus-run-session", &["--version"]) {
        missing.push("dbus-run-session (dbus-daemon)");
    }
    if !Path::new("/usr/libexec/at-spi-bus-launcher").exists() {
        missing.push("at-spi-bus-launcher (at-spi2-core)");
    }
    if !runs(python(), &["-c", "import pyatspi"]) {
        missing.push("pyatspi (python3-pyatspi)");
    }
    if !runs("xdotool", &["version"]) {
        missing.push("xdotool");
    }
    missing
}

#[test]
fn every_control_is_named_and_reachable() {
    let missing = missing_tools();
    if !missing.is_empty() {
        println!(
            "SKIPPED: the accessibility tree cannot be read without {} \
             (`scripts/setup.sh deps` installs them)",
            missing.join(", ")
        );
        return;
    }
    let clip = clip("h264_aac.mp4");
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let runtime = tempfile::tempdir().expect("a runtime folder");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/accessibility/atspi_tree.py");
    let child = Command::new("dbus-run-session")
        .arg("--")
        .arg(python())
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_framescope"))
        .args([
            "--new-instance",
            "--no-resume",
            "--mute",
            "--loop",
            "--window-size",
            "900x560",
        ])
        // Two items, so the queue panel has rows.
        .arg(&clip)
        .arg(&clip)
        .env("DISPLAY", ensure_display())
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("XDG_CACHE_HOME", tmp.join("cache"))
        .env("XDG_STATE_HOME", tmp.join("a11y-state"))
        .env("XDG_CONFIG_HOME", tmp.join("a11y-config"))
        // GTK talks to the AT-SPI bus of this session, whatever the caller set.
        .env_remove("NO_AT_BRIDGE")
        .env_remove("GTK_A11Y")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dbus-run-session starts");
    let finished = output_within(child, Duration::from_secs(90));
    let stdout = String::from_utf8_lossy(&finished.stdout);
    println!("{stdout}");
    assert!(
        finished.status.is_some(),
        "the accessibility check did not finish within 90 s:\n{stdout}\n{}",
        String::from_utf8_lossy(&finished.stderr)
    );
    assert!(
        finished.status.is_some_and(|s| s.success()),
        "the accessibility tree has problems ({:?}):\n{}\nstderr:\n{}",
        finished.status,
        stdout
            .lines()
            .filter(|l| l.starts_with("PROBLEM") || l.starts_with("FATAL"))
            .collect::<Vec<_>>()
            .join("\n"),
        String::from_utf8_lossy(&finished.stderr)
    );
}
