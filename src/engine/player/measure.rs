//! Reading the pipeline: position and duration, the frame on screen (its
//! real PTS, duration and number) and the software chain's render size.
//! Statistics are in [`super::stats`].

use super::imp;
use crate::engine::frame::{frame_number, true_pts, ShownSample};
use crate::engine::frameindex::FrameIndex;
use crate::engine::log;
use crate::engine::origin;
use crate::engine::types::PlayerState;
use glib::subclass::prelude::*;
use gst::prelude::*;

/// How recently the frame on screen must have changed for the playing
/// position to be its PTS: a few frames at 25–30 fps, two ticks. Slower
/// frames (a still picture, a video track that ended before the audio)
/// leave the position to the pipeline's clock.
const FRAMES_FLOWING: std::time::Duration = std::time::Duration::from_millis(150);

impl imp::Player {
    /// The time origin in stream time (ns; see [`crate::engine::origin`]):
    /// 0 for live and adaptive streams, whose timelines are their own.
    pub(super) fn origin_ns(&self) -> i64 {
        if self.has_own_timeline() {
            0
        } else {
            self.shared.origin.offset()
        }
    }

    /// Whether the media is live or adaptive (HLS, DASH): its timeline is
    /// its own, and the origin is 0.
    fn has_own_timeline(&self) -> bool {
        let adaptive = self
            .shared
            .adaptive_demuxer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some();
        self.live.is_live.get() || adaptive
    }

    /// A stream time as the API shows it: ns from the time origin.
    pub(super) fn user_time(&self, stream_ns: u64) -> u64 {
        origin::to_user(stream_ns, self.origin_ns())
    }

    /// [`Self::user_time`] of a clock time.
    pub(super) fn user_clock(&self, stream: gst::ClockTime) -> gst::ClockTime {
        gst::ClockTime::from_nseconds(self.user_time(stream.nseconds()))
    }

    /// [`Self::user_time`] of a property value where negative means unset.
    pub(super) fn user_time_i64(&self, stream_ns: i64) -> i64 {
        match u64::try_from(stream_ns) {
            Ok(t) => i64::try_from(self.user_time(t)).unwrap_or(i64::MAX),
            Err(_) => stream_ns,
        }
    }

    /// A time the API took (ns from the time origin) in stream time.
    pub(super) fn stream_time(&self, user_ns: u64) -> gst::ClockTime {
        gst::ClockTime::from_nseconds(origin::to_stream(user_ns, self.origin_ns()))
    }

    /// The `position` property: the position from the time origin.
    pub(super) fn user_position(&self) -> u64 {
        self.user_time(self.position.get())
    }

    /// The `frame-pts` property: the frame's PTS from the time origin.
    pub(super) fn user_frame_pts(&self) -> i64 {
        self.user_time_i64(self.frame_pts.get())
    }

    /// Updates `position`: on a video frame it is that frame's PTS —
    /// paused, or playing while new frames keep reaching the screen (the
    /// ticker has just read the frame; no query, so no wait for the
    /// gate's thread); otherwise the pipeline's position (the clock
    /// through the segment while playing: audio alone, a still or ended
    /// video track, a seek in flight). While a seek is settling it stays at
    /// the target.
    pub fn query_position(&self) {
        let playing = self.state.get() == PlayerState::Playing;
        let settled = self.seek.queue.borrow().is_idle();
        if !playing && !settled {
            return;
        }
        let frames_flowing = settled
            && self
                .frame_changed_at
                .get()
                .is_some_and(|at| at.elapsed() <= FRAMES_FLOWING);
        let pos = match self.shown_pts() {
            Some(pts) if !playing || frames_flowing => Some(pts),
            _ => self
                .ask(|p| p.query_position::<gst::ClockTime>())
                .flatten()
                .and_then(|p| {
                    let ns = i64::try_from(p.nseconds()).unwrap_or(i64::MAX);
                    u64::try_from(ns.saturating_sub(self.sink_time_error()))
                        .ok()
                        .map(gst::ClockTime::from_nseconds)
                }),
        };
        if let Some(pos) = pos {
            self.set_u64(&self.position, pos.nseconds(), "position");
        }
        if self.duration.get() == 0 {
            self.query_duration();
        }
    }

