//! Timing while playing, measured where it matters, at the sinks: every
//! rendered video frame (its burnt-in number, its running time and the
//! clock time it was rendered at) and every audio beep onset. Proves that
//! A-B and whole-media loops are seamless, that rate changes need no flush,
//! that reverse playback runs backwards or is refused with a sentence, and
//! that audio and video stay in sync at 0.5×, 1× and 2×, with the A/V
//! offset applied by the pipeline.

mod common;

use common::framecode::frame_number;
use common::*;
use framescope::engine::{Player, PlayerState};
use gst::prelude::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One video frame as the sink rendered it.
#[derive(Debug, Clone, Copy)]
struct Rendered {
    /// The number burnt into it (`None` for a flash frame).
    frame: Option<u32>,
    /// Mostly white: a flash.
    flash: bool,
    /// Its running time (the pipeline timeline).
    running: gst::ClockTime,
    /// The clock time at which it was rendered.
    clock: gst::ClockTime,
}

fn sink_of(player: &Player, property: &str) -> gst::Element {
    let pipeline = player.pipeline().expect("loaded");
    let chain: gst::Element = pipeline.property(property);
    chain
        .downcast::<gst::Bin>()
        .expect("our chains are bins")
        .iterate_sinks()
        .into_iter()
        .flatten()
        .next()
        .expect("the chain ends in a sink")
}

fn running_time(pad: &gst::Pad, pts: gst::ClockTime) -> Option<gst::ClockTime> {
    let event = pad.sticky_event::<gst::event::Segment>(0)?;
    let segment = event.segment().downcast_ref::<gst::ClockTime>()?.clone();
    segment.to_running_time(pts)
}

/// Records every video frame the (headless) video sink renders.
fn tap_video(player: &Player) -> Arc<Mutex<Vec<Rendered>>> {
    let frames = Arc::new(Mutex::new(Vec::new()));
    let sink = sink_of(player, "video-sink");
    sink.set_property("signal-handoffs", true);
    let out = frames.clone();
    sink.connect("handoff", false, move |args| {
        let sink = args[0].get::<gst::Element>().ok()?;
        let buffer = args[1].get::<gst::Buffer>().ok()?;
        let pad = args[2].get::<gst::Pad>().ok()?;
        let clock = sink.clock()?.time();
        let caps = pad.current_caps()?;
        let sample = gst::Sample::builder().buffer(&buffer).caps(&caps).build();
        let running = running_time(&pad, buffer.pts()?)?;
        out.lock().unwrap().push(Rendered {
            frame: frame_number(&sample),
            flash: common::framecode::is_flash(&sample),
            running,
            clock,
        });
        None
    });
    frames
}

/// Records the clock time of each beep onset the (headless) audio sink plays.
fn tap_beeps(player: &Player) -> Arc<Mutex<Vec<gst::ClockTime>>> {
    let onsets = Arc::new(Mutex::new(Vec::new()));
    let sink = sink_of(player, "audio-sink");
    sink.set_property("signal-handoffs", true);
    let out = onsets.clone();
    let beeping = Arc::new(Mutex::new(false));
    sink.connect("handoff", false, move |args| {
        let sink = args[0].get::<gst::Element>().ok()?;
        let buffer = args[1].get::<gst::Buffer>().ok()?;
        let pad = args[2].get::<gst::Pad>().ok()?;
        let clock = sink.clock()?.time();
        let caps = pad.current_caps()?;
        let info = gst_audio::AudioInfo::from_caps(&caps).ok()?;
        let map = buffer.map_readable().ok()?;
        let channels = info.channels() as usize;
        let samples: Vec<f64> = match info.format() {
            gst_audio::AudioFormat::F32le => map
                .chunks_exact(4 * channels)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
                .collect(),
            gst_audio::AudioFormat::S16le => map
                .chunks_exact(2 * channels)
                .map(|c| i16::from_le_bytes([c[0], c[1]]) as f64 / 32768.0)
                .collect(),
            other => panic!("unexpected audio format {other:?}"),
        };
        let mut beeping = beeping.lock().unwrap();
        // A beep is 50 ms of 1 kHz at half scale; silence is zero.
        for (i, v) in samples.iter().enumerate() {
            if !*beeping && v.abs() > 0.1 {
                *beeping = true;
                let offset = gst::ClockTime::SECOND.mul_div_floor(i as u64, info.rate() as u64)?;
                out.lock().unwrap().push(clock + offset);
            } else if *beeping && samples[i..].iter().take(480).all(|v| v.abs() < 0.01) {
                *beeping = false;
            }
        }
        None
    });
    onsets
}

