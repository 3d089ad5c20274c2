//! `framescopesink`: the software path's video sink. It takes BGRx frames
//! (opaque: `framescopescale` writes them for video without alpha) or BGRA
//! frames (straight alpha) and hands them to a [`SinkPicture`] on the main
//! thread, which draws an opaque frame with cairo straight from the
//! frame's memory, so no frame is converted again on the main thread
//! (bench/RESULTS.md, issue 18).
//!
//! Threads: the streaming thread maps the frame and leaves it in a
//! one-frame slot for the main thread ([`handoff`]: an idle callback takes
//! it, or, while a view plays it, the view's frame clock). Timing, QoS,
//! `last-sample`, `stats` and stepping are `GstBaseSink`'s.

mod handoff;
mod picture;
mod raster;

pub(crate) use handoff::FramePull;
pub(crate) use picture::{drawn_unscaled, SinkPicture};

use handoff::{lock, Handoff};

use gst::prelude::*;
use gst_video::gst_base::subclass::prelude::*;
use gst_video::subclass::prelude::*;
use picture::{Frame, Orientation};
use std::sync::{Arc, Mutex};

/// Registers `framescopesink` (by `engine::init`).
pub(crate) fn register_element() -> Result<(), glib::BoolError> {
    gst::Element::register(
        None,
        "framescopesink",
        gst::Rank::NONE,
        FrameSink::static_type(),
    )
}

/// What the streaming thread knows about the frames it is sent.
#[derive(Default)]
struct Format {
    info: Option<gst_video::VideoInfo>,
    /// BGRx: no alpha (the fourth byte means nothing).
    opaque: bool,
    global_orientation: Orientation,
    stream_orientation: Option<Orientation>,
}

mod imp {
    use super::*;
    use std::sync::LazyLock;

    #[derive(Default)]
    pub struct FrameSink {
        pub(super) handoff: Arc<Handoff>,
        pub(super) format: Mutex<Format>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for FrameSink {
        const NAME: &'static str = "FramescopeFrameSink";
        type Type = super::FrameSink;
        type ParentType = gst_video::VideoSink;
    }

    impl ObjectImpl for FrameSink {
        fn properties() -> &'static [glib::ParamSpec] {
            static PROPERTIES: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
                vec![
                    glib::ParamSpecObject::builder::<gdk::Paintable>("paintable")
                        .nick("Paintable")
                        .blurb("The picture frames are shown in (read it on the main thread)")
                        .read_only()
                        .build(),
                ]
            });
            PROPERTIES.as_ref()
        }

        fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
            match pspec.name() {
                "paintable" => self.picture().to_value(),
                _ => unreachable!("framescopesink has no property {}", pspec.name()),
            }
        }
    }

    impl GstObjectImpl for FrameSink {}

    impl ElementImpl for FrameSink {
        fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
            static METADATA: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
                gst::subclass::ElementMetadata::new(
                    "Framescope software video sink",
                    "Sink/Video",
                    "Shows BGRA frames in a GdkPaintable as textures GTK draws unconverted",
                    "Framescope",
                )
            });
            Some(&*METADATA)
        }

        fn pad_templates() -> &'static [gst::PadTemplate] {
            static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
                // BGRx first: a converter then picks it for video
                // without alpha, and BGRA for video with alpha.
                let caps = gst_video::VideoCapsBuilder::new()
                    .format_list([gst_video::VideoFormat::Bgrx, gst_video::VideoFormat::Bgra])
                    .build();
                vec![gst::PadTemplate::new(
                    "sink",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Always,
                    &caps,
                )
                .expect("a valid pad template")]
            });
            TEMPLATES.as_ref()
        }
    }

    impl BaseSinkImpl for FrameSink {
        fn set_caps(&self, caps: &gst::Caps) -> Result<(), gst::LoggableError> {
            let info = gst_video::VideoInfo::from_caps(caps).map_err(|_| {
                gst::loggable_error!(crate::engine::log::CAT, "Unusable caps {caps}")
            })?;
            let opaque = info.format() == gst_video::VideoFormat::Bgrx;
            let mut format = lock(&self.format);
            format.info = Some(info);
            format.opaque = opaque;
            Ok(())
        }

        fn event(&self, event: gst::Event) -> bool {
            match event.view() {
                // A new stream (a gapless next item) starts upright; its
                // own tags follow its stream-start.
                gst::EventView::StreamStart(_) => {
                    let mut format = lock(&self.format);
                    format.stream_orientation = None;
                    format.global_orientation = Orientation::default();
                }
                gst::EventView::Tag(tag) => {
                    let tags = tag.tag();
                    if let Some(orientation) = Orientation::from_tags(tags) {
                        let mut format = lock(&self.format);
                        if tags.scope() == gst::TagScope::Global {
                            format.global_orientation = orientation;
                        } else {
                            format.stream_orientation = Some(orientation);
                        }
                    }
                }
                _ => {}
            }
            self.parent_event(event)
        }

        fn stop(&self) -> Result<(), gst::ErrorMessage> {
            // The mapped frame holds a buffer of upstream's pool.
            self.handoff.clear();
            *lock(&self.format) = Format::default();
            Ok(())
        }
    }

    impl VideoSinkImpl for FrameSink {
        fn show_frame(&self, buffer: &gst::Buffer) -> Result<gst::FlowSuccess, gst::FlowError> {
            let (info, opaque, orientation) = {
                let format = lock(&self.format);
                let Some(info) = format.info.clone() else {
                    return Err(gst::FlowError::NotNegotiated);
                };
                let orientation = format
                    .stream_orientation
                    .unwrap_or(format.global_orientation);
                (info, format.opaque, orientation)
            };
            let frame = gst_video::VideoFrame::from_buffer_readable(buffer.clone(), &info)
                .map_err(|_| {
                    gst::element_imp_error!(
                        self,
                        gst::ResourceError::Read,
                        ["A video frame could not be read."]
                    );
                    gst::FlowError::Error
                })?;
            match Frame::new(frame, opaque, orientation) {
                Some(frame) => self.handoff.offer(frame),
                None => gst::warning!(crate::engine::log::CAT, imp = self, "unusable frame"),
            }
            Ok(gst::FlowSuccess::Ok)
        }
    }

    impl FrameSink {
        /// The picture frames go to, made on first read. It belongs to
        /// the thread that first reads it (the main thread: the player
        /// reads it as it builds the pipeline). A read from any other
        /// thread (a debug dump of the pipeline's properties, say) gets a
        /// picture of its own that is never shown, and leaves the real
        /// one alone.
        fn picture(&self) -> SinkPicture {
            let mut target = lock(&self.handoff.target);
            match target.as_ref() {
                Some(t) if !t.is_this_thread() => return SinkPicture::default(),
                Some(t) => {
                    if let Some(picture) = t.upgrade() {
                        return picture;
                    }
                }
                None => {}
            }
            let picture = SinkPicture::default();
            picture.take_frames_from(&self.handoff);
            *target = Some(picture::Target::new(&picture));
            picture
        }
    }
}

glib::wrapper! {
    /// The software path's video sink (see the module's comment).
    pub struct FrameSink(ObjectSubclass<imp::FrameSink>)
        @extends gst_video::VideoSink, gst_video::gst_base::BaseSink, gst::Element, gst::Object;
}
