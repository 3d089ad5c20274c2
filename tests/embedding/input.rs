//! Input from hosts and people: input lock against real keys and clicks,
//! the `player.` action group used from outside, chapters marked and
//! reached by keys, and the seek-bar preview under the pointer.

use super::*;

pub fn input_lock_blocks_keys_and_clicks() -> TestResult {
    let (window, view) = playing_view()?;
    view.grab_focus();
    xdotool(&["mousemove", "300", "200"])?;
    run_until(Duration::from_millis(300), || false);
    view.set_input_locked(true);
    view.set_unlock_accel(Some("<Control><Alt>u"));
    check!(
        !view.controls_visible(),
        "controls still shown while locked"
    );
    // Keys: Space (pause), m (mute), f (fullscreen), Right (seek).
    for key in ["space", "m", "f", "Right"] {
        xdotool(&["key", key])?;
    }
    // Clicks: a double click (fullscreen) and a click where the play button was.
    xdotool(&["click", "--repeat", "2", "1"])?;
    xdotool(&["mousemove", "20", "460"])?;
    xdotool(&["click", "1"])?;
    xdotool(&["click", "--repeat", "3", "4"])?;
    run_until(Duration::from_millis(800), || false);
    let player = view.player();
    check!(
        player.state() == PlayerState::Playing,
        "a locked view was paused"
    );
    check!(!player.muted(), "a locked view was muted");
    check!(
        (player.volume() - 1.0).abs() < 1e-9,
        "scrolling changed a locked view's volume to {}",
        player.volume()
    );
    check!(!window.is_fullscreen(), "a locked view went fullscreen");
    check!(
        !view.controls_visible(),
        "input brought the controls back while locked"
    );
    // The host's controls still work while locked: the exported action
    // group (what host buttons bind to) and the view's own actions.
    gio::prelude::ActionGroupExt::activate_action(&view.action_group(), "pause", None);
    check!(
        run_until(Duration::from_secs(3), || player.state()
            == PlayerState::Paused),
        "the host's pause (action group) did not work while locked"
    );
    player.play();
    run_until(Duration::from_secs(3), || {
        player.state() == PlayerState::Playing
    });
    check!(
        view.activate_action("player.pause", None).is_ok(),
        "no pause action"
    );
    check!(
        run_until(Duration::from_secs(3), || player.state()
            == PlayerState::Paused),
        "the host's pause did not work while locked"
    );
    player.play();
    run_until(Duration::from_secs(3), || {
        player.state() == PlayerState::Playing
    });
    // The unlock chord unlocks; then Space works again.
    xdotool(&["key", "ctrl+alt+u"])?;
    check!(
        run_until(Duration::from_secs(2), || !view.input_locked()),
        "the unlock chord did not unlock"
    );
    xdotool(&["key", "space"])?;
    check!(
        run_until(Duration::from_secs(3), || player.state()
            == PlayerState::Paused),
        "Space did nothing after unlocking"
    );
    // Unlocked, scrolling down over the picture lowers the volume a step a notch.
    xdotool(&["mousemove", "300", "200"])?;
    xdotool(&["click", "--repeat", "2", "5"])?;
    check!(
        run_until(Duration::from_secs(2), || (player.volume() - 0.9).abs()
            < 1e-6),
        "two notches down: volume {}",
        player.volume()
    );
    // With an unlock action, the chord runs the host's action instead.
    let asked = Rc::new(Cell::new(0));
    let group = gio::SimpleActionGroup::new();
    let action = gio::SimpleAction::new("ask-pin", None);
    let a = asked.clone();
    action.connect_activate(move |_, _| a.set(a.get() + 1));
    group.add_action(&action);
    window.insert_action_group("host", Some(&group));
    view.set_unlock_action(Some("host.ask-pin"));
    view.set_input_locked(true);
    xdotool(&["key", "ctrl+alt+u"])?;
    check!(
        run_until(Duration::from_secs(2), || asked.get() == 1),
        "the unlock action did not run"
    );
    check!(
        view.input_locked(),
        "the unlock action must decide, not the view"
    );
    window.destroy();
    Ok(())
}

