//! Frame-exact timing, proved on generated media whose frames carry their
//! own numbers (see `common::framecode`): accurate and keyframe seeks in
//! every mode, frame steps both ways across GOPs, B-frames and open GOPs,
//! variable frame rate and a first PTS that is not zero, seamless A-B loops
//! measured at the sink, rate changes and A/V sync measured from a flash
//! and a beep. Headless: the picture is read from `Player::current_frame`.

mod common;

use common::framecode::{frame_number, FrameClip};
use common::http::{HttpServer, Length};
use common::*;
use framescope::engine::{Player, PlayerState, SeekMode};
use gst::prelude::*;
use std::time::Duration;

const T: fn(u64) -> gst::ClockTime = gst::ClockTime::from_nseconds;

/// The number burnt into the frame on screen.
fn shown(player: &Player) -> Option<u32> {
    frame_number(&player.current_frame()?)
}

/// The clip's own time of frame `k` mapped into the player's stream time
/// (demuxers may shift the first frame, e.g. MPEG-TS).
fn stream_time_of(clip: &FrameClip, player: &Player, k: u32) -> gst::ClockTime {
    let first = player.first_frame_pts().expect("first frame known");
    first + (clip.timestamps()[k as usize] - clip.first_pts)
}

/// A fixed pseudo-random sequence in `0..n`.
fn randoms(count: usize, n: u64, seed: u64) -> Vec<u64> {
    let mut x = seed | 1;
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        })
        .collect()
}

fn assert_accurate_seeks(clip: FrameClip, tolerance: gst::ClockTime) {
    with_context(|| {
        let (player, out) = open_paused(&clip.path());
        assert_eq!(shown(&player), Some(0), "{}: first frame", clip.name);
        let first = player.first_frame_pts().unwrap();
        let span = (clip.end() - clip.first_pts).nseconds();
        for (i, offset) in randoms(50, span, 0xC0FFEE ^ clip.frames as u64)
            .into_iter()
            .enumerate()
        {
            // Every fifth target lies exactly on a frame boundary.
            let offset = if i % 5 == 0 {
                (clip.timestamps()[(offset * clip.frames as u64 / span) as usize] - clip.first_pts)
                    .nseconds()
            } else {
                offset
            };
            let target = first + T(offset);
            let expected = clip.frame_at(clip.first_pts + T(offset));
            player.seek_with_mode(target, SeekMode::Accurate);
            assert!(
                wait_settled(&player),
                "{}: seek to {target} did not settle",
                clip.name
            );
            assert_eq!(
                shown(&player),
                Some(expected),
                "{}: accurate seek to {target} (offset {}) shows the wrong frame",
                clip.name,
                T(offset)
            );
            let pts = player.frame_pts() as u64;
            let want = stream_time_of(&clip, &player, expected).nseconds();
            assert!(
                pts.abs_diff(want) <= tolerance.nseconds(),
                "{}: frame-pts {} for frame {expected}, expected {}",
                clip.name,
                T(pts),
                T(want)
            );
            assert_eq!(
                player.position(),
                pts,
                "{}: position is the frame's PTS",
                clip.name
            );
        }
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
    });
}

#[test]
fn accurate_seeks_land_on_the_frame_shown_at_the_target_h264_b_frames() {
    assert_accurate_seeks(gop50_b2_clip(), T(1_000));
}

#[test]
fn accurate_seeks_land_on_the_frame_shown_at_the_target_open_gop() {
    assert_accurate_seeks(open_gop_clip(), T(1_000));
}

#[test]
fn accurate_seeks_land_on_the_frame_shown_at_the_target_variable_rate() {
    assert_accurate_seeks(vfr_clip(), T(1_000));
}

#[test]
fn accurate_seeks_land_on_the_frame_shown_at_the_target_first_pts_not_zero() {
    let clip = offset_ts_clip();
    with_context(|| {
        let (player, _) = open_paused(&clip.path());
        // Its timestamps start after 10 s; times count from the media's
        // start (ffprobe's start_time), where its only stream's first frame is.
        assert!(
            player.time_origin() > 0,
            "MPEG-TS starts after stream time zero (origin {})",
            player.time_origin()
        );
        assert_eq!(player.first_frame_pts(), Some(gst::ClockTime::ZERO));
    });
    assert_accurate_seeks(clip, T(20_000));
}

