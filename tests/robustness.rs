//! No panic reachable from outside (issue 14): whatever a command line, a
//! host application or an action parameter gives, Framescope refuses it
//! with a sentence (exit 2 for a bad command line, a `warning` signal in
//! the library) or brings it into range; it never panics.
//!
//! Checked here, under X (Xvfb when no display is set) because the widget
//! is part of it, so this binary has its own harness on the main thread:
//! - the executable: TIME values past 100 days, negative, NaN or infinite
//!   exit 2 with one sentence (`snapshot --at`, `--start`); a file name that
//!   is not UTF-8 is inspected, snapshotted and played; audio-only media
//!   with `--no-audio` says there is nothing to show;
//! - every writable numeric property of `Player`, `PlayerView`,
//!   `QueuePanel` and `PlaylistItem` takes the extremes of its type (and
//!   NaN, ±infinity for doubles) through the typed Rust path, with and
//!   without media loaded; rate and volume refusals are `warning`s;
//! - seeks, steps and playlist moves with extreme values, and every
//!   `player.` action with a parameter given extreme values;
//! - a `warning` handler may clear the video filter that caused it.

mod common;

use common::gui::*;
use common::*;
use framescope::engine::{Player, PlayerState};
use framescope::widget::QueuePanel;
use gtk::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// The framescope executable with the tests' own folders (never the user's).
fn framescope(args: &[&std::ffi::OsStr]) -> Output {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("robustness");
    Command::new(env!("CARGO_BIN_EXE_framescope"))
        .args(args)
        .env("DISPLAY", ensure_display())
        .env("XDG_CACHE_HOME", tmp.join("cache"))
        .env("XDG_STATE_HOME", tmp.join("state"))
        .env("XDG_CONFIG_HOME", tmp.join("config"))
        .env_remove("RUST_LOG")
        .output()
        .expect("the framescope binary runs")
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

/// Checks an error exit: the code, and stderr holding exactly one line of
/// ours (one sentence) and no panic; returns that line.
fn one_sentence(out: &Output, code: i32, what: &str) -> Result<String, String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    check!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{what}: panicked:\n{stderr}"
    );
    check!(
        out.status.code() == Some(code),
        "{what}: exit {:?}, not {code}:\n{stderr}",
        out.status.code()
    );
    let ours: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("framescope:"))
        .collect();
    check!(
        ours.len() == 1 && ours[0].ends_with('.'),
        "{what}: not one sentence:\n{stderr}"
    );
    Ok(ours[0].to_string())
}

fn huge_and_invalid_times_exit_2_with_a_sentence() -> TestResult {
    let clip = clip("video_only.webm");
    let out_png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("robustness-never.png");
    for at in [
        "2e10",
        "-1",
        "nan",
        "inf",
        "-inf",
        "1e300",
        "99999999999999999999:00",
        "2400:00:00.001",
        "18446744073.709551616",
    ] {
        let out = framescope(&[
            os("snapshot"),
            clip.as_os_str(),
            os("--at"),
            os(at),
            os("-o"),
            out_png.as_os_str(),
        ]);
        let line = one_sentence(&out, 2, &format!("snapshot --at {at}"))?;
        check!(
            line.contains("--at") && line.contains(at),
            "snapshot --at {at}: the sentence names neither option nor value: {line}"
        );
        check!(!out_png.exists(), "snapshot --at {at} wrote a file");
        let out = framescope(&[
            os("--new-instance"),
            os("--start"),
            os(at),
            clip.as_os_str(),
        ]);
        let line = one_sentence(&out, 2, &format!("--start {at}"))?;
        check!(line.contains("--start"), "--start {at}: {line}");
    }
    let out = framescope(&[
        os("--new-instance"),
        os("--start"),
        os("2e10"),
        clip.as_os_str(),
    ]);
    let line = one_sentence(&out, 2, "--start 2e10")?;
    check!(
        line.contains("100 days"),
        "--start 2e10 says no limit: {line}"
    );
    Ok(())
}

/// A copy of a clip under a name that is not UTF-8 (Latin-1 "café").
fn latin1_named_copy(name: &str) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("robustness-names");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(std::ffi::OsStr::from_bytes(b"caf\xe9 clip.webm"));
    std::fs::copy(clip(name), &path).unwrap();
    path
}

