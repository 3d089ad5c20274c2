//! The storm's child process: the window with a `PlayerView`, the run loop
//! scheduling one operation every few milliseconds, the main-loop
//! heartbeat, the hang watchdog and the summary printed at the end.

use super::media::{media, subtitle_files};
use super::ops::{Rng, Storm};
use super::resources::{resources, thread_names, Resources};
use framescope::engine::{pending_shutdowns, Player};
use framescope::widget::PlayerView;
use gtk::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Milliseconds since the child started, as last seen by the heartbeat.
static HEARTBEAT_MS: AtomicU64 = AtomicU64::new(0);
/// The last operations, for the watchdog's report.
pub static RECENT: Mutex<VecDeque<String>> = Mutex::new(VecDeque::new());
static START: OnceLock<Instant> = OnceLock::new();

fn now_ms() -> u64 {
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

/// Watches the heartbeat from another thread; fails the run on a hang.
fn start_watchdog(seed: u64) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(200));
        let silent = now_ms().saturating_sub(HEARTBEAT_MS.load(Ordering::Relaxed));
        if silent < super::HANG_AFTER.as_millis() as u64 {
            continue;
        }
        eprintln!("HANG: seed {seed}: the main loop has not turned for {silent} ms");
        eprintln!("last operations:");
        for op in RECENT.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            eprintln!("  {op}");
        }
        dump_stacks_if_asked(seed);
        let _ = std::io::stderr().flush();
        // Without the C libraries' exit handlers (libsrt's double free).
        unsafe { libc::_exit(70) };
    });
}

/// With STORM_GDB set, writes every thread's stack (gdb) beside the log.
fn dump_stacks_if_asked(seed: u64) {
    if std::env::var_os("STORM_GDB").is_none() {
        return;
    }
    let stacks =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("storm-seed-{seed}.stacks"));
    if let Ok(file) = std::fs::File::create(&stacks) {
        let _ = std::process::Command::new("gdb")
            .args(["-p", &std::process::id().to_string(), "-batch"])
            .args(["-ex", "thread apply all bt"])
            .stdout(file)
            .stderr(std::process::Stdio::null())
            .status();
        eprintln!("every thread's stack: {}", stacks.display());
    }
}

