//! The one table of the player's keyboard bindings. The widget installs them
//! as class shortcuts and the app builds its shortcuts window from the same
//! rows, so the two can never disagree.

use gtk::gdk;

/// One key binding of a `player.` action.
#[derive(Debug, Clone, Copy)]
pub struct KeyBinding {
    /// The key.
    pub key: gdk::Key,
    /// Required modifiers.
    pub modifiers: gdk::ModifierType,
    /// The action, e.g. `player.toggle-play`.
    pub action: &'static str,
    /// The accelerator in GTK syntax, for the shortcuts window.
    pub accel: &'static str,
    /// What it does, for people.
    pub title: &'static str,
}

const fn bind(
    key: gdk::Key,
    action: &'static str,
    accel: &'static str,
    title: &'static str,
) -> KeyBinding {
    KeyBinding {
        key,
        modifiers: gdk::ModifierType::empty(),
        action,
        accel,
        title,
    }
}

/// Every key binding of the player widget.
pub const BINDINGS: &[KeyBinding] = &[
    bind(
        gdk::Key::space,
        "player.toggle-play",
        "space",
        "Play or pause",
    ),
    bind(gdk::Key::k, "player.toggle-play", "k", "Play or pause"),
    bind(
        gdk::Key::Right,
        "player.seek-forward",
        "Right",
        "Seek forward 5 seconds",
    ),
    bind(
        gdk::Key::Left,
        "player.seek-backward",
        "Left",
        "Seek backward 5 seconds",
    ),
    bind(gdk::Key::Up, "player.volume-up", "Up", "Volume up"),
    bind(gdk::Key::Down, "player.volume-down", "Down", "Volume down"),
    bind(gdk::Key::m, "player.toggle-mute", "m", "Mute or unmute"),
    bind(
        gdk::Key::f,
        "player.toggle-fullscreen",
        "f",
        "Toggle fullscreen",
    ),
    bind(
        gdk::Key::F11,
        "player.toggle-fullscreen",
        "F11",
        "Toggle fullscreen",
    ),
    bind(
        gdk::Key::Escape,
        "player.leave-fullscreen",
        "Escape",
        "Leave fullscreen",
    ),
];
