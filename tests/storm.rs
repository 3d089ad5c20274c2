//! The random-operation storm: random sequences of ordinary calls on one
//! `PlayerView` and its `Player`, a few milliseconds apart, in a real window
//! (Xvfb when no display is set), with valid and invalid values, on
//! generated clips, broken files, the corpus (when present) and dead
//! network addresses, replacing the view and the player as it goes.
//!
//! Each seed runs in a child process of this binary, so that a crash, an
//! abort or a hang fails that seed alone and the parent can say which seed
//! and which operations led there. In the child a watchdog thread fails the
//! run when the main loop has not turned for 5 s (and with `STORM_GDB=1`
//! prints every thread's stack first). Every operation is written to a log
//! file before it runs; on failure the parent prints the last 20.
//!
//! Each seed is a test (`seed_N`) of the shared harness
//! (`tests/common/harness.rs`): `cargo test --test storm -- seed_3` runs one.
//!
//! Environment: `STORM_SEEDS` (comma-separated, default `1,2,3,4,5,6,7,8`),
//! `STORM_OPS` (operations per seed, default 2500), `STORM_VALID_ONLY=1`
//! (well-formed values only), `STORM_DEADLINE_S` (seconds a seed may take,
//! default 600), `STORM_GDB=1` (every thread's stack on a hang),
//! `STORM_SETTINGS=3,5,…` (only these of the setter operations, to narrow a
//! failure down). The longest main-loop turn (counted from the window's
//! first frame on: that frame is GTK's start-up, and its time is printed
//! apart), and the threads, file
//! descriptors and resident memory at 10 % and at the end of each run, are
//! printed (`bench/storm.sh` runs the long version).

#[path = "storm/child.rs"]
mod child;
mod common;
#[path = "storm/media.rs"]
mod media;
#[path = "storm/ops.rs"]
mod ops;
#[path = "storm/resources.rs"]
mod resources;
#[path = "storm/settings.rs"]
mod settings;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long the main loop may stand still before the run fails.
const HANG_AFTER: Duration = Duration::from_secs(5);
/// How long one seed may take in all before the parent kills it, unless
/// `STORM_DEADLINE_S` says otherwise (the long run in `bench/storm.sh`).
fn seed_deadline() -> Duration {
    let seconds = std::env::var("STORM_DEADLINE_S")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    Duration::from_secs(seconds)
}

fn main() {
    if let Ok(seed) = std::env::var("STORM_CHILD") {
        let seed: u64 = seed.parse().expect("STORM_CHILD is a seed");
        child::run_child(seed, ops_per_seed(), log_path(seed));
        return;
    }
    run_parent();
}

fn ops_per_seed() -> usize {
    std::env::var("STORM_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2500)
}

fn seeds() -> Vec<u64> {
    std::env::var("STORM_SEEDS")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .filter(|v: &Vec<u64>| !v.is_empty())
        .unwrap_or_else(|| (1..=8).collect())
}

fn log_path(seed: u64) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("storm-seed-{seed}.log"))
}

/// Runs each seed in a child, one harness test per seed (`seed_N`), and
/// reports; exits non-zero when any failed.
fn run_parent() {
    // Media is made once here, so the children only read it.
    let display = common::ensure_display();
    media::prepare_media();
    let totals = Rc::new(Cell::new((0usize, 0.0f64)));
    let mut harness = common::Harness::new("storm");
    for seed in seeds() {
        let display = display.clone();
        let totals = totals.clone();
        harness = harness.test(format!("seed_{seed}"), move || {
            run_seed(seed, &display, &totals)
        });
    }
    let summary = harness.run();
    let (total_ops, longest_turn_ms) = totals.get();
    println!("storm: {total_ops} operations, longest main-loop turn {longest_turn_ms:.1} ms");
    summary.exit();
}

/// Runs one seed in a child; on success adds its operations and longest
/// main-loop turn to `totals`, on failure prints what led there.
fn run_seed(seed: u64, display: &str, totals: &Cell<(usize, f64)>) -> common::TestResult {
    let log = log_path(seed);
    let _ = std::fs::remove_file(&log);
    let started = Instant::now();
    let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let mut child = Command::new(&exe)
        .env("STORM_CHILD", seed.to_string())
        .env("DISPLAY", display)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("the storm child did not start: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || read_all(stdout));
    let err = std::thread::spawn(move || read_all(stderr));
    let status = loop {
        if let Some(status) = child.try_wait().expect("child status") {
            break Some(status);
        }
        if started.elapsed() > seed_deadline() {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    let summary = out
        .lines()
        .find(|l| l.starts_with("storm seed"))
        .map(str::to_string);
    if let (Some(line), true) = (&summary, status.is_some_and(|s| s.success())) {
        println!("{line} ({:.0} s)", started.elapsed().as_secs_f64());
        for l in out.lines().filter(|l| l.starts_with("  ")) {
            println!("{l}");
        }
        // The child's notes on its long main-loop turns (what they held).
        for l in err.lines().filter(|l| l.starts_with("long turn")) {
            println!("  {l}");
        }
        let (ops, longest) = totals.get();
        totals.set((
            ops + field(line, "ops").unwrap_or(0.0) as usize,
            longest.max(field(line, "longest-turn-ms").unwrap_or(0.0)),
        ));
        return Ok(());
    }
    let how = match status {
        None => "ran past its deadline and was killed".to_string(),
        Some(s) if s.success() => "ended without its summary line".to_string(),
        Some(s) => describe_exit(s),
    };
    println!("storm seed {seed} FAILED: the child {how}");
    println!("  reproduce: STORM_SEEDS={seed} cargo test --test storm");
    println!("  last operations:");
    for op in last_lines(&log, 20) {
        println!("    {op}");
    }
    // The panic or hang report, our own frames of its backtrace
    // and the last lines of the log.
    let saved = log.with_extension("stderr");
    let _ = std::fs::write(&saved, &err);
    println!("  child stderr in full: {}", saved.display());
    println!("  child stderr (the report and our own stack frames):");
    let lines: Vec<&str> = err.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        let ours = l.contains("at ./src") || l.contains("at ./tests");
        if l.starts_with("PANIC")
            || l.starts_with("HANG")
            || l.starts_with("every thread")
            || ours
            || i + 15 >= lines.len()
        {
            println!("    {l}");
        }
    }
    Err(format!("the child {how}"))
}

fn read_all(mut r: impl std::io::Read) -> String {
    let mut s = Vec::new();
    let _ = r.read_to_end(&mut s);
    String::from_utf8_lossy(&s).into_owned()
}

/// A `key=value` number from a summary line.
fn field(line: &str, key: &str) -> Option<f64> {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
}

fn describe_exit(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(sig)) => format!("died of signal {sig}"),
        _ => "ended oddly".to_string(),
    }
}

fn last_lines(path: &Path, n: usize) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|s| s.to_string())
        .collect()
}
