//! End-to-end tests of the `framescope` executable under X (Xvfb when no
//! display is set): the demo clip and generated clips play to the end on both
//! video paths, `--stats-json` reports real numbers, and every bad input ends
//! in one clear sentence on stderr with exit code 1 within seconds.

mod common;

use common::*;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The tests share one X display and run in parallel threads. With no window
/// manager, every window GTK presents takes the keyboard focus, so a test
/// typing keys into its window would see them land in another test's window
/// (the kiosk test's quit chord did, on CI). Each test that opens a window
/// holds this for as long as its window lives.
fn own_the_display() -> MutexGuard<'static, ()> {
    static DISPLAY_IN_USE: Mutex<()> = Mutex::new(());
    DISPLAY_IN_USE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The framescope binary on the tests' display, with the tests' own cache
/// and state folders (never the user's).
fn framescope_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_framescope"));
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    // Each test's app runs on its own, even where a session bus would let
    // it hand its files to another test's window.
    command
        .arg("--new-instance")
        .env("DISPLAY", ensure_display())
        .env("XDG_CACHE_HOME", tmp.join("cache"))
        .env("XDG_STATE_HOME", tmp.join("state"));
    command
}

fn framescope(args: &[&str]) -> (Output, Duration) {
    let _display = own_the_display();
    let start = Instant::now();
    let output = framescope_command()
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("the framescope binary runs");
    (output, start.elapsed())
}

fn stats(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("stats file written");
    serde_json::from_str(&text).expect("stats file is JSON")
}

/// The lines Framescope itself wrote to stderr (libraries may add their own).
fn own_stderr(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.starts_with("framescope:"))
        .map(str::to_string)
        .collect()
}

/// The app stopped every pipeline before it exited: at exit it warns about
/// one a player still held (a player that outlived its window) or one
/// still stopping.
fn assert_pipelines_stopped(output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr.lines().find(|l| l.contains("pipeline(s)"));
    assert!(
        line.is_none(),
        "a pipeline outlived the app's window: {line:?}"
    );
}

