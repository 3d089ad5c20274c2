//! MPRIS 2 on a private session bus (`dbus-run-session`): the app, started
//! on a clip inside that session, answers `gdbus` calls as the desktop's
//! media keys and widgets would make them — PlayPause pauses and resumes,
//! Seek moves the position, Metadata names the clip with its length, Volume
//! can be set, and Quit ends the app cleanly.

mod common;

use common::*;
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

/// The shell lines that wait for the app's MPRIS name (in `$name`, the
/// app's pid in `$app`) and define `get PROPERTY` and `call METHOD ARGS`.
const FIND_PLAYER: &str = r#"app=$!
name=""
for _ in $(seq 100); do
  name=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.ListNames | grep -o "org.mpris.MediaPlayer2.framescope[a-z0-9.]*" | head -n1)
  [ -n "$name" ] && break
  sleep 0.1
done
get() { gdbus call --session --dest "$name" --object-path /org/mpris/MediaPlayer2 \
  --method org.freedesktop.DBus.Properties.Get org.mpris.MediaPlayer2.Player "$1"; }
call() { gdbus call --session --dest "$name" --object-path /org/mpris/MediaPlayer2 \
  --method "org.mpris.MediaPlayer2.$@"; }"#;

/// The shell lines that quit the app over MPRIS and print `quit=` its exit
/// code (or `still running` after 10 s).
const QUIT_PLAYER: &str = r#"call Quit >/dev/null
for _ in $(seq 100); do kill -0 $app 2>/dev/null || break; sleep 0.1; done
if kill -0 $app 2>/dev/null; then echo "quit=still running"; kill $app; else wait $app; echo "quit=$?"; fi"#;

/// Runs the bash `script` on a private session bus and returns what it
/// printed. `FIND_PLAYER` and `QUIT_PLAYER` in it stand for those lines;
/// `$FRAMESCOPE` is the app, `vars` are more environment variables, and
/// `config` names the test's own configuration folder (see
/// [`private_config`]), if it wants one.
fn on_private_bus(
    script: &str,
    vars: &[(&str, &OsStr)],
    config: Option<&str>,
) -> std::process::Output {
    let script = script
        .replace("FIND_PLAYER", FIND_PLAYER)
        .replace("QUIT_PLAYER", QUIT_PLAYER);
    // A runtime folder of its own: the AT-SPI bus this session starts puts
    // its socket there, named after the display, and the tests share one
    // display (with one folder, a parallel test's app can end up on this
    // session's accessibility bus and lose it when that test ends).
    let runtime = tempfile::tempdir().expect("a runtime folder");
    let mut command = Command::new("dbus-run-session");
    command
        .args(["--", "bash", "-c", &script])
        .env("FRAMESCOPE", env!("CARGO_BIN_EXE_framescope"))
        .envs(vars.iter().copied())
        .env("DISPLAY", ensure_display())
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env(
            "XDG_CACHE_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"),
        );
    if let Some(config) = config {
        command.env("XDG_CONFIG_HOME", private_config(config));
    }
    command
        .output()
        .expect("dbus-run-session runs (scripts/setup.sh test installs dbus-daemon)")
}

/// An empty configuration folder for one test (settings such as the
/// remembered volume must not carry over from another test).
fn private_config(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mpris-config-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a configuration folder");
    dir
}

