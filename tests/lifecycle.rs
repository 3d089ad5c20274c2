//! Lifecycle tests under X (Xvfb when no display is set): a `PlayerView`
//! that is created, played and destroyed leaves nothing behind, and letting
//! go of a player never holds up the main loop, even while its pipeline is
//! stuck. GTK must run on the main thread, so this binary has its own
//! harness, like `tests/widget.rs`.
//!
//! What is checked: 200 create/play/destroy cycles (and 100 more on the GL
//! path) return the thread count, the open file descriptors and the resident
//! memory to within a small bound of where they started, and every player
//! and pipeline made is finalized, with every element that was inside it;
//! destroying a view, stopping a player and
//! dropping one each return within 100 ms (with the main loop ticking on)
//! while the source is an HTTP server that never answers, one that sends
//! headers and stalls, or a filter that sleeps two seconds per frame, and
//! those pipelines are then freed. (`souphttpsrc` lets go of a stalled
//! connection at once; the sleeping filter is what held up the old
//! teardown, for as long as it slept.)

mod common;

use common::http::{Fault, HttpServer, Length};
use common::*;
use framescope::engine::{pending_shutdowns, Player, VideoMode, VideoPath};
use framescope::widget::PlayerView;
use glib::prelude::*;
use gst::prelude::GstBinExtManual;
use gtk::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Cycles measured (after the warm-up).
const CYCLES: usize = 200;
/// Cycles measured on the GL path (`VideoMode::Auto` takes the software
/// path on a software renderer such as Xvfb's, so GL is forced for these).
const GL_CYCLES: usize = 100;
/// Cycles run first, so that one-off allocations (plugin loading, shader
/// and font caches, GStreamer's thread pools) are not counted as growth.
const WARM_UP: usize = 10;
/// Threads and descriptors may end this far above where they started.
const HANDLE_SLACK: usize = 2;
/// Resident memory (after `malloc_trim`) may grow this much over the
/// measured cycles. Without the trim, 5 to 10 MB on the software path and
/// up to 26 MB on the GL path were measured here: memory the allocator
/// keeps, not objects. A view leaked with a cycle of
/// references costs about 10 MB (its pipeline goes on playing), so two
/// leaked cycles already fail.
const RSS_SLACK_KB: u64 = 20 * 1024;
/// What "the main thread was not held up" means.
const MAIN_LOOP_BUDGET: Duration = Duration::from_millis(100);

/// Threads, open descriptors and resident memory of this process.
#[derive(Debug, Clone, Copy)]
struct Usage {
    threads: usize,
    fds: usize,
    rss_kb: u64,
}

fn usage() -> Usage {
    // Freed memory the allocator keeps is handed back first, so what is
    // left is memory still in use.
    // SAFETY: malloc_trim only releases free heap pages.
    unsafe { libc::malloc_trim(0) };
    let count = |dir: &str| std::fs::read_dir(dir).map_or(0, |d| d.count());
    let rss_kb = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0);
    Usage {
        threads: count("/proc/self/task"),
        fds: count("/proc/self/fd"),
        rss_kb,
    }
}

/// Runs the main loop until every pipeline let go of has been freed.
fn wait_for_shutdowns(timeout: Duration) -> bool {
    run_until(timeout, || pending_shutdowns() == 0)
}

/// Runs the main loop until the thread and descriptor counts are back
/// within the slack of `start` (worker threads finish a moment after their
/// work), or `timeout`; returns the usage then.
fn settle(start: Usage, timeout: Duration) -> Usage {
    let mut now = usage();
    let deadline = Instant::now() + timeout;
    while (now.threads > start.threads + HANDLE_SLACK || now.fds > start.fds + HANDLE_SLACK)
        && Instant::now() < deadline
    {
        run_until(Duration::from_millis(50), || false);
        now = usage();
    }
    now
}

