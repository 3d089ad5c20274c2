//! Small cairo drawing helpers shared by the inspector's charts (frame-size
//! strip, GOP histogram, health graphs): plot areas with axes, labels,
//! legends, bars and time series, drawn in the theme's text colour.

use gtk::cairo;
use gtk::prelude::*;

/// An RGB colour, components 0–1.
pub type Rgb = (f64, f64, f64);

/// I pictures.
pub const I_COLOUR: Rgb = (0.86, 0.27, 0.22);
/// P pictures.
pub const P_COLOUR: Rgb = (0.20, 0.50, 0.85);
/// B pictures.
pub const B_COLOUR: Rgb = (0.25, 0.68, 0.36);
/// Pictures of unknown type.
pub const UNKNOWN_COLOUR: Rgb = (0.55, 0.55, 0.55);
/// A second series (late frames, …).
pub const ORANGE: Rgb = (0.93, 0.55, 0.13);
/// The current-position marker.
pub const MARKER: Rgb = (0.95, 0.75, 0.10);

/// The widget's text colour (GTK 4.8 has no `gtk_widget_get_color`).
pub fn foreground(widget: &impl IsA<gtk::Widget>) -> Rgb {
    #[allow(deprecated)]
    let c = widget.as_ref().style_context().color();
    (c.red() as f64, c.green() as f64, c.blue() as f64)
}

/// A rectangle in widget coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Area {
    /// The plot area inside a `width`×`height` drawing, leaving room for a
    /// title above and axis labels left and below.
    pub fn plot(width: i32, height: i32) -> Self {
        let (left, right, top, bottom) = (58.0, 12.0, 22.0, 20.0);
        Self {
            x: left,
            y: top,
            w: (width as f64 - left - right).max(1.0),
            h: (height as f64 - top - bottom).max(1.0),
        }
    }

    /// The y coordinate of `v` on a 0..=`max` scale.
    pub fn y_of(&self, v: f64, max: f64) -> f64 {
        let max = if max > 0.0 { max } else { 1.0 };
        self.y + self.h - (v / max).clamp(0.0, 1.0) * self.h
    }
}

fn set(cr: &cairo::Context, c: Rgb, alpha: f64) {
    cr.set_source_rgba(c.0, c.1, c.2, alpha);
}

/// Text with its baseline's left end at (`x`, `y`).
pub fn text(cr: &cairo::Context, x: f64, y: f64, s: &str, size: f64, c: Rgb) {
    cr.select_font_face("Sans", cairo::FontSlant::Normal, cairo::FontWeight::Normal);
    cr.set_font_size(size);
    set(cr, c, 1.0);
    cr.move_to(x, y);
    let _ = cr.show_text(s);
}

/// Width of `s` at `size`.
pub fn text_width(cr: &cairo::Context, s: &str, size: f64) -> f64 {
    cr.select_font_face("Sans", cairo::FontSlant::Normal, cairo::FontWeight::Normal);
    cr.set_font_size(size);
    cr.text_extents(s).map(|e| e.x_advance()).unwrap_or(0.0)
}

/// The chart's title at the top left.
pub fn title(cr: &cairo::Context, s: &str, fg: Rgb) {
    text(cr, 8.0, 15.0, s, 12.0, fg);
}

/// A centred message instead of a chart ("No data yet").
pub fn placeholder(cr: &cairo::Context, width: i32, height: i32, s: &str, fg: Rgb) {
    let w = text_width(cr, s, 12.0);
    set(cr, fg, 0.6);
    cr.select_font_face("Sans", cairo::FontSlant::Italic, cairo::FontWeight::Normal);
    cr.move_to((width as f64 - w) / 2.0, height as f64 / 2.0);
    let _ = cr.show_text(s);
}

/// Axes around `area` with the y scale's top labelled `max_label` and a
/// faint grid line at half height; `x_labels` go under the left and right
/// ends.
pub fn axes(cr: &cairo::Context, area: Area, max_label: &str, x_labels: (&str, &str), fg: Rgb) {
    set(cr, fg, 0.15);
    cr.set_line_width(1.0);
    for frac in [0.0, 0.5] {
        let y = (area.y + area.h * frac).round() + 0.5;
        cr.move_to(area.x, y);
        cr.line_to(area.x + area.w, y);
    }
    let _ = cr.stroke();
    set(cr, fg, 0.6);
    cr.move_to(area.x + 0.5, area.y);
    cr.line_to(area.x + 0.5, area.y + area.h + 0.5);
    cr.line_to(area.x + area.w, area.y + area.h + 0.5);
    let _ = cr.stroke();
    let w = text_width(cr, max_label, 10.0);
    text(cr, area.x - w - 4.0, area.y + 8.0, max_label, 10.0, fg);
    let w = text_width(cr, "0", 10.0);
    text(cr, area.x - w - 4.0, area.y + area.h, "0", 10.0, fg);
    text(cr, area.x, area.y + area.h + 14.0, x_labels.0, 10.0, fg);
    let w = text_width(cr, x_labels.1, 10.0);
    text(
        cr,
        area.x + area.w - w,
        area.y + area.h + 14.0,
        x_labels.1,
        10.0,
        fg,
    );
}

