//! `framescope inspect [--json] [--frames] [--gop] [--duration S] FILE|URI`:
//! the headless media report. Human-readable by default; `--json` prints the
//! documented JSON shape. Frames are written as they are read (a long file
//! streams in constant memory). Errors exit with code 1 and one sentence on
//! stderr; with `--json` they are also printed as
//! `{"error": {"kind": …, "message": …}}` (after a partial frame list, as an
//! `error` member of the report).
//!
//! The reading runs in a worker process ([`super::worker`]): the worker
//! sends the report, each frame and its end as JSON lines ([`wire::Note`]), and
//! this process writes the output. So a GStreamer element that crashes on a
//! damaged file ends in a sentence ("GStreamer crashed while reading …")
//! and exit 1, and a worker that goes silent — no report within the
//! discovery timeout, no frame within the scan's stall limit, each plus
//! [`SLACK`] — is killed and reported the same way.
//!
//! Live input never ends by itself: `--duration S` ends the frame listing
//! after S seconds (of media time from the first frame, and on live input
//! of wall-clock time too), and SIGINT or SIGTERM end it at once; either
//! way the output so far is complete and valid and the exit code is 0. A
//! signal that comes before the media facts are read exits 130 (SIGINT) or
//! 143 (SIGTERM) with a sentence.
//!
//! Here: the options, the start and the exit code. `wire` is what the
//! worker sends, `work` the worker's side, `session` the parent's side of
//! the worker, `output` the text and JSON written from what it sends.

mod output;
mod session;
mod wire;
mod work;

use super::worker::{self, Worker};
use clap::Parser;
use framescope::engine::{display_name, os_to_uri, parse_time};
use session::{Cut, Session};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;
use wire::Failure;

/// Prints the media facts of a file or URI (no display needed).
#[derive(Debug, Parser)]
#[command(name = "framescope inspect")]
struct InspectOptions {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// List every packet of every stream (video and audio frames, subtitle
    /// and data packets) in decode order.
    #[arg(long)]
    frames: bool,
    /// Analyse the GOP structure and bitrate of each video stream.
    #[arg(long)]
    gop: bool,
    /// With --frames or --gop: stop after S (seconds or [HH:]MM:SS[.mmm]) of
    /// media from the first frame, and on live input after S of wall-clock
    /// time; the output is complete up to there (exit 0).
    #[arg(long, value_name = "S", value_parser = parse_time)]
    duration: Option<u64>,
    /// The file or URI to inspect.
    #[arg(value_name = "FILE|URI")]
    input: std::ffi::OsString,
}

/// The command line of `inspect`, for the manual page.
pub fn command() -> clap::Command {
    <InspectOptions as clap::CommandFactory>::command()
}

/// How much longer than the worker's own limits this process waits before
/// it kills a silent worker.
const SLACK: Duration = Duration::from_secs(3);

/// Runs the subcommand with `args` (program name first).
pub fn run(args: Vec<std::ffi::OsString>) -> ExitCode {
    let options = match super::parse_subcommand::<InspectOptions>(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if worker::is_worker() {
        work::work(&options);
        return ExitCode::SUCCESS;
    }
    supervise(&options)
}

/// Starts the worker, writes the output from what it sends.
fn supervise(options: &InspectOptions) -> ExitCode {
    let uri = os_to_uri(&options.input);
    worker::catch_stop_signals();
    let worker = match Worker::start() {
        Ok(w) => w,
        Err(e) => {
            let failure = Failure {
                kind: "other".into(),
                message: format!(
                    "The reader for “{}” could not be started ({e}).",
                    display_name(&uri)
                ),
            };
            return fail(&failure, options.json);
        }
    };
    let mut session = Session::new(uri.clone(), worker);
    let report = match session.report() {
        Ok(r) => r,
        Err(Cut::Deadline) => return ExitCode::from(1),
        Err(Cut::Failed(f)) => return fail(&f, options.json),
        Err(Cut::Signal(signal)) => {
            eprintln!(
                "framescope: {}",
                framescope::i18n::tr(
                    "stopped before “{name}” was read.",
                    &[("name", &display_name(&uri))],
                )
            );
            return ExitCode::from(128 + signal as u8);
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result = if options.json {
        output::write_json(&mut out, &mut session, &report, options)
    } else {
        output::write_text(&mut out, &mut session, &report, options)
    };
    let _ = out.flush();
    match result {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(f)) => {
            eprintln!("framescope: {}", f.message);
            ExitCode::from(1)
        }
        // Writing failed (a closed pipe, say): nothing more to tell.
        Err(_) => ExitCode::from(1),
    }
}

fn fail(f: &Failure, json: bool) -> ExitCode {
    if json {
        println!("{}", output::pretty(&output::error_json(f)));
    }
    eprintln!("framescope: {}", f.message);
    ExitCode::from(1)
}