#[test]
fn demo_clip_plays_to_the_end_on_both_paths() {
    for path in ["software", "gl"] {
        let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("demo-{path}.json"));
        // (Each run starts at the beginning: this is not about resuming.)
        let (out, took) = framescope(&[
            "--exit-at-end",
            "--no-resume",
            "--video-path",
            path,
            "--stats-json",
            json.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{path}: {out:?}");
        assert_pipelines_stopped(&out);
        let s = stats(&json);
        assert_eq!(s["video_path"], path);
        // The demo clip has 180 frames (6 s at 30 fps).
        let rendered = s["rendered"].as_u64().unwrap();
        let dropped = s["dropped"].as_u64().unwrap();
        assert!(
            rendered + dropped >= 175 && rendered >= 150,
            "{path}: {s}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let played = s["played_seconds"].as_f64().unwrap();
        assert!((5.5..8.0).contains(&played), "{path}: played {played}");
        assert!(took < Duration::from_secs(30), "{path}: took {took:?}");
        assert!(s["uri"].as_str().unwrap().ends_with(".webm"));
    }
}

#[test]
fn start_rate_and_mute_options_apply() {
    let clip = clip("h264_aac.mp4");
    let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join("start.json");
    let played_with = |options: &[&str]| {
        let mut args = vec!["--exit-at-end", "--stats-json", json.to_str().unwrap()];
        args.extend_from_slice(options);
        args.push(clip.to_str().unwrap());
        let (out, _) = framescope(&args);
        assert!(out.status.success(), "{options:?}: {out:?}");
        stats(&json)["played_seconds"].as_f64().unwrap()
    };
    let played = played_with(&["--mute", "--start", "1"]);
    assert!(
        (0.7..1.5).contains(&played),
        "--start 1 on a 2 s clip played {played}s"
    );
    let played = played_with(&["--rate", "2"]);
    assert!(
        (0.7..1.5).contains(&played),
        "--rate 2 on a 2 s clip played {played}s"
    );
}

/// The queue advances at the end of each item and the app exits after the
/// last with `--exit-at-end`.
#[test]
fn several_inputs_play_in_order() {
    let a = clip("video_only.webm");
    let b = clip("audio_only.ogg");
    let c = clip("vp9_opus.webm");
    let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join("queue.json");
    let (out, _) = framescope(&[
        "--exit-at-end",
        "--stats-json",
        json.to_str().unwrap(),
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        c.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let s = stats(&json);
    assert_eq!(s["items_played"], 3, "{s}");
    assert!(s["uri"].as_str().unwrap().ends_with("vp9_opus.webm"));
    assert_eq!(
        s["queue"],
        serde_json::json!(["video_only.webm", "audio_only.ogg", "vp9_opus.webm"]),
        "{s}"
    );
    assert_eq!(s["queue_index"], 2, "{s}");
    assert_eq!(s["repeat"], "none", "{s}");
    assert!(s["played_seconds"].as_f64().unwrap() > 5.0, "{s}");
}

#[test]
fn print_pipeline_describes_without_playing() {
    let (out, _) = framescope(&[
        "--print-pipeline",
        "--video-path",
        "gl",
        "--no-audio",
        "/tmp/a b\"c.mp4",
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.trim(),
        "playbin uri=\"file:///tmp/a%20b%22c.mp4\" flags=video+text video-sink=\"glupload ! glcolorconvert ! gtk4paintablesink\""
    );
    let (out, _) = framescope(&["--print-pipeline", "--video-path", "software", "x.webm"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(
        "video-sink=\"videoconvertscale ! capsfilter caps=video/x-raw ! gtk4paintablesink\""
    ));
}

#[test]
fn bad_command_lines_exit_2() {
    for args in [
        &["--rate", "0"][..],
        &["--start", "soon"],
        &["--video-path", "vulkan"],
        &["--no-such-flag"],
    ] {
        let (out, _) = framescope(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    }
}

#[test]
fn bad_inputs_exit_1_with_one_sentence() {
    let port = common::http::closed_port();
    let unreachable = format!("http://127.0.0.1:{port}/clip.mp4");
    let cases: Vec<(String, &str)> = vec![
        (
            bad_file("missing.mp4").display().to_string(),
            "does not exist",
        ),
        (bad_file("folder").display().to_string(), "is a folder"),
        (bad_file("empty.mp4").display().to_string(), "empty"),
        (
            bad_file("text.mp4").display().to_string(),
            "not a media file",
        ),
        (
            bad_file("random.bin").display().to_string(),
            "not a media file",
        ),
        (
            bad_file("truncated.mp4").display().to_string(),
            "truncated.mp4",
        ),
        (encrypted_webm().display().to_string(), "encrypted"),
        ("foo://example/video.mp4".to_string(), "foo"),
        (unreachable.clone(), "Could not reach"),
    ];
    for (input, words) in cases {
        let (out, took) = framescope(&["--exit-at-end", &input]);
        assert_eq!(out.status.code(), Some(1), "{input}: {out:?}");
        let lines = own_stderr(&out);
        assert_eq!(lines.len(), 1, "{input}: {lines:?}");
        assert!(lines[0].contains(words), "{input}: {}", lines[0]);
        assert!(
            lines[0].ends_with('.'),
            "{input}: not a sentence: {}",
            lines[0]
        );
        // Start-up included; the error itself must come within 5 s.
        assert!(took < Duration::from_secs(8), "{input}: took {took:?}");
    }
}

/// Runs xdotool against the test display.
/// The id of `child`'s main window, waiting up to 20 s for it to show
/// (empty when it never does). A search can fail while another test's
/// window is going away, so it is repeated rather than left to `--sync`.
fn main_window(child: &std::process::Child) -> String {
    let pid = child.id().to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = xdotool(&[
            "search",
            "--onlyvisible",
            "--pid",
            &pid,
            "--name",
            "Framescope",
        ]);
        let window = String::from_utf8_lossy(&found.stdout)
            .lines()
            .last()
            .unwrap_or("")
            .to_string();
        if !window.is_empty() || Instant::now() > deadline {
            return window;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Runs `body` with `child`'s main window focused (failing when no window
/// appeared within 20 s), then kills the child if it is still running and
/// passes on a failure of `body`.
fn in_main_window(child: &mut std::process::Child, body: impl FnOnce(&mut std::process::Child)) {
    let window = main_window(child);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert!(!window.is_empty(), "the window appeared");
        xdotool(&["windowfocus", "--sync", &window]);
        body(child);
    }));
    if child.try_wait().unwrap().is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

/// Sends SIGTERM (as a session ending would) and waits up to 10 s for the
/// app to close by itself.
fn terminate(child: &mut std::process::Child) {
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn xdotool(args: &[&str]) -> std::process::Output {
    Command::new("xdotool")
        .args(args)
        .env("DISPLAY", ensure_display())
        .output()
        .expect("xdotool runs (scripts/setup.sh test installs it)")
}

#[test]
fn screenshot_key_saves_the_exact_frame_on_screen() {
    let _display = own_the_display();
    let clip = app_numbered_clip();
    let path = clip.path();
    let dir = tempfile::tempdir().unwrap();
    let mut child = framescope_command()
        .args(["--window-size", "640x480", "--mute", "--screenshot-dir"])
        .arg(dir.path())
        .arg(&path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the framescope binary starts");
    in_main_window(&mut child, |_| {
        std::thread::sleep(Duration::from_millis(800));
        // Pause, step two frames, save.
        for key in ["space", "period", "period"] {
            xdotool(&["key", key]);
            std::thread::sleep(Duration::from_millis(300));
        }
        xdotool(&["key", "s"]);
        let deadline = Instant::now() + Duration::from_secs(10);
        let saved = loop {
            let pngs: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "png"))
                .collect();
            if let Some(p) = pngs.first() {
                break p.clone();
            }
            assert!(Instant::now() < deadline, "no screenshot was written");
            std::thread::sleep(Duration::from_millis(100));
        };
        // "app_numbered-<hash> 0-01.240.png": named after the media and the PTS.
        let name = saved.file_name().unwrap().to_string_lossy().to_string();
        assert!(name.starts_with("app_numbered"), "{name}");
        let time = name.rsplit(' ').next().unwrap().trim_end_matches(".png");
        let (minutes, seconds) = time.split_once('-').unwrap();
        let ms = minutes.parse::<u64>().unwrap() * 60_000
            + (seconds.parse::<f64>().unwrap() * 1000.0).round() as u64;
        let (w, h, _) = common::framecode::rgb_of_png(&saved);
        assert_eq!((w, h), (320, 240), "native size, not the window's");
        assert_eq!(
            common::framecode::number_in_png(&saved),
            Some((ms / 40) as u32),
            "the PNG is the frame at {time}"
        );
    });
}

/// Ctrl+I opens the stream inspector on the playing clip (a window of the
/// app's process named "Inspector — …", then a screenshot of the display).
#[test]
fn ctrl_i_opens_the_inspector() {
    let _display = own_the_display();
    let path = clip("h264_aac.mp4");
    let mut child = framescope_command()
        .args(["--window-size", "640x480", "--mute", "--loop"])
        .arg(&path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the framescope binary starts");
    let pid = child.id().to_string();
    let search = |name: &str| {
        let found = xdotool(&["search", "--onlyvisible", "--pid", &pid, "--name", name]);
        String::from_utf8_lossy(&found.stdout)
            .lines()
            .last()
            .unwrap_or("")
            .to_string()
    };
    let result = std::panic::catch_unwind(|| {
        let deadline = Instant::now() + Duration::from_secs(15);
        let window = loop {
            let w = search("Framescope");
            if !w.is_empty() {
                break w;
            }
            assert!(Instant::now() < deadline, "the main window did not appear");
            std::thread::sleep(Duration::from_millis(200));
        };
        xdotool(&["windowfocus", "--sync", &window]);
        std::thread::sleep(Duration::from_millis(800));
        xdotool(&["key", "ctrl+i"]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while search("Inspector").is_empty() {
            assert!(Instant::now() < deadline, "Ctrl+I opened no inspector");
            std::thread::sleep(Duration::from_millis(200));
        }
        std::thread::sleep(Duration::from_millis(1500));
        // The screenshot shows the inspector's window on the display.
        let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("app-inspector.png");
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "xwd -root -silent | convert xwd:- '{}'",
                shot.display()
            ))
            .env("DISPLAY", ensure_display())
            .status()
            .expect("xwd and convert run (scripts/setup.sh test installs them)");
        assert!(status.success());
        let (w, h, rgb) = common::framecode::rgb_of_png(&shot);
        assert!(
            w > 0 && h > 0 && rgb.iter().any(|&v| v > 200),
            "blank screenshot"
        );
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

/// Starts `framescope --kiosk --stats-json JSON INPUTS...` and waits for
/// its window; returns the process and the window's id (empty when none).
fn start_kiosk(json: &Path, inputs: &[&Path]) -> (std::process::Child, String) {
    let _ = std::fs::remove_file(json);
    let child = framescope_command()
        .args(["--kiosk", "--stats-json"])
        .arg(json)
        .args(inputs)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the framescope binary starts");
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

#[test]
fn kiosk_locks_input_loops_and_quits_on_its_chord() {
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
#[test]
fn kiosk_list_moves_past_a_dead_item() {
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

/// Quitting in the middle of a file remembers where it was left (written
/// when the process is told to end); opening it again resumes there, and
/// playing it to the end forgets the position (next time starts at 0).
#[test]
fn reopening_a_file_resumes_where_it_was_left() {
    let _display = own_the_display();
    let clip = twelve_seconds_small();
    let state = tempfile::tempdir().unwrap();
    let positions = state.path().join("framescope/positions.json");
    let run = |extra: &[&str]| {
        let mut command = framescope_command();
        command
            .args(["--window-size", "480x320"])
            .args(extra)
            .arg(&clip)
            .env("XDG_STATE_HOME", state.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        command
    };
    let left_at = |positions: &Path| -> f64 {
        let text = std::fs::read_to_string(positions).expect("positions written");
        let store: serde_json::Value = serde_json::from_str(&text).expect("positions are JSON");
        assert_eq!(store["entries"].as_array().unwrap().len(), 1, "{store}");
        let entry = &store["entries"][0];
        assert!(entry["uri"]
            .as_str()
            .unwrap()
            .ends_with("twelve_seconds.mp4"));
        entry["position"].as_f64().unwrap()
    };
    // Played for about 6 s of 12, then told to end (SIGTERM).
    let mut child = run(&[]).spawn().expect("the framescope binary starts");
    std::thread::sleep(Duration::from_secs(8));
    terminate(&mut child);
    let status = child.try_wait().unwrap();
    if status.is_none() {
        let _ = child.kill();
    }
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "SIGTERM quits cleanly"
    );
    let first = left_at(&positions);
    assert!((5.0..8.5).contains(&first), "left at {first} s");

    // Opened again: it resumes there and plays the rest to the end.
    let json = state.path().join("stats.json");
    let out = run(&["--exit-at-end", "--stats-json", json.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let played = stats(&json)["played_seconds"].as_f64().unwrap();
    assert!(
        (played - (12.0 - first)).abs() < 1.0,
        "left at {first} s of 12, then played {played} s"
    );
    assert_eq!(
        left_at(&positions),
        0.0,
        "watched to the end: start over next time"
    );
    // Nothing else was left in the state folder (no temporary files).
    let files: Vec<_> = std::fs::read_dir(positions.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(files, ["positions.json"]);
}

/// Keys B (next audio track) and V (next subtitle track, then off) on a
/// clip with two of each: the tracks playing at exit say they worked.
#[test]
fn track_keys_switch_audio_and_subtitles() {
    let _display = own_the_display();
    let clip = two_language_mkv();
    let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tracks.json");
    let _ = std::fs::remove_file(&json);
    let mut child = framescope_command()
        .args(["--window-size", "480x320", "--no-resume", "--stats-json"])
        .arg(&json)
        .arg(&clip)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the framescope binary starts");
    in_main_window(&mut child, |child| {
        std::thread::sleep(Duration::from_millis(1500));
        for key in ["b", "v", "v"] {
            xdotool(&["key", key]);
            std::thread::sleep(Duration::from_millis(400));
        }
        std::thread::sleep(Duration::from_millis(500));
        terminate(child);
    });
    let s = stats(&json);
    assert_eq!(s["audio_track"], 1, "B goes to the second audio track: {s}");
    assert_eq!(
        s["subtitle_track"], -1,
        "V twice: the second subtitle track, then off: {s}"
    );
}

/// `--sub FILE` (twice) adds two external subtitle files to the first
/// item: both are listed, the last is loaded, and its track is the one
/// playing at the end.
#[test]
fn sub_option_adds_external_subtitle_files() {
    let clip = black_three_seconds();
    let srt = media_dir().join("app_external.srt");
    // (A single cue is too little for GStreamer's type finder to know SRT.)
    let time = |ms: u32| format!("00:00:{:02},{:03}", ms / 1000, ms % 1000);
    let cues: String = (0..6)
        .map(|i| {
            format!(
                "{}\n{} --> {}\nLINE {i}\n\n",
                i + 1,
                time(i * 500),
                time(i * 500 + 500)
            )
        })
        .collect();
    std::fs::write(&srt, &cues).unwrap();
    let second = media_dir().join("app_external_second.srt");
    std::fs::write(&second, cues.replace("LINE", "SECOND")).unwrap();
    let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sub.json");
    let (out, _) = framescope(&[
        "--exit-at-end",
        "--no-resume",
        "--sub",
        srt.to_str().unwrap(),
        "--sub",
        second.to_str().unwrap(),
        "--stats-json",
        json.to_str().unwrap(),
        clip.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let s = stats(&json);
    assert_eq!(
        s["subtitle_track"], 0,
        "the file's subtitle track plays: {s}"
    );
    assert_eq!(
        s["subtitle_files"],
        serde_json::json!(["app_external.srt", "app_external_second.srt"]),
        "{s}"
    );
    assert_eq!(s["subtitle_file"], "app_external_second.srt", "{s}");
    assert!(s["played_seconds"].as_f64().unwrap() > 2.0, "{s}");
}

/// A hand-edited preferences file is honoured (subtitles off, a remembered
/// volume of 0.3), Ctrl+, opens the Preferences window, and the volume the
/// player is left at is written back for next time.
#[test]
fn preferences_file_applies_and_remembers_the_volume() {
    let _display = own_the_display();
    let config = tempfile::tempdir().unwrap();
    let file = config.path().join("framescope/preferences.toml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        "subtitles = false\nvolume = 0.3\nremember_volume = true\nseek_step = 10\n",
    )
    .unwrap();
    let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join("prefs.json");
    let _ = std::fs::remove_file(&json);
    let mut child = framescope_command()
        .args(["--window-size", "480x320", "--no-resume", "--stats-json"])
        .arg(&json)
        .arg(two_language_mkv())
        .env("XDG_CONFIG_HOME", config.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the framescope binary starts");
    let pid = child.id().to_string();
    in_main_window(&mut child, |child| {
        std::thread::sleep(Duration::from_millis(1500));
        // Down lowers the volume a step: 0.3 -> 0.25.
        xdotool(&["key", "Down"]);
        xdotool(&["key", "ctrl+comma"]);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = xdotool(&[
                "search",
                "--onlyvisible",
                "--pid",
                &pid,
                "--name",
                "^Preferences$",
            ]);
            if !String::from_utf8_lossy(&found.stdout).trim().is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "Ctrl+, opened no Preferences window"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        terminate(child);
    });
    let s = stats(&json);
    assert_eq!(s["subtitle_track"], -1, "subtitles off by preference: {s}");
    let volume = s["volume"].as_f64().unwrap();
    assert!((volume - 0.25).abs() < 1e-6, "volume at exit {volume}: {s}");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(
        saved.contains("volume = 0.25"),
        "the volume was not remembered:\n{saved}"
    );
    assert!(saved.contains("seek_step = 10"), "{saved}");
}

/// Ctrl+Right goes on to the next item of the queue, Ctrl+Left back; a
/// looping queue goes round both ways.
#[test]
fn ctrl_arrows_move_through_the_queue() {
    let _display = own_the_display();
    let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join("queue-keys.json");
    let _ = std::fs::remove_file(&json);
    let first = clip("h264_aac.mp4");
    let second = clip("vp9_opus.webm");
    let mut child = framescope_command()
        .args([
            "--window-size",
            "480x320",
            "--no-resume",
            "--loop",
            "--stats-json",
        ])
        .arg(&json)
        .args([&first, &second])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the framescope binary starts");
    in_main_window(&mut child, |child| {
        std::thread::sleep(Duration::from_millis(800));
        xdotool(&["key", "ctrl+Right"]);
        std::thread::sleep(Duration::from_millis(600));
        xdotool(&["key", "ctrl+Right"]);
        std::thread::sleep(Duration::from_millis(600));
        xdotool(&["key", "ctrl+Left"]);
        std::thread::sleep(Duration::from_millis(600));
        terminate(child);
    });
    // first -> second -> (looping) first -> back round to second.
    let s = stats(&json);
    assert!(s["uri"].as_str().unwrap().ends_with("vp9_opus.webm"), "{s}");
    assert_eq!(s["queue_index"], 1, "{s}");
    assert_eq!(s["repeat"], "all", "--loop repeats the queue: {s}");
}

/// A server that asks for credentials: the app shows a Sign In dialog, the
/// user name and password typed there (real keys) open the stream, and
/// the password appears in no output.
#[test]
fn a_refused_stream_asks_for_credentials_and_plays_with_them() {
    let _display = own_the_display();
    let clip = clip("h264_aac.mp4");
    let server = common::http::HttpServer::files(clip.parent().unwrap())
        .credentials("viewer", "typed-secret")
        .start();
    let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join("credentials.json");
    let _ = std::fs::remove_file(&json);
    let mut child = framescope_command()
        .args([
            "--window-size",
            "480x320",
            "--no-resume",
            "--loop",
            "--stats-json",
        ])
        .arg(&json)
        .arg(server.url(&clip.file_name().unwrap().to_string_lossy()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the framescope binary starts");
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let deadline = Instant::now() + Duration::from_secs(15);
        let dialog = loop {
            let found = xdotool(&["search", "--onlyvisible", "--name", "^Sign In$"]);
            let id = String::from_utf8_lossy(&found.stdout)
                .lines()
                .last()
                .unwrap_or("")
                .to_string();
            if !id.is_empty() {
                break id;
            }
            assert!(Instant::now() < deadline, "no Sign In dialog appeared");
            std::thread::sleep(Duration::from_millis(200));
        };
        xdotool(&["windowfocus", "--sync", &dialog]);
        std::thread::sleep(Duration::from_millis(300));
        xdotool(&["type", "--delay", "20", "viewer"]);
        xdotool(&["key", "Tab"]);
        xdotool(&["type", "--delay", "20", "typed-secret"]);
        xdotool(&["key", "Return"]);
        // Let it play a while with the credentials.
        std::thread::sleep(Duration::from_secs(4));
        terminate(&mut child);
    }));
    if child.try_wait().unwrap().is_none() {
        let _ = child.kill();
    }
    let output = child.wait_with_output().unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
    let s = stats(&json);
    println!("    {s}");
    assert!(s["played_seconds"].as_f64().unwrap() > 1.5, "{s}");
    let text = format!(
        "{s}{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!text.contains("typed-secret"), "the password shows: {text}");
    let authorised = server
        .log()
        .iter()
        .filter(|l| l.status == 200 || l.status == 206)
        .count();
    assert!(authorised > 0, "no request got through: {:?}", server.log());
}

/// A live HLS stream (a live camera-like source written as one-second
/// segments in real time, the playlist keeping the last five, for as long
/// as the test runs): paused with Space for 4 s, playback falls behind the
/// live edge; End jumps back to it, as the distance to the live edge at
/// exit shows.
#[test]
fn end_key_goes_to_the_live_edge() {
    use gst::prelude::*;
    let _display = own_the_display();
    framescope::engine::init().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let playlist = dir.path().join("live.m3u8");
    // Live and endless: a finite clip would end the playlist (ENDLIST)
    // before the runs are over.
    let sender = gst::parse::launch(&format!(
        "{} ! h264parse \
         ! hlssink2 target-duration=1 playlist-length=5 max-files=10 location={}/seg%05d.ts playlist-location={}",
        live_h264(320, 240, 30, 30),
        dir.path().display(),
        playlist.display()
    ))
    .expect("the live HLS sender builds");
    sender.set_state(gst::State::Playing).unwrap();
    let segments = || {
        std::fs::read_to_string(&playlist)
            .map(|t| t.matches("#EXTINF").count())
            .unwrap_or(0)
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while segments() < 3 {
        assert!(
            Instant::now() < deadline,
            "the sender wrote no live playlist"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let server = common::http::HttpServer::files(dir.path()).start();
    let run = |press_end: bool| -> serde_json::Value {
        let json =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("live_edge_{press_end}.json"));
        let _ = std::fs::remove_file(&json);
        let mut child = framescope_command()
            .args(["--window-size", "480x320", "--no-resume", "--stats-json"])
            .arg(&json)
            .arg(server.url("live.m3u8"))
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(json.with_extension("log")).unwrap())
            .spawn()
            .expect("the framescope binary starts");
        in_main_window(&mut child, |child| {
            std::thread::sleep(Duration::from_secs(3));
            xdotool(&["key", "space"]);
            std::thread::sleep(Duration::from_secs(4));
            xdotool(&["key", "space"]);
            std::thread::sleep(Duration::from_millis(800));
            if press_end {
                xdotool(&["key", "End"]);
            }
            std::thread::sleep(Duration::from_millis(1500));
            terminate(child);
        });
        stats(&json)
    };
    let behind = |s: &serde_json::Value| {
        s["behind_live_edge_s"]
            .as_f64()
            .unwrap_or_else(|| panic!("no distance to the live edge: {s}"))
    };
    let paused = run(false);
    let ended = run(true);
    let _ = sender.set_state(gst::State::Null);
    println!(
        "    behind the live edge at exit: {:.2} s after the pause, {:.2} s after End",
        behind(&paused),
        behind(&ended)
    );
    assert!(
        behind(&paused) > 3.0,
        "the pause left playback behind: {paused}"
    );
    assert!(behind(&ended) < 2.0, "End went to the live edge: {ended}");
    assert_eq!(ended["error"], serde_json::Value::Null, "{ended}");
}

/// The app is a libadwaita application: its main window is an
/// `AdwApplicationWindow` in the dark style (said in the log and seen in the
/// header bar's pixels), and the Preferences and About windows open through
/// their application actions (called over D-Bus, as the desktop or a menu
/// would) without a warning on stderr. Runs on a private session bus, where
/// the app is the single instance exporting `org.gtk.Actions`.
#[test]
fn adwaita_window_is_dark_and_its_dialogs_open_without_warnings() {
    let _display = own_the_display();
    let clip = clip("h264_aac.mp4");
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let log = tmp.join("adwaita.log");
    let config = tmp.join("adwaita-config");
    let _ = std::fs::remove_dir_all(&config);
    let script = r#"
set -u
"$FRAMESCOPE" --no-resume --no-audio --loop --window-size 480x320 "$CLIP" 2>"$LOG" &
app=$!
for _ in $(seq 100); do
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.ListNames | grep -q "'org.framescope.Framescope'" && break
  sleep 0.1
done
act() { gdbus call --session --dest org.framescope.Framescope --object-path /org/framescope/Framescope \
  --method org.gtk.Actions.Activate "$1" '[]' '{}' >/dev/null; }
find_window() {
  w=""
  for _ in $(seq 50); do
    w=$(xdotool search --onlyvisible --pid $app --name "$1" | tail -n1)
    [ -n "$w" ] && break
    sleep 0.2
  done
  echo "$w"
}
main=$(find_window Framescope)
echo "main=$main"
sleep 1.5
# The header bar: the window's top rows, as grey from 0 (black) to 1 (white).
echo "header=$(xwd -silent -id "$main" | convert xwd:- -crop 100%x24+0+8 +repage -colorspace gray -format '%[fx:mean]' info:)"
act preferences
echo "preferences=$(find_window '^Preferences$')"
act about
echo "about=$(find_window '^About Framescope$')"
sleep 1
act quit
for _ in $(seq 100); do kill -0 $app 2>/dev/null || break; sleep 0.1; done
if kill -0 $app 2>/dev/null; then echo "quit=still running"; kill $app; else wait $app; echo "quit=$?"; fi
"#;
    let out = Command::new("dbus-run-session")
        .args(["--", "bash", "-c", script])
        .env("FRAMESCOPE", env!("CARGO_BIN_EXE_framescope"))
        .env("CLIP", &clip)
        .env("LOG", &log)
        .env("DISPLAY", ensure_display())
        .env("RUST_LOG", "framescope=info")
        .env("XDG_CACHE_HOME", tmp.join("cache"))
        .env("XDG_STATE_HOME", tmp.join("state"))
        .env("XDG_CONFIG_HOME", &config)
        .output()
        .expect("dbus-run-session runs (scripts/setup.sh test installs dbus-daemon)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    let answer = |key: &str| -> String {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("no {key} in:\n{text}\n{stderr}"))
            .to_string()
    };
    assert!(!answer("main").is_empty(), "no main window:\n{text}");
    assert!(
        stderr.contains("(an AdwApplicationWindow: true), dark style: true"),
        "the main window is not a dark AdwApplicationWindow:\n{stderr}"
    );
    let header: f64 = answer("header").parse().expect("a grey level");
    println!("    header bar grey level {header:.2}");
    // (Adwaita's light header bar is about 0.9, its dark one about 0.2.)
    assert!(header < 0.5, "the header bar is not dark ({header:.2})");
    assert!(
        !answer("preferences").is_empty(),
        "app.preferences opened no Preferences window:\n{stderr}"
    );
    assert!(
        !answer("about").is_empty(),
        "app.about opened no About window:\n{stderr}"
    );
    assert_eq!(
        answer("quit"),
        "0",
        "app.quit ends the app cleanly:\n{text}"
    );
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("WARNING") || l.contains("CRITICAL") || l.contains(" WARN "))
        .collect();
    assert!(warnings.is_empty(), "warnings: {warnings:#?}");
    assert!(!stderr.contains("pipeline(s)"), "{stderr}");
}
