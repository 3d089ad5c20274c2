//! Keys pressed in the running app's window (xdotool): the screenshot key,
//! Ctrl+I (the inspector), the track keys, Ctrl+arrows through the queue and
//! End to a live stream's live edge.

use super::*;

pub fn screenshot_key_saves_the_exact_frame_on_screen() {
    let _display = own_the_display();
    let clip = app_numbered_clip();
    let path = clip.path();
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_quiet(
        framescope_command()
            .args(["--window-size", "640x480", "--mute", "--screenshot-dir"])
            .arg(dir.path())
            .arg(&path),
    );
    in_main_window(&mut child, |_| {
        std::thread::sleep(Duration::from_millis(800));
        // Pause, step two frames, save.
        press(&["space", "period", "period"], Duration::from_millis(300));
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
pub fn ctrl_i_opens_the_inspector() {
    let _display = own_the_display();
    let path = clip("h264_aac.mp4");
    let mut child = start_quiet(
        framescope_command()
            .args(["--window-size", "640x480", "--mute", "--loop"])
            .arg(&path),
    );
    let pid = child.id();
    let result = std::panic::catch_unwind(|| {
        let window = find_window(Some(pid), "Framescope", Duration::from_secs(15));
        assert!(!window.is_empty(), "the main window did not appear");
        xdotool(&["windowfocus", "--sync", &window]);
        std::thread::sleep(Duration::from_millis(800));
        xdotool(&["key", "ctrl+i"]);
        assert!(
            !find_window(Some(pid), "Inspector", Duration::from_secs(10)).is_empty(),
            "Ctrl+I opened no inspector"
        );
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

/// Keys B (next audio track) and V (next subtitle track, then off) on a
/// clip with two of each: the tracks playing at exit say they worked.
pub fn track_keys_switch_audio_and_subtitles() {
    let _display = own_the_display();
    let clip = two_language_mkv();
    let json = new_report("tracks.json");
    let mut child = start_quiet(
        framescope_command()
            .args(["--window-size", "480x320", "--no-resume", "--stats-json"])
            .arg(&json)
            .arg(&clip),
    );
    in_main_window(&mut child, |child| {
        std::thread::sleep(Duration::from_millis(1500));
        press(&["b", "v", "v"], Duration::from_millis(400));
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

/// Ctrl+Right goes on to the next item of the queue, Ctrl+Left back; a
/// looping queue goes round both ways.
pub fn ctrl_arrows_move_through_the_queue() {
    let _display = own_the_display();
    let json = new_report("queue-keys.json");
    let first = clip("h264_aac.mp4");
    let second = clip("vp9_opus.webm");
    let mut child = start_quiet(
        framescope_command()
            .args([
                "--window-size",
                "480x320",
                "--no-resume",
                "--loop",
                "--stats-json",
            ])
            .arg(&json)
            .args([&first, &second]),
    );
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

/// A live HLS stream (a live camera-like source written as one-second
/// segments in real time, the playlist keeping the last five, for as long
/// as the test runs): paused with Space for 4 s, playback falls behind the
/// live edge; End jumps back to it, as the distance to the live edge at
/// exit shows.
pub fn end_key_goes_to_the_live_edge() {
    let _display = own_the_display();
    framescope::engine::init().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Live and endless: a finite clip would end the playlist (ENDLIST)
    // before the runs are over.
    let (sender, playlist) = live_hls_sender(
        &format!("{} ! h264parse", live_h264(320, 240, 30, 30)),
        dir.path(),
    );
    let segments = || hls_segments(&playlist);
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
        let json = new_report(format!("live_edge_{press_end}.json"));
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
    drop(sender);
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
