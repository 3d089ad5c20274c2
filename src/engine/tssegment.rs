//! Putting back the segment GStreamer 1.22's `tsdemux` loses in a flushing
//! seek over HTTP. In push mode it handles a time seek itself: it sets its
//! new segment, then asks its source for the bytes. Its streaming thread can
//! push that segment while the seek's flush is still on its way down; the
//! flush takes the segment away and the frames after it flow with none
//! ("Got data flow before segment event"). Sinks then assume a segment from
//! 0 ("Internal data flow problem.") and the seek shows a frame at a wrong
//! time; seeking again meets the same race, and `tsdemux` may then drop
//! every video frame.
//!
//! The player notes the segment each flushing seek of its own asks for
//! ([`SeekSegment::note`], on the gate's thread as it sends the seek); a
//! probe on each source pad of a `tsdemux` outside an adaptive demuxer
//! ([`SeekSegment::attach_if_tsdemux`]) stores that segment on the pad when
//! a buffer is about to leave without one after that seek's flush, so the
//! pad sends it first. A flush of any other seek is left alone.

use gst::prelude::*;
use std::sync::{Arc, Mutex};

/// The segment the player's last flushing seek asks for, with that seek's
/// sequence number (the flush it causes carries the same).
#[derive(Debug, Default)]
pub struct SeekSegment(Mutex<Option<gst::Event>>);

impl SeekSegment {
    /// Notes a flushing seek about to be sent: the segment a demuxer
    /// answering it makes (`gst_segment_do_seek` on a new time segment).
    /// Any thread; the mutex is held only to replace the event.
    pub fn note(
        &self,
        seqnum: gst::Seqnum,
        rate: f64,
        flags: gst::SeekFlags,
        start: gst::ClockTime,
        stop_type: gst::SeekType,
        stop: Option<gst::ClockTime>,
    ) {
        let mut segment = gst::FormattedSegment::<gst::ClockTime>::new();
        let event = segment
            .do_seek(rate, flags, gst::SeekType::Set, start, stop_type, stop)
            .map(|_| {
                gst::event::Segment::builder(&segment)
                    .seqnum(seqnum)
                    .build()
            });
        *self.lock() = event;
    }