/// A legend of coloured squares and names, right-aligned at the top.
pub fn legend(cr: &cairo::Context, width: i32, items: &[(&str, Rgb)], fg: Rgb) {
    let total: f64 = items
        .iter()
        .map(|(name, _)| text_width(cr, name, 11.0) + 24.0)
        .sum();
    let mut x = width as f64 - total - 8.0;
    for (name, colour) in items {
        set(cr, *colour, 1.0);
        cr.rectangle(x, 6.0, 10.0, 10.0);
        let _ = cr.fill();
        text(cr, x + 14.0, 15.0, name, 11.0, fg);
        x += text_width(cr, name, 11.0) + 24.0;
    }
}

/// A filled bar from the baseline up to `v` on a 0..=`max` scale, at slot
/// `i` of `n` across the area.
pub fn bar(cr: &cairo::Context, area: Area, i: usize, n: usize, v: f64, max: f64, c: Rgb) {
    let slot = area.w / n.max(1) as f64;
    let gap = if slot > 4.0 { 1.0 } else { 0.0 };
    let top = area.y_of(v, max);
    set(cr, c, 1.0);
    cr.rectangle(
        area.x + i as f64 * slot + gap,
        top,
        (slot - 2.0 * gap).max(1.0),
        area.y + area.h - top,
    );
    let _ = cr.fill();
}

/// A vertical marker line through slot `i` of `n`.
pub fn marker(cr: &cairo::Context, area: Area, i: usize, n: usize) {
    let slot = area.w / n.max(1) as f64;
    let x = area.x + (i as f64 + 0.5) * slot;
    set(cr, MARKER, 1.0);
    cr.set_line_width(2.0);
    cr.move_to(x, area.y - 4.0);
    cr.line_to(x, area.y + area.h);
    let _ = cr.stroke();
    cr.move_to(x - 5.0, area.y - 8.0);
    cr.line_to(x + 5.0, area.y - 8.0);
    cr.line_to(x, area.y - 2.0);
    cr.close_path();
    let _ = cr.fill();
}

/// A line through `points` (x from `x_range`, y on 0..=`max`); `None` values
/// break the line.
pub fn series(
    cr: &cairo::Context,
    area: Area,
    x_range: (f64, f64),
    points: &[(f64, Option<f64>)],
    max: f64,
    c: Rgb,
) {
    let span = (x_range.1 - x_range.0).max(1e-9);
    set(cr, c, 1.0);
    cr.set_line_width(1.5);
    let mut drawing = false;
    for (x, y) in points {
        let Some(y) = y else {
            drawing = false;
            continue;
        };
        let px = area.x + (x - x_range.0) / span * area.w;
        let py = area.y_of(*y, max);
        if drawing {
            cr.line_to(px, py);
        } else {
            cr.move_to(px, py);
            // A lone point still shows.
            cr.line_to(px + 0.5, py);
            drawing = true;
        }
    }
    let _ = cr.stroke();
}

/// A round, readable top for a scale whose largest value is `max`
/// (1, 2 or 5 times a power of ten).
pub fn nice_max(max: f64) -> f64 {
    if max.is_nan() || max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|v| *v >= max)
        .unwrap_or(10.0 * power)
}

/// Bits per second in kbit/s or Mbit/s.
pub fn bitrate_label(bits: f64) -> String {
    if bits >= 1e6 {
        format!("{:.2} Mbit/s", bits / 1e6)
    } else {
        format!("{:.0} kbit/s", bits / 1e3)
    }
}

/// Bytes as B, KiB or MiB.
pub fn bytes_label(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", bytes / 1024.0 / 1024.0)
    } else if bytes >= 1024.0 {
        format!("{:.0} KiB", bytes / 1024.0)
    } else {
        format!("{bytes:.0} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_round_up() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(3.0), 5.0);
        assert_eq!(nice_max(1200.0), 2000.0);
        assert_eq!(nice_max(10.0), 10.0);
        assert_eq!(bitrate_label(2_500_000.0), "2.50 Mbit/s");
        assert_eq!(bytes_label(2048.0), "2 KiB");
        let a = Area::plot(200, 100);
        assert_eq!(a.y_of(0.0, 10.0), a.y + a.h);
        assert_eq!(a.y_of(20.0, 10.0), a.y);
    }
}
