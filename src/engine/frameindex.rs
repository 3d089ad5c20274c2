//! The frame index: what the video decoder was fed. A pad probe on the
//! decoder's sink pad records every video access unit with its true
//! timestamps (as the demuxer and parser gave them, in stream time), its
//! size and whether it is a keyframe, before the decoder clips timestamps to
//! a seek's segment. The player uses it to tell which frame is really on
//! screen after an accurate seek, to find the next and previous frames, and
//! to spot seeks that started decoding at an open-GOP keyframe after their
//! target (whose leading pictures cannot be decoded).
//!
//! Each flush starts an *epoch*; the first keyframe of the current epoch is
//! where decoding restarted.

use gst::prelude::*;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// Entries kept at most (about 30 MB); beyond it those farthest from the
/// newest are dropped.
const CAPACITY: usize = 400_000;

/// One encoded video frame as it entered the decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessUnit {
    /// Presentation time, stream time.
    pub pts: gst::ClockTime,
    /// Decoding time, stream time, when the container gives one.
    pub dts: Option<gst::ClockTime>,
    /// Duration, when the container gives one.
    pub duration: Option<gst::ClockTime>,
    /// A keyframe (decoding can start here).
    pub keyframe: bool,
    /// Size in bytes.
    pub size: usize,
}

#[derive(Debug, Default)]
struct Inner {
    by_pts: BTreeMap<gst::ClockTime, AccessUnit>,
    epoch_keyframe: Option<AccessUnit>,
    /// The latest decode time fed in this epoch: every frame from the epoch's
    /// keyframe up to it is known (decode times never exceed presentation times).
    epoch_decoded_until: Option<gst::ClockTime>,
    /// The decoder's segment's time − start (ns): how its timestamps map to
    /// stream time.
    stream_offset: Option<i64>,
    /// Bumped by [`FrameIndex::detach`]: probes installed under an older
    /// number record nothing more.
    attachment: u64,
    /// Access units fed to the decoder so far (all epochs).
    fed: u64,
}

impl Inner {
    fn record(&mut self, unit: AccessUnit) {
        self.fed = self.fed.wrapping_add(1);
        if unit.keyframe && self.epoch_keyframe.is_none() {
            self.epoch_keyframe = Some(unit);
        }
        let decode_time = unit.dts.unwrap_or(unit.pts);
        if self.epoch_keyframe.is_some() && self.epoch_decoded_until < Some(decode_time) {
            self.epoch_decoded_until = Some(decode_time);
        }
        self.by_pts.insert(unit.pts, unit);
        if self.by_pts.len() > CAPACITY {
            // Keep three quarters, nearest to where decoding is now.
            while self.by_pts.len() > CAPACITY * 3 / 4 {
                let first = *self.by_pts.keys().next().expect("not empty");
                let last = *self.by_pts.keys().next_back().expect("not empty");
                if unit.pts.nseconds().abs_diff(first.nseconds())
                    > unit.pts.nseconds().abs_diff(last.nseconds())
                {
                    self.by_pts.pop_first();
                } else {
                    self.by_pts.pop_last();
                }
            }
        }
    }

    fn new_epoch(&mut self) {
        self.epoch_keyframe = None;
        self.epoch_decoded_until = None;
    }
}

/// A shared, thread-safe index of the access units the decoder has seen.
#[derive(Debug, Clone, Default)]
pub struct FrameIndex(Arc<Mutex<Inner>>);

impl FrameIndex {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records an access unit (the unit tests feed the index so).
    #[cfg(test)]
    pub(crate) fn record(&self, unit: AccessUnit) {
        self.lock().record(unit);
    }

    /// Starts a new epoch (decoding restarts after a flush).
    #[cfg(test)]
    pub(crate) fn new_epoch(&self) {
        self.lock().new_epoch();
    }

