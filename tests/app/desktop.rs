//! The app as a desktop application: resume positions, the preferences
//! file and window, the Sign In dialog for a server asking for credentials,
//! and the libadwaita window in the dark style with its dialogs.

use super::*;

/// Quitting in the middle of a file remembers where it was left (written
/// when the process is told to end); opening it again resumes there, and
/// playing it to the end forgets the position (next time starts at 0).
pub fn reopening_a_file_resumes_where_it_was_left() {
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

/// A hand-edited preferences file is honoured (subtitles off, a remembered
/// volume of 0.3), Ctrl+, opens the Preferences window, and the volume the
/// player is left at is written back for next time.
pub fn preferences_file_applies_and_remembers_the_volume() {
    let _display = own_the_display();
    let config = tempfile::tempdir().unwrap();
    let file = config.path().join("framescope/preferences.toml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        "subtitles = false\nvolume = 0.3\nremember_volume = true\nseek_step = 10\n",
    )
    .unwrap();
    let json = new_report("prefs.json");
    let mut child = start_quiet(
        framescope_command()
            .args(["--window-size", "480x320", "--no-resume", "--stats-json"])
            .arg(&json)
            .arg(two_language_mkv())
            .env("XDG_CONFIG_HOME", config.path()),
    );
    let pid = child.id();
    in_main_window(&mut child, |child| {
        std::thread::sleep(Duration::from_millis(1500));
        // Down lowers the volume a step: 0.3 -> 0.25.
        xdotool(&["key", "Down"]);
        xdotool(&["key", "ctrl+comma"]);
        assert!(
            !find_window(Some(pid), "^Preferences$", Duration::from_secs(10)).is_empty(),
            "Ctrl+, opened no Preferences window"
        );
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

/// A server that asks for credentials: the app shows a Sign In dialog, the
/// user name and password typed there (real keys) open the stream, and
/// the password appears in no output.
pub fn a_refused_stream_asks_for_credentials_and_plays_with_them() {
    let _display = own_the_display();
    let clip = clip("h264_aac.mp4");
    let server = common::http::HttpServer::files(clip.parent().unwrap())
        .credentials("viewer", "typed-secret")
        .start();
    let json = new_report("credentials.json");
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
        let dialog = find_window(None, "^Sign In$", Duration::from_secs(15));
        assert!(!dialog.is_empty(), "no Sign In dialog appeared");
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

/// The app is a libadwaita application: its main window is an
/// `AdwApplicationWindow` in the dark style (said in the log and seen in the
/// header bar's pixels), and the Preferences and About windows open through
/// their application actions (called over D-Bus, as the desktop or a menu
/// would) without a warning on stderr. Runs on a private session bus, where
/// the app is the single instance exporting `org.gtk.Actions`.
pub fn adwaita_window_is_dark_and_its_dialogs_open_without_warnings() {
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