/// Splits renders into loop rounds, each starting at `first`.
fn rounds(frames: &[Rendered], first: u32) -> Vec<Vec<Rendered>> {
    let mut rounds: Vec<Vec<Rendered>> = Vec::new();
    for f in frames {
        if f.frame == Some(first) || rounds.is_empty() {
            rounds.push(Vec::new());
        }
        rounds.last_mut().unwrap().push(*f);
    }
    rounds
}

/// The round boundaries are seamless: from one frame to the next the
/// timeline moves by one frame duration, give or take `short` (a demuxer
/// that ends a round early shortens the last frame) and `hold` (a media
/// whose audio runs past the last frame holds it), and no render waits
/// longer than one extra frame.
fn assert_seamless(
    frames: &[Rendered],
    frame: gst::ClockTime,
    (short, hold): (gst::ClockTime, gst::ClockTime),
    what: &str,
) {
    let slack = 1_000_000;
    for pair in frames.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let step = b.running.nseconds() as i64 - a.running.nseconds() as i64;
        let extra = step - frame.nseconds() as i64;
        assert!(
            (-(short.nseconds() as i64) - slack..=hold.nseconds() as i64 + slack).contains(&extra),
            "{what}: the timeline moves by {} ms between frames {:?} and {:?}",
            step as f64 / 1e6,
            a.frame,
            b.frame
        );
        let waited = b.clock.saturating_sub(a.clock);
        assert!(
            waited <= frame * 2 + gst::ClockTime::from_mseconds(15),
            "{what}: {} ms between rendering frames {:?} and {:?}",
            waited.mseconds(),
            a.frame,
            b.frame
        );
    }
}

#[test]
fn ab_loop_plays_every_frame_between_a_and_b_twenty_times_without_a_gap() {
    let clip = playback_gop_clip();
    let frame = clip.frame_duration();
    with_context(|| {
        let (player, out) = open_paused(&clip.path());
        // A at frame 45 (mid-GOP: each round decodes from keyframe 0 ahead of
        // time), B after frame 54: ten frames a round.
        mark_ab_loop(&player, clip.timestamps()[45], clip.timestamps()[54]);
        assert_eq!(player.loop_a(), clip.timestamps()[45].nseconds() as i64);
        assert_eq!(
            player.loop_b(),
            (clip.timestamps()[54] + frame).nseconds() as i64
        );
        assert!(wait_settled(&player));
        assert_eq!(
            frame_number(&player.current_frame().unwrap()),
            Some(45),
            "B jumps to A"
        );
        let rendered = tap_video(&player);
        player.play();
        let done = run_until(Duration::from_secs(30), || {
            rounds(&rendered.lock().unwrap(), 45).len() > 21
        });
        player.pause();
        let seen: Vec<Option<u32>> = rendered
            .lock()
            .unwrap()
            .iter()
            .map(|f| f.frame)
            .take(40)
            .collect();
        assert!(
            done,
            "20 rounds did not play in 30 s: {seen:?}, state {:?}",
            player.state()
        );
        let frames = rendered.lock().unwrap().clone();
        assert_eq!(frames[0].frame, Some(45), "playback starts at A");
        let rounds = rounds(&frames, 45);
        for (i, round) in rounds.iter().take(20).enumerate() {
            let numbers: Vec<u32> = round.iter().map(|f| f.frame.expect("readable")).collect();
            assert_eq!(numbers, (45..=54).collect::<Vec<_>>(), "round {i}");
        }
        let counted: Vec<Rendered> = rounds.iter().take(20).flatten().copied().collect();
        let exact = (gst::ClockTime::ZERO, gst::ClockTime::ZERO);
        assert_seamless(&counted, frame, exact, "A-B loop");
        assert!(!out.borrow().eos, "a loop never ends");
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        // Clearing the loop lets playback run on past B.
        player.clear_ab_loop();
        assert!(wait_settled(&player));
        rendered.lock().unwrap().clear();
        player.play();
        let past_b = run_until(Duration::from_secs(5), || {
            rendered
                .lock()
                .unwrap()
                .iter()
                .any(|f| f.frame.is_some_and(|n| n > 60))
        });
        let seen: Vec<Option<u32>> = rendered.lock().unwrap().iter().map(|f| f.frame).collect();
        assert!(
            past_b,
            "after clearing the loop: state {:?}, position {}, loop {}..{}, rendered {seen:?}",
            player.state(),
            player.position(),
            player.loop_a(),
            player.loop_b()
        );
    });
}

