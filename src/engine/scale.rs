//! `framescopescale`: the software path's scaler and converter in one
//! pass. It takes the decoder's YUV frames (8-bit and 10/12-bit planar,
//! NV12/NV21) or BGRx/BGRA, and writes BGRx (BGRA for BGRA) at the size
//! downstream asks for, without an intermediate frame: each output row is
//! filtered vertically, then horizontally (AVX2 where the CPU has it), and
//! converted straight into the output. It replaces `videoscale !
//! videoconvert`, whose 4-tap horizontal scaler runs as plain C here and
//! whose two passes over the frame cost more than the decoding left over
//! for showing it (bench/RESULTS.md, issue 18).
//!
//! Filtering: a triangle (bilinear) filter widened by the reduction when
//! shrinking, as `videoscale`'s default; chroma is filtered at its own
//! resolution and repeated across. Conversion: the caps' matrix (BT.601,
//! BT.709, BT.2020, SMPTE 240M) and range, like `videoconvert`'s default
//! (no transfer or primaries conversion). Interlaced frames are scaled as
//! whole frames. Other formats are converted in front of it by playsink's
//! own converter.
//!
//! Threads: all work runs on the streaming thread in `transform_frame`;
//! the plan is made in `set_info` (same thread, under the element's own
//! mutex, which nothing else takes). The sink's QoS events pass through
//! `src_event` on the sink's streaming thread, most of them no further
//! (`engine::qosthrottle`, under a mutex of their own).

use crate::engine::qosthrottle::QosThrottle;
use framescope_pixels::{Layout, Matrix, Plan, Plane};
use gst::prelude::*;
use gst_video::gst_base::subclass::prelude::*;
use gst_video::prelude::*;
use gst_video::subclass::prelude::*;
use gst_video::{VideoColorMatrix, VideoColorRange, VideoFormat};
use std::sync::Mutex;

/// Registers `framescopescale` (by `engine::init`).
pub(crate) fn register_element() -> Result<(), glib::BoolError> {
    gst::Element::register(
        None,
        "framescopescale",
        gst::Rank::NONE,
        Scale::static_type(),
    )
}

/// The formats it reads, best first.
const INPUT_FORMATS: [VideoFormat; 12] = [
    VideoFormat::I420,
    VideoFormat::Yv12,
    VideoFormat::Nv12,
    VideoFormat::Nv21,
    VideoFormat::Y42b,
    VideoFormat::Y444,
    VideoFormat::I42010le,
    VideoFormat::I42210le,
    VideoFormat::Y44410le,
    VideoFormat::I42012le,
    VideoFormat::Bgrx,
    VideoFormat::Bgra,
];

/// The largest width or height it scales from or to (16K video is
/// 15360 wide).
const MAX_SIDE: u32 = 32768;

/// How a format's samples lie, or `None` for one it does not read.
fn layout_of(format: VideoFormat) -> Option<Layout> {
    let planar = |sx, sy, depth| Some(Layout::Planar { sx, sy, depth });
    match format {
        VideoFormat::I420 | VideoFormat::Yv12 => planar(1, 1, 8),
        VideoFormat::Y42b => planar(1, 0, 8),
        VideoFormat::Y444 => planar(0, 0, 8),
        VideoFormat::I42010le => planar(1, 1, 10),
        VideoFormat::I42210le => planar(1, 0, 10),
        VideoFormat::Y44410le => planar(0, 0, 10),
        VideoFormat::I42012le => planar(1, 1, 12),
        VideoFormat::Nv12 => Some(Layout::SemiPlanar { v_first: false }),
        VideoFormat::Nv21 => Some(Layout::SemiPlanar { v_first: true }),
        VideoFormat::Bgrx | VideoFormat::Bgra => Some(Layout::Packed),
        _ => None,
    }
}

