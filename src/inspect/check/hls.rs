//! The HLS checks: every segment of every variant is read (MPEG-TS through
//! [`super::mpegts`], fragmented MP4 through [`super::fmp4`]) and held against its playlist — starts with a
//! keyframe, duration against `#EXTINF` and `#EXT-X-TARGETDURATION`,
//! timestamps continuing from the segment before unless a discontinuity is
//! declared, audio and video starting together — then each variant's
//! measured peak bitrate against its declared `BANDWIDTH`, and keyframe
//! times across variants.

use super::finding::{Finding, Findings, Severity};
use super::fmp4;
use super::mpegts;
use super::playlist::{parse_media, MediaPlaylist, Segment};
use super::timeline::Kind;
use crate::engine::variants::parse_hls_master;
use crate::i18n::{gettext, gettext_noop, tr};

/// Segments larger than this are not read.
const SEGMENT_LIMIT: usize = 256 << 20;
/// How long one playlist or segment may take to read over a network.
const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// A segment's measured duration may differ from `#EXTINF` by this much.
const DURATION_SLACK: f64 = 0.5;
/// Timestamps may miss the previous segment's end by this much.
const JUMP_SLACK_NS: i64 = 500_000_000;
/// Audio and video may start this far apart in a segment.
const SKEW_LIMIT_NS: i64 = 200_000_000;
/// A measured peak may exceed the declared bandwidth by this factor.
const BANDWIDTH_SLACK: f64 = 1.1;
/// Keyframes of two variants this close are at the same time.
const ALIGN_SLACK_NS: i64 = 1_000_000;

fn seconds(ns: i64) -> f64 {
    ns as f64 / 1e9
}

/// The sentence for a segment that [`read_uri`] could not read.
pub(crate) fn unreadable_segment(uri: &str, error: &str) -> String {
    tr(
        "The segment “{name}” could not be read ({error}).",
        &[
            ("name", &crate::engine::display_name(uri)),
            ("error", error),
        ],
    )
}

/// Reads `uri` whole: a local file from the disk, anything else through
/// GStreamer's source for it.
pub(crate) fn read_uri(uri: &str) -> Result<Vec<u8>, String> {
    if crate::inspect::is_local(uri) {
        let path = glib::filename_from_uri(uri)
            .ok()
            .map(|(p, _)| p)
            .ok_or_else(|| gettext("it is not a local path"))?;
        let size = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
        if size > SEGMENT_LIMIT as u64 {
            return Err(tr(
                "it is larger than {size} MiB",
                &[("size", &(SEGMENT_LIMIT >> 20).to_string())],
            ));
        }
        std::fs::read(&path).map_err(|e| e.to_string())
    } else {
        crate::engine::variants::fetch_up_to(uri, READ_TIMEOUT, SEGMENT_LIMIT)
    }
}

/// One variant to check.
struct Variant {
    /// Its playlist's address.
    uri: String,
    /// Its declared `BANDWIDTH`, from a master playlist.
    bandwidth: Option<u64>,
}

/// What reading a variant's segments measured (for the keyframe
/// alignment across variants).
#[derive(Debug, Default)]
pub(crate) struct Measured {
    /// Video keyframe times (ns, the segments' own timestamps).
    pub(crate) keyframes: Vec<i64>,
    /// The first and last video (or audio) time seen.
    pub(crate) span: Option<(i64, i64)>,
}

