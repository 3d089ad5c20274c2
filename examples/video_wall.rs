//! A video wall: N `PlayerView`s in a square-ish grid (9 → 3x3), each with
//! its own engine `Player`, looping its own stream with audio off. Tiles are
//! independent: one that fails shows its error page and the others play on.
//! Without inputs, short distinct 640x360 test clips are generated first.
//! With `--stats-json` it writes per-tile frame counts and the process's CPU
//! time when it quits (see `bench/video_wall.sh`).
//!
//! `video_wall [--tiles N] [--exit-after SECONDS] [--stats-json FILE]
//!  [--video-path gl|software|auto] [--max-restarts N] [--stall-timeout MS]
//!  [--window-size WxH] [FILE|URI]...`

#[path = "support/bench.rs"]
mod bench;

use anyhow::{bail, Context, Result};
use bench::{cpu_seconds, parse_seconds, parse_size, WallGrid};
use clap::Parser;
use framescope::engine::{Player, VideoMode};
use framescope::widget::{ControlsMode, PlayerView};
use gst::prelude::*;
use gtk::prelude::*;
use serde::Serialize;
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A grid of independent looping players.
#[derive(Parser, Debug, Clone)]
struct Options {
    /// Number of tiles.
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u32).range(1..=64))]
    tiles: u32,
    /// Quit by itself after this many seconds.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    exit_after: Option<f64>,
    /// On quitting, write per-tile statistics to this JSON file.
    #[arg(long, value_name = "FILE")]
    stats_json: Option<PathBuf>,
    /// The video chain of every tile: gl, software or auto (probe GL).
    #[arg(long, value_name = "PATH", default_value = "auto")]
    video_path: VideoMode,
    /// Restart a failed or stalled tile up to this many times in a row
    /// (the player's watchdog) before showing its error; 0 turns it off.
    #[arg(long, value_name = "N", default_value_t = 0)]
    max_restarts: u32,
    /// With the watchdog on, a tile showing no new frame for this many
    /// milliseconds is stalled (default: the player's, 5000).
    #[arg(long, value_name = "MS")]
    stall_timeout: Option<u32>,
    /// The window's initial size.
    #[arg(long, value_name = "WxH", default_value = "1280x720", value_parser = parse_size)]
    window_size: (i32, i32),
    /// Files or URIs, given to the tiles round-robin; without any, generated
    /// test clips.
    inputs: Vec<String>,
}

/// One tile's figures in the `--stats-json` file: frames from the player's
/// statistics, restarts and errors from its watchdog counters.
#[derive(Serialize)]
struct TileStats {
    uri: Option<String>,
    rendered: u64,
    dropped: u64,
    restarts: u32,
    errors: u32,
    stalls: u32,
}

/// The `--stats-json` file.
#[derive(Serialize)]
struct WallStats {
    tiles: Vec<TileStats>,
    /// Wall-clock seconds since the window was shown.
    seconds: f64,
    /// The process's user + system CPU seconds over the same time.
    cpu_seconds: f64,
    /// The video path the first tile resolved to (`gl` or `software`).
    video_path: Option<&'static str>,
}

fn main() -> glib::ExitCode {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let options = Options::parse();
    if let Err(e) = framescope::engine::init() {
        eprintln!("video_wall: GStreamer could not be initialised ({e}).");
        return glib::ExitCode::FAILURE;
    }
    // Generated clips live as long as the wall.
    let mut clip_dir = None;
    let inputs = if options.inputs.is_empty() {
        match generate_clips(options.tiles as usize) {
            Ok((dir, clips)) => {
                clip_dir = Some(dir);
                clips
            }
            Err(e) => {
                eprintln!("video_wall: test clips could not be generated ({e:#}); pass files to play instead.");
                return glib::ExitCode::FAILURE;
            }
        }
    } else {
        options.inputs.clone()
    };
    // The app's cheap drawing (not when GL video is asked for): the cairo
    // renderer on a software rasteriser, and no GL at all without a GPU.
    if options.video_path != VideoMode::Gl {
        framescope::widget::prefer_cheap_drawing();
    }
    let app = gtk::Application::new(
        Some("org.framescope.VideoWallExample"),
        gio::ApplicationFlags::NON_UNIQUE,
    );
    app.connect_activate(move |app| {
        if let Err(e) = framescope::widget::init() {
            eprintln!("video_wall: the player could not be set up ({e}).");
            return;
        }
        build(app, &options, &inputs);
    });
    let code = app.run_with_args(&["video_wall"]);
    drop(clip_dir);
    code
}

