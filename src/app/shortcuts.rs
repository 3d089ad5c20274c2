//! The keyboard shortcuts window, generated from the widget's key table and
//! the app's own accelerators, so it always lists what the bindings do.

use framescope::i18n::{gettext, gettext_noop};
use framescope::widget::shortcuts_ui;
use gtk::prelude::*;

/// The app's accelerators (window and application actions): (action,
/// accelerators, title).
pub const APP_ACCELS: &[(&str, &[&str], &str)] = &[
    ("win.open", &["<Control>o"], gettext_noop("Open a file")),
    (
        "win.screenshot",
        &["s"],
        gettext_noop("Save the frame on screen as PNG"),
    ),
    (
        "win.start-over",
        &["Home"],
        gettext_noop("Start from the beginning (after a resume)"),
    ),
    (
        "win.next-item",
        &["<Control>Right"],
        gettext_noop("Next item in the queue"),
    ),
    (
        "win.previous-item",
        &["<Control>Left"],
        gettext_noop("Previous item in the queue"),
    ),
    (
        "win.toggle-queue",
        &["F9"],
        gettext_noop("Show or hide the queue"),
    ),
    (
        "win.live-edge",
        &["End"],
        gettext_noop("Go to the live edge (live streams)"),
    ),
    ("app.cycle-audio", &["b"], gettext_noop("Next audio track")),
    (
        "app.cycle-subtitles",
        &["v"],
        gettext_noop("Next subtitle track, then off"),
    ),
    (
        "win.copy-time",
        &["<Control><Shift>c"],
        gettext_noop("Copy the current time"),
    ),
    (
        "win.inspector",
        &["<Control>i"],
        gettext_noop("Open the stream inspector"),
    ),
    (
        "app.shortcuts",
        &["<Control>question"],
        gettext_noop("Show keyboard shortcuts"),
    ),
    (
        "app.preferences",
        &["<Control>comma"],
        gettext_noop("Preferences"),
    ),
    ("app.quit", &["<Control>q"], gettext_noop("Quit")),
];

/// Creates the shortcuts window.
pub fn shortcuts_window(parent: &gtk::Window) -> gtk::ShortcutsWindow {
    let titles: Vec<String> = APP_ACCELS
        .iter()
        .map(|(_, _, title)| gettext(title))
        .collect();
    let general: Vec<(&[&str], &str)> = APP_ACCELS
        .iter()
        .zip(&titles)
        .map(|((_, accels, _), title)| (*accels, title.as_str()))
        .collect();
    let builder = gtk::Builder::from_string(&shortcuts_ui(&general));
    let window: gtk::ShortcutsWindow = builder
        .object("shortcuts")
        .expect("the generated shortcuts UI defines it");
    window.set_transient_for(Some(parent));
    window
}