pub fn action_group_follows_the_playlist() -> TestResult {
    let (window, view) = window_with_view();
    let group = view.action_group();
    let player = view.player();
    player.set_items(&[
        clip("h264_aac.mp4").display().to_string(),
        solid_clip(0xff2040c0).display().to_string(),
    ]);
    check!(
        group.is_action_enabled("next"),
        "next disabled on the first of two items"
    );
    check!(
        !group.is_action_enabled("previous"),
        "previous enabled on the first item"
    );
    group.activate_action("next", None);
    check!(player.current_index() == 1, "next did not move to item 1");
    check!(
        !group.is_action_enabled("next"),
        "next enabled on the last item"
    );
    check!(
        group.is_action_enabled("previous"),
        "previous disabled on the last item"
    );
    group.activate_action("seek", Some(&0i64.to_variant()));
    group.activate_action("set-volume", Some(&0.25f64.to_variant()));
    check!(
        (player.volume() - 0.25).abs() < 1e-9,
        "set-volume through the group"
    );
    // The fullscreen request goes to the host first.
    let requests = Rc::new(Cell::new(0));
    let r = requests.clone();
    let id = view.connect_fullscreen_request(move |_| {
        r.set(r.get() + 1);
        true
    });
    group.activate_action("toggle-fullscreen", None);
    run_until(Duration::from_millis(300), || false);
    check!(requests.get() == 1, "fullscreen-request not emitted");
    check!(
        !window.is_fullscreen(),
        "a handled request must not fullscreen the window"
    );
    view.disconnect(id);
    // Transport through the group: play, pause, step, set-rate, stop.
    group.activate_action("play", None);
    check!(
        run_until(Duration::from_secs(10), || player.state()
            == PlayerState::Playing),
        "play through the group: state {:?}",
        player.state()
    );
    group.activate_action("pause", None);
    check!(
        run_until(Duration::from_secs(5), || player.state()
            == PlayerState::Paused
            && player.is_settled()),
        "pause through the group: state {:?}",
        player.state()
    );
    // (A step made in the first moments after a pause can start a frame
    // later than the one read here: issue 7 note.)
    run_until(Duration::from_millis(300), || false);
    let frame = player.frame_number();
    group.activate_action("step", Some(&2i64.to_variant()));
    check!(
        run_until(Duration::from_secs(5), || player.is_settled()
            && player.frame_number() == frame + 2),
        "step 2 through the group: frame {frame} -> {}",
        player.frame_number()
    );
    group.activate_action("set-rate", Some(&2.0f64.to_variant()));
    check!(
        run_until(Duration::from_secs(3), || (player.rate() - 2.0).abs()
            < 1e-9),
        "set-rate through the group: rate {}",
        player.rate()
    );
    group.activate_action("stop", None);
    check!(
        run_until(Duration::from_secs(3), || player.state()
            == PlayerState::Stopped),
        "stop through the group: state {:?}",
        player.state()
    );
    window.destroy();
    Ok(())
}

/// A chaptered clip: ticks below the seek bar at each chapter start, the
/// chapter's title in the bar's tooltip, and Shift+Right / Shift+Left (real
/// key presses) going to the next and previous chapter's first frame.
pub fn chapters_marked_and_reached_by_keys() -> TestResult {
    let (window, view) = window_with_view();
    let player = view.player();
    // Opened paused (a pause asked for while playing starts races that
    // issue 7's note describes; this test is about chapters).
    view.set_autoplay(false);
    view.open(&chaptered_mkv().display().to_string());
    check!(
        wait_settled(&player),
        "the chaptered clip did not open paused"
    );
    check!(
        run_until(Duration::from_secs(5), || view.chapter_marks()
            == [2.0, 4.0]),
        "chapter marks {:?}",
        view.chapter_marks()
    );
    check!(
        view.chapter_at(3.0).as_deref() == Some("Middle (0:02)"),
        "tooltip at 3 s: {:?}",
        view.chapter_at(3.0)
    );
    // The ticks drawn under the bar follow the player's chapters model.
    check!(
        run_until(Duration::from_secs(5), || ticks_under_the_bar(&view) == 2),
        "ticks drawn under the seek bar: {}",
        ticks_under_the_bar(&view)
    );
    view.grab_focus();
    let lands_on = |ns: i64| {
        run_until(Duration::from_secs(5), || {
            player.is_settled() && player.frame_pts() == ns
        })
    };
    xdotool(&["key", "shift+Right"])?;
    check!(
        lands_on(2_000_000_000),
        "Shift+Right: frame at {} ns",
        player.frame_pts()
    );
    xdotool(&["key", "shift+Right"])?;
    check!(
        lands_on(4_000_000_000),
        "Shift+Right again: frame at {} ns",
        player.frame_pts()
    );
    xdotool(&["key", "shift+Left"])?;
    check!(
        lands_on(2_000_000_000),
        "Shift+Left: frame at {} ns",
        player.frame_pts()
    );
    // The seek step is the host's to set: Right now jumps 1.5 s.
    view.set_seek_step(1500);
    xdotool(&["key", "Right"])?;
    check!(
        lands_on(3_480_000_000),
        "Right with a 1.5 s seek step: frame at {} ns",
        player.frame_pts()
    );
    // Media without chapters: the ticks go.
    view.open(&clip("h264_aac.mp4").display().to_string());
    check!(
        run_until(Duration::from_secs(5), || ticks_under_the_bar(&view) == 0),
        "ticks left under the seek bar: {}",
        ticks_under_the_bar(&view)
    );
    window.destroy();
    Ok(())
}

