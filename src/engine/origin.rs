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
//! count, as they do for ffprobe. An MPEG-TS over HTTP(S) gives the same
//! from the bytes flowing into `tsdemux` ([`super::tshead`]), as they
//! pass, until every PID's first PTS is known or as many bytes have
//! passed. Live sources (UDP, SRT, RTP) are not read: their origin is 0.
//! When `tsdemux` gives up on the PCR by itself (more than 0.5 s of PES
//! before the first one) its buffers carry no timestamps at all; that is
//! noted ([`TimeOrigin::is_untimed`]) so callers can say why.
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

/// What an MPEG-TS says of its own clock.
#[derive(Debug, Default)]
struct TsTimes {
    /// Each PID's first PTS as the stream holds it (ns of the 90 kHz
    /// clock): all of them at once for a local file, as they pass for a
    /// network stream.
    first: HashMap<u16, i64>,
    /// Each PID's stream time of tsdemux's first buffer (ns).
    demuxed: HashMap<u16, i64>,
}

impl TsTimes {
    /// The offset from tsdemux's stream time to the 90 kHz clock (ns): the
    /// largest over the PIDs of first PTS − stream time of tsdemux's first
    /// buffer (a PID whose first PES tsdemux dropped gives less); known
    /// once one PID has both.
    fn shift(&self) -> Option<i64> {
        self.demuxed
            .iter()
            .filter_map(|(pid, &stream)| self.first.get(pid)?.checked_sub(stream))
            .max()
    }

    /// The earliest first PTS (ns of the 90 kHz clock), once the shift is
    /// known.
    fn start(&self) -> Option<i64> {
        self.shift()?;
        self.first.values().copied().min()
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// The item's URI, for reading a transport stream's head.
    uri: Option<String>,
    /// The smallest first stream time seen so far (ns, never below 0).
    earliest: Option<u64>,
    /// A transport stream's own timestamps.
    ts: Option<TsTimes>,
    /// Whether an adaptive demuxer (HLS, DASH) feeds the demuxers: their
    /// input is fragments, not one stream with a head to read.
    adaptive: bool,
    /// Bumped by [`TimeOrigin::reset`]: probes installed before record
    /// nothing more.
    generation: u64,
    /// Whether `tsdemux` stopped reading the PCR (more than 0.5 s of PES
    /// before the first one): its buffers then carry no timestamps.
    untimed: bool,
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
            let shift = ts.shift()?;
            ts.start()?.checked_sub(shift)
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
        let ts_first = self.lock().ts.as_ref().and_then(TsTimes::start);
        ts_first.unwrap_or_else(|| self.offset())
    }

    /// The offset from stream time to a transport stream's 90 kHz clock
    /// (ns), once learnt.
    pub(crate) fn ts_shift(&self) -> Option<i64> {
        self.lock().ts.as_ref().and_then(TsTimes::shift)
    }

    /// Whether `tsdemux` gave up on the item's PCR, so its buffers carry
    /// no timestamps (see [`untimed_ts_message`]).
    pub(crate) fn is_untimed(&self) -> bool {
        self.lock().untimed
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
        inner.adaptive = false;
        inner.untimed = false;
        inner.generation = inner.generation.wrapping_add(1);
    }

    /// Watches `element` if it is a demuxer (not an adaptive one, whose
    /// streams are fragments of a timeline of their own): the first buffer
    /// on each of its source pads counts. For `tsdemux` on a local file,
    /// reads the file's first PES headers (a few MB at most); over HTTP(S),
    /// reads them from the bytes flowing into it.
    /// Call from `element-setup` or `deep-element-added` (a streaming
    /// thread, never the main one).
    pub(crate) fn watch_if_demuxer(&self, element: &gst::Element) {
        if !is_demuxer(element) {
            self.note_if_adaptive(element);
            return;
        }
        let is_ts = element.factory().is_some_and(|f| f.name() == "tsdemux");
        let (generation, uri, adaptive) = {
            let inner = self.lock();
            (inner.generation, inner.uri.clone(), inner.adaptive)
        };
        if is_ts && !adaptive {
            let local = uri.as_deref().is_some_and(is_local);
            let first = if local {
                uri.as_deref().and_then(ts_first_pts)
            } else {
                // Learnt as the stream flows. Not for live sources, nor
                // without a URI (a person's own pipeline keeps stream
                // time).
                uri.as_deref().is_some_and(is_http).then(HashMap::new)
            };
            let mut inner = self.lock();
            if inner.generation == generation {
                inner.ts = first.map(|first| TsTimes {
                    first,
                    demuxed: HashMap::new(),
                });
                if !local && inner.ts.is_some() {
                    drop(inner);
                    self.watch_ts_input(element, generation);
                }
            }
        }
        // Live sources (UDP, SRT, RTP) give tsdemux buffer times of their
        // own, which it uses when it ignores the PCR: only a file or HTTP
        // is left untimed. Nor is a fragment of an adaptive stream: the
        // adaptive demuxer turns `ignore-pcr` on itself and times the
        // fragments (see `watch_ignore_pcr`).
        if is_ts && !adaptive && uri.as_deref().is_some_and(|u| is_local(u) || is_http(u)) {
            self.watch_ignore_pcr(element, generation);
        }
        let origin = self.clone();
        element.connect_pad_added(move |_, pad| {
            if pad.direction() == gst::PadDirection::Src {
                let pid = if is_ts { pid_of(&pad.name()) } else { None };
                origin.watch_pad(pad, generation, pid);
            }
        });
    }

