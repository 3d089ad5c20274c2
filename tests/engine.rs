//! Engine tests, headless: real `playbin3` pipelines on media the tests
//! generate, plus every bad-input case and its error kind.

mod common;

use common::*;
use framescope::engine::{ErrorKind, Player, PlayerState};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[test]
fn generated_clips_play_to_eos_with_right_duration_and_position() {
    for c in clips() {
        let path = clip(c.name);
        with_context(|| {
            let (player, out) = play_headless(&path, Duration::from_secs(20));
            let out = out.borrow();
            assert!(out.errors.is_empty(), "{}: {:?}", c.name, out.errors);
            assert!(out.eos, "{}: no end of stream", c.name);
            let duration = player.duration() as f64 / 1e9;
            assert!(
                (duration - c.seconds).abs() < 0.1,
                "{}: duration {duration}",
                c.name
            );
            let reached = out.max_position as f64 / 1e9;
            assert!(
                reached > c.seconds - 0.15,
                "{}: position only reached {reached}",
                c.name
            );
            assert_eq!(player.has_video(), c.video, "{}: has-video", c.name);
            assert_eq!(player.has_audio(), c.audio, "{}: has-audio", c.name);
            assert!(
                out.states.contains(&PlayerState::Playing),
                "{}: {:?}",
                c.name,
                out.states
            );
            assert!(player.seekable(), "{}", c.name);
            // Headless playback runs in real time on the pipeline clock.
            let played = player.stats().played_seconds;
            assert!(played > c.seconds * 0.8, "{}: played {played}s", c.name);
        });
    }
}

/// GTK's first GL frame can block the main loop for most of a second on a
/// software rasteriser, while the pipeline is already playing. Played time
/// comes from the pipeline's running time, so it still covers the whole clip.
#[test]
fn played_time_survives_a_main_loop_blocked_at_start() {
    let path = clip("vp9_opus.webm");
    with_context(|| {
        let player = Player::headless();
        let out = record(&player);
        player.open(&path.display().to_string());
        player.play();
        std::thread::sleep(Duration::from_millis(800));
        assert!(run_until(Duration::from_secs(10), || out.borrow().eos));
        let played = player.stats().played_seconds;
        assert!(
            (1.85..2.3).contains(&played),
            "played {played}s of a 2 s clip"
        );
        // Seeking back and playing again adds the second run, capped at the end.
        player.seek(gst::ClockTime::from_seconds(1));
        player.play();
        out.borrow_mut().eos = false;
        assert!(run_until(Duration::from_secs(10), || out.borrow().eos));
        let played = player.stats().played_seconds;
        assert!(
            (2.8..3.3).contains(&played),
            "played {played}s after 2 s + 1 s"
        );
    });
}

#[test]
fn video_size_and_rendered_frames_are_reported() {
    let path = clip("h264_aac.mp4");
    with_context(|| {
        let (player, out) = play_headless(&path, Duration::from_secs(20));
        assert!(out.borrow().eos);
        let size = player.video_size().expect("video size");
        assert_eq!((size.width, size.height), (320, 240));
        let stats = player.stats();
        assert!(stats.rendered >= 55, "rendered {}", stats.rendered);
        assert_eq!(player.title().as_deref(), Some("h264_aac.mp4"));
    });
}

/// The element under `element` (itself included) with a `stats` property:
/// the video sink that counts frames.
fn stats_element(element: &gst::Element) -> Option<gst::Element> {
    use gst::prelude::*;
    if element.find_property("stats").is_some() {
        return Some(element.clone());
    }
    let bin = element.downcast_ref::<gst::Bin>()?;
    bin.iterate_recurse()
        .into_iter()
        .flatten()
        .find(|e| e.find_property("stats").is_some())
}

