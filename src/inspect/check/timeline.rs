//! Timestamp checks on a sequence of access units ([`FrameRecord`]s, in the
//! order the container holds them): decode times that go back or jump,
//! presentation gaps, overlaps and duplicates, frame-rate changes, long
//! stretches without a keyframe, and how far apart audio and video lie in
//! the file. Frames are pushed one at a time; only the video PTS are kept
//! (8 bytes a frame) for the gap and rate analysis at the end.

use super::finding::{Finding, Findings, Severity};
use crate::i18n::{gettext, gettext_noop, tr};
use crate::inspect::FrameRecord;

/// What a stream carries, as far as the checks care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Video access units.
    Video,
    /// Audio frames.
    Audio,
    /// Anything else (not checked).
    Other,
}

/// A stretch without a keyframe longer than this is reported.
pub(crate) const KEYFRAME_LIMIT_NS: i64 = 10_000_000_000;
/// A forward decode-time step longer than this is a jump.
const JUMP_NS: i64 = 5_000_000_000;
/// Audio and video further apart than this in the file are reported.
pub(crate) const INTERLEAVE_LIMIT_NS: i64 = 1_000_000_000;
/// Audio timestamps may miss the previous frame's end by this much
/// (Matroska rounds to milliseconds).
const AUDIO_SLACK_NS: i64 = 2_000_000;
/// Frames a new frame duration must hold for to count as a rate change.
const RATE_RUN: usize = 5;

fn seconds(ns: i64) -> f64 {
    ns as f64 / 1e9
}

/// One stream's state.
#[derive(Debug, Default)]
struct Stream {
    frames: u64,
    last_dts: Option<i64>,
    /// Time and frame of the last keyframe.
    last_key: Option<(i64, u64)>,
    /// Time of the last frame seen.
    last_time: Option<i64>,
    /// Video: (pts, frame) of each epoch (a new one after a DTS jump).
    epochs: Vec<Vec<(i64, u64)>>,
    /// Audio: the end (pts + duration) of the last frame.
    audio_end: Option<i64>,
    /// How often its decode time went back or jumped: audio and video are
    /// compared only within the same generation.
    generation: u32,
}

/// The checks over one input's frames.
#[derive(Debug)]
pub(crate) struct Timeline {
    kinds: Vec<Kind>,
    streams: Vec<Stream>,
    /// Whether frames come in file order (interleaving can be measured).
    file_order: bool,
    /// The last video and audio decode time, with its stream's generation.
    last_video_dts: Option<(i64, u32)>,
    last_audio_dts: Option<(i64, u32)>,
    /// The largest audio/video distance in the file, and where.
    interleave: Option<(i64, i64)>,
}

impl Timeline {
    /// Checks for streams of `kinds` (by index; unknown indices are
    /// `Other`). `file_order`: frames come as the file stores them.
    pub(crate) fn new(kinds: Vec<Kind>, file_order: bool) -> Self {
        Timeline {
            kinds,
            streams: Vec::new(),
            file_order,
            last_video_dts: None,
            last_audio_dts: None,
            interleave: None,
        }
    }

    fn kind(&self, stream: usize) -> Kind {
        self.kinds.get(stream).copied().unwrap_or(Kind::Other)
    }