#[test]
fn whole_media_loop_is_seamless() {
    // MP4: the round ends exactly at the media's end (AAC may run up to a
    // frame past the last picture, which then holds). Matroska without block
    // durations: the demuxer ends each round at its last block's start, so
    // the last frame may be shortened, never followed by a gap.
    let frame = gst::ClockTime::from_mseconds(40);
    let cases = [
        (loop_second_mp4_clip(), (gst::ClockTime::ZERO, frame)),
        (loop_second_mkv_clip(), (frame / 2, gst::ClockTime::ZERO)),
    ];
    for (clip, bounds) in cases {
        let name = clip.name.as_str();
        with_context(|| {
            let player = Player::headless();
            let out = record(&player);
            player.set_looping(true);
            player.open(&clip.path().display().to_string());
            assert!(wait_settled(&player));
            let rendered = tap_video(&player);
            player.play();
            let done = run_until(Duration::from_secs(15), || {
                rounds(&rendered.lock().unwrap(), 0).len() > 5
            });
            player.pause();
            assert!(done, "{name}: five rounds did not play");
            let frames = rendered.lock().unwrap().clone();
            let rounds = rounds(&frames, 0);
            for (i, round) in rounds.iter().take(5).enumerate() {
                let numbers: Vec<u32> = round.iter().map(|f| f.frame.expect("readable")).collect();
                assert_eq!(numbers, (0..25).collect::<Vec<_>>(), "{name}: round {i}");
            }
            let counted: Vec<Rendered> = rounds.iter().take(5).flatten().copied().collect();
            assert_seamless(&counted, frame, bounds, name);
            assert!(!out.borrow().eos, "{name}");
            assert!(
                out.borrow().errors.is_empty(),
                "{name}: {:?}",
                out.borrow().errors
            );
        });
    }
}

