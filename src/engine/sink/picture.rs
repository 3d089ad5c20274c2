//! The picture `framescopesink` shows frames in: a `gdk::Paintable` that
//! draws the newest frame as a memory texture, at the frame's display size
//! (pixel aspect ratio applied) and turned as the stream's
//! `image-orientation` tag says. A main-thread object; the sink reaches it
//! through a [`Target`], which only lets the thread that made it in.

use super::handoff::{Handoff, Taken};
use gdk::prelude::*;
use gdk::subclass::prelude::*;
use gst_video::prelude::VideoFrameExt;
use gtk::cairo;
use gtk::graphene::{Point, Rect};
use gtk::prelude::SnapshotExt;

/// A frame mapped on the streaming thread, ready to become a texture.
#[derive(Clone)]
pub(super) struct Frame {
    bytes: glib::Bytes,
    width: i32,
    height: i32,
    stride: usize,
    /// Width times the pixel aspect ratio.
    display_width: f64,
    /// BGRx: no alpha. Otherwise BGRA with straight alpha.
    opaque: bool,
    orientation: Orientation,
}

/// GTK 4.8's GL renderer keeps every memory texture whose sides are both
/// at most this many pixels in its icon cache, with a reference, and lets
/// go of one only when the atlas it sits in is compacted: in practice, for
/// good (measured: of 5 textures of 128 × 128 shown in turn and let go
/// of, none was freed; of 129 × 129, all five). Its cairo renderer keeps
/// none. A texture over a frame's memory would hold the frame's buffer and
/// through it the pool of the element in front of the sink (its buffers and,
/// in GStreamer 1.22, a socket pair): such frames are copied.
const GTK_KEEPS_TEXTURES_UP_TO: i32 = 128;

/// Keeps a frame mapped while GTK reads its pixels.
struct Mapped(gst_video::VideoFrame<gst_video::video_frame::Readable>);

impl AsRef<[u8]> for Mapped {
    fn as_ref(&self) -> &[u8] {
        self.0.plane_data(0).unwrap_or(&[])
    }
}

impl Frame {
    /// A BGRx or BGRA frame; `None` when its sizes do not describe its memory.
    pub(super) fn new(
        frame: gst_video::VideoFrame<gst_video::video_frame::Readable>,
        opaque: bool,
        orientation: Orientation,
    ) -> Option<Self> {
        let width = i32::try_from(frame.width()).ok().filter(|w| *w > 0)?;
        let height = i32::try_from(frame.height()).ok().filter(|h| *h > 0)?;
        let stride = usize::try_from(*frame.plane_stride().first()?).ok()?;
        let row = usize::try_from(width).ok()?.checked_mul(4)?;
        let needed = stride
            .checked_mul(usize::try_from(height - 1).ok()?)?
            .checked_add(row)?;
        let available = frame.plane_data(0).ok()?.len();
        if stride < row || available < needed {
            return None;
        }
        let par = frame.info().par();
        let ratio = f64::from(par.numer()) / f64::from(par.denom());
        let display_width = f64::from(width)
            * if ratio.is_finite() && ratio > 0.0 {
                ratio
            } else {
                1.0
            };
        Some(Self {
            bytes: glib::Bytes::from_owned(Mapped(frame)),
            width,
            height,
            stride,
            display_width,
            opaque,
            orientation,
        })
    }

    /// The same frame over a copy of its pixels, holding nothing of the
    /// pipeline: for a still, which its caller may keep for long.
    fn detached(&self) -> Self {
        Self {
            bytes: glib::Bytes::from(&self.bytes[..]),
            ..self.clone()
        }
    }

    /// The frame as a cairo pattern over the frame's own memory (no
    /// copy), for opaque frames: `RGB24` is cairo's opaque BGRx (on a
    /// little-endian machine), drawn as a plain copy. `None` for frames
    /// with alpha or a stride cairo refuses.
    fn pattern(&self) -> Option<cairo::Pattern> {
        if !self.opaque {
            return None;
        }
        super::raster::opaque_pattern(self.bytes.clone(), self.width, self.height, self.stride)
    }

