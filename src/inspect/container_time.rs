//! Container time: the timestamps a file holds, as ffprobe prints them
//! (`pts_time`/`dts_time`), recovered from the times GStreamer hands on.
//! Most demuxers' stream time already is that (`qtdemux` applies an MP4
//! edit list as ffmpeg does). Two are not:
//!
//! - `matroskademux` starts its first segment at the first cluster's time
//!   and counts stream time from there (a file whose first video block is
//!   at 7 ms gets stream time 0 for it), then sends a segment from 0, so
//!   frames before and after it moved differently. Its buffers' own
//!   timestamps are the blocks', so those are taken as they are.
//! - `tsdemux` counts from the first PCR (a file whose timestamps start
//!   near 11.4 s has its first frame at 0.767 s). The offset back to the
//!   90 kHz clock is learnt by reading the file's first PES headers
//!   ([`crate::inspect::check::mpegts`]) and matching each PID's first PTS
//!   with the first buffer `tsdemux` hands on for that PID (its pad name
//!   ends in the PID). A stream whose first PES `tsdemux` dropped would
//!   give too small an offset, so the largest over the PIDs counts. Only
//!   local files whose first bytes are 188-byte transport packets are read
//!   so; elsewhere (network input, M2TS) stream time is given.
//!
//! The probes write into a mutex the scanning thread only reads.

use gst::prelude::*;
use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex, MutexGuard};

/// How much of a transport stream is read for its first timestamps.
const TS_HEAD: u64 = 4 << 20;

/// How the demuxer's times map to the container's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Mapping {
    /// Stream time is container time.
    #[default]
    StreamTime,
    /// The buffers' own timestamps are (Matroska, WebM).
    Raw,
    /// Stream time plus the offset learnt (MPEG-TS).
    Shifted,
}

#[derive(Debug, Default)]
struct State {
    mapping: Mapping,
    /// Each PID's first PTS as the file holds it (ns of the 90 kHz clock).
    ts_first: HashMap<u16, i64>,
    /// The offset from tsdemux's stream time to the 90 kHz clock (ns).
    shift: Option<i64>,
}

/// The mapping of one scan; clones share it.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContainerClock(Arc<Mutex<State>>);

impl ContainerClock {
    /// A clock for `uri`: reads the first timestamps of a local transport
    /// stream (blocking, a few MB at most).
    pub(crate) fn for_uri(uri: &str) -> Self {
        let clock = Self::default();
        if let Some(first) = ts_first_pts(uri) {
            clock.lock().ts_first = first;
        }
        clock
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Learns the mapping from a demuxer `parsebin` made (any thread).
    pub(crate) fn watch_demuxer(&self, demuxer: &gst::Element) {
        let name = demuxer.factory().map(|f| f.name().to_string());
        let mapping = match name.as_deref() {
            Some("matroskademux") => Mapping::Raw,
            Some("tsdemux") => Mapping::Shifted,
            _ => Mapping::StreamTime,
        };
        self.lock().mapping = mapping;
        if mapping != Mapping::Shifted {
            return;
        }
        let clock = self.clone();
        demuxer.connect_pad_added(move |_, pad| {
            let Some(pid) = pid_of(&pad.name()) else {
                return;
            };
            let clock = clock.clone();
            pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
                let Some(gst::PadProbeData::Buffer(buffer)) = &info.data else {
                    return gst::PadProbeReturn::Ok;
                };
                let Some(stream) = stream_time(pad, buffer.pts()) else {
                    return gst::PadProbeReturn::Ok;
                };
                let mut state = clock.lock();
                if let Some(&first) = state.ts_first.get(&pid) {
                    let candidate = first.saturating_sub(stream);
                    state.shift = Some(state.shift.map_or(candidate, |s| s.max(candidate)));
                }
                gst::PadProbeReturn::Remove
            });
        });
    }

    /// The container time (ns) of `t`, a timestamp of a buffer on `pad`
    /// (after the demuxer).
    pub(crate) fn map(&self, pad: &gst::Pad, t: Option<gst::ClockTime>) -> Option<i64> {
        let (mapping, shift) = {
            let state = self.lock();
            (state.mapping, state.shift.unwrap_or(0))
        };
        match mapping {
            Mapping::Raw => t.map(|t| i64::try_from(t.nseconds()).unwrap_or(i64::MAX)),
            Mapping::StreamTime => stream_time(pad, t),
            Mapping::Shifted => stream_time(pad, t).map(|s| s.saturating_add(shift)),
        }
    }
}

/// Each stream's and the file's `start_time` as ffprobe defines them,
/// from the frames of a scan: a stream starts at the PTS of its first
/// packet (its decode time when it has no PTS), the file at the earliest
/// of its streams' starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartTimes {
    streams: std::collections::BTreeMap<usize, i64>,
}

impl StartTimes {
    /// Takes a frame in scan order: the first of each stream counts.
    pub fn add(&mut self, frame: &crate::inspect::FrameRecord) {
        if let Some(t) = frame.pts.or(frame.dts) {
            self.streams.entry(frame.stream).or_insert(t);
        }
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
/// [`TS_HEAD`] bytes; `None` for anything else.
fn ts_first_pts(uri: &str) -> Option<HashMap<u16, i64>> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(starts.streams().collect::<Vec<_>>(), [(0, 12_800), (1, 12_776)]);
        assert_eq!(starts.file(), Some(12_776));
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
    fn only_transport_streams_are_read() {
        assert!(ts_first_pts("https://example.com/a.ts").is_none());
        assert!(ts_first_pts("file:///nonexistent/a.ts").is_none());
    }
}
