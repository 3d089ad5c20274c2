//! Custom pipelines (`Player::open_pipeline`, `framescope --pipeline`):
//! headless engine tests with real pipelines (raw video through a caps
//! filter, audio only, an encoded pad the player decodes), the frame on
//! screen and statistics on them, a forward step, one sentence per fault,
//! and the command line (`--print-pipeline`, exit status 2 on a bad
//! description).

mod common;

use common::*;
use framescope::engine::{check_pipeline, ErrorKind, Player, PlayerState};
use std::time::Duration;

/// An H.264 encoder if one is installed, else VP8 (each with its parser).
fn encoder() -> &'static str {
    framescope::engine::init().unwrap();
    if gst::ElementFactory::find("x264enc").is_some() {
        "x264enc tune=zerolatency ! h264parse"
    } else {
        "vp8enc deadline=1"
    }
}

/// Opens `description` headless and plays it until it is playing with the
/// position past `past` seconds; returns the player and what it did.
fn play(description: &str, past: f64) -> (Player, std::rc::Rc<std::cell::RefCell<Outcome>>) {
    let player = Player::headless();
    let out = record(&player);
    player.open_pipeline(description);
    player.play();
    let reached = run_until(Duration::from_secs(20), || {
        let o = out.borrow();
        !o.errors.is_empty()
            || (player.state() == PlayerState::Playing && player.position() as f64 / 1e9 > past)
    });
    let o = out.borrow();
    assert!(o.errors.is_empty(), "{description}: {:?}", o.errors);
    assert!(
        reached,
        "{description}: not playing past {past} s (state {:?}, position {}, warnings {:?})",
        player.state(),
        player.position(),
        o.warnings
    );
    drop(o);
    (player, out)
}

/// Pauses and steps one frame forward; returns how far the frame on
/// screen moved (ns). The step comes as soon as the player says paused,
/// often before the pause's async-done is handled: it must still move one
/// frame, with no warning.
fn step_once(player: &Player, out: &std::rc::Rc<std::cell::RefCell<Outcome>>) -> i64 {
    player.pause();
    assert!(wait_settled(player));
    let before = player.frame_pts();
    let warnings = out.borrow().warnings.len();
    player.step(1);
    run_until(Duration::from_secs(5), || player.frame_pts() > before);
    assert!(wait_settled(player));
    assert!(
        player.frame_pts() > before && out.borrow().warnings.len() == warnings,
        "a step did not move from {before} or warned (state {:?}, frame {}, warnings {:?})",
        player.state(),
        player.frame_pts(),
        out.borrow().warnings
    );
    player.frame_pts() - before
}

#[test]
fn raw_video_plays_at_the_caps_filter_size_with_frames_and_stats() {
    with_context(|| {
        let description =
            "videotestsrc pattern=ball num-buffers=150 ! video/x-raw,width=640,height=360,framerate=30/1";
        assert!(check_pipeline(description).is_ok());
        let (player, out) = play(description, 1.0);
        let first = player.position();
        assert!(run_until(Duration::from_secs(5), || player.position()
            > first + 300_000_000));
        let size = player.video_size().expect("a video size");
        assert_eq!((size.width, size.height), (640, 360));
        assert!(player.has_video());
        assert!(!player.has_audio());
        assert_eq!(player.title().as_deref(), Some(description));
        assert!(player.uri().unwrap().starts_with("framescope-launch://"));
        // The frame on screen (what a snapshot saves) is the caps filter's size.
        let frame = player.current_frame().expect("a frame on screen");
        let info = gst_video::VideoInfo::from_caps(frame.caps().unwrap()).unwrap();
        assert_eq!((info.width(), info.height()), (640, 360));
        let texture = framescope::engine::texture_from_sample(&frame);
        assert!(texture.is_some(), "the frame converts to a texture");
        // Statistics count rendered frames.
        let stats = player.stats();
        assert!(stats.rendered > 20, "{stats:?}");
        assert!(stats.played_seconds > 0.8, "{stats:?}");
        // A forward step while paused moves one frame (1/30 s).
        let moved = step_once(&player, &out);
        assert!(
            (30_000_000..=40_000_000).contains(&moved),
            "a step moved {moved} ns"
        );
        // The screenshot key's export decodes the frame again from the
        // URI: a second run of the description, in this process.
        let uri = player.uri().unwrap();
        let shot = framescope::engine::snapshot(&uri, gst::ClockTime::from_mseconds(500), false)
            .expect("a snapshot of the custom pipeline");
        assert_eq!((shot.width, shot.height), (640, 360));
        assert_eq!(shot.pts, gst::ClockTime::from_mseconds(500));
        assert!(shot.png.starts_with(b"\x89PNG"));
        // 150 buffers at 30 fps: the end comes after 5 s.
        player.play();
        assert!(run_until(Duration::from_secs(15), || out.borrow().eos));
        assert!(out.borrow().errors.is_empty());
    });
}

