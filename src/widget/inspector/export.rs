//! What the inspector's "Export…" buttons write, as pure functions from the
//! data a tab shows to the text of the file (JSON, CSV, SVG through
//! Graphviz), so they can be tested without a window.

use super::health::HealthSample;
use crate::inspect::{FrameRecord, GopReport, MediaReport};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The media facts as pretty-printed JSON (the `inspect --json` shape).
pub fn media_json(report: &MediaReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// One GOP report as pretty-printed JSON.
pub fn gop_json(report: &GopReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Nanoseconds as seconds with nine decimals, trailing zeros removed.
fn seconds(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let ns = ns.unsigned_abs();
    let text = format!("{sign}{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn or_empty<T>(value: Option<T>, f: impl FnOnce(T) -> String) -> String {
    value.map(f).unwrap_or_default()
}

/// Frames as CSV, one line each in the order given, times in seconds:
/// `pts,dts,duration,size,keyframe,picture_type`.
pub fn frames_csv(frames: &[FrameRecord]) -> String {
    let mut out = String::from("pts,dts,duration,size,keyframe,picture_type\n");
    for f in frames {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            or_empty(f.pts, seconds),
            or_empty(f.dts, seconds),
            or_empty(f.duration, |d| seconds(d as i64)),
            f.size,
            f.keyframe,
            f.picture_type.map(|p| p.letter()).unwrap_or("")
        );
    }
    out
}

/// The health history as CSV:
/// `t,rendered,dropped,late,bitrate,buffering_percent,latency_ms`.
pub fn health_csv(samples: &[HealthSample]) -> String {
    let mut out = String::from("t,rendered,dropped,late,bitrate,buffering_percent,latency_ms\n");
    for s in samples {
        let _ = writeln!(
            out,
            "{:.3},{},{},{},{},{},{}",
            s.t,
            s.rendered,
            s.dropped,
            s.late,
            or_empty(s.bitrate, |b| format!("{b:.0}")),
            or_empty(s.buffering_percent, |b| b.to_string()),
            or_empty(s.latency_ms, |l| format!("{l:.3}")),
        );
    }
    out
}

/// Where Graphviz's `dot` is installed, if it is on `PATH`.
pub fn graphviz() -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|p| p.join("dot"))
        .find(|p| p.is_file())
}

/// Renders DOT text to SVG with Graphviz (blocking: run it off the main
/// thread for big graphs).
pub fn dot_to_svg(dot: &str) -> Result<String, String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let program = graphviz()
        .ok_or("Graphviz is not installed, so no SVG can be made; export the .dot file instead.")?;
    let mut child = Command::new(program)
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("Graphviz could not be started: {e}."))?;
    // Write on another thread: dot may fill its output pipe before reading all input.
    let mut stdin = child.stdin.take().ok_or("Graphviz gave no input pipe.")?;
    let text = dot.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("Graphviz failed: {e}."))?;
    let _ = writer.join();
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        return Err(format!("Graphviz could not draw the graph: {}", why.trim()));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| "Graphviz wrote something that is not text.".into())
}

/// Whether `path` names an SVG file.
pub fn is_svg(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
}

/// Writes `text` to `path`; the error is a sentence naming the file.
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text)
        .map_err(|e| format!("“{}” could not be written: {e}.", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::PictureType;

    #[test]
    fn frames_become_csv_lines_in_seconds() {
        let frames = [
            FrameRecord {
                stream: 0,
                pts: Some(1_500_000_000),
                dts: Some(-33_333_333),
                duration: Some(33_333_333),
                size: 1200,
                keyframe: true,
                picture_type: Some(PictureType::I),
            },
            FrameRecord {
                stream: 0,
                pts: None,
                dts: None,
                duration: None,
                size: 7,
                keyframe: false,
                picture_type: None,
            },
        ];
        assert_eq!(
            frames_csv(&frames),
            "pts,dts,duration,size,keyframe,picture_type\n\
             1.5,-0.033333333,0.033333333,1200,true,I\n\
             ,,,7,false,\n"
        );
    }

    #[test]
    fn health_samples_become_csv() {
        let samples = [HealthSample {
            t: 1.0,
            rendered: 30,
            dropped: 1,
            late: 2,
            bitrate: Some(123456.7),
            buffering_percent: None,
            latency_ms: Some(20.5),
            played_seconds: 1.0,
        }];
        assert_eq!(
            health_csv(&samples),
            "t,rendered,dropped,late,bitrate,buffering_percent,latency_ms\n\
             1.000,30,1,2,123457,,20.500\n"
        );
    }

    #[test]
    fn reports_become_json() {
        let report = MediaReport {
            uri: "file:///a.mp4".into(),
            container: Some("ISO MP4/M4A".into()),
            duration: Some(2.0),
            seekable: true,
            live: false,
            tags: Default::default(),
            streams: vec![],
        };
        let value: serde_json::Value = serde_json::from_str(&media_json(&report)).unwrap();
        assert_eq!(value["duration"], 2.0);
        let mut analyzer = crate::inspect::GopAnalyzer::default();
        for i in 0..4 {
            analyzer.add(&FrameRecord {
                stream: 0,
                pts: Some(i * 40_000_000),
                dts: None,
                duration: Some(40_000_000),
                size: 100,
                keyframe: i % 2 == 0,
                picture_type: None,
            });
        }
        let gop = analyzer.finish().remove(0);
        let value: serde_json::Value = serde_json::from_str(&gop_json(&gop)).unwrap();
        assert_eq!(value["gops"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn svg_paths_and_write_errors() {
        assert!(is_svg(Path::new("/tmp/graph.SVG")));
        assert!(!is_svg(Path::new("/tmp/graph.dot")));
        let err = write(Path::new("/nonexistent-dir/x.csv"), "a").unwrap_err();
        assert!(err.contains("could not be written"), "{err}");
    }
}
