//! Widget tests under X (Xvfb when no display is set), in a real window with
//! GTK's GL renderer on Mesa. GTK must run on the main thread, so this binary
//! has its own harness: each test runs in turn and a summary line closes it.
//!
//! What is checked: a clip of a known solid colour is shown (pixels read back
//! from the rendered widget) on both video paths, the GL path negotiates
//! GLMemory, the audio-only and error pages appear, the controls hide after
//! 3 s without pointer motion and come back on real pointer motion, and real
//! key presses reach the `player.` actions, and a playing view takes its
//! frames at its frame clock.
//!
//! The tests live in `tests/widget/`, one module per concern; this root
//! holds the table of tests.

mod common;
#[path = "widget/controls.rs"]
mod controls;
#[path = "widget/delivery.rs"]
mod delivery;
#[path = "widget/picture.rs"]
mod picture;
#[path = "widget/timing.rs"]
mod timing;

use common::gui::*;
use common::*;
use framescope::engine::{PlayerState, VideoMode};
use framescope::widget::PlayerView;
use gst::prelude::*;
use gtk::prelude::*;
use std::time::{Duration, Instant};

fn main() {
    let tests: &[NamedTest] = &[
        (
            "timing_keys_step_speed_loop_and_offsets",
            timing::timing_keys_step_speed_loop_and_offsets,
        ),
        (
            "seek_bar_drag_coalesces_and_ends_on_the_exact_frame",
            timing::seek_bar_drag_coalesces_and_ends_on_the_exact_frame,
        ),
        (
            "builder_file_creates_the_widget",
            controls::builder_file_creates_the_widget,
        ),
        (
            "gl_path_shows_the_colour",
            picture::gl_path_shows_the_colour,
        ),
        (
            "software_path_shows_the_colour",
            picture::software_path_shows_the_colour,
        ),
        (
            "software_path_scales_to_the_picture",
            picture::software_path_scales_to_the_picture,
        ),
        (
            "audio_only_view_is_shown",
            picture::audio_only_view_is_shown,
        ),
        (
            "error_view_is_shown_and_next_file_plays",
            picture::error_view_is_shown_and_next_file_plays,
        ),
        (
            "controls_hide_after_3s_and_return_on_motion",
            controls::controls_hide_after_3s_and_return_on_motion,
        ),
        (
            "keyboard_toggles_play_and_mute",
            controls::keyboard_toggles_play_and_mute,
        ),
        (
            "anamorphic_video_keeps_its_pixel_aspect_ratio",
            picture::anamorphic_video_keeps_its_pixel_aspect_ratio,
        ),
        (
            "software_path_draws_frames_with_alpha_blended",
            picture::software_path_draws_frames_with_alpha_blended,
        ),
        (
            "software_path_turns_the_picture_as_tagged",
            picture::software_path_turns_the_picture_as_tagged,
        ),
        (
            "software_path_keeps_its_picture_when_another_thread_reads_the_sink",
            picture::software_path_keeps_its_picture_when_another_thread_reads_the_sink,
        ),
        (
            "view_draws_black_only_around_an_opaque_picture",
            picture::view_draws_black_only_around_an_opaque_picture,
        ),
        (
            "an_unscaled_frame_meets_the_bars_exactly",
            picture::an_unscaled_frame_meets_the_bars_exactly,
        ),
        (
            "a_playing_view_takes_its_frames_at_the_frame_clock",
            delivery::a_playing_view_takes_its_frames_at_the_frame_clock,
        ),
        (
            "shortcuts_window_builds_from_the_key_table",
            controls::shortcuts_window_builds_from_the_key_table,
        ),
        (
            "stats_overlay_appears_and_counts_starved_frames",
            controls::stats_overlay_appears_and_counts_starved_frames,
        ),
        (
            "keyframe_ticks_mark_every_keyframe",
            controls::keyframe_ticks_mark_every_keyframe,
        ),
        (
            "keyframe_ticks_wait_for_the_controls",
            controls::keyframe_ticks_wait_for_the_controls,
        ),
        (
            "keyframe_ticks_count_from_the_time_origin",
            controls::keyframe_ticks_count_from_the_time_origin,
        ),
    ];
    gui_main("widget", tests);
}
