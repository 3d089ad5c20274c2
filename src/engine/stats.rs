//! Playback statistics: what the video sink rendered and dropped, how long
//! the pipeline played, and which video path it used. Serialised for
//! `--stats-json`.

use crate::engine::spec::VideoPath;
use serde::Serialize;

/// A snapshot of playback statistics.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PlaybackStats {
    /// Frames the video sink rendered (its `stats` property).
    pub rendered: u64,
    /// Frames the video sink dropped because they were late.
    pub dropped: u64,
    /// Seconds of pipeline-clock time spent playing.
    pub played_seconds: f64,
    /// `"gl"` or `"software"`; `null` for headless or video-less playback.
    #[serde(serialize_with = "serialize_path")]
    pub video_path: Option<VideoPath>,
}

fn serialize_path<S: serde::Serializer>(path: &Option<VideoPath>, s: S) -> Result<S::Ok, S::Error> {
    match path {
        Some(p) => s.serialize_str(p.nick()),
        None => s.serialize_none(),
    }
}
