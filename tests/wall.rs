//! The video-wall example under X (Xvfb when no display is set): four tiles,
//! one of them a file that does not exist. The broken tile retries through
//! its watchdog and then shows its error; the other three play on, and the
//! `--stats-json` report says so per tile. The example is built by
//! `cargo test --all-targets` (the README's test command).

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .unwrap()
        .join("examples");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is not built; run the tests with `cargo test --all-targets`",
        path.display()
    );
    path
}

#[test]
fn one_failing_tile_never_stops_the_others() {
    let json = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wall.json");
    let _ = std::fs::remove_file(&json);
    let good = clip("h264_aac.mp4").display().to_string();
    let other = clip("vp9_opus.webm").display().to_string();
    let missing = media_dir().join("no-such-clip.mp4").display().to_string();
    let start = Instant::now();
    let out = Command::new(example("video_wall"))
        .args(["--tiles", "4", "--exit-after", "6", "--max-restarts", "2"])
        .args(["--window-size", "800x450", "--stats-json"])
        .arg(&json)
        .args([&good, &missing, &other])
        .env("DISPLAY", ensure_display())
        .output()
        .expect("the video_wall example runs");
    assert!(out.status.success(), "{out:?}");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "took {:?}",
        start.elapsed()
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("stats written")).unwrap();
    let tiles = report["tiles"].as_array().expect("tiles");
    assert_eq!(tiles.len(), 4, "{report}");
    for (i, tile) in tiles.iter().enumerate() {
        let uri = tile["uri"].as_str().unwrap_or_default();
        let rendered = tile["rendered"].as_u64().unwrap();
        if i == 1 {
            assert!(uri.ends_with("no-such-clip.mp4"), "{tile}");
            assert_eq!(rendered, 0, "{tile}");
            assert_eq!(tile["restarts"], 2, "two tries before the error: {tile}");
            assert_eq!(tile["errors"], 3, "{tile}");
        } else {
            // About 6 s of 30 fps: every other tile kept playing (looping).
            assert!(rendered > 90, "tile {i} rendered only {rendered}: {tile}");
            assert_eq!(tile["errors"], 0, "{tile}");
        }
    }
}