#[test]
fn rate_changes_while_playing_need_no_flush() {
    let clip = playback_gop_clip();
    with_context(|| {
        let (player, out) = open_paused(&clip.path());
        let sink = sink_of(&player, "video-sink");
        let flushes = Arc::new(Mutex::new(0u32));
        let count = flushes.clone();
        sink.static_pad("sink").unwrap().add_probe(
            gst::PadProbeType::EVENT_FLUSH,
            move |_, info| {
                if matches!(
                    info.event().map(|e| e.type_()),
                    Some(gst::EventType::FlushStart)
                ) {
                    *count.lock().unwrap() += 1;
                }
                gst::PadProbeReturn::Ok
            },
        );
        player.play();
        assert!(run_until(Duration::from_secs(5), || player.position() > 500_000_000));
        player.set_rate(2.0);
        let (p0, t0) = (player.position(), std::time::Instant::now());
        assert!(run_until(Duration::from_secs(5), || t0.elapsed()
            > Duration::from_secs(1)));
        let advanced = (player.position() - p0) as f64 / 1e9 / t0.elapsed().as_secs_f64();
        assert!(
            (1.6..2.4).contains(&advanced),
            "media ran at {advanced}× after setting 2×"
        );
        assert_eq!(
            *flushes.lock().unwrap(),
            0,
            "an instant rate change does not flush"
        );
        // After an instant rate change GStreamer 1.22's sinks lose the MP4
        // edit list's offset; the frame and position must not.
        player.pause();
        assert!(wait_settled(&player));
        let shown = frame_number(&player.current_frame().unwrap()).unwrap();
        assert_eq!(
            player.frame_number(),
            shown as i64,
            "frame-number after a rate change"
        );
        assert_eq!(
            player.frame_pts() as u64,
            clip.timestamps()[shown as usize].nseconds()
        );
        assert_eq!(player.position(), player.frame_pts() as u64);
        player.play();
        assert!(run_until(Duration::from_secs(5), || player.state()
            == PlayerState::Playing));
        player.slower();
        assert_eq!(player.rate(), 1.75);
        player.set_rate(1.0);
        assert!(out.borrow().errors.is_empty());
        // Refused rates leave the rate alone, with a sentence.
        for bad in [0.0, 100.0, -0.001] {
            player.set_rate(bad);
            assert_eq!(player.rate(), 1.0, "rate {bad} refused");
        }
        let warnings = out.borrow().warnings.clone();
        assert!(
            warnings.iter().any(|w| w.contains("pause instead")),
            "{warnings:?}"
        );
        assert!(
            warnings
                .iter()
                .filter(|w| w.contains("supported range"))
                .count()
                >= 2,
            "{warnings:?}"
        );
        assert_eq!(player.state(), PlayerState::Playing, "playback goes on");
    });
}

#[test]
fn reverse_playback_runs_backwards_or_is_refused_clearly() {
    let clip = playback_gop_clip();
    with_context(|| {
        let (player, out) = open_paused(&clip.path());
        player.seek(gst::ClockTime::from_seconds(6));
        assert!(wait_settled(&player));
        let rendered = tap_video(&player);
        player.set_rate(-1.0);
        assert!(wait_settled(&player));
        player.play();
        assert!(run_until(Duration::from_secs(5), || rendered
            .lock()
            .unwrap()
            .len()
            > 30));
        player.pause();
        let numbers: Vec<u32> = rendered
            .lock()
            .unwrap()
            .iter()
            .filter_map(|f| f.frame)
            .collect();
        assert!(numbers[0] <= 150, "starts at the position: {numbers:?}");
        assert!(
            numbers.windows(2).all(|w| w[1] == w[0] - 1),
            "frames run backwards one by one: {numbers:?}"
        );
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
    });
    // MPEG-TS cannot be read backwards: the player says so and plays forward.
    let ts = playback_ts_clip();
    with_context(|| {
        let (player, out) = open_paused(&ts.path());
        player.set_rate(-1.0);
        assert!(wait_settled(&player));
        assert_eq!(player.rate(), 1.0);
        let warnings = out.borrow().warnings.clone();
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("cannot be played backwards")),
            "{warnings:?}"
        );
        player.play();
        assert!(
            run_until(Duration::from_secs(10), || out.borrow().eos),
            "still plays forward"
        );
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
    });
}

/// Plays the sync clip at `rate` and returns (flash render time, beep onset)
/// differences in milliseconds, audio minus video.
fn measure_sync(rate: f64, av_offset_ms: i64) -> Vec<f64> {
    let clip = flash_beep_clip();
    with_context(|| {
        let (player, out) = open_paused(&clip.path());
        player.set_av_offset(av_offset_ms * 1_000_000);
        player.set_rate(rate);
        assert!(wait_settled(&player));
        let rendered = tap_video(&player);
        let beeps = tap_beeps(&player);
        player.play();
        let secs = (7.0 / rate).ceil() as u64 + 5;
        assert!(
            run_until(Duration::from_secs(secs), || out.borrow().eos),
            "played to the end"
        );
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        let flashes: Vec<gst::ClockTime> = rendered
            .lock()
            .unwrap()
            .iter()
            .filter(|f| f.flash)
            .map(|f| f.clock)
            .collect();
        let beeps = beeps.lock().unwrap().clone();
        assert_eq!(flashes.len(), 5, "five flashes rendered at {rate}×");
        assert_eq!(beeps.len(), 5, "five beeps played at {rate}×: {beeps:?}");
        flashes
            .iter()
            .zip(&beeps)
            .map(|(v, a)| (a.nseconds() as f64 - v.nseconds() as f64) / 1e6)
            .collect()
    })
}