/// The value the script printed as `key=value`.
fn answer_in(out: &std::process::Output, key: &str) -> String {
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| {
            panic!(
                "no {key} in:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .to_string()
}

#[test]
fn media_keys_and_widgets_drive_the_player_over_mpris() {
    let clip = ten_seconds_small();
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mpris.log");
    // Inside the private bus: start the app, find its MPRIS name, drive it,
    // and print each answer on its own line for the checks below.
    let script = r#"
set -u
"$FRAMESCOPE" --no-resume --window-size 320x240 "$CLIP" 2>"$LOG" &
FIND_PLAYER
echo "name=$name"
sleep 2
echo "status1=$(get PlaybackStatus)"
call Player.PlayPause >/dev/null
sleep 1
echo "status2=$(get PlaybackStatus)"
echo "position1=$(get Position)"
call Player.Seek 3000000 >/dev/null
sleep 1.5
echo "position2=$(get Position)"
echo "metadata=$(get Metadata)"
gdbus call --session --dest "$name" --object-path /org/mpris/MediaPlayer2 \
  --method org.freedesktop.DBus.Properties.Set org.mpris.MediaPlayer2.Player Volume '<0.25>' >/dev/null
echo "volume=$(get Volume)"
call Player.PlayPause >/dev/null
sleep 1
echo "status3=$(get PlaybackStatus)"
echo "identity=$(gdbus call --session --dest "$name" --object-path /org/mpris/MediaPlayer2 \
  --method org.freedesktop.DBus.Properties.Get org.mpris.MediaPlayer2 Identity)"
QUIT_PLAYER
"#;
    let out = on_private_bus(
        script,
        &[("CLIP", clip.as_os_str()), ("LOG", log.as_os_str())],
        Some("0"),
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let answer = |key: &str| answer_in(&out, key);
    // gdbus prints "(<int64 1234>,)": the number inside.
    let number = |key: &str| -> f64 {
        let a = answer(key);
        a.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .rfind(|p| !p.is_empty() && *p != "-" && *p != "." && p.parse::<f64>().is_ok())
            .and_then(|p| p.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("{key}: {a}"))
    };
    assert!(
        answer("name").starts_with("org.mpris.MediaPlayer2.framescope.instance"),
        "{text}"
    );
    assert!(answer("status1").contains("'Playing'"), "{text}");
    assert!(answer("status2").contains("'Paused'"), "{text}");
    let before = number("position1") / 1e6;
    let after = number("position2") / 1e6;
    assert!(
        (after - before - 3.0).abs() < 0.3,
        "Seek +3 s went from {before} s to {after} s"
    );
    let metadata = answer("metadata");
    assert!(metadata.contains("mpris_ten_seconds.mp4"), "{metadata}");
    assert!(
        metadata.contains("'mpris:length': <int64 10000000>"),
        "{metadata}"
    );
    assert!(metadata.contains("'mpris:trackid'"), "{metadata}");
    assert!((number("volume") - 0.25).abs() < 1e-6, "{text}");
    assert!(answer("status3").contains("'Playing'"), "{text}");
    assert!(answer("identity").contains("'Framescope'"), "{text}");
    assert_eq!(answer("quit"), "0", "Quit ends the app cleanly:\n{text}");
}

/// Single instance, on a private session bus: a second `framescope FILE`
/// (a path relative to its own folder) hands the file to the running
/// window's queue and exits 0 saying so; `--replace` plays its file there at
/// once; `--new-instance` runs a window of its own. What the running window
/// plays is read back over MPRIS.
#[test]
fn a_second_run_hands_its_files_to_the_running_window() {
    let first = ten_seconds_small();
    let second = clip("vp9_opus.webm");
    let third = clip("h264_aac.mp4");
    let folder = second
        .parent()
        .expect("clips live in a folder")
        .to_path_buf();
    let stats_file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("single-instance.json");
    let _ = std::fs::remove_file(&stats_file);
    let script = r#"
set -u
"$FRAMESCOPE" --no-resume --window-size 320x240 "$FIRST" 2>"$LOG" &
FIND_PLAYER
sleep 1
echo "cannext1=$(get CanGoNext)"
cd "$FOLDER"
out=$("$FRAMESCOPE" "$SECOND_NAME"); echo "added=$out rc=$?"
echo "cannext2=$(get CanGoNext)"
echo "stillfirst=$(get Metadata)"
call Player.Next >/dev/null
sleep 1
echo "next=$(get Metadata)"
out=$("$FRAMESCOPE" --replace "$THIRD"); echo "replaced=$out rc=$?"
sleep 1
echo "third=$(get Metadata)"
"$FRAMESCOPE" --new-instance --exit-at-end --no-resume --window-size 160x120 --stats-json "$STATS" "$SECOND_NAME"
echo "own=$?"
echo "apps=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.ListNames | grep -o "org.mpris.MediaPlayer2.framescope[a-z0-9.]*" | wc -l)"
QUIT_PLAYER
"#;
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("single-instance.log");
    let out = on_private_bus(
        script,
        &[
            ("FIRST", first.as_os_str()),
            ("FOLDER", folder.as_os_str()),
            ("SECOND_NAME", second.file_name().unwrap()),
            ("THIRD", third.as_os_str()),
            ("STATS", stats_file.as_os_str()),
            ("LOG", log.as_os_str()),
        ],
        Some("1"),
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let answer = |key: &str| answer_in(&out, key);
    assert!(answer("cannext1").contains("false"), "{text}");
    let added = answer("added");
    assert!(
        added.contains("added 1 item to the queue") && added.ends_with("rc=0"),
        "{text}"
    );
    assert!(answer("cannext2").contains("true"), "{text}");
    assert!(
        answer("stillfirst").contains("mpris_ten_seconds.mp4"),
        "adding to the queue must not interrupt: {text}"
    );
    assert!(answer("next").contains("vp9_opus.webm"), "{text}");
    let replaced = answer("replaced");
    assert!(
        replaced.contains("in place of its queue") && replaced.ends_with("rc=0"),
        "{text}"
    );
    assert!(answer("third").contains("h264_aac.mp4"), "{text}");
    assert_eq!(answer("own"), "0", "{text}");
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats_file).expect("own window's stats"))
            .expect("stats are JSON");
    assert_eq!(stats["items_played"], 1, "{stats}");
    assert_eq!(answer("quit"), "0", "{text}");
}

/// The Quality menu's action (`app.variant`, what its items activate),
/// driven over the app's exported actions on a private session bus while
/// a two-variant stream plays from 127.0.0.1: HLS and DASH each play the
/// variant chosen (the low one, which the demuxer would not pick on
/// loopback), and the action's state and the exit report say so.
#[test]
fn quality_choice_plays_the_chosen_variant() {
    let dir = generated_variant_dash();
    let server = common::http::HttpServer::files(&dir).start();
    for manifest in ["master.m3u8", "dash.mpd"] {
        let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("quality_{manifest}.json"));
        let _ = std::fs::remove_file(&json);
        // The app crashed with SIGSEGV in its first 3 s here twice in full
        // CI runs (never in a hundred runs of this test alone): a crash
        // prints `crashN=` lines with the backtrace from its core (gdb),
        // and the app is started once more; a second crash fails the test.
        let script = r#"
set -u
ulimit -c unlimited 2>/dev/null || true
cd "$CORES"
for attempt in 1 2; do
  rm -f core core.*
  "$FRAMESCOPE" --no-resume --loop --window-size 320x240 --stats-json "$JSON" "$URL" 2>>"$LOG" &
FIND_PLAYER
  sleep 3
  kill -0 $app 2>/dev/null && break
  wait $app; status=$?
  echo "crash$attempt=exit status $status"
  for core in core core.*; do
    [ -e "$core" ] || continue
    gdb -batch -ex bt "$FRAMESCOPE" "$core" 2>/dev/null | grep '^#' | head -30 | sed "s/^/crash$attempt bt: /"
  done
  rm -f core core.*
  [ "$status" -ge 128 ] || break
done
# --stats-json runs a separate instance, owning no application name: its
# actions are on its own connection, the one owning its MPRIS name.
owner=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.GetNameOwner "$name" | grep -o ":[0-9.]*")
actions() { gdbus call --session --dest "$owner" \
  --object-path /org/framescope/Framescope --method "org.gtk.Actions.$@"; }
echo "before=$(actions Describe variant 2>&1)"
actions Activate variant '[<0>]' '{}' >/dev/null
sleep 4
echo "after=$(actions Describe variant 2>&1)"
call Quit >/dev/null
for _ in $(seq 100); do kill -0 $app 2>/dev/null || break; sleep 0.1; done
kill $app 2>/dev/null || true
"#;
        let log = json.with_extension("log");
        let _ = std::fs::remove_file(&log);
        let cores = tempfile::tempdir().expect("a folder for core files");
        let url = server.url(manifest);
        let out = on_private_bus(
            script,
            &[
                ("URL", OsStr::new(&url)),
                ("JSON", json.as_os_str()),
                ("LOG", log.as_os_str()),
                ("CORES", cores.path().as_os_str()),
            ],
            None,
        );
        let crashes: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("crash"))
            .map(str::to_string)
            .collect();
        for line in &crashes {
            println!("    {manifest}: the app crashed: {line}");
        }
        let before = answer_in(&out, "before");
        let after = answer_in(&out, "after");
        println!("    {manifest}: state {before} then {after}");
        let app_log = || std::fs::read_to_string(&log).unwrap_or_default();
        assert!(
            before.contains("<-1>"),
            "automatic at first: {before}; crashes: {crashes:?}; app log: {}",
            app_log()
        );
        assert!(after.contains("<0>"), "the action's state follows: {after}");
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap_or_else(|e| {
                panic!(
                    "no report {} ({e}); app log: {}",
                    json.display(),
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            }))
            .unwrap();
        println!("    {manifest}: {report}");
        assert_eq!(report["chosen_variant"], 0, "{manifest}: {report}");
        assert_eq!(report["video_height"], 240, "{manifest}: {report}");
        assert_eq!(
            report["error"],
            serde_json::Value::Null,
            "{manifest}: {report}"
        );
    }
}