#[test]
fn accurate_seeks_land_on_the_frame_shown_at_the_target_millisecond_webm() {
    // WebM rounds timestamps to the millisecond.
    assert_accurate_seeks(ms_webm_clip(), gst::ClockTime::from_mseconds(1));
}

#[test]
fn keyframe_seek_modes_land_on_their_keyframe() {
    let clip = gop50_b2_clip();
    let keyframes: Vec<u32> = (0..clip.frames).step_by(50).collect();
    let time_of = |k: u32| clip.timestamps()[k as usize];
    with_context(|| {
        let (player, _) = open_paused(&clip.path());
        assert_eq!(
            player.frame_index().keyframes().first().copied(),
            Some(gst::ClockTime::ZERO)
        );
        for mode in [
            SeekMode::Keyframe,
            SeekMode::SnapBefore,
            SeekMode::SnapAfter,
        ] {
            // Up to the last keyframe, so a keyframe after the target exists.
            let span = time_of(*keyframes.last().unwrap()).nseconds();
            for target in randoms(50, span, 7 + mode as u64) {
                let target = T(target);
                let before = *keyframes
                    .iter()
                    .rev()
                    .find(|&&k| time_of(k) <= target)
                    .unwrap();
                let after = *keyframes.iter().find(|&&k| time_of(k) >= target).unwrap();
                let expected = match mode {
                    SeekMode::SnapBefore => before,
                    SeekMode::SnapAfter => after,
                    _ => {
                        if target - time_of(before) <= time_of(after) - target {
                            before
                        } else {
                            after
                        }
                    }
                };
                player.seek_with_mode(target, mode);
                assert!(wait_settled(&player));
                assert_eq!(shown(&player), Some(expected), "{mode:?} seek to {target}");
                assert_eq!(
                    player.frame_pts() as u64,
                    time_of(expected).nseconds(),
                    "{mode:?}"
                );
            }
        }
    });
}

/// One step forward or back (as `forward` says), settling on frame `k`.
fn step_lands_on(player: &Player, clip: &FrameClip, forward: bool, k: u32) {
    let (way, step) = if forward {
        player.step_forward();
        ("to", "forward step")
    } else {
        player.step_backward();
        ("back to", "backward step")
    };
    assert!(
        wait_settled(player),
        "{}: step {way} {k} did not settle",
        clip.name
    );
    assert_eq!(shown(player), Some(k), "{}: {step}", clip.name);
}

fn assert_steps(clip: FrameClip, start: u32) {
    with_context(|| {
        let (player, out) = open_paused(&clip.path());
        player.seek(stream_time_of(&clip, &player, start));
        assert!(wait_settled(&player));
        assert_eq!(shown(&player), Some(start), "{}: start frame", clip.name);
        for k in start + 1..=start + 100 {
            step_lands_on(&player, &clip, true, k);
            assert_eq!(
                player.frame_number(),
                k as i64,
                "{}: frame-number",
                clip.name
            );
        }
        let fills_before = player.stats_step_cache_fills();
        for k in (start..start + 100).rev() {
            step_lands_on(&player, &clip, false, k);
            assert_eq!(
                player.frame_pts() as u64,
                stream_time_of(&clip, &player, k).nseconds(),
                "{}: frame-pts after a backward step",
                clip.name
            );
            assert_eq!(player.position(), player.frame_pts() as u64);
        }
        // 100 frames span two or three GOPs of 50: decoded once per GOP,
        // not once per step.
        let fills = player.stats_step_cache_fills() - fills_before;
        assert!(
            fills <= 4,
            "{}: {fills} decodes for 100 backward steps",
            clip.name
        );
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
    });
}

#[test]
fn hundred_steps_forward_then_back_return_to_the_start_b_frames() {
    assert_steps(gop50_b2_clip(), 100);
}

#[test]
fn hundred_steps_forward_then_back_return_to_the_start_open_gop() {
    assert_steps(open_gop_clip(), 50);
}

