//! Network benchmark (run by `bash bench/network.sh`): side by side in one
//! run, on streams served from 127.0.0.1 by this program (RTMP through a
//! nginx with its RTMP module that it starts, when installed),
//! 1. time to first frame of a local HLS, RTSP and RTMP stream:
//!    this program's own `ttff URI` mode (a headless Framescope player,
//!    process start to its first frame rendered, then exit) against
//!    `gst-play-1.0 --videosink "fakesink num-buffers=1"` on the same URL
//!    (process start to exit after its first frame); medians of N runs;
//! 2. end-to-end latency of the RTSP and RTMP streams: the sender writes its
//!    clock (ms since the epoch, 40 bits as 16x16 blocks) into each frame
//!    before encoding; the player's video sink reads it back as it renders
//!    the frame; median and 95th percentile at the default latency and with
//!    `live-latency-ms` 200 (RTSP's target: within 50 ms of the configured
//!    value; RTMP has no jitter buffer to configure, so no target). The
//!    RTMP sender is the same stamped camera, `flvmux ! rtmp2sink` to nginx.
//!    Every frame is a keyframe: with P-frames x264 (ultrafast, zerolatency)
//!    lost the stamp's blocks after the first frame of each GOP.

#[path = "../tests/common/http/mod.rs"]
#[allow(dead_code)]
mod http;
#[path = "../tests/common/rtmp.rs"]
#[allow(dead_code)]
mod rtmp;

use framescope::engine::Player;
use gst::prelude::*;
use gst_rtsp_server::prelude::*;
use gst_video::prelude::*;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Bits of the clock stamp, and the size of each bit's block.
const STAMP_BITS: usize = 40;
/// The clock in ms, as far as the stamp carries it.
const STAMP_MASK: u64 = (1 << STAMP_BITS) - 1;
const BLOCK: usize = 16;
const WIDTH: usize = 320;
const HEIGHT: usize = 240;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Writes `ms` into the Y plane of an I420 frame: bit i is block i, left
/// to right over the first rows of blocks, white for 1.
fn write_stamp(y: &mut [u8], stride: usize, ms: u64) {
    let per_row = WIDTH / BLOCK;
    for bit in 0..STAMP_BITS {
        let value = if ms >> bit & 1 == 1 { 235 } else { 16 };
        let (bx, by) = (bit % per_row * BLOCK, bit / per_row * BLOCK);
        for row in by..by + BLOCK {
            y[row * stride + bx..row * stride + bx + BLOCK].fill(value);
        }
    }
}

/// Reads the stamp back (each block's middle pixel).
fn read_stamp(y: &[u8], stride: usize) -> u64 {
    let per_row = WIDTH / BLOCK;
    (0..STAMP_BITS).fold(0, |ms, bit| {
        let (x, row) = (
            bit % per_row * BLOCK + BLOCK / 2,
            bit / per_row * BLOCK + BLOCK / 2,
        );
        if y[row * stride + x] > 128 {
            ms | 1 << bit
        } else {
            ms
        }
    })
}

/// The live camera of the senders: black 320x240 I420 at 30 fps, every
/// frame a keyframe. A launch fragment; its source is named `camera`.
fn camera_h264() -> String {
    format!(
        "videotestsrc is-live=true pattern=black name=camera ! video/x-raw,format=I420,width={WIDTH},height={HEIGHT},framerate=30/1 \
         ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=1 bframes=0"
    )
}

/// Stamps each frame of `bin`'s `camera` with the clock as it leaves it.
fn stamp_camera(bin: &gst::Bin) {
    let Some(pad) = bin.by_name("camera").and_then(|c| c.static_pad("src")) else {
        return;
    };
    pad.add_probe(gst::PadProbeType::BUFFER, |_, info| {
        if let Some(buffer) = info.buffer_mut() {
            // videotestsrc shares one memory between its black
            // frames: stamp a copy of its own.
            if let Ok(mut copy) = buffer.copy_deep() {
                if let Ok(mut map) = copy.make_mut().map_writable() {
                    // I420: the Y plane first, rows of WIDTH bytes.
                    write_stamp(&mut map, WIDTH, now_ms() & STAMP_MASK);
                }
                *buffer = copy;
            }
        }
        gst::PadProbeReturn::Ok
    });
}

