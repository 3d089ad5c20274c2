//! The controls and their extras: hiding after 3 s and coming back on real
//! pointer motion, real key presses, the widget from GtkBuilder XML, the
//! shortcuts window, the statistics overlay and the keyframe ticks.

use super::*;

pub fn controls_hide_after_3s_and_return_on_motion() -> TestResult {
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

pub fn keyboard_toggles_play_and_mute() -> TestResult {
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

pub fn builder_file_creates_the_widget() -> TestResult {
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

pub fn shortcuts_window_builds_from_the_key_table() -> TestResult {
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
pub fn stats_overlay_appears_and_counts_starved_frames() -> TestResult {
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
pub fn keyframe_ticks_mark_every_keyframe() -> TestResult {
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

/// A view whose controls are off scans nothing for keyframe ticks it does
/// not show (a video wall's tile or a kiosk would read its whole file for
/// them); once its controls are on, and shown, the ticks fill in.
pub fn keyframe_ticks_wait_for_the_controls() -> TestResult {
    let (window, view) = window_with_view();
    view.set_controls(framescope::widget::ControlsMode::Off);
    view.set_autoplay(false);
    view.open(&widget_numbered_clip().path().display().to_string());
    check!(
        run_until(Duration::from_secs(10), || view.player().duration() > 0),
        "the clip did not load"
    );
    // Time for a scan and three refreshes: the 3 s clip's scan takes a
    // fraction of a second (the test above).
    run_until(Duration::from_millis(1600), || false);
    check!(
        view.keyframe_ticks().is_empty(),
        "ticks found with the controls off: {:?}",
        view.keyframe_ticks()
    );
    view.set_controls(framescope::widget::ControlsMode::Minimal);
    check!(
        run_until(Duration::from_secs(10), || view.keyframe_ticks().len() == 3),
        "ticks after the controls came on: {:?}",
        view.keyframe_ticks()
    );
    window.destroy();
    Ok(())
}

/// On an MPEG-TS file whose timestamps start near 12.8 s (the video 0.32 s
/// after the audio), the ticks count from the media's start, as the
/// position does: the keyframes of frames 0, 25, 50 and 75 (1 s apart)
/// tick at 0.32 s, 1.32 s, …
pub fn keyframe_ticks_count_from_the_time_origin() -> TestResult {
    let (window, view) = window_with_view();
    view.set_autoplay(false);
    view.open(&offset_numbered_ts().display().to_string());
    check!(
        run_until(Duration::from_secs(10), || view.keyframe_ticks().len() == 4),
        "ticks: {:?}",
        view.keyframe_ticks()
    );
    run_until(Duration::from_secs(5), || view.player().frame_pts() >= 0);
    let first = view.player().frame_pts() as f64 / 1e9;
    check!((0.3..0.35).contains(&first), "first frame at {first}");
    let ticks = view.keyframe_ticks();
    for (k, t) in ticks.iter().enumerate() {
        let want = first + k as f64;
        check!((t - want).abs() <= 0.001, "tick {k} at {t}, want {want}");
    }
    window.destroy();
    Ok(())
}
