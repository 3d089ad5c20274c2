//! Playback statistics: what the video sink rendered and dropped, how long
//! the pipeline played, and which video path it used. Serialised for
//! `--stats-json`.

use crate::engine::spec::VideoPath;
use serde::Serialize;

/// A snapshot of playback statistics (also the value of the player's
/// periodic `stats` signal).
#[derive(Debug, Clone, Default, PartialEq, Serialize, glib::Boxed)]
#[boxed_type(name = "FramescopePlaybackStats")]
pub struct PlaybackStats {
    /// Frames the video sink rendered (its `stats` property).
    pub rendered: u64,
    /// Frames the video sink dropped because they were late.
    pub dropped: u64,
    /// Frames skipped before the sink because QoS said they would be late
    /// (the decoders' counts in their QoS messages).
    pub late: u64,
    /// The encoded bitrate at the playing position, bits per second: the
    /// audio and video access units fed to the decoders over the last
    /// second of media time. `null` until known.
    pub bitrate: Option<f64>,
    /// The last buffering level reported, percent; `null` when the source
    /// never buffered (local files).
    pub buffering_percent: Option<i32>,
    /// The pipeline's latency in milliseconds, for live sources; `null`
    /// otherwise.
    pub latency_ms: Option<f64>,
    /// Seconds of pipeline-clock time spent playing.
    pub played_seconds: f64,
    /// `"gl"` or `"software"`; `null` for headless or video-less playback.
    #[serde(serialize_with = "serialize_path")]
    pub video_path: Option<VideoPath>,
}

/// What is decoding and showing the media now, read from the pipeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamDetails {
    /// The video codec, e.g. "H.264 (High Profile)".
    pub codec: Option<String>,
    /// The video decoder element's factory name, e.g. "avdec_h264".
    pub decoder: Option<String>,
    /// The audio codec.
    pub audio_codec: Option<String>,
    /// The caps negotiated at the video sink, memory type included
    /// (e.g. `video/x-raw(memory:GLMemory), format=RGBA, …`).
    pub sink_caps: Option<String>,
}

fn serialize_path<S: serde::Serializer>(path: &Option<VideoPath>, s: S) -> Result<S::Ok, S::Error> {
    match path {
        Some(p) => s.serialize_str(p.nick()),
        None => s.serialize_none(),
    }
}

/// Time spent playing, in running time (media time divided by the rate), summed
/// over the segments that the player's own flushing seeks, loops and loads
/// start. Each segment's running time restarts at zero; the furthest point
/// reached in it is what it contributes. Pure bookkeeping: the player feeds it
/// the pipeline's running time, so a main loop that samples late loses nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlayedTime {
    /// Segments already finished.
    folded: gst::ClockTime,
    /// The furthest running time reached in the open segment.
    segment: gst::ClockTime,
    /// Whether samples count: false between a flushing seek and its preroll,
    /// when the pipeline may still report the old segment's running time.
    open: bool,
}

impl PlayedTime {
    /// Opens a segment: samples count from now on.
    pub fn open(&mut self) {
        self.open = true;
    }

    /// Records the pipeline's running time in the open segment.
    pub fn observe(&mut self, running: gst::ClockTime) {
        if self.open {
            self.segment = self.segment.max(running);
        }
    }

    /// Ends the open segment, counting at most `limit` of it (the running time
    /// at which it ended, when known: a late end-of-stream sample overshoots).
    pub fn close(&mut self, limit: Option<gst::ClockTime>) {
        let played = limit.map_or(self.segment, |l| self.segment.min(l));
        self.folded += played;
        self.segment = gst::ClockTime::ZERO;
        self.open = false;
    }

    /// Everything played so far, the open segment included.
    pub fn total(&self) -> gst::ClockTime {
        self.folded + self.segment
    }
}

#[cfg(test)]
mod tests {
    use super::PlayedTime;
    use gst::ClockTime as T;

    #[test]
    fn segments_add_up_and_closed_ones_ignore_stale_samples() {
        let mut p = PlayedTime::default();
        p.observe(T::from_mseconds(500));
        assert_eq!(
            p.total(),
            T::ZERO,
            "nothing counts before the first preroll"
        );
        p.open();
        p.observe(T::from_mseconds(400));
        p.observe(T::from_mseconds(300));
        assert_eq!(
            p.total(),
            T::from_mseconds(400),
            "the furthest point counts"
        );
        p.close(None);
        // Between a seek and its preroll the old running time may still show.
        p.observe(T::from_mseconds(900));
        assert_eq!(p.total(), T::from_mseconds(400));
        p.open();
        p.observe(T::from_mseconds(2500));
        p.close(Some(T::from_seconds(2)));
        assert_eq!(
            p.total(),
            T::from_mseconds(2400),
            "capped at the segment's end"
        );
    }
}