/// nginx with the RTMP module and the stamped camera published to it as
/// FLV; `Err` says why not (nginx or its module missing).
fn start_rtmp() -> Result<(rtmp::Nginx, gst::Element, String), String> {
    let nginx = rtmp::Nginx::start()?;
    let url = nginx.url("bench");
    let publisher = gst::parse::launch(&format!(
        "{} ! h264parse ! flvmux streamable=true ! rtmp2sink location={url}",
        camera_h264()
    ))
    .map_err(|e| format!("the RTMP publisher does not build: {e}"))?;
    if let Some(bin) = publisher.downcast_ref::<gst::Bin>() {
        stamp_camera(bin);
    }
    publisher
        .set_state(gst::State::Playing)
        .map_err(|e| format!("the RTMP publisher does not start: {e}"))?;
    if !rtmp::wait_until_published(&url) {
        return Err(format!(
            "nothing was published at {url}: {}",
            nginx.error_log()
        ));
    }
    Ok((nginx, publisher, url))
}

/// The RTSP server, on its own thread and loop: `/live` is a live source
/// stamped with the clock; returns its port.
fn start_rtsp_server() -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let context = glib::MainContext::new();
        let _guard = context.acquire().expect("a new context is free");
        let server = gst_rtsp_server::RTSPServer::new();
        server.set_address("127.0.0.1");
        server.set_service("0");
        let factory = gst_rtsp_server::RTSPMediaFactory::new();
        factory.set_launch(&format!(
            "( {} ! rtph264pay name=pay0 pt=96 config-interval=-1 )",
            camera_h264()
        ));
        factory.set_shared(true);
        factory.connect_media_configure(|_, media| {
            if let Some(bin) = media.element().downcast_ref::<gst::Bin>() {
                stamp_camera(bin);
            }
        });
        server
            .mount_points()
            .expect("mount points")
            .add_factory("/live", factory);
        let _source = server.attach(Some(&context)).expect("the server listens");
        tx.send(server.bound_port() as u16).unwrap();
        let main_loop = glib::MainLoop::new(Some(&context), false);
        main_loop.run();
    });
    rx.recv().expect("the RTSP server starts")
}

/// Makes the benchmark's HLS tree (10 s, 2 s segments) once.
fn hls_tree(dir: &Path) {
    let playlist = dir.join("index.m3u8");
    if playlist.exists() {
        return;
    }
    std::fs::create_dir_all(dir).unwrap();
    let launch = format!(
        "videotestsrc num-buffers=300 pattern=ball ! video/x-raw,width=640,height=360,framerate=30/1 ! x264enc speed-preset=ultrafast key-int-max=30 ! h264parse \
         ! hlssink2 target-duration=2 playlist-length=0 max-files=0 location={}/segment%05d.ts playlist-location={}",
        dir.display(),
        playlist.display()
    );
    let pipeline = gst::parse::launch(&launch).expect("the HLS maker builds");
    pipeline.set_state(gst::State::Playing).unwrap();
    let bus = pipeline.bus().unwrap();
    bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(120),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    pipeline.set_state(gst::State::Null).unwrap();
}