    /// Forgets the last seek (new media).
    pub fn clear(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<gst::Event>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The noted segment, when it belongs to the seek numbered `seqnum`.
    fn for_seek(&self, seqnum: gst::Seqnum) -> Option<gst::Event> {
        self.lock().clone().filter(|e| e.seqnum() == seqnum)
    }

    /// Watches `element`'s source pads if it is a `tsdemux` that is not
    /// inside an adaptive demuxer (whose fragments have segments of their
    /// own). Call from `element-setup` (a streaming thread).
    pub fn attach_if_tsdemux(self: &Arc<Self>, element: &gst::Element) {
        let is_tsdemux = element.factory().is_some_and(|f| f.name() == "tsdemux");
        if !is_tsdemux || in_adaptive(element) {
            return;
        }
        let noted = self.clone();
        element.connect_pad_added(move |_, pad| {
            if pad.direction() == gst::PadDirection::Src {
                watch_pad(pad, noted.clone());
            }
        });
    }
}

/// Whether an adaptive demuxer (HLS, DASH) holds `element`.
fn in_adaptive(element: &gst::Element) -> bool {
    let mut parent = element.parent();
    while let Some(object) = parent {
        if let Some(bin) = object.downcast_ref::<gst::Element>() {
            if crate::engine::variants::is_adaptive_demuxer(bin) {
                return true;
            }
        }
        parent = object.parent();
    }
    false
}

/// The probe on one source pad: remembers the seqnum of the last flush
/// that passed, and gives a buffer about to leave with no segment the one
/// that flush's seek asked for.
fn watch_pad(pad: &gst::Pad, noted: Arc<SeekSegment>) {
    let flushed_by: Mutex<Option<gst::Seqnum>> = Mutex::new(None);
    pad.add_probe(
        gst::PadProbeType::BUFFER | gst::PadProbeType::BUFFER_LIST | gst::PadProbeType::EVENT_FLUSH,
        move |pad, info| {
            let mut flushed = flushed_by.lock().unwrap_or_else(|e| e.into_inner());
            match &info.data {
                Some(gst::PadProbeData::Event(e)) if e.type_() == gst::EventType::FlushStop => {
                    *flushed = Some(e.seqnum());
                }
                Some(gst::PadProbeData::Buffer(_) | gst::PadProbeData::BufferList(_)) => {
                    let missing = pad.sticky_event::<gst::event::Segment>(0).is_none();
                    if let Some(segment) = flushed.filter(|_| missing).and_then(|s| noted.for_seek(s)) {
                        crate::engine::log::debug!(
                            "{}: a buffer without its segment after the seek's flush: sending the seek's segment first",
                            pad.name()
                        );
                        // The pad pushes stored sticky events before the buffer.
                        let _ = pad.store_sticky_event(&segment);
                    }
                }
                _ => {}
            }
            gst::PadProbeReturn::Ok
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time_segment(event: &gst::EventRef) -> gst::FormattedSegment<gst::ClockTime> {
        let gst::EventView::Segment(event) = event.view() else {
            panic!("not a segment: {event:?}");
        };
        event
            .segment()
            .downcast_ref::<gst::ClockTime>()
            .unwrap()
            .clone()
    }

    #[test]
    fn a_seek_gives_the_segment_a_demuxer_answers_it_with() {
        gst::init().unwrap();
        let noted = SeekSegment::default();
        let seqnum = gst::Seqnum::next();
        let start = gst::ClockTime::from_mseconds(2790);
        noted.note(
            seqnum,
            1.0,
            gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE,
            start,
            gst::SeekType::Set,
            None,
        );
        let segment = time_segment(&noted.for_seek(seqnum).expect("noted"));
        assert_eq!(segment.start(), Some(start));
        assert_eq!(segment.time(), Some(start));
        assert_eq!(segment.base(), Some(gst::ClockTime::ZERO));
        assert_eq!(segment.stop(), None);
        assert!(
            noted.for_seek(gst::Seqnum::next()).is_none(),
            "another seek's flush"
        );
        noted.clear();
        assert!(noted.for_seek(seqnum).is_none());
    }

    /// A source pad of a real `tsdemux`-like element is not needed: any
    /// source pad whose flush came from the noted seek gets the segment
    /// before a buffer that has none, and only then.
    #[test]
    fn a_buffer_without_a_segment_after_the_seeks_flush_gets_it() {
        gst::init().unwrap();
        let noted = Arc::new(SeekSegment::default());
        let src = gst::Pad::builder(gst::PadDirection::Src)
            .name("video_0_0100")
            .build();
        let sink = gst::Pad::builder(gst::PadDirection::Sink)
            .chain_function(|_, _, _| Ok(gst::FlowSuccess::Ok))
            .event_function(|_, _, _| true)
            .build();
        src.link(&sink).unwrap();
        src.set_active(true).unwrap();
        sink.set_active(true).unwrap();
        watch_pad(&src, noted.clone());
        assert!(src.push_event(gst::event::StreamStart::new("s")));
        assert!(
            src.push_event(gst::event::Caps::new(&gst::Caps::new_empty_simple(
                "video/x-h264"
            )))
        );
        let seek = gst::Seqnum::next();
        let start = gst::ClockTime::from_seconds(2);
        noted.note(
            seek,
            1.0,
            gst::SeekFlags::FLUSH,
            start,
            gst::SeekType::Set,
            None,
        );
        // Another seek's flush: nothing is added.
        assert!(src.push_event(gst::event::FlushStart::new()));
        assert!(src.push_event(
            gst::event::FlushStop::builder(true)
                .seqnum(gst::Seqnum::next())
                .build()
        ));
        let _ = src.push(gst::Buffer::new());
        assert!(sink.sticky_event::<gst::event::Segment>(0).is_none());
        // The noted seek's flush, then a buffer with no segment: it gets one.
        assert!(src.push_event(gst::event::FlushStart::builder().seqnum(seek).build()));
        assert!(src.push_event(gst::event::FlushStop::builder(true).seqnum(seek).build()));
        assert_eq!(src.push(gst::Buffer::new()), Ok(gst::FlowSuccess::Ok));
        let got = sink
            .sticky_event::<gst::event::Segment>(0)
            .expect("segment sent first");
        assert_eq!(got.seqnum(), seek);
        let segment = got
            .segment()
            .downcast_ref::<gst::ClockTime>()
            .unwrap()
            .clone();
        assert_eq!(segment.start(), Some(start));
    }
}
