//! The output of `inspect`, text or JSON, written as the frames come from
//! the worker: the report, the frame list, the GOP reports and the error
//! that cut reading short, if one did.

use super::session::Session;
use super::wire::Failure;
use super::InspectOptions;
use framescope::i18n::{display_width, gettext, pad_end, pad_start, tr};
use framescope::inspect::{
    to_text, transport_stream_start, FrameRecord, GopAnalyzer, GopReport, MediaReport, StartTimes,
};
use std::io::Write;

pub(super) fn error_json(f: &Failure) -> serde_json::Value {
    serde_json::json!({"error": {"kind": f.kind, "message": f.message}})
}

pub(super) fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// What a scan found besides the frames.
struct Scanned {
    gops: Vec<GopReport>,
    starts: StartTimes,
    error: Option<Failure>,
}

/// Reads the frames when `--frames` or `--gop` asks for them, passing each
/// to `each`; returns the GOP reports, the start times and the reading's
/// error, if any.
fn scan(
    session: &mut Session,
    report: &MediaReport,
    options: &InspectOptions,
    mut each: impl FnMut(&FrameRecord) -> std::io::Result<()>,
) -> std::io::Result<Scanned> {
    let mut starts = StartTimes::default();
    if !options.frames && !options.gop {
        session.close();
        return Ok(Scanned {
            gops: Vec::new(),
            starts,
            error: None,
        });
    }
    let is_video = |i: usize| report.streams.get(i).is_some_and(|s| s.kind == "video");
    let mut gops = GopAnalyzer::default();
    let error = session.frames(report.live, options.duration, |frame| {
        starts.add(frame);
        if options.gop && is_video(frame.stream) {
            gops.add(frame);
        }
        if options.frames {
            each(frame)
        } else {
            Ok(())
        }
    })?;
    Ok(Scanned {
        gops: gops.finish(),
        starts,
        error,
    })
}

fn seconds(ns: i64) -> f64 {
    ns as f64 / 1e9
}

/// The file's `start_time` (ns): a transport stream's own, read from the
/// file, else the earliest of the streams' starts.
fn file_start(report: &MediaReport, starts: &StartTimes) -> Option<i64> {
    starts
        .file()
        .map(|t| transport_stream_start(&report.uri).map_or(t, |ts| ts.min(t)))
}

pub(super) fn write_json(
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
    let Scanned {
        gops,
        starts,
        error,
    } = scan(session, report, options, |frame| {
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
        // ffprobe's format and stream `start_time`, from the frames.
        let file =
            serde_json::to_string(&file_start(report, &starts).map(seconds)).unwrap_or_default();
        write!(
            out,
            ",\n  \"start_time\": {file},\n  \"stream_start_times\": ["
        )?;
        for (i, (stream, t)) in starts.streams().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let t = serde_json::to_string(&seconds(t)).unwrap_or_default();
            write!(out, "{sep}{{\"stream\": {stream}, \"start_time\": {t}}}")?;
        }
        write!(out, "]")?;
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

pub(super) fn write_text(
    out: &mut impl Write,
    session: &mut Session,
    report: &MediaReport,
    options: &InspectOptions,
) -> std::io::Result<Option<Failure>> {
    write!(out, "{}", to_text(report))?;
    // The key column is as wide as its header (3 in English).
    let key = gettext("key");
    let key_width = display_width(&key).max(3);
    if options.frames {
        // The headers in the user's language; pts and dts are the
        // formats' own names.
        writeln!(
            out,
            "\n{} {:>12} {:>12} {} {}  {} {}",
            pad_start(&gettext("stream"), 6),
            "pts",
            "dts",
            pad_start(&gettext("duration"), 10),
            pad_start(&gettext("size"), 9),
            pad_end(&key, key_width),
            gettext("type")
        )?;
    }
    let secs = |t: Option<i64>| t.map_or("-".to_string(), |t| format!("{:.6}", t as f64 / 1e9));
    let yes = pad_end(&gettext("yes"), key_width);
    let no = " ".repeat(key_width);
    let Scanned {
        gops,
        starts,
        error,
    } = scan(session, report, options, |f| {
        writeln!(
            out,
            "{:>6} {:>12} {:>12} {:>10} {:>9}  {} {}",
            f.stream,
            secs(f.pts),
            secs(f.dts),
            secs(f.duration.map(|d| d as i64)),
            f.size,
            if f.keyframe { &yes } else { &no },
            f.picture_type.map_or("-", |p| p.letter())
        )
    })?;
    if options.frames {
        let list: Vec<String> = starts
            .streams()
            .map(|(s, t)| {
                tr(
                    "stream {stream}: {start}",
                    &[
                        ("stream", &s.to_string()),
                        ("start", &format!("{:.6}", seconds(t))),
                    ],
                )
            })
            .collect();
        let start =
            file_start(report, &starts).map_or("-".into(), |t| format!("{:.6}", seconds(t)));
        writeln!(
            out,
            "\n{}",
            tr(
                "Start time: {start} s ({streams})",
                &[("start", &start), ("streams", &list.join(", "))]
            )
        )?;
    }
    for g in &gops {
        write_gop_text(out, g)?;
    }
    Ok(error)
}

fn write_gop_text(out: &mut impl Write, g: &GopReport) -> std::io::Result<()> {
    writeln!(
        out,
        "\n{}",
        tr(
            "GOPs of stream {stream}: {count}",
            &[
                ("stream", &g.stream.to_string()),
                ("count", &g.gops.len().to_string())
            ]
        )
    )?;
    if let (Some(f), Some(s)) = (&g.frames, &g.seconds) {
        let frames = format!("{:.0}/{:.1}/{:.0}", f.min, f.mean, f.max);
        let secs = format!("{:.3}/{:.3}/{:.3}", s.min, s.mean, s.max);
        writeln!(
            out,
            "  {}",
            tr(
                "length: {frames} frames, {seconds} s (min/mean/max)",
                &[("frames", &frames), ("seconds", &secs)]
            )
        )?;
    }
    let closed = match g.closed {
        Some(true) => gettext("all closed"),
        Some(false) => gettext("some open (frames after a keyframe are shown before it)"),
        None => gettext("unknown"),
    };
    writeln!(out, "  {}", tr("GOPs: {closed}", &[("closed", &closed)]))?;
    if let Some(b) = &g.bitrate {
        let mean = format!("{:.0}", b.mean / 1000.0);
        let peak = format!("{:.0}", b.peak / 1000.0);
        writeln!(
            out,
            "  {}",
            tr(
                "bitrate: {mean} kbit/s mean, {peak} kbit/s peak (1 s windows)",
                &[("mean", &mean), ("peak", &peak)]
            )
        )?;
    }
    let keys: Vec<String> = g.keyframes.iter().map(|k| format!("{k:.3}")).collect();
    writeln!(
        out,
        "  {}",
        tr("keyframes (s): {times}", &[("times", &keys.join(" "))])
    )
}
