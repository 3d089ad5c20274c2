//! A headless decoder for exact frames: a second `playbin` (video only,
//! same autoplugging as playback, so the same decoder and timestamps) ending
//! in an `appsink` that runs as fast as it can. It answers "give me the
//! frames from the keyframe before T up to T", which backward frame steps
//! cache and `framescope snapshot` exports. Blocking: call it from a worker
//! thread (or a command-line tool), never from the main loop.
//!
//! Every decode starts with an accurate seek to the first time wanted (the
//! demuxer goes to the keyframe before it) and reads the true timestamps
//! from its own frame index, as playback does. Frames before the keyframe
//! decoding started at are leading pictures of an open GOP, decoded without
//! their references, and are never returned; when they are needed,
//! decoding restarts from the keyframe before.

use crate::engine::error::{display_name, ErrorKind, PlayerError};
use crate::engine::frame::{true_pts, ShownSample};
use crate::engine::frameindex::{is_video_decoder, FrameIndex};
use crate::engine::origin::TimeOrigin;
use crate::engine::sinkbin::SinkBin;
use crate::engine::spec::{make, Playbin};
use gst::prelude::*;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

/// One decoded frame, stream time.
#[derive(Debug, Clone)]
pub struct DecodedFrame {
    /// True PTS.
    pub pts: gst::ClockTime,
    /// Duration, when known.
    pub duration: Option<gst::ClockTime>,
    /// The nominal frame duration from the caps, when the rate is not 0/1.
    pub nominal: Option<gst::ClockTime>,
    /// The picture (system memory).
    pub sample: gst::Sample,
}

/// A paused decode pipeline for one URI.
#[derive(Debug)]
pub(crate) struct FrameDecoder {
    pipeline: gst::Pipeline,
    sink: gst_app::AppSink,
    index: FrameIndex,
    origin: TimeOrigin,
    uri: String,
    timeout: Duration,
}

impl Drop for FrameDecoder {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

impl FrameDecoder {
    /// Opens `uri` and prerolls it; fails with the engine's error kinds,
    /// and with `NoVideoPath` when the media has no video.
    pub(crate) fn open(uri: &str, timeout: Duration) -> Result<Self, PlayerError> {
        crate::engine::uri::precheck(uri)?;
        let pipeline = make(Playbin::for_uri(uri).factory())?
            .downcast::<gst::Pipeline>()
            .map_err(|_| PlayerError::new(ErrorKind::Other, "playbin is not a pipeline.", ""))?;
        let sink = gst_app::AppSink::builder()
            .sync(false)
            .max_buffers(4)
            .caps(&gst::Caps::new_empty_simple("video/x-raw"))
            .build();
        pipeline.set_property("uri", uri);
        pipeline.set_property_from_str("flags", "video");
        // In a bin that posts stream-start off the streaming thread (see
        // `sinkbin`), as the player's sinks are.
        let sink_bin = SinkBin::around("framescope-video", sink.upcast_ref())
            .map_err(|e| PlayerError::new(ErrorKind::Other, e, ""))?;
        pipeline.set_property("video-sink", &sink_bin);
        // No audio is decoded, but playbin would still probe a default audio
        // sink (and the sound system would print its complaints).
        if let Ok(fake) = make("fakesink") {
            pipeline.set_property("audio-sink", &fake);
        }
        let index = FrameIndex::default();
        let probe_index = index.clone();
        let origin = TimeOrigin::for_uri(uri);
        let probe_origin = origin.clone();
        pipeline.connect("element-setup", false, move |args| {
            if let Ok(element) = args[1].get::<gst::Element>() {
                if is_video_decoder(&element) {
                    probe_index.attach(&element);
                }
                probe_origin.watch_if_demuxer(&element);
            }
            None
        });
        let decoder = Self {
            pipeline,
            sink,
            index,
            origin,
            uri: uri.to_string(),
            timeout,
        };
        decoder.change_state(gst::State::Paused)?;
        if decoder.pipeline.find_property("n-video").is_some()
            && decoder.pipeline.property::<i32>("n-video") == 0
        {
            return Err(decoder.no_video());
        }
        if decoder
            .sink
            .static_pad("sink")
            .and_then(|p| p.current_caps())
            .is_none()
        {
            return Err(decoder.no_video());
        }
        Ok(decoder)
    }

    fn no_video(&self) -> PlayerError {
        PlayerError::new(
            ErrorKind::NoVideoPath,
            crate::i18n::tr(
                "“{name}” has no video stream, so there is no frame to show.",
                &[("name", &display_name(&self.uri))],
            ),
            "the media has no decodable video stream",
        )
    }

    /// The media's duration, when known.
    pub(crate) fn duration(&self) -> Option<gst::ClockTime> {
        self.pipeline.query_duration::<gst::ClockTime>()
    }

    /// The time origin in stream time (ns), known once prerolled (see
    /// [`crate::engine::origin`]).
    pub(crate) fn origin_ns(&self) -> i64 {
        self.origin.offset()
    }

