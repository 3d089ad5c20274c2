//! Tracks: the video, audio and subtitle streams of the media, as a list a
//! menu can show (language, codec, title, channels) and a choice the player
//! can make. `playbin3` announces its streams in a stream collection and
//! selects them by stream id; `playbin` (local files on GStreamer 1.22)
//! numbers them per kind and gives their tags on request. Both end up as
//! [`Track`]s numbered per kind in container order.

use gst::prelude::*;

/// GStreamer's human name for the codec of `caps` ("H.264 (High
/// Profile)"), or `None` for empty or ANY caps. Caps that are not fixed (a
/// stream collection may list ranges) are fixated first: GStreamer's own
/// function refuses them and gives nothing, which would panic the binding.
pub(crate) fn codec_description(caps: &gst::Caps) -> Option<String> {
    if caps.is_any() || caps.is_empty() {
        return None;
    }
    if caps.is_fixed() {
        return Some(gst_pbutils::pb_utils_get_codec_description(caps).to_string());
    }
    let mut fixed = caps.copy();
    fixed.fixate();
    fixed
        .is_fixed()
        .then(|| gst_pbutils::pb_utils_get_codec_description(&fixed).to_string())
}

/// What a track carries.
#[derive(Debug, Eq, PartialEq, Clone, Copy, Hash, glib::Enum)]
#[enum_type(name = "FramescopeTrackKind")]
pub enum TrackKind {
    /// Pictures.
    Video,
    /// Sound.
    Audio,
    /// Subtitles (text or pictures drawn over the video).
    Subtitle,
}

impl TrackKind {
    /// The kind of a GStreamer stream type, if it is one of ours.
    pub fn of_stream_type(t: gst::StreamType) -> Option<TrackKind> {
        if t.contains(gst::StreamType::VIDEO) {
            Some(TrackKind::Video)
        } else if t.contains(gst::StreamType::AUDIO) {
            Some(TrackKind::Audio)
        } else if t.contains(gst::StreamType::TEXT) {
            Some(TrackKind::Subtitle)
        } else {
            None
        }
    }
}

/// One track of the media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    /// What it carries.
    pub kind: TrackKind,
    /// Its number among the tracks of its kind (0 = first in the container).
    pub index: usize,
    /// `playbin3`'s stream id (empty with `playbin`).
    pub stream_id: String,
    /// Language code from the tags (e.g. `en`, `fra`).
    pub language: Option<String>,
    /// The codec, as GStreamer describes it (e.g. `MPEG-4 AAC`).
    pub codec: Option<String>,
    /// The track's own title, when the container names it.
    pub title: Option<String>,
    /// Audio channels.
    pub channels: Option<u32>,
}

impl Track {
    /// Builds a track from what GStreamer knows of it.
    pub fn describe(
        kind: TrackKind,
        index: usize,
        stream_id: &str,
        tags: Option<&gst::TagList>,
        caps: Option<&gst::Caps>,
    ) -> Track {
        let tag = |get: fn(&gst::TagList) -> Option<String>| tags.and_then(get);
        let language = tag(|t| {
            t.get::<gst::tags::LanguageCode>()
                .map(|v| v.get().to_string())
        })
        .or_else(|| {
            tag(|t| {
                t.get::<gst::tags::LanguageName>()
                    .map(|v| v.get().to_string())
            })
        })
        .filter(|l| !l.is_empty() && l != "und");
        let codec_tag = match kind {
            TrackKind::Video => tag(|t| {
                t.get::<gst::tags::VideoCodec>()
                    .map(|v| v.get().to_string())
            }),
            TrackKind::Audio => tag(|t| {
                t.get::<gst::tags::AudioCodec>()
                    .map(|v| v.get().to_string())
            }),
            TrackKind::Subtitle => tag(|t| {
                t.get::<gst::tags::SubtitleCodec>()
                    .map(|v| v.get().to_string())
            }),
        };
        let codec = codec_tag
            .or_else(|| tag(|t| t.get::<gst::tags::Codec>().map(|v| v.get().to_string())))
            .or_else(|| caps.and_then(codec_description));
        let title = tag(|t| t.get::<gst::tags::Title>().map(|v| v.get().to_string()))
            .filter(|t| !t.trim().is_empty());
        let channels = caps
            .and_then(|c| c.structure(0))
            .and_then(|s| s.get::<i32>("channels").ok())
            .and_then(|n| u32::try_from(n).ok());
        Track {
            kind,
            index,
            stream_id: stream_id.to_string(),
            language,
            codec,
            title,
            channels,
        }
    }

    /// A line for a menu: "fra — MPEG-4 AAC, 2 channels — Commentary",
    /// falling back to "Track 2" when nothing is known.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(language) = &self.language {
            parts.push(language.clone());
        }
        let mut technical = self.codec.clone().unwrap_or_default();
        if let Some(n) = self.channels {
            let channels = match n {
                1 => "mono".to_string(),
                2 => "stereo".to_string(),
                n => format!("{n} channels"),
            };
            technical = if technical.is_empty() {
                channels
            } else {
                format!("{technical}, {channels}")
            };
        }
        if !technical.is_empty() {
            parts.push(technical);
        }
        if let Some(title) = &self.title {
            parts.push(title.clone());
        }
        if parts.is_empty() {
            format!("Track {}", self.index + 1)
        } else {
            parts.join(" — ")
        }
    }
}

