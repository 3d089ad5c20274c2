//! The black behind the picture. While an opaque video frame fills its
//! letterboxed place, only the bars around it are drawn: with GTK 4.8's
//! cairo renderer every colour under the picture is a fill of the whole
//! picture's area on every frame, 7 % of the main thread at 1080p30
//! (bench/RESULTS.md, issue 18). Otherwise (no frame yet, a frame with
//! alpha, the audio or error page, a page transition) the whole view is
//! black.
//!
//! A frame drawn unscaled (`engine::sink::drawn_unscaled`) covers whole
//! pixels, and the bars meet it exactly: then nothing at all is drawn
//! where the picture is, and on X11 cairo copies each frame straight into
//! the window's buffer (with anything drawn there first, it fills a
//! cleared buffer of the frame's size and blends that in: a fifth of the
//! main thread, bench/RESULTS.md). A frame drawn scaled has fractional
//! edges; the bars then reach a pixel under it so that no seam shows.

use super::imp;
use crate::engine::paintable;
use crate::engine::sink::drawn_unscaled;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gdk, graphene};

/// The bars of `outer` left around `inner` (top, bottom, left, right;
/// empty ones left out), reaching `inset` pixels under `inner` on each
/// side.
pub(super) fn bars(
    outer: &graphene::Rect,
    inner: &graphene::Rect,
    inset: f32,
) -> Vec<graphene::Rect> {
    let (ox, oy, ow, oh) = (outer.x(), outer.y(), outer.width(), outer.height());
    let left = (inner.x() + inset).clamp(ox, ox + ow);
    let top = (inner.y() + inset).clamp(oy, oy + oh);
    let right = (inner.x() + inner.width() - inset).clamp(left, ox + ow);
    let bottom = (inner.y() + inner.height() - inset).clamp(top, oy + oh);
    [
        graphene::Rect::new(ox, oy, ow, top - oy),
        graphene::Rect::new(ox, bottom, ow, oy + oh - bottom),
        graphene::Rect::new(ox, top, left - ox, bottom - top),
        graphene::Rect::new(right, top, ox + ow - right, bottom - top),
    ]
    .into_iter()
    .filter(|r| r.width() > 0.0 && r.height() > 0.0)
    .collect()
}

/// Where `GtkPicture` 4.8 (keep-aspect-ratio) places a paintable of aspect
/// ratio `ratio` in a `width` × `height` allocation: the whole-pixel
/// offset it translates to and the size it asks the paintable to draw at,
/// computed as GTK computes them (`gtk_picture_snapshot`), so that the
/// bars meet the picture to the pixel.
pub(super) fn placed(width: i32, height: i32, ratio: f64) -> Option<(i32, i32, f64, f64)> {
    if width <= 0 || height <= 0 || !(ratio.is_finite() && ratio > 0.0) {
        return None;
    }
    let (fw, fh) = (f64::from(width), f64::from(height));
    let (w, h) = if ratio > fw / fh {
        (fw, fw / ratio)
    } else {
        (fh * ratio, fh)
    };
    // GTK stores these in ints: C's conversion truncates toward zero, as
    // `as` does.
    let x = ((fw - w.ceil()) / 2.0) as i32;
    let y = ((fh - h.ceil()).floor() / 2.0) as i32;
    Some((x, y, w, h))
}

impl imp::PlayerView {
    /// Draws the backdrop (before the children).
    pub(super) fn snapshot_backdrop(&self, snapshot: &gtk::Snapshot) {
        let obj = self.obj();
        let whole = graphene::Rect::new(0.0, 0.0, obj.width() as f32, obj.height() as f32);
        let black = gdk::RGBA::BLACK;
        match self.opaque_video_area() {
            Some((video, inset)) => {
                for bar in bars(&whole, &video, inset) {
                    snapshot.append_color(&black, &bar);
                }
            }
            None => snapshot.append_color(&black, &whole),
        }
    }

