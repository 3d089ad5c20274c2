//! `framescope inspect [--json] [--frames] [--gop] FILE|URI`: the headless
//! media report. Human-readable by default; `--json` prints the documented
//! JSON shape. Frames are written as they are read (a long file streams in
//! constant memory). Errors exit with code 1; with `--json` they are printed
//! as `{"error": {"kind": …, "message": …}}` (after a partial frame list,
//! as an `error` member of the report).

use clap::Parser;
use framescope::engine::error::PlayerError;
use framescope::engine::uri::os_to_uri;
use framescope::inspect::{
    inspect, scan_frames, to_text, FrameRecord, GopAnalyzer, GopReport, MediaReport, ScanKinds,
};
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

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
    /// The file or URI to inspect.
    #[arg(value_name = "FILE|URI")]
    input: std::ffi::OsString,
}

/// Runs the subcommand with `args` (program name first).
pub fn run(args: Vec<std::ffi::OsString>) -> ExitCode {
    let options = match super::parse_subcommand::<InspectOptions>(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let uri = os_to_uri(&options.input);
    let report = match inspect(&uri) {
        Ok(r) => r,
        Err(e) => return fail(&e, options.json),
    };
    release_freed_memory();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result = if options.json {
        write_json(&mut out, &uri, &report, &options)
    } else {
        write_text(&mut out, &uri, &report, &options)
    };
    let _ = out.flush();
    match result {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(e)) => {
            if !options.json {
                eprintln!("framescope: {}", e.message);
            }
            ExitCode::from(1)
        }
        // Writing failed (a closed pipe, say): nothing more to tell.
        Err(_) => ExitCode::from(1),
    }
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

fn fail(e: &PlayerError, json: bool) -> ExitCode {
    if json {
        println!("{}", pretty(&error_json(e)));
    } else {
        eprintln!("framescope: {}", e.message);
    }
    ExitCode::from(1)
}

fn error_json(e: &PlayerError) -> serde_json::Value {
    serde_json::json!({"error": {"kind": e.kind.nick(), "message": e.message}})
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// Scans the frames when `--frames` or `--gop` asks for them, passing each
/// to `each`; returns the GOP reports and the scan's error, if any.
fn scan(
    uri: &str,
    report: &MediaReport,
    options: &InspectOptions,
    mut each: impl FnMut(&FrameRecord) -> std::io::Result<()>,
) -> std::io::Result<(Vec<GopReport>, Option<PlayerError>)> {
    if !options.frames && !options.gop {
        return Ok((Vec::new(), None));
    }
    let kinds = if options.frames {
        ScanKinds::ALL
    } else {
        ScanKinds::VIDEO
    };
    let is_video = |i: usize| report.streams.get(i).is_some_and(|s| s.kind == "video");
    let mut gops = GopAnalyzer::default();
    let mut write_error = None;
    let cancel = AtomicBool::new(false);
    let scanned = scan_frames(uri, &report.streams, kinds, &cancel, |frame| {
        if write_error.is_some() {
            return;
        }
        if options.gop && is_video(frame.stream) {
            gops.add(&frame);
        }
        if options.frames {
            if let Err(e) = each(&frame) {
                write_error = Some(e);
                cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
    });
    if let Some(e) = write_error {
        return Err(e);
    }
    Ok((gops.finish(), scanned.err()))
}

fn write_json(
    out: &mut impl Write,
    uri: &str,
    report: &MediaReport,
    options: &InspectOptions,
) -> std::io::Result<Option<PlayerError>> {
    let head = pretty(report);
    if !options.frames && !options.gop {
        writeln!(out, "{head}")?;
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
    let (gops, error) = scan(uri, report, options, |frame| {
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
    if let Some(e) = &error {
        let err = &error_json(e)["error"];
        write!(out, ",\n  \"error\": {}", pretty(err).replace('\n', "\n  "))?;
    }
    writeln!(out, "\n}}")?;
    Ok(error)
}

fn write_text(
    out: &mut impl Write,
    uri: &str,
    report: &MediaReport,
    options: &InspectOptions,
) -> std::io::Result<Option<PlayerError>> {
    write!(out, "{}", to_text(report))?;
    if options.frames {
        writeln!(
            out,
            "\n{:>6} {:>12} {:>12} {:>10} {:>9}  key type",
            "stream", "pts", "dts", "duration", "size"
        )?;
    }
    let secs = |t: Option<i64>| t.map_or("-".to_string(), |t| format!("{:.6}", t as f64 / 1e9));
    let (gops, error) = scan(uri, report, options, |f| {
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
