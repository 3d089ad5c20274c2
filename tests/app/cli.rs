//! Command lines run to the end: the demo clip on both video paths with
//! `--stats-json`, `--start`, `--rate`, `--mute`, a queue of inputs, `--sub`,
//! `--print-pipeline`, and bad command lines and bad inputs.

use super::*;

pub fn demo_clip_plays_to_the_end_on_both_paths() {
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
        // The first frame came after the start and before most of the run.
        let first = s["first_frame_s"].as_f64().unwrap();
        assert!(
            first > 0.0 && first < took.as_secs_f64() - 5.0,
            "{path}: first frame at {first} s of a {took:?} run"
        );
        assert!(took < Duration::from_secs(30), "{path}: took {took:?}");
        assert!(s["uri"].as_str().unwrap().ends_with(".webm"));
    }
}

pub fn start_rate_and_mute_options_apply() {
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
pub fn several_inputs_play_in_order() {
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

pub fn print_pipeline_describes_without_playing() {
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
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("video-sink=\"framescopescale ! capsfilter caps=video/x-raw ! framescopesink\""));
}

pub fn bad_command_lines_exit_2() {
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

pub fn bad_inputs_exit_1_with_one_sentence() {
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

/// `--sub FILE` (twice) adds two external subtitle files to the first
/// item: both are listed, the last is loaded, and its track is the one
/// playing at the end.
pub fn sub_option_adds_external_subtitle_files() {
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

/// Where no GPU device exists (a virtual machine, a container, CI), GL can
/// only be a software rasteriser, and the app on its default path keeps GL
/// out of its process: neither LLVM nor the Mesa driver is loaded (about
/// 70 MB resident, `widget::prefer_cheap_drawing`). With `--video-path gl` both are
/// (which shows the check can fail).
pub fn software_rasteriser_keeps_gl_out_of_the_app() {
    let gpu = std::fs::read_dir("/dev/dri").is_ok_and(|d| d.count() > 0)
        || Path::new("/dev/nvidiactl").exists();
    if gpu {
        println!("SKIPPED: this machine has a GPU device; the app keeps GL there");
        return;
    }
    let gl_libraries = |extra: &[&str]| {
        let _display = own_the_display();
        let mut command = framescope_command();
        command
            .args(["--no-resume", "--exit-at-end", "--mute"])
            .args(extra);
        gl_libraries_while_playing(command, &format!("framescope {extra:?}"))
    };
    assert_gl_only_on_the_gl_path(gl_libraries);
}

/// The window icon and the loading spinner are drawn without the SVG
/// renderer: loading it (GdkPixbuf's SVG loader, librsvg, libxml2) for
/// them cost about 8 MB of resident memory for the whole session
/// (bench/RESULTS.md, "The spinner's 9 MB"). Both loaded it before: the
/// window icon when the window is realized, the theme's spinner at the
/// first frame while the clip loads. The controls' icons come from the
/// theme, so this holds where the theme has them as PNG (Adwaita on
/// Debian does).
pub fn the_window_draws_no_svg() {
    let theme_png = Path::new(
        "/usr/share/icons/Adwaita/16x16/actions/media-playback-start-symbolic.symbolic.png",
    );
    if !theme_png.exists() {
        println!(
            "SKIPPED: the icon theme has no PNG control icons here ({} is missing)",
            theme_png.display()
        );
        return;
    }
    let _display = own_the_display();
    let mut child = framescope_command()
        .args(["--no-resume", "--exit-at-end", "--mute"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the framescope binary runs");
    std::thread::sleep(Duration::from_secs(3));
    let maps = std::fs::read_to_string(format!("/proc/{}/maps", child.id())).unwrap_or_default();
    let status = child.wait().expect("the app ends");
    assert!(status.success(), "{status:?}");
    assert!(
        maps.contains("libgtk-4"),
        "premise: the app's map was read while it ran"
    );
    let svg: Vec<&str> = maps
        .lines()
        .filter(|l| l.contains("pixbufloader-svg"))
        .collect();
    assert!(svg.is_empty(), "the SVG loader was loaded: {svg:?}");
}
