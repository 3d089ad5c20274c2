//! Playback as hosts see it: the `examples/hmi.ui` panel and its buttons,
//! the last frame kept while the watchdog restarts, the end actions as
//! rendered, and who stops the player when a view goes away.

use super::*;

pub fn hmi_example_loads_and_its_buttons_drive_the_player() -> TestResult {
    let builder = gtk::Builder::from_string(include_str!("../../examples/hmi.ui"));
    let window: gtk::Window = builder.object("window").ok_or("hmi.ui has no `window`")?;
    let view: PlayerView = builder.object("view").ok_or("hmi.ui has no `view`")?;
    if !view.window_actions() {
        window.insert_action_group("player", Some(&view.action_group()));
    }
    window.present();
    view.open(&clip("h264_aac.mp4").display().to_string());
    view.player().set_looping(true);
    check!(
        run_until(Duration::from_secs(10), || view.player().state()
            == PlayerState::Playing),
        "the panel's view did not play"
    );
    // Press the panel's own buttons by their action names.
    let press = |action: &str| -> TestResult {
        let button =
            find_button(window.upcast_ref(), action).ok_or(format!("no button for {action}"))?;
        check!(button.is_sensitive(), "the {action} button is insensitive");
        button.emit_clicked();
        Ok(())
    };
    press("player.pause")?;
    check!(
        run_until(Duration::from_secs(3), || view.player().state()
            == PlayerState::Paused),
        "the Pause button did not pause"
    );
    press("player.toggle-play")?;
    check!(
        run_until(Duration::from_secs(3), || view.player().state()
            == PlayerState::Playing),
        "the Play/Pause button did not play"
    );
    press("player.toggle-mute")?;
    check!(
        run_until(Duration::from_secs(2), || view.player().muted()),
        "Mute did not mute"
    );
    window.destroy();
    Ok(())
}

fn find_button(widget: &gtk::Widget, action: &str) -> Option<gtk::Button> {
    find_widget(widget, &|w| {
        w.downcast_ref::<gtk::Button>().is_some_and(|button| {
            button.action_name().as_deref() == Some(action)
                && button.ancestor(PlayerView::static_type()).is_none()
        })
    })
    .and_then(|w| w.downcast().ok())
}

/// While the watchdog restarts a stalled stream, the last frame stays on
/// screen (not black, not the error page), and playing resumes after.
pub fn last_frame_stays_while_the_watchdog_restarts() -> TestResult {
    for mode in [VideoMode::Software, VideoMode::Gl] {
        last_frame_stays_on(mode).map_err(|e| format!("{mode:?} path: {e}"))?;
    }
    Ok(())
}

fn last_frame_stays_on(mode: VideoMode) -> TestResult {
    use common::http::{Fault, HttpServer};
    let ts = solid_green_ts();
    let data = std::fs::read(ts).map_err(|e| e.to_string())?;
    let server = HttpServer::bytes(data.clone(), "video/mp2t")
        .rate(data.len() / 3)
        .plan([Fault::StallAfter(data.len() / 4)])
        .start();
    let (window, view) = window_with_view();
    let player = view.player();
    player.set_video_mode(mode);
    player.set_max_restarts(3);
    player.set_stall_timeout(1000);
    player.set_restart_delay(1500);
    let restarted = Rc::new(Cell::new(false));
    let r = restarted.clone();
    player.connect_restarting(move |_, _, _, _| r.set(true));
    view.open(&server.url("green.ts"));
    check!(
        run_until(Duration::from_secs(15), || restarted.get()),
        "the stall was never detected"
    );
    // Inside the 1.5 s restart delay: the still frame is on screen.
    run_until(Duration::from_millis(500), || false);
    let (data, w, h, stride) = render_pixels(&view)?;
    let centre = pixel_at(&data, stride, w / 2, h / 2);
    save_png(&data, w, h, stride, &format!("watchdog-restart-{mode:?}"));
    check!(
        view.visible_page() == "video",
        "page {} while restarting",
        view.visible_page()
    );
    check!(
        close(centre, (0x20, 0xc0, 0x40), 40),
        "the picture during the restart is {centre:?}, not the last frame"
    );
    check!(
        run_until(Duration::from_secs(15), || player.state()
            == PlayerState::Playing
            && player.restarts() == 1),
        "playing did not resume after the restart ({:?})",
        player.state()
    );
    window.destroy();
    Ok(())
}

