//! `framescope check [--json] FILE|URI`: validation findings for a media
//! file or an HLS or DASH stream (see `framescope::inspect::check`). A table by
//! default, JSON with `--json`. Exit 0 when no finding is an error, 3 when
//! one is, 1 when the input cannot be read (one sentence on stderr, and
//! with `--json` an `{"error": …}` object on stdout); a bad command line
//! exits 2.
//!
//! The reading runs in a worker process ([`super::worker`]), as for
//! `inspect`: the worker prints a line `.` now and then while it reads and
//! then one JSON line, the report or the error. A GStreamer crash on a
//! damaged input becomes a sentence and exit 1; a worker silent for
//! [`SILENCE`] is killed and reported the same way.

use super::worker::{self, Ended, Next, Worker};
use clap::Parser;
use framescope::engine::{display_name, os_to_uri};
use framescope::inspect::{check, CheckReport, Finding, Severity};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Checks a media file or an HLS or DASH stream for faults (no display needed).
#[derive(Debug, Parser)]
#[command(name = "framescope check")]
#[command(
    long_about = "Checks a media file or an HLS stream for faults: decode times that go back, presentation gaps and overlaps, frame-rate changes, long stretches without a keyframe, an MP4 index at the end, audio and video far apart in the file; for HLS (a .m3u8, local or over HTTP) each segment's first keyframe, its duration against the target duration, timestamp jumps and discontinuities, audio/video start skew, the declared BANDWIDTH against the measured peak and keyframe alignment across variants; for DASH (a .mpd) the same per representation, segment times against the timeline. Exit status: 0 no finding is an error, 3 some finding is an error, 1 the input could not be read."
)]
struct CheckOptions {
    /// Print JSON (`{"findings": [{severity, kind, time, message, …}]}`) instead of a table.
    #[arg(long)]
    json: bool,
    /// The file, URI, HLS playlist (.m3u8) or DASH manifest (.mpd) to check.
    #[arg(value_name = "FILE|URI")]
    input: std::ffi::OsString,
}

/// The command line of `check`, for the manual page.
pub fn command() -> clap::Command {
    <CheckOptions as clap::CommandFactory>::command()
}

/// Exit code when some finding is an error.
const EXIT_FINDINGS: u8 = 3;

/// How long the worker may stay silent (its own reads give up after 30 s).
const SILENCE: Duration = Duration::from_secs(60);

/// What the worker tells this process at the end.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Note {
    /// Everything was read.
    Report(CheckReport),
    /// The input could not be read.
    Error(Failure),
}

/// An error as the output shows it.
#[derive(Debug, Serialize, Deserialize)]
struct Failure {
    kind: String,
    message: String,
}

/// Runs the subcommand with `args` (program name first).
pub fn run(args: Vec<std::ffi::OsString>) -> ExitCode {
    let options = match super::parse_subcommand::<CheckOptions>(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if worker::is_worker() {
        work(&options);
        return ExitCode::SUCCESS;
    }
    supervise(&options)
}

/// The worker's side: check, and send the result as one line.
fn work(options: &CheckOptions) {
    worker::enter();
    let uri = os_to_uri(&options.input);
    let mut out = std::io::stdout().lock();
    let mut last = Instant::now();
    let mut progress = || {
        if last.elapsed() > Duration::from_secs(1) {
            last = Instant::now();
            let _ = writeln!(out, ".");
            let _ = out.flush();
        }
    };
    let note = match check(&uri, &mut progress) {
        Ok(report) => Note::Report(report),
        Err(e) => Note::Error(Failure {
            kind: e.kind.nick().to_string(),
            message: e.message,
        }),
    };
    let mut out = std::io::stdout().lock();
    if let Ok(line) = serde_json::to_string(&note) {
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
}

/// The parent's side: wait for the worker's result and print it.
fn supervise(options: &CheckOptions) -> ExitCode {
    let uri = os_to_uri(&options.input);
    let failed = |message: String| {
        fail(
            &Failure {
                kind: "other".into(),
                message,
            },
            options.json,
        )
    };
    let mut worker = match Worker::start() {
        Ok(w) => w,
        Err(e) => {
            return failed(format!(
                "The reader for “{}” could not be started ({e}); run the command again.",
                display_name(&uri)
            ))
        }
    };
    let mut heard = Instant::now();
    let note = loop {
        match worker.next(Duration::from_millis(200)) {
            Next::Line(line) if line == "." => heard = Instant::now(),
            Next::Line(line) => match serde_json::from_str::<Note>(&line) {
                Ok(note) => break Some(note),
                Err(e) => tracing::debug!("check: unreadable line from the worker ({e})"),
            },
            Next::Quiet if heard.elapsed() > SILENCE => {
                worker.kill();
                let _ = worker.finish(Duration::from_secs(1));
                return failed(format!(
                    "Checking “{}” stopped answering for {} s; check that the input is still reachable and run the command again.",
                    display_name(&uri),
                    SILENCE.as_secs()
                ));
            }
            Next::Quiet => {}
            Next::Closed => break None,
        }
    };
    let ended = worker.finish(Duration::from_secs(5));
    match (note, ended) {
        (Some(Note::Report(report)), _) => print_report(&report, options.json),
        (Some(Note::Error(f)), _) => fail(&f, options.json),
        (None, Ended::Crashed { thread, .. }) => fail(
            &Failure {
                kind: "corrupt".into(),
                message: worker::crash_sentence(&uri, thread.as_deref()),
            },
            options.json,
        ),
        (None, _) => failed(format!(
            "Checking “{}” ended without a result; run the command again.",
            display_name(&uri)
        )),
    }
}

/// The `--json` output, in this order.
#[derive(Serialize)]
struct JsonReport<'a> {
    uri: &'a str,
    input: &'a str,
    findings: &'a [Finding],
    summary: Summary,
}

/// How many findings of each severity.
#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    info: usize,
}

/// Prints the report and returns the exit code its findings give.
fn print_report(report: &CheckReport, json: bool) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let written = if json {
        let value = JsonReport {
            uri: &report.uri,
            input: &report.input,
            findings: &report.findings,
            summary: Summary {
                errors: report.count(Severity::Error),
                warnings: report.count(Severity::Warning),
                info: report.count(Severity::Info),
            },
        };
        serde_json::to_string_pretty(&value)
            .map_err(std::io::Error::other)
            .and_then(|text| writeln!(out, "{text}"))
    } else {
        write!(out, "{}", report.to_text())
    };
    if written.and_then(|()| out.flush()).is_err() {
        return ExitCode::from(1);
    }
    if report.has_errors() {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

/// Reports an input that could not be read: exit 1.
fn fail(f: &Failure, json: bool) -> ExitCode {
    if json {
        let value = serde_json::json!({"error": {"kind": f.kind, "message": f.message}});
        if let Ok(text) = serde_json::to_string_pretty(&value) {
            println!("{text}");
        }
    }
    eprintln!("framescope: {}", f.message);
    ExitCode::from(1)
}