fn file_names_that_are_not_utf8_play() -> TestResult {
    let path = latin1_named_copy("video_only.webm");
    let out = framescope(&[os("inspect"), path.as_os_str()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    check!(
        out.status.success() && stdout.contains("caf%E9%20clip.webm"),
        "inspect: {out:?}"
    );
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("robustness-latin1.png");
    let _ = std::fs::remove_file(&png);
    let out = framescope(&[
        os("snapshot"),
        path.as_os_str(),
        os("--at"),
        os("0.5"),
        os("-o"),
        png.as_os_str(),
    ]);
    check!(out.status.success() && png.exists(), "snapshot: {out:?}");
    let out = framescope(&[
        os("--new-instance"),
        os("--exit-at-end"),
        os("--no-resume"),
        os("--video-path"),
        os("software"),
        path.as_os_str(),
    ]);
    check!(out.status.success(), "play: {out:?}");
    // A missing one is an ordinary error, said in one sentence.
    use std::os::unix::ffi::OsStrExt;
    let missing = std::ffi::OsStr::from_bytes(b"/no/such/dir/caf\xe9.webm");
    let out = framescope(&[os("inspect"), missing]);
    let line = one_sentence(&out, 1, "inspect of a missing non-UTF-8 name")?;
    check!(line.contains("does not exist"), "{line}");
    let out = framescope(&[
        os("--new-instance"),
        os("--exit-at-end"),
        os("--no-resume"),
        missing,
    ]);
    one_sentence(&out, 1, "play of a missing non-UTF-8 name")?;
    Ok(())
}

fn audio_only_media_with_audio_off_says_so() -> TestResult {
    let out = framescope(&[
        os("--new-instance"),
        os("--exit-at-end"),
        os("--no-resume"),
        os("--no-audio"),
        clip("audio_only.ogg").as_os_str(),
    ]);
    let line = one_sentence(&out, 1, "--no-audio on audio-only media")?;
    check!(
        line.contains("has only audio") && line.contains("--no-audio") && !line.contains("damaged"),
        "{line}"
    );
    Ok(())
}

/// Values at and past the ends of a property's type, as GObject values.
fn extremes(pspec: &glib::ParamSpec) -> Vec<glib::Value> {
    let t = pspec.value_type();
    if t == glib::Type::I32 {
        [i32::MIN, -2, -1, 0, i32::MAX].map(|v| v.to_value()).into()
    } else if t == glib::Type::U32 {
        [0, 1, u32::MAX].map(|v| v.to_value()).into()
    } else if t == glib::Type::I64 {
        [i64::MIN, -2, -1, 0, i64::MAX].map(|v| v.to_value()).into()
    } else if t == glib::Type::U64 {
        [0, u64::MAX].map(|v| v.to_value()).into()
    } else if t == glib::Type::F64 {
        [
            f64::NAN,
            f64::NEG_INFINITY,
            f64::MIN,
            -1.0,
            0.0,
            1.5,
            2000.0,
            f64::MAX,
            f64::INFINITY,
        ]
        .map(|v| v.to_value())
        .into()
    } else if t == glib::Type::F32 {
        [f32::NAN, f32::NEG_INFINITY, f32::MAX, f32::INFINITY]
            .map(|v| v.to_value())
            .into()
    } else {
        Vec::new()
    }
}

/// Sets every writable numeric property `object`'s own classes declare to each extreme
/// through the typed Rust path (`set_property_from_value`, what the
/// generated `set_*` methods use), which panics on a value its param-spec
/// calls out of range. Returns the properties that panicked.
fn set_every_extreme(object: &impl IsA<glib::Object>) -> Vec<String> {
    let object = object.upcast_ref::<glib::Object>();
    let mut failed = Vec::new();
    for pspec in object.list_properties().iter() {
        let flags = pspec.flags();
        // Ours only: GTK's own (`width-request`, `opacity`) are GTK's to check.
        if !flags.contains(glib::ParamFlags::WRITABLE)
            || flags.contains(glib::ParamFlags::CONSTRUCT_ONLY)
            || !pspec.owner_type().name().starts_with("Framescope")
        {
            continue;
        }
        for value in extremes(pspec) {
            let name = pspec.name();
            let set = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                object.set_property_from_value(name, &value)
            }));
            if set.is_err() {
                failed.push(format!("{}.{name} = {value:?}", object.type_().name()));
            }
            // Let what the change started run (loads, seeks).
            run_until(Duration::from_millis(20), || false);
        }
        // Back to the default, so the next property meets a usable object.
        if !extremes(pspec).is_empty() {
            let default = pspec.default_value().clone();
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                object.set_property_from_value(pspec.name(), &default)
            }));
        }
    }
    failed
}