    /// Notes an adaptive demuxer (HLS, DASH): the transport streams it
    /// feeds are fragments, whose heads are not read. For elements a
    /// caller does not pass to [`TimeOrigin::watch_if_demuxer`], such as
    /// those `urisourcebin` makes.
    pub(crate) fn note_if_adaptive(&self, element: &gst::Element) {
        if is_adaptive(element) {
            self.lock().adaptive = true;
        }
    }

    /// Notes when `tsdemux` turns its `ignore-pcr` on by itself: GStreamer
    /// 1.22 does so once more than 0.5 s of PES data has come before the
    /// first PCR (an MPEG-TS whose audio starts well before its video,
    /// the PCR being on the video PID), and from then on, reading a file
    /// or HTTP, gives its buffers no timestamps at all (it would take them
    /// from a live source's buffers): no time, no duration, no seeking,
    /// and over HTTP no segment, so nothing prerolls. The notification
    /// comes on the streaming thread; it only writes into the mutex.
    ///
    /// Not for the `tsdemux` inside an adaptive demuxer: `hlsdemux2` turns
    /// `ignore-pcr` on in its own parsebin's `deep-element-added` handler,
    /// which runs *after* the signal has gone up to playbin's
    /// `element-setup` (the bins' class handler runs first and passes it
    /// up), so a watch made there saw that deliberate change as tsdemux
    /// giving up, and a network open polled at the wrong moment (before
    /// the first buffering message, under load) failed as "no timestamps"
    /// (seen as a rare failure of `mpris::quality_choice_plays_the_chosen_variant`).
    fn watch_ignore_pcr(&self, tsdemux: &gst::Element, generation: u64) {
        if tsdemux.find_property("ignore-pcr").is_none() {
            return;
        }
        let origin = self.clone();
        tsdemux.connect_notify(Some("ignore-pcr"), move |tsdemux, _| {
            if !tsdemux.property::<bool>("ignore-pcr") {
                return;
            }
            let mut inner = origin.lock();
            if inner.generation == generation && !inner.adaptive {
                inner.untimed = true;
            }
        });
    }

    /// Reads each PID's first PTS from the bytes flowing into `tsdemux`
    /// (see [`super::tshead`]), for the item of `generation`.
    fn watch_ts_input(&self, tsdemux: &gst::Element, generation: u64) {
        let origin = self.clone();
        crate::engine::tshead::watch_input(tsdemux, TS_HEAD, move |first| {
            let mut inner = origin.lock();
            if inner.generation != generation {
                return false;
            }
            if let Some(ts) = inner.ts.as_mut() {
                for (pid, pts) in first {
                    ts.first.entry(pid).or_insert(pts);
                }
            }
            true
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
                ts.demuxed.entry(pid).or_insert(stream);
            }
            gst::PadProbeReturn::Remove
        });
    }
}

