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

const fn bind_shifted(key: gdk::Key, action: &'static str, title: &'static str) -> KeyBinding {
    KeyBinding {
        key,
        modifiers: gdk::ModifierType::SHIFT_MASK,
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
    bind(
        gdk::Key::i,
        "player.toggle-stats",
        "Show or hide playback statistics",
    ),
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
    bind(
        gdk::Key::period,
        "player.step-forward",
        "Step one frame forward",
    ),
    bind(
        gdk::Key::comma,
        "player.step-backward",
        "Step one frame backward",
    ),
    bind(gdk::Key::bracketright, "player.faster", "Faster"),
    bind(gdk::Key::bracketleft, "player.slower", "Slower"),
    bind(gdk::Key::BackSpace, "player.reset-rate", "Normal speed"),
    bind_shifted(gdk::Key::Right, "player.next-chapter", "Next chapter"),
    bind_shifted(
        gdk::Key::Left,
        "player.previous-chapter",
        "Previous chapter (or the start of this one)",
    ),
    bind(gdk::Key::n, "player.next", "Next item in the playlist"),
    bind(
        gdk::Key::p,
        "player.previous",
        "Previous item (or the start of this one)",
    ),
    bind(
        gdk::Key::l,
        "player.ab-loop",
        "Set loop start, then loop end, then clear (A-B loop)",
    ),
    bind(
        gdk::Key::equal,
        "player.audio-later",
        "Delay audio by 10 ms",
    ),
    bind(gdk::Key::plus, "player.audio-later", "Delay audio by 10 ms"),
    bind(
        gdk::Key::minus,
        "player.audio-earlier",
        "Advance audio by 10 ms",
    ),
    bind(
        gdk::Key::x,
        "player.subtitles-later",
        "Delay subtitles by 10 ms",
    ),
    bind(
        gdk::Key::z,
        "player.subtitles-earlier",
        "Advance subtitles by 10 ms",
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
    // One row per action title, with all of its keys.
    let mut rows: Vec<(&str, Vec<String>)> = Vec::new();
    for b in BINDINGS {
        match rows.iter_mut().find(|(title, _)| *title == b.title) {
            Some((_, accels)) => accels.push(b.accelerator()),
            None => rows.push((b.title, vec![b.accelerator()])),
        }
    }
    let playback: String = rows
        .iter()
        .map(|(title, accels)| shortcut_xml(&accels.join(" "), title))
        .collect();
    let general: String = general
        .iter()
        .map(|(accels, title)| shortcut_xml(&accels.join(" "), title))
        .collect();
    let queue: String = crate::widget::queue_panel::PANEL_KEYS
        .iter()
        .map(|k| shortcut_xml(k.accelerator, k.title))
        .collect();
    format!(
        "<interface><object class=\"GtkShortcutsWindow\" id=\"shortcuts\"><property name=\"modal\">true</property>\
         <child><object class=\"GtkShortcutsSection\"><property name=\"section-name\">main</property>\
         <child><object class=\"GtkShortcutsGroup\"><property name=\"title\">Playback</property>{playback}</object></child>\
         <child><object class=\"GtkShortcutsGroup\"><property name=\"title\">General</property>{general}</object></child>\
         <child><object class=\"GtkShortcutsGroup\"><property name=\"title\">Queue panel</property>{queue}</object></child>\
         </object></child></object></interface>"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_binding_is_listed_with_its_accelerator() {
        let ui = super::shortcuts_ui(&[(&["<Control>o"], "Open")]);
        for k in crate::widget::queue_panel::PANEL_KEYS {
            assert!(ui.contains(k.title), "{}", k.title);
            let accel = glib::markup_escape_text(k.accelerator).to_string();
            assert!(ui.contains(&accel), "{accel}");
        }
        for b in super::BINDINGS {
            assert!(ui.contains(b.title), "{}", b.title);
            let accel = glib::markup_escape_text(&b.accelerator()).to_string();
            assert!(
                ui.contains(&format!(">{accel}<"))
                    || ui.contains(&format!(">{accel} "))
                    || ui.contains(&format!(" {accel}<")),
                "{accel}"
            );
        }
        assert!(ui.contains(">space k<"), "keys of one action share a row");
        assert!(ui.contains("&lt;Control&gt;o"));
        assert_eq!(super::BINDINGS[0].accelerator(), "space");
    }
}
