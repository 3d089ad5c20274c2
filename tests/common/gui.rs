//! GUI test support: a window with a `PlayerView`, reading back the pixels
//! GTK renders for a widget, real input through xdotool, and finding
//! widgets in a view's tree.

use super::harness::check;
use super::mainloop::run_until;
use framescope::widget::PlayerView;
use gtk::prelude::*;
use std::time::Duration;

pub fn window_with_view() -> (gtk::Window, PlayerView) {
    let window = gtk::Window::builder()
        .default_width(640)
        .default_height(480)
        .title("widget test")
        .build();
    let view = PlayerView::new();
    window.set_child(Some(&view));
    window.present();
    run_until(Duration::from_secs(5), || view.width() > 0);
    (window, view)
}

/// Renders `widget` with its window's GSK renderer into a texture.
pub fn render_texture(widget: &impl IsA<gtk::Widget>) -> Result<gdk::Texture, String> {
    let widget = widget.as_ref();
    let (w, h) = (widget.width(), widget.height());
    check!(w > 0 && h > 0, "widget has no size");
    let paintable = gtk::WidgetPaintable::new(Some(widget));
    let snapshot = gtk::Snapshot::new();
    paintable.snapshot(&snapshot, w as f64, h as f64);
    let node = snapshot.to_node().ok_or("nothing was drawn")?;
    let renderer = widget
        .native()
        .ok_or("widget is not in a window")?
        .renderer()
        .ok_or("no renderer")?;
    Ok(renderer.render_texture(&node, None))
}

/// Renders `widget` with its window's GSK renderer and returns BGRA pixels.
pub fn render_pixels(
    widget: &impl IsA<gtk::Widget>,
) -> Result<(Vec<u8>, usize, usize, usize), String> {
    let texture = render_texture(widget)?;
    let (tw, th) = (texture.width() as usize, texture.height() as usize);
    let stride = tw * 4;
    let mut data = vec![0u8; stride * th];
    texture.download(&mut data, stride);
    Ok((data, tw, th, stride))
}

pub fn pixel_at(data: &[u8], stride: usize, x: usize, y: usize) -> (u8, u8, u8) {
    let i = y * stride + x * 4;
    // Cairo ARGB32 in memory on little-endian: B, G, R, A.
    (data[i + 2], data[i + 1], data[i])
}

pub fn close(a: (u8, u8, u8), b: (u8, u8, u8), tolerance: i32) -> bool {
    (a.0 as i32 - b.0 as i32).abs() <= tolerance
        && (a.1 as i32 - b.1 as i32).abs() <= tolerance
        && (a.2 as i32 - b.2 as i32).abs() <= tolerance
}

pub fn xdotool(args: &[&str]) -> Result<(), String> {
    let status = std::process::Command::new("xdotool")
        .args(args)
        .status()
        .map_err(|e| format!("xdotool not available ({e}); scripts/setup.sh test installs it"))?;
    check!(status.success(), "xdotool {args:?} failed");
    Ok(())
}

/// The first widget under `widget` with the CSS class `class`.
pub fn find_by_class(widget: &gtk::Widget, class: &str) -> Option<gtk::Widget> {
    find_widget(widget, &|w| w.has_css_class(class))
}

/// A view's seek bar: the first scale under `widget` that stretches across.
pub fn find_seek_bar(widget: &gtk::Widget) -> Option<gtk::Scale> {
    find_widget(widget, &|w| {
        w.downcast_ref::<gtk::Scale>()
            .is_some_and(|scale| scale.hexpands())
    })
    .and_then(|w| w.downcast::<gtk::Scale>().ok())
}

/// The first widget for which `wanted` holds: `widget` itself, or one
/// under it (depth first).
pub fn find_widget(
    widget: &gtk::Widget,
    wanted: &dyn Fn(&gtk::Widget) -> bool,
) -> Option<gtk::Widget> {
    if wanted(widget) {
        return Some(widget.clone());
    }
    let mut child = widget.first_child();
    while let Some(c) = child {
        if let Some(found) = find_widget(&c, wanted) {
            return Some(found);
        }
        child = c.next_sibling();
    }
    None
}

/// Moves the real pointer (xdotool) to `(x, y)` of `widget`, in `window`
/// (the newest window titled "widget test").
pub fn pointer_to(
    window: &gtk::Window,
    widget: &impl IsA<gtk::Widget>,
    x: f64,
    y: f64,
) -> Result<(), String> {
    let point = widget
        .compute_point(window, &gtk::graphene::Point::new(x as f32, y as f32))
        .ok_or("the widget is not in the window")?;
    let (dx, dy) = window
        .native()
        .map(|n| n.surface_transform())
        .unwrap_or((0.0, 0.0));
    let found = std::process::Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", "widget test"])
        .output()
        .map_err(|e| e.to_string())?;
    let id = String::from_utf8_lossy(&found.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .to_string();
    check!(!id.is_empty(), "the test window was not found");
    let (px, py) = (
        (f64::from(point.x()) + dx).round().to_string(),
        (f64::from(point.y()) + dy).round().to_string(),
    );
    xdotool(&["mousemove", "--window", &id, &px, &py])
}