/// Builds the window and starts every tile.
fn build(app: &gtk::Application, options: &Options, inputs: &[String]) {
    let tiles = options.tiles as usize;
    let mut grid = WallGrid::new(tiles);
    let mut players = Vec::with_capacity(tiles);
    for i in 0..tiles {
        let view = PlayerView::new();
        let player = view.player();
        player.set_video_mode(options.video_path);
        player.set_audio_enabled(false);
        player.set_looping(true);
        player.set_max_restarts(options.max_restarts);
        if let Some(ms) = options.stall_timeout {
            player.set_stall_timeout(ms);
        }
        // A wall has no use for per-tile transport controls.
        view.set_controls(ControlsMode::Off);
        view.open(&inputs[i % inputs.len()]);
        grid.add(&view);
        players.push(player);
    }
    let (width, height) = options.window_size;
    let window = gtk::ApplicationWindow::builder()
        .application(app)
        .title(format!("Framescope video wall ({tiles} tiles)"))
        .default_width(width)
        .default_height(height)
        .child(&grid.grid)
        .build();
    let started = (Instant::now(), cpu_seconds());
    let written = Rc::new(Cell::new(false));
    let finish = {
        let path = options.stats_json.clone();
        move || {
            if let Some(path) = &path {
                if !written.replace(true) {
                    write_stats(path, &players, started);
                }
            }
        }
    };
    let on_close = finish.clone();
    window.connect_close_request(move |_| {
        on_close();
        glib::Propagation::Proceed
    });
    if let Some(seconds) = options.exit_after {
        let window = window.downgrade();
        glib::timeout_add_local_once(Duration::from_secs_f64(seconds), move || {
            finish();
            // Destroying the window disposes the views, which stop their
            // pipelines; the application then quits on its own.
            if let Some(window) = window.upgrade() {
                window.destroy();
            }
        });
    }
    window.present();
}

fn write_stats(path: &Path, players: &[Player], started: (Instant, f64)) {
    let stats = WallStats {
        tiles: players
            .iter()
            .map(|p| {
                let s = p.stats();
                TileStats {
                    uri: p.uri(),
                    rendered: s.rendered,
                    dropped: s.dropped,
                    restarts: p.restarts(),
                    errors: p.errors(),
                    stalls: p.stalls(),
                }
            })
            .collect(),
        seconds: started.0.elapsed().as_secs_f64(),
        cpu_seconds: cpu_seconds() - started.1,
        video_path: players
            .first()
            .and_then(|p| p.stats().video_path)
            .map(|p| p.nick()),
    };
    let result = serde_json::to_string_pretty(&stats)
        .map_err(anyhow::Error::from)
        .and_then(|text| std::fs::write(path, text + "\n").map_err(Into::into));
    if let Err(e) = result {
        eprintln!(
            "video_wall: the statistics could not be written to {} ({e}).",
            path.display()
        );
    }
}

/// Patterns that look different from each other at a glance.
const PATTERNS: &[&str] = &[
    "smpte",
    "ball",
    "pinwheel",
    "circular",
    "colors",
    "spokes",
    "gradient",
    "checkers-8",
    "bar",
    "smpte75",
    "chroma-zone-plate",
    "blink",
];

/// Writes one 5 s 640x360 30 fps clip per tile (up to one per pattern) to a
/// temporary folder, numbered on screen; H.264/MP4, or VP8/WebM when x264enc
/// is not installed.
fn generate_clips(tiles: usize) -> Result<(tempfile::TempDir, Vec<String>)> {
    let dir = tempfile::Builder::new()
        .prefix("framescope-wall-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    let (encoder, muxer, ext) = if gst::ElementFactory::find("x264enc").is_some() {
        (
            "x264enc speed-preset=ultrafast key-int-max=30",
            "mp4mux",
            "mp4",
        )
    } else if gst::ElementFactory::find("vp8enc").is_some() {
        ("vp8enc deadline=1 keyframe-max-dist=30", "webmmux", "webm")
    } else {
        bail!("neither x264enc nor vp8enc is installed (gstreamer1.0-plugins-ugly or -good)");
    };
    let count = tiles.min(PATTERNS.len());
    let mut clips = Vec::with_capacity(count);
    for (i, pattern) in PATTERNS.iter().take(count).enumerate() {
        let label = if gst::ElementFactory::find("timeoverlay").is_some() {
            format!("timeoverlay text=\"{}\" font-desc=\"Sans 28\" ! ", i + 1)
        } else {
            String::new()
        };
        let description = format!(
            "videotestsrc num-buffers=150 pattern={pattern} horizontal-speed=2 \
             ! video/x-raw,width=640,height=360,framerate=30/1 ! {label}videoconvert \
             ! {encoder} ! {muxer} ! filesink name=out"
        );
        let path = dir.path().join(format!("tile-{}-{pattern}.{ext}", i + 1));
        run_to_end(&description, &path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        clips.push(path.display().to_string());
    }
    tracing::info!(count, dir = %dir.path().display(), "generated test clips");
    Ok((dir, clips))
}

/// Runs a launch description whose `out` filesink writes `path`, to the end.
fn run_to_end(description: &str, path: &Path) -> Result<()> {
    let pipeline = gst::parse::launch(description)?
        .downcast::<gst::Pipeline>()
        .map_err(|_| anyhow::anyhow!("not a pipeline"))?;
    let sink = pipeline.by_name("out").context("no filesink")?;
    sink.set_property("location", path.display().to_string());
    pipeline.set_state(gst::State::Playing)?;
    let bus = pipeline.bus().context("no bus")?;
    let result = match bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(60),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    ) {
        Some(msg) => match msg.view() {
            gst::MessageView::Error(e) => Err(anyhow::anyhow!("{}", e.error())),
            _ => Ok(()),
        },
        None => Err(anyhow::anyhow!("encoding took over 60 s")),
    };
    let _ = pipeline.set_state(gst::State::Null);
    result
}
