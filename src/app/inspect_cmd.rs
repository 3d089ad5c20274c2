//! `framescope inspect [--json] [--frames] [--gop] [--duration S] FILE|URI`:
//! the headless media report. Human-readable by default; `--json` prints the
//! documented JSON shape. Frames are written as they are read (a long file
//! streams in constant memory). Errors exit with code 1 and one sentence on
//! stderr; with `--json` they are also printed as
//! `{"error": {"kind": …, "message": …}}` (after a partial frame list, as an
//! `error` member of the report).
//!
//! The reading runs in a worker process ([`super::worker`]): the worker
//! sends the report, each frame and its end as JSON lines ([`Note`]), and
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

use super::worker::{self, Ended, Next, Worker};
use clap::Parser;
use framescope::engine::os_to_uri;
use framescope::engine::parse_time;
use framescope::engine::{display_name, PlayerError};
use framescope::inspect::discover_timeout;
use framescope::inspect::{
    inspect, scan_frames, to_text, FrameRecord, GopAnalyzer, GopReport, MediaReport, PictureType,
    ScanKinds,
};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Prints the media facts of a file or URI (no display needed).
#[derive(Debug, Parser)]
#[command(name = "framescope inspect")]
struct InspectOptions {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// List every audio and video frame (access unit) in decode order.
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

/// What the worker tells this process, one JSON object per line.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Note {
    /// The media facts (first).
    Report(MediaReport),
    /// One frame.
    Frame(WireFrame),
    /// The end: reading failed.
    Error(Failure),
    /// The end: everything was read.
    Done,
}

/// An error as the output shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Failure {
    kind: String,
    message: String,
}

impl Failure {
    fn from_error(e: &PlayerError) -> Self {
        Failure {
            kind: e.kind.nick().to_string(),
            message: e.message.clone(),
        }
    }
}

/// A [`FrameRecord`] on the wire (nanoseconds, no rounding).
#[derive(Debug, Serialize, Deserialize)]
struct WireFrame(
    usize,
    Option<i64>,
    Option<i64>,
    Option<u64>,
    usize,
    bool,
    Option<PictureType>,
);

impl From<&FrameRecord> for WireFrame {
    fn from(f: &FrameRecord) -> Self {
        WireFrame(
            f.stream,
            f.pts,
            f.dts,
            f.duration,
            f.size,
            f.keyframe,
            f.picture_type,
        )
    }
}

impl From<WireFrame> for FrameRecord {
    fn from(w: WireFrame) -> Self {
        FrameRecord {
            stream: w.0,
            pts: w.1,
            dts: w.2,
            duration: w.3,
            size: w.4,
            keyframe: w.5,
            picture_type: w.6,
        }
    }
}