    /// Forgets everything (new media).
    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.by_pts.clear();
        inner.epoch_keyframe = None;
        inner.epoch_decoded_until = None;
    }

    /// How many access units the decoder has been fed so far: while it
    /// grows, decoding is going on.
    pub fn fed(&self) -> u64 {
        self.lock().fed
    }

    /// The keyframe decoding restarted at in the current epoch.
    pub fn epoch_keyframe(&self) -> Option<AccessUnit> {
        self.lock().epoch_keyframe
    }

    /// The frame shown at `t`: the last one whose PTS is ≤ `t`.
    pub fn frame_at(&self, t: gst::ClockTime) -> Option<AccessUnit> {
        self.lock().by_pts.range(..=t).next_back().map(|(_, u)| *u)
    }

    /// The unit with exactly this PTS.
    pub fn unit(&self, pts: gst::ClockTime) -> Option<AccessUnit> {
        self.lock().by_pts.get(&pts).copied()
    }

    /// The first frame after `pts` in presentation order.
    pub fn next_after(&self, pts: gst::ClockTime) -> Option<AccessUnit> {
        use std::ops::Bound::{Excluded, Unbounded};
        self.lock()
            .by_pts
            .range((Excluded(pts), Unbounded))
            .next()
            .map(|(_, u)| *u)
    }

    /// The frame before `pts` in presentation order.
    pub fn prev_before(&self, pts: gst::ClockTime) -> Option<AccessUnit> {
        self.lock().by_pts.range(..pts).next_back().map(|(_, u)| *u)
    }

    /// The keyframe at or before `t`.
    pub fn keyframe_before(&self, t: gst::ClockTime) -> Option<AccessUnit> {
        self.lock()
            .by_pts
            .range(..=t)
            .rev()
            .map(|(_, u)| *u)
            .find(|u| u.keyframe)
    }

    /// The keyframe at or after `t`.
    pub fn keyframe_after(&self, t: gst::ClockTime) -> Option<AccessUnit> {
        self.lock()
            .by_pts
            .range(t..)
            .map(|(_, u)| *u)
            .find(|u| u.keyframe)
    }

    /// Every unit recorded so far, in presentation order (for inspection).
    pub fn units(&self) -> Vec<AccessUnit> {
        self.lock().by_pts.values().copied().collect()
    }

    /// PTS of every keyframe seen so far, in order.
    pub fn keyframes(&self) -> Vec<gst::ClockTime> {
        self.lock()
            .by_pts
            .values()
            .filter(|u| u.keyframe)
            .map(|u| u.pts)
            .collect()
    }

    /// Whether the frames seen up to `t` come every `nominal` (a constant
    /// frame rate): by their container durations, and by their spacing where
    /// the index is known to be complete (from this epoch's keyframe up to
    /// the latest decode time fed). `None` when too little is known to tell.
    pub fn rate_is_constant(&self, t: gst::ClockTime, nominal: gst::ClockTime) -> Option<bool> {
        let inner = self.lock();
        // Millisecond containers (Matroska) round each timestamp.
        let slack = gst::ClockTime::from_mseconds(1).nseconds();
        let near = |d: gst::ClockTime| d.nseconds().abs_diff(nominal.nseconds()) <= slack;
        let durations: Vec<gst::ClockTime> = inner
            .by_pts
            .range(..=t)
            .rev()
            .filter_map(|(_, u)| u.duration)
            .take(8)
            .collect();
        if durations.len() >= 2 && !durations.iter().all(|&d| near(d)) {
            return Some(false);
        }
        let spacing = match (inner.epoch_keyframe, inner.epoch_decoded_until) {
            (Some(key), Some(until)) if key.pts < until => {
                let frames: Vec<gst::ClockTime> = inner
                    .by_pts
                    .range(key.pts..until)
                    .rev()
                    .take(9)
                    .map(|(p, _)| *p)
                    .collect();
                (frames.len() >= 3).then(|| frames.windows(2).all(|w| near(w[0] - w[1])))
            }
            _ => None,
        };
        match spacing {
            Some(false) => Some(false),
            Some(true) => Some(true),
            None => (durations.len() >= 2).then_some(true),
        }
    }

    /// How the decoder's timestamps map to stream time (`time − start` of
    /// its segment, in ns). Sinks can lose this after an instant rate change
    /// (GStreamer 1.22 gives them a segment with `time == start`, dropping an
    /// MP4 edit list's offset); the decoder's segment keeps it.
    pub(crate) fn stream_offset(&self) -> Option<i64> {
        self.lock().stream_offset
    }

    /// Installs the recording probe on a video decoder's sink pad.
    pub(crate) fn attach(&self, decoder: &gst::Element) {
        self.attach_for(decoder, self.attachment());
    }

    /// Which attachment probes installed now belong to: [`FrameIndex::detach`]
    /// moves on to the next.
    pub(crate) fn attachment(&self) -> u64 {
        self.lock().attachment
    }

    /// [`FrameIndex::attach`] for a pipeline built while `attachment` was
    /// current: once detached, its later decoders record nothing.
    pub(crate) fn attach_for(&self, decoder: &gst::Element, attachment: u64) {
        let Some(pad) = decoder.static_pad("sink") else {
            return;
        };
        let index = self.clone();
        pad.add_probe(
            gst::PadProbeType::BUFFER | gst::PadProbeType::EVENT_FLUSH,
            move |pad, info| {
                let fed = match &info.data {
                    Some(gst::PadProbeData::Buffer(buffer)) => access_unit(pad, buffer),
                    _ => None,
                };
                let flushed = matches!(&info.data,
                    Some(gst::PadProbeData::Event(e)) if e.type_() == gst::EventType::FlushStop);
                let mut inner = index.lock();
                if inner.attachment != attachment {
                    return gst::PadProbeReturn::Remove;
                }
                if let Some((unit, offset)) = fed {
                    inner.record(unit);
                    inner.stream_offset = Some(offset);
                }
                if flushed {
                    inner.new_epoch();
                }
                gst::PadProbeReturn::Ok
            },
        );
    }

    /// Stops every probe installed so far: once this returns they record
    /// nothing more, even while their pipeline winds down elsewhere. A
    /// pipeline being let go calls it, so that the media loaded next starts
    /// from a clean index.
    pub(crate) fn detach(&self) {
        self.lock().attachment += 1;
    }
}

