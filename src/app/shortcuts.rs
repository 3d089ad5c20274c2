//! The keyboard shortcuts window, generated from the widget's key table and
//! the app's own accelerators, so it always lists what the bindings do.

use framescope::widget::keys::BINDINGS;
use gtk::prelude::*;

/// The app-level accelerators: (action, accelerators, title).
pub const APP_ACCELS: &[(&str, &[&str], &str)] = &[
    ("app.open", &["<Control>o"], "Open a file"),
    (
        "app.shortcuts",
        &["<Control>question"],
        "Show keyboard shortcuts",
    ),
    ("app.quit", &["<Control>q"], "Quit"),
];

fn escape(s: &str) -> String {
    glib::markup_escape_text(s).to_string()
}

/// Builds the GtkBuilder XML for the shortcuts window.
pub fn shortcuts_ui() -> String {
    let mut playback = String::new();
    for b in BINDINGS {
        playback.push_str(&format!(
            "<child><object class=\"GtkShortcutsShortcut\"><property name=\"accelerator\">{}</property><property name=\"title\">{}</property></object></child>",
            escape(&b.accelerator()),
            escape(b.title)
        ));
    }
    let mut general = String::new();
    for (_, accels, title) in APP_ACCELS {
        general.push_str(&format!(
            "<child><object class=\"GtkShortcutsShortcut\"><property name=\"accelerator\">{}</property><property name=\"title\">{}</property></object></child>",
            escape(&accels.join(" ")),
            escape(title)
        ));
    }
    format!(
        "<interface><object class=\"GtkShortcutsWindow\" id=\"shortcuts\"><property name=\"modal\">true</property>\
         <child><object class=\"GtkShortcutsSection\"><property name=\"section-name\">main</property>\
         <child><object class=\"GtkShortcutsGroup\"><property name=\"title\">Playback</property>{playback}</object></child>\
         <child><object class=\"GtkShortcutsGroup\"><property name=\"title\">General</property>{general}</object></child>\
         </object></child></object></interface>"
    )
}

/// Creates the shortcuts window.
pub fn shortcuts_window(parent: &gtk::Window) -> gtk::ShortcutsWindow {
    let builder = gtk::Builder::from_string(&shortcuts_ui());
    let window: gtk::ShortcutsWindow = builder
        .object("shortcuts")
        .expect("the generated shortcuts UI defines it");
    window.set_transient_for(Some(parent));
    window
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_binding_is_listed() {
        let ui = super::shortcuts_ui();
        for b in super::BINDINGS {
            assert!(ui.contains(b.title), "{}", b.title);
        }
        assert!(ui.contains("&lt;Control&gt;o"));
    }
}
