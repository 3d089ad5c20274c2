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
//! 0, such as Opus pre-skip or AAC priming, counts from 0). A local MPEG-TS
//! file is also read as it is written: the first PTS of each PID in its
//! first few MB (`check`'s packet reader), matched with the first buffer
//! `tsdemux` hands on for that PID (its pad name ends in the PID), gives
//! the offset from stream time to the 90 kHz clock — `inspect` prints
//! timestamps on that clock — and the origin is the earliest first PTS on
//! it, so PES packets `tsdemux` drops (those before the first PCR) still
//! count, as they do for ffprobe.
//!
//! The probes write into a mutex the main thread only reads: nothing here
//! waits for a streaming thread, and the file is read on the streaming
//! thread that makes the demuxer. [`to_user`] and [`to_stream`] are the
//! one conversion pair, saturating at both ends.

use gst::prelude::*;
use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex, MutexGuard};

/// How much of a transport stream is read for its first timestamps.
const TS_HEAD: u64 = 4 << 20;

/// A user time (counted from the origin) from a stream time, both ns.
/// Times before the origin become 0.
pub(crate) fn to_user(stream_ns: u64, origin_ns: i64) -> u64 {
    let t = i128::from(stream_ns) - i128::from(origin_ns);
    t.clamp(0, i128::from(MAX_NS)) as u64
}

/// A stream time from a user time (counted from the origin), both ns.
pub(crate) fn to_stream(user_ns: u64, origin_ns: i64) -> u64 {
    let t = i128::from(user_ns) + i128::from(origin_ns);
    t.clamp(0, i128::from(MAX_NS)) as u64
}

/// The largest time a `gst::ClockTime` holds.
const MAX_NS: u64 = u64::MAX - 1;

/// What a local MPEG-TS file says of its own clock.
#[derive(Debug, Default)]
struct TsTimes {
    /// Each PID's first PTS as the file holds it (ns of the 90 kHz clock).
    first: HashMap<u16, i64>,
    /// The offset from tsdemux's stream time to the 90 kHz clock (ns): the
    /// largest over the PIDs of first PTS − stream time of tsdemux's first
    /// buffer (a PID whose first PES tsdemux dropped gives less).
    shift: Option<i64>,
}

#[derive(Debug, Default)]
struct Inner {
    /// The item's URI, for reading a transport stream's head.
    uri: Option<String>,
    /// The smallest first stream time seen so far (ns, never below 0).
    earliest: Option<u64>,
    /// A local transport stream's own timestamps.
    ts: Option<TsTimes>,
    /// Bumped by [`TimeOrigin::reset`]: probes installed before record
    /// nothing more.
    generation: u64,
}

/// The origin of one media item, learnt from its demuxers' first buffers
/// (and, for a local MPEG-TS file, from its first PES headers). Cheap to
/// clone; clones share the state.
#[derive(Debug, Clone, Default)]
pub(crate) struct TimeOrigin(Arc<Mutex<Inner>>);

