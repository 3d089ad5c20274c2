//! `framescope inspect --json --frames` on every damaged file, and its
//! worker process isolated: a crash of the worker becomes a sentence and a
//! hung worker is killed.

use super::damage::{cases, env_count};
use super::*;

/// The inspect test's folder.
const INSPECT: &str = "inspect";

/// What one `inspect` run did.
struct Run {
    status: Option<std::process::ExitStatus>,
    stdout: Vec<u8>,
    stderr: String,
    took: Duration,
}

/// Runs `framescope ARGS`, killing it after `kill_after`.
fn run_framescope(args: &[&std::ffi::OsStr], kill_after: Duration) -> Run {
    let child = framescope_headless()
        .args(args)
        .spawn()
        .expect("framescope starts");
    run_within(child, kill_after)
}

/// What `inspect` ended with, or why that breaks the contract.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Report,
    Error,
    CrashReported,
}

fn judge(run: &Run) -> Result<Verdict, String> {
    use std::os::unix::process::ExitStatusExt;
    let Some(status) = run.status else {
        return Err(format!("hung: killed after {} s", INSPECT_KILL.as_secs()));
    };
    if let Some(signal) = status.signal() {
        return Err(format!("died of signal {signal}; stderr: {}", run.stderr));
    }
    if run.stderr.contains("panicked") || run.stderr.contains("backtrace") {
        return Err(format!("panicked: {}", run.stderr));
    }
    if run.took > INSPECT_LIMIT {
        return Err(format!("took {:.1} s", run.took.as_secs_f64()));
    }
    let json: Result<serde_json::Value, _> = serde_json::from_slice(&run.stdout);
    if status.success() {
        let json = json.map_err(|e| {
            format!(
                "exit 0 without valid JSON on stdout ({e}): {}",
                String::from_utf8_lossy(&run.stdout)
            )
        })?;
        if !json["streams"].is_array() || !json["frames"].is_array() {
            return Err(format!("exit 0 without streams and frames: {json}"));
        }
        if json.get("error").is_some() {
            return Err(format!("exit 0 with an error: {}", json["error"]));
        }
        return Ok(Verdict::Report);
    }
    // Our own lines on stderr (GLib's warnings may come with them).
    let ours: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("framescope: "))
        .collect();
    // With --json the same sentence is the `error` member's message.
    let message = json
        .ok()
        .and_then(|j| j["error"]["message"].as_str().map(String::from));
    match ours.as_slice() {
        [sentence] if message.as_deref() != Some(*sentence) => Err(format!(
            "stderr says {sentence:?}, the JSON error {message:?}"
        )),
        [sentence] if one_sentence(sentence) => {
            if sentence.starts_with("GStreamer crashed") {
                Ok(Verdict::CrashReported)
            } else {
                Ok(Verdict::Error)
            }
        }
        _ => Err(format!(
            "exit {:?} without one sentence on stderr: {:?}",
            status.code(),
            run.stderr
        )),
    }
}

pub fn inspect_reports_or_fails_in_a_sentence_on_damaged_media() {
    no_core_files();
    let cases = cases();
    let parallel = env_count("FUZZ_INSPECTS", 2);
    let started = Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..parallel {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                let path = case.write(INSPECT);
                let run = run_framescope(
                    &[
                        "inspect".as_ref(),
                        "--json".as_ref(),
                        "--frames".as_ref(),
                        path.as_os_str(),
                    ],
                    INSPECT_KILL,
                );
                let verdict = judge(&run);
                if verdict.is_ok() {
                    case.remove(INSPECT);
                }
                results.lock().unwrap().push((i, verdict, run.took));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _, _)| *i);
    let mut failures = Vec::new();
    let (mut reports, mut errors, mut crashes) = (0, 0, Vec::new());
    let mut slowest = Duration::ZERO;
    for (i, verdict, took) in results {
        slowest = slowest.max(took);
        let case = &cases[i];
        match verdict {
            Ok(Verdict::Report) => reports += 1,
            Ok(Verdict::Error) => errors += 1,
            Ok(Verdict::CrashReported) => crashes.push(case.id()),
            Err(why) => failures.push(format!("{why}: {}", case.recipe(INSPECT))),
        }
    }
    println!(
        "    {} damaged files in {:.1} s: {reports} reports, {errors} errors in a sentence, {} GStreamer crashes reported ({}); slowest {:.1} s",
        cases.len(),
        started.elapsed().as_secs_f64(),
        crashes.len(),
        crashes.join(", "),
        slowest.as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The process ids whose parent is `pid`.
fn children_of(pid: u32) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid …: comm may hold spaces, so after the ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            found.push(child);
        }
    }
    found
}