#[test]
fn statistics_api_matches_the_sink_and_is_emitted_periodically() {
    use gst::prelude::*;
    let path = clip("h264_aac.mp4");
    with_context(|| {
        let player = Player::headless();
        player.set_stats_interval(200);
        let signals = Rc::new(RefCell::new(Vec::new()));
        let seen = signals.clone();
        player.connect_stats(move |_, s| seen.borrow_mut().push(s.clone()));
        let _out = record(&player);
        player.open(&path.display().to_string());
        player.play();
        let start = Instant::now();
        run_until(Duration::from_secs(10), || {
            start.elapsed() > Duration::from_millis(1200)
        });
        // The sink resets its counters on every pause; compare while playing,
        // reading both at the same moment (a frame may land in between).
        assert_eq!(player.state(), PlayerState::Playing);
        let pipeline = player.pipeline().expect("pipeline");
        let sink = pipeline
            .property::<Option<gst::Element>>("video-sink")
            .and_then(|s| stats_element(&s))
            .expect("a video sink with statistics");
        let stats = player.stats();
        let own = sink.property::<gst::Structure>("stats");
        let own_rendered = own.get::<u64>("rendered").unwrap();
        assert!(
            stats.rendered.abs_diff(own_rendered) <= 1,
            "{stats:?} vs {own}"
        );
        assert_eq!(stats.dropped, own.get::<u64>("dropped").unwrap(), "{own}");
        assert!(stats.rendered >= 20, "{stats:?}");
        // After a pause the sink starts from zero; the player keeps the total.
        player.pause();
        run_until(Duration::from_secs(5), || {
            player.state() == PlayerState::Paused
        });
        assert!(player.stats().rendered >= stats.rendered);

        // Emitted about every 200 ms, with the properties following.
        let emitted = signals.borrow().len();
        assert!(
            (4..=12).contains(&emitted),
            "{emitted} stats signals in 1.2 s"
        );
        let last = signals.borrow().last().cloned().unwrap();
        assert_eq!(player.frames_rendered(), last.rendered);
        assert_eq!(player.frames_dropped(), last.dropped);
        // The clip's own bitrate (file size over duration) within a factor of 2.
        let file_rate = std::fs::metadata(&path).unwrap().len() as f64 * 8.0 / 2.0;
        let bitrate = stats.bitrate.expect("bitrate at the position");
        assert!(
            bitrate > file_rate / 2.0 && bitrate < file_rate * 2.0,
            "bitrate {bitrate} vs file {file_rate}"
        );
        assert!((player.bitrate() - last.bitrate.unwrap_or(-1.0)).abs() < 1e-6);
        // A local file never buffers and is not live.
        assert_eq!(stats.buffering_percent, None);
        assert_eq!(stats.latency_ms, None);
        assert_eq!(player.latency(), -1);
        assert_eq!(stats.late, 0, "nothing starved");

        // Turned off: no more signals.
        player.set_stats_interval(0);
        let before = signals.borrow().len();
        player.play();
        let t = Instant::now();
        run_until(Duration::from_secs(5), || {
            t.elapsed() > Duration::from_millis(500)
        });
        assert_eq!(signals.borrow().len(), before);
    });
}

#[test]
fn pause_seek_and_resume() {
    let path = clip("vp9_opus.webm");
    with_context(|| {
        let player = Player::headless();
        let out = record(&player);
        player.open(&path.display().to_string());
        assert!(run_until(Duration::from_secs(10), || player.state()
            == PlayerState::Paused));
        player.seek(gst::ClockTime::from_mseconds(1500));
        assert!(run_until(Duration::from_secs(5), || player.state()
            == PlayerState::Paused));
        assert!(
            run_until(Duration::from_secs(5), || {
                (player.position() as i64 - 1_500_000_000).abs() < 40_000_000
            }),
            "position {}",
            player.position()
        );
        player.play();
        assert!(
            run_until(Duration::from_secs(5), || out.borrow().eos),
            "no eos after seek"
        );
        // The half second after the seek point took about half a second.
        assert!(
            player.stats().played_seconds < 1.2,
            "{}",
            player.stats().played_seconds
        );
    });
}