fn every_numeric_property_takes_any_value() -> TestResult {
    // Quiet the expected "refused" warnings' logging; they are counted below.
    let mut failed = Vec::new();
    let player = Player::headless();
    failed.extend(set_every_extreme(&player));
    // With media loaded the setters reach the pipeline too.
    let (player, _) = open_paused(&clip("h264_aac.mp4"));
    failed.extend(set_every_extreme(&player));
    player.stop();
    let (window, view) = window_with_view();
    view.player()
        .set_video_mode(framescope::engine::VideoMode::Software);
    failed.extend(set_every_extreme(&view));
    // An object property set to NULL (from C, Python or a .ui file): the
    // view keeps its player (a panic here would abort the process).
    let player = view.player();
    view.set_property_from_value("player", &None::<Player>.to_value());
    check!(view.player() == player, "the view's player changed");
    let panel = QueuePanel::new(Some(&view.player()));
    failed.extend(set_every_extreme(&panel));
    failed.extend(set_every_extreme(&framescope::engine::PlaylistItem::new(
        "/tmp/x.webm",
    )));
    view.player().stop();
    window.destroy();
    check!(failed.is_empty(), "setting these panicked: {failed:?}");
    Ok(())
}

fn refused_rates_and_volumes_are_warnings() -> TestResult {
    let player = Player::headless();
    let out = record(&player);
    for rate in [
        2000.0,
        -2000.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
    ] {
        let before = out.borrow().warnings.len();
        player.set_rate(rate);
        check!(
            player.rate() == 1.0,
            "rate {rate} was taken: {}",
            player.rate()
        );
        check!(
            out.borrow().warnings.len() == before + 1,
            "rate {rate} was refused without a warning"
        );
    }
    player.set_rate(2.0);
    check!(player.rate() == 2.0, "rate 2 refused");
    for (volume, expected) in [
        (1.5, 1.0),
        (-1.0, 0.0),
        (f64::INFINITY, 1.0),
        (f64::NEG_INFINITY, 0.0),
        (0.5, 0.5),
    ] {
        player.set_volume(volume);
        check!(
            player.volume() == expected,
            "volume {volume} became {}, not {expected}",
            player.volume()
        );
    }
    let before = out.borrow().warnings.len();
    player.set_volume(f64::NAN);
    check!(
        player.volume() == 0.5 && out.borrow().warnings.len() == before + 1,
        "volume NaN: {} with warnings {:?}",
        player.volume(),
        out.borrow().warnings
    );
    Ok(())
}

fn a_warning_handler_may_clear_the_video_filter() -> TestResult {
    let player = Player::headless();
    let out = record(&player);
    player.connect_warning(|p, _| p.set_video_filter(None::<&str>));
    player.set_video_filter(Some("no-such-element-anywhere"));
    player.open(&clip("video_only.webm").display().to_string());
    run_until(Duration::from_secs(10), || {
        !out.borrow().warnings.is_empty() || player.state() == PlayerState::Paused
    });
    check!(
        out.borrow()
            .warnings
            .iter()
            .any(|w| w.contains("no-such-element-anywhere")),
        "no warning about the filter: {:?}",
        out.borrow().warnings
    );
    check!(
        player.video_filter().is_none(),
        "the filter was not cleared"
    );
    player.stop();
    Ok(())
}