#[test]
fn audio_only_description_plays() {
    with_context(|| {
        let (player, out) = play("audiotestsrc num-buffers=100 wave=ticks", 0.5);
        assert!(player.has_audio());
        assert!(!player.has_video());
        assert!(player.video_size().is_none());
        // 100 buffers of 1024 samples at 44.1 kHz: about 2.3 s.
        assert!(run_until(Duration::from_secs(10), || out.borrow().eos));
        assert!(out.borrow().max_position > 1_500_000_000);
    });
}

#[test]
fn encoded_pad_is_decoded() {
    with_context(|| {
        let description = format!(
            "videotestsrc num-buffers=90 ! video/x-raw,width=320,height=240,framerate=30/1 ! {}",
            encoder()
        );
        let (player, out) = play(&description, 0.5);
        let size = player.video_size().expect("a video size");
        assert_eq!((size.width, size.height), (320, 240));
        // A decoder ran: it fed the frame index.
        assert!(
            !player.frame_index().units().is_empty(),
            "no access units indexed"
        );
        let frame = player.current_frame().expect("a decoded frame");
        let info = gst_video::VideoInfo::from_caps(frame.caps().unwrap()).unwrap();
        assert_eq!(info.width(), 320);
        // A forward step while paused moves one frame (1/30 s).
        let moved = step_once(&player, &out);
        assert!(
            (30_000_000..=40_000_000).contains(&moved),
            "a step moved {moved} ns"
        );
        player.play();
        assert!(run_until(Duration::from_secs(15), || out.borrow().eos));
        assert!(player.stats().rendered > 30, "{:?}", player.stats());
    });
}

#[test]
fn video_and_audio_with_a_sometimes_pad_play_together() {
    with_context(|| {
        // decodebin's pads are sometimes pads nothing in the description links.
        let description = format!(
            "videotestsrc num-buffers=60 ! video/x-raw,width=320,height=180 ! {} ! decodebin  audiotestsrc num-buffers=60",
            encoder()
        );
        let (player, _out) = play(&description, 0.3);
        assert!(player.has_video());
        assert!(player.has_audio());
        let size = player.video_size().expect("a video size");
        assert_eq!((size.width, size.height), (320, 180));
    });
}

/// Each fault: the player's `error` (kind bad-pipeline, state `error`) and
/// `check_pipeline` give the same sentence, naming what and where.
#[test]
fn each_fault_is_one_sentence_naming_what_and_where() {
    let cases: &[(&str, &[&str])] = &[
        (
            "videotestsrc ! nosuchelement",
            &["“nosuchelement”", "character 16"],
        ),
        (
            "videotestsrc nosuchprop=3",
            &["“videotestsrc”", "“nosuchprop”", "character 14"],
        ),
        (
            "videotestsrc pattern=nonsense",
            &["“pattern”", "“nonsense”", "“videotestsrc”"],
        ),
        (
            "videotestsrc ! ! videoconvert",
            &["syntax error", "character 16"],
        ),
        (
            "videotestsrc ! videoconvert name=a ! ( ",
            &["empty bin", "character 38"],
        ),
        (
            "videotestsrc ! videoconvert name=a ! =x",
            &["syntax error", "character 38"],
        ),
        (
            "videotestsrc ! audio/x-raw ! audioconvert",
            &[
                "“videotestsrc” (character 1) cannot be linked to “audioconvert” (character 30)",
                "audio/x-raw",
            ],
        ),
        ("videotestsrc ! fakesink", &["no free output"]),
        ("   ", &["empty"]),
        // A password in the description is never repeated.
        (
            "souphttpsrc location=http://user:hunter2@127.0.0.1:9/a ! fakesink",
            &["no free output", "souphttpsrc"],
        ),
    ];
    with_context(|| {
        for (description, words) in cases {
            let checked = check_pipeline(description).expect_err(description);
            assert_eq!(checked.kind, ErrorKind::BadPipeline, "{description}");
            let player = Player::headless();
            let out = record(&player);
            player.open_pipeline(description);
            assert!(
                run_until(Duration::from_secs(5), || !out.borrow().errors.is_empty()),
                "{description}: no error"
            );
            assert_eq!(player.state(), PlayerState::Error, "{description}");
            let errors = &out.borrow().errors;
            assert_eq!(errors.len(), 1, "{description}: {errors:?}");
            let message = &errors[0].message;
            assert_eq!(message, &checked.message);
            assert_eq!(errors[0].kind, ErrorKind::BadPipeline);
            for word in *words {
                assert!(
                    message.contains(word),
                    "{description}: “{message}” lacks {word}"
                );
            }
            assert!(!message.contains("hunter2"), "{message}");
            // One sentence: a single line ending in a full stop.
            assert!(
                !message.contains('\n') && message.ends_with('.'),
                "{message}"
            );
        }
    });
}

/// A URI in the launch scheme that this process did not register (from a
/// playlist file, D-Bus, a drop) runs nothing.
#[test]
fn unregistered_launch_uri_runs_nothing() {
    with_context(|| {
        let player = Player::headless();
        let out = record(&player);
        player.open("framescope-launch://0123456789abcdef");
        player.play();
        assert!(run_until(Duration::from_secs(10), || !out
            .borrow()
            .errors
            .is_empty()));
        assert!(!player.has_video() && !player.has_audio());
    });
}

