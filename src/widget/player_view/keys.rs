//! The player's keyboard bindings as people read them: accelerator strings
//! and the shortcuts window. Both come from the action table in
//! [`super::actions`], the same rows the view installs as class shortcuts,
//! so the window can never disagree with the keys.

use super::actions::ACTIONS;
use crate::i18n::gettext;
use gtk::gdk;

/// One key binding of a `player.` action.
#[derive(Debug, Clone, Copy)]
pub struct KeyBinding {
    /// The key.
    pub key: gdk::Key,
    /// Required modifiers.
    pub modifiers: gdk::ModifierType,
    /// The action's name in the `player.` group, e.g. `toggle-play`.
    pub action: &'static str,
    /// What it does, for people.
    pub title: &'static str,
}

impl KeyBinding {
    /// The accelerator in GTK syntax (e.g. `space`), for shortcut windows.
    pub fn accelerator(&self) -> String {
        accelerator(&super::actions::Key {
            key: self.key,
            modifiers: self.modifiers,
        })
    }
}

/// A key in GTK accelerator syntax (e.g. `<Shift>Right`).
pub fn accelerator(key: &super::actions::Key) -> String {
    let mut accel = String::new();
    for (flag, name) in [
        (gdk::ModifierType::CONTROL_MASK, "<Control>"),
        (gdk::ModifierType::SHIFT_MASK, "<Shift>"),
        (gdk::ModifierType::ALT_MASK, "<Alt>"),
    ] {
        if key.modifiers.contains(flag) {
            accel.push_str(name);
        }
    }
    accel.push_str(key.key.name().as_deref().unwrap_or("?"));
    accel
}

/// Every key binding of the player widget, from the action table (in its
/// order).
pub fn bindings() -> impl Iterator<Item = KeyBinding> {
    ACTIONS.iter().flat_map(|a| {
        a.keys.iter().map(move |k| KeyBinding {
            key: k.key,
            modifiers: k.modifiers,
            action: a.name,
            title: a.title,
        })
    })
}

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
/// The player's titles are translated ([`crate::i18n`]); the host's are shown
/// as given.
pub fn shortcuts_ui(general: &[(&[&str], &str)]) -> String {
    // One row per action, with all of its keys.
    let playback: String = ACTIONS
        .iter()
        .filter(|a| !a.keys.is_empty())
        .map(|a| {
            let accels: Vec<String> = a.keys.iter().map(accelerator).collect();
            shortcut_xml(&accels.join(" "), &gettext(a.title))
        })
        .collect();
    let general: String = general
        .iter()
        .map(|(accels, title)| shortcut_xml(&accels.join(" "), title))
        .collect();
    let queue: String = crate::widget::queue_panel::PANEL_KEYS
        .iter()
        .map(|k| shortcut_xml(k.accelerator, &gettext(k.title)))
        .collect();
    let escape = |title: String| glib::markup_escape_text(&title).to_string();
    let (playback_title, general_title, queue_title) = (
        escape(gettext("Playback")),
        escape(gettext("General")),
        escape(gettext("Queue panel")),
    );
    format!(
        "<interface><object class=\"GtkShortcutsWindow\" id=\"shortcuts\"><property name=\"modal\">true</property>\
         <child><object class=\"GtkShortcutsSection\"><property name=\"section-name\">main</property>\
         <child><object class=\"GtkShortcutsGroup\"><property name=\"title\">{playback_title}</property>{playback}</object></child>\
         <child><object class=\"GtkShortcutsGroup\"><property name=\"title\">{general_title}</property>{general}</object></child>\
         <child><object class=\"GtkShortcutsGroup\"><property name=\"title\">{queue_title}</property>{queue}</object></child>\
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
        for b in super::bindings() {
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
        assert_eq!(super::bindings().next().unwrap().accelerator(), "space");
    }
}
