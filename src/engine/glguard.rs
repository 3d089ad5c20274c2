//! Keeps buffer-pool requests that GStreamer's GL library cannot serve away
//! from `glupload`.
//!
//! `glupload` answers a decoder's allocation query by offering a GL buffer
//! pool for whatever raw format the query names. On GStreamer 1.22 the GL
//! library knows a fixed set of formats; for any other one, activating that
//! pool aborts the process (`gst_gl_format_from_video_info: code should not
//! be reached`). It happened twice in the 200 000-operation storm, at the
//! same point of seed 1: a damaged VP9 file whose decoder switched to
//! `Y444_12LE` mid-stream (bench/RESULTS.md, runs 8 and 11). A query probe
//! on every `glupload` sink pad fails allocation queries for other formats;
//! the decoder then uses a pool of its own in system memory, which
//! `glupload` copies from like any other buffer.
//!
//! Threading: the probe runs on the streaming thread that asks, reads only
//! the query, and takes no lock.

use gst::prelude::*;

/// Raw formats the GL library of every GStreamer release we support can
/// make textures of (the oldest `gst_gl_format_from_video_info` knows these).
const POOLABLE: &[gst_video::VideoFormat] = {
    use gst_video::VideoFormat as F;
    &[
        F::Rgbx,
        F::Bgrx,
        F::Xrgb,
        F::Xbgr,
        F::Rgba,
        F::Bgra,
        F::Argb,
        F::Abgr,
        F::Ayuv,
        F::Rgb,
        F::Bgr,
        F::Rgb16,
        F::Bgr16,
        F::Gray16Be,
        F::Gray16Le,
        F::Yuy2,
        F::Uyvy,
        F::Nv12,
        F::Nv21,
        F::Gray8,
        F::Y444,
        F::Y42b,
        F::Y41b,
        F::I420,
        F::Yv12,
    ]
};

/// Whether a GL buffer pool may be offered for `caps`: caps that are not
/// raw video (GL memory, DMA buffers) are left to `glupload`; raw video
/// must be in a format the GL library knows.
pub(crate) fn gl_pool_allowed(caps: &gst::CapsRef) -> bool {
    let Some(structure) = caps.structure(0) else {
        return true;
    };
    let system_memory = caps.features(0).is_none_or(|features| {
        features.contains(gst::CAPS_FEATURE_MEMORY_SYSTEM_MEMORY) || features.is_empty()
    });
    if structure.name() != "video/x-raw" || !system_memory {
        return true;
    }
    match gst_video::VideoInfo::from_caps(caps) {
        Ok(info) => POOLABLE.contains(&info.format()),
        // Caps that do not say which format cannot be pooled safely either.
        Err(_) => false,
    }
}

/// Adds the guard to every `glupload` in `bin` (recursively).
pub(crate) fn guard_uploads(bin: &gst::Bin) {
    for element in bin.iterate_recurse().into_iter().flatten() {
        if element.factory().is_some_and(|f| f.name() == "glupload") {
            if let Some(pad) = element.static_pad("sink") {
                guard_pad(&pad);
            }
        }
    }
}

/// Fails allocation queries on `pad` for caps GL cannot pool.
fn guard_pad(pad: &gst::Pad) {
    pad.add_probe(gst::PadProbeType::QUERY_DOWNSTREAM, |_, info| {
        let Some(query) = info.query() else {
            return gst::PadProbeReturn::Ok;
        };
        let gst::QueryView::Allocation(allocation) = query.view() else {
            return gst::PadProbeReturn::Ok;
        };
        match allocation.get().0 {
            Some(caps) if !gl_pool_allowed(caps) => gst::PadProbeReturn::Drop,
            _ => gst::PadProbeReturn::Ok,
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(text: &str) -> gst::Caps {
        gst::init().unwrap();
        text.parse().unwrap()
    }

    #[test]
    fn formats_the_gl_library_knows_may_be_pooled_others_not() {
        let raw = |f: &str| caps(&format!("video/x-raw,format={f},width=320,height=240"));
        for ok in ["I420", "NV12", "RGBA", "Y444", "YUY2"] {
            assert!(gl_pool_allowed(&raw(ok)), "{ok} should be poolable");
        }
        for refused in ["Y444_12LE", "I420_10LE", "GBR_12LE", "P010_10LE", "v210"] {
            assert!(
                !gl_pool_allowed(&raw(refused)),
                "{refused} should be refused"
            );
        }
        assert!(gl_pool_allowed(&caps(
            "video/x-raw(memory:GLMemory),format=Y444_12LE,width=320,height=240"
        )));
        assert!(!gl_pool_allowed(&caps("video/x-raw,width=320,height=240")));
        assert!(gl_pool_allowed(&caps("video/x-h264")));
    }

    /// A `glupload` that has negotiated I420 and is then asked for a pool
    /// for `Y444_12LE` (what a VP9 decoder switching profile mid-stream
    /// does) offers a GL pool that aborts the process once activated;
    /// guarded, it offers none. Needs a display with GL.
    #[test]
    fn the_guarded_upload_offers_no_pool_it_cannot_activate() {
        gst::init().unwrap();
        for guarded in [false, true] {
            let pipeline = gst::parse::launch(
                "videotestsrc is-live=true ! video/x-raw,format=I420,width=320,height=240 \
                 ! glupload name=up ! fakesink",
            )
            .unwrap()
            .downcast::<gst::Pipeline>()
            .unwrap();
            if guarded {
                guard_uploads(pipeline.upcast_ref());
            }
            pipeline.set_state(gst::State::Playing).unwrap();
            let (result, _, _) = pipeline.state(gst::ClockTime::from_seconds(10));
            if result.is_err() {
                println!("SKIPPED: no GL context here (no display?)");
                let _ = pipeline.set_state(gst::State::Null);
                return;
            }
            let pad = pipeline.by_name("up").unwrap().static_pad("sink").unwrap();
            let mut query = gst::query::Allocation::new(
                Some(&caps(
                    "video/x-raw,format=Y444_12LE,width=320,height=240,framerate=30/1",
                )),
                true,
            );
            let answered = pad.query(&mut query);
            let pools = query.allocation_pools().len();
            pipeline.set_state(gst::State::Null).unwrap();
            if guarded {
                assert!(
                    !answered && pools == 0,
                    "guarded: answered {answered}, {pools} pool(s)"
                );
            } else {
                assert!(
                    answered && pools > 0,
                    "premise: an unguarded glupload offers a pool (answered {answered}, {pools})"
                );
            }
        }
    }
}