/// Pausing a playing clip can finish its preroll just as a seek is sent:
/// that preroll's `ASYNC_DONE` must not be taken for the seek's. It was:
/// the seek was "corrected" from the frame shown before it (one more
/// seek), or from no frame at all, to a second earlier (the wrong frame).
/// The frame must be right and no correcting seek made in any round. A
/// pause whose preroll finishes as the seek's flush starts still posts a
/// newer `ASYNC_DONE` than the seek's mark; it is put off until the seek
/// has reached the video sink (`Shared::seek_reached_video_sink`). And a
/// check for a seek with nothing to preroll must not act on a later
/// request, nor before decoding has stopped (`settle_unless_prerolled`).
/// Before those, under two busy cores 1 round in 30 to 70 made an extra
/// seek; after, 0 in 600.
#[test]
fn a_seek_right_after_pausing_lands_on_its_frame() {
    use gst::prelude::*;
    let path = clip("h264_aac.mp4");
    with_context(|| {
        let player = Player::headless();
        player.set_looping(true);
        player.open(&path.display().to_string());
        let video: gst::Element = player.pipeline().expect("loaded").property("video-sink");
        let flushing_seeks = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = flushing_seeks.clone();
        video.static_pad("sink").expect("a sink pad").add_probe(
            gst::PadProbeType::EVENT_UPSTREAM,
            move |_, info| {
                if let Some(gst::PadProbeData::Event(event)) = &info.data {
                    if let gst::EventView::Seek(seek) = event.view() {
                        if seek.get().1.contains(gst::SeekFlags::FLUSH) {
                            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                    }
                }
                gst::PadProbeReturn::Ok
            },
        );
        // 1000 ms is a keyframe: the seek needs no correction, and the
        // wrong one showed the frame at 0.
        let mut extra_seeks = Vec::new();
        for round in 0..12u64 {
            player.play();
            assert!(
                run_until(Duration::from_secs(10), || player.state()
                    == PlayerState::Playing),
                "round {round}: the clip never played"
            );
            run_until(Duration::from_millis(20 * round), || false);
            player.pause();
            flushing_seeks.store(0, std::sync::atomic::Ordering::SeqCst);
            player.seek(gst::ClockTime::from_mseconds(1000));
            assert!(
                wait_settled(&player)
                    && run_until(Duration::from_secs(5), || player.is_settled()
                        && player.frame_pts() == 1_000_000_000),
                "round {round}: the seek to 1 s made right after pausing showed the frame at {} ns",
                player.frame_pts()
            );
            let seeks = flushing_seeks.load(std::sync::atomic::Ordering::SeqCst);
            assert!(
                seeks >= 1,
                "round {round}: no flushing seek reached the sink"
            );
            extra_seeks.push(seeks - 1);
        }
        let extra: usize = extra_seeks.iter().sum();
        assert!(
            extra == 0,
            "a seek to a keyframe right after pausing made extra flushing seeks: {extra_seeks:?}"
        );
    });
}

#[test]
fn start_position_applies_before_playing() {
    let path = clip("h264_aac.mp4");
    with_context(|| {
        let player = Player::headless();
        let out = record(&player);
        player.open(&path.display().to_string());
        player.seek(gst::ClockTime::from_mseconds(1000));
        player.play();
        assert!(run_until(Duration::from_secs(10), || out.borrow().eos));
        let played = player.stats().played_seconds;
        assert!(played < 1.3 && played > 0.7, "played {played}");
    });
}

#[test]
fn looping_restarts_instead_of_ending() {
    let path = clip("video_only.webm");
    with_context(|| {
        let player = Player::headless();
        let out = record(&player);
        player.set_looping(true);
        player.open(&path.display().to_string());
        player.play();
        let start = Instant::now();
        run_until(Duration::from_secs(5), || false);
        assert!(!out.borrow().eos, "looping player emitted eos");
        assert!(
            player.stats().played_seconds > 4.0,
            "{}",
            player.stats().played_seconds
        );
        assert!(
            player.stats().rendered > 120,
            "rendered {}",
            player.stats().rendered
        );
        assert!(start.elapsed() < Duration::from_secs(7));
    });
}

fn expect_error(input: &str, kind: ErrorKind) -> String {
    with_context(|| {
        let player = Player::headless();
        let out = record(&player);
        let start = Instant::now();
        player.open(input);
        player.play();
        let failed = run_until(Duration::from_secs(5), || !out.borrow().errors.is_empty());
        assert!(
            failed,
            "{input}: no error within 5 s (state {:?})",
            player.state()
        );
        assert!(start.elapsed() < Duration::from_secs(5));
        let e = out.borrow().errors[0].clone();
        assert_eq!(e.kind, kind, "{input}: {}", e.message);
        assert_eq!(player.state(), PlayerState::Error);
        assert!(e.message.ends_with('.'), "not a sentence: {}", e.message);
        // The same player stays usable for the next file.
        let good = clip("video_only.webm");
        out.borrow_mut().errors.clear();
        player.open(&good.display().to_string());
        assert!(
            run_until(Duration::from_secs(10), || player.state()
                == PlayerState::Paused),
            "{input}: not reusable"
        );
        e.message
    })
}

#[test]
fn bad_inputs_give_their_error_kind() {
    let msg = expect_error(
        &bad_file("missing.mp4").display().to_string(),
        ErrorKind::NotFound,
    );
    assert!(
        msg.contains("missing.mp4") && msg.contains("does not exist"),
        "{msg}"
    );
    expect_error(
        &bad_file("folder").display().to_string(),
        ErrorKind::NotMedia,
    );
    expect_error(
        &bad_file("empty.mp4").display().to_string(),
        ErrorKind::NotMedia,
    );
    expect_error(
        &bad_file("text.mp4").display().to_string(),
        ErrorKind::NotMedia,
    );
    expect_error(
        &bad_file("random.bin").display().to_string(),
        ErrorKind::NotMedia,
    );
    let msg = expect_error(
        &encrypted_webm().display().to_string(),
        ErrorKind::Encrypted,
    );
    assert!(msg.contains("encrypted"), "{msg}");
    let msg = expect_error("foo://example/video.mp4", ErrorKind::MissingPlugin);
    assert!(msg.contains("foo"), "{msg}");
    let port = common::http::closed_port();
    let msg = expect_error(
        &format!("http://127.0.0.1:{port}/clip.mp4"),
        ErrorKind::Network,
    );
    assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
}

#[test]
fn truncated_mp4_is_reported_as_corrupt() {
    let path = bad_file("truncated.mp4");
    with_context(|| {
        let (_player, out) = play_headless(&path, Duration::from_secs(10));
        let out = out.borrow();
        assert_eq!(out.errors.len(), 1, "{out:?}");
        assert!(
            matches!(out.errors[0].kind, ErrorKind::Corrupt | ErrorKind::NotMedia),
            "{:?}",
            out.errors[0]
        );
    });
}

#[test]
fn no_audio_mode_plays_video_only() {
    let path = clip("h264_aac.mp4");
    with_context(|| {
        let player = Player::headless();
        player.set_audio_enabled(false);
        let out = record(&player);
        player.open(&path.display().to_string());
        assert!(player
            .describe_pipeline("file:///x.mp4")
            .contains("flags=video+text"));
        player.play();
        assert!(run_until(Duration::from_secs(10), || out.borrow().eos));
        assert!(!player.has_audio());
        assert!(player.has_video());
    });
}

/// `GST_DEBUG=framescope:5` shows the engine's own log lines among the
/// elements' ones: a child process (this test binary, running only
/// `framescope_category_child`) probes GL with that setting, and its stderr
/// must hold the probe's line in the `framescope` category.
#[test]
fn engine_logs_reach_the_framescope_debug_category() {
    let out = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", "framescope_category_child", "--nocapture"])
        .env("FRAMESCOPE_CATEGORY_CHILD", "1")
        .env("GST_DEBUG", "framescope:5")
        .env("GST_DEBUG_NO_COLOR", "1")
        .env_remove("GST_DEBUG_FILE")
        .output()
        .expect("the test binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed: {stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains(" framescope ") && l.contains("glprobe.rs")),
        "no engine line in the framescope category: {stderr}"
    );
}

/// The child half of `engine_logs_reach_the_framescope_debug_category`; does
/// nothing in an ordinary run.
#[test]
fn framescope_category_child() {
    if std::env::var_os("FRAMESCOPE_CATEGORY_CHILD").is_none() {
        return;
    }
    framescope::engine::init().expect("GStreamer initialises");
    let _ = framescope::engine::gl_probe();
}

/// While playing, the position is the PTS of the frame on screen as long as
/// new frames keep coming (read by the ticker, no query through the gate),
/// and once the video track has ended (here 2 s before the audio) it goes
/// on with the pipeline's clock to the end.
#[test]
fn playing_position_follows_the_shown_frame_then_the_clock() {
    let path = short_video_long_audio();
    with_context(|| {
        let player = Player::headless();
        let out = record(&player);
        let samples = Rc::new(RefCell::new(Vec::new()));
        let s = samples.clone();
        player.connect_position_notify(move |p| {
            if p.state() == PlayerState::Playing {
                s.borrow_mut().push((p.position(), p.frame_pts()));
            }
        });
        player.open(&path.display().to_string());
        player.play();
        run_until(Duration::from_secs(15), || {
            let o = out.borrow();
            o.eos || !o.errors.is_empty()
        });
        let out = out.borrow();
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert!(out.eos, "no end of stream");
        let samples = samples.borrow();
        let in_video: Vec<_> = samples
            .iter()
            .filter(|(position, _)| (200_000_000..800_000_000).contains(position))
            .collect();
        let on_frame = in_video
            .iter()
            .filter(|(position, pts)| i64::try_from(*position).ok() == Some(*pts))
            .count();
        assert!(
            in_video.len() >= 5 && on_frame * 10 >= in_video.len() * 8,
            "{on_frame} of {} positions in 0.2..0.8 s were the shown frame's PTS: {in_video:?}",
            in_video.len()
        );
        assert!(
            out.max_position > 2_800_000_000,
            "the position stopped at {} ns with the video track (the audio lasts 3 s)",
            out.max_position
        );
    });
}
