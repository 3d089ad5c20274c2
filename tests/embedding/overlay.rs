//! What the view draws over the picture: the overlay modes as rendered, a
//! host overlay from XML, subtitles raised above the controls bar, and the
//! buffering percentage under the spinner.

use super::*;

pub fn overlay_modes_render_as_specified() -> TestResult {
    let (window, view) = playing_view()?;
    let root = view.upcast_ref::<gtk::Widget>();
    view.set_controls(ControlsMode::Full);
    run_until(Duration::from_millis(600), || false);
    check!(view.controls_visible(), "full controls not shown");
    let full_scales = mapped::<gtk::Scale>(root);
    let full_buttons = mapped::<gtk::Button>(root);
    let full_strip = strip_difference(&view, "controls-full")?;

    view.set_controls(ControlsMode::Minimal);
    run_until(Duration::from_millis(600), || false);
    let minimal_scales = mapped::<gtk::Scale>(root);
    let minimal_buttons = mapped::<gtk::Button>(root);
    let minimal_strip = strip_difference(&view, "controls-minimal")?;

    view.set_controls(ControlsMode::Off);
    run_until(Duration::from_millis(600), || false);
    let off_strip = strip_difference(&view, "controls-off")?;
    // Pointer motion does not bring controls back when they are off.
    xdotool(&["mousemove", "200", "200"])?;
    run_until(Duration::from_millis(100), || false);
    xdotool(&["mousemove", "260", "240"])?;
    run_until(Duration::from_millis(500), || false);
    let off_visible = view.controls_visible();

    println!(
        "    strip vs video: full {full_strip:.0}, minimal {minimal_strip:.0}, off {off_strip:.0}; scales {full_scales}/{minimal_scales}, buttons {full_buttons}/{minimal_buttons}"
    );
    check!(
        full_scales == 2 && full_buttons >= 3,
        "full: {full_scales} scales, {full_buttons} buttons"
    );
    check!(
        minimal_scales == 1 && minimal_buttons == 1,
        "minimal: {minimal_scales} scales, {minimal_buttons} buttons (play/pause and seek only)"
    );
    check!(
        full_strip > 60.0 && minimal_strip > 60.0,
        "the controls' strip is not drawn"
    );
    check!(
        off_strip < 15.0,
        "with controls off the strip is not the video ({off_strip:.0})"
    );
    check!(!off_visible, "controls came back with mode off");
    window.destroy();
    Ok(())
}

/// With the controls off nothing moves the seek bar with each frame (a
/// wall's tiles and kiosks do not pay for it); turned back on, it shows
/// where playback is at once.
pub fn the_seek_bar_rests_while_the_controls_are_off() -> TestResult {
    let (window, view) = playing_view()?;
    let player = view.player();
    let bar = find_seek_bar(view.upcast_ref()).ok_or("no seek bar")?;
    view.set_controls(ControlsMode::Off);
    let resting = bar.value();
    let moved_from = player.position();
    run_until(Duration::from_millis(1200), || false);
    check!(
        player.position() != moved_from,
        "playback did not move in 1.2 s"
    );
    check!(
        bar.value() == resting,
        "the hidden seek bar followed playback ({resting:.3} -> {:.3} s)",
        bar.value()
    );
    view.set_controls(ControlsMode::Full);
    let position = player.position() as f64 / 1e9;
    check!(
        (bar.value() - position).abs() < 0.1,
        "controls back on: the bar shows {:.3} s, playback is at {position:.3} s",
        bar.value()
    );
    window.destroy();
    Ok(())
}

pub fn host_overlay_from_xml_is_shown() -> TestResult {
    let ui = r#"<interface><object class="GtkWindow" id="win">
        <property name="default-width">480</property><property name="default-height">320</property>
        <child><object class="FramescopePlayerView" id="view">
          <property name="controls">minimal</property>
          <property name="input-locked">true</property>
          <child type="overlay"><object class="GtkLabel" id="badge">
            <property name="label">LIVE</property><property name="halign">start</property><property name="valign">start</property>
          </object></child>
        </object></child></object></interface>"#;
    let builder = gtk::Builder::from_string(ui);
    let view: PlayerView = builder.object("view").ok_or("no view")?;
    let badge: gtk::Label = builder.object("badge").ok_or("no badge")?;
    let win: gtk::Window = builder.object("win").ok_or("no window")?;
    win.present();
    run_until(Duration::from_secs(3), || badge.is_mapped());
    check!(
        view.controls() == ControlsMode::Minimal,
        "controls not set from XML"
    );
    check!(view.input_locked(), "input-locked not set from XML");
    check!(badge.is_mapped(), "the host overlay is not shown");
    check!(
        badge.ancestor(PlayerView::static_type()).as_ref() == Some(view.upcast_ref()),
        "overlay not inside the view"
    );
    win.destroy();
    Ok(())
}

/// The bottom edge, in video pixels, of the (white) subtitle text on the
/// black frame showing.
fn subtitle_bottom(view: &PlayerView) -> Option<i32> {
    lowest_bright_row(view.player().current_frame()?).map(|y| y as i32 + 1)
}

