//! The picture the player hands out: a `gdk::Paintable` that draws the video
//! sink's paintable, or, after a backward frame step, a frame from the
//! step cache in its place. Size and aspect ratio always come from the sink's
//! paintable, so swapping between the two never moves the picture.

use crate::engine::log;
use gdk::prelude::*;
use gdk::subclass::prelude::*;

mod imp {
    use super::*;
    use std::cell::RefCell;

    #[derive(Default)]
    pub struct FramePaintable {
        pub video: RefCell<Option<gdk::Paintable>>,
        pub frame: RefCell<Option<gdk::Texture>>,
        pub handlers: RefCell<Vec<glib::SignalHandlerId>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for FramePaintable {
        const NAME: &'static str = "FramescopeFramePaintable";
        type Type = super::FramePaintable;
        type Interfaces = (gdk::Paintable,);
    }

    impl ObjectImpl for FramePaintable {
        fn dispose(&self) {
            if let Some(video) = self.video.take() {
                for id in self.handlers.take() {
                    video.disconnect(id);
                }
            }
        }
    }

    impl PaintableImpl for FramePaintable {
        fn snapshot(&self, snapshot: &gdk::Snapshot, width: f64, height: f64) {
            if let Some(frame) = self.frame.borrow().as_ref() {
                frame.snapshot(snapshot, width, height);
            } else if let Some(video) = self.video.borrow().as_ref() {
                video.snapshot(snapshot, width, height);
            }
        }

        fn intrinsic_width(&self) -> i32 {
            self.video
                .borrow()
                .as_ref()
                .map_or(0, |v| v.intrinsic_width())
        }

        fn intrinsic_height(&self) -> i32 {
            self.video
                .borrow()
                .as_ref()
                .map_or(0, |v| v.intrinsic_height())
        }

        fn intrinsic_aspect_ratio(&self) -> f64 {
            self.video
                .borrow()
                .as_ref()
                .map_or(0.0, |v| v.intrinsic_aspect_ratio())
        }

        fn current_image(&self) -> gdk::Paintable {
            if let Some(frame) = self.frame.borrow().as_ref() {
                return frame.clone().upcast();
            }
            self.video
                .borrow()
                .as_ref()
                .map(super::still_image)
                .unwrap_or_else(|| gdk::Paintable::new_empty(0, 0))
        }
    }
}

/// A still image of `paintable`. GDK 4.8's default `current_image` (used
/// by paintables that do not implement it, `gtk4paintablesink`'s among
/// them) returns the paintable itself without taking a reference, so its
/// caller's release frees the paintable under its owner: the sink then
/// draws with a freed object (a crash the storm test found, through the
/// watchdog's frozen picture). Only paintables whose contents never change,
/// and `framescopesink`'s (which returns its frame), are asked; for any
/// other an empty paintable of its size stands in.
pub(crate) fn still_image(paintable: &gdk::Paintable) -> gdk::Paintable {
    if paintable.flags().contains(gdk::PaintableFlags::CONTENTS)
        || paintable.is::<crate::engine::sink::SinkPicture>()
    {
        paintable.current_image()
    } else {
        gdk::Paintable::new_empty(paintable.intrinsic_width(), paintable.intrinsic_height())
    }
}

/// The sink's picture when it is what `paintable` draws right now:
/// `paintable` itself, or the one the player's [`FramePaintable`] shows
/// (not while a cached frame stands in).
fn sink_picture_shown(paintable: &gdk::Paintable) -> Option<crate::engine::sink::SinkPicture> {
    use crate::engine::sink::SinkPicture;
    if let Some(sink) = paintable.downcast_ref::<SinkPicture>() {
        return Some(sink.clone());
    }
    let wrapper = paintable.downcast_ref::<FramePaintable>()?;
    let imp = wrapper.imp();
    if imp.frame.borrow().is_some() {
        return None;
    }
    let video = imp.video.borrow();
    video.as_ref()?.downcast_ref::<SinkPicture>().cloned()
}

/// Whether `paintable` draws an opaque picture over all of its area right
/// now: `framescopesink`'s picture showing a frame without alpha, directly
/// or through the player's [`FramePaintable`] (not while a cached frame
/// stands in). False when unsure; the view then draws its black backdrop
/// under the picture too.
pub(crate) fn is_opaque(paintable: &gdk::Paintable) -> bool {
    sink_picture_shown(paintable).is_some_and(|sink| sink.is_opaque())
}

/// The pixel size of the opaque frame `paintable` draws right now, when
/// it is upright and of square pixels: in a place within half a pixel of
/// that size ([`crate::engine::sink::drawn_unscaled`]) it covers exactly
/// that many whole pixels from the place's corner.
pub(crate) fn opaque_pixel_size(paintable: &gdk::Paintable) -> Option<(i32, i32)> {
    sink_picture_shown(paintable)?.opaque_pixel_size()
}

glib::wrapper! {
    /// Draws the video sink's picture, or a cached frame in its place.
    pub struct FramePaintable(ObjectSubclass<imp::FramePaintable>)
        @implements gdk::Paintable;
}

impl FramePaintable {
    /// Wraps the video sink's paintable.
    pub fn new(video: &gdk::Paintable) -> Self {
        let this: Self = glib::Object::new();
        let weak = this.downgrade();
        let contents = video.connect_invalidate_contents(move |_| {
            if let Some(this) = weak.upgrade() {
                if this.imp().frame.borrow().is_none() {
                    this.invalidate_contents();
                }
            }
        });
        let weak = this.downgrade();
        let size = video.connect_invalidate_size(move |_| {
            if let Some(this) = weak.upgrade() {
                this.invalidate_size();
            }
        });
        this.imp().handlers.replace(vec![contents, size]);
        this.imp().video.replace(Some(video.clone()));
        this
    }