    fn texture(&self) -> gdk::Texture {
        if !self.opaque {
            let kept =
                self.width <= GTK_KEEPS_TEXTURES_UP_TO && self.height <= GTK_KEEPS_TEXTURES_UP_TO;
            let bytes = if kept {
                glib::Bytes::from(&self.bytes[..])
            } else {
                self.bytes.clone()
            };
            return gdk::MemoryTexture::new(
                self.width,
                self.height,
                gdk::MemoryFormat::B8g8r8a8,
                &bytes,
                self.stride,
            )
            .upcast();
        }
        // GTK 4.8 has no format whose fourth byte means nothing: a copy
        // with that byte set to 255 (only where no surface is drawn).
        let mut pixels = self.bytes.to_vec();
        for row in pixels.chunks_mut(self.stride) {
            for pixel in row.chunks_exact_mut(4) {
                pixel[3] = 255;
            }
        }
        gdk::MemoryTexture::new(
            self.width,
            self.height,
            gdk::MemoryFormat::B8g8r8a8Premultiplied,
            &glib::Bytes::from_owned(pixels),
            self.stride,
        )
        .upcast()
    }
}

/// Whether a frame of `pixels` (width, height) shown in a `width` ×
/// `height` place is drawn unscaled, at its own whole-pixel size: the place
/// is within half a pixel of it on both sides. Once the software chain
/// scales frames to the picture's size (`engine::spec::fitted_size`),
/// `GtkPicture` places each at the frame's own shape, so the place is the
/// frame's size but for floating-point error, which must not make cairo
/// filter every pixel; while a new size settles, frames are scaled. Drawn
/// unscaled, the frame is one copy of its pixels with GTK's cairo
/// renderer, and its node has whole-pixel bounds that the view's bars meet
/// exactly (`widget::player_view::backdrop`): with nothing drawn under it,
/// cairo copies the frame straight into the window's buffer instead of
/// into a cleared buffer of its own first (on X11; bench/RESULTS.md).
pub(crate) fn drawn_unscaled(pixels: (i32, i32), width: f64, height: f64) -> bool {
    (width - f64::from(pixels.0)).abs() <= 0.5 && (height - f64::from(pixels.1)).abs() <= 0.5
}

/// How a frame is turned for display (GStreamer's `image-orientation`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) enum Orientation {
    #[default]
    Rotate0,
    Rotate90,
    Rotate180,
    Rotate270,
    FlipRotate0,
    FlipRotate90,
    FlipRotate180,
    FlipRotate270,
}

impl Orientation {
    /// The orientation a tag list names, if any.
    pub(super) fn from_tags(tags: &gst::TagListRef) -> Option<Self> {
        let value = tags.get::<gst::tags::ImageOrientation>()?;
        Some(match value.get() {
            "rotate-0" => Self::Rotate0,
            "rotate-90" => Self::Rotate90,
            "rotate-180" => Self::Rotate180,
            "rotate-270" => Self::Rotate270,
            "flip-rotate-0" => Self::FlipRotate0,
            "flip-rotate-90" => Self::FlipRotate90,
            "flip-rotate-180" => Self::FlipRotate180,
            "flip-rotate-270" => Self::FlipRotate270,
            _ => return None,
        })
    }

    /// Whether width and height trade places on screen.
    fn swaps_sides(self) -> bool {
        matches!(
            self,
            Self::Rotate90 | Self::Rotate270 | Self::FlipRotate90 | Self::FlipRotate270
        )
    }

    /// Turns `snapshot` about the origin.
    fn apply(self, snapshot: &gtk::Snapshot) {
        match self {
            Self::Rotate0 => {}
            Self::Rotate90 => snapshot.rotate(90.0),
            Self::Rotate180 => snapshot.scale(-1.0, -1.0),
            Self::Rotate270 => snapshot.rotate(270.0),
            Self::FlipRotate0 => snapshot.scale(-1.0, 1.0),
            Self::FlipRotate90 => {
                snapshot.rotate(90.0);
                snapshot.scale(-1.0, 1.0);
            }
            Self::FlipRotate180 => snapshot.scale(1.0, -1.0),
            Self::FlipRotate270 => {
                snapshot.rotate(270.0);
                snapshot.scale(-1.0, 1.0);
            }
        }
    }
}

/// The sink's way to its picture: a weak reference that only the thread
/// that made the picture may follow.
#[derive(Clone)]
pub(super) struct Target {
    picture: glib::SendWeakRef<SinkPicture>,
    thread: std::thread::ThreadId,
}

impl Target {
    pub(super) fn new(picture: &SinkPicture) -> Self {
        Self {
            picture: picture.downgrade().into(),
            thread: std::thread::current().id(),
        }
    }

    /// Whether the calling thread made the picture.
    pub(super) fn is_this_thread(&self) -> bool {
        std::thread::current().id() == self.thread
    }