/// The tracks of a `playbin3` stream collection, numbered per kind.
pub(crate) fn from_collection(collection: &gst::StreamCollection) -> Vec<Track> {
    let mut counts = [0usize; 3];
    collection
        .iter()
        .filter_map(|stream| {
            let kind = TrackKind::of_stream_type(stream.stream_type())?;
            let index = &mut counts[kind as usize];
            let track = Track::describe(
                kind,
                *index,
                stream.stream_id().as_deref().unwrap_or(""),
                stream.tags().as_ref(),
                stream.caps().as_ref(),
            );
            *index += 1;
            Some(track)
        })
        .collect()
}

/// The tracks `playbin` (version 2) has found, from its per-kind counts,
/// tags and pads.
pub(crate) fn from_playbin(playbin: &gst::Element) -> Vec<Track> {
    let mut tracks = Vec::new();
    for (kind, count, tags_signal, pad_signal) in [
        (
            TrackKind::Video,
            "n-video",
            "get-video-tags",
            "get-video-pad",
        ),
        (
            TrackKind::Audio,
            "n-audio",
            "get-audio-tags",
            "get-audio-pad",
        ),
        (
            TrackKind::Subtitle,
            "n-text",
            "get-text-tags",
            "get-text-pad",
        ),
    ] {
        if playbin.find_property(count).is_none() {
            return Vec::new();
        }
        for index in 0..playbin.property::<i32>(count).max(0) {
            let tags = playbin.emit_by_name::<Option<gst::TagList>>(tags_signal, &[&index]);
            let caps = playbin
                .emit_by_name::<Option<gst::Pad>>(pad_signal, &[&index])
                .and_then(|pad| pad.current_caps());
            tracks.push(Track::describe(
                kind,
                index as usize,
                "",
                tags.as_ref(),
                caps.as_ref(),
            ));
        }
    }
    tracks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codec_names_for_caps_that_are_not_fixed() {
        gst::init().unwrap();
        let caps = |s: &str| s.parse::<gst::Caps>().unwrap();
        let ranged = codec_description(&caps(
            "video/x-h264, stream-format=avc, width=(int)[ 1, 1920 ], profile=(string){ high, main }",
        ));
        assert!(ranged.is_some_and(|c| c.contains("H.264")));
        assert_eq!(codec_description(&gst::Caps::new_any()), None);
        assert_eq!(codec_description(&gst::Caps::new_empty()), None);
        assert!(codec_description(&caps("audio/mpeg, mpegversion=4")).is_some());
    }

    #[test]
    fn collections_are_numbered_per_kind_with_their_tags() {
        gst::init().unwrap();
        let stream = |id: &str, caps: &str, t: gst::StreamType, lang: Option<&str>| {
            let s = gst::Stream::new(
                Some(id),
                Some(&caps.parse::<gst::Caps>().unwrap()),
                t,
                gst::StreamFlags::empty(),
            );
            if let Some(lang) = lang {
                let mut tags = gst::TagList::new();
                tags.get_mut()
                    .unwrap()
                    .add::<gst::tags::LanguageCode>(&lang, gst::TagMergeMode::Append);
                s.set_tags(Some(&tags));
            }
            s
        };
        let collection = gst::StreamCollection::builder(None)
            .stream(stream("v", "video/x-h264", gst::StreamType::VIDEO, None))
            .stream(stream(
                "a1",
                "audio/mpeg,mpegversion=4,channels=2",
                gst::StreamType::AUDIO,
                Some("en"),
            ))
            .stream(stream(
                "a2",
                "audio/x-opus,channels=6",
                gst::StreamType::AUDIO,
                Some("fr"),
            ))
            .stream(stream(
                "s1",
                "text/x-raw,format=utf8",
                gst::StreamType::TEXT,
                Some("de"),
            ))
            .build();
        let tracks = from_collection(&collection);
        let summary: Vec<_> = tracks
            .iter()
            .map(|t| (t.kind, t.index, t.stream_id.as_str(), t.language.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                (TrackKind::Video, 0, "v", None),
                (TrackKind::Audio, 0, "a1", Some("en")),
                (TrackKind::Audio, 1, "a2", Some("fr")),
                (TrackKind::Subtitle, 0, "s1", Some("de")),
            ]
        );
        assert_eq!(tracks[2].channels, Some(6));
        assert!(
            tracks[2].label().starts_with("fr — "),
            "{}",
            tracks[2].label()
        );
        assert!(
            tracks[2].label().ends_with("6 channels"),
            "{}",
            tracks[2].label()
        );
    }

    #[test]
    fn a_track_with_nothing_known_is_numbered() {
        let track = Track {
            kind: TrackKind::Audio,
            index: 1,
            stream_id: String::new(),
            language: None,
            codec: None,
            title: None,
            channels: None,
        };
        assert_eq!(track.label(), "Track 2");
        let titled = Track {
            title: Some("Commentary".into()),
            channels: Some(2),
            ..track
        };
        assert_eq!(titled.label(), "stereo — Commentary");
    }
}