    /// Takes the next frame.
    pub(crate) fn push(&mut self, f: &FrameRecord, out: &mut Findings) {
        let kind = self.kind(f.stream);
        if kind == Kind::Other {
            return;
        }
        if self.streams.len() <= f.stream {
            // Stream indices are small (the report's, plus a few).
            if f.stream > 1024 {
                return;
            }
            self.streams.resize_with(f.stream + 1, Stream::default);
        }
        let s = &mut self.streams[f.stream];
        let n = s.frames;
        s.frames = s.frames.saturating_add(1);
        // Only a container's own decode times are checked for order
        // (Matroska has none: its times are presentation times).
        let dts = f.dts;
        let time = dts.or(f.pts).or(s.last_time);
        let mut new_epoch = s.epochs.is_empty();
        if let (Some(dts), Some(last)) = (dts, s.last_dts) {
            let step = dts.saturating_sub(last);
            if step < 0 {
                out.push(
                    Finding::new(
                        Severity::Error,
                        "dts-backwards",
                        tr(
                            "The decode time goes back by {step} s (from {from} s to {to} s).",
                            &[
                                ("step", &format!("{:.3}", seconds(-step))),
                                ("from", &format!("{:.3}", seconds(last))),
                                ("to", &format!("{:.3}", seconds(dts))),
                            ],
                        ),
                    )
                    .at(seconds(dts))
                    .frame(f.stream, n),
                );
                new_epoch = true;
                s.generation = s.generation.saturating_add(1);
            } else if step == 0 && kind == Kind::Video {
                out.push(
                    Finding::new(
                        Severity::Warning,
                        "dts-repeated",
                        tr(
                            "Two frames in a row have the same decode time ({time} s).",
                            &[("time", &format!("{:.3}", seconds(dts)))],
                        ),
                    )
                    .at(seconds(dts))
                    .frame(f.stream, n),
                );
            } else if step > JUMP_NS {
                out.push(
                    Finding::new(
                        Severity::Warning,
                        "dts-jump",
                        tr(
                            "The decode time jumps forward by {step} s (from {from} s to {to} s).",
                            &[
                                ("step", &format!("{:.3}", seconds(step))),
                                ("from", &format!("{:.3}", seconds(last))),
                                ("to", &format!("{:.3}", seconds(dts))),
                            ],
                        ),
                    )
                    .at(seconds(dts))
                    .frame(f.stream, n),
                );
                new_epoch = true;
                s.generation = s.generation.saturating_add(1);
            }
        }
        if dts.is_some() {
            s.last_dts = dts;
        }
        if time.is_some() {
            s.last_time = time;
        }
        match kind {
            Kind::Video => {
                if n == 0 && !f.keyframe {
                    out.push(
                        Finding::new(
                            Severity::Warning,
                            "starts-without-keyframe",
                            gettext("The video does not start with a keyframe; its first frames cannot be decoded."),
                        )
                        .at(time.map_or(f64::NAN, seconds))
                        .frame(f.stream, n),
                    );
                }
                if f.keyframe {
                    if let (Some(t), Some((key, key_frame))) = (time, s.last_key) {
                        long_stretch(out, f.stream, key, key_frame, t);
                    }
                    if let Some(t) = time {
                        s.last_key = Some((t, n));
                    }
                }
                if new_epoch {
                    s.epochs.push(Vec::new());
                }
                if let (Some(pts), Some(epoch)) = (f.pts, s.epochs.last_mut()) {
                    epoch.push((pts, n));
                }
                if let Some(t) = dts.or(f.pts) {
                    self.last_video_dts = Some((t, s.generation));
                }
            }
            Kind::Audio => {
                if let (Some(pts), Some(end)) = (f.pts, s.audio_end) {
                    audio_continuity(out, f.stream, n, pts, end);
                }
                s.audio_end = match (f.pts, f.duration) {
                    (Some(pts), Some(d)) => i64::try_from(d).ok().and_then(|d| pts.checked_add(d)),
                    _ => None,
                };
                if let Some(t) = dts.or(f.pts) {
                    self.last_audio_dts = Some((t, s.generation));
                }
            }
            Kind::Other => {}
        }
        if self.file_order {
            if let (Some((v, vg)), Some((a, ag))) = (self.last_video_dts, self.last_audio_dts) {
                if vg != ag {
                    return;
                }
                let apart = v.saturating_sub(a).saturating_abs();
                if self.interleave.is_none_or(|(most, _)| apart > most) {
                    self.interleave = Some((apart, v.min(a)));
                }
            }
        }
    }

    /// The checks that need every frame.
    pub(crate) fn finish(self, out: &mut Findings) {
        for (index, s) in self.streams.iter().enumerate() {
            if self.kind(index) != Kind::Video || s.frames == 0 {
                continue;
            }
            match (s.last_key, s.last_time) {
                (Some((key, key_frame)), Some(end)) => {
                    long_stretch(out, index, key, key_frame, end)
                }
                _ => out.push(
                    Finding::new(
                        Severity::Error,
                        "no-keyframe",
                        gettext("The video has no keyframe at all; no frame of it can be decoded on its own."),
                    )
                    .frame(index, 0),
                ),
            }
            for epoch in &s.epochs {
                presentation(out, index, epoch);
            }
        }
        if let Some((apart, at)) = self.interleave {
            if apart > INTERLEAVE_LIMIT_NS {
                out.push(
                    Finding::new(
                        Severity::Warning,
                        "interleave-distance",
                        tr(
                            "Audio and video lie up to {distance} s apart in the file; players reading it over a network need that much buffer.",
                            &[("distance", &format!("{:.3}", seconds(apart)))],
                        ),
                    )
                    .at(seconds(at)),
                );
            }
        }
    }
}

