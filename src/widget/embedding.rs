//! What embedding hosts configure on a [`PlayerView`]: how much of the
//! on-screen controls to show ([`ControlsMode`]), and the `player.` actions
//! offered as a [`gio::ActionGroup`] so buttons outside the view (or in a
//! `.ui` file beside it) can use them.

use crate::widget::PlayerView;
use gtk::prelude::*;
use gtk::{gio, glib};

/// How much of the on-screen controls the view shows.
#[derive(Debug, Eq, PartialEq, Clone, Copy, Hash, Default, glib::Enum)]
#[enum_type(name = "FramescopeControlsMode")]
pub enum ControlsMode {
    /// No controls at all (kiosks, video walls, hosts with their own buttons).
    Off,
    /// Play/pause and the seek bar.
    Minimal,
    /// Everything: times, speed, volume, fullscreen.
    #[default]
    Full,
}

/// Every action in the view's `player.` group, with its parameter type.
pub const PLAYER_ACTIONS: &[(&str, Option<&str>)] = &[
    ("play", None),
    ("pause", None),
    ("toggle-play", None),
    ("stop", None),
    ("seek", Some("x")),
    ("seek-forward", None),
    ("seek-backward", None),
    ("step", Some("x")),
    ("step-forward", None),
    ("step-backward", None),
    ("set-rate", Some("d")),
    ("faster", None),
    ("slower", None),
    ("reset-rate", None),
    ("set-volume", Some("d")),
    ("volume-up", None),
    ("volume-down", None),
    ("toggle-mute", None),
    ("next", None),
    ("previous", None),
    ("next-chapter", None),
    ("previous-chapter", None),
    ("toggle-fullscreen", None),
    ("leave-fullscreen", None),
    ("toggle-stats", None),
    ("ab-loop", None),
    ("audio-later", None),
    ("audio-earlier", None),
    ("subtitles-later", None),
    ("subtitles-earlier", None),
];

/// Builds the action group mirroring `view`'s `player.` actions: each one
/// forwards to the view (held weakly), and its enabled state follows the
/// view's. They are the host's controls, so they work while the view's
/// input is locked (the lock stops the user's keys, clicks and scrolls).
pub fn action_group(view: &PlayerView) -> gio::SimpleActionGroup {
    let group = gio::SimpleActionGroup::new();
    for (name, parameter) in PLAYER_ACTIONS {
        let ty = parameter.map(|p| glib::VariantType::new(p).expect("valid variant type"));
        let action = gio::SimpleAction::new(name, ty.as_deref());
        let weak = view.downgrade();
        let full = format!("player.{name}");
        action.connect_activate(move |_, param| {
            if let Some(view) = weak.upgrade() {
                let _ = view.activate_action(&full, param);
            }
        });
        group.add_action(&action);
    }
    sync_enabled(view, &group);
    let weak_group = group.downgrade();
    let player = view.player();
    let weak_view = view.downgrade();
    let update = move || {
        if let (Some(view), Some(group)) = (weak_view.upgrade(), weak_group.upgrade()) {
            sync_enabled(&view, &group);
        }
    };
    let u = update.clone();
    player.connect_current_index_notify(move |_| u());
    let u = update.clone();
    player.connect_repeat_notify(move |_| u());
    player
        .playlist()
        .connect_items_changed(move |_, _, _, _| update());
    group
}

/// Enables next/previous only when there is somewhere to go.
fn sync_enabled(view: &PlayerView, group: &gio::SimpleActionGroup) {
    let player = view.player();
    for (name, enabled) in [
        ("next", player.has_next()),
        ("previous", player.has_previous()),
    ] {
        if let Some(action) = group
            .lookup_action(name)
            .and_downcast::<gio::SimpleAction>()
        {
            action.set_enabled(enabled);
        }
    }
}
