//! Widget tests under X (Xvfb when no display is set), in a real window with
//! GTK's GL renderer on Mesa. GTK must run on the main thread, so this binary
//! has its own harness: each test runs in turn and a summary line closes it.
//!
//! What is checked: a clip of a known solid colour is shown (pixels read back
//! from the rendered widget) on both video paths, the GL path negotiates
//! GLMemory, the audio-only and error pages appear, the controls hide after
//! 3 s without pointer motion and come back on real pointer motion, and real
//! key presses reach the `player.` actions.

mod common;

use common::gui::*;
use common::*;
use framescope::engine::{PlayerState, VideoMode};
use framescope::widget::PlayerView;
use gst::prelude::*;
use gtk::prelude::*;
use std::time::{Duration, Instant};

fn sink_caps(view: &PlayerView) -> Option<gst::Caps> {
    let pipeline = view.player().pipeline()?;
    let sink = pipeline
        .iterate_recurse()
        .into_iter()
        .flatten()
        .find(|e| e.factory().is_some_and(|f| f.name() == "gtk4paintablesink"))?;
    sink.static_pad("sink")?.current_caps()
}

fn solid_colour_is_shown(mode: VideoMode) -> TestResult {
    let expected = (0xd0, 0x30, 0x30);
    let clip = solid_clip(0xffd03030);
    let (window, view) = window_with_view();
    view.player().set_video_mode(mode);
    view.player().set_looping(true);
    view.open(&clip.display().to_string());
    check!(
        run_until(Duration::from_secs(10), || view.player().state()
            == PlayerState::Playing),
        "{mode:?}: never started playing (state {:?})",
        view.player().state()
    );
    // Read back until a frame has reached the paintable (or give up).
    let picture = view.picture();
    let mut centre = (0, 0, 0);
    let deadline = Instant::now() + Duration::from_secs(8);
    while Instant::now() < deadline {
        run_until(Duration::from_millis(200), || false);
        if let Ok((data, w, h, stride)) = render_pixels(&picture) {
            centre = pixel_at(&data, stride, w / 2, h / 2);
            if close(centre, expected, 16) {
                break;
            }
        }
    }
    let result = if close(centre, expected, 16) {
        Ok(())
    } else {
        Err(format!(
            "{mode:?}: centre pixel is {centre:?}, expected about {expected:?}"
        ))
    };
    let caps = sink_caps(&view).map(|c| c.to_string()).unwrap_or_default();
    let renderer = window
        .renderer()
        .map(|r| r.type_().name().to_string())
        .unwrap_or_default();
    println!("    {mode:?}: centre {centre:?}, GSK renderer {renderer}, sink caps {caps}");
    match mode {
        VideoMode::Gl => check!(
            caps.contains("memory:GLMemory"),
            "GL path did not negotiate GLMemory: {caps}"
        ),
        _ => check!(
            !caps.is_empty() && !caps.contains("GLMemory"),
            "software path caps: {caps}"
        ),
    }
    check!(
        renderer.contains("GL") || renderer.contains("Ngl"),
        "GSK renderer is {renderer}, not GL"
    );
    let stats = view.player().stats();
    check!(
        stats.rendered > 5,
        "{mode:?}: only {} frames rendered",
        stats.rendered
    );
    window.destroy();
    result
}

fn gl_path_shows_the_colour() -> TestResult {
    solid_colour_is_shown(VideoMode::Gl)
}

fn software_path_shows_the_colour() -> TestResult {
    solid_colour_is_shown(VideoMode::Software)
}