/// `t` (in `segment`'s running coordinates) as stream time, also before the
/// segment's start (where decoding of a seek begins).
pub(crate) fn stream_time(
    segment: &gst::FormattedSegment<gst::ClockTime>,
    t: gst::ClockTime,
) -> Option<gst::ClockTime> {
    segment.to_stream_time_full(t)?.positive()
}

/// The access unit in `buffer`, and the segment's `time − start`.
fn access_unit(pad: &gst::Pad, buffer: &gst::BufferRef) -> Option<(AccessUnit, i64)> {
    let event = pad.sticky_event::<gst::event::Segment>(0)?;
    let segment = event.segment().downcast_ref::<gst::ClockTime>()?.clone();
    let pts = stream_time(&segment, buffer.pts()?)?;
    let offset = segment.time()?.nseconds() as i64 - segment.start()?.nseconds() as i64;
    let unit = AccessUnit {
        pts,
        dts: buffer.dts().and_then(|d| stream_time(&segment, d)),
        duration: buffer.duration(),
        keyframe: !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT),
        size: buffer.size(),
    };
    Some((unit, offset))
}

/// True for element factories that decode video.
pub(crate) fn is_video_decoder(element: &gst::Element) -> bool {
    element.factory().is_some_and(|f| {
        let klass = f.metadata("klass").unwrap_or_default();
        klass.contains("Decoder") && klass.contains("Video")
    })
}