    pub(super) fn duration_query(&self) -> Option<gst::ClockTime> {
        self.ask(|p| p.query_duration::<gst::ClockTime>()).flatten()
    }

    pub(super) fn query_duration(&self) {
        if let Some(d) = self.duration_query() {
            self.set_u64(&self.duration, d.nseconds(), "duration");
        }
    }

    /// The PTS of the frame on screen, when one is.
    pub(super) fn shown_pts(&self) -> Option<gst::ClockTime> {
        u64::try_from(self.frame_pts.get())
            .ok()
            .map(gst::ClockTime::from_nseconds)
    }

    /// The video sink's last sample with its timing, when video is shown.
    /// Timestamps map to stream time as the decoder's segment says (the
    /// sink's may have lost an edit list's offset, see
    /// [`FrameIndex::stream_offset`](crate::engine::frameindex::FrameIndex::stream_offset)).
    pub(super) fn sink_sample(&self) -> Option<ShownSample> {
        let sink = self.video_sink.borrow().clone()?;
        sink.find_property("last-sample")?;
        let sample = sink.property::<Option<gst::Sample>>("last-sample")?;
        ShownSample::with_offset(sample, self.shared.index.stream_offset())
    }

    /// How far the sink's stream times are off from the decoder's (after an
    /// instant rate change the sink's segment can drop the offset): to be
    /// subtracted from positions the pipeline reports.
    fn sink_time_error(&self) -> i64 {
        let sink_offset = self
            .video_sink
            .borrow()
            .as_ref()
            .filter(|s| s.find_property("last-sample").is_some())
            .and_then(|s| s.property::<Option<gst::Sample>>("last-sample"))
            .and_then(|s| {
                let seg = s.segment()?.downcast_ref::<gst::ClockTime>()?.clone();
                Some(seg.time()?.nseconds() as i64 - seg.start()?.nseconds() as i64)
            });
        match (sink_offset, self.shared.index.stream_offset()) {
            (Some(sink), Some(decoder)) => sink - decoder,
            _ => 0,
        }
    }

    /// The decoded frame on screen: a cached one after a backward step,
    /// otherwise the sink's.
    pub(super) fn current_sample(&self) -> Option<gst::Sample> {
        self.backstep
            .shown()
            .map(|f| f.sample)
            .or_else(|| self.sink_sample().map(|s| s.sample))
    }

    /// Reads the frame on screen into `frame-pts`, `frame-duration` and
    /// `frame-number`.
    pub(super) fn refresh_frame(&self) {
        if let Some(frame) = self.backstep.shown() {
            self.set_frame(frame.pts, frame.duration, frame.nominal);
            return;
        }
        let Some(shown) = self.sink_sample() else {
            return;
        };
        let pts = true_pts(&shown, &self.shared.index);
        let container = self
            .shared
            .index
            .unit(pts)
            .and_then(|u| u.duration)
            .or(shown.nominal_duration)
            .or_else(|| shown.end.filter(|_| shown.start == pts).map(|e| e - pts));
        // At a variable rate a frame lasts until the next one.
        let variable = shown
            .nominal_duration
            .is_none_or(|n| self.shared.index.rate_is_constant(pts, n) == Some(false));
        let until_next = self.shared.index.next_after(pts).map(|next| next.pts - pts);
        let duration = if variable {
            until_next.or(container)
        } else {
            container
        };
        self.set_frame(pts, duration, shown.nominal_duration);
    }

    pub(super) fn set_frame(
        &self,
        pts: gst::ClockTime,
        duration: Option<gst::ClockTime>,
        nominal: Option<gst::ClockTime>,
    ) {
        let pts_ns = i64::try_from(pts.nseconds()).unwrap_or(i64::MAX);
        if self.frame_pts.get() != pts_ns {
            self.frame_changed_at.set(Some(std::time::Instant::now()));
        }
        self.set_i64(&self.frame_pts, pts_ns, "frame-pts");
        self.set_i64(
            &self.frame_duration,
            super::ns_or_unset(duration),
            "frame-duration",
        );
        let number = match (nominal, self.first_frame.get()) {
            (Some(nominal), Some(first))
                if self.shared.index.rate_is_constant(pts, nominal) != Some(false) =>
            {
                frame_number(pts, first, nominal).map_or(-1, |n| n as i64)
            }
            _ => -1,
        };
        self.set_i64(&self.frame_number, number, "frame-number");
    }