/// What one cycle left behind to check on.
struct Cycle {
    player: glib::WeakRef<Player>,
    pipeline: glib::WeakRef<gst::Pipeline>,
    /// How long destroying the window and dropping the view took.
    destroy: Duration,
    /// From then until the pipeline was released (main loop running).
    release: Duration,
    /// The video chain the player used.
    path: VideoPath,
    /// Every element inside the pipeline while it played, by name: each
    /// must be freed with it (GStreamer 1.22's playsink leaked the `volume`
    /// it adds when the audio sink has none).
    elements: Vec<(String, glib::WeakRef<gst::Element>)>,
}

/// A 320×240 window with a new view in it, its player prepared by
/// `set_up` before the window shows.
fn small_window_with_view(set_up: impl FnOnce(&Player)) -> (gtk::Window, PlayerView) {
    let window = gtk::Window::builder()
        .default_width(320)
        .default_height(240)
        .title("lifecycle test")
        .build();
    let view = PlayerView::new();
    set_up(&view.player());
    window.set_child(Some(&view));
    window.present();
    (window, view)
}

/// Creates a window with a view, plays `clip` until frames are rendered,
/// destroys the window, drops everything and runs the main loop until the
/// pipeline has been released.
fn cycle(clip: &str, mode: VideoMode) -> Result<Cycle, String> {
    let (window, view) = small_window_with_view(|player| player.set_video_mode(mode));
    view.open(clip);
    let player = view.player();
    let played = run_until(Duration::from_secs(10), || {
        player.position() > 0 && player.stats().rendered > 0
    });
    check!(
        played,
        "the clip did not play (state {:?}, position {})",
        player.state(),
        player.position()
    );
    let pipeline = player.pipeline().ok_or("no pipeline while playing")?;
    let elements = pipeline
        .iterate_recurse()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                gst::prelude::GstObjectExt::name(&e).to_string(),
                e.downgrade(),
            )
        })
        .collect();
    let path = player.video_path();
    let weak = (player.downgrade(), pipeline.downgrade());
    drop((player, pipeline));
    let start = Instant::now();
    window.destroy();
    drop(window);
    drop(view);
    let destroy = start.elapsed();
    check!(
        wait_for_shutdowns(Duration::from_secs(10)),
        "the pipeline was not released within 10 s"
    );
    Ok(Cycle {
        player: weak.0,
        pipeline: weak.1,
        destroy,
        release: start.elapsed(),
        path,
        elements,
    })
}

fn create_play_destroy_leaves_nothing_behind() -> TestResult {
    cycles_leave_nothing_behind(VideoMode::Auto, CYCLES)
}

fn gl_path_cycles_leave_nothing_behind() -> TestResult {
    cycles_leave_nothing_behind(VideoMode::Gl, GL_CYCLES)
}