    /// Where an opaque video frame covers the view, in the view's
    /// coordinates, and how far the bars reach under it (0: the frame
    /// covers exactly those whole pixels; 1: its edges are fractional).
    fn opaque_video_area(&self) -> Option<(graphene::Rect, f32)> {
        let picture = &*self.picture;
        let showing_video = self.stack.visible_child_name().as_deref() == Some("video")
            && !self.stack.is_transition_running()
            && picture.is_drawable();
        let shown = picture.paintable()?;
        if !showing_video || !paintable::is_opaque(&shown) {
            return None;
        }
        let (x, y, w, h) = placed(
            picture.width(),
            picture.height(),
            shown.intrinsic_aspect_ratio(),
        )?;
        let bounds = picture.compute_bounds(&*self.obj())?;
        let (left, top) = (bounds.x() + x as f32, bounds.y() + y as f32);
        match paintable::opaque_pixel_size(&shown).filter(|&size| drawn_unscaled(size, w, h)) {
            Some((pw, ph)) => Some((graphene::Rect::new(left, top, pw as f32, ph as f32), 0.0)),
            None => Some((graphene::Rect::new(left, top, w as f32, h as f32), 1.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(rects: &[graphene::Rect]) -> f32 {
        rects.iter().map(|r| r.width() * r.height()).sum()
    }

    fn place(width: i32, height: i32, ratio: f64) -> graphene::Rect {
        let (x, y, w, h) = placed(width, height, ratio).expect("a place");
        graphene::Rect::new(x as f32, y as f32, w as f32, h as f32)
    }

    #[test]
    fn bars_cover_all_but_the_picture_less_a_pixel_each_side() {
        let outer = graphene::Rect::new(0.0, 0.0, 1280.0, 673.0);
        let inner = place(1280, 673, 16.0 / 9.0);
        assert!((inner.width() - 673.0 * 16.0 / 9.0).abs() < 0.01);
        let bars = bars(&outer, &inner, 1.0);
        assert_eq!(bars.len(), 4, "{bars:?}");
        let uncovered = (inner.width() - 2.0) * (inner.height() - 2.0);
        assert!((area(&bars) + uncovered - 1280.0 * 673.0).abs() < 1.0);
        for bar in &bars {
            let overlap = bar.intersection(&inner.inset_r(1.0, 1.0));
            assert!(
                overlap.is_none_or(|o| o.width() * o.height() < 1e-3),
                "{bar:?}"
            );
        }
    }

    #[test]
    fn a_picture_filling_the_view_leaves_only_the_seam_pixels() {
        let outer = graphene::Rect::new(10.0, 20.0, 640.0, 360.0);
        let bars = bars(&outer, &outer, 1.0);
        assert!((area(&bars) - (640.0 * 360.0 - 638.0 * 358.0)).abs() < 0.01);
        assert!(super::bars(&outer, &outer, 0.0).is_empty());
    }

    #[test]
    fn a_picture_outside_the_view_leaves_it_all_black() {
        let outer = graphene::Rect::new(0.0, 0.0, 100.0, 100.0);
        let inner = graphene::Rect::new(500.0, 500.0, 50.0, 50.0);
        assert!((area(&bars(&outer, &inner, 1.0)) - 100.0 * 100.0).abs() < 0.01);
    }

    #[test]
    fn places_as_gtk_picture_does() {
        // 16:9 in a wider allocation: full height, centred, the offset
        // from the rounded-up width, truncated.
        let (x, y, w, h) = placed(1280, 673, 16.0 / 9.0).expect("a place");
        assert_eq!((x, y), (41, 0));
        assert!((w - 673.0 * 16.0 / 9.0).abs() < 1e-9 && h == 673.0);
        // In a taller one: full width, the vertical offset floored.
        let (x, y, w, h) = placed(640, 480, 16.0 / 9.0).expect("a place");
        assert_eq!((x, y, w, h), (0, 60, 640.0, 360.0));
        let (_, y, _, h) = placed(641, 480, 16.0 / 9.0).expect("a place");
        assert_eq!(y, 59);
        assert!((h - 360.5625).abs() < 1e-9);
        assert_eq!(placed(0, 480, 1.0), None);
        assert_eq!(placed(640, 480, f64::NAN), None);
    }

    #[test]
    fn bars_meet_an_unscaled_frame_exactly() {
        // The frame the chain makes for that place: 1196 x 673.
        let (x, y, w, h) = placed(1280, 673, 1196.0 / 673.0).expect("a place");
        assert!(drawn_unscaled((1196, 673), w, h));
        let outer = graphene::Rect::new(0.0, 0.0, 1280.0, 673.0);
        let inner = graphene::Rect::new(x as f32, y as f32, 1196.0, 673.0);
        let bars = bars(&outer, &inner, 0.0);
        assert_eq!(area(&bars) + 1196.0 * 673.0, 1280.0 * 673.0);
        assert!(bars.iter().all(|b| b.intersection(&inner).is_none()));
        assert!(!drawn_unscaled((1196, 673), 1195.4, 673.0));
    }
}