/// The child: runs `count` operations from `seed`, then prints a summary.
pub fn run_child(seed: u64, count: usize, log: PathBuf) {
    START.get_or_init(Instant::now);
    std::panic::set_hook(Box::new(move |info| {
        eprintln!(
            "PANIC: seed {seed}: {}",
            info.to_string().replace('\n', " ")
        );
        eprintln!("{}", std::backtrace::Backtrace::force_capture());
        std::process::abort();
    }));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    // As the embedding guide asks: before GTK starts threads of its own
    // (the malloc arena limit takes only then).
    framescope::engine::init().expect("framescope initialises");
    gtk::init().expect("GTK opens the display");
    framescope::widget::init().expect("framescope initialises");
    let window = gtk::Window::builder()
        .default_width(480)
        .default_height(320)
        .title("storm")
        .build();
    let view = PlayerView::new();
    window.set_child(Some(&view));
    let context = glib::MainContext::default();
    // Held for the whole run, as `gtk::Application::run` and
    // `glib::MainLoop::run` hold it: between two bare `iteration` calls
    // the context has no owner, and a GStreamer thread calling
    // `MainContext::invoke` (the GTK sink does) would then acquire it and
    // run GTK code on its own thread.
    let _owner = context.acquire().expect("the main thread owns its context");
    window.present();
    // The window's first frame comes before the storm, as a host's window
    // is on screen before anyone uses it: that frame is GTK's start-up
    // (its GL renderer compiles its shaders, 70 to 100 ms on llvmpipe),
    // not a call into the player. Its time is printed, not counted.
    let first_frame = first_frame_ms(&window, &context);
    println!("  the window's first frame (before the storm, not counted): {first_frame} ms");

    let storm = Rc::new(Storm {
        rng: RefCell::new(Rng::new(seed)),
        window,
        view: RefCell::new(view),
        media: media(),
        subtitles: subtitle_files(),
        valid_only: std::env::var_os("STORM_VALID_ONLY").is_some(),
        log: RefCell::new(std::fs::File::create(&log).expect("the operation log opens")),
        done: Cell::new(0),
        total: count,
        longest_op: RefCell::new((Duration::ZERO, String::new())),
        ops_this_turn: RefCell::new(Vec::new()),
        samples: RefCell::new(Vec::new()),
        players_let_go: RefCell::new(Vec::new()),
        views_let_go: RefCell::new(Vec::new()),
    });

    // The heartbeat: how often the main loop turns, and its longest pause.
    let longest_turn = Rc::new(Cell::new(0u64));
    HEARTBEAT_MS.store(now_ms(), Ordering::Relaxed);
    {
        let longest_turn = longest_turn.clone();
        let last = Cell::new(now_ms());
        let storm = storm.clone();
        let long_turns_told = Cell::new(0u32);
        glib::timeout_add_local(Duration::from_millis(10), move || {
            let now = now_ms();
            let turn = now.saturating_sub(last.get());
            longest_turn.set(longest_turn.get().max(turn));
            let ops = storm.ops_this_turn.take();
            // What a long turn held (the first few): the operations made
            // in it and their times; the rest was the loop's own work
            // (drawing, bus messages, timers).
            if turn >= LONG_TURN_MS && long_turns_told.get() < 20 {
                long_turns_told.set(long_turns_told.get() + 1);
                eprintln!(
                    "long turn: {turn} ms ending at {:.3} s (CLOCK_MONOTONIC, as `perf record -k CLOCK_MONOTONIC` stamps samples) after operation {}; operations in it: {}",
                    monotonic_s(),
                    storm.done.get(),
                    if ops.is_empty() {
                        "none".to_string()
                    } else {
                        ops.join(", ")
                    }
                );
            }
            last.set(now);
            HEARTBEAT_MS.store(now, Ordering::Relaxed);
            glib::ControlFlow::Continue
        });
    }
    start_watchdog(seed);

    let finished = Rc::new(Cell::new(false));
    schedule(storm.clone(), finished.clone());
    while !finished.get() {
        context.iteration(true);
    }

    // Let go of everything and wait for the pipelines to be freed.
    let threads_by_name = thread_names();
    storm.samples.borrow_mut().push(storm.settled_resources());
    storm.player().stop();
    storm.window.set_child(None::<&gtk::Widget>);
    storm.window.destroy();
    let deadline = Instant::now() + Duration::from_secs(10);
    while pending_shutdowns() > 0 && Instant::now() < deadline {
        context.iteration(false);
        std::thread::sleep(Duration::from_millis(5));
    }
    let released = resources();
    let stopping = pending_shutdowns();
    let (op_time, op) = storm.longest_op.borrow().clone();
    println!(
        "storm seed {seed}: ops={} longest-turn-ms={} longest-op-ms={:.1}",
        storm.done.get(),
        longest_turn.get(),
        op_time.as_secs_f64() * 1e3
    );
    println!("  longest operation: {op}");
    let samples = storm.samples.borrow();
    let line = |label: &str, r: &Resources| {
        println!(
            "  {label}: {} threads, {} fds, {:.0} MB resident, {:.0} MB heap in use",
            r.threads, r.fds, r.rss_mb, r.heap_mb
        );
        println!("    descriptors: {}", r.fd_kinds);
    };
    if let (Some(first), Some(last)) = (samples.get(1), samples.last()) {
        line("at 10 %", first);
        line("at the end", last);
    }
    let series: Vec<String> = samples.iter().map(|r| format!("{:.0}", r.rss_mb)).collect();
    println!("  resident MB at each tenth: {}", series.join(" "));
    let heap: Vec<String> = samples
        .iter()
        .map(|r| format!("{:.0}", r.heap_mb))
        .collect();
    println!("  heap MB in use at each tenth: {}", heap.join(" "));
    println!("  threads at the end, by name: {threads_by_name}");
    let current = storm.player();
    let alive = |weak: &[glib::WeakRef<Player>]| {
        weak.iter()
            .filter_map(|w| w.upgrade())
            .filter(|p| *p != current)
            .count()
    };
    let players_alive = alive(&storm.players_let_go.borrow());
    let views_alive = storm
        .views_let_go
        .borrow()
        .iter()
        .filter(|w| w.upgrade().is_some())
        .count();
    println!(
        "  players let go and still alive: {players_alive} of {}; views: {views_alive} of {}",
        storm.players_let_go.borrow().len(),
        storm.views_let_go.borrow().len()
    );
    line("after letting go of everything", &released);
    if stopping > 0 {
        println!("  {stopping} pipelines were still stopping after 10 s");
        dump_stacks_if_asked(seed);
    }
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // Leave without the C libraries' exit handlers: libsrt's static
    // destructors free what a source still connecting uses (seen as a
    // double free at exit); what the storm tests is done by now.
    unsafe { libc::_exit(0) };
}

/// Seconds on the system's monotonic clock, to find a long turn in a
/// profile of the run.
fn monotonic_s() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec as f64 + now.tv_nsec as f64 / 1e9
}

/// Runs `context` until `window` has drawn a frame (10 s at most); returns
/// how long that took, in milliseconds.
fn first_frame_ms(window: &gtk::Window, context: &glib::MainContext) -> u128 {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(10);
    let turn = || {
        if !context.iteration(false) {
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    while !window.is_mapped() && Instant::now() < deadline {
        turn();
    }
    let drawn = Rc::new(Cell::new(false));
    if let Some(clock) = window.frame_clock() {
        let flag = drawn.clone();
        let handler = clock.connect_after_paint(move |_| flag.set(true));
        // Mapped may come with its first paint: one more makes sure.
        window.queue_draw();
        while !drawn.get() && Instant::now() < deadline {
            turn();
        }
        clock.disconnect(handler);
    }
    started.elapsed().as_millis()
}

/// A main-loop turn at least this long is reported with what it held.
const LONG_TURN_MS: u64 = 80;

/// Runs the next operation after a random pause of 0 to 7 ms.
fn schedule(storm: Rc<Storm>, finished: Rc<Cell<bool>>) {
    let pause = Duration::from_millis(storm.rng.borrow_mut().below(8));
    glib::timeout_add_local_once(pause, move || {
        let done = storm.done.get();
        if done >= storm.total {
            finished.set(true);
            return;
        }
        if done % (storm.total / 10).max(1) == 0 {
            storm.samples.borrow_mut().push(storm.settled_resources());
        }
        storm.step();
        if std::env::var_os("STORM_TRACE_SOCKETS").is_some() {
            let n = std::fs::read_dir("/proc/self/fd")
                .into_iter()
                .flatten()
                .flatten()
                .filter(|fd| {
                    std::fs::read_link(fd.path())
                        .is_ok_and(|t| t.to_string_lossy().starts_with("socket"))
                })
                .count();
            storm.record(&format!("(sockets: {n})"));
        }
        storm.done.set(done + 1);
        schedule(storm, finished);
    });
}