fn extreme_seeks_steps_and_playlist_moves() -> TestResult {
    let (player, out) = open_paused(&clip("video_only.webm"));
    let last_frame = 1_967_000_000;
    player.seek(gst::ClockTime::MAX);
    check!(
        wait_settled(&player),
        "seek to the largest time never settled"
    );
    check!(
        player.frame_pts() == last_frame,
        "seek to the largest time: frame {}",
        player.frame_pts()
    );
    player.seek_by(i64::MAX);
    player.seek_by(i64::MIN);
    check!(wait_settled(&player), "seek_by(±i64::MAX) never settled");
    check!(
        player.frame_pts() == 0,
        "seek_by(i64::MIN): frame {}",
        player.frame_pts()
    );
    // Three in a row: the waiting steps add up (saturating, not overflowing).
    player.step(i64::MAX);
    player.step(i64::MAX);
    player.step(i64::MAX);
    check!(
        run_until(Duration::from_secs(60), || player.is_settled()),
        "steps forward never ended"
    );
    check!(
        player.frame_pts() == last_frame,
        "step(i64::MAX): frame {}",
        player.frame_pts()
    );
    player.step(i64::MIN);
    player.step(i64::MIN);
    check!(
        run_until(Duration::from_secs(60), || player.is_settled()),
        "steps backward never ended"
    );
    check!(
        player.frame_pts() == 0,
        "step(i64::MIN): frame {}",
        player.frame_pts()
    );
    check!(
        out.borrow().errors.is_empty(),
        "errors: {:?}",
        out.borrow().errors
    );
    let clip = clip("video_only.webm").display().to_string();
    player.set_items(&[clip.as_str(), clip.as_str(), clip.as_str()]);
    player.move_item(u32::MAX, u32::MAX);
    player.move_item(0, u32::MAX);
    player.move_item(u32::MAX, 0);
    player.remove_item(u32::MAX);
    player.set_current_index(i32::MAX);
    check!(player.current_index() == -1, "index past the end was kept");
    player.set_current_index(i32::MIN);
    player.set_current_index(2);
    check!(player.current_index() == 2, "index 2 not taken");
    player.remove_item(2);
    check!(
        player.current_index() == 1 && player.playlist().n_items() == 2,
        "removing the last item playing: index {}",
        player.current_index()
    );
    player.stop();
    Ok(())
}

fn actions_with_parameters_take_any_value() -> TestResult {
    let (window, view) = window_with_view();
    view.player()
        .set_video_mode(framescope::engine::VideoMode::Software);
    view.set_autoplay(false);
    view.open(&clip("video_only.webm").display().to_string());
    run_until(Duration::from_secs(10), || {
        view.player().state() == PlayerState::Paused
    });
    let doubles = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        2000.0,
        -1.0,
        1.5,
        0.0,
    ];
    let ints = [i64::MIN, -1, 0, i64::MAX];
    let group = view.action_group();
    // Through the widget's own actions, then through the host's group.
    for via_group in [false, true] {
        let activate = |name: &str, value: glib::Variant| {
            if via_group {
                group.activate_action(name, Some(&value));
            } else {
                let _ = view.activate_action(&format!("player.{name}"), Some(&value));
            }
            run_until(Duration::from_millis(50), || false);
        };
        for v in doubles {
            activate("set-rate", v.to_variant());
            activate("set-volume", v.to_variant());
        }
        for v in ints {
            activate("seek", v.to_variant());
            run_until(Duration::from_secs(5), || view.player().is_settled());
        }
        for v in [i64::MAX, i64::MIN] {
            activate("step", v.to_variant());
            run_until(Duration::from_secs(30), || view.player().is_settled());
        }
    }
    let rate = view.player().rate();
    let volume = view.player().volume();
    check!(
        rate.is_finite() && (1.0 / 16.0..=16.0).contains(&rate.abs()),
        "rate {rate}"
    );
    check!((0.0..=1.0).contains(&volume), "volume {volume}");
    view.player().stop();
    window.destroy();
    Ok(())
}

fn main() {
    let tests: &[NamedTest] = &[
        (
            "huge_and_invalid_times_exit_2_with_a_sentence",
            huge_and_invalid_times_exit_2_with_a_sentence,
        ),
        (
            "file_names_that_are_not_utf8_play",
            file_names_that_are_not_utf8_play,
        ),
        (
            "audio_only_media_with_audio_off_says_so",
            audio_only_media_with_audio_off_says_so,
        ),
        (
            "refused_rates_and_volumes_are_warnings",
            refused_rates_and_volumes_are_warnings,
        ),
        (
            "every_numeric_property_takes_any_value",
            every_numeric_property_takes_any_value,
        ),
        (
            "a_warning_handler_may_clear_the_video_filter",
            a_warning_handler_may_clear_the_video_filter,
        ),
        (
            "extreme_seeks_steps_and_playlist_moves",
            extreme_seeks_steps_and_playlist_moves,
        ),
        (
            "actions_with_parameters_take_any_value",
            actions_with_parameters_take_any_value,
        ),
    ];
    gui_main("robustness", tests);
}