/// Runs `count` create/play/destroy cycles (after the warm-up) with video
/// shown the `mode` way and checks what is left.
fn cycles_leave_nothing_behind(mode: VideoMode, count: usize) -> TestResult {
    let clip = clip("h264_aac.mp4").display().to_string();
    for _ in 0..WARM_UP {
        cycle(&clip, mode)?;
    }
    check!(
        wait_for_shutdowns(Duration::from_secs(10)),
        "warm-up: {} pipelines never finished stopping",
        pending_shutdowns()
    );
    run_until(Duration::from_millis(500), || false);
    let start = usage();
    let began = Instant::now();
    let mut cycles = Vec::with_capacity(count);
    for i in 0..count {
        cycles.push(cycle(&clip, mode).map_err(|e| format!("cycle {i}: {e}"))?);
    }
    let per_cycle = began.elapsed() / count as u32;
    check!(
        wait_for_shutdowns(Duration::from_secs(10)),
        "{} pipelines never finished stopping",
        pending_shutdowns()
    );
    // Work the sinks handed to the main loop (their paintables' drops).
    run_until(Duration::from_millis(500), || false);
    let end = settle(start, Duration::from_secs(5));
    let players = cycles
        .iter()
        .filter(|c| c.player.upgrade().is_some())
        .count();
    let pipelines = cycles
        .iter()
        .filter(|c| c.pipeline.upgrade().is_some())
        .count();
    let elements_alive: Vec<&str> = cycles
        .iter()
        .flat_map(|c| &c.elements)
        .filter(|(_, e)| e.upgrade().is_some())
        .map(|(name, _)| name.as_str())
        .collect();
    let destroy_max = cycles.iter().map(|c| c.destroy).max().unwrap_or_default();
    let release_mean = cycles.iter().map(|c| c.release).sum::<Duration>() / count as u32;
    let growth_kb = end.rss_kb.saturating_sub(start.rss_kb);
    println!(
        "    {mode:?} ({} path): {count} cycles after {WARM_UP} warm-up: threads {} -> {}, fds {} -> {}, \
         RSS {:.1} -> {:.1} MB ({:+.1} MB), {:.0} ms per cycle, destroy at most {:.1} ms, \
         released {:.1} ms after it on average; players alive {players}, pipelines alive {pipelines}",
        cycles.first().map_or("no", |c| c.path.nick()),
        start.threads,
        end.threads,
        start.fds,
        end.fds,
        start.rss_kb as f64 / 1024.0,
        end.rss_kb as f64 / 1024.0,
        (end.rss_kb as f64 - start.rss_kb as f64) / 1024.0,
        per_cycle.as_secs_f64() * 1e3,
        destroy_max.as_secs_f64() * 1e3,
        release_mean.as_secs_f64() * 1e3,
    );
    check!(
        players == 0,
        "{players} of {count} players were never freed"
    );
    check!(
        pipelines == 0,
        "{pipelines} of {count} pipelines were never freed"
    );
    check!(
        elements_alive.is_empty(),
        "{} elements of the freed pipelines are still alive: {}",
        elements_alive.len(),
        elements_alive
            .iter()
            .take(10)
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    );
    check!(
        end.threads <= start.threads + HANDLE_SLACK,
        "threads grew from {} to {}",
        start.threads,
        end.threads
    );
    check!(
        end.fds <= start.fds + HANDLE_SLACK,
        "open file descriptors grew from {} to {}",
        start.fds,
        end.fds
    );
    check!(
        growth_kb <= RSS_SLACK_KB,
        "resident memory grew by {} kB (allowed {RSS_SLACK_KB} kB)",
        growth_kb
    );
    check!(
        destroy_max < MAIN_LOOP_BUDGET,
        "destroying a window took {destroy_max:?}"
    );
    Ok(())
}

/// Cycles of the small-frame test (each leaked two sockets before).
const SMALL_FRAME_CYCLES: usize = 10;

/// Sockets this process has open (a GStreamer 1.22 buffer pool holds a
/// socket pair, as every bus does).
fn open_sockets() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|fd| {
            std::fs::read_link(fd.path()).is_ok_and(|t| t.to_string_lossy().starts_with("socket:"))
        })
        .count()
}

/// Shows 16 × 16 frames with alpha (drawn as textures on the software
/// path) in a view in a window, under GTK's default (GL) renderer, then
/// lets go of it all; returns whether frames were shown.
fn small_frame_cycle(format: &str) -> Result<(), String> {
    let (window, view) =
        small_window_with_view(|player| player.set_video_mode(VideoMode::Software));
    let player = view.player();
    player.open_pipeline(&format!(
        "videotestsrc pattern=ball ! video/x-raw,format={format},width=16,height=16,framerate=30/1"
    ));
    player.play();
    let played = run_until(Duration::from_secs(10), || player.stats().rendered > 5);
    // A few more frames drawn by GTK.
    run_until(Duration::from_millis(200), || false);
    drop(player);
    window.destroy();
    drop(window);
    drop(view);
    check!(played, "the 16 × 16 pattern did not play");
    check!(
        wait_for_shutdowns(Duration::from_secs(10)),
        "the pipeline was not released within 10 s"
    );
    Ok(())
}