/// `ttff URI`: a headless player from process start to its first frame.
fn ttff(uri: &str) {
    let start = Instant::now();
    framescope::engine::init().expect("GStreamer initialises");
    let player = Player::headless();
    // The first frame counts when the sink renders it (after its clock
    // wait), as gst-play-1.0's one-buffer fakesink does.
    player.set_video_sink(Some(
        "fakesink name=ttff_probe sync=true signal-handoffs=true",
    ));
    player.open(uri);
    player.play();
    let rendered = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let context = glib::MainContext::default();
    let deadline = Instant::now() + Duration::from_secs(30);
    let done = || rendered.load(std::sync::atomic::Ordering::SeqCst);
    let mut connected = false;
    while !done() && Instant::now() < deadline {
        if !connected {
            if let Some(sink) = player.pipeline().and_then(|p| p.by_name("ttff_probe")) {
                let rendered = rendered.clone();
                sink.connect("handoff", false, move |_| {
                    rendered.store(true, std::sync::atomic::Ordering::SeqCst);
                    None
                });
                connected = true;
            }
        }
        context.iteration(false);
        std::thread::sleep(Duration::from_millis(1));
    }
    if !done() {
        eprintln!("network_bench: no frame from {uri} within 30 s");
        std::process::exit(1);
    }
    println!("{:.1}", start.elapsed().as_secs_f64() * 1000.0);
    // Exit at once, as gst-play-1.0 does after its one buffer.
    std::process::exit(0);
}

