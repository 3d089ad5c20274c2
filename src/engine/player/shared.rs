//! What the player shares with streaming threads: the values the
//! pipeline's `element-setup`, `source-setup`, `deep-element-added` and
//! `about-to-finish` handlers read or write, and the probes on decoders and
//! the video sink that record what passes. Everything else on the player
//! belongs to the main thread (see the concurrency rule in [`super`]).
//!
//! Two things cross threads elsewhere, on purpose: the backward-step cache
//! ([`super::backstep`]) cancels its own decoding worker (not a streaming
//! thread) with a generation counter it keeps, and the pipeline's
//! [`Gate`](crate::engine::gate::Gate) runs calls on a thread of its own.

use crate::engine::bitrate::BitrateMeter;
use crate::engine::frameindex::FrameIndex;
use crate::engine::framesteps::FrameSteps;
use crate::engine::origin::TimeOrigin;
use crate::engine::tssegment::SeekSegment;
use gst::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A playlist index and the URI of the item there.
pub(super) type IndexedUri = Option<(usize, String)>;

/// The player's state that streaming threads touch, behind one `Arc` the
/// pipeline's handlers and probes hold. Each field says who writes it, who
/// reads it and how; no lock here is held across a call into GStreamer,
/// and the main thread never waits for a streaming thread on one (each is
/// held only to copy a value in or out, or, inside the index, the meter
/// and the step counter, to record or look up one entry).
#[derive(Debug)]
pub struct Shared {
    /// `live-latency-ms`: the latency asked of live network sources, -1
    /// for their own default. Written on the main thread by the property
    /// setter; read on streaming threads by `source-setup` (RTSP, SRT) and
    /// `element-setup` (a DASH demuxer's presentation delay), and on the
    /// main thread when the video sink is set up. An atomic, relaxed: each
    /// reader wants the latest value and nothing else is ordered by it.
    pub live_latency_ms: AtomicI32,
    /// `tls-ca-file`: the PEM file HTTPS sources trust instead of the
    /// system's. Written on the main thread by the property setter; read
    /// by `source-setup` on a streaming thread, and on the main thread
    /// (the property getter, a failed network open's diagnosis). Its mutex
    /// is held only to clone or replace the value.
    pub tls_ca_file: Mutex<Option<String>>,
    /// `subtitle-lift`, for subtitle overlays made later. Written on the
    /// main thread by the property setter (the tracks facet); read by
    /// `deep-element-added` on the streaming thread that adds a text
    /// overlay. An atomic, relaxed.
    pub subtitle_lift: AtomicU32,
    /// Whether the subtitle track is turned off (playbin: `silent` on its
    /// subtitle overlays). Written on the main thread by track choice and
    /// cleared for each pipeline built; read by `deep-element-added` on a
    /// streaming thread, and on the main thread by `current_track`. An
    /// atomic, relaxed.
    pub subtitles_hidden: AtomicBool,
    /// The adaptive demuxer (HLS, DASH) of the pipeline, once made.
    /// Written by `element-setup` on the streaming thread that adds it,
    /// cleared on the main thread at teardown; read on the main thread
    /// (bandwidth, live, variant choice, seeks). Its mutex is held only to
    /// clone, set or take the element.
    pub adaptive_demuxer: Mutex<Option<gst::Element>>,
    /// DASH: the bitrate (bits/s) the demuxer is held to, the chosen
    /// representation's; 0 when it chooses freely. Written on the main
    /// thread (the variants facet); read by `element-setup` on the
    /// streaming thread that adds the demuxer. An atomic, relaxed.
    pub pinned_bitrate: AtomicU64,
    /// The next item's URI for a gapless switch. Written on the main
    /// thread (the playlist facet, whenever the list or its rules change);
    /// taken by `about-to-finish` on a streaming thread. Its mutex is held
    /// only to replace or take the value.
    pub gapless_next: Mutex<IndexedUri>,
    /// The item a gapless switch went to, until its stream starts. Set by
    /// `about-to-finish` on a streaming thread; taken on the main thread
    /// at the stream start (or cleared at teardown). Its mutex is held only
    /// to set or take the value.
    pub gapless_switched: Mutex<IndexedUri>,
    /// Which pipeline's streaming-thread hooks may still act: each
    /// pipeline built takes a new number ([`Shared::start_pipeline`]) and
    /// its hooks (new elements, the gapless switch) act only while it is
    /// the current one; teardown moves the number on
    /// ([`Shared::end_pipeline`]), so a pipeline let go does nothing more
    /// however long it takes to stop. Written on the main thread; read by
    /// the hooks on streaming threads. Sequentially consistent.
    pipeline: AtomicU64,
    /// What the video decoder was fed (true timestamps, keyframes), per
    /// flush epoch. Recorded by a probe on the decoder's sink pad (a
    /// streaming thread; attached by `element-setup`); read and cleared on
    /// the main thread. Behind its own mutex, held per entry.
    pub index: FrameIndex,
    /// What every decoder was fed, by size: the bitrate. Recorded by
    /// probes on the decoders' sink pads (streaming threads; attached by
    /// `element-setup`); read and cleared on the main thread (statistics).
    /// Behind its own mutex, held per entry.
    pub bitrate_meter: BitrateMeter,
    /// The largest step between frames at the video sink. Recorded by a
    /// probe on the sink's pad (a streaming thread; attached on the main
    /// thread at load); read on the main thread (statistics). Behind its
    /// own mutex, held per entry.
    pub frame_steps: FrameSteps,
    /// The item's time origin: the earliest first stream time on its
    /// demuxers' pads. Recorded by a probe on each demuxer source pad (a
    /// streaming thread; attached by `element-setup`); read and cleared on
    /// the main thread. Behind its own mutex, held only to copy a value.
    pub(crate) origin: TimeOrigin,
    /// The last flush or step sent to the pipeline, as a sequence number
    /// taken just before sending it: an `ASYNC_DONE` message made before
    /// then (its own sequence number is older) finished an earlier preroll
    /// (a pause completing as the user seeks) and must not be taken for
    /// this one's. Written on the gate's thread as it sends the event; read
    /// on the main thread by the bus handler. Its mutex is held only to
    /// copy the value in or out.
    preroll_cause: Mutex<Option<gst::Seqnum>>,
    /// Whether the video sink has had something to preroll on since the
    /// last flushing seek's flush: that seek's sequence number, the one of
    /// the last flush that stopped at the sink, and whether a buffer, gap
    /// or end of stream came after it. Written on the gate's thread as a
    /// seek is sent and by a probe on the video sink's pad (a streaming
    /// thread); read on the main thread by the bus handler. Its mutex is
    /// held only to copy values in or out.
    video_preroll: Mutex<VideoPreroll>,
    /// The segment the last flushing seek asks for, which a probe on
    /// `tsdemux`'s source pads puts back when the seek's flush took it away
    /// (see [`crate::engine::tssegment`]). Written on the gate's thread as
    /// it sends the seek, cleared on the main thread for each pipeline;
    /// read by the probes (streaming threads). Its mutex is held only to
    /// copy the event in or out.
    pub seek_segment: Arc<SeekSegment>,
}