/// For the unit tests of the decoder probes (here and in `bitrate`): the
/// probe `attach` puts on a stand-in decoder of a streaming pipeline
/// records (`recorded` reaches 10 within 5 s), and once `detach_and_clear`
/// has run it records nothing more while the pipeline goes on streaming.
#[cfg(test)]
pub(crate) fn check_detached_probe(
    attach: impl FnOnce(&gst::Element),
    recorded: impl Fn() -> usize,
    detach_and_clear: impl FnOnce(),
) {
    gst::init().unwrap();
    let pipeline = gst::parse::launch(
        "videotestsrc ! video/x-raw,width=16,height=16 ! identity name=decoder ! fakesink",
    )
    .unwrap();
    let decoder = pipeline
        .downcast_ref::<gst::Bin>()
        .and_then(|b| b.by_name("decoder"))
        .unwrap();
    attach(&decoder);
    pipeline.set_state(gst::State::Playing).unwrap();
    let start = std::time::Instant::now();
    while recorded() < 10 && start.elapsed().as_secs() < 5 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(recorded() >= 10, "the probe recorded nothing");
    detach_and_clear();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let after = recorded();
    pipeline.set_state(gst::State::Null).unwrap();
    assert_eq!(after, 0, "a detached probe went on recording");
}

#[cfg(test)]
mod tests {
    use super::*;
    use gst::ClockTime as T;

    #[test]
    fn detached_probes_record_nothing_more() {
        let index = FrameIndex::default();
        check_detached_probe(
            |decoder| index.attach(decoder),
            || index.keyframes().len(),
            || {
                index.detach();
                index.clear();
            },
        );
    }

    fn unit(ms: u64, keyframe: bool) -> AccessUnit {
        AccessUnit {
            pts: T::from_mseconds(ms),
            dts: None,
            duration: Some(T::from_mseconds(40)),
            keyframe,
            size: 100,
        }
    }

    #[test]
    fn lookups_follow_presentation_order() {
        let index = FrameIndex::default();
        // Decode order with B-frames: 0 (key), 120, 40, 80, 160 (key).
        for (ms, key) in [
            (0, true),
            (120, false),
            (40, false),
            (80, false),
            (160, true),
        ] {
            index.record(unit(ms, key));
        }
        assert_eq!(index.epoch_keyframe().unwrap().pts, T::ZERO);
        assert_eq!(
            index.frame_at(T::from_mseconds(119)).unwrap().pts,
            T::from_mseconds(80)
        );
        assert_eq!(
            index.frame_at(T::from_mseconds(120)).unwrap().pts,
            T::from_mseconds(120)
        );
        assert_eq!(
            index.next_after(T::from_mseconds(40)).unwrap().pts,
            T::from_mseconds(80)
        );
        assert_eq!(
            index.prev_before(T::from_mseconds(40)).unwrap().pts,
            T::ZERO
        );
        assert!(index.prev_before(T::ZERO).is_none());
        assert_eq!(index.keyframes(), vec![T::ZERO, T::from_mseconds(160)]);
        assert_eq!(
            index.keyframe_before(T::from_mseconds(150)).unwrap().pts,
            T::ZERO
        );
        assert_eq!(
            index.keyframe_after(T::from_mseconds(1)).unwrap().pts,
            T::from_mseconds(160)
        );
        assert_eq!(
            index.rate_is_constant(T::from_mseconds(160), T::from_mseconds(40)),
            Some(true)
        );
        assert_eq!(
            index.rate_is_constant(T::from_mseconds(160), T::from_mseconds(33)),
            Some(false)
        );
        // Regular durations but irregular times: variable.
        let vfr = FrameIndex::default();
        for (ms, key) in [
            (0, true),
            (40, false),
            (120, false),
            (160, false),
            (240, false),
        ] {
            vfr.record(unit(ms, key));
        }
        assert_eq!(
            vfr.rate_is_constant(T::from_mseconds(240), T::from_mseconds(40)),
            Some(false)
        );
        index.new_epoch();
        assert!(index.epoch_keyframe().is_none());
        index.record(unit(200, false));
        index.record(unit(240, true));
        assert_eq!(index.epoch_keyframe().unwrap().pts, T::from_mseconds(240));
    }
}
