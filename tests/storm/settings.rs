//! The storm's setter operations and actions: one of the remaining
//! settable properties of the player or the view (or a reading), and one
//! `player.` action with its parameter, each with a valid value or (unless
//! valid-only) an invalid one.

use super::ops::{any_f64, any_i64, Call, Rng};
use framescope::engine::{EndAction, Player, Repeat, SeekMode, VideoMode};
use framescope::widget::ControlsMode;
use glib::prelude::*;

/// One of the remaining settable properties of the player or the view, or
/// a reading, with a valid value or (unless `valid_only`) an invalid one.
pub fn any_setting(rng: &mut Rng, v: bool, player: Player) -> (String, Call) {
    let big = |rng: &mut Rng, valid: u32| {
        if v || rng.chance(70) {
            valid
        } else {
            *rng.pick(&[0, u32::MAX, u32::MAX - 1])
        }
    };
    let mut which = rng.below(22);
    // STORM_SETTINGS=3,5,…: only these (for narrowing a failure down).
    if let Ok(only) = std::env::var("STORM_SETTINGS") {
        let allowed: Vec<u64> = only.split(',').filter_map(|x| x.parse().ok()).collect();
        if !allowed.is_empty() && !allowed.contains(&which) {
            which = allowed[(which as usize) % allowed.len()];
        }
    }
    match which {
        0 => {
            let x = big(rng, 200);
            (
                format!("set_stats_interval {x}"),
                Box::new(move |_| player.set_stats_interval(x)),
            )
        }
        1 => {
            let x = big(rng, 64);
            (
                format!("set_frame_cache_mb {x}"),
                Box::new(move |_| player.set_frame_cache_mb(x)),
            )
        }
        2 => {
            let x = big(rng, 2);
            (
                format!("set_max_restarts {x}"),
                Box::new(move |_| player.set_max_restarts(x)),
            )
        }
        3 => {
            let x = big(rng, 800);
            (
                format!("set_stall_timeout {x}"),
                Box::new(move |_| player.set_stall_timeout(x)),
            )
        }
        4 => {
            let (a, b) = (big(rng, 100), big(rng, 1000));
            (
                format!("restart delays {a} {b}"),
                Box::new(move |_| {
                    player.set_restart_delay(a.max(1));
                    player.set_restart_delay_max(b.max(1));
                }),
            )
        }
        5 => {
            let m = *rng.pick(&[
                VideoMode::Auto,
                VideoMode::Gl,
                VideoMode::Software,
                VideoMode::Headless,
                VideoMode::Disabled,
            ]);
            (
                format!("set_video_mode {m:?}"),
                Box::new(move |_| player.set_video_mode(m)),
            )
        }
        6 => {
            let m = *rng.pick(&[
                SeekMode::Accurate,
                SeekMode::Keyframe,
                SeekMode::SnapBefore,
                SeekMode::SnapAfter,
            ]);
            (
                format!("set_seek_mode {m:?}"),
                Box::new(move |_| player.set_seek_mode(m)),
            )
        }
        7 => {
            let r = *rng.pick(&[Repeat::None, Repeat::One, Repeat::All]);
            (
                format!("set_repeat {r:?}"),
                Box::new(move |_| player.set_repeat(r)),
            )
        }
        8 => {
            let on = rng.chance(50);
            (
                format!("set_shuffle {on}"),
                Box::new(move |_| player.set_shuffle(on)),
            )
        }
        9 => {
            let e = *rng.pick(&[
                EndAction::Advance,
                EndAction::LastFrame,
                EndAction::Black,
                EndAction::Loop,
            ]);
            (
                format!("set_end_action {e:?}"),
                Box::new(move |_| player.set_end_action(e)),
            )
        }
        10 => {
            let on = rng.chance(50);
            (
                format!("set_gapless {on}"),
                Box::new(move |_| player.set_gapless(on)),
            )
        }
        11 => {
            let f = rng
                .pick(&[
                    None,
                    Some("Sans Bold 28"),
                    Some(""),
                    Some("((nonsense 9999999"),
                ])
                .map(String::from);
            (
                format!("set_subtitle_font {f:?}"),
                Box::new(move |_| player.set_subtitle_font(f.as_deref())),
            )
        }
        12 => {
            let x = big(rng, 40);
            (
                format!("set_subtitle_lift {x}"),
                Box::new(move |_| player.set_subtitle_lift(x)),
            )
        }
        13 => {
            let x = *rng.pick(&[-1, 0, 200, 2000]);
            (
                format!("set_live_latency_ms {x}"),
                Box::new(move |_| player.set_live_latency_ms(x)),
            )
        }
        14 => {
            let f = rng
                .pick(&[None, Some("/nonexistent/ca.pem"), Some("")])
                .map(String::from);
            (
                format!("set_tls_ca_file {f:?}"),
                Box::new(move |_| player.set_tls_ca_file(f.as_deref())),
            )
        }
        15 => {
            let i = *rng.pick(&[None, Some(0usize), Some(usize::MAX)]);
            (
                format!("select_variant {i:?}"),
                Box::new(move |_| {
                    let _ = player.variants();
                    let _ = player.select_variant(i);
                }),
            )
        }
        16 => (
            "live edge and readings".into(),
            Box::new(move |_| {
                let _ = player.go_to_live_edge();
                let _ = (
                    player.seekable_range(),
                    player.is_live_stream(),
                    player.current_frame(),
                );
                let _ = (
                    player.has_next(),
                    player.has_previous(),
                    player.max_frame_step(),
                );
            }),
        ),
        17 => {
            let c = *rng.pick(&[ControlsMode::Off, ControlsMode::Minimal, ControlsMode::Full]);
            (
                format!("view set_controls {c:?}"),
                Box::new(move |s| s.view.borrow().set_controls(c)),
            )
        }
        18 => {
            let x = if v || rng.chance(70) {
                1000
            } else {
                *rng.pick(&[0, u32::MAX])
            };
            (
                format!("view set_seek_step {x}"),
                Box::new(move |s| s.view.borrow().set_seek_step(x)),
            )
        }
        19 => {
            let on = rng.chance(50);
            (
                format!("view previews/window actions {on}"),
                Box::new(move |s| {
                    let view = s.view.borrow();
                    view.set_seek_previews(on);
                    view.set_window_actions(!on);
                    view.set_autoplay(on);
                }),
            )
        }
        20 => {
            let a = rng
                .pick(&[
                    None,
                    Some("<Control><Alt>u"),
                    Some("nonsense<<>>"),
                    Some(""),
                ])
                .map(String::from);
            (
                format!("view unlock accel {a:?}"),
                Box::new(move |s| {
                    let view = s.view.borrow();
                    view.set_unlock_accel(a.as_deref());
                    view.set_unlock_action(a.as_deref().map(|_| "app.nothing"));
                }),
            )
        }
        _ => {
            let text = rng.pick(&["", "A message", "∞ ünïcödé"]).to_string();
            (
                format!("view show_message {text:?}"),
                Box::new(move |s| {
                    let view = s.view.borrow();
                    view.show_message(&text);
                    let _ = (
                        view.stats_overlay_text(),
                        view.keyframe_ticks(),
                        view.chapter_marks(),
                    );
                }),
            )
        }
    }
}