/// What the view shows once a clip ends, for each end action: the last
/// frame stays (paused), black (stopped, no picture), or the clip goes on
/// looping. Checked on the rendered view.
pub fn end_actions_show_what_they_say() -> TestResult {
    let blue = (0x20, 0x40, 0xc0);
    let (window, view) = window_with_view();
    let player = view.player();
    let centre = |name: &str| -> Result<(u8, u8, u8), String> {
        run_until(Duration::from_millis(300), || false);
        let (data, w, h, stride) = render_when_ready(&view)?;
        save_png(&data, w, h, stride, name);
        Ok(pixel_at(&data, stride, w / 2, h / 2))
    };
    let ends = Rc::new(Cell::new(0));
    let e = ends.clone();
    player.connect_eos(move |_| e.set(e.get() + 1));
    let clip = solid_clip(0xff2040c0).display().to_string();
    // Opens the clip with `action`, waits for its `ends`-th end, and reads
    // the centre of the view (saved as `name`).
    let ended = |action: EndAction, ends_by_now: u32, not_ended: &str, name: &str| {
        player.set_end_action(action);
        view.open(&clip);
        check!(
            run_until(Duration::from_secs(10), || ends.get() == ends_by_now),
            "{not_ended}"
        );
        centre(name)
    };

    let last = ended(
        EndAction::LastFrame,
        1,
        "the 1 s clip did not end (last-frame)",
        "end-last-frame",
    )?;
    check!(
        close(last, blue, 40),
        "last-frame: the view shows {last:?}, not the clip's last frame"
    );
    check!(
        player.state() == PlayerState::Paused,
        "last-frame: state {:?}",
        player.state()
    );

    let black = ended(
        EndAction::Black,
        2,
        "the clip did not end (black)",
        "end-black",
    )?;
    check!(
        black.0 < 16 && black.1 < 16 && black.2 < 16,
        "black: the view shows {black:?}"
    );
    check!(
        player.state() == PlayerState::Stopped,
        "black: state {:?}",
        player.state()
    );

    player.set_end_action(EndAction::Loop);
    view.open(&clip);
    check!(
        run_until(Duration::from_secs(10), || player.state()
            == PlayerState::Playing),
        "the clip did not play (loop)"
    );
    // Three rounds of the 1 s clip: it goes on playing and showing itself.
    run_until(Duration::from_secs(3), || false);
    let looping = centre("end-loop")?;
    check!(
        ends.get() == 2 && player.state() == PlayerState::Playing,
        "loop: {} ends, state {:?}",
        ends.get(),
        player.state()
    );
    check!(close(looping, blue, 40), "loop: the view shows {looping:?}");
    window.destroy();
    Ok(())
}

/// Waits for `player` to play; returns a weak reference to its pipeline.
fn wait_playing(player: &Player, what: &str) -> Result<glib::WeakRef<gst::Pipeline>, String> {
    check!(
        run_until(Duration::from_secs(10), || player.state()
            == PlayerState::Playing),
        "{what}: the clip did not start playing (state {:?})",
        player.state()
    );
    Ok(player
        .pipeline()
        .ok_or_else(|| format!("{what}: playing without a pipeline"))?
        .downgrade())
}

/// Runs the main loop until `pipeline` is stopped and freed and the reaper
/// has nothing left.
fn pipeline_freed(pipeline: &glib::WeakRef<gst::Pipeline>) -> bool {
    run_until(Duration::from_secs(5), || {
        pipeline.upgrade().is_none() && framescope::engine::pending_shutdowns() == 0
    })
}

/// Destroys `window` and lets go of `view` in it: the view is freed
/// within 5 s.
fn view_freed_with(window: gtk::Window, view: PlayerView) -> TestResult {
    let weak_view = view.downgrade();
    drop(view);
    window.destroy();
    drop(window);
    check!(
        run_until(Duration::from_secs(5), || weak_view.upgrade().is_none()),
        "the view outlived its destroyed window"
    );
    Ok(())
}

/// A view stops the player it made itself when it goes away, even while
/// the host still holds that player (as an app's observers do); a player
/// the host gave it and still holds keeps playing, and stops once the host
/// lets go of it too. Nothing is left alive either way.
pub fn a_view_stops_its_own_player_and_leaves_a_hosts_alone() -> TestResult {
    let clip = solid_clip(0xff30a030).display().to_string();
    // (A test that failed before this one may have left its player.)
    let held_before = framescope::engine::pipelines_in_use();

    // The view's own player, held by the host too.
    let (window, view) = window_with_view();
    view.player().set_looping(true);
    view.open(&clip);
    let player = view.player();
    let pipeline = wait_playing(&player, "own player")?;
    view_freed_with(window, view)?;
    check!(
        player.state() == PlayerState::Stopped && player.pipeline().is_none(),
        "the view's own player still plays after the view is gone (state {:?})",
        player.state()
    );
    check!(
        pipeline_freed(&pipeline),
        "the view's own player's pipeline was never stopped and freed"
    );
    let weak_player = player.downgrade();
    drop(player);
    check!(
        weak_player.upgrade().is_none(),
        "the player outlived its view and the host's reference"
    );

    // A host's player, still held by the host: it plays on.
    let player = Player::new();
    player.set_looping(true);
    let window = gtk::Window::builder()
        .default_width(640)
        .default_height(480)
        .title("widget test")
        .build();
    let view = PlayerView::with_player(&player);
    window.set_child(Some(&view));
    window.present();
    player.open(&clip);
    player.play();
    let pipeline = wait_playing(&player, "host's player")?;
    view_freed_with(window, view)?;
    let before = player.position();
    run_until(Duration::from_millis(600), || false);
    check!(
        player.state() == PlayerState::Playing
            && player
                .pipeline()
                .is_some_and(|p| Some(p) == pipeline.upgrade()),
        "destroying the view stopped the host's player (state {:?})",
        player.state()
    );
    check!(
        player.position() > before,
        "the host's player stood still after the view went ({before} ns)"
    );
    // Once the host lets go too, it stops and nothing is left.
    let weak_player = player.downgrade();
    drop(player);
    check!(
        weak_player.upgrade().is_none(),
        "the host's player outlived every reference to it"
    );
    check!(
        pipeline_freed(&pipeline),
        "the host's player's pipeline was never stopped and freed"
    );
    check!(
        framescope::engine::pipelines_in_use() <= held_before,
        "{} pipeline(s) held by players, {held_before} before this test",
        framescope::engine::pipelines_in_use()
    );
    Ok(())
}
