//! The frame on screen, and how an accurate seek is made exact.
//!
//! GStreamer's accurate seek shows the first decoded frame that overlaps the
//! seek target, with its timestamp *clipped* to the target. That is not
//! always the frame whose PTS is the last one ≤ the target: millisecond
//! containers (Matroska, WebM) and variable-rate files give frames durations
//! that overlap their successors, and a seek into the leading pictures of an
//! open GOP starts decoding at the keyframe after them, so they decode
//! without their references. [`true_pts`] recovers the real PTS of the shown
//! frame from the [`FrameIndex`]; [`settle`] says what to do next so the
//! frame on screen is exactly the one wanted.

use crate::engine::frameindex::{stream_time, FrameIndex};
use gst::prelude::*;

/// The sample a video sink shows, in stream time.
#[derive(Debug, Clone)]
pub(crate) struct ShownSample {
    /// The sample's PTS as stream time (clipped to the segment's start by
    /// the decoder when the frame began before it).
    pub start: gst::ClockTime,
    /// The end of the frame (PTS + duration), when the buffer has a duration.
    pub end: Option<gst::ClockTime>,
    /// The segment's start as stream time.
    pub segment_start: gst::ClockTime,
    /// The frame rate from the caps, when it is not 0/1.
    pub nominal_duration: Option<gst::ClockTime>,
    /// The decoded picture.
    pub sample: gst::Sample,
}

impl ShownSample {
    /// Reads the timing of a sink's `last-sample`, mapping its timestamps to
    /// stream time with the sample's own segment.
    pub(crate) fn from_sample(sample: gst::Sample) -> Option<Self> {
        Self::with_offset(sample, None)
    }

    /// Like [`ShownSample::from_sample`], but mapping timestamps with
    /// `offset` (`time − start` of the decoder's segment, see
    /// [`FrameIndex::stream_offset`]) when given.
    pub(crate) fn with_offset(sample: gst::Sample, offset: Option<i64>) -> Option<Self> {
        let segment = sample.segment()?.downcast_ref::<gst::ClockTime>()?.clone();
        let buffer = sample.buffer()?;
        let pts = buffer.pts()?;
        let map = |t: gst::ClockTime| match offset {
            Some(offset) => u64::try_from(t.nseconds() as i64 + offset)
                .ok()
                .map(gst::ClockTime::from_nseconds),
            None => stream_time(&segment, t),
        };
        let start = map(pts)?;
        let end = buffer.duration().and_then(|d| map(pts + d));
        let segment_start = segment.start().and_then(map)?;
        let nominal_duration = sample
            .caps()
            .and_then(|c| c.structure(0))
            .and_then(|s| s.get::<gst::Fraction>("framerate").ok())
            .filter(|f| f.numer() > 0 && f.denom() > 0)
            .and_then(|f| gst::ClockTime::SECOND.mul_div_round(f.denom() as u64, f.numer() as u64))
            // Over 1000 fps is a time base, not a frame rate (some muxers
            // write 1000000000/1 for variable-rate streams).
            .filter(|d| *d >= gst::ClockTime::MSECOND);
        Some(Self {
            start,
            end,
            segment_start,
            nominal_duration,
            sample,
        })
    }
}

/// The real PTS of the shown frame. A frame that starts after the segment's
/// start was not clipped; one at the segment's start may have been, and is
/// found in the index as the frame whose end (by its own duration or by the
/// nominal one, which some decoders use) is the shown frame's end.
pub(crate) fn true_pts(shown: &ShownSample, index: &FrameIndex) -> gst::ClockTime {
    if shown.start > shown.segment_start {
        return shown.start;
    }
    if let Some(end) = shown.end {
        let slack = gst::ClockTime::from_mseconds(1).nseconds();
        let ends_at = |pts: gst::ClockTime, d: Option<gst::ClockTime>| {
            d.is_some_and(|d| (pts + d).nseconds().abs_diff(end.nseconds()) <= slack)
        };
        let mut candidate = index.frame_at(shown.start);
        for _ in 0..4 {
            let Some(unit) = candidate else { break };
            if ends_at(unit.pts, unit.duration) || ends_at(unit.pts, shown.nominal_duration) {
                return unit.pts;
            }
            candidate = index.prev_before(unit.pts);
        }
    }
    index
        .frame_at(shown.start)
        .map_or(shown.start, |unit| unit.pts)
}