impl TimeOrigin {
    /// An origin for `uri`, to be learnt.
    pub(crate) fn for_uri(uri: &str) -> Self {
        let origin = Self::default();
        origin.reset(Some(uri));
        origin
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The origin in stream time (ns): where ffprobe's format
    /// `start_time` lies; 0 until a first buffer is seen.
    pub(crate) fn offset(&self) -> i64 {
        let inner = self.lock();
        let ts_start = inner.ts.as_ref().and_then(|ts| {
            let shift = ts.shift?;
            let first = ts.first.values().copied().min()?;
            Some(first.saturating_sub(shift))
        });
        ts_start.unwrap_or_else(|| {
            inner
                .earliest
                .map_or(0, |e| i64::try_from(e).unwrap_or(i64::MAX))
        })
    }

    /// The origin in container time (ns): what `inspect --frames` prints
    /// for it — a transport stream's earliest first PTS on its own clock;
    /// elsewhere container time is stream time, so [`TimeOrigin::offset`].
    pub(crate) fn container_offset(&self) -> i64 {
        let ts_first = {
            let inner = self.lock();
            let ts = inner.ts.as_ref().filter(|ts| ts.shift.is_some());
            ts.and_then(|ts| ts.first.values().copied().min())
        };
        ts_first.unwrap_or_else(|| self.offset())
    }

    /// The offset from stream time to a transport stream's 90 kHz clock
    /// (ns), once learnt.
    pub(crate) fn ts_shift(&self) -> Option<i64> {
        self.lock().ts.as_ref().and_then(|ts| ts.shift)
    }

    /// Whether a first buffer was seen since the last reset.
    pub(crate) fn is_known(&self) -> bool {
        self.lock().earliest.is_some()
    }

    /// Forgets the origin (a new item, `uri`); probes of older pipelines
    /// stop counting. Does no I/O (main thread).
    pub(crate) fn reset(&self, uri: Option<&str>) {
        let mut inner = self.lock();
        inner.uri = uri.map(String::from);
        inner.earliest = None;
        inner.ts = None;
        inner.generation = inner.generation.wrapping_add(1);
    }

    /// Watches `element` if it is a demuxer (not an adaptive one, whose
    /// streams are fragments of a timeline of their own): the first buffer
    /// on each of its source pads counts. For `tsdemux` on a local file,
    /// reads the file's first PES headers (a few MB at most). Call from
    /// `element-setup` or `deep-element-added` (a streaming thread, never
    /// the main one).
    pub(crate) fn watch_if_demuxer(&self, element: &gst::Element) {
        if !is_demuxer(element) {
            return;
        }
        let is_ts = element.factory().is_some_and(|f| f.name() == "tsdemux");
        let (generation, uri) = {
            let inner = self.lock();
            (inner.generation, inner.uri.clone())
        };
        if is_ts {
            let first = uri.as_deref().and_then(ts_first_pts);
            let mut inner = self.lock();
            if inner.generation == generation {
                inner.ts = first.map(|first| TsTimes { first, shift: None });
            }
        }
        let origin = self.clone();
        element.connect_pad_added(move |_, pad| {
            if pad.direction() == gst::PadDirection::Src {
                let pid = if is_ts { pid_of(&pad.name()) } else { None };
                origin.watch_pad(pad, generation, pid);
            }
        });
    }

    fn watch_pad(&self, pad: &gst::Pad, generation: u64, pid: Option<u16>) {
        let origin = self.clone();
        pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            let Some(gst::PadProbeData::Buffer(buffer)) = &info.data else {
                return gst::PadProbeReturn::Ok;
            };
            let Some(stream) = stream_time(pad, buffer.pts()) else {
                return gst::PadProbeReturn::Ok;
            };
            let mut inner = origin.lock();
            if inner.generation != generation {
                return gst::PadProbeReturn::Remove;
            }
            let clamped = u64::try_from(stream).unwrap_or(0);
            inner.earliest = Some(inner.earliest.map_or(clamped, |e| e.min(clamped)));
            if let (Some(pid), Some(ts)) = (pid, inner.ts.as_mut()) {
                if let Some(&first) = ts.first.get(&pid) {
                    let candidate = first.saturating_sub(stream);
                    ts.shift = Some(ts.shift.map_or(candidate, |s| s.max(candidate)));
                }
            }
            gst::PadProbeReturn::Remove
        });
    }
}

/// The stream time (ns, negative before the segment's time 0) of `t` on
/// `pad` by its segment.
pub(crate) fn stream_time(pad: &gst::Pad, t: Option<gst::ClockTime>) -> Option<i64> {
    let t = t?;
    let segment = pad
        .sticky_event::<gst::event::Segment>(0)
        .and_then(|e| e.segment().downcast_ref::<gst::ClockTime>().cloned());
    let ns = |v: gst::ClockTime| i64::try_from(v.nseconds()).unwrap_or(i64::MAX);
    match &segment {
        Some(seg) => seg.to_stream_time_full(t).map(|s| match s {
            gst::Signed::Positive(v) => ns(v),
            gst::Signed::Negative(v) => ns(v).saturating_neg(),
        }),
        None => Some(ns(t)),
    }
}