/// Checks the playlist `text` read from `uri` (master or media).
pub(crate) fn check(uri: &str, text: &str, progress: &mut dyn FnMut(), out: &mut Findings) {
    let master = parse_hls_master(text, uri);
    let variants: Vec<Variant> = if master.is_empty() {
        vec![Variant {
            uri: uri.to_string(),
            bandwidth: None,
        }]
    } else {
        master
            .into_iter()
            .filter_map(|v| {
                Some(Variant {
                    uri: v.uri?,
                    bandwidth: Some(v.bandwidth),
                })
            })
            .collect()
    };
    if text
        .lines()
        .any(|l| l.starts_with("#EXT-X-MEDIA:") && l.contains("URI="))
    {
        out.push(Finding::new(
            Severity::Info,
            "not-checked",
            gettext("The alternative renditions (#EXT-X-MEDIA with a URI) are not checked; check their playlists on their own."),
        ));
    }
    let several = variants.len() > 1;
    let mut measured = Vec::new();
    for (index, variant) in variants.iter().enumerate() {
        let tag = several.then_some(index);
        let name = crate::engine::display_name(&variant.uri);
        let playlist_text = if variant.uri == uri {
            Ok(text.as_bytes().to_vec())
        } else {
            read_uri(&variant.uri)
        };
        let playlist = playlist_text
            .ok()
            .and_then(|b| parse_media(&String::from_utf8_lossy(&b), &variant.uri));
        let Some(playlist) = playlist else {
            let mut f = Finding::new(
                Severity::Error,
                "playlist-unreadable",
                tr(
                    "The variant playlist “{name}” could not be read as an HLS playlist.",
                    &[("name", &name)],
                ),
            );
            f.variant = tag;
            out.push(f);
            measured.push(Measured::default());
            continue;
        };
        measured.push(check_variant(tag, variant, &playlist, progress, out));
    }
    align(&measured, out);
}

/// Checks one variant's segments and bandwidth.
fn check_variant(
    tag: Option<usize>,
    variant: &Variant,
    playlist: &MediaPlaylist,
    progress: &mut dyn FnMut(),
    out: &mut Findings,
) -> Measured {
    let name = crate::engine::display_name(&variant.uri);
    let whole = |severity, kind: &str, message: String| {
        let mut f = Finding::new(severity, kind, message);
        f.variant = tag;
        f
    };
    if !playlist.ended {
        out.push(whole(
            Severity::Info,
            "live-playlist",
            tr(
                "“{name}” has no #EXT-X-ENDLIST (a live playlist); only the segments it lists now were checked.",
                &[("name", &name)],
            ),
        ));
    }
    for tag_name in &playlist.unsupported {
        out.push(whole(
            Severity::Info,
            "not-checked",
            tr(
                "“{name}” uses #{tag}, which check does not follow; its segments were not analysed.",
                &[("name", &name), ("tag", tag_name)],
            ),
        ));
    }
    let target = playlist.target_duration;
    if target.is_none() {
        out.push(whole(
            Severity::Error,
            "target-duration-missing",
            tr(
                "“{name}” has no #EXT-X-TARGETDURATION, which every media playlist must have.",
                &[("name", &name)],
            ),
        ));
    }
    // The tracks of fragmented-MP4 segments, from their #EXT-X-MAP.
    let tracks = playlist.map.as_deref().and_then(|map| match read_uri(map) {
        Ok(init) => Some(fmp4::tracks(&init)),
        Err(e) => {
            out.push(whole(
                Severity::Error,
                "segment-unreadable",
                tr(
                    "The initialisation segment “{name}” (#EXT-X-MAP) could not be read ({error}).",
                    &[("name", &crate::engine::display_name(map)), ("error", &e)],
                ),
            ));
            None
        }
    });
    let mut m = Measured::default();
    let mut peak: Option<(f64, u64, f64)> = None;
    let mut clock = 0.0f64;
    let mut previous_end: Option<i64> = None;
    let mut told_format = false;
    for segment in &playlist.segments {
        progress();
        let at = |severity, kind: &str, message: String| {
            Finding::new(severity, kind, message)
                .at(clock)
                .segment(tag, segment.sequence)
        };
        if let Some(target) = target {
            if segment.duration.round() > target as f64 {
                out.push(at(
                    Severity::Error,
                    "segment-over-target-duration",
                    tr(
                        "The segment lasts {duration} s by #EXTINF, more than the target duration of {target} s.",
                        &[
                            ("duration", &format!("{:.3}", segment.duration)),
                            ("target", &target.to_string()),
                        ],
                    ),
                ));
            }
        }
        let bytes = match read_uri(&segment.uri) {
            Ok(b) => b,
            Err(e) => {
                out.push(at(
                    Severity::Error,
                    "segment-unreadable",
                    unreadable_segment(&segment.uri, &e),
                ));
                clock += segment.duration;
                previous_end = None;
                continue;
            }
        };
        if segment.duration > 0.0 {
            let rate = bytes.len() as f64 * 8.0 / segment.duration;
            if peak.is_none_or(|(p, _, _)| rate > p) {
                peak = Some((rate, segment.sequence, clock));
            }
        }
        if !playlist.unsupported.is_empty() {
            clock += segment.duration;
            continue;
        }
        let content = if mpegts::looks_like_ts(&bytes) {
            Some(mpegts::read(&bytes))
        } else {
            tracks.as_deref().map(|t| fmp4_content(&bytes, t))
        };
        let Some(content) = content else {
            if !told_format {
                told_format = true;
                out.push(at(
                    Severity::Info,
                    "not-checked",
                    gettext("The segments are neither MPEG-TS nor fragmented MP4 with an #EXT-X-MAP; only their durations and bitrate were checked."),
                ));
            }
            clock += segment.duration;
            continue;
        };
        previous_end = check_segment(segment, &content, previous_end, &mut m, &at, out);
        clock += segment.duration;
    }
    if let (Some(declared), Some((rate, sequence, time))) = (variant.bandwidth, peak) {
        let declared_f = declared as f64;
        if rate > declared_f * BANDWIDTH_SLACK {
            out.push(
                Finding::new(
                    Severity::Error,
                    "bandwidth-exceeded",
                    tr(
                        "“{name}” declares BANDWIDTH={declared} but its segment {sequence} peaks at {rate} bits/s.",
                        &[
                            ("name", &name),
                            ("declared", &declared.to_string()),
                            ("sequence", &sequence.to_string()),
                            ("rate", &format!("{rate:.0}")),
                        ],
                    ),
                )
                .at(time)
                .segment(tag, sequence),
            );
        } else if rate * 3.0 < declared_f {
            out.push(whole(
                Severity::Info,
                "bandwidth-overstated",
                tr(
                    "“{name}” declares BANDWIDTH={declared}, over three times its measured peak of {rate} bits/s.",
                    &[
                        ("name", &name),
                        ("declared", &declared.to_string()),
                        ("rate", &format!("{rate:.0}")),
                    ],
                ),
            ));
        }
    }
    m
}