fn software_path_scales_down_to_the_picture() -> TestResult {
    let window = gtk::Window::builder()
        .default_width(200)
        .default_height(150)
        .build();
    let view = PlayerView::new();
    window.set_child(Some(&view));
    window.present();
    view.player().set_video_mode(VideoMode::Software);
    view.player().set_looping(true);
    view.open(&solid_clip(0xffd03030).display().to_string());
    let scaled = run_until(Duration::from_secs(10), || {
        sink_caps(&view)
            .and_then(|c| c.structure(0).and_then(|s| s.get::<i32>("width").ok()))
            .is_some_and(|w| w < 320)
    });
    let caps = sink_caps(&view).map(|c| c.to_string()).unwrap_or_default();
    check!(
        scaled,
        "320x240 video in a 200x150 window reached the sink unscaled: {caps}"
    );
    let size = view.player().video_size().ok_or("no video size")?;
    check!(
        (size.width, size.height) == (320, 240),
        "video-size reports the scaled size"
    );
    window.destroy();
    Ok(())
}

fn anamorphic_video_keeps_its_pixel_aspect_ratio() -> TestResult {
    // 720x576 with 16:11 pixels is a 1047x576 picture (PAL widescreen).
    let clip = anamorphic_clip();
    let (window, view) = window_with_view();
    view.player().set_video_mode(VideoMode::Gl);
    view.open(&clip.display().to_string());
    check!(
        run_until(Duration::from_secs(10), || view
            .player()
            .video_size()
            .is_some()),
        "no video size"
    );
    let size = view.player().video_size().ok_or("no video size")?;
    // Matroska stores a display width (1047), so the PAR comes back as 349:240.
    let par = size.par_n as f64 / size.par_d as f64;
    check!(
        (size.width, size.height) == (720, 576) && (par - 16.0 / 11.0).abs() < 0.005,
        "video-size {size:?}"
    );
    let expected = 720.0 * par / 576.0;
    let ratio_ok = run_until(Duration::from_secs(5), || {
        view.picture()
            .paintable()
            .is_some_and(|p| (p.intrinsic_aspect_ratio() - expected).abs() < 0.01)
    });
    let ratio = view
        .picture()
        .paintable()
        .map(|p| p.intrinsic_aspect_ratio())
        .unwrap_or_default();
    check!(
        ratio_ok,
        "picture aspect ratio {ratio:.3}, expected {expected:.3}"
    );
    window.destroy();
    Ok(())
}

fn audio_only_view_is_shown() -> TestResult {
    let (window, view) = window_with_view();
    view.open(&clip("audio_only.ogg").display().to_string());
    let shown = run_until(Duration::from_secs(10), || view.visible_page() == "audio");
    check!(
        shown,
        "audio page not shown; page {} state {:?}",
        view.visible_page(),
        view.player().state()
    );
    // The page is not a black void: some pixels are bright (icon and text).
    let mut bright = 0;
    let deadline = Instant::now() + Duration::from_secs(5);
    while bright <= 50 && Instant::now() < deadline {
        run_until(Duration::from_millis(200), || false);
        if let Ok((data, w, h, stride)) = render_pixels(&window) {
            bright = (0..h)
                .step_by(4)
                .flat_map(|y| (0..w).step_by(4).map(move |x| (x, y)))
                .filter(|&(x, y)| pixel_at(&data, stride, x, y).0 > 150)
                .count();
        }
    }
    check!(
        bright > 50,
        "audio page looks empty ({bright} bright samples)"
    );
    window.destroy();
    Ok(())
}

fn error_view_is_shown_and_next_file_plays() -> TestResult {
    let (window, view) = window_with_view();
    view.open(&bad_file("text.mp4").display().to_string());
    check!(
        run_until(Duration::from_secs(5), || view.visible_page() == "error"),
        "error page not shown"
    );
    let text = view.error_text().unwrap_or_default();
    check!(
        text.contains("text.mp4") && text.contains("not a media file"),
        "error text: {text}"
    );
    view.open(&clip("video_only.webm").display().to_string());
    check!(
        run_until(Duration::from_secs(10), || view.visible_page() == "video"
            && view.player().state() == PlayerState::Playing),
        "next file did not play after an error"
    );
    window.destroy();
    Ok(())
}

