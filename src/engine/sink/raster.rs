//! A cairo pattern that reads an opaque frame straight from the frame's
//! memory each time it is drawn: a raster source.
//!
//! A surface pattern over the same memory draws the same pixels, but a
//! render node that records it keeps a copy-on-write snapshot of the
//! surface, and cairo copies the whole frame into that snapshot when the
//! surface goes, whether or not anything still draws it (cairo 1.16: the
//! surface holds the snapshot). At 1080p30 that copy was 15 % of the main
//! thread (bench/RESULTS.md, issue 18). A raster source is asked for its
//! pixels only while it is being drawn and hands cairo a surface for just
//! that draw; the pattern and each copy of it a recording makes hold a
//! reference to the frame, so the frame lives exactly as long as anything
//! can still draw it, and nothing is copied.

use gtk::cairo::{self, ffi};
use std::ffi::{c_int, c_void};
use std::sync::Arc;

/// The frame's pixels, shared by the pattern and its copies.
struct Pixels {
    bytes: glib::Bytes,
    width: c_int,
    height: c_int,
    stride: c_int,
}

type AcquireFn = unsafe extern "C" fn(
    *mut ffi::cairo_pattern_t,
    *mut c_void,
    *mut ffi::cairo_surface_t,
    *const ffi::cairo_rectangle_int_t,
) -> *mut ffi::cairo_surface_t;
type ReleaseFn =
    unsafe extern "C" fn(*mut ffi::cairo_pattern_t, *mut c_void, *mut ffi::cairo_surface_t);
type CopyFn = unsafe extern "C" fn(
    *mut ffi::cairo_pattern_t,
    *mut c_void,
    *const ffi::cairo_pattern_t,
) -> ffi::cairo_status_t;
type FinishFn = unsafe extern "C" fn(*mut ffi::cairo_pattern_t, *mut c_void);

// cairo ≥ 1.12; cairo-sys leaves these out.
extern "C" {
    fn cairo_pattern_create_raster_source(
        user_data: *mut c_void,
        content: ffi::cairo_content_t,
        width: c_int,
        height: c_int,
    ) -> *mut ffi::cairo_pattern_t;
    fn cairo_raster_source_pattern_set_acquire(
        pattern: *mut ffi::cairo_pattern_t,
        acquire: Option<AcquireFn>,
        release: Option<ReleaseFn>,
    );
    fn cairo_raster_source_pattern_set_copy(
        pattern: *mut ffi::cairo_pattern_t,
        copy: Option<CopyFn>,
    );
    fn cairo_raster_source_pattern_set_finish(
        pattern: *mut ffi::cairo_pattern_t,
        finish: Option<FinishFn>,
    );
}

/// A pattern of `width` × `height` opaque BGRx pixels (cairo's `RGB24` on
/// a little-endian machine), `stride` bytes a row, in `bytes`. `None` when
/// the sizes do not describe the bytes or cairo would refuse the stride.
pub(super) fn opaque_pattern(
    bytes: glib::Bytes,
    width: i32,
    height: i32,
    stride: usize,
) -> Option<cairo::Pattern> {
    let row = usize::try_from(width).ok()?.checked_mul(4)?;
    let rows = usize::try_from(height).ok()?.checked_sub(1)?;
    let needed = stride.checked_mul(rows)?.checked_add(row)?;
    let stride_ok = stride >= row && stride % 4 == 0;
    if width <= 0 || !stride_ok || bytes.len() < needed || cfg!(target_endian = "big") {
        return None;
    }
    let stride = c_int::try_from(stride).ok()?;
    let pixels = Arc::into_raw(Arc::new(Pixels {
        bytes,
        width,
        height,
        stride,
    }));
    // SAFETY: the callbacks below match cairo's signatures; the callback
    // data is one strong count of `pixels`, which `finish` gives back for
    // this pattern and for each copy `copy` made one for.
    unsafe {
        let pattern = cairo_pattern_create_raster_source(
            pixels as *mut c_void,
            ffi::CONTENT_COLOR,
            width,
            height,
        );
        if pattern.is_null() || ffi::cairo_pattern_status(pattern) != ffi::STATUS_SUCCESS {
            // cairo's nil pattern never calls `finish`.
            drop(Arc::from_raw(pixels));
            if !pattern.is_null() {
                ffi::cairo_pattern_destroy(pattern);
            }
            return None;
        }
        cairo_raster_source_pattern_set_acquire(pattern, Some(acquire), Some(release));
        cairo_raster_source_pattern_set_copy(pattern, Some(copy));
        cairo_raster_source_pattern_set_finish(pattern, Some(finish));
        let pattern = cairo::Pattern::from_raw_full(pattern);
        // Bilinear where a frame is drawn at another size (rare: frames are
        // scaled to the size they are shown at).
        pattern.set_filter(cairo::Filter::Good);
        Some(pattern)
    }
}