    /// Shows `frame` instead of the video, or the video again with `None`.
    pub fn show_frame(&self, frame: Option<gdk::Texture>) {
        self.imp().frame.replace(frame);
        self.invalidate_contents();
    }
}

/// The software sink's picture behind `paintable` (a player's paintable or
/// the picture itself), if that is what it shows.
pub(crate) fn sink_picture(paintable: &gdk::Paintable) -> Option<crate::engine::sink::SinkPicture> {
    if let Some(wrapper) = paintable.downcast_ref::<FramePaintable>() {
        let video = wrapper.imp().video.borrow().clone()?;
        return video.downcast::<crate::engine::sink::SinkPicture>().ok();
    }
    paintable
        .clone()
        .downcast::<crate::engine::sink::SinkPicture>()
        .ok()
}

/// Converts a decoded frame into a texture GTK can draw (RGBA, native size).
pub fn texture_from_sample(sample: &gst::Sample) -> Option<gdk::Texture> {
    let converted = rgba_frame(sample);
    if let Err(why) = &converted {
        log::warn!("a cached frame could not be converted for display: {why}");
    }
    let (info, buffer) = converted.ok()?;
    let stride = info.stride()[0] as usize;
    let map = buffer.into_mapped_buffer_readable().ok()?;
    let bytes = glib::Bytes::from_owned(map);
    Some(
        gdk::MemoryTexture::new(
            info.width() as i32,
            info.height() as i32,
            gdk::MemoryFormat::R8g8b8a8,
            &bytes,
            stride,
        )
        .upcast(),
    )
}

/// The frame converted to RGBA at its native size.
fn rgba_frame(sample: &gst::Sample) -> Result<(gst_video::VideoInfo, gst::Buffer), String> {
    let caps = sample.caps().ok_or("no caps")?;
    let info = gst_video::VideoInfo::from_caps(caps).map_err(|e| e.to_string())?;
    let out_info =
        gst_video::VideoInfo::builder(gst_video::VideoFormat::Rgba, info.width(), info.height())
            .fps(info.fps())
            .par(info.par())
            .build()
            .map_err(|e| e.to_string())?;
    let buffer = sample.buffer().ok_or("no buffer")?;
    let input = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info)
        .map_err(|e| format!("input frame: {e}"))?;
    let mut out = gst::Buffer::with_size(out_info.size()).map_err(|e| e.to_string())?;
    {
        let out_ref = out.get_mut().ok_or("output buffer not writable")?;
        let mut output = gst_video::VideoFrameRef::from_buffer_ref_writable(out_ref, &out_info)
            .map_err(|e| format!("output frame: {e}"))?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
        let mut config = gst_video::VideoConverterConfig::new();
        config.set_threads(threads);
        let converter = gst_video::VideoConverter::new(&info, &out_info, Some(config))
            .map_err(|e| format!("converter: {e}"))?;
        converter.frame_ref(&input, &mut output);
    }
    Ok((out_info, out))
}
