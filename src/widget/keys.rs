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
    /// What it does, for people.
    pub title: &'static str,
}

const fn bind(key: gdk::Key, action: &'static str, title: &'static str) -> KeyBinding {
    KeyBinding {
        key,
        modifiers: gdk::ModifierType::empty(),
        action,
        title,
    }
}

impl KeyBinding {
    /// The accelerator in GTK syntax (e.g. `space`), for shortcut windows.
    pub fn accelerator(&self) -> String {
        let mut accel = String::new();
        for (flag, name) in [
            (gdk::ModifierType::CONTROL_MASK, "<Control>"),
            (gdk::ModifierType::SHIFT_MASK, "<Shift>"),
            (gdk::ModifierType::ALT_MASK, "<Alt>"),
        ] {
            if self.modifiers.contains(flag) {
                accel.push_str(name);
            }
        }
        accel.push_str(self.key.name().as_deref().unwrap_or("?"));
        accel
    }
}

/// Every key binding of the player widget.
pub const BINDINGS: &[KeyBinding] = &[
    bind(gdk::Key::space, "player.toggle-play", "Play or pause"),
    bind(gdk::Key::k, "player.toggle-play", "Play or pause"),
    bind(
        gdk::Key::Right,
        "player.seek-forward",
        "Seek forward 5 seconds",
    ),
    bind(
        gdk::Key::Left,
        "player.seek-backward",
        "Seek backward 5 seconds",
    ),
    bind(gdk::Key::Up, "player.volume-up", "Volume up"),
    bind(gdk::Key::Down, "player.volume-down", "Volume down"),
    bind(gdk::Key::m, "player.toggle-mute", "Mute or unmute"),
    bind(gdk::Key::f, "player.toggle-fullscreen", "Toggle fullscreen"),
    bind(
        gdk::Key::F11,
        "player.toggle-fullscreen",
        "Toggle fullscreen",
    ),
    bind(
        gdk::Key::Escape,
        "player.leave-fullscreen",
        "Leave fullscreen",
    ),
];

fn shortcut_xml(accelerator: &str, title: &str) -> String {
    format!(
        "<child><object class=\"GtkShortcutsShortcut\"><property name=\"accelerator\">{}</property>\
         <property name=\"title\">{}</property></object></child>",
        glib::markup_escape_text(accelerator),
        glib::markup_escape_text(title)
    )
}

/// GtkBuilder XML for a `GtkShortcutsWindow` (object id `shortcuts`) listing
/// every player binding, then `general`: (accelerators, title) of the host's own.
pub fn shortcuts_ui(general: &[(&[&str], &str)]) -> String {
    let playback: String = BINDINGS
        .iter()
        .map(|b| shortcut_xml(&b.accelerator(), b.title))
        .collect();
    let general: String = general
        .iter()
        .map(|(accels, title)| shortcut_xml(&accels.join(" "), title))
        .collect();
    format!(
        "<interface><object class=\"GtkShortcutsWindow\" id=\"shortcuts\"><property name=\"modal\">true</property>\
         <child><object class=\"GtkShortcutsSection\"><property name=\"section-name\">main</property>\
         <child><object class=\"GtkShortcutsGroup\"><property name=\"title\">Playback</property>{playback}</object></child>\
         <child><object class=\"GtkShortcutsGroup\"><property name=\"title\">General</property>{general}</object></child>\
         </object></child></object></interface>"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_binding_is_listed_with_its_accelerator() {
        let ui = super::shortcuts_ui(&[(&["<Control>o"], "Open")]);
        for b in super::BINDINGS {
            assert!(ui.contains(b.title), "{}", b.title);
            assert!(
                ui.contains(&format!(">{}<", b.accelerator())),
                "{}",
                b.accelerator()
            );
        }
        assert!(ui.contains("&lt;Control&gt;o"));
        assert_eq!(super::BINDINGS[0].accelerator(), "space");
    }
}