/// Starts `framescope ARGS` and waits (10 s at most) for its worker.
// The child goes back to the caller, which waits for it (run_within).
#[allow(clippy::zombie_processes)]
fn with_worker(args: &[&str]) -> (std::process::Child, i32) {
    no_core_files();
    let mut child = framescope_headless().args(args).spawn().unwrap();
    let started = Instant::now();
    loop {
        if let Some(&worker) = children_of(child.id()).first() {
            return (child, worker);
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("framescope {args:?} started no worker");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Collects a child's output, killing it after `limit` (then `status` is
/// `None`).
fn run_within(child: std::process::Child, limit: Duration) -> Run {
    let finished = output_within(child, limit);
    Run {
        status: finished.status,
        stdout: finished.stdout,
        stderr: String::from_utf8_lossy(&finished.stderr).into_owned(),
        took: finished.took,
    }
}

/// A worker that crashes in the middle of a frame listing (SIGSEGV, as a
/// GStreamer element would, sent to a worker reading a live UDP stream):
/// the frames so far, an `error` member saying GStreamer crashed, one
/// sentence on stderr, exit 1; the same for SIGABRT before the report.
pub fn a_crashing_worker_becomes_a_sentence() {
    gst::init().unwrap();
    let port = free_udp_port();
    let _sender = Sender::start(&format!("udpsink host=127.0.0.1 port={port} sync=true"));
    let uri = format!("udp://127.0.0.1:{port}");
    let (child, worker) = with_worker(&["inspect", "--json", "--frames", &uri]);
    std::thread::sleep(Duration::from_secs(4));
    // SAFETY: signals the worker our child started.
    unsafe { libc::kill(worker, libc::SIGSEGV) };
    let run = run_within(child, Duration::from_secs(10));
    let status = run.status.expect("inspect ends after its worker crashed");
    assert_eq!(status.code(), Some(1), "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).expect("valid JSON");
    let message = json["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("GStreamer crashed while reading “udp://127.0.0.1:"),
        "{json}"
    );
    assert!(!json["frames"].as_array().unwrap().is_empty(), "{json}");
    assert_eq!(judge(&run), Ok(Verdict::CrashReported), "{}", run.stderr);
    println!(
        "    SIGSEGV in the worker: “{message}” {:.0?} later",
        run.took
    );

    // Before the report (discovery waits for a sender that never comes).
    let silent = format!("udp://127.0.0.1:{}", free_udp_port());
    let (child, worker) = with_worker(&["inspect", &silent]);
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: as above.
    unsafe { libc::kill(worker, libc::SIGABRT) };
    let run = run_within(child, Duration::from_secs(10));
    assert_eq!(run.status.and_then(|s| s.code()), Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("framescope: GStreamer crashed while reading"),
        "{}",
        run.stderr
    );
}

/// A worker that hangs (stopped with SIGSTOP while it reads a UDP address
/// nobody sends to) is killed once the discovery timeout and the slack
/// have passed: a sentence, exit 1, no worker left behind.
pub fn a_hung_worker_is_killed() {
    let silent = format!("udp://127.0.0.1:{}", free_udp_port());
    let (child, worker) = with_worker(&["inspect", &silent]);
    let parent = child.id();
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: as above.
    unsafe { libc::kill(worker, libc::SIGSTOP) };
    let run = run_within(child, Duration::from_secs(30));
    let took = run.took;
    assert_eq!(run.status.and_then(|s| s.code()), Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("did not finish within 10 s."),
        "{}",
        run.stderr
    );
    assert!(took < Duration::from_secs(16), "{took:?}");
    assert!(
        !std::path::Path::new(&format!("/proc/{worker}")).exists()
            || children_of(parent).is_empty(),
        "the worker is still there"
    );
    println!("    a stopped worker was killed after {took:.1?}");
}
