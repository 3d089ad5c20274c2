//! Which stream a pad of the frame scanner carries: its kind (`video`,
//! `audio`, `subtitle` or `other`, the media report's words) read from its
//! caps or its `GstStream`, and its index in the media report
//! ([`StreamAssigner`]). Every kind counts: intra-only video whose caps are
//! `image/*` (MJPEG, PNG), raw video and audio, subtitles and data streams
//! (KLV, ID3 timed metadata) are streams like any other. Pure functions,
//! unit-tested.

use crate::inspect::media::StreamReport;

/// The report's kind of a stream with caps named `caps_name` (such as
/// `image/jpeg`), falling back on the `GstStream` type the demuxer or
/// parser gave it when the caps name says nothing.
pub(crate) fn kind_of(caps_name: &str, stream_type: Option<gst::StreamType>) -> &'static str {
    let media = caps_name.split('/').next().unwrap_or("");
    match media {
        "video" | "image" => return "video",
        "audio" => return "audio",
        "text" | "subtitle" | "subpicture" | "closedcaption" => return "subtitle",
        _ => {}
    }
    if SUBTITLE_CAPS.contains(&caps_name) || caps_name.starts_with("application/x-subtitle") {
        return "subtitle";
    }
    match stream_type {
        Some(t) if t.contains(gst::StreamType::VIDEO) => "video",
        Some(t) if t.contains(gst::StreamType::AUDIO) => "audio",
        Some(t) if t.contains(gst::StreamType::TEXT) => "subtitle",
        _ => "other",
    }
}

/// Subtitle caps outside the `text/` and `subtitle/` families.
const SUBTITLE_CAPS: &[&str] = &[
    "application/x-ssa",
    "application/x-ass",
    "application/x-usf",
    "application/x-kate",
    "application/x-subtitle-vtt",
    "application/ttml+xml",
];

/// Whether streams with these caps carry codec set-up packets as buffers of
/// their own, flagged HEADER (Vorbis, Theora, FLAC, Speex, Opus), which are
/// not frames. (H.264 parsers flag frames that carry SPS/PPS the same way,
/// and those are frames.)
pub(crate) fn has_in_band_headers(caps_name: &str) -> bool {
    matches!(
        caps_name,
        "audio/x-vorbis" | "video/x-theora" | "audio/x-flac" | "audio/x-speex" | "audio/x-opus"
    )
}

/// Gives each parsed pad the index of its stream in the media report.
pub(crate) struct StreamAssigner {
    /// (stream-id, kind, already taken) of each reported stream.
    streams: Vec<(Option<String>, String, bool)>,
}

impl StreamAssigner {
    /// An assigner for the streams of one media report.
    pub(crate) fn new(streams: &[StreamReport]) -> Self {
        Self {
            streams: streams
                .iter()
                .map(|s| (s.id.clone(), s.kind.clone(), false))
                .collect(),
        }
    }

    /// The index for a pad with this stream-id and kind (see [`kind_of`]):
    /// the stream with the same id, else the first free one of the kind,
    /// else a new index after the reported ones.
    pub(crate) fn assign(&mut self, id: Option<&str>, kind: &str) -> usize {
        let by_id = id.and_then(|id| {
            self.streams
                .iter()
                .position(|(sid, _, taken)| !taken && sid.as_deref() == Some(id))
        });
        let index = by_id.or_else(|| {
            self.streams
                .iter()
                .position(|(_, k, taken)| !taken && k == kind)
        });
        match index.and_then(|i| self.streams.get_mut(i).map(|s| (i, s))) {
            Some((i, stream)) => {
                stream.2 = true;
                i
            }
            None => {
                self.streams.push((id.map(String::from), kind.into(), true));
                self.streams.len().saturating_sub(1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_caps_then_stream_type() {
        assert_eq!(kind_of("image/jpeg", None), "video");
        assert_eq!(kind_of("image/png", None), "video");
        assert_eq!(kind_of("video/x-prores", None), "video");
        assert_eq!(kind_of("video/x-raw", None), "video");
        assert_eq!(kind_of("audio/x-raw", None), "audio");
        assert_eq!(kind_of("text/x-raw", None), "subtitle");
        assert_eq!(kind_of("application/x-ass", None), "subtitle");
        assert_eq!(kind_of("application/x-subtitle-vtt", None), "subtitle");
        assert_eq!(kind_of("subpicture/x-dvd", None), "subtitle");
        assert_eq!(kind_of("meta/x-klv", None), "other");
        assert_eq!(kind_of("meta/x-id3", None), "other");
        assert_eq!(kind_of("", None), "other");
        assert_eq!(
            kind_of("application/x-foo", Some(gst::StreamType::TEXT)),
            "subtitle"
        );
        assert_eq!(
            kind_of("application/x-foo", Some(gst::StreamType::UNKNOWN)),
            "other"
        );
    }

    #[test]
    fn headers_only_for_codecs_that_send_them_apart() {
        assert!(has_in_band_headers("audio/x-vorbis"));
        assert!(!has_in_band_headers("video/x-h264"));
        assert!(!has_in_band_headers("meta/x-klv"));
    }

    #[test]
    fn streams_match_by_id_then_by_kind() {
        let report = |id: &str, kind: &str| StreamReport {
            id: Some(id.into()),
            kind: kind.into(),
            ..Default::default()
        };
        let mut a = StreamAssigner::new(&[
            report("a", "audio"),
            report("v", "video"),
            report("s", "subtitle"),
        ]);
        assert_eq!(a.assign(Some("v"), "video"), 1);
        assert_eq!(a.assign(Some("other"), "audio"), 0);
        assert_eq!(a.assign(None, "audio"), 3);
        assert_eq!(a.assign(None, "subtitle"), 2);
        assert_eq!(a.assign(None, "other"), 4);
    }
}
