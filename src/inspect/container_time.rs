//! Container time: the timestamps a file holds, as ffprobe prints them
//! (`pts_time`/`dts_time`), recovered from the times GStreamer hands on,
//! and ffprobe's stream and format `start_time` ([`StartTimes`]). Most
//! demuxers' stream time already is container time (`qtdemux` applies an
//! MP4 edit list as ffmpeg does). Two are not:
//!
//! - `matroskademux` starts its first segment at the first cluster's time
//!   and counts stream time from there (a file whose first video block is
//!   at 7 ms gets stream time 0 for it), then sends a segment from 0, so
//!   frames before and after it moved differently. Its buffers' own
//!   timestamps are the blocks', so those are taken as they are.
//! - `tsdemux` counts from the first PCR (a file whose timestamps start
//!   near 11.4 s has its first frame at 0.767 s). The offset back to the
//!   90 kHz clock is the engine's time origin's
//!   ([`crate::engine::origin`]), learnt from the stream's own PES headers
//!   (a local file's from disk, an HTTP(S) stream's as they flow into
//!   `tsdemux`); without it (M2TS, HLS segments, live UDP/SRT/RTP) stream
//!   time is given.

use crate::engine::origin::{stream_time, TimeOrigin};
use gst::prelude::*;
use std::sync::{Arc, Mutex, MutexGuard};

/// How the demuxer's times map to the container's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Mapping {
    /// Stream time is container time.
    #[default]
    StreamTime,
    /// The buffers' own timestamps are (Matroska, WebM).
    Raw,
    /// Stream time plus the transport stream's offset (MPEG-TS).
    Shifted,
}

/// The mapping of one scan; clones share it.
#[derive(Debug, Clone)]
pub(crate) struct ContainerClock {
    mapping: Arc<Mutex<Mapping>>,
    origin: TimeOrigin,
}

impl ContainerClock {
    /// A clock for `uri`.
    pub(crate) fn for_uri(uri: &str) -> Self {
        Self {
            mapping: Arc::default(),
            origin: TimeOrigin::for_uri(uri),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Mapping> {
        self.mapping.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Learns the mapping from a demuxer `parsebin` made (a streaming
    /// thread; reads a transport stream's head).
    pub(crate) fn watch_demuxer(&self, demuxer: &gst::Element) {
        let name = demuxer.factory().map(|f| f.name().to_string());
        *self.lock() = match name.as_deref() {
            Some("matroskademux") => Mapping::Raw,
            Some("tsdemux") => Mapping::Shifted,
            _ => Mapping::StreamTime,
        };
        self.origin.watch_if_demuxer(demuxer);
    }

    /// Notes an element `urisourcebin` made: an adaptive demuxer there
    /// feeds `parsebin` fragments, whose heads are not read.
    pub(crate) fn watch_source_element(&self, element: &gst::Element) {
        self.origin.note_if_adaptive(element);
    }

    /// The container time (ns) of `t`, a timestamp of a buffer on `pad`
    /// (after the demuxer).
    pub(crate) fn map(&self, pad: &gst::Pad, t: Option<gst::ClockTime>) -> Option<i64> {
        let mapping = *self.lock();
        match mapping {
            Mapping::Raw => t.map(|t| i64::try_from(t.nseconds()).unwrap_or(i64::MAX)),
            Mapping::StreamTime => stream_time(pad, t),
            Mapping::Shifted => match self.origin.ts_shift() {
                // tsdemux's PCR-based times are a few µs off the PTS: back
                // to the 90 kHz tick the file holds.
                Some(shift) => stream_time(pad, t).map(|s| to_tick(s.saturating_add(shift))),
                None => stream_time(pad, t),
            },
        }
    }
}

/// `ns` rounded to the nearest tick of the 90 kHz clock.
fn to_tick(ns: i64) -> i64 {
    let ticks = (i128::from(ns) * 9 + 50_000 * i128::from(ns.signum())) / 100_000;
    (ticks * 100_000 / 9).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// ffprobe's format `start_time` of a local MPEG-TS file (ns of the 90 kHz
/// clock): the earliest first PTS of its audio and video PIDs, read from
/// the file (`tsdemux` drops the PES packets before the first PCR, so the
/// frames GStreamer lists may start later); `None` for anything else.
pub fn transport_stream_start(uri: &str) -> Option<i64> {
    crate::engine::origin::ts_first_pts(uri)?
        .values()
        .copied()
        .min()
}

/// Each stream's and the file's `start_time` as ffprobe defines them,
/// from the frames of a scan: a stream starts at the PTS of its first
/// packet (its decode time when it has no PTS) that is not wholly before
/// 0 (ffmpeg discards those: an MP4 edit list's AAC priming frame), the
/// file at the earliest of its streams' starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartTimes {
    streams: std::collections::BTreeMap<usize, i64>,
}

impl StartTimes {
    /// Takes a frame in scan order: the first of each stream counts.
    pub fn add(&mut self, frame: &crate::inspect::FrameRecord) {
        let Some(t) = frame.pts.or(frame.dts) else {
            return;
        };
        let end = frame
            .duration
            .and_then(|d| i64::try_from(d).ok())
            .map(|d| t.saturating_add(d));
        if t < 0 && end.is_some_and(|end| end <= 0) {
            return;
        }
        self.streams.entry(frame.stream).or_insert(t);
    }

    /// The file's start (ns), when a stream had a timestamp.
    pub fn file(&self) -> Option<i64> {
        self.streams.values().copied().min()
    }

    /// Each stream's start (ns), by stream index.
    pub fn streams(&self) -> impl Iterator<Item = (usize, i64)> + '_ {
        self.streams.iter().map(|(&s, &t)| (s, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_round_to_the_nearest() {
        assert_eq!(to_tick(13_032_197_271), 13_032_200_000);
        assert_eq!(to_tick(12_766_666_666), 12_766_666_666);
        assert_eq!(to_tick(12_766_670_000), 12_766_666_666);
        assert_eq!(to_tick(-33_333_334), -33_333_333);
        assert_eq!(to_tick(0), 0);
        assert_eq!(to_tick(i64::MAX), to_tick(i64::MAX));
    }

    #[test]
    fn start_times_are_first_packets_and_their_minimum() {
        let frame = |stream, pts, dts| crate::inspect::FrameRecord {
            stream,
            pts,
            dts,
            duration: None,
            size: 1,
            keyframe: true,
            picture_type: None,
        };
        let mut starts = StartTimes::default();
        assert_eq!(starts.file(), None);
        starts.add(&frame(0, Some(12_800), Some(12_733)));
        starts.add(&frame(0, Some(12_700), Some(12_766)));
        starts.add(&frame(1, None, Some(12_776)));
        assert_eq!(
            starts.streams().collect::<Vec<_>>(),
            [(0, 12_800), (1, 12_776)]
        );
        assert_eq!(starts.file(), Some(12_776));
        // A priming frame wholly before 0 does not count.
        let mut starts = StartTimes::default();
        let mut priming = frame(0, Some(-23_220), Some(-23_220));
        priming.duration = Some(23_220);
        starts.add(&priming);
        starts.add(&frame(0, Some(0), Some(0)));
        assert_eq!(starts.file(), Some(0));
    }
}