/// Frames of 128 × 128 or less drawn as textures: GTK 4.8's GL renderer
/// keeps such textures (its icon cache) long after the view is gone. A
/// texture over the frame's own memory held the frame's buffer, and with
/// it the buffer pool of the pipeline's `videoconvert`, whose socket pair
/// stayed open: two sockets per view let go (the Unix sockets the long
/// storm run left open, issue 14).
fn small_frames_leave_no_sockets_behind() -> TestResult {
    // With alpha (textures) and without (BGRx: cairo surfaces).
    for format in ["BGRA", "BGRx"] {
        small_frame_cycle(format)?;
        run_until(Duration::from_millis(300), || false);
        let start = open_sockets();
        for i in 0..SMALL_FRAME_CYCLES {
            small_frame_cycle(format).map_err(|e| format!("{format} cycle {i}: {e}"))?;
        }
        // Work the sinks handed to the main loop (their paintables' drops).
        run_until(Duration::from_millis(500), || false);
        let end = open_sockets();
        println!(
            "    {SMALL_FRAME_CYCLES} cycles of 16 × 16 {format} frames: sockets {start} -> {end}"
        );
        check!(
            end <= start + HANDLE_SLACK,
            "open sockets grew from {start} to {end} over {SMALL_FRAME_CYCLES} views of 16 × 16 {format} frames"
        );
    }
    Ok(())
}

/// Records when a 10 ms main-loop timer fires, to show the loop kept turning.
struct Ticks {
    times: Rc<RefCell<Vec<Instant>>>,
    source: Option<glib::SourceId>,
}

impl Ticks {
    fn start() -> Self {
        let times = Rc::new(RefCell::new(vec![Instant::now()]));
        let t = times.clone();
        let source = glib::timeout_add_local(Duration::from_millis(10), move || {
            t.borrow_mut().push(Instant::now());
            glib::ControlFlow::Continue
        });
        Self {
            times,
            source: Some(source),
        }
    }

    /// Stops the timer and returns the longest gap between two ticks.
    fn longest_gap(mut self) -> Duration {
        if let Some(id) = self.source.take() {
            id.remove();
        }
        let times = self.times.borrow();
        times
            .windows(2)
            .map(|w| w[1] - w[0])
            .max()
            .unwrap_or_default()
    }
}

