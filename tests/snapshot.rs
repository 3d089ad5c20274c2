//! `framescope snapshot` against an independent decoder: for 20 times on and
//! between frame boundaries of an H.264 clip with B-frames, the PNG must show
//! the same picture (PSNR ≥ 40 dB) as ffmpeg's decode of the frame shown at
//! that time — the last frame whose PTS is ≤ it, found with ffprobe and
//! extracted with `ffmpeg -ss PTS -i FILE -frames:v 1`. Also: keyframe
//! snapshots, the pixel aspect ratio, and one-sentence errors.

mod common;

use common::framecode::{number_in_png, rgb_of_png};
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn framescope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_framescope"))
        .args(args)
        .env_remove("DISPLAY")
        .output()
        .expect("the framescope binary runs")
}

fn tool(program: &str, args: &[&str]) -> Output {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("{program} is needed as the reference decoder ({e}); scripts/setup.sh test installs ffmpeg")
    });
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Presentation times of every video frame, in seconds, as ffprobe sees them.
fn ffprobe_frame_times(path: &Path) -> Vec<f64> {
    let out = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "frame=pts_time",
            "-of",
            "csv=p=0",
            path.to_str().unwrap(),
        ],
    );
    let mut times: Vec<f64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().trim_end_matches(',').parse().ok())
        .collect();
    times.sort_by(f64::total_cmp);
    times
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let mse = a
        .iter()
        .zip(b)
        .map(|(x, y)| (*x as f64 - *y as f64).powi(2))
        .sum::<f64>()
        / a.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("snapshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn snapshots_match_ffmpeg_on_and_between_frame_boundaries() {
    let clip = snapshot_b3_clip();
    let path = clip.path();
    let times = ffprobe_frame_times(&path);
    assert_eq!(times.len(), 150, "ffprobe sees every frame");
    // Align the two tools on the first frame (edit lists may shift one).
    let offset = times[0];
    let frame = 1.0 / 25.0;
    let mut targets: Vec<f64> = Vec::new();
    for k in [0usize, 1, 49, 50, 51, 99, 100, 137, 148, 149] {
        targets.push(times[k] - offset); // exactly on a boundary
    }
    for (k, f) in [
        (3usize, 0.5),
        (48, 0.99),
        (52, 0.01),
        (77, 0.25),
        (101, 0.5),
        (120, 0.75),
        (133, 0.1),
        (140, 0.9),
        (146, 0.3),
        (149, 0.6),
    ] {
        targets.push(times[k] - offset + f * frame); // between boundaries
    }
    let dir = out_dir();
    for (i, t) in targets.iter().enumerate() {
        let expected = times.iter().rposition(|&p| p - offset <= t + 1e-9).unwrap();
        let ours = dir.join(format!("ours-{i}.png"));
        let reference = dir.join(format!("ffmpeg-{i}.png"));
        let out = framescope(&[
            "snapshot",
            path.to_str().unwrap(),
            "--at",
            &format!("{t:.6}"),
            "-o",
            ours.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "snapshot at {t}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tool(
            "ffmpeg",
            &[
                "-v",
                "error",
                "-y",
                "-ss",
                &format!("{:.6}", times[expected]),
                "-i",
                path.to_str().unwrap(),
                "-frames:v",
                "1",
                reference.to_str().unwrap(),
            ],
        );
        assert_eq!(
            number_in_png(&reference),
            Some(expected as u32),
            "ffmpeg's frame at {t}"
        );
        assert_eq!(
            number_in_png(&ours),
            Some(expected as u32),
            "our frame at {t}"
        );
        let (w1, h1, a) = rgb_of_png(&ours);
        let (w2, h2, b) = rgb_of_png(&reference);
        assert_eq!((w1, h1), (w2, h2), "same size at {t}");
        let db = psnr(&a, &b);
        eprintln!("snapshot at {t:.6} s: frame {expected}, PSNR {db:.1} dB against ffmpeg");
        assert!(
            db >= 40.0,
            "snapshot at {t}: PSNR {db:.1} dB against ffmpeg"
        );
        if i == 0 {
            // The measure can tell frames apart: the next frame scores low.
            let next = dir.join("ffmpeg-next.png");
            tool(
                "ffmpeg",
                &[
                    "-v",
                    "error",
                    "-y",
                    "-ss",
                    &format!("{:.6}", times[expected + 1]),
                    "-i",
                    path.to_str().unwrap(),
                    "-frames:v",
                    "1",
                    next.to_str().unwrap(),
                ],
            );
            let (_, _, c) = rgb_of_png(&next);
            let other = psnr(&a, &c);
            eprintln!("against the next frame: PSNR {other:.1} dB");
            assert!(other < 30.0, "a different frame scores {other:.1} dB");
        }
    }
}

#[test]
fn keyframe_snapshot_takes_the_keyframe_before() {
    let clip = snapshot_gop25_clip();
    let path = clip.path();
    let out_png = out_dir().join("key.png");
    let out = framescope(&[
        "snapshot",
        path.to_str().unwrap(),
        "--at",
        "2.9",
        "--keyframe",
        "-o",
        out_png.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(number_in_png(&out_png), Some(50), "the keyframe at 2.0 s");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("0:02.000"),
        "{:?}",
        out
    );
}

#[test]
fn anamorphic_snapshot_has_square_pixels() {
    let out_png = out_dir().join("anamorphic.png");
    let clip = snapshot_anamorphic_clip();
    let out = framescope(&[
        "snapshot",
        clip.to_str().unwrap(),
        "--at",
        "0.2",
        "-o",
        out_png.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (w, h, _) = rgb_of_png(&out_png);
    assert_eq!((w, h), (1047, 576));
}

#[test]
fn bad_snapshots_fail_with_one_sentence() {
    let video = clip("h264_aac.mp4");
    let audio = clip("audio_only.ogg");
    let out_png = out_dir().join("bad.png");
    let video = video.to_str().unwrap();
    let audio = audio.to_str().unwrap();
    // (input, --at, exit code, words stderr says)
    let cases = [
        (video, "30", 1, "past the end"),
        (audio, "1", 1, "no video"),
        ("/nonexistent/clip.mp4", "1", 1, "does not exist"),
        (video, "soon", 2, "not a time"),
    ];
    for (input, at, code, words) in cases {
        let args = [
            "snapshot",
            input,
            "--at",
            at,
            "-o",
            out_png.to_str().unwrap(),
        ];
        let out = framescope(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(words), "{args:?}: {stderr}");
        let sentences: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("framescope:"))
            .collect();
        if code == 1 {
            assert_eq!(sentences.len(), 1, "{args:?}: {stderr}");
        }
    }
    assert!(!out_png.exists(), "no file is written on failure");
}