#[test]
fn command_line_prints_the_whole_pipeline() {
    let description = "videotestsrc pattern=ball ! video/x-raw,width=640,height=360";
    let child = framescope_headless()
        .args([
            "--pipeline",
            description,
            "--print-pipeline",
            "--video-path",
            "software",
        ])
        .spawn()
        .unwrap();
    let done = output_within(child, Duration::from_secs(30));
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert_eq!(
        done.status.and_then(|s| s.code()),
        Some(0),
        "{stdout} {}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(
        stdout.contains(&format!("source=\"{description}\"")),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "video-sink=\"framescopescale ! capsfilter caps=video/x-raw ! framescopesink\""
        ),
        "{stdout}"
    );
    assert!(stdout.starts_with("playbin"), "{stdout}");
}

#[test]
fn command_line_refuses_a_bad_description_with_status_2() {
    for (description, word) in [
        ("videotestsrc ! nosuchelement", "nosuchelement"),
        ("videotestsrc ! ! videoconvert", "character 16"),
    ] {
        for extra in [&[][..], &["--print-pipeline"]] {
            let child = framescope_headless()
                .arg("--pipeline")
                .arg(description)
                .args(extra)
                .spawn()
                .unwrap();
            let done = output_within(child, Duration::from_secs(30));
            let stderr = String::from_utf8_lossy(&done.stderr);
            assert_eq!(
                done.status.and_then(|s| s.code()),
                Some(2),
                "{description}: {stderr}"
            );
            assert!(stderr.contains(word), "{description}: {stderr}");
            assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
            assert!(done.stdout.is_empty());
        }
    }
}

#[test]
fn live_description_plays_and_cannot_seek() {
    with_context(|| {
        let (player, _out) = play(
            "videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1",
            0.5,
        );
        assert!(!player.seekable());
        let size = player.video_size().expect("a video size");
        assert_eq!((size.width, size.height), (320, 240));
        let before = player.position();
        assert!(run_until(Duration::from_secs(5), || player.position()
            > before + 300_000_000));
    });
}

/// The app plays a custom pipeline to its end on both video paths (the
/// `gtk4paintablesink` chains files use), in a window on the tests'
/// display, and reports its frames in `--stats-json`.
#[test]
fn app_plays_a_custom_pipeline_on_both_video_paths() {
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    for path in ["software", "gl"] {
        let json = tmp.join(format!("custom-pipeline-{path}.json"));
        let _ = std::fs::remove_file(&json);
        let _ = std::fs::remove_file(tmp.join("custom-pipeline-state/framescope/positions.json"));
        let child = framescope_headless()
            .env("DISPLAY", ensure_display())
            .env("XDG_CACHE_HOME", tmp.join("cache"))
            .env("XDG_STATE_HOME", tmp.join("custom-pipeline-state"))
            .args([
                "--pipeline",
                "videotestsrc num-buffers=60 ! video/x-raw,width=640,height=360,framerate=30/1",
                "--exit-at-end",
                "--video-path",
                path,
                "--stats-json",
                json.to_str().unwrap(),
            ])
            .spawn()
            .unwrap();
        let done = output_within(child, Duration::from_secs(60));
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(
            done.status.and_then(|s| s.code()),
            Some(0),
            "{path}: {stderr}"
        );
        let stats: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(stats["video_path"], path, "{stats}");
        // 60 frames at 30 fps.
        let rendered = stats["rendered"].as_u64().unwrap();
        let dropped = stats["dropped"].as_u64().unwrap();
        assert!(
            rendered >= 40 && rendered + dropped >= 55,
            "{path}: {stats}"
        );
        assert!(
            stats["played_seconds"].as_f64().unwrap() > 1.5,
            "{path}: {stats}"
        );
        // Its URI, meaningless after this run, is not remembered.
        let positions =
            std::fs::read_to_string(tmp.join("custom-pipeline-state/framescope/positions.json"))
                .unwrap_or_default();
        assert!(!positions.contains("framescope-launch"), "{positions}");
    }
}

/// Letting go of a custom pipeline at any moment (opening, playing,
/// stepping backward, which decodes a copy) stops and frees it on the
/// reaper within seconds.
#[test]
fn custom_pipelines_let_go_at_any_moment_are_freed() {
    let description = format!(
        "videotestsrc num-buffers=60 ! {}  audiotestsrc num-buffers=60",
        encoder()
    );
    with_context(|| {
        for round in 0..12u64 {
            let player = Player::headless();
            player.open_pipeline(&description);
            player.play();
            let wait = Duration::from_millis(round * 70);
            run_until(wait, || false);
            if round % 3 == 2 {
                player.pause();
                player.step(-1);
                run_until(Duration::from_millis(150), || false);
            }
            player.stop();
            drop(player);
            assert!(
                run_until(Duration::from_secs(12), || {
                    framescope::engine::pending_shutdowns() == 0
                }),
                "round {round}: a pipeline still stopping after 12 s"
            );
        }
    });
}