/// The YUV matrix of `info`'s colorimetry (BT.709 when it says none).
fn matrix_of(info: &gst_video::VideoInfo) -> Matrix {
    let colorimetry = info.colorimetry();
    let (kr, kb) = match colorimetry.matrix() {
        VideoColorMatrix::Bt601 => (0.299, 0.114),
        VideoColorMatrix::Fcc => (0.30, 0.11),
        VideoColorMatrix::Smpte240m => (0.212, 0.087),
        VideoColorMatrix::Bt2020 => (0.2627, 0.0593),
        _ => (0.2126, 0.0722),
    };
    Matrix::new(kr, kb, colorimetry.range() == VideoColorRange::Range0_255)
}

/// Caps with `formats` and any size, from `caps`' other fields.
fn any_size(caps: &gst::Caps, formats: impl Fn(&str) -> Vec<&'static str>) -> gst::Caps {
    let mut out = gst::Caps::new_empty();
    for s in caps.iter() {
        let mut s = s.to_owned();
        let format = s.get::<&str>("format").ok().map(str::to_owned);
        let names = match format {
            Some(f) => formats(&f),
            None => formats(""),
        };
        if names.is_empty() {
            continue;
        }
        s.set("format", gst::List::new(names));
        s.set("width", gst::IntRange::new(1, i32::MAX));
        s.set("height", gst::IntRange::new(1, i32::MAX));
        s.remove_fields(["pixel-aspect-ratio", "colorimetry", "chroma-site"]);
        out.get_mut()
            .expect("a new caps is writable")
            .append_structure(s);
    }
    out
}

glib::wrapper! {
    /// The element (see the module's comment).
    pub struct Scale(ObjectSubclass<imp::Scale>)
        @extends gst_video::VideoFilter, gst_video::gst_base::BaseTransform, gst::Element, gst::Object;
}

mod imp {
    use super::*;
    use std::sync::LazyLock;

    #[derive(Default)]
    pub struct Scale {
        pub(super) plan: Mutex<Option<Plan>>,
        /// Which QoS events go upstream (`engine::qosthrottle`).
        pub(super) qos: Mutex<QosThrottle>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Scale {
        const NAME: &'static str = "FramescopeScale";
        type Type = super::Scale;
        type ParentType = gst_video::VideoFilter;
    }

    impl ObjectImpl for Scale {
        fn constructed(&self) {
            self.parent_constructed();
            // Late frames are dropped before they are scaled.
            self.obj().set_property("qos", true);
        }
    }

    impl GstObjectImpl for Scale {}

