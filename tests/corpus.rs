//! The real-world corpus in `../shared/media/files` (see its README): every
//! file that should play reaches end of stream headless, and every broken file
//! ends in its error within 5 s. Skipped, with a visible message, when the
//! folder is absent.

mod common;

use common::*;
use framescope::engine::{ErrorKind, Player, PlayerState};
use std::time::{Duration, Instant};

/// Files that must play to the end: (path under files/, needs video, needs audio).
const PLAYS: &[(&str, bool, bool)] = &[
    ("androidx-media/mp4/sample.mp4", true, true),
    ("androidx-media/mp4/sample_fragmented.mp4", true, true),
    ("androidx-media/mp4/sample_av1.mp4", true, true),
    ("androidx-media/mp4/bt601.mov", true, true),
    ("androidx-media/mp4/silent-black-10s.mp4", true, true),
    ("androidx-media/mp4/sample_ac3_aac.mp4", false, true),
    ("androidx-media/vp9/bear-vp9.webm", true, false),
    (
        "androidx-media/vp9/bear-vp9-odd-dimensions.webm",
        true,
        false,
    ),
    ("androidx-media/mkv/bbb_960x540_60fps_vp8.webm", true, true),
    (
        "androidx-media/mkv/bbb_1ch_48kHz_q10_opus.webm",
        false,
        true,
    ),
    ("androidx-media/mkv/sample_with_srt.mkv", true, true),
    (
        "androidx-media/mkv/sample_with_ssa_subtitles.mkv",
        true,
        true,
    ),
    (
        "androidx-media/mkv/sample_with_vtt_subtitles.mkv",
        true,
        true,
    ),
    ("androidx-media/mkv/sample_with_chapters.mkv", true, true),
    ("androidx-media/ogg/bear_vorbis.ogg", false, true),
    ("androidx-media/ts/sample_h264.ts", true, false),
    ("androidx-media/ts/sample_h265.ts", true, false),
    ("androidx-media/avi/sample.avi", true, true),
    ("androidx-media/flv/sample.flv", true, true),
    (
        "androidx-media/3gp/bbb_176x144_128kbps_15fps_h263.3gp",
        true,
        false,
    ),
    ("androidx-media/mp4/sample_mdat_too_long.mp4", true, true),
    (
        "androidx-media/mp4/sample_with_invalid_nalu.mp4",
        true,
        false,
    ),
    ("androidx-media/ts/sample_with_junk", true, false),
    ("gstreamer/theora-vorbis.ogg", true, true),
    ("gstreamer/test.ts", true, true),
    ("gstreamer/mse.mp4", true, true),
    ("gstreamer/mse.webm", true, true),
    ("gstreamer/vp8_aac.mp4", true, true),
];

/// Files that must fail quickly with a given error kind.
const FAILS: &[(&str, &[ErrorKind])] = &[
    ("androidx-media/ogg/invalid_header", &[ErrorKind::NotMedia]),
    (
        "androidx-media/ogg/invalid_ogg_header",
        &[ErrorKind::NotMedia],
    ),
    ("androidx-media/ogg/eof_header", &[ErrorKind::NotMedia]),
    (
        "androidx-media/mkv/subsample_encrypted_altref.webm",
        &[ErrorKind::Encrypted],
    ),
    (
        "gstreamer/corruptheadertestsrc.wav",
        &[ErrorKind::NotMedia, ErrorKind::Corrupt],
    ),
];

#[test]
fn playable_files_reach_end_of_stream() {
    let Some(corpus) = corpus() else { return };
    let mut failures = Vec::new();
    let only = std::env::var("FRAMESCOPE_CORPUS_ONLY").unwrap_or_default();
    for (name, video, audio) in PLAYS.iter().filter(|(n, ..)| n.contains(only.as_str())) {
        let path = corpus.join("files").join(name);
        with_context(|| {
            let start = Instant::now();
            let (player, out) = play_headless(&path, Duration::from_secs(30));
            let out = out.borrow();
            let summary = format!(
                "{name}: eos={} errors={:?} warnings={:?} video={} audio={} ({:.1}s)",
                out.eos,
                out.errors.iter().map(|e| &e.message).collect::<Vec<_>>(),
                out.warnings,
                player.has_video(),
                player.has_audio(),
                start.elapsed().as_secs_f64()
            );
            println!("{summary}");
            if !out.eos
                || !out.errors.is_empty()
                || player.has_video() != *video
                || (*audio && !player.has_audio())
            {
                failures.push(summary);
            }
        });
    }
    assert!(
        failures.is_empty(),
        "files that did not play as expected:\n{}",
        failures.join("\n")
    );
}

#[test]
fn missing_subtitle_decoder_is_a_warning() {
    let Some(corpus) = corpus() else { return };
    for name in [
        "androidx-media/mkv/sample_with_vtt_subtitles.mkv",
        "gstreamer/mse.webm",
    ] {
        with_context(|| {
            let (_player, out) =
                play_headless(&corpus.join("files").join(name), Duration::from_secs(30));
            let out = out.borrow();
            assert!(out.eos && out.errors.is_empty(), "{name}: {out:?}");
            // Where a WebVTT decoder exists nothing is missing; otherwise the warning names it.
            for w in &out.warnings {
                println!("{name}: warning: {w}");
            }
        });
    }
}

#[test]
fn broken_files_fail_fast_with_their_kind() {
    let Some(corpus) = corpus() else { return };
    for (name, kinds) in FAILS {
        let path = corpus.join("files").join(name);
        with_context(|| {
            let player = Player::headless();
            let out = record(&player);
            let start = Instant::now();
            player.open(&path.display().to_string());
            player.play();
            let ended = run_until(Duration::from_secs(5), || {
                !out.borrow().errors.is_empty() || out.borrow().eos
            });
            let out = out.borrow();
            assert!(
                ended,
                "{name}: neither error nor end within 5 s (state {:?})",
                player.state()
            );
            let error = out
                .errors
                .first()
                .unwrap_or_else(|| panic!("{name}: ended without an error"));
            println!(
                "{name}: {:?} “{}” in {:?}",
                error.kind,
                error.message,
                start.elapsed()
            );
            assert!(
                kinds.contains(&error.kind),
                "{name}: {:?}: {}",
                error.kind,
                error.message
            );
            assert_eq!(player.state(), PlayerState::Error);
        });
    }
}