/// Plays `uri` in a view in a window (with `filter` as its video filter)
/// for half a second, then destroys the window; checks that neither that
/// nor, for a bare player, `stop` and the drop hold up the main loop, and
/// that the pipelines are freed afterwards. Returns a line of figures.
fn let_go_while_stuck(what: &str, uri: &str, filter: Option<&str>) -> Result<String, String> {
    let (window, view) = small_window_with_view(|player| player.set_video_filter(filter));
    view.open(uri);
    run_until(Duration::from_millis(500), || false);
    let state = view.player().state();
    let view_pipeline = view.player().pipeline().map(|p| p.downgrade());

    let ticks = Ticks::start();
    run_until(Duration::from_millis(50), || false);
    let start = Instant::now();
    window.destroy();
    drop(window);
    drop(view);
    let destroy = start.elapsed();
    run_until(Duration::from_millis(200), || false);
    let gap_destroy = ticks.longest_gap();

    let player = Player::new();
    player.set_video_filter(filter);
    player.open(uri);
    player.play();
    run_until(Duration::from_millis(500), || false);
    let player_pipeline = player.pipeline().map(|p| p.downgrade());
    let ticks = Ticks::start();
    run_until(Duration::from_millis(50), || false);
    let start = Instant::now();
    player.stop();
    let stop = start.elapsed();
    run_until(Duration::from_millis(50), || false);
    player.play();
    run_until(Duration::from_millis(300), || false);
    let replayed_pipeline = player.pipeline().map(|p| p.downgrade());
    let start = Instant::now();
    drop(player);
    let dispose = start.elapsed();
    run_until(Duration::from_millis(200), || false);
    let gap_player = ticks.longest_gap();

    let started = Instant::now();
    let stopped = wait_for_shutdowns(Duration::from_secs(15));
    let drained = started.elapsed();
    let line = format!(
        "{what} (state {state:?}): destroy {:.1} ms, stop {:.1} ms, drop {:.1} ms, \
         longest main-loop gap {:.1} ms, pipelines freed {:.1} s later",
        destroy.as_secs_f64() * 1e3,
        stop.as_secs_f64() * 1e3,
        dispose.as_secs_f64() * 1e3,
        gap_destroy.max(gap_player).as_secs_f64() * 1e3,
        drained.as_secs_f64(),
    );
    println!("    {line}");
    check!(
        destroy < MAIN_LOOP_BUDGET,
        "{what}: destroy took {destroy:?}"
    );
    check!(stop < MAIN_LOOP_BUDGET, "{what}: stop took {stop:?}");
    check!(dispose < MAIN_LOOP_BUDGET, "{what}: drop took {dispose:?}");
    check!(
        gap_destroy < MAIN_LOOP_BUDGET && gap_player < MAIN_LOOP_BUDGET,
        "{what}: the main loop stalled for {:?}",
        gap_destroy.max(gap_player)
    );
    check!(
        stopped,
        "{what}: {} pipelines still stopping after 15 s",
        pending_shutdowns()
    );
    let pipelines = [view_pipeline, player_pipeline, replayed_pipeline];
    check!(
        pipelines.iter().flatten().all(|p| p.upgrade().is_none()),
        "{what}: a pipeline was not freed"
    );
    Ok(line)
}

/// A server that takes every request and never says a word.
fn silent_http_source_does_not_block_teardown() -> TestResult {
    let server = HttpServer::bytes(Vec::new(), "video/mp4")
        .otherwise(Fault::Silent)
        .start();
    let_go_while_stuck("silent HTTP server", &server.url("clip.mp4"), None).map(drop)
}

/// A server that sends the response head (100 MB to come) and the first
/// bytes of an MP4, then nothing more on the open connection.
fn stalled_http_source_does_not_block_teardown() -> TestResult {
    let server = HttpServer::bytes(b"\0\0\0\x20ftypisom".to_vec(), "video/mp4")
        .http10(false)
        .keep_alive(true)
        .content_length(Length::Claimed(100_000_000))
        .start();
    let uri = server.url("clip.mp4");
    let_go_while_stuck("HTTP server stalled after headers", &uri, None).map(drop)
}

fn sleeping_filter_does_not_block_teardown() -> TestResult {
    // Two seconds in the streaming thread per frame: stopping the pipeline
    // waits for the frame in hand, so it takes up to two seconds.
    let clip = clip("h264_aac.mp4").display().to_string();
    let filter = "identity sleep-time=2000000";
    let_go_while_stuck("filter sleeping 2 s per frame", &clip, Some(filter)).map(drop)
}

fn main() {
    let tests: &[NamedTest] = &[
        (
            "create_play_destroy_leaves_nothing_behind",
            create_play_destroy_leaves_nothing_behind,
        ),
        (
            "gl_path_cycles_leave_nothing_behind",
            gl_path_cycles_leave_nothing_behind,
        ),
        (
            "small_frames_leave_no_sockets_behind",
            small_frames_leave_no_sockets_behind,
        ),
        (
            "silent_http_source_does_not_block_teardown",
            silent_http_source_does_not_block_teardown,
        ),
        (
            "stalled_http_source_does_not_block_teardown",
            stalled_http_source_does_not_block_teardown,
        ),
        (
            "sleeping_filter_does_not_block_teardown",
            sleeping_filter_does_not_block_teardown,
        ),
    ];
    gui_main("lifecycle", tests);
}