/// See [`Shared::seek_reached_video_sink`].
#[derive(Debug, Default, Clone, Copy)]
struct VideoPreroll {
    /// The last flushing seek sent.
    seek: Option<gst::Seqnum>,
    /// The last flush that stopped at the video sink.
    flushed_by: Option<gst::Seqnum>,
    /// Something to preroll on reached the video sink after that flush.
    fed: bool,
}

impl Default for Shared {
    fn default() -> Self {
        Self {
            live_latency_ms: AtomicI32::new(-1),
            tls_ca_file: Mutex::new(None),
            subtitle_lift: AtomicU32::new(0),
            subtitles_hidden: AtomicBool::new(false),
            adaptive_demuxer: Mutex::new(None),
            pinned_bitrate: AtomicU64::new(0),
            gapless_next: Mutex::new(None),
            gapless_switched: Mutex::new(None),
            pipeline: AtomicU64::new(0),
            index: FrameIndex::default(),
            bitrate_meter: BitrateMeter::default(),
            frame_steps: FrameSteps::default(),
            origin: TimeOrigin::default(),
            preroll_cause: Mutex::new(None),
            video_preroll: Mutex::default(),
            seek_segment: Arc::default(),
        }
    }
}

impl Shared {
    /// A pipeline is being built: returns its number, which its hooks hand
    /// to [`Shared::is_current`] (main thread).
    pub fn start_pipeline(&self) -> u64 {
        self.pipeline.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The pipeline is let go: its hooks do nothing from now on (main
    /// thread).
    pub fn end_pipeline(&self) {
        self.pipeline.fetch_add(1, Ordering::SeqCst);
    }

    /// A flushing seek or a step is about to be sent: prerolls finished
    /// before now are stale from here on (the gate's thread).
    pub fn mark_preroll_cause(&self) {
        *self.preroll_cause.lock().unwrap() = Some(gst::Seqnum::next());
    }

    /// The flushing seek numbered `seqnum` is about to be sent (the gate's
    /// thread): marks the preroll cause, and notes the seek for
    /// [`Shared::seek_reached_video_sink`].
    pub fn mark_flushing_seek(&self, seqnum: gst::Seqnum) {
        self.video_preroll.lock().unwrap().seek = Some(seqnum);
        self.mark_preroll_cause();
    }

    /// Watches what reaches the video sink `sink` (the main thread, for
    /// each pipeline as it is loaded): the flushes that stop there, and
    /// the buffers, gaps and ends of stream a sink prerolls on.
    pub fn watch_video_sink(self: &Arc<Self>, sink: &gst::Element) {
        *self.video_preroll.lock().unwrap() = VideoPreroll::default();
        let Some(pad) = sink.static_pad("sink") else {
            return;
        };
        let shared = Arc::downgrade(self);
        pad.add_probe(
            gst::PadProbeType::BUFFER
                | gst::PadProbeType::BUFFER_LIST
                | gst::PadProbeType::EVENT_FLUSH
                | gst::PadProbeType::EVENT_DOWNSTREAM,
            move |_, info| {
                let Some(shared) = shared.upgrade() else {
                    return gst::PadProbeReturn::Remove;
                };
                let mut state = shared.video_preroll.lock().unwrap();
                match &info.data {
                    Some(gst::PadProbeData::Event(e)) => match e.type_() {
                        gst::EventType::FlushStop => {
                            state.flushed_by = Some(e.seqnum());
                            state.fed = false;
                        }
                        gst::EventType::Gap | gst::EventType::Eos => state.fed = true,
                        _ => {}
                    },
                    Some(_) => state.fed = true,
                    None => {}
                }
                gst::PadProbeReturn::Ok
            },
        );
    }

    /// Whether the video sink can have prerolled for the last flushing
    /// seek: that seek's flush has stopped there and something to preroll
    /// on came after it (true when no seek was sent in this pipeline). A
    /// pause's own preroll can complete as the seek's flush starts, after
    /// the preroll cause was marked, and the pipeline's `ASYNC_DONE` for it
    /// then looks newer than the seek; the sink, flushed, has no frame
    /// (`engine::a_seek_right_after_pausing_lands_on_its_frame`).
    pub fn seek_reached_video_sink(&self) -> bool {
        let state = *self.video_preroll.lock().unwrap();
        state.seek.is_none() || (state.flushed_by == state.seek && state.fed)
    }

    /// Whether an `ASYNC_DONE` message numbered `seqnum` was made before
    /// the last flush or step was sent, so it belongs to an earlier
    /// preroll (main thread). Sequence numbers are compared the way
    /// GStreamer does, wrapping.
    pub fn is_stale_preroll(&self, seqnum: gst::Seqnum) -> bool {
        self.preroll_cause
            .lock()
            .unwrap()
            .is_some_and(|cause| seqnum < cause)
    }

    /// Whether pipeline `number` is still the player's (any thread).
    pub fn is_current(&self, number: u64) -> bool {
        self.pipeline.load(Ordering::SeqCst) == number
    }
}
