//! Playback statistics on the player: frames rendered and dropped at the
//! video sink (its counters folded across its resets), frames dropped
//! upstream from QoS messages, played time, the largest step between
//! frames, and the periodic `stats` signal. The value types are in
//! [`crate::engine::stats`].

use super::imp;
use crate::engine::stats::{PlaybackStats, PlayedTime, StreamDetails};
use crate::engine::types::VideoMode;
use glib::prelude::*;
use glib::subclass::prelude::*;
use gst::prelude::*;
use std::cell::{Cell, RefCell};

/// The statistics facet's state (main thread only; the counts probes keep
/// on streaming threads, the bitrate meter and the frame-step counter, are
/// in [`Shared`](super::shared::Shared)).
#[derive(Default)]
pub struct StatsState {
    /// Running time played, summed over segments.
    pub played: Cell<PlayedTime>,
    /// Sink statistics folded in before the sink reset them (it does on
    /// every pause and flushing seek).
    pub base: Cell<(u64, u64)>,
    /// The sink's statistics at the last sample.
    pub last: Cell<(u64, u64)>,
    /// The latest QoS drop count of each element other than the sink.
    pub qos_dropped: RefCell<std::collections::HashMap<String, u64>>,
    /// QoS drops of elements whose segment restarted (their counts reset).
    pub qos_folded: Cell<u64>,
    /// The last buffering level reported.
    pub last_buffering: Cell<Option<i32>>,
    /// When the `stats` signal was last emitted.
    pub emitted: Cell<Option<std::time::Instant>>,
}

impl StatsState {
    /// New media: every count starts again from nothing.
    pub fn restart(&self) {
        self.played.set(PlayedTime::default());
        self.base.set((0, 0));
        self.last.set((0, 0));
        self.qos_dropped.borrow_mut().clear();
        self.qos_folded.set(0);
        self.last_buffering.set(None);
    }
}

impl imp::Player {
    pub(super) fn update_played(&self, f: impl FnOnce(&mut PlayedTime)) {
        let mut played = self.stats.played.get();
        f(&mut played);
        self.stats.played.set(played);
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
        let start = self.seek.segment_start.get();
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
        self.stats.played.get().total()
    }

    /// Folds the video sink's counters into the running totals, noticing
    /// when the sink has reset them since the last sample.
    pub fn sample_stats(&self) -> (u64, u64) {
        let current = self.video_sink.borrow().as_ref().map(sink_stats);
        let (mut base, last) = (self.stats.base.get(), self.stats.last.get());
        if let Some(current) = current {
            if current.0 < last.0 || current.1 < last.1 {
                base = (base.0 + last.0, base.1 + last.1);
                self.stats.base.set(base);
            }
            self.stats.last.set(current);
            (base.0 + current.0, base.1 + current.1)
        } else {
            (base.0 + last.0, base.1 + last.1)
        }
    }

    /// Frames skipped before the sink for lateness: the latest QoS count of
    /// every element but the sink, plus counts from their earlier segments.
    pub fn late_frames(&self) -> u64 {
        self.stats.qos_folded.get() + self.stats.qos_dropped.borrow().values().sum::<u64>()
    }

    /// Emits `stats` (and updates the statistics properties) when
    /// `stats-interval` has passed since the last time.
    pub fn maybe_emit_stats(&self) {
        let interval = self.stats_interval.get();
        if interval == 0 {
            return;
        }
        let now = std::time::Instant::now();
        let due = self.stats.emitted.get().is_none_or(|last| {
            now.duration_since(last) >= std::time::Duration::from_millis(interval as u64)
        });
        if !due {
            return;
        }
        self.stats.emitted.set(Some(now));
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
            .shared
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

impl super::Player {
    /// Current playback statistics.
    pub fn stats(&self) -> PlaybackStats {
        let imp = self.imp();
        let (rendered, dropped) = imp.sample_stats();
        PlaybackStats {
            rendered,
            dropped,
            late: imp.late_frames(),
            bitrate: imp
                .shared
                .bitrate_meter
                .at(gst::ClockTime::from_nseconds(imp.position.get())),
            buffering_percent: imp.stats.last_buffering.get(),
            latency_ms: imp.live_latency().map(|l| l.nseconds() as f64 / 1e6),
            played_seconds: imp.played().nseconds() as f64 / 1e9,
            video_path: match self.video_mode() {
                VideoMode::Headless | VideoMode::Disabled => None,
                _ => Some(self.video_path()),
            },
        }
    }

    /// The largest step between consecutive frames at the video sink in
    /// running time since the media was loaded (a gap at a loop seam or a
    /// stall shows here; flushing seeks are not counted); `None` before two
    /// frames were shown.
    pub fn max_frame_step(&self) -> Option<gst::ClockTime> {
        self.imp().shared.frame_steps.largest()
    }

    /// The largest step between frames across a loop's seam (a segment
    /// that started without a flush) since the media was loaded, and how
    /// many seams were crossed: a gapless loop keeps it at one frame.
    pub fn max_loop_seam_step(&self) -> (Option<gst::ClockTime>, u64) {
        self.imp().shared.frame_steps.largest_at_seam()
    }

    /// Frames that reached the video sink since the media was loaded,
    /// counted one by one (a check on the sink's own `rendered` and
    /// `dropped`, which it counts only for frames it could time).
    pub fn frames_at_sink(&self) -> u64 {
        self.imp().shared.frame_steps.arrived()
    }

    /// The decoders in use and the caps at the video sink (empty when
    /// nothing is loaded).
    pub fn video_details(&self) -> StreamDetails {
        use gst::prelude::*;
        let mut details = StreamDetails::default();
        let Some(pipeline) = self.pipeline() else {
            return details;
        };
        let describe = |element: &gst::Element| {
            let caps = element.static_pad("sink")?.current_caps()?;
            crate::engine::tracks::codec_description(&caps)
        };
        for element in pipeline.iterate_recurse().into_iter().flatten() {
            let klass = element
                .factory()
                .and_then(|f| f.metadata("klass").map(String::from))
                .unwrap_or_default();
            if !klass.contains("Decoder") {
                continue;
            }
            if klass.contains("Video") && details.codec.is_none() {
                details.codec = describe(&element);
                details.decoder = element.factory().map(|f| f.name().to_string());
            } else if klass.contains("Audio") && details.audio_codec.is_none() {
                details.audio_codec = describe(&element);
            }
        }
        details.sink_caps = self
            .imp()
            .video_sink
            .borrow()
            .as_ref()
            .and_then(|s| s.static_pad("sink"))
            .and_then(|p| p.current_caps())
            .map(|c| c.to_string());
        details
    }
}

impl super::Player {
    /// Connects to `stats`: a [`PlaybackStats`] snapshot every
    /// `stats-interval` ms while media is loaded (the `frames-*`, `bitrate`,
    /// `buffering-percent` and `latency` properties change with it), so an
    /// application can log playback health without showing any UI.
    pub fn connect_stats<F: Fn(&Self, &PlaybackStats) + 'static>(
        &self,
        f: F,
    ) -> glib::SignalHandlerId {
        self.connect_local("stats", false, move |args| {
            let player = args[0].get::<Self>().ok()?;
            let stats = args[1].get::<PlaybackStats>().ok()?;
            f(&player, &stats);
            None
        })
    }
}
