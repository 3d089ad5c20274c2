//! Maps GStreamer bus messages to the engine's own events. Pure functions of a
//! message, so they can be unit-tested without running a pipeline; only
//! messages that matter to the player come out, and child elements' state
//! changes are not mistaken for the pipeline's.

use gst::prelude::*;

/// What the player reacts to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BusEvent {
    /// A fatal error.
    Error {
        /// The GLib error.
        error: glib::Error,
        /// GStreamer's debug string.
        debug: String,
        /// The element that posted it.
        source: String,
    },
    /// A non-fatal problem; playback goes on.
    Warning(String),
    /// End of stream.
    Eos,
    /// Every sink started a new stream (after loading, or after a gapless
    /// switch to the next item).
    StreamStart,
    /// The pipeline itself (not a child) changed state.
    StateChanged {
        /// Previous state.
        old: gst::State,
        /// New state.
        new: gst::State,
    },
    /// An asynchronous state change or flushing seek completed; the
    /// message's sequence number tells when it was made.
    AsyncDone(gst::Seqnum),
    /// Buffering level in percent.
    Buffering(i32),
    /// The duration may have changed; query it again.
    DurationChanged,
    /// A global tag list (title and friends).
    Tags(gst::TagList),
    /// The media's chapters (from a table of contents).
    Chapters(Vec<crate::engine::chapters::Chapter>),
    /// A plugin is missing; the description names it (e.g. "H.265 decoder").
    MissingPlugin(String),
    /// The set of selected streams changed: (has video, has audio).
    StreamsSelected {
        /// A video stream is selected.
        video: bool,
        /// An audio stream is selected.
        audio: bool,
        /// The ids of every selected stream.
        ids: Vec<String>,
    },
    /// decodebin3 announced the streams; `encrypted` names an encrypted one
    /// (its original media type), which no decoder can play without DRM.
    StreamCollection {
        /// The original media type of the first encrypted stream, if any.
        encrypted: Option<String>,
        /// The collection itself (its streams' tags fill in later).
        collection: gst::StreamCollection,
    },
    /// The clock was lost (e.g. an audio device disappeared); re-select it.
    ClockLost,
    /// A segment seek reached its end: time to loop. Carries the seqnum
    /// of the seek that started the segment.
    SegmentDone(gst::Seqnum),
    /// The gate put off a seek without a flush (the pipeline was not
    /// settled in PLAYING, where such a seek can deadlock); the player
    /// falls back to a flushing one.
    /// Carries the seqnum of the seek put off.
    UnflushedSeekPutOff(UnflushedSeek, gst::Seqnum),
    /// A state change on the gate answered "no preroll" (a live source),
    /// told this way when the answer came too late for the caller.
    NoPreroll,
    /// A seek the gate made after its caller stopped waiting was refused.
    /// Carries the seek's seqnum.
    SeekRefused(gst::Seqnum),
    /// An element dropped buffers that would have been late (QoS).
    Qos {
        /// The element's path in the pipeline.
        source: String,
        /// The element is a sink (its drops are in its `stats` already).
        is_sink: bool,
        /// Buffers it dropped so far in this segment.
        dropped: u64,
    },
}

/// The seeks without a flush the player makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnflushedSeek {
    /// The next round of a loop (a segment seek).
    LoopRound,
    /// An instant rate change.
    RateChange,
}

/// The name of the application message the gate posts when a state
/// change answered "no preroll" (see [`BusEvent::NoPreroll`]).
pub(crate) const NO_PREROLL_MESSAGE: &str = "framescope-no-preroll";

/// The name of the application message the gate posts when the pipeline
/// refused a seek (see [`BusEvent::SeekRefused`]).
pub(crate) const SEEK_REFUSED_MESSAGE: &str = "framescope-seek-refused";

/// The message that says the seek numbered `seqnum` was refused.
pub(crate) fn seek_refused_message(seqnum: gst::Seqnum) -> gst::Message {
    gst::message::Application::builder(gst::Structure::new_empty(SEEK_REFUSED_MESSAGE))
        .seqnum(seqnum)
        .build()
}

/// The name of the application message that says a seek without a flush
/// was put off; its `kind` field is `loop-round` or `rate-change`.
pub(crate) const PUT_OFF_MESSAGE: &str = "framescope-unflushed-seek-put-off";

