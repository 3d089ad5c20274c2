//! Reading the pipeline: position and duration, the frame on screen (its
//! real PTS, duration and number), the video sink's statistics, played time
//! and the software chain's render size.

use super::imp;
use crate::engine::frame::{frame_number, true_pts, ShownSample};
use crate::engine::log;
use crate::engine::stats::PlayedTime;
use crate::engine::types::PlayerState;
use glib::subclass::prelude::*;
use gst::prelude::*;
use std::cell::Cell;

impl imp::Player {
    /// Updates `position`: while paused on a video frame it is that frame's
    /// PTS; otherwise the pipeline's position (the clock through the
    /// segment while playing). While a seek is settling it stays at the target.
    pub fn query_position(&self) {
        let playing = self.state.get() == PlayerState::Playing;
        if !playing && !self.queue.borrow().is_idle() {
            return;
        }
        let pos = match self.shown_pts() {
            Some(pts) if !playing => Some(pts),
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
        ShownSample::with_offset(sample, self.index.stream_offset())
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
        match (sink_offset, self.index.stream_offset()) {
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
        let pts = true_pts(&shown, &self.index);
        let container = self
            .index
            .unit(pts)
            .and_then(|u| u.duration)
            .or(shown.nominal_duration)
            .or_else(|| shown.end.filter(|_| shown.start == pts).map(|e| e - pts));
        // At a variable rate a frame lasts until the next one.
        let variable = shown
            .nominal_duration
            .is_none_or(|n| self.index.rate_is_constant(pts, n) == Some(false));
        let until_next = self.index.next_after(pts).map(|next| next.pts - pts);
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
        self.set_i64(&self.frame_pts, pts.nseconds() as i64, "frame-pts");
        self.set_i64(
            &self.frame_duration,
            super::ns_or_unset(duration),
            "frame-duration",
        );
        let number = match (nominal, self.first_frame.get()) {
            (Some(nominal), Some(first))
                if self.index.rate_is_constant(pts, nominal) != Some(false) =>
            {
                frame_number(pts, first, nominal).map_or(-1, |n| n as i64)
            }
            _ => -1,
        };
        self.set_i64(&self.frame_number, number, "frame-number");
    }

    /// Forgets the frame on screen (new media, stop).
    pub(super) fn clear_frame(&self) {
        self.set_i64(&self.frame_pts, -1, "frame-pts");
        self.set_i64(&self.frame_duration, -1, "frame-duration");
        self.set_i64(&self.frame_number, -1, "frame-number");
    }

    pub(super) fn update_played(&self, f: impl FnOnce(&mut PlayedTime)) {
        let mut played = self.played.get();
        f(&mut played);
        self.played.set(played);
    }

    /// Records how far the pipeline's running time has got in this
    /// segment: the clock's while playing, the time it paused at otherwise.
    pub fn sample_played(&self) {
        let Some(p) = self.pipeline.borrow().clone() else {
            return;
        };
        let running = if p.current_state() == gst::State::Playing {
            p.current_running_time()
        } else {
            p.start_time()
        };
        if let Some(running) = running {
            self.update_played(|played| played.observe(running));
        }
    }

    /// Ends the played segment before a flushing seek, a teardown or at end
    /// of stream; there (`at_end`) it counts no more than the running time
    /// from the segment's start to the end of the media.
    pub(super) fn close_played_segment(&self, at_end: bool) {
        self.sample_played();
        let rate = self.rate.get();
        let start = self.segment_start.get();
        // Forward, the segment plays from its start to the end; backward,
        // from its start down to the beginning.
        let left = if rate < 0.0 {
            Some(start)
        } else {
            self.duration_query().map(|d| d.saturating_sub(start))
        };
        let limit = left.filter(|_| at_end).map(|left| {
            crate::engine::timefmt::clock_time(
                (left.nseconds() as f64 / rate.abs().max(1e-3)) as u64,
            )
        });
        self.update_played(|played| played.close(limit));
    }

    pub fn played(&self) -> gst::ClockTime {
        self.sample_played();
        self.played.get().total()
    }

    /// Folds the video sink's counters into the running totals, noticing
    /// when the sink has reset them since the last sample.
    pub fn sample_stats(&self) -> (u64, u64) {
        let current = self.video_sink.borrow().as_ref().map(sink_stats);
        let (mut base, last) = (self.stats_base.get(), self.stats_last.get());
        if let Some(current) = current {
            if current.0 < last.0 || current.1 < last.1 {
                base = (base.0 + last.0, base.1 + last.1);
                self.stats_base.set(base);
            }
            self.stats_last.set(current);
            (base.0 + current.0, base.1 + current.1)
        } else {
            (base.0 + last.0, base.1 + last.1)
        }
    }

    /// Frames skipped before the sink for lateness: the latest QoS count of
    /// every element but the sink, plus counts from their earlier segments.
    pub fn late_frames(&self) -> u64 {
        self.qos_folded.get() + self.qos_dropped.borrow().values().sum::<u64>()
    }

    pub(super) fn live_latency_ms(&self) -> i32 {
        self.live_latency_ms
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(super) fn set_live_latency_ms(&self, ms: i32) {
        let ms = ms.max(-1);
        let old = self
            .live_latency_ms
            .swap(ms, std::sync::atomic::Ordering::Relaxed);
        if old != ms {
            self.obj().notify_live_latency_ms();
        }
    }

    pub(super) fn tls_ca_file(&self) -> Option<String> {
        self.tls_ca_file.lock().unwrap().clone()
    }

    pub(super) fn set_tls_ca_file(&self, file: Option<String>) {
        if let Some(path) = &file {
            if let Err(e) = gio::TlsFileDatabase::new(path) {
                self.warn(format!(
                    "The certificate authorities in “{path}” could not be read ({e}); HTTPS servers are checked against the system's; give a PEM file."
                ));
            }
        }
        let changed = *self.tls_ca_file.lock().unwrap() != file;
        if changed {
            *self.tls_ca_file.lock().unwrap() = file;
            self.obj().notify_tls_ca_file();
        }
    }

    /// The pipeline's latency when it is live.
    pub fn live_latency(&self) -> Option<gst::ClockTime> {
        if !self.live.get() {
            return None;
        }
        self.ask(|pipeline| {
            let mut query = gst::query::Latency::new();
            pipeline.query(&mut query).then(|| query.result())
        })
        .flatten()
        .and_then(|(live, min, _max)| live.then_some(min))
    }

    /// Emits `stats` (and updates the statistics properties) when
    /// `stats-interval` has passed since the last time.
    pub fn maybe_emit_stats(&self) {
        let interval = self.stats_interval.get();
        if interval == 0 {
            return;
        }
        let now = std::time::Instant::now();
        let due = self.stats_emitted.get().is_none_or(|last| {
            now.duration_since(last) >= std::time::Duration::from_millis(interval as u64)
        });
        if !due {
            return;
        }
        self.stats_emitted.set(Some(now));
        let obj = self.obj();
        let stats = obj.stats();
        let set_u64 = |cell: &Cell<u64>, value: u64, name: &str| {
            if cell.replace(value) != value {
                obj.notify(name);
            }
        };
        set_u64(&self.frames_rendered, stats.rendered, "frames-rendered");
        set_u64(&self.frames_dropped, stats.dropped, "frames-dropped");
        set_u64(&self.frames_late, stats.late, "frames-late");
        let bitrate = stats.bitrate.unwrap_or(-1.0);
        if self.bitrate.replace(bitrate) != bitrate {
            obj.notify("bitrate");
        }
        let buffering = stats.buffering_percent.unwrap_or(-1);
        if self.buffering_percent.replace(buffering) != buffering {
            obj.notify("buffering-percent");
        }
        let bandwidth = self
            .adaptive_demuxer
            .lock()
            .unwrap()
            .as_ref()
            .map_or(-1.0, |d| f64::from(d.property::<u32>("current-bandwidth")));
        if self.bandwidth.replace(bandwidth) != bandwidth {
            obj.notify("bandwidth");
        }
        let latency = stats.latency_ms.map_or(-1, |ms| (ms * 1e6) as i64);
        if self.latency.replace(latency) != latency {
            obj.notify("latency");
        }
        obj.emit_by_name::<()>("stats", &[&stats]);
    }

    /// Points the software chain's capsfilter at the size the picture is
    /// shown at, so frames are scaled down before conversion and upload.
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

fn sink_stats(sink: &gst::Element) -> (u64, u64) {
    if sink.find_property("stats").is_none() {
        return (0, 0);
    }
    let stats = sink.property::<gst::Structure>("stats");
    (
        stats.get::<u64>("rendered").unwrap_or(0),
        stats.get::<u64>("dropped").unwrap_or(0),
    )
}