/// Runs the subcommand with `args` (program name first).
pub fn run(args: Vec<std::ffi::OsString>) -> ExitCode {
    let options = match super::parse_subcommand::<InspectOptions>(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if worker::is_worker() {
        work(&options);
        return ExitCode::SUCCESS;
    }
    supervise(&options)
}

// ------------------------------------------------------------ the worker

/// Reads the input and sends what it finds to the parent.
fn work(options: &InspectOptions) {
    worker::enter();
    let uri = os_to_uri(&options.input);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let report = match inspect(&uri) {
        Ok(r) => r,
        Err(e) => {
            let _ = send(&mut out, &Note::Error(Failure::from_error(&e)));
            let _ = out.flush();
            return;
        }
    };
    let streams = report.streams.clone();
    if send(&mut out, &Note::Report(report))
        .and_then(|()| out.flush())
        .is_err()
    {
        return;
    }
    if options.frames || options.gop {
        release_freed_memory();
        let kinds = if options.frames {
            ScanKinds::ALL
        } else {
            ScanKinds::VIDEO
        };
        let cancel = AtomicBool::new(false);
        let mut flushed = Instant::now();
        let scanned = scan_frames(&uri, &streams, kinds, &cancel, |frame| {
            let sent = send(&mut out, &Note::Frame(WireFrame::from(&frame))).and_then(|()| {
                // Frames reach the parent in good time even when they come
                // slowly (a live stream).
                if flushed.elapsed() > Duration::from_millis(200) {
                    flushed = Instant::now();
                    out.flush()
                } else {
                    Ok(())
                }
            });
            if sent.is_err() {
                // The parent is gone.
                cancel.store(true, Ordering::Relaxed);
            }
        });
        if let Err(e) = scanned {
            let _ = send(&mut out, &Note::Error(Failure::from_error(&e)));
            let _ = out.flush();
            return;
        }
    }
    let _ = send(&mut out, &Note::Done);
    let _ = out.flush();
}

fn send(out: &mut impl Write, note: &Note) -> std::io::Result<()> {
    let line = serde_json::to_string(note).map_err(std::io::Error::other)?;
    writeln!(out, "{line}")
}

/// Media discovery decodes a frame of each stream (a 1080p H.264 decoder
/// allocates tens of MB); glibc keeps what it freed. Give it back before
/// the long frame scan, so a long file's scan stays small.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

// ------------------------------------------------------------ the parent

/// Why reading stopped early.
enum Cut {
    /// A sentence to report (exit 1).
    Failed(Failure),
    /// SIGINT or SIGTERM.
    Signal(i32),
    /// The deadline given to [`Session::next`] passed.
    Deadline,
}

/// The worker, seen from the parent.
struct Session {
    uri: String,
    worker: Option<Worker>,
}

impl Session {
    /// The next note, waiting `silence` at most between two lines, and
    /// not past `deadline`.
    fn next(
        &mut self,
        silence: Duration,
        deadline: Option<Instant>,
        timed_out: &dyn Fn() -> Failure,
    ) -> Result<Note, Cut> {
        let started = Instant::now();
        loop {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(Cut::Deadline);
            }
            let Some(worker) = self.worker.as_mut() else {
                return Err(Cut::Failed(self.ended_early(Ended::Exited(0))));
            };
            if let Some(signal) = worker::stop_signal() {
                return Err(Cut::Signal(signal));
            }
            match worker.next(Duration::from_millis(100)) {
                Next::Line(line) => match serde_json::from_str::<Note>(&line) {
                    Ok(note) => return Ok(note),
                    // A line cut short by a crash: what follows says more.
                    Err(e) => tracing::debug!("inspect: unreadable line from the worker ({e})"),
                },
                Next::Quiet if started.elapsed() > silence => {
                    tracing::debug!("inspect: the worker was silent for {silence:?}; killing it");
                    self.stop();
                    return Err(Cut::Failed(timed_out()));
                }
                Next::Quiet => {}
                Next::Closed => {
                    let ended = self
                        .worker
                        .take()
                        .map_or(Ended::Killed, |w| w.finish(SLACK));
                    return Err(Cut::Failed(self.ended_early(ended)));
                }
            }
        }
    }

    /// The failure for a worker that ended without its last word.
    fn ended_early(&self, ended: Ended) -> Failure {
        tracing::debug!("inspect: the worker ended early: {ended:?}");
        match ended {
            Ended::Crashed { thread, .. } => Failure {
                kind: "corrupt".into(),
                message: worker::crash_sentence(&self.uri, thread.as_deref()),
            },
            _ => Failure {
                kind: "other".into(),
                message: format!(
                    "Reading “{}” ended without a result; run the command again.",
                    display_name(&self.uri)
                ),
            },
        }
    }

    /// Ends the worker now (nothing more is wanted from it).
    fn stop(&mut self) {
        if let Some(mut worker) = self.worker.take() {
            worker.kill();
            let _ = worker.finish(Duration::from_secs(1));
        }
    }

    /// Lets the worker end by itself after its last word.
    fn close(&mut self) {
        if let Some(worker) = self.worker.take() {
            let ended = worker.finish(SLACK);
            if ended != Ended::Exited(0) {
                tracing::debug!("inspect: the worker ended after its result: {ended:?}");
            }
        }
    }

    /// The media facts.
    fn report(&mut self) -> Result<MediaReport, Cut> {
        let limit = Duration::from_secs(discover_timeout(&self.uri).seconds());
        let uri = self.uri.clone();
        let timed_out = || Failure {
            kind: "other".into(),
            message: format!(
                "Reading “{}” did not finish within {} s.",
                display_name(&uri),
                limit.as_secs()
            ),
        };
        loop {
            let note = match self.next(limit + SLACK, None, &timed_out) {
                // (No deadline was given.)
                Err(Cut::Deadline) => Err(Cut::Failed(timed_out())),
                other => other,
            };
            match note? {
                Note::Report(report) => return Ok(report),
                Note::Error(f) => {
                    self.close();
                    return Err(Cut::Failed(f));
                }
                Note::Done => {
                    self.close();
                    return Err(Cut::Failed(self.ended_early(Ended::Exited(0))));
                }
                Note::Frame(_) => {}
            }
        }
    }

    /// Passes each frame to `each` until the end, an error, `duration` or
    /// a stop signal; returns the error, if reading failed.
    fn frames(
        &mut self,
        live: bool,
        duration: Option<u64>,
        mut each: impl FnMut(&FrameRecord) -> std::io::Result<()>,
    ) -> std::io::Result<Option<Failure>> {
        let stall = framescope::inspect::stall_limit(&self.uri);
        let uri = self.uri.clone();
        let timed_out = || Failure::from_error(&framescope::inspect::stalled(&uri, stall));
        let mut first_pts = None;
        let limit = duration.map(|d| d as i64);
        // On live input the duration is wall-clock time too.
        let deadline = duration
            .filter(|_| live)
            .map(|d| Instant::now() + Duration::from_nanos(d));
        loop {
            match self.next(stall + SLACK, deadline, &timed_out) {
                Ok(Note::Frame(wire)) => {
                    let frame = FrameRecord::from(wire);
                    if let (Some(limit), Some(pts)) = (limit, frame.pts) {
                        let first = *first_pts.get_or_insert(pts);
                        if pts - first >= limit {
                            self.stop();
                            return Ok(None);
                        }
                    }
                    if let Err(e) = each(&frame) {
                        self.stop();
                        return Err(e);
                    }
                }
                Ok(Note::Done) => {
                    self.close();
                    return Ok(None);
                }
                Ok(Note::Error(f)) => {
                    self.close();
                    return Ok(Some(f));
                }
                Ok(Note::Report(_)) => {}
                Err(Cut::Signal(_) | Cut::Deadline) => {
                    self.stop();
                    return Ok(None);
                }
                Err(Cut::Failed(f)) => return Ok(Some(f)),
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.stop();
    }
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
    let mut session = Session {
        uri: uri.clone(),
        worker: Some(worker),
    };
    let report = match session.report() {
        Ok(r) => r,
        Err(Cut::Deadline) => return ExitCode::from(1),
        Err(Cut::Failed(f)) => return fail(&f, options.json),
        Err(Cut::Signal(signal)) => {
            eprintln!(
                "framescope: stopped before “{}” was read.",
                display_name(&uri)
            );
            return ExitCode::from(128 + signal as u8);
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result = if options.json {
        write_json(&mut out, &mut session, &report, options)
    } else {
        write_text(&mut out, &mut session, &report, options)
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
        println!("{}", pretty(&error_json(f)));
    }
    eprintln!("framescope: {}", f.message);
    ExitCode::from(1)
}

fn error_json(f: &Failure) -> serde_json::Value {
    serde_json::json!({"error": {"kind": f.kind, "message": f.message}})
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// Reads the frames when `--frames` or `--gop` asks for them, passing each
/// to `each`; returns the GOP reports and the reading's error, if any.
fn scan(
    session: &mut Session,
    report: &MediaReport,
    options: &InspectOptions,
    mut each: impl FnMut(&FrameRecord) -> std::io::Result<()>,
) -> std::io::Result<(Vec<GopReport>, Option<Failure>)> {
    if !options.frames && !options.gop {
        session.close();
        return Ok((Vec::new(), None));
    }
    let is_video = |i: usize| report.streams.get(i).is_some_and(|s| s.kind == "video");
    let mut gops = GopAnalyzer::default();
    let error = session.frames(report.live, options.duration, |frame| {
        if options.gop && is_video(frame.stream) {
            gops.add(frame);
        }
        if options.frames {
            each(frame)
        } else {
            Ok(())
        }
    })?;
    Ok((gops.finish(), error))
}

fn write_json(
    out: &mut impl Write,
    session: &mut Session,
    report: &MediaReport,
    options: &InspectOptions,
) -> std::io::Result<Option<Failure>> {
    let head = pretty(report);
    if !options.frames && !options.gop {
        writeln!(out, "{head}")?;
        session.close();
        return Ok(None);
    }
    // The report without its closing brace; frames follow as they come.
    let head = head
        .trim_end()
        .strip_suffix('}')
        .unwrap_or(&head)
        .trim_end();
    write!(out, "{head}")?;
    if options.frames {
        write!(out, ",\n  \"frames\": [")?;
    }
    let mut first = true;
    let (gops, error) = scan(session, report, options, |frame| {
        let sep = if first { "\n    " } else { ",\n    " };
        first = false;
        write!(
            out,
            "{sep}{}",
            serde_json::to_string(frame).unwrap_or_default()
        )
    })?;
    if options.frames {
        write!(out, "\n  ]")?;
    }
    if options.gop {
        let gop = serde_json::to_string_pretty(&gops).unwrap_or_default();
        write!(out, ",\n  \"gop\": {}", gop.replace('\n', "\n  "))?;
    }
    if let Some(f) = &error {
        let err = &error_json(f)["error"];
        write!(out, ",\n  \"error\": {}", pretty(err).replace('\n', "\n  "))?;
    }
    writeln!(out, "\n}}")?;
    Ok(error)
}

fn write_text(
    out: &mut impl Write,
    session: &mut Session,
    report: &MediaReport,
    options: &InspectOptions,
) -> std::io::Result<Option<Failure>> {
    write!(out, "{}", to_text(report))?;
    if options.frames {
        writeln!(
            out,
            "\n{:>6} {:>12} {:>12} {:>10} {:>9}  key type",
            "stream", "pts", "dts", "duration", "size"
        )?;
    }
    let secs = |t: Option<i64>| t.map_or("-".to_string(), |t| format!("{:.6}", t as f64 / 1e9));
    let (gops, error) = scan(session, report, options, |f| {
        writeln!(
            out,
            "{:>6} {:>12} {:>12} {:>10} {:>9}  {:<3} {}",
            f.stream,
            secs(f.pts),
            secs(f.dts),
            secs(f.duration.map(|d| d as i64)),
            f.size,
            if f.keyframe { "yes" } else { "" },
            f.picture_type.map_or("-", |p| p.letter())
        )
    })?;
    for g in &gops {
        write_gop_text(out, g)?;
    }
    Ok(error)
}

fn write_gop_text(out: &mut impl Write, g: &GopReport) -> std::io::Result<()> {
    writeln!(out, "\nGOPs of stream {}: {}", g.stream, g.gops.len())?;
    if let (Some(f), Some(s)) = (&g.frames, &g.seconds) {
        writeln!(
            out,
            "  length: {:.0}/{:.1}/{:.0} frames, {:.3}/{:.3}/{:.3} s (min/mean/max)",
            f.min, f.mean, f.max, s.min, s.mean, s.max
        )?;
    }
    let closed = match g.closed {
        Some(true) => "all closed",
        Some(false) => "some open (frames after a keyframe are shown before it)",
        None => "unknown",
    };
    writeln!(out, "  GOPs: {closed}")?;
    if let Some(b) = &g.bitrate {
        writeln!(
            out,
            "  bitrate: {:.0} kbit/s mean, {:.0} kbit/s peak (1 s windows)",
            b.mean / 1000.0,
            b.peak / 1000.0
        )?;
    }
    let keys: Vec<String> = g.keyframes.iter().map(|k| format!("{k:.3}")).collect();
    writeln!(out, "  keyframes (s): {}", keys.join(" "))
}
