//! Seek and step latency benchmark (run by `bench/timing.sh`).
//!
//! Plays CLIP headless (video only, into a fakesink, so what is measured is
//! the engine and the decoder, not GTK) and prints, side by side in one run:
//! - accurate-seek latency (call to exact frame on screen) for random
//!   targets, next to the floor: `gst-launch-1.0` decoding from the keyframe
//!   before each target up to it (`num-buffers=K`), minus its start-up cost;
//! - backward-step latency while stepping back across three GOPs: the steps
//!   that had to decode (one per GOP) and the ones the step cache served,
//!   plus what the app adds per cached step (converting it to a texture).
//!
//! Usage: timing_bench CLIP --fps 30 --gop-frames 60 [--seeks 20]

use framescope::engine::{Player, PlayerState};
use std::process::Command;
use std::time::{Duration, Instant};

struct Options {
    clip: String,
    fps: u64,
    gop: u64,
    seeks: usize,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        clip: String::new(),
        fps: 30,
        gop: 60,
        seeks: 20,
    };
    while let Some(a) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or(format!("{name} needs a number"))
        };
        match a.as_str() {
            "--fps" => o.fps = value("--fps")?,
            "--gop-frames" => o.gop = value("--gop-frames")?,
            "--seeks" => o.seeks = value("--seeks")? as usize,
            _ if o.clip.is_empty() => o.clip = a,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if o.clip.is_empty() {
        return Err("usage: timing_bench CLIP [--fps N] [--gop-frames N] [--seeks N]".into());
    }
    Ok(o)
}

/// Iterates the main context until `done` (or 30 s).
fn wait(done: impl Fn() -> bool) -> bool {
    let ctx = glib::MainContext::default();
    let start = Instant::now();
    while !done() {
        if start.elapsed() > Duration::from_secs(30) {
            return false;
        }
        ctx.iteration(false);
        std::thread::sleep(Duration::from_micros(200));
    }
    true
}

