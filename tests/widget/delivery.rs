//! How the software path's frames reach the picture: while a view on screen
//! plays, at its frame clock (no main-loop wakeup per frame); paused, by an
//! idle callback, so a seek still shows its frame; and a view that stops
//! pulling shows the frame left waiting.

use super::*;
use framescope::widget::testing::frames_taken;

/// Frames taken (idle, at the frame clock) and whether the view pulls now.
fn taken(view: &PlayerView) -> ((u64, u64), bool) {
    frames_taken(view).unwrap_or(((0, 0), false))
}

pub fn a_playing_view_takes_its_frames_at_the_frame_clock() -> TestResult {
    let window = gtk::Window::builder()
        .default_width(320)
        .default_height(240)
        .build();
    let view = PlayerView::new();
    window.set_child(Some(&view));
    window.present();
    let player = view.player();
    player.set_video_mode(VideoMode::Software);
    player.set_looping(true);
    view.open(&ten_seconds_small().display().to_string());
    player.play();
    check!(
        run_until(Duration::from_secs(10), || taken(&view).1),
        "the playing view never took its frames at the frame clock: {:?}, state {:?}",
        taken(&view),
        player.state()
    );
    // 25 fps for 1.5 s: about 37 frames, all at the frame clock.
    let ((idle_before, clock_before), _) = taken(&view);
    run_until(Duration::from_millis(1500), || false);
    let ((idle, clock), pulling) = taken(&view);
    check!(
        pulling && clock >= clock_before + 10,
        "1.5 s of playback took {} frames at the frame clock (pulling: {pulling})",
        clock - clock_before
    );
    check!(
        idle <= idle_before + 2,
        "1.5 s of playback still woke the main loop for {} frames",
        idle - idle_before
    );

    // Paused, the clock stops; a seek's frame comes by an idle callback
    // and is shown.
    player.pause();
    check!(
        run_until(Duration::from_secs(5), || !taken(&view).1),
        "the paused view still pulls frames"
    );
    let ((idle_paused, _), _) = taken(&view);
    player.seek(gst::ClockTime::from_seconds(5));
    check!(
        run_until(Duration::from_secs(5), || taken(&view).0 .0 > idle_paused),
        "the paused seek's frame never reached the picture: {:?}",
        taken(&view)
    );

    // Playing again in a hidden window: nothing to paint, nothing pulled,
    // frames still reach the picture.
    player.play();
    check!(
        run_until(Duration::from_secs(5), || taken(&view).1),
        "the view did not pull again after playing on"
    );
    window.set_visible(false);
    check!(!taken(&view).1, "the hidden view still pulls frames");
    let ((idle_hidden, _), _) = taken(&view);
    check!(
        run_until(Duration::from_secs(5), || taken(&view).0 .0
            >= idle_hidden + 5),
        "frames stopped reaching the hidden view's picture: {:?}",
        taken(&view)
    );
    window.destroy();
    Ok(())
}
