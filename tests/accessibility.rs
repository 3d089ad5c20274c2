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
use std::time::Duration;

#[test]
fn every_control_is_named_and_reachable() {
    let missing = common::atspi::missing_tools();
    if !missing.is_empty() {
        println!(
            "SKIPPED: the accessibility tree cannot be read without {} \
             (`scripts/setup.sh deps` installs them)",
            missing.join(", ")
        );
        return;
    }
    let clip = clip("h264_aac.mp4");
    let runtime = tempfile::tempdir().expect("a runtime folder");
    let child = common::atspi::session("accessibility/atspi_tree.py", "a11y", runtime.path())
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
