//! The keyboard shortcuts window, generated from the widget's key table and
//! the app's own accelerators, so it always lists what the bindings do.

use framescope::widget::shortcuts_ui;
use gtk::prelude::*;

/// The app's accelerators (window and application actions): (action,
/// accelerators, title).
pub const APP_ACCELS: &[(&str, &[&str], &str)] = &[
    ("win.open", &["<Control>o"], "Open a file"),
    ("win.screenshot", &["s"], "Save the frame on screen as PNG"),
    (
        "win.start-over",
        &["Home"],
        "Start from the beginning (after a resume)",
    ),
    (
        "win.next-item",
        &["<Control>Right"],
        "Next item in the queue",
    ),
    (
        "win.previous-item",
        &["<Control>Left"],
        "Previous item in the queue",
    ),
    ("win.toggle-queue", &["F9"], "Show or hide the queue"),
    (
        "win.live-edge",
        &["End"],
        "Go to the live edge (live streams)",
    ),
    ("app.cycle-audio", &["b"], "Next audio track"),
    (
        "app.cycle-subtitles",
        &["v"],
        "Next subtitle track, then off",
    ),
    (
        "win.copy-time",
        &["<Control><Shift>c"],
        "Copy the current time",
    ),
    (
        "win.inspector",
        &["<Control>i"],
        "Open the stream inspector",
    ),
    (
        "app.shortcuts",
        &["<Control>question"],
        "Show keyboard shortcuts",
    ),
    ("app.preferences", &["<Control>comma"], "Preferences"),
    ("app.quit", &["<Control>q"], "Quit"),
];

/// Creates the shortcuts window.
pub fn shortcuts_window(parent: &gtk::Window) -> gtk::ShortcutsWindow {
    let general: Vec<(&[&str], &str)> = APP_ACCELS
        .iter()
        .map(|(_, accels, title)| (*accels, *title))
        .collect();
    let builder = gtk::Builder::from_string(&shortcuts_ui(&general));
    let window: gtk::ShortcutsWindow = builder
        .object("shortcuts")
        .expect("the generated shortcuts UI defines it");
    window.set_transient_for(Some(parent));
    window
}