/// Subtitles are drawn into the picture; while the controls bar covers the
/// picture's bottom, the text is raised above the bar, and it goes back
/// down when the bar hides.
pub fn subtitles_rise_above_the_controls() -> TestResult {
    let (window, view) = window_with_view();
    // At one screen pixel per video pixel the bar covers where GStreamer
    // puts the text.
    window.set_default_size(320, 240);
    run_until(Duration::from_secs(5), || view.height() <= 260);
    let player = view.player();
    player.set_looping(true);
    view.open(&black_eight_seconds().display().to_string());
    view.set_controls(ControlsMode::Full);
    player.play();
    check!(
        run_until(Duration::from_secs(10), || player.state()
            == PlayerState::Playing),
        "the clip did not start playing"
    );
    player.set_subtitle_file(Some(
        continuous_srt("lift.srt", "SUBTITLE LINE")
            .display()
            .to_string()
            .as_str(),
    ));
    // The pointer moving over the picture keeps the controls up.
    let raised_shown = || {
        view.controls_visible() && player.subtitle_lift() > 0 && subtitle_bottom(&view).is_some()
    };
    for i in 0..30 {
        xdotool(&["mousemove", &(300 + i % 2 * 20).to_string(), "200"])?;
        if run_until(Duration::from_millis(500), raised_shown) {
            break;
        }
    }
    check!(
        raised_shown(),
        "no raised subtitle with the controls shown (lift {}, text {:?}, controls {}, size {:?}, tracks {:?}, frame {})",
        player.subtitle_lift(),
        subtitle_bottom(&view),
        view.controls_visible(),
        player.video_size(),
        player.tracks_of(framescope::engine::TrackKind::Subtitle),
        player.current_frame().is_some()
    );
    // Let a frame drawn with the lift reach the screen.
    run_until(Duration::from_millis(400), || false);
    let raised = subtitle_bottom(&view).ok_or("the subtitle went away")?;
    let bar = find_by_class(view.upcast_ref(), "framescope-controls").ok_or("no controls bar")?;
    let bar_top = bar
        .compute_bounds(&view)
        .map(|b| f64::from(b.y()))
        .ok_or("the bar has no place")?;
    let size = player.video_size().ok_or("no video size")?;
    let scale = (f64::from(view.width()) / f64::from(size.width))
        .min(f64::from(view.height()) / f64::from(size.height));
    let border = (f64::from(view.height()) - f64::from(size.height) * scale) / 2.0;
    let raised_on_screen = border + f64::from(raised) * scale;
    check!(
        raised_on_screen <= bar_top + 1.0,
        "the text ends at {raised_on_screen:.0} px, under the bar's top at {bar_top:.0} px"
    );
    view.set_controls(ControlsMode::Off);
    check!(
        run_until(Duration::from_secs(5), || player.subtitle_lift() == 0
            && subtitle_bottom(&view).is_some_and(|b| b > raised + 5)),
        "the text did not go back down with the controls hidden (lift {}, text {:?}, was {raised})",
        player.subtitle_lift(),
        subtitle_bottom(&view)
    );
    println!(
        "    text bottom {raised} px with the bar shown (bar top {bar_top:.0} of {} view px), {:?} px hidden",
        view.height(),
        subtitle_bottom(&view)
    );
    player.stop();
    window.close();
    Ok(())
}

/// An HLS stream from a slow server shows "Buffering N %" under the spinner
/// while it fills its buffer, and the label goes once it plays.
pub fn buffering_shows_its_percentage() -> TestResult {
    let (_, hls) = generated_hls();
    let server = common::http::HttpServer::files(&hls).rate(30_000).start();
    let (window, view) = window_with_view();
    let player = view.player();
    view.open(&server.url("index.m3u8"));
    player.play();
    let label = find_by_class(view.upcast_ref(), "framescope-buffering")
        .and_downcast::<gtk::Label>()
        .ok_or("no buffering label")?;
    let mut seen = None;
    run_until(Duration::from_secs(15), || {
        if label.is_visible() && player.state() == PlayerState::Buffering {
            seen = Some(label.label().to_string());
        }
        seen.is_some()
    });
    let text = seen.ok_or_else(|| {
        format!(
            "no buffering percentage shown (state {:?}, level {})",
            player.state(),
            player.buffering_percent()
        )
    })?;
    let percent: Option<i32> = text
        .strip_prefix("Buffering ")
        .and_then(|t| t.strip_suffix(" %"))
        .and_then(|n| n.parse().ok());
    check!(
        percent.is_some_and(|p| (0..100).contains(&p)),
        "the label says {text:?}"
    );
    check!(
        run_until(Duration::from_secs(30), || player.state()
            == PlayerState::Playing),
        "the slow stream never played"
    );
    check!(!label.is_visible(), "the label stays while playing");
    println!("    shown: {text:?}");
    player.stop();
    window.close();
    Ok(())
}