fn controls_hide_after_3s_and_return_on_motion() -> TestResult {
    let (window, view) = window_with_view();
    view.player().set_looping(true);
    view.open(&clip("video_only.webm").display().to_string());
    check!(view.controls_visible(), "controls not visible at start");
    let start = Instant::now();
    check!(
        run_until(Duration::from_secs(6), || !view.controls_visible()),
        "controls never hid"
    );
    let hid_after = start.elapsed();
    check!(
        hid_after >= Duration::from_millis(2500),
        "controls hid too early ({hid_after:?})"
    );
    // Real pointer motion over the window brings them back.
    let (x, y) = window_position(&window);
    xdotool(&["mousemove", &(x + 200).to_string(), &(y + 200).to_string()])?;
    run_until(Duration::from_millis(200), || false);
    xdotool(&["mousemove", &(x + 260).to_string(), &(y + 240).to_string()])?;
    check!(
        run_until(Duration::from_secs(3), || view.controls_visible()),
        "controls did not return on motion"
    );
    println!("    controls hid after {hid_after:?}");
    window.destroy();
    Ok(())
}

fn window_position(window: &gtk::Window) -> (i32, i32) {
    // Xvfb has no window manager, so windows open at the top-left corner.
    let _ = window;
    (0, 0)
}

fn keyboard_toggles_play_and_mute() -> TestResult {
    let (window, view) = window_with_view();
    view.player().set_looping(true);
    view.open(&clip("video_only.webm").display().to_string());
    check!(
        run_until(Duration::from_secs(10), || view.player().state()
            == PlayerState::Playing),
        "not playing"
    );
    view.grab_focus();
    xdotool(&["mousemove", "300", "200"])?;
    run_until(Duration::from_millis(300), || false);
    xdotool(&["key", "space"])?;
    check!(
        run_until(Duration::from_secs(3), || view.player().state()
            == PlayerState::Paused),
        "Space did not pause"
    );
    xdotool(&["key", "m"])?;
    check!(
        run_until(Duration::from_secs(2), || view.player().muted()),
        "m did not mute"
    );
    let before = view.player().volume();
    view.player().set_volume(0.5);
    xdotool(&["key", "Up"])?;
    check!(
        run_until(Duration::from_secs(2), || (view.player().volume() - 0.55)
            .abs()
            < 1e-6),
        "Up did not raise the volume"
    );
    let _ = before;
    xdotool(&["key", "k"])?;
    check!(
        run_until(Duration::from_secs(3), || view.player().state()
            == PlayerState::Playing),
        "k did not resume"
    );
    window.destroy();
    Ok(())
}

fn builder_file_creates_the_widget() -> TestResult {
    let ui = r#"<interface><object class="GtkWindow" id="win"><property name="default-width">320</property>
        <child><object class="FramescopePlayerView" id="view"><property name="autoplay">false</property></object></child>
        </object></interface>"#;
    let builder = gtk::Builder::from_string(ui);
    let view: PlayerView = builder
        .object("view")
        .ok_or("FramescopePlayerView not built from XML")?;
    check!(!view.autoplay(), "autoplay property not applied from XML");
    let win: gtk::Window = builder.object("win").ok_or("no window")?;
    win.destroy();
    Ok(())
}

fn shortcuts_window_builds_from_the_key_table() -> TestResult {
    let ui = framescope::widget::shortcuts_ui(&[(&["<Control>o"], "Open a file")]);
    let builder = gtk::Builder::from_string(&ui);
    let window: gtk::ShortcutsWindow = builder
        .object("shortcuts")
        .ok_or("no GtkShortcutsWindow in the generated UI")?;
    window.present();
    run_until(Duration::from_millis(300), || false);
    check!(window.is_visible(), "shortcuts window not shown");
    window.destroy();
    Ok(())
}