#[test]
fn steps_stop_at_the_first_and_last_frame_with_a_message() {
    let clip = gop50_b2_clip();
    with_context(|| {
        let (player, out) = open_paused(&clip.path());
        player.step_backward();
        assert!(wait_settled(&player));
        assert_eq!(shown(&player), Some(0));
        assert!(
            out.borrow().warned("first frame"),
            "{:?}",
            out.borrow().warnings
        );
        let last = clip.frames - 1;
        player.seek(stream_time_of(&clip, &player, last));
        assert!(wait_settled(&player));
        assert_eq!(shown(&player), Some(last));
        player.step_forward();
        assert!(wait_settled(&player));
        assert_eq!(shown(&player), Some(last));
        assert!(
            out.borrow().warned("last frame"),
            "{:?}",
            out.borrow().warnings
        );
        // A seek past the end shows the last frame.
        player.seek(clip.end() + gst::ClockTime::from_seconds(5));
        assert!(wait_settled(&player));
        assert_eq!(shown(&player), Some(last));
        assert!(out.borrow().errors.is_empty());
        // Still usable: step back and play to the end.
        player.step_backward();
        assert!(wait_settled(&player));
        assert_eq!(shown(&player), Some(last - 1));
        player.play();
        assert!(run_until(Duration::from_secs(10), || out.borrow().eos));
        assert!(out.borrow().errors.is_empty());
    });
}

#[test]
fn variable_rate_frames_have_exact_times_but_no_number() {
    let clip = vfr_clip();
    with_context(|| {
        let (player, _) = open_paused(&clip.path());
        for k in [10, 11, 37] {
            player.seek(stream_time_of(&clip, &player, k));
            assert!(wait_settled(&player));
            assert_eq!(shown(&player), Some(k));
            assert_eq!(
                player.frame_number(),
                -1,
                "no frame numbers at a variable rate"
            );
            assert_eq!(
                player.frame_duration() as u64,
                clip.duration_of(k).nseconds()
            );
        }
        // Steps follow the real frames, whatever their durations.
        for k in 38..44 {
            player.step_forward();
            assert!(wait_settled(&player));
            assert_eq!(shown(&player), Some(k));
        }
    });
}

#[test]
fn unseekable_stream_refuses_seeks_and_steps_back_with_a_sentence() {
    let clip = ms_webm_clip();
    // Over HTTP/1.0 without a length or ranges: a stream that can be
    // played from the start but not sought.
    let server = HttpServer::bytes(std::fs::read(clip.path()).unwrap(), "video/webm")
        .content_length(Length::Omitted)
        .start();
    let uri = server.url("stream.webm");
    with_context(|| {
        let player = Player::headless();
        let out = record(&player);
        player.open(&uri);
        assert!(wait_settled(&player), "{:?}", out.borrow().errors);
        assert!(!player.seekable());
        player.step_forward();
        assert!(wait_settled(&player));
        assert_eq!(shown(&player), Some(1), "forward steps need no seeking");
        player.seek(gst::ClockTime::from_seconds(3));
        assert!(wait_settled(&player));
        player.step_backward();
        assert!(wait_settled(&player));
        let warnings = out.borrow().warnings.clone();
        assert!(
            warnings
                .iter()
                .filter(|w| w.contains("cannot be sought"))
                .count()
                >= 2,
            "{warnings:?}"
        );
        assert_eq!(shown(&player), Some(1), "the picture stays");
        player.play();
        assert!(
            run_until(Duration::from_secs(15), || out.borrow().eos),
            "plays on to the end"
        );
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
    });
}

#[test]
fn named_pipes_are_refused_at_once_instead_of_freezing() {
    let fifo = media_dir().join(format!("pipe-{}.fifo", std::process::id()));
    let _ = std::fs::remove_file(&fifo);
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    with_context(|| {
        let player = Player::headless();
        let out = record(&player);
        player.open(&fifo.display().to_string());
        assert!(run_until(Duration::from_secs(2), || !out
            .borrow()
            .errors
            .is_empty()));
        let error = out.borrow().errors[0].clone();
        assert!(
            error.message.contains("pipe or a device"),
            "{}",
            error.message
        );
    });
    let _ = std::fs::remove_file(&fifo);
}