/// The access units of a fragmented-MP4 segment, as the MPEG-TS reader
/// gives them (one stream per track, times in nanoseconds).
fn fmp4_content(bytes: &[u8], tracks: &[fmp4::Track]) -> mpegts::TsContent {
    let mut content = mpegts::TsContent::default();
    for (stream, track) in tracks.iter().enumerate() {
        content.kinds.push(match &track.handler {
            b"vide" => Kind::Video,
            b"soun" => Kind::Audio,
            _ => Kind::Other,
        });
        let scale = i128::from(track.timescale.max(1));
        let ns = |t: i64| {
            (i128::from(t) * 1_000_000_000 / scale).clamp(i64::MIN.into(), i64::MAX.into()) as i64
        };
        for s in fmp4::samples_of_track(bytes, track) {
            content.frames.push(crate::inspect::FrameRecord {
                stream,
                pts: Some(ns(s.pts)),
                dts: Some(ns(s.dts)),
                duration: Some((i128::from(s.duration) * 1_000_000_000 / scale) as u64),
                size: 0,
                keyframe: s.keyframe,
                picture_type: None,
            });
        }
    }
    content
}

/// Checks one MPEG-TS or fragmented-MP4 segment; returns where its
/// timestamps end.
fn check_segment(
    segment: &Segment,
    content: &mpegts::TsContent,
    previous_end: Option<i64>,
    m: &mut Measured,
    at: &dyn Fn(Severity, &str, String) -> Finding,
    out: &mut Findings,
) -> Option<i64> {
    let first_of = |kind| content.kinds.iter().position(|k| *k == kind);
    let (video, audio) = (first_of(Kind::Video), first_of(Kind::Audio));
    let frames_of = |s: Option<usize>| content.frames.iter().filter(move |f| Some(f.stream) == s);
    let start_of = |s| frames_of(s).filter_map(|f| f.pts).min();
    if let Some(first) = frames_of(video).next() {
        if !first.keyframe {
            out.push(at(
                Severity::Error,
                "segment-starts-without-keyframe",
                gettext("The segment does not start with a keyframe, so a player switching to it cannot decode its first frames."),
            ));
        }
    }
    m.keyframes.extend(
        frames_of(video)
            .filter(|f| f.keyframe)
            .filter_map(|f| f.pts),
    );
    if let (Some(v), Some(a)) = (start_of(video), start_of(audio)) {
        let skew = a.saturating_sub(v);
        if skew.saturating_abs() > SKEW_LIMIT_NS {
            let template = if skew > 0 {
                gettext_noop("Audio starts {seconds} s after video in this segment.")
            } else {
                gettext_noop("Audio starts {seconds} s before video in this segment.")
            };
            let apart = format!("{:.3}", seconds(skew.saturating_abs()));
            let message = tr(template, &[("seconds", &apart)]);
            out.push(at(Severity::Warning, "av-start-skew", message));
        }
    }
    let main = video.or(audio);
    let start = start_of(main)?;
    let last = frames_of(main).filter_map(|f| f.pts).max()?;
    // One frame's duration: the smallest step between presentation times.
    let mut times: Vec<i64> = frames_of(main).filter_map(|f| f.pts).collect();
    times.sort_unstable();
    let frame = times
        .windows(2)
        .map(|w| w[1].saturating_sub(w[0]))
        .filter(|d| *d > 0)
        .min()
        .unwrap_or(0);
    let end = last.saturating_add(frame);
    let measured = seconds(end.saturating_sub(start));
    if (measured - segment.duration).abs() > DURATION_SLACK {
        out.push(at(
            Severity::Warning,
            "segment-duration-mismatch",
            tr(
                "The segment holds {measured} s of media but #EXTINF says {declared} s.",
                &[
                    ("measured", &format!("{measured:.3}")),
                    ("declared", &format!("{:.3}", segment.duration)),
                ],
            ),
        ));
    }
    if segment.discontinuity {
        out.push(at(
            Severity::Info,
            "discontinuity",
            gettext("A discontinuity is declared before this segment (#EXT-X-DISCONTINUITY)."),
        ));
    } else if let Some(previous) = previous_end {
        let jump = start.saturating_sub(previous);
        if jump.saturating_abs() > JUMP_SLACK_NS {
            let template = if jump > 0 {
                gettext_noop("The timestamps jump forward by {seconds} s from the segment before, with no #EXT-X-DISCONTINUITY.")
            } else {
                gettext_noop("The timestamps jump back by {seconds} s from the segment before, with no #EXT-X-DISCONTINUITY.")
            };
            let by = format!("{:.3}", seconds(jump.saturating_abs()));
            let message = tr(template, &[("seconds", &by)]);
            out.push(at(Severity::Error, "timestamp-jump", message));
        }
    }
    m.span = Some(match m.span {
        Some((first, _)) => (first, end),
        None => (start, end),
    });
    Some(end)
}