impl UnflushedSeek {
    /// The message that says this seek was put off.
    pub(crate) fn put_off_message(self, seqnum: gst::Seqnum) -> gst::Message {
        let kind = match self {
            Self::LoopRound => "loop-round",
            Self::RateChange => "rate-change",
        };
        gst::message::Application::builder(
            gst::Structure::builder(PUT_OFF_MESSAGE)
                .field("kind", kind)
                .build(),
        )
        .seqnum(seqnum)
        .build()
    }

    fn from_message(structure: &gst::StructureRef) -> Option<Self> {
        if structure.name() != PUT_OFF_MESSAGE {
            return None;
        }
        match structure.get::<&str>("kind").ok()? {
            "loop-round" => Some(Self::LoopRound),
            "rate-change" => Some(Self::RateChange),
            _ => None,
        }
    }
}

/// Maps a bus message to an event; `pipeline` tells the pipeline's own
/// messages from its children's.
pub(crate) fn map_message(msg: &gst::Message, pipeline: &gst::Object) -> Option<BusEvent> {
    use gst::MessageView as V;
    let from_pipeline = msg.src() == Some(pipeline);
    match msg.view() {
        V::Error(e) => Some(BusEvent::Error {
            error: e.error(),
            debug: e.debug().map(|d| d.to_string()).unwrap_or_default(),
            source: msg
                .src()
                .map(|s| s.path_string().to_string())
                .unwrap_or_default(),
        }),
        V::Warning(w) => Some(BusEvent::Warning(w.error().message().to_string())),
        V::Eos(_) => Some(BusEvent::Eos),
        V::StreamStart(_) if from_pipeline => Some(BusEvent::StreamStart),
        V::StateChanged(s) if from_pipeline => Some(BusEvent::StateChanged {
            old: s.old(),
            new: s.current(),
        }),
        V::AsyncDone(_) if from_pipeline => Some(BusEvent::AsyncDone(msg.seqnum())),
        V::Buffering(b) => Some(BusEvent::Buffering(b.percent())),
        V::DurationChanged(_) => Some(BusEvent::DurationChanged),
        // Only container-wide tags describe the media; stream tags (a track
        // named "Audio", say) must not become the title.
        V::Tag(t) if t.tags().scope() == gst::TagScope::Global => Some(BusEvent::Tags(t.tags())),
        V::Toc(t) => Some(BusEvent::Chapters(crate::engine::chapters::from_toc(
            &t.toc().0,
        ))),
        V::ClockLost(_) => Some(BusEvent::ClockLost),
        V::SegmentDone(_) if from_pipeline => Some(BusEvent::SegmentDone(msg.seqnum())),
        V::Application(a) => match a.structure() {
            Some(s) if s.name() == NO_PREROLL_MESSAGE => Some(BusEvent::NoPreroll),
            Some(s) if s.name() == SEEK_REFUSED_MESSAGE => {
                Some(BusEvent::SeekRefused(msg.seqnum()))
            }
            s => s
                .and_then(UnflushedSeek::from_message)
                .map(|kind| BusEvent::UnflushedSeekPutOff(kind, msg.seqnum())),
        },
        V::Qos(q) => {
            let (_processed, dropped) = q.stats();
            let element = msg.src().and_then(|s| s.downcast_ref::<gst::Element>());
            Some(BusEvent::Qos {
                source: msg
                    .src()
                    .map(|s| s.path_string().to_string())
                    .unwrap_or_default(),
                is_sink: element
                    .is_some_and(|e| e.element_flags().contains(gst::ElementFlags::SINK)),
                dropped: dropped.value().max(0) as u64,
            })
        }
        V::StreamCollection(c) => {
            let encrypted = c.stream_collection().iter().find_map(|stream| {
                let caps = stream.caps()?;
                let s = caps.structure(0)?;
                is_encrypted_media_type(s.name()).then(|| {
                    s.get::<String>("original-media-type")
                        .unwrap_or_else(|_| s.name().to_string())
                })
            });
            Some(BusEvent::StreamCollection {
                encrypted,
                collection: c.stream_collection(),
            })
        }
        V::StreamsSelected(s) => {
            let mut video = false;
            let mut audio = false;
            let mut ids = Vec::new();
            for stream in s.streams() {
                let t = stream.stream_type();
                video |= t.contains(gst::StreamType::VIDEO);
                audio |= t.contains(gst::StreamType::AUDIO);
                ids.extend(stream.stream_id().map(|id| id.to_string()));
            }
            Some(BusEvent::StreamsSelected { video, audio, ids })
        }
        V::Element(_) => gst_pbutils::MissingPluginMessage::parse(msg)
            .ok()
            .map(|m| BusEvent::MissingPlugin(m.description().to_string())),
        _ => None,
    }
}