/// Reports a stretch from a keyframe at `key` to `end` longer than the limit.
fn long_stretch(out: &mut Findings, stream: usize, key: i64, key_frame: u64, end: i64) {
    let stretch = end.saturating_sub(key);
    if stretch > KEYFRAME_LIMIT_NS {
        out.push(
            Finding::new(
                Severity::Warning,
                "keyframe-interval",
                tr(
                    "{stretch} s pass without a keyframe after the one at {time} s; seeking and joining there is slow.",
                    &[
                        ("stretch", &format!("{:.3}", seconds(stretch))),
                        ("time", &format!("{:.3}", seconds(key))),
                    ],
                ),
            )
            .at(seconds(key))
            .frame(stream, key_frame),
        );
    }
}

/// Reports an audio frame that does not start where the last one ended.
fn audio_continuity(out: &mut Findings, stream: usize, n: u64, pts: i64, end: i64) {
    let miss = pts.saturating_sub(end);
    let (kind, template) = if miss > AUDIO_SLACK_NS {
        (
            "pts-gap",
            gettext_noop("The audio has a gap of {length} s before {time} s."),
        )
    } else if miss < -AUDIO_SLACK_NS {
        (
            "pts-overlap",
            gettext_noop("The audio has an overlap of {length} s before {time} s."),
        )
    } else {
        return;
    };
    let message = tr(
        template,
        &[
            ("length", &format!("{:.3}", seconds(miss.saturating_abs()))),
            ("time", &format!("{:.3}", seconds(pts))),
        ],
    );
    out.push(
        Finding::new(Severity::Warning, kind, message)
            .at(seconds(pts))
            .frame(stream, n),
    );
}

/// Whether two frame durations are the same rate (within 10 %).
fn similar(a: i64, b: i64) -> bool {
    let (a, b) = (a as i128, b as i128);
    (a - b).abs() * 10 <= a.max(b)
}