/// Values no MPRIS client should send, sent anyway (issue 14): a Volume of
/// NaN is refused with a D-Bus error, ±infinity and out-of-range volumes
/// are brought into 0..1 (the spec's rule for negatives), Seek and
/// SetPosition by ±i64::MAX µs — also at once after start, while the length
/// may still be unknown — never crash the app: it still answers and quits
/// with 0.
#[test]
fn values_no_client_should_send_are_refused_or_clamped() {
    let clip = ten_seconds_small();
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mpris-extremes.log");
    let script = r#"
set -u
"$FRAMESCOPE" --new-instance --no-resume --window-size 320x240 "$CLIP" 2>"$LOG" &
FIND_PLAYER
set_volume() { gdbus call --session --dest "$name" --object-path /org/mpris/MediaPlayer2 \
  --method org.freedesktop.DBus.Properties.Set org.mpris.MediaPlayer2.Player Volume "<$1>" 2>&1; }
set_rate() { gdbus call --session --dest "$name" --object-path /org/mpris/MediaPlayer2 \
  --method org.freedesktop.DBus.Properties.Set org.mpris.MediaPlayer2.Player Rate "<$1>" 2>&1; }
track=/org/framescope/track/0
# At once: the length may not be known yet.
call Player.Seek 9223372036854775807 >/dev/null 2>&1
call Player.SetPosition $track 9223372036854775807 >/dev/null 2>&1
call Player.Seek -- -9223372036854775808 >/dev/null 2>&1
sleep 2
echo "early=$(get PlaybackStatus)"
echo "nan=$(set_volume nan)"
echo "volume1=$(get Volume)"
set_volume inf >/dev/null; echo "volume2=$(get Volume)"
set_volume -1.0 >/dev/null; echo "volume3=$(get Volume)"
set_volume 1.5 >/dev/null; echo "volume4=$(get Volume)"
echo "rate=$(set_rate nan)"
echo "rate2=$(get Rate)"
echo "seek1=$(call Player.Seek 9223372036854775807 2>&1)"
echo "seek2=$(call Player.Seek -- -9223372036854775808 2>&1)"
echo "set1=$(call Player.SetPosition $track 9223372036854775807 2>&1)"
echo "set2=$(call Player.SetPosition $track -- -9223372036854775808 2>&1)"
sleep 1
echo "late=$(get PlaybackStatus)"
QUIT_PLAYER
"#;
    let out = on_private_bus(
        script,
        &[("CLIP", clip.as_os_str()), ("LOG", log.as_os_str())],
        Some("2"),
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let answer = |key: &str| answer_in(&out, key);
    assert!(answer("early").contains("'Playing'"), "{text}\n{stderr}");
    assert!(answer("nan").contains("Error"), "NaN volume taken: {text}");
    assert!(answer("volume1").contains("<1.0>"), "{text}");
    assert!(answer("volume2").contains("<1.0>"), "{text}");
    assert!(answer("volume3").contains("<0.0>"), "{text}");
    assert!(answer("volume4").contains("<1.0>"), "{text}");
    assert!(answer("rate").contains("Error"), "NaN rate taken: {text}");
    assert!(answer("rate2").contains("<1.0>"), "{text}");
    assert!(answer("late").contains("'"), "{text}\n{stderr}");
    assert_eq!(answer("quit"), "0", "{text}\n{stderr}");
}