#[test]
fn audio_and_video_stay_in_sync_at_half_normal_and_double_speed() {
    for (rate, limit) in [(1.0, 20.0), (0.5, 40.0), (2.0, 40.0)] {
        let diffs = measure_sync(rate, 0);
        eprintln!("A/V at {rate}×: beep − flash = {diffs:?} ms");
        assert!(
            diffs.iter().all(|d| d.abs() <= limit),
            "at {rate}× the beep and the flash are apart by {diffs:?} ms (limit {limit})"
        );
    }
}

#[test]
fn av_offset_delays_audio_through_the_pipeline() {
    let diffs = measure_sync(1.0, 100);
    eprintln!("A/V with +100 ms offset: beep − flash = {diffs:?} ms");
    assert!(
        diffs.iter().all(|d| (d - 100.0).abs() <= 20.0),
        "with a +100 ms audio offset the beep comes {diffs:?} ms after the flash"
    );
}

#[test]
fn live_udp_stream_plays_without_a_preroll() {
    // A live MPEG-TS sender on loopback; live sources never preroll.
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    drop(socket);
    gst::init().unwrap();
    let sender = gst::parse::launch(&format!(
        "{} ! mpegtsmux ! udpsink host=127.0.0.1 port={port}",
        live_h264(160, 120, 25, 25)
    ))
    .unwrap();
    sender.set_state(gst::State::Playing).unwrap();
    with_context(|| {
        let player = Player::headless();
        let out = record(&player);
        player.open(&format!("udp://127.0.0.1:{port}"));
        player.play();
        assert!(
            run_until(Duration::from_secs(10), || player.state()
                == PlayerState::Playing),
            "state {:?}, errors {:?}",
            player.state(),
            out.borrow().errors
        );
        assert!(run_until(Duration::from_secs(10), || player
            .stats()
            .rendered
            > 10));
        assert!(!player.seekable());
        // Live: the statistics carry the pipeline's latency.
        let latency = player.stats().latency_ms.expect("latency of a live source");
        assert!((0.0..5000.0).contains(&latency), "latency {latency} ms");
        player.stop();
    });
    sender.set_state(gst::State::Null).unwrap();
}

/// A loop round falls due (the segment's end reached the bus) while the
/// player is being paused: pausing and resuming a looping clip at many
/// moments never hangs (a loop round sent without a flush while the sinks
/// hold their frame waits for a demuxer thread stuck in full queues), and
/// playback goes on looping afterwards. The test body runs on its own thread
/// so a hang fails the test instead of stalling the suite.
#[test]
fn pausing_as_a_loop_round_falls_due_never_hangs() {
    let path = clip("h264_aac.mp4");
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        with_context(|| {
            let player = Player::headless();
            let out = record(&player);
            player.set_looping(true);
            player.open(&path.display().to_string());
            player.play();
            assert!(run_until(Duration::from_secs(10), || player.state()
                == PlayerState::Playing));
            for round in 0..12u64 {
                // Play on without handling the bus (as a busy main loop
                // does), across the 2 s segment's end at varying moments,
                // then pause before the queued messages are handled.
                std::thread::sleep(Duration::from_millis(700 + round * 110));
                player.pause();
                run_until(Duration::from_millis(300), || false);
                player.play();
                run_until(Duration::from_millis(200), || false);
            }
            assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
            assert!(!out.borrow().eos, "a looping clip ended");
            // Still looping: the position keeps moving.
            let p0 = player.position();
            run_until(Duration::from_secs(1), || false);
            assert_ne!(player.position(), p0, "playback stopped");
            player.stop();
        });
        let _ = done_tx.send(());
    });
    assert!(
        done_rx.recv_timeout(Duration::from_secs(90)).is_ok(),
        "the player hung pausing as a loop round fell due"
    );
}
