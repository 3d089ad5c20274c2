//! The video-wall example under X (Xvfb when no display is set): four tiles,
//! one of them a file that does not exist and one an HTTP stream whose
//! server stops sending mid-stream, every time. The broken tiles retry
//! through their watchdogs (the dead one then shows its error); the other
//! two play on, and the `--stats-json` report says so per tile. And a host
//! that takes the app's cheap drawing (`prefer_cheap_drawing`, as the
//! example does) keeps GL out of its process where no GPU device exists.
//! The example is built by `cargo test --all-targets` (the README's test
//! command).

mod common;

use common::http::{Fault, HttpServer};
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
    let plain = dir.join(name);
    if plain.exists() {
        return plain;
    }
    // `cargo test --all-targets` leaves the example under a hashed name.
    let prefix = format!("{name}-");
    let newest = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let file = p.file_name().and_then(|f| f.to_str()).unwrap_or("");
            file.starts_with(&prefix) && !file.contains('.')
        })
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok());
    newest.unwrap_or_else(|| {
        panic!(
            "{} is not built; run the tests with `cargo test --all-targets`",
            plain.display()
        )
    })
}

#[test]
fn one_failing_tile_never_stops_the_others() {
    let json = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wall.json");
    let _ = std::fs::remove_file(&json);
    let good = clip("h264_aac.mp4").display().to_string();
    let other = clip("vp9_opus.webm").display().to_string();
    let missing = media_dir().join("no-such-clip.mp4").display().to_string();
    // An MPEG-TS over HTTP whose server sends 1 s of it and then nothing,
    // on an open connection, at every request.
    let ts = ball_ts();
    let data = std::fs::read(ts).unwrap();
    let one_second = data.len() / 5;
    let server = HttpServer::bytes(data, "video/mp2t")
        .rate(one_second * 4)
        .plan([Fault::StallAfter(one_second); 20])
        .start();
    let stalling = server.url("stalling.ts");
    let start = Instant::now();
    let out = Command::new(example("video_wall"))
        .args(["--tiles", "4", "--exit-after", "6", "--max-restarts", "2"])
        .args([
            "--stall-timeout",
            "1000",
            "--window-size",
            "800x450",
            "--stats-json",
        ])
        .arg(&json)
        .args([&good, &missing, &stalling, &other])
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
        } else if i == 2 {
            assert!(uri.ends_with("stalling.ts"), "{tile}");
            assert!(rendered > 0, "the stalling tile never played: {tile}");
            assert!(tile["stalls"].as_u64().unwrap() >= 1, "{tile}");
            assert!(tile["restarts"].as_u64().unwrap() >= 1, "{tile}");
        } else {
            // About 6 s of 30 fps: every other tile kept playing (looping).
            assert!(rendered > 90, "tile {i} rendered only {rendered}: {tile}");
            assert_eq!(tile["errors"], 0, "{tile}");
        }
    }
}

/// Where no GPU device exists, a host calling
/// `framescope::widget::prefer_cheap_drawing()` before GTK starts (the
/// example does) plays without loading LLVM or the Mesa driver, as the app
/// does (about 60 MB resident for a 3x3 wall). With `--video-path gl` the
/// example skips the call and both are loaded (which shows the check can
/// fail).
#[test]
fn a_host_taking_the_cheap_drawing_keeps_gl_out_without_a_gpu() {
    if framescope::widget::has_gpu_device() {
        println!("SKIPPED: this machine has a GPU device; GL stays usable there");
        return;
    }
    let good = clip("h264_aac.mp4").display().to_string();
    let gl_libraries = |extra: &[&str]| {
        let mut command = Command::new(example("video_wall"));
        command
            .args([
                "--tiles",
                "2",
                "--exit-after",
                "4",
                "--window-size",
                "640x360",
            ])
            .args(extra)
            .args([&good, &good])
            .env("DISPLAY", ensure_display());
        gl_libraries_while_playing(command, &format!("video_wall {extra:?}"))
    };
    assert_gl_only_on_the_gl_path(gl_libraries);
}
