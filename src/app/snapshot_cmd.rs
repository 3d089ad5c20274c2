//! `framescope snapshot FILE|URI --at TIME -o OUT.png [--keyframe]`: exports
//! the frame shown at TIME as PNG, headless (no display needed). Errors are
//! one sentence on stderr with exit code 1; a bad command line exits 2.
//!
//! The decoding runs in a worker process ([`super::worker`]) whose output
//! passes through: a GStreamer crash on a damaged file becomes a sentence
//! and exit 1, and a worker still busy after [`WORKER_LIMIT`] is killed.

use super::worker::{self, Ended, Next, Worker};
use clap::Parser;
use framescope::engine::os_to_uri;
use framescope::engine::{parse_time, precise};
use framescope::engine::{snapshot, write_snapshot as write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Exports the frame shown at a time as a PNG file (no display needed).
#[derive(Debug, Parser)]
#[command(name = "framescope snapshot")]
struct SnapshotOptions {
    /// The file or URI to take the frame from.
    #[arg(value_name = "FILE|URI")]
    input: std::ffi::OsString,
    /// The time: seconds (12.5) or [HH:]MM:SS[.mmm]; the frame shown then is
    /// the last one whose timestamp is at or before it.
    #[arg(long, value_name = "TIME", value_parser = parse_time, allow_hyphen_values = true)]
    at: u64,
    /// The PNG file to write.
    #[arg(short = 'o', long = "output", value_name = "OUT.png")]
    output: PathBuf,
    /// Take the keyframe at or before TIME instead (fast).
    #[arg(long)]
    keyframe: bool,
}

/// The command line of `snapshot`, for the manual page.
pub fn command() -> clap::Command {
    <SnapshotOptions as clap::CommandFactory>::command()
}

/// How long the worker may take in all (the decoder's own limits are
/// 30 s per step).
const WORKER_LIMIT: Duration = Duration::from_secs(120);

/// Runs the subcommand with `args` (program name first).
pub fn run(args: Vec<std::ffi::OsString>) -> ExitCode {
    let options = match super::parse_subcommand::<SnapshotOptions>(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if !worker::is_worker() {
        return supervise(&options);
    }
    worker::enter();
    if let Err(e) = framescope::engine::init() {
        eprintln!("framescope: GStreamer could not be initialised ({e}); install gstreamer1.0-plugins-base and try again.");
        return ExitCode::from(super::EXIT_STARTUP);
    }
    // At most 100 days (`parse_time` refuses more), so never "no time".
    let at = framescope::engine::clock_time(options.at);
    let result = snapshot(&os_to_uri(&options.input), at, options.keyframe)
        .and_then(|shot| write(&shot, &options.output).map(|_| shot));
    match result {
        Ok(shot) => {
            println!(
                "{}: frame at {} ({}x{})",
                options.output.display(),
                precise(shot.pts),
                shot.width,
                shot.height
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("framescope: {}", e.message);
            ExitCode::from(1)
        }
    }
}

/// Runs the snapshot in a worker, passing its output through.
fn supervise(options: &SnapshotOptions) -> ExitCode {
    let uri = os_to_uri(&options.input);
    let mut worker = match Worker::start() {
        Ok(w) => w,
        Err(e) => {
            eprintln!(
                "framescope: {}",
                framescope::i18n::tr(
                    "the reader for “{name}” could not be started ({error}).",
                    &[
                        ("name", &framescope::engine::display_name(&uri)),
                        ("error", &e.to_string()),
                    ],
                )
            );
            return ExitCode::from(1);
        }
    };
    let started = Instant::now();
    loop {
        match worker.next(Duration::from_millis(200)) {
            Next::Line(line) => println!("{line}"),
            Next::Quiet if started.elapsed() > WORKER_LIMIT => {
                worker.kill();
                let _ = worker.finish(Duration::from_secs(1));
                eprintln!(
                    "framescope: {}",
                    framescope::i18n::tr(
                        "taking the frame from “{name}” did not finish within {seconds} s.",
                        &[
                            ("name", &framescope::engine::display_name(&uri)),
                            ("seconds", &WORKER_LIMIT.as_secs().to_string()),
                        ],
                    )
                );
                return ExitCode::from(1);
            }
            Next::Quiet => {}
            Next::Closed => break,
        }
    }
    match worker.finish(Duration::from_secs(5)) {
        Ended::Exited(code) => ExitCode::from(code.clamp(0, 255) as u8),
        Ended::Crashed { thread, .. } => {
            eprintln!(
                "framescope: {}",
                worker::crash_sentence(&uri, thread.as_deref())
            );
            ExitCode::from(1)
        }
        Ended::Killed => {
            eprintln!(
                "framescope: {}",
                framescope::i18n::tr(
                    "taking the frame from “{name}” did not finish.",
                    &[("name", &framescope::engine::display_name(&uri))],
                )
            );
            ExitCode::from(1)
        }
    }
}