    /// The frames the decoder has been fed so far.
    pub(crate) fn index(&self) -> &FrameIndex {
        &self.index
    }

    /// Sets the state and waits for it, turning bus errors into typed errors.
    fn change_state(&self, state: gst::State) -> Result<(), PlayerError> {
        let cause = gst::Seqnum::next();
        let result = self.pipeline.set_state(state);
        if result.is_err() {
            return Err(self.bus_error().unwrap_or_else(|| {
                PlayerError::new(
                    ErrorKind::Other,
                    crate::i18n::tr(
                        "“{name}” could not be opened.",
                        &[("name", &display_name(&self.uri))],
                    ),
                    "state change failed",
                )
            }));
        }
        if result == Ok(gst::StateChangeSuccess::Async) {
            self.wait_async_done(cause)?;
        }
        Ok(())
    }

    /// Waits for the pipeline's `ASYNC_DONE` made after `cause` was
    /// numbered (an older one, left on the bus, finished an earlier
    /// preroll).
    fn wait_async_done(&self, cause: gst::Seqnum) -> Result<(), PlayerError> {
        let bus = self.pipeline.bus().expect("a pipeline has a bus");
        let deadline = Instant::now() + self.timeout;
        // Pushed into tsdemux (HTTP), an untimed MPEG-TS never prerolls:
        // the bus is read in slices so that ends as soon as it is known.
        let pushed = !crate::engine::origin::is_local(&self.uri);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            if pushed && self.origin.is_untimed() {
                break;
            }
            let slice = left.min(Duration::from_millis(250));
            let Some(msg) = bus.timed_pop(gst::ClockTime::from_nseconds(slice.as_nanos() as u64))
            else {
                continue;
            };
            match msg.view() {
                gst::MessageView::AsyncDone(_)
                    if msg.src() == Some(self.pipeline.upcast_ref()) && msg.seqnum() > cause =>
                {
                    return Ok(())
                }
                gst::MessageView::Error(_) => return Err(self.error_from(&msg)),
                gst::MessageView::Eos(_) => return Ok(()),
                _ => {}
            }
        }
        if self.origin.is_untimed() {
            return Err(self.untimed());
        }
        Err(PlayerError::new(
            ErrorKind::Other,
            crate::i18n::tr(
                "“{name}” did not finish opening within {seconds} s.",
                &[
                    ("name", &display_name(&self.uri)),
                    ("seconds", &self.timeout.as_secs().to_string()),
                ],
            ),
            "preroll timed out",
        ))
    }

    /// The error for an MPEG-TS `tsdemux` leaves untimed (see
    /// [`crate::engine::origin::untimed_ts_message`]).
    fn untimed(&self) -> PlayerError {
        PlayerError::new(
            ErrorKind::Other,
            crate::engine::origin::untimed_ts_message(&display_name(&self.uri)),
            "tsdemux ignores the PCR: no timestamps",
        )
    }

    fn bus_error(&self) -> Option<PlayerError> {
        let bus = self.pipeline.bus()?;
        while let Some(msg) = bus.pop() {
            if matches!(msg.view(), gst::MessageView::Error(_)) {
                return Some(self.error_from(&msg));
            }
        }
        None
    }

    fn error_from(&self, msg: &gst::Message) -> PlayerError {
        match msg.view() {
            gst::MessageView::Error(e) => crate::engine::error::classify(
                &e.error(),
                &e.debug().map(|d| d.to_string()).unwrap_or_default(),
                &self.uri,
                &[],
            ),
            _ => PlayerError::new(
                ErrorKind::Other,
                crate::i18n::gettext("Decoding failed."),
                "",
            ),
        }
    }