/// Compares keyframe times across variants (all against the first with
/// video), within the time all of them cover.
pub(crate) fn align(measured: &[Measured], out: &mut Findings) {
    let Some((reference, r)) = measured
        .iter()
        .enumerate()
        .find(|(_, m)| !m.keyframes.is_empty())
    else {
        return;
    };
    let Some((r_start, r_end)) = r.span else {
        return;
    };
    for (index, other) in measured.iter().enumerate().skip(reference + 1) {
        let Some((o_start, o_end)) = other.span else {
            continue;
        };
        if other.keyframes.is_empty() {
            continue;
        }
        let (from, to) = (r_start.max(o_start), r_end.min(o_end));
        let inside = |k: &&i64| (from..to).contains(*k);
        let has = |list: &[i64], k: i64| {
            list.iter()
                .any(|x| x.saturating_sub(k).saturating_abs() <= ALIGN_SLACK_NS)
        };
        let missing: Vec<i64> = r
            .keyframes
            .iter()
            .filter(inside)
            .filter(|k| !has(&other.keyframes, **k))
            .chain(
                other
                    .keyframes
                    .iter()
                    .filter(inside)
                    .filter(|k| !has(&r.keyframes, **k)),
            )
            .copied()
            .collect();
        if let Some(first) = missing.iter().min() {
            let mut f = Finding::new(
                Severity::Warning,
                "keyframes-misaligned",
                tr(
                    "{count} keyframe(s) of variant {index} and variant {reference} are not at the same times (the first at {time} s), so switching between them is not seamless.",
                    &[
                        ("count", &missing.len().to_string()),
                        ("index", &index.to_string()),
                        ("reference", &reference.to_string()),
                        ("time", &format!("{:.3}", seconds(first.saturating_sub(r_start)))),
                    ],
                ),
            )
            .at(seconds(first.saturating_sub(r_start)));
            f.variant = Some(index);
            out.push(f);
        }
    }
}