/// Why `name`, an MPEG-TS `tsdemux` gave up timing
/// ([`TimeOrigin::is_untimed`]), has no times and cannot be sought.
pub(crate) fn untimed_ts_message(name: &str) -> String {
    crate::i18n::tr(
        "“{name}” has no timestamps in GStreamer: its MPEG-TS carries more than 0.5 s of audio or video before its first clock reference (PCR), and GStreamer's tsdemux then gives up on the PCR and leaves every frame untimed, so it cannot be sought or shown at a time.",
        &[("name", name)],
    )
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

/// Whether `element` is an adaptive demuxer (HLS, DASH, Smooth
/// Streaming).
fn is_adaptive(element: &gst::Element) -> bool {
    element.factory().is_some_and(|f| {
        let klass = f.metadata("klass").unwrap_or_default();
        klass.contains("Demux") && klass.contains("Adaptive")
    })
}

/// Whether `uri` is HTTP(S): a stream with a head (a file served, or an
/// endless HTTP-TS body). `udp://`, `srt://`, RTP and the like are live:
/// joined wherever they are, their times are their own (the player's
/// origin for live media is 0), so they are not read.
fn is_http(uri: &str) -> bool {
    glib::Uri::peek_scheme(uri).is_some_and(|s| s == "http" || s == "https")
}

/// Whether `uri` names a local file (read from disk, not as it flows).
pub(crate) fn is_local(uri: &str) -> bool {
    glib::filename_from_uri(uri).is_ok()
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
            demuxed: HashMap::from([(0x100, 800_000_000), (0x101, 600_000_000)]),
        });
        // The audio PES before the first PCR counts, though tsdemux dropped it.
        assert_eq!(origin.offset(), 500_000_000);
        assert_eq!(origin.container_offset(), 12_500_000_000);
        assert_eq!(origin.ts_shift(), Some(12_000_000_000));
    }

    /// Notes a PID's time in one of the origin's transport-stream tables.
    fn record(
        origin: &TimeOrigin,
        table: impl FnOnce(&mut TsTimes) -> &mut HashMap<u16, i64>,
        pid: u16,
        ns: i64,
    ) {
        let mut state = origin.lock();
        let ts = state.ts.as_mut().expect("transport-stream times");
        table(ts).insert(pid, ns);
    }

    #[test]
    fn a_network_streams_origin_waits_for_both_clocks() {
        let origin = TimeOrigin::default();
        origin.lock().earliest = Some(456_000_000);
        origin.lock().ts = Some(TsTimes::default());
        // Neither side known: the first buffers' stream time stands.
        assert_eq!(origin.offset(), 456_000_000);
        assert_eq!(origin.ts_shift(), None);
        // tsdemux's first buffer came before the PES header was read.
        record(&origin, |ts| &mut ts.demuxed, 0x100, 780_000_000);
        assert_eq!(origin.offset(), 456_000_000);
        record(&origin, |ts| &mut ts.first, 0x100, 12_203_222_222);
        assert_eq!(origin.ts_shift(), Some(11_423_222_222));
        record(&origin, |ts| &mut ts.first, 0x101, 11_880_000_000);
        assert_eq!(origin.offset(), 456_777_778);
        assert_eq!(origin.container_offset(), 11_880_000_000);
        // Times from the network that overflow give no origin of their own.
        record(&origin, |ts| &mut ts.first, 0x100, i64::MIN);
        assert_eq!(origin.ts_shift(), None);
        assert_eq!(origin.offset(), 456_000_000);
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
    fn heads_are_read_as_they_flow_over_http_only() {
        assert!(is_http("http://127.0.0.1:8000/a.ts"));
        assert!(is_http("HTTPS://example.com/a.ts"));
        assert!(!is_http("udp://127.0.0.1:5000"));
        assert!(!is_http("srt://127.0.0.1:5000"));
        assert!(!is_http("file:///tmp/a.ts"));
        assert!(!is_http("not a uri"));
    }

    /// `tsdemux` turning `ignore-pcr` on by itself leaves a stream
    /// untimed; an adaptive demuxer turning it on for its fragments does
    /// not, even when that happens after the watch was made.
    #[test]
    fn only_a_tsdemux_outside_an_adaptive_demuxer_is_left_untimed() {
        gst::init().unwrap();
        let (Ok(hls), Ok(_)) = (
            gst::ElementFactory::make("hlsdemux2").build(),
            gst::ElementFactory::make("tsdemux").build(),
        ) else {
            println!("SKIP: hlsdemux2 or tsdemux is not installed");
            return;
        };
        let uri = "http://127.0.0.1:8000/index.m3u8";
        let origin = TimeOrigin::default();
        // `note_adaptive_first`: None, a plain HTTP transport stream; true,
        // the adaptive demuxer set up before its tsdemux (playbin's
        // order); false, noted only after the watch was made.
        for note_adaptive_first in [None, Some(true), Some(false)] {
            origin.reset(Some(uri));
            if note_adaptive_first == Some(true) {
                origin.watch_if_demuxer(&hls);
            }
            let tsdemux = gst::ElementFactory::make("tsdemux").build().unwrap();
            origin.watch_if_demuxer(&tsdemux);
            if note_adaptive_first == Some(false) {
                origin.watch_if_demuxer(&hls);
            }
            // What hlsdemux2 does to its tsdemux after playbin's
            // `element-setup`, and what tsdemux does to itself when the
            // PCR comes too late.
            tsdemux.set_property("ignore-pcr", true);
            assert_eq!(
                origin.is_untimed(),
                note_adaptive_first.is_none(),
                "adaptive demuxer noted first: {note_adaptive_first:?}"
            );
        }
    }

    #[test]
    fn only_local_transport_streams_are_read() {
        assert!(ts_first_pts("https://example.com/a.ts").is_none());
        assert!(ts_first_pts("file:///nonexistent/a.ts").is_none());
    }
}