pub fn any_action(rng: &mut Rng, v: bool) -> (String, Option<glib::Variant>) {
    let plain = [
        "play",
        "pause",
        "toggle-play",
        "stop",
        "toggle-stats",
        "seek-forward",
        "seek-backward",
        "volume-up",
        "volume-down",
        "toggle-mute",
        "next",
        "previous",
        "next-chapter",
        "previous-chapter",
        "step-forward",
        "step-backward",
        "faster",
        "slower",
        "reset-rate",
        "ab-loop",
        "audio-later",
        "audio-earlier",
        "subtitles-later",
        "subtitles-earlier",
    ];
    match rng.below(5) {
        0 => {
            let t = if v {
                rng.below(5_000_000_000) as i64
            } else {
                any_i64(rng, false)
            };
            ("seek".into(), Some(t.to_variant()))
        }
        1 => {
            let x = any_f64(
                rng,
                &[0.0, 0.5, 1.0],
                &[f64::NAN, 7.0, -3.0, f64::INFINITY],
                v,
            );
            ("set-volume".into(), Some(x.to_variant()))
        }
        2 => {
            let x = any_f64(
                rng,
                &[1.0, 2.0, 0.5],
                &[f64::NAN, 0.0, 1e9, -f64::INFINITY],
                v,
            );
            ("set-rate".into(), Some(x.to_variant()))
        }
        3 => {
            let n = if v {
                *rng.pick(&[1i64, -1, 3])
            } else {
                *rng.pick(&[i64::MIN, i64::MAX, 0])
            };
            ("step".into(), Some(n.to_variant()))
        }
        _ => (rng.pick(&plain).to_string(), None),
    }
}
