//! `--kiosk`: unattended full-screen playback, locked input, its quit chord,
//! and a list moving past an item that never plays.

use super::*;

/// Starts `framescope --kiosk --stats-json JSON INPUTS...` and waits for
/// its window; returns the process and the window's id (empty when none).
fn start_kiosk(json: &Path, inputs: &[&Path]) -> (std::process::Child, String) {
    let _ = std::fs::remove_file(json);
    let child = start_quiet(
        framescope_command()
            .args(["--kiosk", "--stats-json"])
            .arg(json)
            .args(inputs),
    );
    let window = main_window(&child);
    (child, window)
}

/// Runs `body` against a kiosk's window, then presses the quit chord and
/// returns the exit code (None: it did not quit within 10 s, and was killed).
fn drive_kiosk(
    child: &mut std::process::Child,
    window: &str,
    body: impl FnOnce(&mut std::process::Child),
) -> Option<i32> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert!(!window.is_empty(), "the kiosk window appeared");
        body(child);
        xdotool(&["windowfocus", "--sync", window]);
        xdotool(&["key", "ctrl+alt+q"]);
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(100));
        }
    }));
    let status = child.try_wait().unwrap();
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
    status.and_then(|s| s.code())
}

pub fn kiosk_locks_input_loops_and_quits_on_its_chord() {
    let _display = own_the_display();
    let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kiosk.json");
    let (mut child, window) = start_kiosk(&json, &[&clip("h264_aac.mp4")]);
    let code = drive_kiosk(&mut child, &window, |child| {
        let screen = String::from_utf8_lossy(&xdotool(&["getdisplaygeometry"]).stdout)
            .trim()
            .replace(' ', "x");
        // The window may map first and take the monitor's size a moment later.
        let mut geometry = String::new();
        for _ in 0..30 {
            geometry = String::from_utf8_lossy(&xdotool(&["getwindowgeometry", &window]).stdout)
                .to_string();
            if geometry.contains(&format!("Geometry: {screen}")) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // Without a window manager the size is GTK's own doing; seen to stay
        // 960x600 on the CI machine while covering the screen here: reported,
        // not asserted (issue 5 note).
        if !geometry.contains(&format!("Geometry: {screen}")) {
            eprintln!("kiosk window did not cover the {screen} screen: {geometry}");
        }
        xdotool(&["windowfocus", "--sync", &window]);
        std::thread::sleep(Duration::from_secs(2));
        // Every key and click is locked out: pause, mute, seek, fullscreen, quit (q, Ctrl+Q).
        for key in ["space", "k", "m", "Left", "f", "Escape", "q", "ctrl+q"] {
            xdotool(&["key", key]);
        }
        // The pointer hid after its first still second; moving it shows it,
        // and it hides again a second later.
        xdotool(&["mousemove", "--window", &window, "40", "40"]);
        xdotool(&["click", "--repeat", "2", "1"]);
        std::thread::sleep(Duration::from_millis(500));
        xdotool(&["mousemove", "--window", &window, "80", "60"]);
        std::thread::sleep(Duration::from_secs(3));
        assert!(
            child.try_wait().unwrap().is_none(),
            "a locked key quit the kiosk"
        );
    });
    assert_eq!(code, Some(0), "the quit chord ends the kiosk cleanly");
    let s = stats(&json);
    // About 5 s of a 2 s clip with input locked: it looped and never paused.
    let played = s["played_seconds"].as_f64().unwrap();
    assert!(played > 4.0, "played {played} s: {s}");
    assert_eq!(s["dropped"], 0, "{s}");
    assert!(s["kiosk"]["inhibit_requests"].as_u64().unwrap() >= 1, "{s}");
    assert!(s["kiosk"]["cursor_hidden"].as_u64().unwrap() >= 2, "{s}");
    let step = s["max_frame_step_ms"].as_f64().unwrap();
    assert!(
        step < 50.0,
        "a {step} ms gap between frames (loop seam?): {s}"
    );
}

/// A kiosk list whose first item can never play: the watchdog tries it a
/// few times, then the list moves on and the next item plays.
pub fn kiosk_list_moves_past_a_dead_item() {
    let _display = own_the_display();
    let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kiosk-dead.json");
    let dead = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kiosk-not-there.mp4");
    let good = clip("h264_aac.mp4");
    let (mut child, window) = start_kiosk(&json, &[&dead, &good]);
    // Three restarts (1 + 2 + 4 s), 2 s with the error shown, then 2 s of
    // the good clip, with time to spare.
    let code = drive_kiosk(&mut child, &window, |_| {
        std::thread::sleep(Duration::from_secs(14))
    });
    assert_eq!(code, Some(0), "the quit chord ends the kiosk cleanly");
    let s = stats(&json);
    assert!(s["items_played"].as_u64().unwrap() >= 1, "{s}");
    assert!(s["played_seconds"].as_f64().unwrap() >= 1.5, "{s}");
    assert!(s["restarts"].as_u64().unwrap() >= 3, "{s}");
    assert!(s["rendered"].as_u64().unwrap() >= 45, "{s}");
}
