//! `check`: validation of a media file or an HLS stream, as a list of
//! [`Finding`]s (severity, kind, time, place, one sentence).
//!
//! A media file is read access unit by access unit and its timestamps are
//! checked ([`timeline`]): MPEG-TS by our own reader ([`mpegts`], which
//! sees the stream's own timestamps), everything else by the frame
//! scanner ([`crate::inspect::scan_frames`]); an MP4's box order is read
//! too ([`mp4`]). An HLS playlist (a `.m3u8`, local or over HTTP) is checked
//! segment by segment and variant against variant ([`hls`], [`playlist`]);
//! a DASH manifest (`.mpd`) the same way, representation by representation
//! ([`dash`], [`mpd`], [`fmp4`]).
//! Nothing here trusts a length or a timestamp: arithmetic saturates or is
//! checked, and damaged input gives findings or an error, never a panic.

mod dash;
mod finding;
mod fmp4;
mod hls;
mod mp4;
mod mpd;
pub(crate) mod mpegts;
mod playlist;
mod timeline;

use finding::Findings;
pub use finding::{CheckReport, Finding, Severity};

use crate::engine::{display_name, ErrorKind, PlayerError};
use crate::i18n::tr;
use crate::inspect::{inspect, is_local, scan_frames, ScanKinds};
use std::io::Read;
use std::sync::atomic::AtomicBool;
use timeline::{Kind, Timeline};

/// Checks the file or stream at `uri` (a URI, as `engine::to_uri` makes
/// them). `progress` is called now and then while reading (a worker uses it
/// to show it is alive). An input that cannot be read at all is an error;
/// everything else, damage included, is findings.
pub fn check(uri: &str, progress: &mut dyn FnMut()) -> Result<CheckReport, PlayerError> {
    crate::inspect::media::init_gstreamer()?;
    let mut findings = Findings::default();
    let input = if crate::engine::variants::is_adaptive(uri) || is_local_manifest(uri) {
        let text = read_manifest(uri)?;
        if text.contains("<MPD") {
            dash::check(uri, &text, progress, &mut findings);
            "dash"
        } else {
            if !text.trim_start_matches('\u{feff}').starts_with("#EXTM3U") {
                return Err(PlayerError::new(
                    ErrorKind::NotMedia,
                    tr(
                        "“{name}” is neither an HLS playlist (#EXTM3U) nor a DASH manifest (<MPD>); check the address.",
                        &[("name", &display_name(uri))],
                    ),
                    "",
                ));
            }
            hls::check(uri, &text, progress, &mut findings);
            "hls"
        }
    } else {
        check_media(uri, progress, &mut findings)?;
        "media"
    };
    Ok(CheckReport {
        uri: crate::engine::redact_uri(uri),
        input: input.into(),
        findings: findings.finish(),
    })
}

/// Reads a playlist or manifest as text; an error names the input.
fn read_manifest(uri: &str) -> Result<String, PlayerError> {
    crate::engine::precheck(uri)?;
    hls::read_uri(uri)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| {
            let kind = if is_local(uri) {
                ErrorKind::NotFound
            } else {
                ErrorKind::Network
            };
            PlayerError::new(
                kind,
                tr(
                    "The manifest “{name}” could not be read ({error}); check the address and that the server is up.",
                    &[("name", &display_name(uri)), ("error", &e)],
                ),
                e,
            )
        })
}

/// The local path of a `file://` URI.
fn local_path(uri: &str) -> Option<std::path::PathBuf> {
    is_local(uri)
        .then(|| glib::filename_from_uri(uri).ok().map(|(p, _)| p))
        .flatten()
}

/// Whether `uri` is a local file that starts like an HLS playlist or a DASH
/// manifest, whatever its name.
fn is_local_manifest(uri: &str) -> bool {
    let Some(path) = local_path(uri) else {
        return false;
    };
    let mut head = [0u8; 512];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return false;
    };
    let text = String::from_utf8_lossy(&head[..n]);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with("#EXTM3U") || (text.starts_with('<') && text.contains("<MPD"))
}

/// Whether the local file at `path` is an MPEG transport stream.
fn is_transport_stream(path: &std::path::Path) -> bool {
    let mut head = vec![0u8; 188 * 3];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && mpegts::looks_like_ts(&head)
}

/// Checks one media file or stream.
fn check_media(
    uri: &str,
    progress: &mut dyn FnMut(),
    out: &mut Findings,
) -> Result<(), PlayerError> {
    // The media facts first: an unreadable input ends here with the
    // engine's sentence.
    let report = inspect(uri)?;
    let path = local_path(uri);
    if let Some(path) = path.as_deref().filter(|p| is_transport_stream(p)) {
        return check_transport_stream(uri, path, progress, out);
    }
    let kinds = report
        .streams
        .iter()
        .map(|s| match s.kind.as_str() {
            "video" => Kind::Video,
            "audio" => Kind::Audio,
            _ => Kind::Other,
        })
        .collect();
    // qtdemux reads by time, not in file order: no interleaving measure.
    let file_order = report.container.as_deref() != Some("Quicktime");
    let mut timeline = Timeline::new(kinds, file_order);
    let cancel = AtomicBool::new(false);
    let mut frames = 0u64;
    let scanned = scan_frames(uri, &report.streams, ScanKinds::ALL, &cancel, |frame| {
        frames = frames.saturating_add(1);
        if frames % 1000 == 0 {
            progress();
        }
        timeline.push(&frame, out);
    });
    if let Err(e) = scanned {
        if frames == 0 {
            return Err(e);
        }
        out.push(Finding::new(
            Severity::Error,
            "read-error",
            tr(
                "Reading stopped after {frames} frames: {error}",
                &[("frames", &frames.to_string()), ("error", &e.message)],
            ),
        ));
    }
    timeline.finish(out);
    if let Some(finding) = path.as_deref().and_then(mp4::index_position) {
        out.push(finding);
    }
    Ok(())
}

/// Checks a local MPEG-TS file with the stream's own timestamps.
fn check_transport_stream(
    uri: &str,
    path: &std::path::Path,
    progress: &mut dyn FnMut(),
    out: &mut Findings,
) -> Result<(), PlayerError> {
    let cannot = |e: std::io::Error| {
        PlayerError::new(
            ErrorKind::NotFound,
            tr(
                "“{name}” could not be read ({error}); check that it exists and is readable.",
                &[("name", &display_name(uri)), ("error", &e.to_string())],
            ),
            e.to_string(),
        )
    };
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let mut reader = mpegts::Reader::default();
    let mut chunk = vec![0u8; 188 * 4096];
    loop {
        let n = file.read(&mut chunk).map_err(cannot)?;
        if n == 0 {
            break;
        }
        reader.feed(&chunk[..n]);
        progress();
    }
    let content = reader.finish();
    let mut timeline = Timeline::new(content.kinds, true);
    for frame in &content.frames {
        timeline.push(frame, out);
    }
    timeline.finish(out);
    Ok(())
}