fn settled(p: &Player) -> bool {
    wait(|| p.state() == PlayerState::Paused && p.is_settled())
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(mut v: Vec<f64>) -> String {
    if v.is_empty() {
        return "n/a".into();
    }
    v.sort_by(f64::total_cmp);
    let median = v[v.len() / 2];
    let p90 = v[(v.len() * 9 / 10).min(v.len() - 1)];
    let max = v[v.len() - 1];
    format!(
        "median {median:.1} ms, p90 {p90:.1} ms, max {max:.1} ms (n={})",
        v.len()
    )
}

/// Wall time of `gst-launch-1.0` decoding the first `frames` frames (from the
/// first keyframe), best of three.
fn floor_run(clip: &str, frames: u64) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let status = Command::new("gst-launch-1.0")
                .args([
                    "-q",
                    "filesrc",
                    &format!("location={clip}"),
                    "!",
                    "qtdemux",
                    "!",
                    "h264parse",
                    "!",
                    "avdec_h264",
                    "!",
                    "fakesink",
                    "sync=false",
                    &format!("num-buffers={frames}"),
                ])
                .status()
                .expect("gst-launch-1.0 runs (gstreamer1.0-tools)");
            assert!(status.success(), "gst-launch-1.0 failed");
            millis(start.elapsed())
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("timing_bench: {e}");
            std::process::exit(2);
        }
    };
    framescope::engine::init().expect("GStreamer initialises");
    let frame_ns = 1_000_000_000 / o.fps;
    let gop_ns = frame_ns * o.gop;
    let player = Player::headless();
    player.set_audio_enabled(false);
    player.open(&o.clip);
    assert!(settled(&player), "the clip did not load");
    let duration = player.duration();
    assert!(duration > 3 * gop_ns, "the clip is too short");

    // Accurate seeks to random targets after the first GOP.
    let mut x: u64 = 0x5EED;
    let mut seeks = Vec::new();
    let mut frames_from_key = Vec::new();
    for _ in 0..o.seeks {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let target = gop_ns + x % (duration - 2 * gop_ns);
        let start = Instant::now();
        player.seek(gst::ClockTime::from_nseconds(target));
        assert!(settled(&player), "seek to {target} did not settle");
        seeks.push(millis(start.elapsed()));
        let pts = player.frame_pts() as u64;
        assert!(
            pts <= target && target < pts + frame_ns + 1_000_000,
            "seek to {target} showed {pts}"
        );
        frames_from_key.push((target % gop_ns) / frame_ns + 1);
    }

    // Backward steps across three GOPs, from just before a keyframe + 3/4 GOP.
    let start_at = 6 * gop_ns + 3 * gop_ns / 4;
    player.seek(gst::ClockTime::from_nseconds(start_at));
    assert!(settled(&player));
    let start_frame = player.frame_number();
    let fills_before = player.stats_step_cache_fills();
    let (mut filled, mut cached) = (Vec::new(), Vec::new());
    let steps = (2 * o.gop + o.gop / 2) as usize;
    let all = Instant::now();
    for _ in 0..steps {
        let fills = player.stats_step_cache_fills();
        let start = Instant::now();
        player.step_backward();
        assert!(settled(&player), "a backward step did not settle");
        let took = millis(start.elapsed());
        if player.stats_step_cache_fills() > fills {
            filled.push(took);
        } else {
            cached.push(took);
        }
    }
    let stepping = all.elapsed();
    assert_eq!(
        player.frame_number(),
        start_frame - steps as i64,
        "stepped back to the right frame"
    );
    let fills = player.stats_step_cache_fills() - fills_before;
    // In the app a cached frame is also converted to a texture to be drawn.
    let frame = player.current_frame().expect("a frame on screen");
    let conversions: Vec<f64> = (0..10)
        .map(|_| {
            let start = Instant::now();
            let texture = framescope::engine::texture_from_sample(&frame);
            assert!(texture.is_some(), "the frame converts to a texture");
            millis(start.elapsed())
        })
        .collect();

    // The floor: gst-launch-1.0 decoding from the keyframe to each target.
    let startup = floor_run(&o.clip, 1);
    let floors: Vec<f64> = frames_from_key
        .iter()
        .map(|&k| (floor_run(&o.clip, k) - startup).max(0.0))
        .collect();
    let gop_floor = (floor_run(&o.clip, o.gop) - startup).max(0.0);

    println!("## Seek and step latency: {}", o.clip);
    println!();
    println!("| measure | figure |");
    println!("|---|---|");
    println!(
        "| accurate seek, call to exact frame (Framescope, headless) | {} |",
        stats(seeks.clone())
    );
    println!(
        "| floor: gst-launch-1.0 decoding keyframe → target, same targets | {} |",
        stats(floors.clone())
    );
    let ratio: Vec<f64> = seeks
        .iter()
        .zip(&floors)
        .map(|(s, f)| s / f.max(1.0))
        .collect();
    println!(
        "| ratio seek / floor, per target | {} (no unit) |",
        stats(ratio).replace(" ms", "")
    );
    println!(
        "| backward step that decoded its GOP ({fills} fills) | {} |",
        stats(filled)
    );
    println!(
        "| backward step served from the cache | {} |",
        stats(cached)
    );
    println!(
        "| + converting a cached frame to a texture (the app, per step) | {} |",
        stats(conversions)
    );
    println!(
        "| floor: gst-launch-1.0 decoding one whole GOP ({} frames) | {gop_floor:.1} ms |",
        o.gop
    );
    println!(
        "| {steps} backward steps in a row | {:.2} s, {:.0} steps/s |",
        stepping.as_secs_f64(),
        steps as f64 / stepping.as_secs_f64()
    );
    println!();
    println!("gst-launch-1.0 start-up (num-buffers=1) subtracted from each floor: {startup:.1} ms");
}
