//! The black behind the picture. While an opaque video frame fills its
//! letterboxed place, only the bars around it are drawn: with GTK 4.8's
//! cairo renderer every colour under the picture is a fill of the whole
//! picture's area on every frame, 7 % of the main thread at 1080p30
//! (bench/RESULTS.md, issue 18). Otherwise (no frame yet, a frame with
//! alpha, the audio or error page, a page transition) the whole view is
//! black.

use super::imp;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gdk, graphene};

/// The bars of `outer` left around `inner` (top, bottom, left, right;
/// empty ones left out). `inner` is taken one pixel smaller on each side,
/// so that rounding where GTK places the picture never leaves a seam.
pub(super) fn bars(outer: &graphene::Rect, inner: &graphene::Rect) -> Vec<graphene::Rect> {
    let (ox, oy, ow, oh) = (outer.x(), outer.y(), outer.width(), outer.height());
    let left = (inner.x() + 1.0).clamp(ox, ox + ow);
    let top = (inner.y() + 1.0).clamp(oy, oy + oh);
    let right = (inner.x() + inner.width() - 1.0).clamp(left, ox + ow);
    let bottom = (inner.y() + inner.height() - 1.0).clamp(top, oy + oh);
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

/// Where `GtkPicture` (keep-aspect-ratio, can-shrink) draws a paintable
/// of aspect ratio `ratio` in a `width` × `height` allocation.
pub(super) fn fitted(width: f32, height: f32, ratio: f64) -> graphene::Rect {
    let ratio = ratio as f32;
    let (w, h) = if width / height > ratio {
        (height * ratio, height)
    } else {
        (width, width / ratio)
    };
    graphene::Rect::new((width - w) / 2.0, (height - h) / 2.0, w, h)
}

impl imp::PlayerView {
    /// Draws the backdrop (before the children).
    pub(super) fn snapshot_backdrop(&self, snapshot: &gtk::Snapshot) {
        let obj = self.obj();
        let whole = graphene::Rect::new(0.0, 0.0, obj.width() as f32, obj.height() as f32);
        let black = gdk::RGBA::BLACK;
        match self.opaque_video_area() {
            Some(video) => {
                for bar in bars(&whole, &video) {
                    snapshot.append_color(&black, &bar);
                }
            }
            None => snapshot.append_color(&black, &whole),
        }
    }

    /// Where an opaque frame covers the view, in the view's coordinates.
    fn opaque_video_area(&self) -> Option<graphene::Rect> {
        let picture = &*self.picture;
        let showing_video = self.stack.visible_child_name().as_deref() == Some("video")
            && !self.stack.is_transition_running()
            && picture.is_drawable();
        let paintable = picture.paintable()?;
        if !showing_video || !crate::engine::paintable::is_opaque(&paintable) {
            return None;
        }
        let ratio = paintable.intrinsic_aspect_ratio();
        let (width, height) = (picture.width() as f32, picture.height() as f32);
        if !(ratio.is_finite() && ratio > 0.0 && width > 0.0 && height > 0.0) {
            return None;
        }
        let bounds = picture.compute_bounds(&*self.obj())?;
        let area = fitted(width, height, ratio);
        Some(area.offset_r(bounds.x(), bounds.y()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(rects: &[graphene::Rect]) -> f32 {
        rects.iter().map(|r| r.width() * r.height()).sum()
    }

    #[test]
    fn bars_cover_all_but_the_picture_less_a_pixel_each_side() {
        let outer = graphene::Rect::new(0.0, 0.0, 1280.0, 673.0);
        let inner = fitted(1280.0, 673.0, 16.0 / 9.0);
        assert!((inner.width() - 673.0 * 16.0 / 9.0).abs() < 0.01);
        let bars = bars(&outer, &inner);
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
        let bars = bars(&outer, &outer);
        assert!((area(&bars) - (640.0 * 360.0 - 638.0 * 358.0)).abs() < 0.01);
    }

    #[test]
    fn a_picture_outside_the_view_leaves_it_all_black() {
        let outer = graphene::Rect::new(0.0, 0.0, 100.0, 100.0);
        let inner = graphene::Rect::new(500.0, 500.0, 50.0, 50.0);
        assert!((area(&bars(&outer, &inner)) - 100.0 * 100.0).abs() < 0.01);
    }
}