/// Draw time: a surface over the frame's memory, for this draw only.
unsafe extern "C" fn acquire(
    _pattern: *mut ffi::cairo_pattern_t,
    data: *mut c_void,
    _target: *mut ffi::cairo_surface_t,
    _extents: *const ffi::cairo_rectangle_int_t,
) -> *mut ffi::cairo_surface_t {
    // SAFETY: `data` is a live `Pixels` (the pattern holds a count of it).
    let pixels = unsafe { &*(data as *const Pixels) };
    let memory: &[u8] = &pixels.bytes;
    // SAFETY: the sizes were checked against the memory in
    // `opaque_pattern`; cairo only reads a source, and the memory outlives
    // the surface, which `release` destroys before the pattern can go.
    unsafe {
        ffi::cairo_image_surface_create_for_data(
            memory.as_ptr() as *mut u8,
            ffi::FORMAT_RGB24,
            pixels.width,
            pixels.height,
            pixels.stride,
        )
    }
}

unsafe extern "C" fn release(
    _pattern: *mut ffi::cairo_pattern_t,
    _data: *mut c_void,
    surface: *mut ffi::cairo_surface_t,
) {
    // SAFETY: the surface `acquire` made, released once.
    unsafe { ffi::cairo_surface_destroy(surface) }
}

/// A copy of the pattern (a recording keeps one): one more count.
unsafe extern "C" fn copy(
    _pattern: *mut ffi::cairo_pattern_t,
    data: *mut c_void,
    _other: *const ffi::cairo_pattern_t,
) -> ffi::cairo_status_t {
    // SAFETY: `data` came from `Arc::into_raw` and is still counted by
    // the pattern being copied.
    unsafe { Arc::increment_strong_count(data as *const Pixels) };
    ffi::STATUS_SUCCESS
}

/// The pattern or one of its copies is gone: one count less.
unsafe extern "C" fn finish(_pattern: *mut ffi::cairo_pattern_t, data: *mut c_void) {
    // SAFETY: each pattern (the first and every copy) holds one count.
    unsafe { Arc::decrement_strong_count(data as *const Pixels) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Frame memory that says when it is freed.
    struct Tracked(Vec<u8>, Arc<AtomicBool>);

    impl AsRef<[u8]> for Tracked {
        fn as_ref(&self) -> &[u8] {
            &self.0
        }
    }

    impl Drop for Tracked {
        fn drop(&mut self) {
            self.1.store(true, Ordering::SeqCst);
        }
    }

    /// A 3 × 2 BGRx frame with 4 bytes of padding a row: pixel (x, y) is
    /// blue x·40, green y·100, red 7.
    fn frame() -> (glib::Bytes, Arc<AtomicBool>) {
        let mut pixels = Vec::new();
        for y in 0..2u8 {
            for x in 0..3u8 {
                pixels.extend_from_slice(&[x * 40, y * 100, 7, 0]);
            }
            pixels.extend_from_slice(&[0xEE; 4]);
        }
        let freed = Arc::new(AtomicBool::new(false));
        (
            glib::Bytes::from_owned(Tracked(pixels, freed.clone())),
            freed,
        )
    }

    fn draw(source: &cairo::Pattern) -> Vec<u8> {
        let mut image = cairo::ImageSurface::create(cairo::Format::ARgb32, 3, 2).unwrap();
        {
            let context = cairo::Context::new(&image).unwrap();
            context.set_source(source).unwrap();
            context.paint().unwrap();
        }
        image.flush();
        let stride = image.stride() as usize;
        let data = image.data().unwrap();
        (0..2)
            .flat_map(|y| data[y * stride..y * stride + 12].to_vec())
            .collect()
    }

    #[test]
    fn draws_the_frame_as_opaque_pixels() {
        let (bytes, _) = frame();
        let pattern = opaque_pattern(bytes, 3, 2, 16).unwrap();
        let expected: Vec<u8> = (0..2u8)
            .flat_map(|y| (0..3u8).flat_map(move |x| [x * 40, y * 100, 7, 255]))
            .collect();
        assert_eq!(draw(&pattern), expected);
    }

    #[test]
    fn a_recording_keeps_the_frame_until_it_goes() {
        let (bytes, freed) = frame();
        let pattern = opaque_pattern(bytes, 3, 2, 16).unwrap();
        // What GTK's cairo node does: record the paint, draw it later.
        let recording = cairo::RecordingSurface::create(cairo::Content::ColorAlpha, None).unwrap();
        {
            let context = cairo::Context::new(&recording).unwrap();
            context.set_source(&pattern).unwrap();
            context.paint().unwrap();
        }
        drop(pattern);
        assert!(
            !freed.load(Ordering::SeqCst),
            "freed while a recording draws it"
        );
        let replayed = cairo::SurfacePattern::create(&recording);
        assert_eq!(draw(&replayed)[0..4], [0, 0, 7, 255]);
        drop(replayed);
        drop(recording);
        assert!(
            freed.load(Ordering::SeqCst),
            "kept after the last recording went"
        );
    }

    #[test]
    fn sizes_that_do_not_describe_the_memory_are_refused() {
        for (width, height, stride) in [(3, 2, 8), (3, 3, 16), (0, 2, 16), (3, 0, 16), (3, 2, 15)] {
            let (bytes, _) = frame();
            assert!(
                opaque_pattern(bytes, width, height, stride).is_none(),
                "{width}x{height} stride {stride}"
            );
        }
    }
}