/// What to do after a seek has prerolled, to show exactly the frame wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settle {
    /// The right frame is on screen.
    Done,
    /// An earlier frame is on screen: step forward one frame and check again.
    StepForward,
    /// A later frame (or a broken leading picture) is on screen: seek
    /// accurately to this time and check again.
    SeekTo(gst::ClockTime),
}

/// Compares the frame on screen (`shown_pts`, its real PTS) with the frame
/// wanted at `goal` (the last one whose PTS is ≤ `goal`).
///
/// The decoder may not have been fed the frame after the one shown yet (a
/// codec without reordering delay blocks in the paused sink first). Then the
/// shown frame's own container duration tells whether its successor starts
/// by the goal; within a millisecond of it (millisecond containers round
/// timestamps) the player steps to look, and a step too far is corrected by
/// the next check.
pub(crate) fn settle(
    goal: gst::ClockTime,
    shown_pts: gst::ClockTime,
    index: &FrameIndex,
) -> Settle {
    // Decoding restarted at a keyframe after the goal: what is shown before
    // that keyframe is a leading picture of an open GOP, decoded without its
    // references. Seek to before the keyframe's decode time so decoding
    // starts at the previous keyframe.
    if let Some(key) = index.epoch_keyframe() {
        if key.pts > goal && shown_pts < key.pts {
            let before = key.dts.unwrap_or(goal).min(goal);
            return Settle::SeekTo(before.saturating_sub(gst::ClockTime::from_nseconds(1)));
        }
    }
    if shown_pts > goal {
        return match index.frame_at(goal) {
            Some(wanted) if wanted.pts < shown_pts => Settle::SeekTo(wanted.pts),
            _ => Settle::Done,
        };
    }
    match index.next_after(shown_pts) {
        Some(next) if next.pts <= goal => Settle::StepForward,
        Some(_) => Settle::Done,
        None => {
            let slack = gst::ClockTime::from_mseconds(1);
            let ends = index
                .unit(shown_pts)
                .and_then(|u| u.duration)
                .map(|d| shown_pts + d);
            match ends {
                Some(end) if end <= goal + slack => Settle::StepForward,
                _ => Settle::Done,
            }
        }
    }
}