/// The PID in a `tsdemux` pad name (`video_0_0100`: program 0, PID 0x100).
fn pid_of(pad_name: &str) -> Option<u16> {
    let (_, hex) = pad_name.rsplit_once('_')?;
    u16::from_str_radix(hex, 16).ok()
}

/// Each PID's first PTS in a local transport stream, from its first
/// [`TS_HEAD`] bytes (read by `check`'s packet reader); `None` for
/// anything else.
pub(crate) fn ts_first_pts(uri: &str) -> Option<HashMap<u16, i64>> {
    let (path, _) = glib::filename_from_uri(uri).ok()?;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(TS_HEAD)
        .read_to_end(&mut head)
        .ok()?;
    if !crate::inspect::check::mpegts::looks_like_ts(&head) {
        return None;
    }
    Some(crate::inspect::check::mpegts::read(&head).first_pts)
}

/// Whether `element` is a demuxer whose stream times count (not an
/// adaptive demuxer — HLS, DASH and Smooth Streaming keep their own — nor
/// a tag demuxer such as `id3demux`, which hands on bytes).
pub(crate) fn is_demuxer(element: &gst::Element) -> bool {
    element.factory().is_some_and(|f| {
        let klass = f.metadata("klass").unwrap_or_default();
        klass.contains("Demux") && !klass.contains("Adaptive") && !klass.contains("Metadata")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_saturate_and_round_trip() {
        assert_eq!(to_user(766_666_667, 743_444_444), 23_222_223);
        assert_eq!(to_stream(23_222_223, 743_444_444), 766_666_667);
        assert_eq!(to_user(5, 10), 0);
        assert_eq!(to_user(5, -10), 15);
        assert_eq!(to_stream(5, -10), 0);
        assert_eq!(to_stream(u64::MAX, 10), MAX_NS);
        assert_eq!(to_user(1_000, 0), 1_000);
        assert_eq!(to_stream(1_000, 0), 1_000);
    }

    #[test]
    fn a_reset_origin_is_zero_and_unknown() {
        let origin = TimeOrigin::default();
        origin.lock().earliest = Some(7);
        assert_eq!(origin.offset(), 7);
        origin.reset(None);
        assert_eq!(origin.offset(), 0);
        assert!(!origin.is_known());
    }

    #[test]
    fn a_transport_streams_origin_is_its_earliest_first_pts() {
        let origin = TimeOrigin::default();
        origin.lock().earliest = Some(743_000_000);
        origin.lock().ts = Some(TsTimes {
            first: HashMap::from([(0x100, 12_800_000_000), (0x101, 12_500_000_000)]),
            shift: Some(12_000_000_000),
        });
        // The audio PES before the first PCR counts, though tsdemux dropped it.
        assert_eq!(origin.offset(), 500_000_000);
        assert_eq!(origin.container_offset(), 12_500_000_000);
        assert_eq!(origin.ts_shift(), Some(12_000_000_000));
    }

    #[test]
    fn pids_come_from_tsdemux_pad_names() {
        assert_eq!(pid_of("video_0_0100"), Some(0x100));
        assert_eq!(pid_of("audio_0_0101"), Some(0x101));
        assert_eq!(pid_of("private_1_1fff"), Some(0x1fff));
        assert_eq!(pid_of("src"), None);
        assert_eq!(pid_of("video_0_zz"), None);
    }

    #[test]
    fn only_local_transport_streams_are_read() {
        assert!(ts_first_pts("https://example.com/a.ts").is_none());
        assert!(ts_first_pts("file:///nonexistent/a.ts").is_none());
    }
}