    impl ElementImpl for Scale {
        fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
            static METADATA: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
                gst::subclass::ElementMetadata::new(
                    "Framescope scaler",
                    "Filter/Converter/Video/Scaler",
                    "Scales YUV or BGRx frames and converts them to BGRx in one pass",
                    "Framescope",
                )
            });
            Some(&*METADATA)
        }

        fn pad_templates() -> &'static [gst::PadTemplate] {
            static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
                let sink = gst_video::VideoCapsBuilder::new()
                    .format_list(INPUT_FORMATS)
                    .build();
                let src = gst_video::VideoCapsBuilder::new()
                    .format_list([VideoFormat::Bgrx, VideoFormat::Bgra])
                    .build();
                vec![
                    gst::PadTemplate::new(
                        "sink",
                        gst::PadDirection::Sink,
                        gst::PadPresence::Always,
                        &sink,
                    )
                    .expect("a valid pad template"),
                    gst::PadTemplate::new(
                        "src",
                        gst::PadDirection::Src,
                        gst::PadPresence::Always,
                        &src,
                    )
                    .expect("a valid pad template"),
                ]
            });
            TEMPLATES.as_ref()
        }
    }

    impl BaseTransformImpl for Scale {
        const MODE: gst_video::gst_base::subclass::BaseTransformMode =
            gst_video::gst_base::subclass::BaseTransformMode::NeverInPlace;
        const PASSTHROUGH_ON_SAME_CAPS: bool = true;
        const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

        fn src_event(&self, event: gst::Event) -> bool {
            if let gst::EventView::Qos(qos) = event.view() {
                let (_, proportion, diff, timestamp) = qos.get();
                if let Some(timestamp) = timestamp {
                    if !lock(&self.qos).forward(diff, std::time::Instant::now()) {
                        // Kept here: this element still drops late frames.
                        self.obj().update_qos(proportion, diff, timestamp);
                        return true;
                    }
                }
            }
            self.parent_src_event(event)
        }

        fn sink_event(&self, event: gst::Event) -> bool {
            if matches!(
                event.view(),
                gst::EventView::FlushStop(_) | gst::EventView::StreamStart(_)
            ) {
                lock(&self.qos).reset();
            }
            self.parent_sink_event(event)
        }

        fn transform_caps(
            &self,
            direction: gst::PadDirection,
            caps: &gst::Caps,
            filter: Option<&gst::Caps>,
        ) -> Option<gst::Caps> {
            let all: Vec<&'static str> =
                INPUT_FORMATS.iter().map(|f| f.to_str().as_str()).collect();
            let yuv_or_bgrx: Vec<&'static str> =
                all.iter().copied().filter(|&f| f != "BGRA").collect();
            let out = if direction == gst::PadDirection::Sink {
                // Each input format, and the format it becomes.
                any_size(caps, |f| match f {
                    "BGRA" => vec!["BGRA"],
                    "" => vec!["BGRx", "BGRA"],
                    f if all.contains(&f) => vec!["BGRx"],
                    _ => Vec::new(),
                })
            } else {
                any_size(caps, |f| match f {
                    "BGRA" => vec!["BGRA"],
                    "BGRx" => yuv_or_bgrx.clone(),
                    _ => all.clone(),
                })
            };
            // The same caps first, so a frame needing no work passes.
            let mut same = caps.clone();
            same.merge(out);
            let mut out = same;
            if let Some(filter) = filter {
                out = filter.intersect_with_mode(&out, gst::CapsIntersectMode::First);
            }
            Some(out)
        }

        fn fixate_caps(
            &self,
            direction: gst::PadDirection,
            caps: &gst::Caps,
            othercaps: gst::Caps,
        ) -> gst::Caps {
            let mut othercaps = othercaps;
            othercaps.truncate();
            if direction == gst::PadDirection::Sink {
                // Unless told a size (the player's capsfilter tells the
                // picture's), keep the input's size and pixel shape.
                if let (Some(theirs), Some(ours)) =
                    (othercaps.make_mut().structure_mut(0), caps.structure(0))
                {
                    if let Ok(w) = ours.get::<i32>("width") {
                        theirs.fixate_field_nearest_int("width", w);
                    }
                    if let Ok(h) = ours.get::<i32>("height") {
                        theirs.fixate_field_nearest_int("height", h);
                    }
                    let par = ours
                        .get::<gst::Fraction>("pixel-aspect-ratio")
                        .unwrap_or(gst::Fraction::new(1, 1));
                    if theirs.has_field("pixel-aspect-ratio") {
                        theirs.fixate_field_nearest_fraction("pixel-aspect-ratio", par);
                    } else {
                        theirs.set("pixel-aspect-ratio", par);
                    }
                }
            }
            othercaps.fixate();
            othercaps
        }
    }

    impl VideoFilterImpl for Scale {
        fn set_info(
            &self,
            _incaps: &gst::Caps,
            in_info: &gst_video::VideoInfo,
            _outcaps: &gst::Caps,
            out_info: &gst_video::VideoInfo,
        ) -> Result<(), gst::LoggableError> {
            let layout = layout_of(in_info.format()).ok_or_else(|| {
                gst::loggable_error!(
                    *crate::engine::log::CAT,
                    "framescopescale cannot read {:?}",
                    in_info.format()
                )
            })?;
            // The filters hold a few words per output sample: a side past
            // any real frame is refused rather than allocated.
            let sides = [
                in_info.width(),
                in_info.height(),
                out_info.width(),
                out_info.height(),
            ];
            if sides.iter().any(|&side| side > MAX_SIDE) {
                return Err(gst::loggable_error!(
                    *crate::engine::log::CAT,
                    "framescopescale takes frames up to {MAX_SIDE} pixels a side, not {}x{} to {}x{}",
                    sides[0],
                    sides[1],
                    sides[2],
                    sides[3]
                ));
            }
            let plan = Plan::new(
                layout,
                (in_info.width(), in_info.height()),
                (out_info.width(), out_info.height()),
                matrix_of(in_info),
            );
            *lock(&self.plan) = Some(plan);
            Ok(())
        }

        fn transform_frame(
            &self,
            inframe: &gst_video::VideoFrameRef<&gst::BufferRef>,
            outframe: &mut gst_video::VideoFrameRef<&mut gst::BufferRef>,
        ) -> Result<gst::FlowSuccess, gst::FlowError> {
            let mut guard = lock(&self.plan);
            let plan = guard.as_mut().ok_or(gst::FlowError::NotNegotiated)?;
            let planes: Vec<Plane> = match plan.layout() {
                Layout::Planar { .. } => (0..3)
                    .map(|c| plane(inframe.comp_data(c), inframe.comp_stride(c)))
                    .collect::<Result<_, _>>()?,
                Layout::SemiPlanar { .. } => (0..2)
                    .map(|p| plane(inframe.plane_data(p), inframe.plane_stride()[p as usize]))
                    .collect::<Result<_, _>>()?,
                Layout::Packed => vec![plane(inframe.plane_data(0), inframe.plane_stride()[0])?],
            };
            let stride =
                usize::try_from(outframe.plane_stride()[0]).map_err(|_| gst::FlowError::Error)?;
            let out = outframe
                .plane_data_mut(0)
                .map_err(|_| gst::FlowError::Error)?;
            plan.run(&planes, out, stride).map_err(|_| {
                gst::error!(
                    *crate::engine::log::CAT,
                    imp = self,
                    "A frame smaller than its caps say"
                );
                gst::FlowError::Error
            })?;
            Ok(gst::FlowSuccess::Ok)
        }
    }
}

