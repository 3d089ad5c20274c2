//! What embedding hosts rely on, under X with real GL (Xvfb when no display
//! is set): the overlay modes as rendered (pixels of the controls' strip,
//! screenshots written to the target folder), input lock against real key
//! presses and clicks, the unlock chord, the `player.` action group used from
//! outside the view (next/previous follow the playlist), the fullscreen
//! request, a host overlay from XML, the `examples/hmi.ui` panel loading
//! and playing with its buttons, and who stops the player when a view goes
//! away (its own player: the view; a host's: the host). GTK runs on the
//! main thread: own harness.
//!
//! The tests live in `tests/embedding/`, one module per concern; this root
//! holds the helpers they share and the table of tests.

mod common;
#[path = "embedding/input.rs"]
mod input;
#[path = "embedding/overlay.rs"]
mod overlay;
#[path = "embedding/playback.rs"]
mod playback;

use common::gui::*;
use common::*;
use framescope::engine::{EndAction, Player, PlayerState, VideoMode};
use framescope::widget::{ControlsMode, PlayerView};
use gtk::gio;
use gtk::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

fn playing_view() -> Result<(gtk::Window, PlayerView), String> {
    let (window, view) = window_with_view();
    view.player().set_looping(true);
    view.open(&solid_clip(0xff2040c0).display().to_string());
    check!(
        run_until(Duration::from_secs(10), || view.player().state()
            == PlayerState::Playing),
        "the clip did not start playing"
    );
    Ok((window, view))
}

/// Visible widgets of type `T` under `widget` (mapped, so really shown).
fn mapped<T: IsA<gtk::Widget>>(widget: &gtk::Widget) -> usize {
    let mut n = usize::from(widget.is::<T>() && widget.is_mapped());
    let mut child = widget.first_child();
    while let Some(c) = child {
        n += mapped::<T>(&c);
        child = c.next_sibling();
    }
    n
}

/// The view's pixels; right after a relayout or a change of picture it may
/// have nothing to draw for a moment, so this tries for up to 2 s.
fn render_when_ready(view: &PlayerView) -> Result<(Vec<u8>, usize, usize, usize), String> {
    let mut rendered = render_pixels(view);
    for _ in 0..20 {
        if rendered.is_ok() {
            break;
        }
        run_until(Duration::from_millis(100), || false);
        rendered = render_pixels(view);
    }
    rendered
}

/// How far the bottom strip (where the controls sit) is from the video's
/// colour, on average over its pixels, and a PNG of the whole view.
fn strip_difference(view: &PlayerView, name: &str) -> Result<f64, String> {
    let (data, w, h, stride) = render_when_ready(view)?;
    let video = pixel_at(&data, stride, w / 2, h / 3);
    let mut total = 0.0;
    let mut count = 0.0;
    for y in (h - 40)..(h - 4) {
        for x in (w / 10..w * 9 / 10).step_by(4) {
            let p = pixel_at(&data, stride, x, y);
            total += ((p.0 as i32 - video.0 as i32).abs()
                + (p.1 as i32 - video.1 as i32).abs()
                + (p.2 as i32 - video.2 as i32).abs()) as f64;
            count += 1.0;
        }
    }
    save_png(&data, w, h, stride, name);
    Ok(total / count)
}

fn save_png(data: &[u8], w: usize, h: usize, stride: usize, name: &str) {
    let bytes = glib::Bytes::from(data);
    let texture = gtk::gdk::MemoryTexture::new(
        w as i32,
        h as i32,
        gtk::gdk::MemoryFormat::B8g8r8a8Premultiplied,
        &bytes,
        stride,
    );
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.png"));
    let _ = texture.save_to_png(&path);
    println!("    screenshot: {}", path.display());
}

/// The marks GTK drew below the view's scales (the chapter ticks: each a
/// `mark` node in the scale's `marks.bottom` node).
fn ticks_under_the_bar(view: &PlayerView) -> usize {
    let mut found = Vec::new();
    scales(view.upcast_ref(), &mut found);
    let mut ticks = 0;
    for scale in found {
        let mut child = scale.first_child();
        while let Some(c) = child {
            if c.css_name() == "marks" && c.has_css_class("bottom") {
                let mut mark = c.first_child();
                while let Some(m) = mark {
                    ticks += usize::from(m.css_name() == "mark");
                    mark = m.next_sibling();
                }
            }
            child = c.next_sibling();
        }
    }
    ticks
}

/// Every `gtk::Scale` under `widget`.
fn scales(widget: &gtk::Widget, found: &mut Vec<gtk::Scale>) {
    if let Some(scale) = widget.downcast_ref::<gtk::Scale>() {
        found.push(scale.clone());
    }
    let mut child = widget.first_child();
    while let Some(c) = child {
        scales(&c, found);
        child = c.next_sibling();
    }
}

fn main() {
    let tests: &[NamedTest] = &[
        (
            "overlay_modes_render_as_specified",
            overlay::overlay_modes_render_as_specified,
        ),
        (
            "the_seek_bar_rests_while_the_controls_are_off",
            overlay::the_seek_bar_rests_while_the_controls_are_off,
        ),
        (
            "input_lock_blocks_keys_and_clicks",
            input::input_lock_blocks_keys_and_clicks,
        ),
        (
            "action_group_follows_the_playlist",
            input::action_group_follows_the_playlist,
        ),
        (
            "host_overlay_from_xml_is_shown",
            overlay::host_overlay_from_xml_is_shown,
        ),
        (
            "last_frame_stays_while_the_watchdog_restarts",
            playback::last_frame_stays_while_the_watchdog_restarts,
        ),
        (
            "chapters_marked_and_reached_by_keys",
            input::chapters_marked_and_reached_by_keys,
        ),
        (
            "seek_preview_shows_the_keyframe_under_the_pointer",
            input::seek_preview_shows_the_keyframe_under_the_pointer,
        ),
        (
            "buffering_shows_its_percentage",
            overlay::buffering_shows_its_percentage,
        ),
        (
            "subtitles_rise_above_the_controls",
            overlay::subtitles_rise_above_the_controls,
        ),
        (
            "end_actions_show_what_they_say",
            playback::end_actions_show_what_they_say,
        ),
        (
            "hmi_example_loads_and_its_buttons_drive_the_player",
            playback::hmi_example_loads_and_its_buttons_drive_the_player,
        ),
        (
            "a_view_stops_its_own_player_and_leaves_a_hosts_alone",
            playback::a_view_stops_its_own_player_and_leaves_a_hosts_alone,
        ),
    ];
    gui_main("embedding", tests);
}