/// Wall time of a command from spawn to exit, in ms (None if it failed).
fn wall_ms(command: &mut Command) -> Option<f64> {
    let start = Instant::now();
    let status = command.output().ok()?.status;
    status
        .success()
        .then(|| start.elapsed().as_secs_f64() * 1000.0)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn percentile(mut values: Vec<f64>, p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let at = ((values.len() as f64 - 1.0) * p).round() as usize;
    values.get(at).copied().unwrap_or(f64::NAN)
}

/// Latency samples (ms) of `uri` for `seconds`, with `live_latency_ms`,
/// and the latency the player's pipeline reported at the end (ms).
fn latency_samples(uri: &str, live_latency_ms: i32, seconds: u64) -> (Vec<f64>, f64) {
    let player = Player::headless();
    player.set_live_latency_ms(live_latency_ms);
    player.set_video_sink(Some(
        "fakesink name=latency_probe sync=true signal-handoffs=true",
    ));
    let samples = Arc::new(Mutex::new(Vec::new()));
    player.open(uri);
    player.play();
    let context = glib::MainContext::default();
    let mut connected = false;
    let end = Instant::now() + Duration::from_secs(seconds + 5);
    let mut measuring_from = None;
    while Instant::now() < end {
        context.iteration(false);
        std::thread::sleep(Duration::from_millis(2));
        if !connected {
            let sink = player.pipeline().and_then(|p| p.by_name("latency_probe"));
            if let Some(sink) = sink {
                let samples = samples.clone();
                sink.connect("handoff", false, move |args| {
                    let buffer = args[1].get::<gst::Buffer>().ok()?;
                    let pad = args[2].get::<gst::Pad>().ok()?;
                    let info = pad
                        .current_caps()
                        .and_then(|c| gst_video::VideoInfo::from_caps(&c).ok())?;
                    // The decoder's own strides (a video meta) count, not the caps'.
                    let frame =
                        gst_video::VideoFrameRef::from_buffer_ref_readable(&buffer, &info).ok()?;
                    let stride = frame.plane_stride()[0] as usize;
                    let plane = frame.plane_data(0).ok()?;
                    if info.width() as usize == WIDTH && plane.len() >= stride * BLOCK * 2 {
                        let sent = read_stamp(plane, stride);
                        let now = now_ms() & STAMP_MASK;
                        // Keep what decoded to a sane stamp (the last 10 s).
                        let age = now.wrapping_sub(sent) & STAMP_MASK;
                        if age < 10_000 {
                            samples.lock().unwrap().push(age as f64);
                        }
                    }
                    None
                });
                connected = true;
            }
        }
        // Count from 2 s after the first frame (startup settles).
        if measuring_from.is_none() && !samples.lock().unwrap().is_empty() {
            measuring_from = Some(Instant::now() + Duration::from_secs(2));
        }
        if let Some(from) = measuring_from {
            if Instant::now() > from + Duration::from_secs(seconds) {
                break;
            }
            if Instant::now() < from {
                samples.lock().unwrap().clear();
            }
        }
    }
    let mut query = gst::query::Latency::new();
    let reported = match player.pipeline() {
        Some(pipeline) if pipeline.query(&mut query) => query.result().1.nseconds() as f64 / 1e6,
        _ => f64::NAN,
    };
    player.stop();
    let taken = samples.lock().unwrap().clone();
    (taken, reported)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("ttff") {
        ttff(args.get(2).expect("ttff needs a URI"));
    }
    if args.get(1).map(String::as_str) == Some("serve") {
        // Serves the stamped RTSP stream until killed (for looking at it
        // with other players and tools).
        framescope::engine::init().expect("GStreamer initialises");
        println!("rtsp://127.0.0.1:{}/live", start_rtsp_server());
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let seconds: u64 = std::env::var("SECONDS_EACH")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    framescope::engine::init().expect("GStreamer initialises");
    let out = Path::new("bench/out/network");
    hls_tree(&out.join("hls"));
    let server = http::HttpServer::files(&out.join("hls")).start();
    let port = start_rtsp_server();
    let hls = server.url("index.m3u8");
    let rtsp = format!("rtsp://127.0.0.1:{port}/live");
    let rtmp = start_rtmp();
    let mut streams = vec![("HLS", hls.clone()), ("RTSP", rtsp.clone())];
    match &rtmp {
        Ok((_, _, url)) => streams.push(("RTMP", url.clone())),
        Err(why) => println!("RTMP skipped: {why}"),
    }
    let me = std::env::current_exe().expect("the benchmark knows its path");

    println!("Time to first frame (median of {runs} runs, process start to first frame; ms)");
    println!(
        "{:<6} {:>12} {:>14} {:>7}",
        "stream", "framescope", "gst-play-1.0", "ratio"
    );
    for (name, uri) in &streams {
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for _ in 0..runs {
            if let Some(ms) = wall_ms(Command::new(&me).args(["ttff", uri])) {
                ours.push(ms);
            }
            if let Some(ms) = wall_ms(
                Command::new("gst-play-1.0")
                    .args([
                        "--no-interactive",
                        "-q",
                        "--videosink",
                        "fakesink num-buffers=1 sync=true",
                    ])
                    .args(["--audiosink", "fakesink"])
                    .arg(uri),
            ) {
                theirs.push(ms);
            }
        }
        let (a, b) = (median(ours), median(theirs));
        println!("{name:<6} {a:>12.0} {b:>14.0} {:>7.2}", a / b);
    }
    println!(
        "(framescope: `{} ttff URL`; gst-play-1.0: `gst-play-1.0 --no-interactive -q --videosink \"fakesink num-buffers=1 sync=true\" --audiosink fakesink URL`)",
        me.display()
    );

    println!();
    println!(
        "End-to-end latency ({seconds} s of frames each; sender clock stamped in the pixels; ms)"
    );
    println!(
        "{:<6} {:<22} {:>8} {:>8} {:>8} {:>9} {:>7}",
        "stream", "setting", "frames", "median", "p95", "pipeline", "target"
    );
    let mut cases = vec![
        ("RTSP", &rtsp, "default (2000 ms)", -1),
        ("RTSP", &rtsp, "live-latency-ms 200", 200),
    ];
    if let Ok((_, _, url)) = &rtmp {
        cases.push(("RTMP", url, "default", -1));
        cases.push(("RTMP", url, "live-latency-ms 200", 200));
    }
    for (stream, uri, label, latency) in cases {
        let (samples, reported) = latency_samples(uri, latency, seconds);
        let (m, p) = (median(samples.clone()), percentile(samples.clone(), 0.95));
        let target = if latency > 0 && stream == "RTSP" {
            if (m - f64::from(latency)).abs() <= 50.0 {
                "PASS"
            } else {
                "FAIL"
            }
        } else {
            "-"
        };
        println!(
            "{stream:<6} {label:<22} {:>8} {m:>8.0} {p:>8.0} {reported:>9.0} {target:>7}",
            samples.len()
        );
    }
    println!("(target, RTSP only: the median within 50 ms of the configured latency; pipeline: the latency the player's pipeline reported)");
    if let Ok((_nginx, publisher, _)) = rtmp {
        let _ = publisher.set_state(gst::State::Null);
    }
}