/// Caps names demuxers give encrypted (DRM) streams.
pub(crate) fn is_encrypted_media_type(name: &str) -> bool {
    matches!(
        name,
        "application/x-webm-enc"
            | "application/x-cenc"
            | "application/x-dash-enc"
            | "application/x-hls-enc"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_off_and_refused_seeks_round_trip_and_other_application_messages_are_ignored() {
        gst::init().unwrap();
        let pipeline = gst::Pipeline::new();
        for kind in [UnflushedSeek::LoopRound, UnflushedSeek::RateChange] {
            let seqnum = gst::Seqnum::next();
            assert_eq!(
                map_message(&kind.put_off_message(seqnum), pipeline.upcast_ref()),
                Some(BusEvent::UnflushedSeekPutOff(kind, seqnum))
            );
        }
        let seqnum = gst::Seqnum::next();
        assert_eq!(
            map_message(&seek_refused_message(seqnum), pipeline.upcast_ref()),
            Some(BusEvent::SeekRefused(seqnum))
        );
        let other = gst::message::Application::new(gst::Structure::new_empty("someone-else"));
        assert_eq!(map_message(&other, pipeline.upcast_ref()), None);
        let odd_kind = gst::message::Application::new(
            gst::Structure::builder(PUT_OFF_MESSAGE)
                .field("kind", "sideways")
                .build(),
        );
        assert_eq!(map_message(&odd_kind, pipeline.upcast_ref()), None);
    }

    #[test]
    fn child_state_changes_are_ignored() {
        gst::init().unwrap();
        let pipeline = gst::Pipeline::new();
        let child = gst::ElementFactory::make("fakesink").build().unwrap();
        pipeline.add(&child).unwrap();
        let from_child = gst::message::StateChanged::builder(
            gst::State::Null,
            gst::State::Ready,
            gst::State::VoidPending,
        )
        .src(&child)
        .build();
        assert_eq!(map_message(&from_child, pipeline.upcast_ref()), None);
        let from_pipeline = gst::message::StateChanged::builder(
            gst::State::Ready,
            gst::State::Paused,
            gst::State::VoidPending,
        )
        .src(&pipeline)
        .build();
        assert_eq!(
            map_message(&from_pipeline, pipeline.upcast_ref()),
            Some(BusEvent::StateChanged {
                old: gst::State::Ready,
                new: gst::State::Paused
            })
        );
    }

    #[test]
    fn encrypted_streams_are_recognised() {
        gst::init().unwrap();
        let pipeline = gst::Pipeline::new();
        let caps = gst::Caps::builder("application/x-webm-enc")
            .field("original-media-type", "video/x-vp9")
            .build();
        let stream = gst::Stream::new(
            Some("v"),
            Some(&caps),
            gst::StreamType::VIDEO,
            gst::StreamFlags::empty(),
        );
        let collection = gst::StreamCollection::builder(None).stream(stream).build();
        let msg = gst::message::StreamCollection::builder(&collection.clone())
            .src(&pipeline)
            .build();
        assert_eq!(
            map_message(&msg, pipeline.upcast_ref()),
            Some(BusEvent::StreamCollection {
                encrypted: Some("video/x-vp9".into()),
                collection,
            })
        );
        assert!(!is_encrypted_media_type("video/x-vp9"));
    }

    #[test]
    fn errors_and_eos_are_mapped() {
        gst::init().unwrap();
        let pipeline = gst::Pipeline::new();
        let eos = gst::message::Eos::builder().src(&pipeline).build();
        assert_eq!(
            map_message(&eos, pipeline.upcast_ref()),
            Some(BusEvent::Eos)
        );
        let err = gst::message::Error::builder(gst::StreamError::TypeNotFound, "no type")
            .debug("dbg")
            .build();
        match map_message(&err, pipeline.upcast_ref()) {
            Some(BusEvent::Error { error, debug, .. }) => {
                assert!(error.matches(gst::StreamError::TypeNotFound));
                assert_eq!(debug, "dbg");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
