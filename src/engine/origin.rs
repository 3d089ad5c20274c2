//! The time origin: where 0 is for every time the engine shows or takes
//! (position, `frame-pts`, seeks, A-B points, chapters, snapshots). 0 is the
//! media's start as ffprobe's format `start_time` defines it — the earliest
//! first timestamp over the streams — so a time read in Framescope is the
//! time ffmpeg's `-ss` cuts at. GStreamer's stream time is mostly the same,
//! but not always: `tsdemux` counts from the first PCR, so an MPEG-TS file's
//! first frame can sit at 0.767 s of stream time while ffprobe puts it at
//! 0.01 s.
//!
//! A probe on every demuxer source pad records the stream time of the
//! first buffer with a PTS (then removes itself); the origin is the
//! smallest of them, never below 0 (a stream GStreamer clips to start at
//! 0, such as Opus pre-skip or AAC priming, counts from 0). The probes
//! write into a mutex the main thread only reads: nothing here waits for a
//! streaming thread. [`to_user`] and [`to_stream`] are the one conversion
//! pair, saturating at both ends.

use gst::prelude::*;
use std::sync::{Arc, Mutex, MutexGuard};

/// A user time (counted from the origin) from a stream time, both ns.
/// Times before the origin become 0.
pub(crate) fn to_user(stream_ns: u64, origin_ns: u64) -> u64 {
    stream_ns.saturating_sub(origin_ns)
}

/// A stream time from a user time (counted from the origin), both ns.
pub(crate) fn to_stream(user_ns: u64, origin_ns: u64) -> u64 {
    user_ns.saturating_add(origin_ns)
}

#[derive(Debug, Default)]
struct Inner {
    /// The smallest first stream time seen so far (ns), if any.
    earliest: Option<u64>,
    /// Bumped by [`TimeOrigin::clear`]: probes installed before record
    /// nothing more.
    generation: u64,
}

/// The origin of one media item, learnt from its demuxers' first buffers.
/// Cheap to clone; clones share the state.
#[derive(Debug, Clone, Default)]
pub(crate) struct TimeOrigin(Arc<Mutex<Inner>>);

impl TimeOrigin {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The origin in stream time (ns): 0 until a first buffer is seen.
    pub(crate) fn offset(&self) -> u64 {
        self.lock().earliest.unwrap_or(0)
    }

    /// Whether a first buffer was seen since the last [`TimeOrigin::clear`].
    pub(crate) fn is_known(&self) -> bool {
        self.lock().earliest.is_some()
    }

    /// Forgets the origin (a new item); probes of older pipelines stop
    /// counting.
    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.earliest = None;
        inner.generation = inner.generation.wrapping_add(1);
    }

    /// Watches `element` if it is a demuxer (not an adaptive one, whose
    /// streams are fragments of a timeline of their own): the first buffer
    /// on each of its source pads counts. Call from `element-setup` or
    /// `deep-element-added` (any thread).
    pub(crate) fn watch_if_demuxer(&self, element: &gst::Element) {
        if !is_demuxer(element) {
            return;
        }
        let origin = self.clone();
        let generation = self.lock().generation;
        element.connect_pad_added(move |_, pad| {
            if pad.direction() == gst::PadDirection::Src {
                origin.watch_pad(pad, generation);
            }
        });
    }

    fn watch_pad(&self, pad: &gst::Pad, generation: u64) {
        let origin = self.clone();
        pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            let Some(gst::PadProbeData::Buffer(buffer)) = &info.data else {
                return gst::PadProbeReturn::Ok;
            };
            let Some(pts) = buffer.pts() else {
                return gst::PadProbeReturn::Ok;
            };
            if let Some(stream) = stream_time(pad, pts) {
                let mut inner = origin.lock();
                if inner.generation == generation {
                    inner.earliest = Some(inner.earliest.map_or(stream, |e| e.min(stream)));
                }
            }
            gst::PadProbeReturn::Remove
        });
    }
}

/// Whether `element` is a demuxer whose stream times count (not an
/// adaptive demuxer: HLS, DASH and Smooth Streaming keep their own).
pub(crate) fn is_demuxer(element: &gst::Element) -> bool {
    element.factory().is_some_and(|f| {
        let klass = f.metadata("klass").unwrap_or_default();
        klass.contains("Demux") && !klass.contains("Adaptive")
    })
}

/// The stream time of `pts` on `pad` by its segment (ns), 0 when before
/// the segment's time 0.
fn stream_time(pad: &gst::Pad, pts: gst::ClockTime) -> Option<u64> {
    let segment = pad
        .sticky_event::<gst::event::Segment>(0)
        .and_then(|e| e.segment().downcast_ref::<gst::ClockTime>().cloned());
    match segment {
        Some(seg) => match seg.to_stream_time_full(pts)? {
            gst::Signed::Positive(t) => Some(t.nseconds()),
            gst::Signed::Negative(_) => Some(0),
        },
        None => Some(pts.nseconds()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_saturate_and_round_trip() {
        assert_eq!(to_user(766_666_667, 743_444_444), 23_222_223);
        assert_eq!(to_stream(23_222_223, 743_444_444), 766_666_667);
        assert_eq!(to_user(5, 10), 0);
        assert_eq!(to_stream(u64::MAX, 10), u64::MAX);
        assert_eq!(to_user(1_000, 0), 1_000);
        assert_eq!(to_stream(1_000, 0), 1_000);
    }

    #[test]
    fn a_cleared_origin_is_zero_and_unknown() {
        let origin = TimeOrigin::default();
        origin.lock().earliest = Some(7);
        assert_eq!(origin.offset(), 7);
        origin.clear();
        assert_eq!(origin.offset(), 0);
        assert!(!origin.is_known());
    }
}