    /// Forgets the frame on screen (new media, stop).
    pub(super) fn clear_frame(&self) {
        self.frame_changed_at.set(None);
        self.set_i64(&self.frame_pts, -1, "frame-pts");
        self.set_i64(&self.frame_duration, -1, "frame-duration");
        self.set_i64(&self.frame_number, -1, "frame-number");
    }

    /// Points the software chain's capsfilter at the size the picture is
    /// shown at, so frames are scaled to it (down or up, see
    /// [`fitted_size`](crate::engine::spec::fitted_size)) in the same pass
    /// as their conversion.
    pub fn apply_render_size(&self) {
        let Some(filter) = self.size_filter.borrow().clone() else {
            return;
        };
        let Some(size) = *self.video_size.borrow() else {
            return;
        };
        let fitted = crate::engine::spec::fitted_size(
            size.width,
            size.height,
            (size.par_n, size.par_d),
            self.render_size.get(),
        );
        let caps = match fitted {
            Some((w, h)) => gst::Caps::builder("video/x-raw")
                .field("width", w as i32)
                .field("height", h as i32)
                .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
                .build(),
            None => gst::Caps::new_empty_simple("video/x-raw"),
        };
        if filter.property::<gst::Caps>("caps") != caps {
            log::debug!("render size {caps}");
            filter.set_property("caps", &caps);
        }
    }
}

impl super::Player {
    /// The decoded frame on screen (a cached frame after a backward step,
    /// otherwise the video sink's last sample). In headless mode this is
    /// how to look at the picture.
    pub fn current_frame(&self) -> Option<gst::Sample> {
        self.imp().current_sample()
    }

    /// The PTS of the first frame, once the media has prerolled, from the
    /// time origin.
    pub fn first_frame_pts(&self) -> Option<gst::ClockTime> {
        let imp = self.imp();
        imp.first_frame.get().map(|t| imp.user_clock(t))
    }

    /// Where time 0 of this player's times (position, `frame-pts`, seeks,
    /// A-B points, chapters) lies in GStreamer's stream time (ns; negative
    /// when the media starts before stream time 0), in which
    /// [`Player::frame_index`](Self::frame_index) counts: the media's
    /// start as ffprobe's format `start_time` defines it (0 for most files;
    /// an MPEG-TS file's first timestamp after its first PCR). See
    /// [`crate::engine`]'s "Time origin" in `docs/architecture.md`.
    pub fn time_origin(&self) -> i64 {
        self.imp().origin_ns()
    }

    /// Where time 0 lies in the container's own timestamps, as
    /// `inspect --frames` and [`crate::inspect::scan_frames`] give them
    /// (ns): an MPEG-TS file's earliest first PTS on its 90 kHz clock;
    /// elsewhere the same as [`time_origin`](Self::time_origin).
    pub fn container_time_origin(&self) -> i64 {
        let imp = self.imp();
        if imp.has_own_timeline() {
            0
        } else {
            imp.shared.origin.container_offset()
        }
    }

    /// What the video decoder has been fed so far: true timestamps and
    /// keyframes (for keyframe marks and inspection), in stream time
    /// (subtract [`time_origin`](Self::time_origin) for the API's times).
    pub fn frame_index(&self) -> FrameIndex {
        self.imp().shared.index.clone()
    }

    /// Tells the player the size, in device pixels, its picture is shown at.
    /// On the software path frames are scaled to that size (smaller or
    /// larger, up to 2560x1600 when enlarging) in the same pass as their
    /// conversion, so GTK draws them pixel for pixel; `(0, 0)` (the
    /// default) means native size.
    pub fn set_render_size(&self, width: u32, height: u32) {
        let imp = self.imp();
        if imp.render_size.replace((width, height)) != (width, height) {
            imp.apply_render_size();
        }
    }
}
