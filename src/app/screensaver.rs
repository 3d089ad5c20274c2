//! Keeping the screen awake: while video plays, the session is asked not to
//! blank the screen or suspend (GTK's inhibitor, which a session manager may
//! decline, e.g. under a bare Xvfb); when playback pauses, stops or fails,
//! the request is withdrawn. The desktop player and kiosk mode both use it.

use framescope::engine::{Player, PlayerState};
use gtk::prelude::*;
use std::cell::Cell;
use std::rc::Rc;

/// Inhibits idle and suspend while `player` plays in `window`;
/// `on_request(granted)` hears of every request made.
pub fn keep_awake_while_playing(
    app: &gtk::Application,
    window: &gtk::ApplicationWindow,
    player: &Player,
    on_request: impl Fn(bool) + 'static,
) {
    let cookie = Rc::new(Cell::new(0u32));
    let app = app.downgrade();
    let window = window.downgrade();
    player.connect_state_notify(move |player| {
        let (Some(app), Some(window)) = (app.upgrade(), window.upgrade()) else {
            return;
        };
        let playing = player.state() == PlayerState::Playing && player.has_video();
        if playing && cookie.get() == 0 {
            let granted = app.inhibit(
                Some(&window),
                gtk::ApplicationInhibitFlags::IDLE | gtk::ApplicationInhibitFlags::SUSPEND,
                Some("Playing video"),
            );
            if granted != 0 {
                cookie.set(granted);
            } else {
                tracing::info!("the session did not accept the screen-blanking inhibitor");
            }
            on_request(granted != 0);
        } else if !playing && cookie.get() != 0 && player.state() != PlayerState::Loading {
            app.uninhibit(cookie.replace(0));
        }
    });
}