/// Video presentation times of one epoch, in presentation order: duplicates,
/// gaps, overlaps and frame-rate changes.
fn presentation(out: &mut Findings, stream: usize, epoch: &[(i64, u64)]) {
    let mut sorted = epoch.to_vec();
    sorted.sort_unstable();
    let steps: Vec<(i64, i64, u64)> = sorted
        .windows(2)
        .map(|w| (w[1].0.saturating_sub(w[0].0), w[1].0, w[1].1))
        .collect();
    // The rate at the start: the middle step of the first few.
    let mut positive: Vec<i64> = steps
        .iter()
        .map(|s| s.0)
        .filter(|&d| d > 0)
        .take(2 * RATE_RUN + 1)
        .collect();
    if positive.is_empty() {
        return;
    }
    positive.sort_unstable();
    let mut current = positive[positive.len() / 2];
    for (i, &(step, pts, frame)) in steps.iter().enumerate() {
        let at = |f: Finding| f.at(seconds(pts)).frame(stream, frame);
        if step == 0 {
            out.push(at(Finding::new(
                Severity::Error,
                "pts-duplicate",
                tr(
                    "Two frames have the same presentation time ({time} s).",
                    &[("time", &format!("{:.3}", seconds(pts)))],
                ),
            )));
            continue;
        }
        if similar(step, current) {
            continue;
        }
        let next: Vec<i64> = steps
            .iter()
            .skip(i + 1)
            .take(RATE_RUN)
            .map(|s| s.0)
            .collect();
        let holds = next.len() == RATE_RUN && next.iter().all(|&d| similar(d, step));
        if holds {
            out.push(at(Finding::new(
                Severity::Info,
                "frame-rate-change",
                tr(
                    "The frame rate changes from {from} to {to} frames/s.",
                    &[
                        ("from", &format!("{:.3}", 1e9 / current as f64)),
                        ("to", &format!("{:.3}", 1e9 / step as f64)),
                    ],
                ),
            )));
            current = step;
        } else if step > current.saturating_mul(3) / 2 {
            out.push(at(Finding::new(
                Severity::Warning,
                "pts-gap",
                tr(
                    "The video has a gap of {length} s before {time} s ({count} frame(s) missing).",
                    &[
                        ("length", &format!("{:.3}", seconds(step - current))),
                        ("time", &format!("{:.3}", seconds(pts))),
                        (
                            "count",
                            &(step / current).saturating_sub(1).max(1).to_string(),
                        ),
                    ],
                ),
            )));
        } else if step < current / 2 {
            out.push(at(Finding::new(
                Severity::Warning,
                "pts-overlap",
                tr(
                    "Two video frames are only {step} s apart at {time} s, less than one frame.",
                    &[
                        ("step", &format!("{:.3}", seconds(step))),
                        ("time", &format!("{:.3}", seconds(pts))),
                    ],
                ),
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video(n: i64, pts: i64, dts: i64, key: bool) -> FrameRecord {
        let _ = n;
        FrameRecord {
            stream: 0,
            pts: Some(pts),
            dts: Some(dts),
            duration: None,
            size: 100,
            keyframe: key,
            picture_type: None,
        }
    }

    fn run(frames: &[FrameRecord]) -> Vec<Finding> {
        let mut out = Findings::default();
        let mut t = Timeline::new(vec![Kind::Video, Kind::Audio], true);
        for f in frames {
            t.push(f, &mut out);
        }
        t.finish(&mut out);
        out.finish()
    }

    fn kinds(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.kind.as_str()).collect()
    }

    const F: i64 = 40_000_000;

    #[test]
    fn a_steady_stream_is_clean() {
        let frames: Vec<_> = (0..100)
            .map(|i| video(i, i * F, i * F, i % 25 == 0))
            .collect();
        assert!(run(&frames).is_empty(), "{:?}", run(&frames));
    }

    #[test]
    fn faults_are_found_where_they_are() {
        // DTS back at frame 50, a gap at 20, a duplicate at 30.
        let mut frames: Vec<_> = (0..100)
            .map(|i| video(i, i * F, i * F, i % 25 == 0))
            .collect();
        frames[50].dts = Some(10 * F);
        frames[20].pts = Some(21 * F);
        frames[30].pts = Some(29 * F);
        let found = run(&frames);
        let k = kinds(&found);
        assert!(k.contains(&"dts-backwards"), "{found:?}");
        let back = found.iter().find(|f| f.kind == "dts-backwards").unwrap();
        assert_eq!((back.frame, back.severity), (Some(50), Severity::Error));
        assert!(k.contains(&"pts-duplicate"), "{found:?}");
    }

    #[test]
    fn rate_changes_and_gaps_differ() {
        let mut t = 0;
        let mut frames = Vec::new();
        for i in 0..60 {
            frames.push(video(i, t, t, i % 30 == 0));
            t += if i < 30 { F } else { 33_333_333 };
        }
        frames.push(video(60, t + 10 * F, t + 10 * F, false));
        let found = run(&frames);
        let k = kinds(&found);
        assert_eq!(
            k.iter().filter(|k| **k == "frame-rate-change").count(),
            1,
            "{found:?}"
        );
        assert!(k.contains(&"pts-gap"), "{found:?}");
    }

    #[test]
    fn long_gops_and_far_interleaving_are_reported() {
        let mut frames: Vec<_> = (0..400).map(|i| video(i, i * F, i * F, i == 0)).collect();
        // 2 s of audio only after all the video.
        for i in 0..10 {
            frames.push(FrameRecord {
                stream: 1,
                pts: Some(i * 100_000_000),
                dts: Some(i * 100_000_000),
                duration: Some(100_000_000),
                size: 10,
                keyframe: true,
                picture_type: None,
            });
        }
        let k = run(&frames);
        let k = kinds(&k);
        assert!(k.contains(&"keyframe-interval"), "{k:?}");
        assert!(k.contains(&"interleave-distance"), "{k:?}");
    }
}