    /// The picture, on its own thread while it lives.
    pub(super) fn upgrade(&self) -> Option<SinkPicture> {
        (std::thread::current().id() == self.thread)
            .then(|| self.picture.upgrade())
            .flatten()
    }
}

mod imp {
    use super::*;
    use std::cell::{Cell, RefCell};

    #[derive(Default)]
    pub struct SinkPicture {
        pub(super) frame: RefCell<Option<Frame>>,
        /// The frame as a cairo pattern, when it is opaque.
        pub(super) pattern: RefCell<Option<cairo::Pattern>>,
        /// The frame as a texture, made when first needed.
        pub(super) texture: RefCell<Option<gdk::Texture>>,
        /// Display width and height of the frame, before turning.
        pub(super) size: Cell<(f64, f64)>,
        pub(super) orientation: Cell<Orientation>,
        /// A still: `current_image`'s copy, whose frame never changes.
        pub(super) still: Cell<bool>,
        /// The sink's handoff this picture takes its frames from.
        pub(super) handoff: RefCell<std::sync::Weak<Handoff>>,
        /// Frames shown, by how they were taken: (idle callback, frame clock).
        pub(super) taken: Cell<(u64, u64)>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for SinkPicture {
        const NAME: &'static str = "FramescopeSinkPicture";
        type Type = super::SinkPicture;
        type Interfaces = (gdk::Paintable,);
    }

    impl ObjectImpl for SinkPicture {}

    impl PaintableImpl for SinkPicture {
        fn snapshot(&self, snapshot: &gdk::Snapshot, width: f64, height: f64) {
            if self.frame.borrow().is_none() {
                return;
            }
            let Some(snapshot) = snapshot.downcast_ref::<gtk::Snapshot>() else {
                self.texture().snapshot(snapshot, width, height);
                return;
            };
            let orientation = self.orientation.get();
            let (frame_width, frame_height) = if orientation.swaps_sides() {
                (height, width)
            } else {
                (width, height)
            };
            let turned = orientation != Orientation::Rotate0;
            if turned {
                snapshot.save();
                snapshot.translate(&Point::new(width as f32 / 2.0, height as f32 / 2.0));
                orientation.apply(snapshot);
                snapshot.translate(&Point::new(
                    -frame_width as f32 / 2.0,
                    -frame_height as f32 / 2.0,
                ));
            }
            if !self.draw_pattern(snapshot, frame_width, frame_height, turned) {
                self.texture().snapshot(
                    snapshot.upcast_ref::<gdk::Snapshot>(),
                    frame_width,
                    frame_height,
                );
            }
            if turned {
                snapshot.restore();
            }
        }

        fn intrinsic_width(&self) -> i32 {
            self.shown_size().0.round() as i32
        }

        fn intrinsic_height(&self) -> i32 {
            self.shown_size().1.round() as i32
        }

        fn intrinsic_aspect_ratio(&self) -> f64 {
            let (width, height) = self.shown_size();
            if height > 0.0 {
                width / height
            } else {
                0.0
            }
        }

        fn flags(&self) -> gdk::PaintableFlags {
            if self.still.get() {
                gdk::PaintableFlags::CONTENTS | gdk::PaintableFlags::SIZE
            } else {
                gdk::PaintableFlags::empty()
            }
        }

        /// A still of the frame shown now, drawn as this picture draws it
        /// (turned, at its display size), over a copy of the frame: whoever
        /// asks keeps it, and it must not hold the pipeline's buffers.
        fn current_image(&self) -> gdk::Paintable {
            if self.still.get() {
                return self.obj().clone().upcast();
            }
            let Some(frame) = self.frame.borrow().as_ref().map(Frame::detached) else {
                return gdk::Paintable::new_empty(self.intrinsic_width(), self.intrinsic_height());
            };
            let still = super::SinkPicture::default();
            still.imp().still.set(true);
            still.show(frame);
            still.upcast()
        }
    }

    impl SinkPicture {
        /// The size on screen, turned.
        fn shown_size(&self) -> (f64, f64) {
            let (width, height) = self.size.get();
            if self.orientation.get().swaps_sides() {
                (height, width)
            } else {
                (width, height)
            }
        }

        /// The frame as a texture (an empty one before the first frame).
        fn texture(&self) -> gdk::Texture {
            let mut texture = self.texture.borrow_mut();
            if let Some(texture) = texture.as_ref() {
                return texture.clone();
            }
            let made = match self.frame.borrow().as_ref() {
                Some(frame) => frame.texture(),
                None => gdk::MemoryTexture::new(
                    1,
                    1,
                    gdk::MemoryFormat::B8g8r8a8Premultiplied,
                    &glib::Bytes::from_static(&[0, 0, 0, 255]),
                    4,
                )
                .upcast(),
            };
            texture.replace(made.clone());
            made
        }

