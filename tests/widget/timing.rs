//! The timing keys and the seek bar, with the frame number read back from
//! the rendered picture: steps, speed, loops and offsets by key, and a
//! seek-bar drag coalescing its seeks and ending on the exact frame.

use super::*;

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

pub fn timing_keys_step_speed_loop_and_offsets() -> TestResult {
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

pub fn seek_bar_drag_coalesces_and_ends_on_the_exact_frame() -> TestResult {
    let (window, view) = paused_numbered_view()?;
    let sink = view
        .player()
        .pipeline()
        .and_then(|p| {
            p.iterate_recurse().into_iter().flatten().find(|e| {
                e.factory().is_some_and(|f| {
                    matches!(f.name().as_str(), "gtk4paintablesink" | "framescopesink")
                })
            })
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
        .and_then(|overlay| find_seek_bar(&overlay))
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
