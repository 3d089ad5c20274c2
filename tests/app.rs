//! End-to-end tests of the `framescope` executable under X (Xvfb when no
//! display is set): the demo clip and generated clips play to the end on both
//! video paths, `--stats-json` reports real numbers, and every bad input ends
//! in one clear sentence on stderr with exit code 1 within seconds.
//!
//! The tests live in `tests/app/`, one module per kind; this root holds
//! the helpers they share (starting the app, its main window, xdotool)
//! and names every test.

#[path = "app/cli.rs"]
mod cli;
mod common;
#[path = "app/desktop.rs"]
mod desktop;
#[path = "app/keys.rs"]
mod keys;
#[path = "app/kiosk.rs"]
mod kiosk;

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

/// A `--stats-json` path in the target folder, with no report there yet.
fn new_report(name: impl AsRef<Path>) -> std::path::PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_file(&path);
    path
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

/// The id of `child`'s main window, waiting up to 20 s for it to show
/// (empty when it never does).
fn main_window(child: &std::process::Child) -> String {
    find_window(Some(child.id()), "Framescope", Duration::from_secs(20))
}

/// The id of the last visible window whose name matches `name` (of
/// process `pid`, or of any), waiting up to `within` for it to show (empty
/// when it never does). A search can fail while another test's window is
/// going away, so it is repeated rather than left to `--sync`.
fn find_window(pid: Option<u32>, name: &str, within: Duration) -> String {
    let pid = pid.map(|p| p.to_string());
    let mut args = vec!["search", "--onlyvisible"];
    if let Some(pid) = &pid {
        args.extend(["--pid", pid]);
    }
    args.extend(["--name", name]);
    let deadline = Instant::now() + within;
    loop {
        let found = xdotool(&args);
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

/// Runs xdotool against the test display.
fn xdotool(args: &[&str]) -> std::process::Output {
    Command::new("xdotool")
        .args(args)
        .env("DISPLAY", ensure_display())
        .output()
        .expect("xdotool runs (scripts/setup.sh test installs it)")
}

/// Starts `command` with its output thrown away.
fn start_quiet(command: &mut Command) -> std::process::Child {
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the framescope binary starts")
}

/// Presses `keys` in turn in the focused window, waiting `gap` after each.
fn press(keys: &[&str], gap: Duration) {
    for key in keys {
        xdotool(&["key", key]);
        std::thread::sleep(gap);
    }
}

// The tests, each in the module of its kind (above); the names stay the
// ones `cargo test --test app -- NAME` has always matched.
#[test]
fn demo_clip_plays_to_the_end_on_both_paths() {
    cli::demo_clip_plays_to_the_end_on_both_paths()
}

#[test]
fn software_rasteriser_keeps_gl_out_of_the_app() {
    cli::software_rasteriser_keeps_gl_out_of_the_app()
}

#[test]
fn the_window_draws_no_svg() {
    cli::the_window_draws_no_svg()
}

#[test]
fn start_rate_and_mute_options_apply() {
    cli::start_rate_and_mute_options_apply()
}

#[test]
fn several_inputs_play_in_order() {
    cli::several_inputs_play_in_order()
}

#[test]
fn print_pipeline_describes_without_playing() {
    cli::print_pipeline_describes_without_playing()
}

#[test]
fn bad_command_lines_exit_2() {
    cli::bad_command_lines_exit_2()
}

#[test]
fn bad_inputs_exit_1_with_one_sentence() {
    cli::bad_inputs_exit_1_with_one_sentence()
}

#[test]
fn screenshot_key_saves_the_exact_frame_on_screen() {
    keys::screenshot_key_saves_the_exact_frame_on_screen()
}

#[test]
fn ctrl_i_opens_the_inspector() {
    keys::ctrl_i_opens_the_inspector()
}

#[test]
fn kiosk_locks_input_loops_and_quits_on_its_chord() {
    kiosk::kiosk_locks_input_loops_and_quits_on_its_chord()
}

#[test]
fn kiosk_list_moves_past_a_dead_item() {
    kiosk::kiosk_list_moves_past_a_dead_item()
}

#[test]
fn reopening_a_file_resumes_where_it_was_left() {
    desktop::reopening_a_file_resumes_where_it_was_left()
}

#[test]
fn track_keys_switch_audio_and_subtitles() {
    keys::track_keys_switch_audio_and_subtitles()
}

#[test]
fn sub_option_adds_external_subtitle_files() {
    cli::sub_option_adds_external_subtitle_files()
}

#[test]
fn preferences_file_applies_and_remembers_the_volume() {
    desktop::preferences_file_applies_and_remembers_the_volume()
}

#[test]
fn ctrl_arrows_move_through_the_queue() {
    keys::ctrl_arrows_move_through_the_queue()
}

#[test]
fn a_refused_stream_asks_for_credentials_and_plays_with_them() {
    desktop::a_refused_stream_asks_for_credentials_and_plays_with_them()
}

#[test]
fn end_key_goes_to_the_live_edge() {
    keys::end_key_goes_to_the_live_edge()
}

#[test]
fn adwaita_window_is_dark_and_its_dialogs_open_without_warnings() {
    desktop::adwaita_window_is_dark_and_its_dialogs_open_without_warnings()
}