/// Hovering over the seek bar shows the keyframe at or before the time
/// under the pointer (frame numbers read back from the preview's pixels),
/// from a pipeline of its own: the playing picture drops no frame while the
/// pointer sweeps the bar; leaving the bar hides the preview.
pub fn seek_preview_shows_the_keyframe_under_the_pointer() -> TestResult {
    let clip = preview_numbered_clip();
    let path = clip.path();
    let (window, view) = window_with_view();
    let player = view.player();
    view.open(&path.display().to_string());
    check!(
        run_until(Duration::from_secs(10), || player.state()
            == PlayerState::Playing),
        "the numbered clip did not play"
    );
    let mut found = Vec::new();
    scales(view.upcast_ref(), &mut found);
    let scale = found
        .into_iter()
        .max_by_key(|s| s.width())
        .ok_or("no seek bar")?;
    let y = f64::from(scale.height()) / 2.0;
    // The x where the bar's time is closest to `seconds`.
    let x_for = |seconds: f64| {
        (0..scale.width())
            .map(f64::from)
            .min_by(|a, b| {
                let da = (framescope::widget::testing::time_at(&scale, *a) - seconds).abs();
                let db = (framescope::widget::testing::time_at(&scale, *b) - seconds).abs();
                da.total_cmp(&db)
            })
            .unwrap_or(0.0)
    };
    // Wake the controls, then hover at 4.5 s.
    pointer_to(&window, &view, 100.0, 100.0)?;
    run_until(Duration::from_millis(300), || false);
    let x = x_for(4.5);
    pointer_to(&window, &scale, x, y)?;
    let hovered = framescope::widget::testing::time_at(&scale, x);
    check!(
        run_until(Duration::from_secs(5), || view
            .seek_preview_frame()
            .is_some_and(
                |f| (f.time.nseconds() as f64 / 1e9 - hovered).abs() < 1e-6
            )),
        "no preview for {hovered:.2} s (shown: {})",
        view.seek_preview_shown()
    );
    let frame = view.seek_preview_frame().unwrap();
    let number = common::framecode::frame_number(&frame.sample);
    let keyframe = (hovered.floor() as u32) * 25;
    check!(
        number == Some(keyframe),
        "the preview at {hovered:.2} s shows frame {number:?}, not keyframe {keyframe}"
    );
    // Sweep the bar for 3 s while playing: the main picture keeps up.
    let dropped_before = player.stats().dropped;
    let rendered_before = player.stats().rendered;
    for step in 0..30 {
        let seconds = 0.5 + f64::from(step) * 0.3;
        pointer_to(&window, &scale, x_for(seconds), y)?;
        run_until(Duration::from_millis(100), || false);
    }
    let dropped = player.stats().dropped - dropped_before;
    let rendered = player.stats().rendered - rendered_before;
    println!(
        "    sweeping the seek bar for 3 s: main picture rendered {rendered}, dropped {dropped}"
    );
    check!(
        rendered >= 60,
        "the main picture stalled while previewing ({rendered} frames in 3 s)"
    );
    check!(dropped <= 2, "{dropped} frames dropped while previewing");
    // Away from the bar: no preview.
    pointer_to(&window, &view, 100.0, 60.0)?;
    check!(
        run_until(Duration::from_secs(2), || !view.seek_preview_shown()),
        "the preview stayed after the pointer left the bar"
    );
    window.destroy();
    Ok(())
}