/// The frame number of `pts` counted from the first frame at `first`, when
/// frames are `nominal` apart (constant frame rate).
pub(crate) fn frame_number(
    pts: gst::ClockTime,
    first: gst::ClockTime,
    nominal: gst::ClockTime,
) -> Option<u64> {
    if nominal.is_zero() || pts < first {
        return None;
    }
    let offset = (pts - first).nseconds() as f64 / nominal.nseconds() as f64;
    Some(offset.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::frameindex::AccessUnit;
    use gst::ClockTime as T;

    fn index_of(units: &[(u64, u64, bool)]) -> FrameIndex {
        let index = FrameIndex::default();
        for &(pts_us, dur_us, keyframe) in units {
            index.record(AccessUnit {
                pts: T::from_useconds(pts_us),
                dts: None,
                duration: Some(T::from_useconds(dur_us)),
                keyframe,
                size: 1,
            });
        }
        index
    }

    fn shown(start_us: u64, end_us: u64, seg_us: u64, nominal_us: u64) -> ShownSample {
        gst::init().unwrap();
        ShownSample {
            start: T::from_useconds(start_us),
            end: Some(T::from_useconds(end_us)),
            segment_start: T::from_useconds(seg_us),
            nominal_duration: Some(T::from_useconds(nominal_us)),
            sample: gst::Sample::builder().build(),
        }
    }

    #[test]
    fn matroska_overlap_remnant_is_recognised_and_stepped_past() {
        // Millisecond timestamps: frame 29 at 0.967 s lasts 33.333 ms, so it
        // overlaps frame 30 at 1.000 s; a seek to 1.000 s shows its remnant.
        let index = index_of(&[
            (933_000, 33_333, false),
            (967_000, 33_333, false),
            (1_000_000, 33_333, false),
        ]);
        let s = shown(1_000_000, 1_000_333, 1_000_000, 33_333);
        let pts = true_pts(&s, &index);
        assert_eq!(pts, T::from_useconds(967_000));
        assert_eq!(settle(T::from_seconds(1), pts, &index), Settle::StepForward);
        // Unclipped frames are what they say.
        let s = shown(1_000_000, 1_033_333, 990_000, 33_333);
        assert_eq!(true_pts(&s, &index), T::from_seconds(1));
        assert_eq!(
            settle(T::from_seconds(1), T::from_seconds(1), &index),
            Settle::Done
        );
    }

    #[test]
    fn variable_rate_frame_with_nominal_duration_is_found() {
        // Frames at 1.200 (33.3 ms) and 1.2333 s; the decoder gave frame 24 the
        // average duration 49.18 ms, so a seek to 1.234 s shows its remnant.
        let index = index_of(&[(1_200_000, 33_333, false), (1_233_333, 66_667, false)]);
        let s = shown(1_234_000, 1_249_180, 1_234_000, 49_180);
        let pts = true_pts(&s, &index);
        assert_eq!(pts, T::from_mseconds(1200));
        assert_eq!(
            settle(T::from_mseconds(1234), pts, &index),
            Settle::StepForward
        );
    }

    #[test]
    fn unknown_successor_is_judged_by_the_shown_frame_s_end() {
        // Only frame 146 (4.867 s, 33.333 ms) is known; the goal 4.900 s may
        // be frame 147's start (millisecond rounding): step to look.
        let index = index_of(&[(4_867_000, 33_333, false)]);
        assert_eq!(
            settle(T::from_mseconds(4900), T::from_mseconds(4867), &index),
            Settle::StepForward
        );
        assert_eq!(
            settle(T::from_mseconds(4880), T::from_mseconds(4867), &index),
            Settle::Done
        );
    }

    #[test]
    fn later_frame_is_corrected_by_an_exact_seek() {
        let index = index_of(&[(1_967_000, 33_333, false), (2_000_000, 33_333, false)]);
        assert_eq!(
            settle(T::from_mseconds(1999), T::from_seconds(2), &index),
            Settle::SeekTo(T::from_mseconds(1967))
        );
    }

    #[test]
    fn open_gop_leading_picture_reseeks_before_the_keyframe() {
        let index = FrameIndex::default();
        index.new_epoch();
        index.record(AccessUnit {
            pts: T::from_seconds(2),
            dts: Some(T::from_mseconds(1900)),
            duration: None,
            keyframe: true,
            size: 1,
        });
        index.record(AccessUnit {
            pts: T::from_useconds(1_966_667),
            dts: Some(T::from_useconds(1_933_333)),
            duration: None,
            keyframe: false,
            size: 1,
        });
        assert_eq!(
            settle(T::from_mseconds(1990), T::from_useconds(1_966_667), &index),
            Settle::SeekTo(T::from_mseconds(1900) - T::from_nseconds(1))
        );
    }

    #[test]
    fn frame_numbers_round_to_the_nearest_frame() {
        let nominal = T::from_useconds(33_333);
        assert_eq!(
            frame_number(T::from_mseconds(967), T::ZERO, nominal),
            Some(29)
        );
        assert_eq!(
            frame_number(
                T::from_useconds(191_667 + 1_000_000),
                T::from_useconds(191_667),
                nominal
            ),
            Some(30)
        );
        assert_eq!(frame_number(T::ZERO, T::from_mseconds(1), nominal), None);
    }
}