/// A frame's plane, or the error that ends the stream when the frame
/// cannot be read.
fn plane(data: Result<&[u8], glib::BoolError>, stride: i32) -> Result<Plane<'_>, gst::FlowError> {
    Ok(Plane {
        data: data.map_err(|_| gst::FlowError::Error)?,
        stride: usize::try_from(stride).map_err(|_| gst::FlowError::Error)?,
    })
}

/// A poisoned plan is still a valid plan.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use gst::prelude::*;
    use gst_video::prelude::*;

    /// The first frame `source` gives through `middle`, as its caps and
    /// its bytes (rows packed, no padding).
    fn first_frame(source: &str, middle: &str) -> (gst_video::VideoInfo, Vec<u8>) {
        crate::engine::init().expect("GStreamer starts");
        let line = format!("{source} ! {middle} ! appsink name=out sync=false");
        let pipeline = gst::parse::launch(&line)
            .expect("the test pipeline parses")
            .downcast::<gst::Pipeline>()
            .expect("a pipeline");
        let sink = pipeline
            .by_name("out")
            .and_then(|e| e.downcast::<gst_app::AppSink>().ok())
            .expect("the appsink");
        pipeline.set_state(gst::State::Playing).expect("it plays");
        let sample = sink
            .try_pull_sample(gst::ClockTime::from_seconds(10))
            .unwrap_or_else(|| panic!("no frame from {line}"));
        pipeline.set_state(gst::State::Null).expect("it stops");
        let info =
            gst_video::VideoInfo::from_caps(sample.caps().expect("caps")).expect("video caps");
        let buffer = sample.buffer().expect("a buffer");
        let frame =
            gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info).expect("mapped");
        let row = info.width() as usize * 4;
        let stride = frame.plane_stride()[0] as usize;
        let data = frame.plane_data(0).expect("plane 0");
        let bytes = (0..info.height() as usize)
            .flat_map(|y| data[y * stride..y * stride + row].iter().copied())
            .collect();
        (info, bytes)
    }

    /// Mean absolute difference of two frames' bytes.
    fn mean_difference(a: &[u8], b: &[u8]) -> f64 {
        assert_eq!(a.len(), b.len());
        let total: u64 = a
            .iter()
            .zip(b)
            .map(|(&a, &b)| u64::from(a.abs_diff(b)))
            .sum();
        total as f64 / a.len() as f64
    }

    #[test]
    fn every_input_format_looks_like_videoscale_and_videoconvert() {
        for format in [
            "I420",
            "YV12",
            "NV12",
            "NV21",
            "Y42B",
            "Y444",
            "I420_10LE",
            "I422_10LE",
            "Y444_10LE",
            "I420_12LE",
            "BGRx",
        ] {
            for (w, h) in [(320, 180), (977, 601), (1280, 720)] {
                let source = format!(
                    "videotestsrc num-buffers=1 pattern=smpte ! video/x-raw,width=640,height=360 ! videoconvert ! video/x-raw,format={format}"
                );
                let size = format!("video/x-raw,width={w},height={h}");
                let (ours_info, ours) = first_frame(&source, &format!("framescopescale ! {size}"));
                let (theirs_info, theirs) = first_frame(
                    &source,
                    &format!("videoscale ! {size} ! videoconvert ! video/x-raw,format=BGRx"),
                );
                assert_eq!(ours_info.format(), gst_video::VideoFormat::Bgrx, "{format}");
                assert_eq!((ours_info.width(), ours_info.height()), (w, h));
                assert_eq!((theirs_info.width(), theirs_info.height()), (w, h));
                let difference = mean_difference(&ours, &theirs);
                eprintln!("{format} {w}x{h}: mean difference {difference:.2}");
                assert!(
                    difference < 3.0,
                    "{format} at {w}x{h}: mean difference {difference:.2}"
                );
            }
        }
    }

    #[test]
    fn alpha_is_kept_and_scaled() {
        let source = "videotestsrc num-buffers=1 pattern=solid-color foreground-color=0x80ff0000 ! video/x-raw,format=BGRA,width=64,height=64";
        let (info, bytes) = first_frame(source, "framescopescale ! video/x-raw,width=32,height=16");
        assert_eq!(info.format(), gst_video::VideoFormat::Bgra);
        assert!(
            bytes.chunks(4).all(|p| p == [0, 0, 255, 0x80]),
            "{:?}",
            &bytes[..8]
        );
    }

    #[test]
    fn without_a_size_the_frame_keeps_its_own() {
        let source = "videotestsrc num-buffers=1 ! video/x-raw,format=I420,width=720,height=576,pixel-aspect-ratio=16/15";
        let (info, _) = first_frame(source, "framescopescale");
        assert_eq!((info.width(), info.height()), (720, 576));
        assert_eq!(info.par(), gst::Fraction::new(16, 15));
        assert_eq!(info.format(), gst_video::VideoFormat::Bgrx);
    }

    #[test]
    fn an_absurd_size_is_an_error_not_an_allocation() {
        crate::engine::init().expect("GStreamer starts");
        let pipeline = gst::parse::launch(
            "videotestsrc num-buffers=1 ! video/x-raw,format=I420,width=64,height=64 ! framescopescale ! video/x-raw,width=40000,height=10 ! fakesink",
        )
        .expect("parses");
        let _ = pipeline.set_state(gst::State::Playing);
        let message = pipeline
            .bus()
            .expect("a bus")
            .timed_pop_filtered(
                gst::ClockTime::from_seconds(10),
                &[gst::MessageType::Error, gst::MessageType::Eos],
            )
            .expect("an answer");
        assert!(
            matches!(message.view(), gst::MessageView::Error(_)),
            "40000 pixels wide was accepted"
        );
        pipeline.set_state(gst::State::Null).expect("it stops");
    }

    #[test]
    fn other_formats_need_a_converter_in_front() {
        crate::engine::init().expect("GStreamer starts");
        let refused = gst::parse::launch(
            "videotestsrc num-buffers=1 ! video/x-raw,format=RGB ! framescopescale ! fakesink",
        )
        .expect_err("RGB is not linked straight in");
        assert!(
            refused.to_string().contains("can't handle caps"),
            "{refused}"
        );
        let (info, _) = first_frame(
            "videotestsrc num-buffers=1 ! video/x-raw,format=RGB,width=64,height=48",
            "videoconvert ! framescopescale ! video/x-raw,width=32,height=24",
        );
        assert_eq!((info.width(), info.height()), (32, 24));
    }
}
