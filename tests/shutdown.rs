//! Clean shutdown of the `framescope` executable under X (Xvfb when no
//! display is set): SIGTERM, SIGINT and SIGHUP, whenever they come — while
//! the app starts, while a local clip plays, while a network stream is still
//! loading from a server that never answers — end the app with exit code 0
//! within seconds (never death by the signal), with every pipeline stopped
//! before the exit (the app warns on stderr about one still running or
//! still stopping) and the `--stats-json` file written.
//!
//! A signal run does not type keys, so the runs need no hold on the
//! display's focus and a few run at once.

mod common;

use common::*;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long a run may take to end after its signal before it is killed and
/// the test fails.
const KILL_AFTER: Duration = Duration::from_secs(10);
/// How many runs go at once, over all the tests here (each is a GTK app
/// rendering video in software).
const AT_ONCE: usize = 4;

/// Runs `f` once fewer than [`AT_ONCE`] other runs are under way.
fn in_turn<R>(f: impl FnOnce() -> R) -> R {
    static RUNNING: Mutex<usize> = Mutex::new(0);
    static FREED: Condvar = Condvar::new();
    let lock = || RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    {
        let mut running = lock();
        while *running >= AT_ONCE {
            running = FREED.wait(running).unwrap_or_else(|e| e.into_inner());
        }
        *running += 1;
    }
    let result = f();
    *lock() -= 1;
    FREED.notify_one();
    result
}

/// What a run plays.
#[derive(Clone, Copy, Debug)]
enum Input {
    /// A generated local clip, looping.
    Clip,
    /// An HTTP address whose server accepts the connection and never
    /// answers: the app is still loading when the signal comes.
    SilentServer,
}

/// One run: what it plays, which signal it gets, and when.
#[derive(Clone, Copy, Debug)]
struct Run {
    input: Input,
    signal: i32,
    after: Duration,
}

/// How a run ended.
#[derive(Debug)]
struct Ended {
    run: Run,
    /// The exit code, or what went wrong instead.
    outcome: Result<i32, String>,
    /// From the signal to the exit.
    took: Duration,
    /// What the app wrote to stderr.
    stderr: String,
    /// The `--stats-json` file's content, if written.
    stats: Option<String>,
}

/// A TCP server on 127.0.0.1 that accepts every connection and never
/// sends a byte (the connections stay open while the test runs).
fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a local port is free");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in listener.incoming().flatten() {
            open.push(stream);
        }
    });
    format!("http://127.0.0.1:{port}/stream.mp4")
}

/// Starts the app on `run.input`, sends the signal after `run.after`, and
/// waits for the exit (killing the app after [`KILL_AFTER`]).
/// Waits (10 s at most) until process `pid` catches `signal`: bit
/// `signal - 1` of the `SigCgt` mask in /proc/PID/status.
fn wait_for_handler(pid: u32, signal: i32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let bit = 1u64 << (signal - 1);
    while Instant::now() < deadline {
        let caught = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|status| {
                let mask = status.lines().find_map(|l| l.strip_prefix("SigCgt:"))?;
                u64::from_str_radix(mask.trim(), 16).ok()
            });
        if caught.is_some_and(|mask| mask & bit != 0) {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn signal_run(run: Run, clip: &Path, url: &str) -> Ended {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let json = dir.path().join("stats.json");
    let log = dir.path().join("stderr.txt");
    let input = match run.input {
        Input::Clip => clip.display().to_string(),
        Input::SilentServer => url.to_string(),
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_framescope"))
        .args([
            "--new-instance",
            "--mute",
            "--loop",
            "--window-size",
            "320x240",
        ])
        .arg("--stats-json")
        .arg(&json)
        .arg(&input)
        .env("DISPLAY", ensure_display())
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("a log file"))
        .spawn()
        .expect("the framescope binary starts");
    // The promise holds from the app's start on, once its handler is in
    // place: before `main` runs (the dynamic loader, on a loaded machine
    // for several hundred ms) the default action still kills. `after`
    // counts from there.
    wait_for_handler(child.id(), run.signal);
    std::thread::sleep(run.after);
    let signalled = Instant::now();
    // SAFETY: a plain kill(2) on our own child, which has not been waited
    // for (so its pid is not reused).
    unsafe { libc::kill(child.id() as i32, run.signal) };
    let outcome = loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                use std::os::unix::process::ExitStatusExt;
                break match (status.code(), status.signal()) {
                    (Some(code), _) => Ok(code),
                    (None, Some(signal)) => Err(format!("died of signal {signal}")),
                    _ => Err(format!("ended oddly: {status:?}")),
                };
            }
            Ok(None) if signalled.elapsed() < KILL_AFTER => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("still running {KILL_AFTER:?} after the signal"));
            }
            Err(e) => break Err(format!("could not wait for it: {e}")),
        }
    };
    Ended {
        run,
        outcome,
        took: signalled.elapsed(),
        stderr: std::fs::read_to_string(&log).unwrap_or_default(),
        stats: std::fs::read_to_string(&json).ok(),
    }
}

/// What is wrong with how `ended` ended, if anything.
fn fault(ended: &Ended) -> Option<String> {
    match &ended.outcome {
        Ok(0) => {}
        Ok(code) => return Some(format!("exit code {code}")),
        Err(e) => return Some(e.clone()),
    }
    // The app warns at exit about a pipeline still running or stopping.
    if let Some(line) = ended.stderr.lines().find(|l| l.contains("pipeline(s)")) {
        return Some(format!("not every pipeline stopped: {line}"));
    }
    let Some(stats) = ended.stats.as_deref() else {
        return Some("the --stats-json file was not written".into());
    };
    match serde_json::from_str::<serde_json::Value>(stats) {
        Ok(json) if json.get("rendered").is_some_and(|r| r.is_u64()) => None,
        Ok(json) => Some(format!("the --stats-json file lacks `rendered`: {json}")),
        Err(e) => Some(format!(
            "the --stats-json file is not JSON ({e}): {stats:?}"
        )),
    }
}

