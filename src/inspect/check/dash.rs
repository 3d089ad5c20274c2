//! The DASH checks: every template-addressed segment of every
//! representation is read (fragmented MP4 through [`super::fmp4`]) and held
//! against the manifest — video segments start with a keyframe, the media's
//! own start and length against the timeline — then each representation's
//! measured bitrate against its declared `bandwidth`, and keyframe times
//! across the video representations.

use super::finding::{Finding, Findings, Severity};
use super::fmp4;
use super::hls::{align, read_uri, unreadable_segment, Measured};
use super::mpd::{parse, Representation};
use super::timeline::Kind;
use crate::i18n::{gettext, tr};

/// A segment's media may start or last this much off the manifest (s).
const SLACK: f64 = 0.5;
/// The measured mean bitrate may exceed the declared bandwidth by this factor.
const BANDWIDTH_SLACK: f64 = 1.1;

/// Checks the manifest `text` read from `uri`.
pub(crate) fn check(uri: &str, text: &str, progress: &mut dyn FnMut(), out: &mut Findings) {
    let manifest = parse(text, uri);
    if manifest.dynamic {
        out.push(Finding::new(
            Severity::Info,
            "live-manifest",
            gettext("The manifest is dynamic (live); only the segments it lists now were checked."),
        ));
    }
    if manifest.representations.is_empty() {
        out.push(Finding::new(
            Severity::Error,
            "no-representation",
            gettext("The manifest lists no representation check can read."),
        ));
    }
    let mut measured = Vec::new();
    for (index, rep) in manifest.representations.iter().enumerate() {
        let m = check_representation(index, rep, progress, out);
        if rep.kind == Kind::Video {
            measured.push(m);
        } else {
            measured.push(Measured::default());
        }
    }
    align(&measured, out);
}

/// Checks one representation's segments and bandwidth.
fn check_representation(
    index: usize,
    rep: &Representation,
    progress: &mut dyn FnMut(),
    out: &mut Findings,
) -> Measured {
    let mut m = Measured::default();
    let whole = |severity, kind: &str, message: String| {
        let mut f = Finding::new(severity, kind, message);
        f.variant = Some(index);
        f
    };
    if rep.segments.is_empty() {
        out.push(whole(
            Severity::Info,
            "not-checked",
            tr(
                "Representation “{id}” has no SegmentTemplate check can follow; it was not analysed.",
                &[("id", &rep.id)],
            ),
        ));
        return m;
    }
    let defaults = match rep.init.as_deref().map(read_uri) {
        Some(Ok(init)) => fmp4::defaults(&init),
        Some(Err(e)) => {
            out.push(whole(
                Severity::Error,
                "segment-unreadable",
                tr(
                    "The initialisation segment of representation “{id}” could not be read ({error}).",
                    &[("id", &rep.id), ("error", &e)],
                ),
            ));
            fmp4::Defaults::default()
        }
        None => fmp4::Defaults::default(),
    };
    let scale = rep.timescale as f64;
    let mut bytes_total = 0u64;
    let mut seconds_total = 0.0f64;
    for segment in &rep.segments {
        progress();
        let start = segment.start as f64 / scale;
        let declared = segment.duration as f64 / scale;
        let at = |severity, kind: &str, message: String| {
            Finding::new(severity, kind, message)
                .at(start)
                .segment(Some(index), segment.number)
        };
        let bytes = match read_uri(&segment.uri) {
            Ok(b) => b,
            Err(e) => {
                out.push(at(
                    Severity::Error,
                    "segment-unreadable",
                    unreadable_segment(&segment.uri, &e),
                ));
                continue;
            }
        };
        bytes_total = bytes_total.saturating_add(bytes.len() as u64);
        seconds_total += declared;
        let samples = fmp4::samples(&bytes, defaults);
        let Some(first) = samples.first() else {
            out.push(at(
                Severity::Warning,
                "not-checked",
                gettext("The segment holds no fragment (moof) check can read."),
            ));
            continue;
        };
        if rep.kind == Kind::Video && !first.keyframe {
            out.push(at(
                Severity::Error,
                "segment-starts-without-keyframe",
                gettext("The segment does not start with a keyframe, so a player switching to it cannot decode its first frames."),
            ));
        }
        let media_start = first.dts as f64 / scale;
        if (media_start - start).abs() > SLACK {
            out.push(at(
                Severity::Error,
                "segment-time-mismatch",
                tr(
                    "The segment's media starts at {media_start} s but the manifest places it at {start} s.",
                    &[
                        ("media_start", &format!("{media_start:.3}")),
                        ("start", &format!("{start:.3}")),
                    ],
                ),
            ));
        }
        let length: u64 = samples
            .iter()
            .map(|s| u64::from(s.duration))
            .fold(0, u64::saturating_add);
        let length = length as f64 / scale;
        if (length - declared).abs() > SLACK {
            out.push(at(
                Severity::Warning,
                "segment-duration-mismatch",
                tr(
                    "The segment holds {length} s of media but the manifest says {declared} s.",
                    &[
                        ("length", &format!("{length:.3}")),
                        ("declared", &format!("{declared:.3}")),
                    ],
                ),
            ));
        }
        let ns = |ticks: i64| ((ticks as f64 / scale) * 1e9) as i64;
        m.keyframes
            .extend(samples.iter().filter(|s| s.keyframe).map(|s| ns(s.pts)));
        let end = samples
            .iter()
            .map(|s| s.pts.saturating_add(i64::from(s.duration)))
            .max()
            .unwrap_or(first.dts);
        m.span = Some(match m.span {
            Some((from, _)) => (from, ns(end)),
            None => (ns(first.pts.min(first.dts)), ns(end)),
        });
    }
    if let (Some(declared), true) = (rep.bandwidth, seconds_total > 0.0) {
        let mean = bytes_total as f64 * 8.0 / seconds_total;
        if mean > declared as f64 * BANDWIDTH_SLACK {
            out.push(whole(
                Severity::Error,
                "bandwidth-exceeded",
                tr(
                    "Representation “{id}” declares bandwidth={declared} but its segments average {mean} bits/s.",
                    &[
                        ("id", &rep.id),
                        ("declared", &declared.to_string()),
                        ("mean", &format!("{mean:.0}")),
                    ],
                ),
            ));
        } else if mean * 3.0 < declared as f64 {
            out.push(whole(
                Severity::Info,
                "bandwidth-overstated",
                tr(
                    "Representation “{id}” declares bandwidth={declared}, over three times its measured {mean} bits/s.",
                    &[
                        ("id", &rep.id),
                        ("declared", &declared.to_string()),
                        ("mean", &format!("{mean:.0}")),
                    ],
                ),
            ));
        }
    }
    m
}