/// Reads the frame number from the picture as rendered on screen: the video
/// is letterboxed inside the picture widget, the code row spans its top.
fn number_on_screen(view: &PlayerView) -> Result<Option<u32>, String> {
    let picture = view.picture();
    let (data, w, h, stride) = render_pixels(&picture)?;
    let scale = (w as f64 / 320.0).min(h as f64 / 240.0);
    let (vw, vh) = (320.0 * scale, 240.0 * scale);
    let (x0, y0) = ((w as f64 - vw) / 2.0, (h as f64 - vh) / 2.0);
    let y = (y0 + vh / 20.0) as usize;
    let mut value = 0u32;
    for bit in 0..20u32 {
        let x = (x0 + (2 * bit + 1) as f64 * vw / 40.0) as usize;
        let (r, g, b) = pixel_at(&data, stride, x, y);
        if (r as u32 + g as u32 + b as u32) / 3 > 128 {
            value |= 1 << bit;
        }
    }
    let n = value & 0xFFFF;
    let check = (n ^ (n >> 4) ^ (n >> 8) ^ (n >> 12) ^ 0x5) & 0xF;
    Ok((value >> 16 == check).then_some(n))
}

/// A window showing the numbered clip paused on its first frame (software
/// path, so the frames on screen are plain memory).
fn paused_numbered_view() -> Result<(gtk::Window, PlayerView), String> {
    let (window, view) = window_with_view();
    view.set_autoplay(false);
    view.player().set_video_mode(VideoMode::Software);
    view.open(&widget_numbered_clip().path().display().to_string());
    check!(settled(&view), "did not load");
    Ok((window, view))
}

fn settled(view: &PlayerView) -> bool {
    run_until(Duration::from_secs(10), || {
        view.player().state() == PlayerState::Paused && view.player().is_settled()
    })
}

/// Waits until the picture on screen shows frame `n`.
fn screen_shows(view: &PlayerView, n: u32) -> TestResult {
    let mut seen = None;
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        run_until(Duration::from_millis(50), || false);
        seen = number_on_screen(view)?;
        if seen == Some(n) {
            return Ok(());
        }
    }
    Err(format!("the screen shows frame {seen:?}, expected {n}"))
}

fn timing_keys_step_speed_loop_and_offsets() -> TestResult {
    let (window, view) = paused_numbered_view()?;
    view.grab_focus();
    xdotool(&["mousemove", "300", "200"])?;
    let key = |k: &str| -> TestResult {
        xdotool(&["key", k])?;
        // Let GTK receive the key before waiting for the player.
        run_until(Duration::from_millis(150), || false);
        check!(settled(&view), "{k}: did not settle");
        Ok(())
    };
    for _ in 0..3 {
        key("period")?;
    }
    check!(
        view.player().frame_number() == 3,
        "three steps: frame {}",
        view.player().frame_number()
    );
    screen_shows(&view, 3)?;
    check!(
        view.message().is_some_and(|m| m.starts_with("Frame 3 ·")),
        "OSD after a step: {:?}",
        view.message()
    );
    // A backward step is served from the step cache and drawn in place of
    // the sink's picture.
    key("comma")?;
    check!(
        view.player().frame_number() == 2,
        "back: frame {}",
        view.player().frame_number()
    );
    screen_shows(&view, 2)?;
    key("period")?;
    screen_shows(&view, 3)?;
    key("bracketright")?;
    check!(
        view.player().rate() == 1.25,
        "] gave {}",
        view.player().rate()
    );
    check!(
        view.message().as_deref() == Some("Speed 1.25×"),
        "{:?}",
        view.message()
    );
    key("bracketleft")?;
    key("bracketleft")?;
    check!(
        view.player().rate() == 0.75,
        "[ [ gave {}",
        view.player().rate()
    );
    key("BackSpace")?;
    check!(
        view.player().rate() == 1.0,
        "Backspace gave {}",
        view.player().rate()
    );
    key("l")?;
    check!(
        view.player().loop_a() == 120_000_000,
        "A at frame 3: {}",
        view.player().loop_a()
    );
    key("period")?;
    key("period")?;
    key("l")?;
    check!(
        view.player().loop_b() == 240_000_000,
        "B after frame 5: {}",
        view.player().loop_b()
    );
    check!(
        view.message().as_deref() == Some("Loop 0:00.120 – 0:00.240"),
        "{:?}",
        view.message()
    );
    screen_shows(&view, 3)?;
    key("l")?;
    check!(
        view.player().loop_a() == -1 && view.player().loop_b() == -1,
        "third l clears"
    );
    key("equal")?;
    key("equal")?;
    check!(
        view.player().av_offset() == 20_000_000,
        "= = gave {}",
        view.player().av_offset()
    );
    check!(
        view.message().as_deref() == Some("Audio delay +20 ms"),
        "{:?}",
        view.message()
    );
    key("minus")?;
    check!(
        view.player().av_offset() == 10_000_000,
        "- gave {}",
        view.player().av_offset()
    );
    key("x")?;
    check!(
        view.player().subtitle_offset() == 10_000_000,
        "x gave {}",
        view.player().subtitle_offset()
    );
    // Stepping back at the first frame says so on screen.
    view.player().seek(gst::ClockTime::ZERO);
    check!(settled(&view), "seek to 0");
    key("comma")?;
    check!(
        view.message().is_some_and(|m| m.contains("first frame")),
        "{:?}",
        view.message()
    );
    window.destroy();
    Ok(())
}