/// Whether the run was playing when the signal came (it had shown frames).
fn played(ended: &Ended) -> bool {
    ended
        .stats
        .as_deref()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
        .and_then(|json| json["rendered"].as_u64())
        .is_some_and(|rendered| rendered > 0)
}

/// Runs `runs`, [`AT_ONCE`] at a time, and returns how each ended.
fn run_all(runs: Vec<Run>) -> Vec<Ended> {
    let clip = clip("h264_aac.mp4");
    let url = silent_server();
    let queue = Arc::new(Mutex::new(runs));
    let ended = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..AT_ONCE)
        .map(|_| {
            let (queue, ended, clip, url) =
                (queue.clone(), ended.clone(), clip.clone(), url.clone());
            std::thread::spawn(move || loop {
                let Some(run) = queue.lock().unwrap().pop() else {
                    return;
                };
                let result = in_turn(|| signal_run(run, &clip, &url));
                ended.lock().unwrap().push(result);
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a run's thread finished");
    }
    let mut ended = std::mem::take(&mut *ended.lock().unwrap());
    ended.sort_by_key(|e| (e.run.after, e.run.input as u8));
    ended
}

/// Fails with every faulty run listed, and prints how long the runs took
/// to end after their signal.
fn check_all(ended: &[Ended], expected: usize) {
    assert_eq!(ended.len(), expected, "every run ended");
    let faults: Vec<String> = ended
        .iter()
        .filter_map(|e| {
            fault(e).map(|f| {
                format!(
                    "{:?}: {f}\n  stderr: {}",
                    e.run,
                    e.stderr.trim().replace('\n', "\n          ")
                )
            })
        })
        .collect();
    for e in ended {
        println!(
            "  {:?} signal {} after {:.1} s{}: {:?} in {:.2} s",
            e.run.input,
            e.run.signal,
            e.run.after.as_secs_f64(),
            if played(e) { ", playing" } else { "" },
            e.outcome,
            e.took.as_secs_f64()
        );
    }
    let slowest = ended.iter().map(|e| e.took).max().unwrap_or_default();
    let total: Duration = ended.iter().map(|e| e.took).sum();
    println!(
        "{} runs: ended {:.2} s after the signal on average, {:.2} s at most",
        ended.len(),
        total.as_secs_f64() / ended.len().max(1) as f64,
        slowest.as_secs_f64()
    );
    assert!(
        faults.is_empty(),
        "{} of {} runs did not end cleanly:\n{}",
        faults.len(),
        ended.len(),
        faults.join("\n")
    );
}

/// 50 runs, each ended by SIGTERM: two thirds while a local clip plays (or
/// the app is still starting), one third while a network stream loads,
/// 0.2 s to 2 s after the start. Each exits 0 within seconds, with its
/// pipelines stopped and its statistics written.
#[test]
fn fifty_sigterms_end_fifty_runs_cleanly() {
    let runs: Vec<Run> = (0..50)
        .map(|i| Run {
            input: if i % 3 == 2 {
                Input::SilentServer
            } else {
                Input::Clip
            },
            signal: libc::SIGTERM,
            after: Duration::from_millis(200 + (i % 10) * 200),
        })
        .collect();
    let start = Instant::now();
    let ended = run_all(runs);
    println!(
        "50 SIGTERM runs took {:.1} s",
        start.elapsed().as_secs_f64()
    );
    check_all(&ended, 50);
    // Most signals come during playback, not only while the app starts.
    let playing = ended.iter().filter(|e| played(e)).count();
    assert!(
        playing >= 10,
        "only {playing} runs had started playing when their signal came: the machine is too slow for this test to cover playback"
    );
}

/// SIGINT (Ctrl+C in a terminal) and SIGHUP (the terminal closed) end the
/// app the same way, playing or loading.
#[test]
fn sigint_and_sighup_end_runs_cleanly() {
    let mut runs = Vec::new();
    for signal in [libc::SIGINT, libc::SIGHUP] {
        for (input, after) in [
            (Input::Clip, 300),
            (Input::Clip, 1500),
            (Input::SilentServer, 1000),
        ] {
            runs.push(Run {
                input,
                signal,
                after: Duration::from_millis(after),
            });
        }
    }
    let ended = run_all(runs);
    check_all(&ended, 6);
}

/// The stats written after a signal are a full report (the same shape as
/// at a normal exit), not an empty or partial file.
#[test]
fn stats_after_sigterm_report_the_playback() {
    let clip = clip("h264_aac.mp4");
    let run = Run {
        input: Input::Clip,
        signal: libc::SIGTERM,
        after: Duration::from_millis(2500),
    };
    let ended = in_turn(|| signal_run(run, &clip, ""));
    assert_eq!(fault(&ended), None, "{ended:?}");
    let stats: serde_json::Value = serde_json::from_str(ended.stats.as_deref().unwrap()).unwrap();
    assert!(
        stats["uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("h264_aac.mp4")),
        "{stats}"
    );
    assert!(stats["rendered"].as_u64().unwrap() > 0, "{stats}");
    assert!(stats["played_seconds"].as_f64().unwrap() > 0.3, "{stats}");
}