#[test]
fn loop_end_before_its_start_is_refused() {
    let clip = gop50_b2_clip();
    with_context(|| {
        let (player, out) = open_paused(&clip.path());
        player.set_loop_a(2_000_000_000);
        player.set_loop_b(1_000_000_000);
        assert_eq!(player.loop_b(), -1, "B before A is refused");
        assert!(
            out.borrow().warned("must come after its start"),
            "{:?}",
            out.borrow().warnings
        );
        // The key's version: A at frame 50, then B at frame 10.
        player.clear_ab_loop();
        mark_ab_loop(&player, clip.timestamps()[50], clip.timestamps()[10]);
        assert_eq!(player.loop_a(), clip.timestamps()[50].nseconds() as i64);
        assert_eq!(player.loop_b(), -1);
        assert_eq!(player.state(), PlayerState::Paused, "nothing else changed");
        assert_eq!(shown(&player), Some(10));
    });
}

#[test]
fn offsets_reach_the_pipeline_and_stay_for_the_next_media() {
    with_context(|| {
        let player = Player::headless();
        player.set_av_offset(30_000_000);
        player.set_subtitle_offset(-20_000_000);
        for clip in [gop50_b2_clip(), ms_webm_clip()] {
            player.open(&clip.path().display().to_string());
            assert!(wait_settled(&player));
            let pipeline = player.pipeline().unwrap();
            // playbin's av-offset moves audio earlier; ours delays it.
            assert_eq!(
                pipeline.property::<i64>("av-offset"),
                -30_000_000,
                "{}",
                clip.name
            );
            assert_eq!(
                pipeline.property::<i64>("text-offset"),
                -20_000_000,
                "{}",
                clip.name
            );
        }
        // Writes to a running pipeline go through its gate: they land a
        // moment later, without the main thread waiting for them.
        player.set_av_offset(0);
        let pipeline = player.pipeline().unwrap();
        assert!(
            run_until(Duration::from_secs(2), || pipeline
                .property::<i64>("av-offset")
                == 0),
            "av-offset reached the pipeline"
        );
    });
}

#[test]
fn step_after_the_end_of_stream_says_last_frame_and_stays_usable() {
    // Audio runs past the last picture here, so the length alone cannot tell.
    let clip = gop50_b2_clip();
    with_context(|| {
        let (player, out) = open_paused(&clip.path());
        player.seek(gst::ClockTime::from_seconds(9));
        assert!(wait_settled(&player));
        player.play();
        assert!(run_until(Duration::from_secs(10), || out.borrow().eos));
        player.step_forward();
        assert!(wait_settled(&player), "the step finished");
        assert!(
            out.borrow().warned("last frame"),
            "{:?}",
            out.borrow().warnings
        );
        assert_eq!(shown(&player), Some(clip.frames - 1));
        player.seek(clip.timestamps()[10]);
        assert!(wait_settled(&player), "later seeks still work");
        assert_eq!(shown(&player), Some(10));
    });
}

#[test]
fn seek_to_the_end_with_a_loop_on_shows_the_last_frame() {
    let clip = gop50_b2_clip();
    with_context(|| {
        let player = Player::headless();
        let out = record(&player);
        player.set_looping(true);
        player.open(&clip.path().display().to_string());
        assert!(wait_settled(&player));
        player.seek(clip.end() + gst::ClockTime::from_seconds(1));
        assert!(wait_settled(&player));
        assert_eq!(
            shown(&player),
            Some(clip.frames - 1),
            "the last frame, not a loop round"
        );
        player.step_forward();
        assert!(wait_settled(&player));
        assert_eq!(shown(&player), Some(clip.frames - 1));
        assert!(out.borrow().warned("last frame"));
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
    });
}

#[test]
fn play_pressed_during_a_backward_step_plays_from_that_frame() {
    let clip = gop50_b2_clip();
    with_context(|| {
        let (player, out) = open_paused(&clip.path());
        player.seek(clip.timestamps()[120]);
        assert!(wait_settled(&player));
        // The step decodes its GOP in a worker; play arrives meanwhile.
        player.step_backward();
        player.play();
        assert!(run_until(Duration::from_secs(10), || player.state()
            == PlayerState::Playing));
        let at_start = player.position();
        assert!(run_until(Duration::from_secs(5), || player.position()
            > at_start + 400_000_000));
        // The picture moves with playback (no cached frame left on top).
        assert!(
            run_until(Duration::from_secs(2), || shown(&player)
                .is_some_and(|n| n > 125)),
            "shown {:?}",
            shown(&player)
        );
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
    });
}