    /// Decodes forward from `from` (an accurate seek: decoding starts at
    /// the keyframe before it), calling `visit` with each frame (true PTS,
    /// presentation order) until it breaks or the media ends. When decoding
    /// started at a keyframe after `from` (an open GOP), the leading
    /// pictures before that keyframe are skipped: they lack their references.
    pub(crate) fn decode(
        &mut self,
        from: gst::ClockTime,
        mut visit: impl FnMut(DecodedFrame) -> ControlFlow<()>,
    ) -> Result<(), PlayerError> {
        self.change_state(gst::State::Paused)?;
        let flags = gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE;
        let cause = gst::Seqnum::next();
        self.pipeline.seek_simple(flags, from).map_err(|_| {
            if self.origin.is_untimed() {
                return self.untimed();
            }
            PlayerError::new(
                ErrorKind::Other,
                crate::i18n::tr(
                    "“{name}” cannot be sought.",
                    &[("name", &display_name(&self.uri))],
                ),
                "seek refused",
            )
        })?;
        self.wait_async_done(cause)?;
        self.change_state(gst::State::Playing)?;
        let deadline = Instant::now() + self.timeout;
        let result = loop {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break Err(PlayerError::new(
                    ErrorKind::Other,
                    crate::i18n::tr(
                        "Decoding “{name}” took too long.",
                        &[("name", &display_name(&self.uri))],
                    ),
                    "decode timed out",
                ));
            };
            let Some(sample) = self
                .sink
                .try_pull_sample(gst::ClockTime::from_nseconds(left.as_nanos() as u64))
            else {
                if let Some(error) = self.bus_error() {
                    break Err(error);
                }
                if self.sink.is_eos() {
                    break Ok(());
                }
                continue;
            };
            let Some(frame) = self.decoded_frame(sample) else {
                continue;
            };
            let leading = self
                .index
                .epoch_keyframe()
                .is_some_and(|k| k.pts > from && frame.pts < k.pts);
            if leading {
                continue;
            }
            if visit(frame).is_break() {
                break Ok(());
            }
        };
        let _ = self.pipeline.set_state(gst::State::Paused);
        result
    }

    /// Where to start decoding again so the frames before `from` are
    /// included: before the decode time of the keyframe decoding started at.
    fn earlier_start(&self, from: gst::ClockTime) -> Option<gst::ClockTime> {
        let key = self.index.epoch_keyframe()?;
        let start = key.dts.unwrap_or(key.pts).min(from);
        (!start.is_zero()).then(|| start - gst::ClockTime::from_nseconds(1))
    }

    /// The frames whose PTS lies in `[from, end)` — the latest of them that
    /// fit in `max_bytes` — in presentation order. `cancelled` is asked
    /// after every frame; when it says yes, decoding stops.
    pub(crate) fn frames_between(
        &mut self,
        from: gst::ClockTime,
        end: gst::ClockTime,
        max_bytes: usize,
        cancelled: impl Fn() -> bool,
    ) -> Result<Vec<DecodedFrame>, PlayerError> {
        let size = |f: &DecodedFrame| f.sample.buffer().map_or(0, |b| b.size());
        let mut start = from;
        for _ in 0..4 {
            let mut frames: std::collections::VecDeque<DecodedFrame> = Default::default();
            let mut bytes = 0;
            self.decode(start, |frame| {
                if frame.pts >= end || cancelled() {
                    return ControlFlow::Break(());
                }
                bytes += size(&frame);
                frames.push_back(frame);
                while bytes > max_bytes && frames.len() > 2 {
                    if let Some(dropped) = frames.pop_front() {
                        bytes -= size(&dropped);
                    }
                }
                ControlFlow::Continue(())
            })?;
            // Leading pictures were skipped: start a keyframe earlier.
            let full = bytes + frames.front().map_or(0, size) > max_bytes;
            let complete = frames.front().is_some_and(|f| f.pts <= from);
            if complete || full || start.is_zero() || cancelled() {
                return Ok(frames.into());
            }
            match self.earlier_start(start) {
                Some(earlier) if earlier < start => start = earlier,
                _ => return Ok(frames.into()),
            }
        }
        Ok(Vec::new())
    }

    /// The frame shown at `at`: the last one whose PTS is ≤ `at`; with
    /// `keyframe`, the keyframe at or before `at` instead.
    pub(crate) fn frame_at(
        &mut self,
        at: gst::ClockTime,
        keyframe: bool,
    ) -> Result<DecodedFrame, PlayerError> {
        let mut start = at;
        for _ in 0..4 {
            let mut best: Option<DecodedFrame> = None;
            self.decode(start, |frame| {
                if frame.pts > at {
                    return ControlFlow::Break(());
                }
                best = Some(frame);
                ControlFlow::Continue(())
            })?;
            if let Some(frame) = best {
                if !keyframe {
                    return Ok(frame);
                }
                // Every frame up to `at` went through the decoder, so the
                // index knows the keyframe before it.
                let key = self.index.keyframe_before(at).map_or(frame.pts, |k| k.pts);
                let mut found = None;
                self.decode(key, |frame| {
                    found = Some(frame);
                    ControlFlow::Break(())
                })?;
                if let Some(frame) = found {
                    return Ok(frame);
                }
                break;
            }
            // Only leading pictures lay at `at`: start a keyframe earlier.
            match self.earlier_start(start) {
                Some(earlier) if earlier < start => start = earlier,
                _ => break,
            }
        }
        Err(PlayerError::new(
            ErrorKind::Other,
            crate::i18n::tr(
                "No frame of “{name}” could be decoded at {time}.",
                &[
                    ("name", &display_name(&self.uri)),
                    ("time", &crate::engine::timefmt::precise(at)),
                ],
            ),
            "no frame decoded",
        ))
    }

    /// A decoded sample with its true PTS (the decoder clips the first
    /// frame after a seek to the seek's start; the index knows better).
    fn decoded_frame(&self, sample: gst::Sample) -> Option<DecodedFrame> {
        let shown = ShownSample::from_sample(sample)?;
        let pts = true_pts(&shown, &self.index);
        let duration = self
            .index
            .unit(pts)
            .and_then(|u| u.duration)
            .or(shown.nominal_duration);
        Some(DecodedFrame {
            pts,
            duration,
            nominal: shown.nominal_duration,
            sample: shown.sample,
        })
    }
}