fn seek_bar_drag_coalesces_and_ends_on_the_exact_frame() -> TestResult {
    let (window, view) = paused_numbered_view()?;
    let sink = view
        .player()
        .pipeline()
        .and_then(|p| {
            p.iterate_recurse()
                .into_iter()
                .flatten()
                .find(|e| e.factory().is_some_and(|f| f.name() == "gtk4paintablesink"))
        })
        .ok_or("no video sink")?;
    let flushes = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let count = flushes.clone();
    sink.static_pad("sink").ok_or("no sink pad")?.add_probe(
        gst::PadProbeType::EVENT_FLUSH,
        move |_, info| {
            if info
                .event()
                .is_some_and(|e| e.type_() == gst::EventType::FlushStart)
            {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            gst::PadProbeReturn::Ok
        },
    );
    // A drag: 60 positions in three bursts, as pointer motion delivers them
    // faster than seeks complete.
    let scale = view
        .first_child()
        .and_then(|overlay| find_scale(&overlay))
        .ok_or("no seek bar")?;
    let target = 2.21; // inside frame 55 (2.20 – 2.24 s)
    for i in 0..60 {
        let value = 0.3 + (target - 0.3) * i as f64 / 59.0;
        scale.emit_by_name::<bool>("change-value", &[&gtk::ScrollType::Jump, &value]);
        if i % 20 == 19 {
            run_until(Duration::from_millis(20), || false);
        }
    }
    check!(
        settled(&view)
            && run_until(Duration::from_secs(3), || view.player().frame_number()
                == 55
                && view.player().is_settled()),
        "the drag ended on frame {}",
        view.player().frame_number()
    );
    let flushes = flushes.load(std::sync::atomic::Ordering::SeqCst);
    // Per burst: the first position's seek, then only the newest waiting
    // one; then the accurate seek at the end (and its settling).
    check!(
        flushes <= 10,
        "60 drag positions caused {flushes} flushing seeks"
    );
    screen_shows(&view, 55)?;
    window.destroy();
    Ok(())
}

/// The seek bar: the first GtkScale with a wide range under `widget`.
fn find_scale(widget: &gtk::Widget) -> Option<gtk::Scale> {
    if let Some(scale) = widget.downcast_ref::<gtk::Scale>() {
        if scale.hexpands() {
            return Some(scale.clone());
        }
    }
    let mut child = widget.first_child();
    while let Some(c) = child {
        if let Some(found) = find_scale(&c) {
            return Some(found);
        }
        child = c.next_sibling();
    }
    None
}

/// The number before `word` in the overlay text, e.g. "12 dropped".
fn count_before(text: &str, word: &str) -> Option<u64> {
    let at = text.find(word)?;
    text[..at].split_whitespace().last()?.parse().ok()
}

/// Dark and bright pixel shares inside `rect` of a rendered view.
fn panel_pixels(data: &[u8], stride: usize, rect: &gtk::graphene::Rect) -> (f64, f64) {
    let (mut dark, mut bright, mut total) = (0, 0, 0);
    for y in rect.y() as usize + 2..(rect.y() + rect.height()) as usize - 2 {
        for x in rect.x() as usize + 2..(rect.x() + rect.width()) as usize - 2 {
            let (r, g, b) = pixel_at(data, stride, x, y);
            total += 1;
            if r.max(g).max(b) < 70 {
                dark += 1;
            } else if r.min(g).min(b) > 170 {
                bright += 1;
            }
        }
    }
    (dark as f64 / total as f64, bright as f64 / total as f64)
}

/// Key `i` shows the statistics overlay over the video (seen in the rendered
/// view: a dark panel with light text where the overlay lies), and starving
/// the pipeline (every frame held 70 ms before the sink, at 25 fps) makes its
/// dropped-frame counter climb, in step with the sink's own statistics.
fn stats_overlay_appears_and_counts_starved_frames() -> TestResult {
    let (window, view) = window_with_view();
    let player = view.player();
    player.set_video_mode(VideoMode::Gl);
    player.set_video_filter(Some("identity sleep-time=70000"));
    player.set_looping(true);
    view.open(&widget_numbered_clip().path().display().to_string());
    check!(
        run_until(Duration::from_secs(10), || player.state()
            == PlayerState::Playing),
        "not playing"
    );
    check!(
        !view.stats_overlay_shown(),
        "overlay shown before asked for"
    );
    view.grab_focus();
    xdotool(&["mousemove", "300", "200"])?;
    run_until(Duration::from_millis(300), || false);
    xdotool(&["key", "i"])?;
    check!(
        run_until(Duration::from_secs(3), || view.stats_overlay_shown()),
        "key i did not show the overlay"
    );
    run_until(Duration::from_millis(1200), || false);
    let panel = find_by_class(view.upcast_ref(), "framescope-stats").ok_or("no overlay panel")?;
    let bounds = panel
        .compute_bounds(&view)
        .ok_or("overlay panel has no bounds")?;
    check!(
        bounds.width() > 150.0 && bounds.height() > 80.0,
        "overlay panel too small: {bounds:?}"
    );
    let (data, _, _, stride) = render_pixels(&view)?;
    let (dark, bright) = panel_pixels(&data, stride, &bounds);
    println!(
        "    overlay panel {bounds:?}: {:.0}% dark, {:.1}% text",
        dark * 100.0,
        bright * 100.0
    );
    check!(
        dark > 0.5 && bright > 0.01,
        "overlay not drawn: {dark} dark, {bright} bright"
    );
    let first_text = view.stats_overlay_text();
    let first =
        count_before(&first_text, "dropped").ok_or(format!("no dropped count in {first_text}"))?;
    run_until(Duration::from_secs(3), || false);
    let later_text = view.stats_overlay_text();
    let later =
        count_before(&later_text, "dropped").ok_or(format!("no dropped count in {later_text}"))?;
    println!(
        "    dropped {first} -> {later}; late {:?}",
        count_before(&later_text, "late")
    );
    check!(
        later > first,
        "dropped did not increase while starved: {first} -> {later}\n{later_text}"
    );
    check!(
        later_text.contains("GLMemory") && later_text.contains("H.264"),
        "overlay lacks the GL caps or codec: {later_text}"
    );
    // The screenshot changes with the counters.
    let (data2, _, _, _) = render_pixels(&view)?;
    check!(data2 != data, "overlay picture did not change");
    // The API agrees with what the overlay shows, and the key hides it.
    check!(player.stats().dropped >= later, "API behind the overlay");
    xdotool(&["key", "i"])?;
    check!(
        run_until(Duration::from_secs(2), || !view.stats_overlay_shown()),
        "second i did not hide the overlay"
    );
    window.destroy();
    Ok(())
}

/// The seek bar ticks every keyframe of a local file (found by the
/// background scan), drawn where the slider would stand at those times.
fn keyframe_ticks_mark_every_keyframe() -> TestResult {
    let (window, view) = window_with_view();
    view.set_autoplay(false);
    view.open(&widget_numbered_clip().path().display().to_string());
    check!(
        run_until(Duration::from_secs(10), || view.keyframe_ticks().len() == 3),
        "ticks: {:?}",
        view.keyframe_ticks()
    );
    let ticks = view.keyframe_ticks();
    for (k, t) in ticks.iter().enumerate() {
        let exact = (t - k as f64).abs() <= 1e-6;
        check!(exact, "tick {k} at {t}");
    }
    let strip =
        find_by_class(view.upcast_ref(), "framescope-keyframe-ticks").ok_or("no tick strip")?;
    run_until(Duration::from_secs(2), || view.player().duration() > 0);
    run_until(Duration::from_millis(600), || false);
    let (data, w, h, stride) = render_pixels(&strip)?;
    let mut columns = Vec::new();
    for x in 0..w {
        if (0..h).any(|y| close(pixel_at(&data, stride, x, y), (255, 212, 120), 50)) {
            columns.push(x);
        }
    }
    // Three ticks: at 0, 1/3 and 2/3 of the 3 s clip.
    let groups =
        columns.windows(2).filter(|c| c[1] > c[0] + 1).count() + usize::from(!columns.is_empty());
    check!(groups == 3, "tick columns {columns:?} (strip {w}x{h})");
    println!("    tick columns {columns:?}, strip width {w}");
    let starts: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(i, &c)| *i == 0 || columns[i - 1] + 1 < c)
        .map(|(_, &c)| c)
        .collect();
    let (a, b) = (starts[1] - starts[0], starts[2] - starts[1]);
    check!(
        a.abs_diff(b) <= 2 && a > w / 4,
        "ticks not evenly spread: {starts:?}"
    );
    window.destroy();
    Ok(())
}

