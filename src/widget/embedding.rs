//! What embedding hosts configure on a [`PlayerView`](crate::widget::PlayerView):
//! how much of the on-screen controls to show ([`ControlsMode`]). The
//! `player.` actions hosts bind buttons to are listed in
//! [`crate::widget::player_view::actions`] and offered as a group by
//! [`PlayerView::action_group`](crate::widget::PlayerView::action_group).

use gtk::glib;

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