        /// Draws the opaque frame's pattern into `width` × `height`: with
        /// GTK's cairo renderer a straight copy (or one scaling) into the
        /// window, no conversion. Under a GL renderer GTK rasterises the
        /// node and uploads it, about what converting and uploading a
        /// texture costs there (the GL video path is the one for GL).
        /// A frame of the place's size (within the half pixel that GTK's
        /// fitting leaves) is drawn unscaled in a node of its own whole
        /// size: see [`drawn_unscaled`]. False when the frame has no
        /// pattern.
        fn draw_pattern(
            &self,
            snapshot: &gtk::Snapshot,
            width: f64,
            height: f64,
            turned: bool,
        ) -> bool {
            let pattern = self.pattern.borrow();
            let Some(pattern) = pattern.as_ref() else {
                return false;
            };
            let Some(frame) = self.frame.borrow().as_ref().map(|f| (f.width, f.height)) else {
                return false;
            };
            let unscaled = !turned && drawn_unscaled(frame, width, height);
            let (width, height) = if unscaled {
                (f64::from(frame.0), f64::from(frame.1))
            } else {
                (width, height)
            };
            let context = snapshot.append_cairo(&Rect::new(0.0, 0.0, width as f32, height as f32));
            if !unscaled {
                context.scale(width / f64::from(frame.0), height / f64::from(frame.1));
            }
            context.set_source(pattern).is_ok() && context.paint().is_ok()
        }
    }
}

glib::wrapper! {
    /// The picture `framescopesink` shows its frames in.
    pub struct SinkPicture(ObjectSubclass<imp::SinkPicture>)
        @implements gdk::Paintable;
}

impl Default for SinkPicture {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl SinkPicture {
    /// Whether the picture shows a frame without alpha (drawn opaque over
    /// all of its area).
    pub(crate) fn is_opaque(&self) -> bool {
        self.imp().frame.borrow().as_ref().is_some_and(|f| f.opaque)
    }

    /// The frame's size in pixels when it is opaque, upright and of square
    /// pixels: in a place of that size ([`drawn_unscaled`]) the picture
    /// covers exactly that many whole pixels, and nothing else.
    pub(crate) fn opaque_pixel_size(&self) -> Option<(i32, i32)> {
        let frame = self.imp().frame.borrow();
        let f = frame.as_ref()?;
        let upright = f.orientation == Orientation::Rotate0;
        let square = f.display_width == f64::from(f.width);
        (f.opaque && upright && square).then_some((f.width, f.height))
    }

    /// Takes its frames from `handoff` (the sink that made it).
    pub(super) fn take_frames_from(&self, handoff: &std::sync::Arc<Handoff>) {
        self.imp()
            .handoff
            .replace(std::sync::Arc::downgrade(handoff));
    }

    /// The handoff its frames come through, while its sink lives.
    pub(super) fn handoff(&self) -> Option<std::sync::Arc<Handoff>> {
        self.imp().handoff.borrow().upgrade()
    }

    /// Frames shown so far, by how they were taken: by an idle callback,
    /// and at a view's frame clock ([`FramePull`](super::FramePull)).
    pub(crate) fn frames_taken(&self) -> (u64, u64) {
        self.imp().taken.get()
    }

    /// Shows `frame`, taken from the handoff as `how` says.
    pub(super) fn show_taken(&self, frame: Frame, how: Taken) {
        let (idle, clock) = self.imp().taken.get();
        self.imp().taken.set(match how {
            Taken::Idle => (idle.saturating_add(1), clock),
            Taken::AtFrameClock => (idle, clock.saturating_add(1)),
        });
        self.show(frame);
    }

    /// Shows `frame` (on the main thread).
    pub(super) fn show(&self, frame: Frame) {
        let imp = self.imp();
        let size = (frame.display_width, f64::from(frame.height));
        let new_size = imp.size.replace(size) != size;
        let turned = imp.orientation.replace(frame.orientation) != frame.orientation;
        // Render nodes that drew the old frame keep it until they go.
        imp.pattern.replace(frame.pattern());
        imp.texture.replace(None);
        imp.frame.replace(Some(frame));
        if new_size || turned {
            self.invalidate_size();
        }
        self.invalidate_contents();
    }
}