fn main() {
    let tests: &[NamedTest] = &[
        (
            "timing_keys_step_speed_loop_and_offsets",
            timing_keys_step_speed_loop_and_offsets,
        ),
        (
            "seek_bar_drag_coalesces_and_ends_on_the_exact_frame",
            seek_bar_drag_coalesces_and_ends_on_the_exact_frame,
        ),
        (
            "builder_file_creates_the_widget",
            builder_file_creates_the_widget,
        ),
        ("gl_path_shows_the_colour", gl_path_shows_the_colour),
        (
            "software_path_shows_the_colour",
            software_path_shows_the_colour,
        ),
        (
            "software_path_scales_down_to_the_picture",
            software_path_scales_down_to_the_picture,
        ),
        ("audio_only_view_is_shown", audio_only_view_is_shown),
        (
            "error_view_is_shown_and_next_file_plays",
            error_view_is_shown_and_next_file_plays,
        ),
        (
            "controls_hide_after_3s_and_return_on_motion",
            controls_hide_after_3s_and_return_on_motion,
        ),
        (
            "keyboard_toggles_play_and_mute",
            keyboard_toggles_play_and_mute,
        ),
        (
            "anamorphic_video_keeps_its_pixel_aspect_ratio",
            anamorphic_video_keeps_its_pixel_aspect_ratio,
        ),
        (
            "shortcuts_window_builds_from_the_key_table",
            shortcuts_window_builds_from_the_key_table,
        ),
        (
            "stats_overlay_appears_and_counts_starved_frames",
            stats_overlay_appears_and_counts_starved_frames,
        ),
        (
            "keyframe_ticks_mark_every_keyframe",
            keyframe_ticks_mark_every_keyframe,
        ),
    ];
    gui_main("widget", tests);
}
