//! The one table of the view's `player.` actions. Each row gives an
//! action's name, parameter type, handler, default keys, title and menu
//! entry; from it come the class actions and key bindings (`class_init`),
//! the action group hosts put on their windows ([`super::PlayerView::action_group`]),
//! the app's menu items ([`append_menu_items`]) and the shortcuts window
//! ([`super::keys::shortcuts_ui`]). The names and parameter types are a
//! public contract: hosts bind buttons to them.

use super::timing_actions::{self, shift_audio, shift_subtitles};
use super::{PlayerView, VOLUME_STEP};
use crate::i18n::{gettext, gettext_noop};
use gtk::gdk;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gio, glib};

/// The action group's name: actions are `player.<name>`.
pub const GROUP: &str = "player";

/// A key that activates an action by default.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// The key.
    pub key: gdk::Key,
    /// Required modifiers.
    pub modifiers: gdk::ModifierType,
}

const fn key(key: gdk::Key) -> Key {
    Key {
        key,
        modifiers: gdk::ModifierType::empty(),
    }
}

const fn shifted(key: gdk::Key) -> Key {
    Key {
        key,
        modifiers: gdk::ModifierType::SHIFT_MASK,
    }
}

/// Where in an application's menu an action belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuSection {
    /// Frame steps, speed and the A-B loop.
    Timing,
    /// What the view shows over the video (statistics).
    View,
}

/// One `player.` action.
#[derive(Debug, Clone, Copy)]
pub struct PlayerAction {
    /// The name in the `player.` group, without the prefix.
    pub name: &'static str,
    /// The parameter's GVariant type (`x` for an `i64`, `d` for an `f64`),
    /// if it takes one.
    pub parameter: Option<&'static str>,
    /// What it does to the view (the parameter already checked for type).
    pub activate: fn(&PlayerView, Option<&glib::Variant>),
    /// Its default keys (empty for none).
    pub keys: &'static [Key],
    /// What it does, for people (shortcuts window).
    pub title: &'static str,
    /// Its label in a menu (with a `_` mnemonic) and the menu section, if
    /// an application's menu lists it.
    pub menu: Option<(&'static str, MenuSection)>,
}

impl PlayerAction {
    /// The detailed name, e.g. `player.toggle-play`.
    pub fn full_name(&self) -> String {
        format!("{GROUP}.{}", self.name)
    }

    /// The parameter type, if any.
    pub fn parameter_type(&self) -> Option<&'static glib::VariantTy> {
        self.parameter
            .map(|p| glib::VariantTy::new(p).expect("the table's types are valid"))
    }
}

/// A row without a parameter.
const fn plain(
    name: &'static str,
    activate: fn(&PlayerView, Option<&glib::Variant>),
    keys: &'static [Key],
    title: &'static str,
) -> PlayerAction {
    PlayerAction {
        name,
        parameter: None,
        activate,
        keys,
        title,
        menu: None,
    }
}

/// A row with a parameter and no keys.
const fn with_parameter(
    name: &'static str,
    parameter: &'static str,
    activate: fn(&PlayerView, Option<&glib::Variant>),
    title: &'static str,
) -> PlayerAction {
    PlayerAction {
        name,
        parameter: Some(parameter),
        activate,
        keys: &[],
        title,
        menu: None,
    }
}

/// A row that an application's menu also lists.
const fn in_menu(action: PlayerAction, label: &'static str, section: MenuSection) -> PlayerAction {
    PlayerAction {
        menu: Some((label, section)),
        ..action
    }
}

/// Every action of the view, in the order the shortcuts window lists them.
pub const ACTIONS: &[PlayerAction] = &[
    plain(
        "toggle-play",
        |v, _| {
            v.player().toggle_play();
            v.imp().show_controls();
        },
        &[key(gdk::Key::space), key(gdk::Key::k)],
        gettext_noop("Play or pause"),
    ),
    plain(
        "seek-forward",
        |v, _| seek_steps(v, 1),
        &[key(gdk::Key::Right)],
        gettext_noop("Seek forward 5 seconds"),
    ),
    plain(
        "seek-backward",
        |v, _| seek_steps(v, -1),
        &[key(gdk::Key::Left)],
        gettext_noop("Seek backward 5 seconds"),
    ),
    plain(
        "volume-up",
        |v, _| {
            let p = v.player();
            p.set_volume((p.volume() + VOLUME_STEP).min(1.0));
            p.set_muted(false);
            v.imp().show_controls();
        },
        &[key(gdk::Key::Up)],
        gettext_noop("Volume up"),
    ),
    plain(
        "volume-down",
        |v, _| {
            let p = v.player();
            p.set_volume((p.volume() - VOLUME_STEP).max(0.0));
            v.imp().show_controls();
        },
        &[key(gdk::Key::Down)],
        gettext_noop("Volume down"),
    ),
    plain(
        "toggle-mute",
        |v, _| {
            let p = v.player();
            p.set_muted(!p.muted());
            v.imp().show_controls();
        },
        &[key(gdk::Key::m)],
        gettext_noop("Mute or unmute"),
    ),
    in_menu(
        plain(
            "toggle-stats",
            |v, _| {
                let overlay = &v.imp().stats_overlay;
                overlay.set_shown(&v.player(), !overlay.is_shown());
            },
            &[key(gdk::Key::i)],
            gettext_noop("Show or hide playback statistics"),
        ),
        gettext_noop("Playback _Statistics"),
        MenuSection::View,
    ),
    plain(
        "toggle-fullscreen",
        |v, _| v.request_fullscreen_toggle(),
        &[key(gdk::Key::f), key(gdk::Key::F11)],
        gettext_noop("Toggle fullscreen"),
    ),
    plain(
        "leave-fullscreen",
        |v, _| {
            if let Some(win) = v.root().and_downcast::<gtk::Window>() {
                win.unfullscreen();
            }
        },
        &[key(gdk::Key::Escape)],
        gettext_noop("Leave fullscreen"),
    ),
    in_menu(
        plain(
            "step-forward",
            |v, _| timing_actions::step(v, 1),
            &[key(gdk::Key::period)],
            gettext_noop("Step one frame forward"),
        ),
        gettext_noop("Step _Forward"),
        MenuSection::Timing,
    ),
    in_menu(
        plain(
            "step-backward",
            |v, _| timing_actions::step(v, -1),
            &[key(gdk::Key::comma)],
            gettext_noop("Step one frame backward"),
        ),
        gettext_noop("Step _Backward"),
        MenuSection::Timing,
    ),
    in_menu(
        plain(
            "faster",
            |v, _| v.player().faster(),
            &[key(gdk::Key::bracketright)],
            gettext_noop("Faster"),
        ),
        gettext_noop("_Faster"),
        MenuSection::Timing,
    ),
    in_menu(
        plain(
            "slower",
            |v, _| v.player().slower(),
            &[key(gdk::Key::bracketleft)],
            gettext_noop("Slower"),
        ),
        gettext_noop("S_lower"),
        MenuSection::Timing,
    ),
    in_menu(
        plain(
            "reset-rate",
            |v, _| v.player().set_rate(1.0),
            &[key(gdk::Key::BackSpace)],
            gettext_noop("Normal speed"),
        ),
        gettext_noop("_Normal Speed"),
        MenuSection::Timing,
    ),
    // The player says why when there is no chapter to go to.
    plain(
        "next-chapter",
        |v, _| {
            v.player().next_chapter();
        },
        &[shifted(gdk::Key::Right)],
        gettext_noop("Next chapter"),
    ),
    plain(
        "previous-chapter",
        |v, _| {
            v.player().previous_chapter();
        },
        &[shifted(gdk::Key::Left)],
        gettext_noop("Previous chapter (or the start of this one)"),
    ),
    plain(
        "next",
        |v, _| {
            if !v.player().next() {
                v.show_message(&gettext("This is the last item."));
            }
        },
        &[key(gdk::Key::n)],
        gettext_noop("Next item in the playlist"),
    ),
    plain(
        "previous",
        |v, _| {
            if !v.player().previous() {
                v.show_message(&gettext("This is the first item."));
            }
        },
        &[key(gdk::Key::p)],
        gettext_noop("Previous item (or the start of this one)"),
    ),
    in_menu(
        plain(
            "ab-loop",
            |v, _| v.player().cycle_ab_loop(),
            &[key(gdk::Key::l)],
            gettext_noop("Set loop start, then loop end, then clear (A-B loop)"),
        ),
        gettext_noop("A-B _Loop"),
        MenuSection::Timing,
    ),
    plain(
        "audio-later",
        |v, _| shift_audio(v, 1),
        &[key(gdk::Key::equal), key(gdk::Key::plus)],
        gettext_noop("Delay audio by 10 ms"),
    ),
    plain(
        "audio-earlier",
        |v, _| shift_audio(v, -1),
        &[key(gdk::Key::minus)],
        gettext_noop("Advance audio by 10 ms"),
    ),
    plain(
        "subtitles-later",
        |v, _| shift_subtitles(v, 1),
        &[key(gdk::Key::x)],
        gettext_noop("Delay subtitles by 10 ms"),
    ),
    plain(
        "subtitles-earlier",
        |v, _| shift_subtitles(v, -1),
        &[key(gdk::Key::z)],
        gettext_noop("Advance subtitles by 10 ms"),
    ),
    plain("play", |v, _| v.player().play(), &[], gettext_noop("Play")),
    plain(
        "pause",
        |v, _| v.player().pause(),
        &[],
        gettext_noop("Pause"),
    ),
    plain("stop", |v, _| v.player().stop(), &[], gettext_noop("Stop")),
    with_parameter(
        "seek",
        "x",
        |v, p| {
            if let Some(ns) = p.and_then(|p| p.get::<i64>()) {
                v.player()
                    .seek(gst::ClockTime::from_nseconds(ns.max(0) as u64));
            }
        },
        gettext_noop("Seek to a time (nanoseconds)"),
    ),
    with_parameter(
        "step",
        "x",
        |v, p| {
            if let Some(frames) = p.and_then(|p| p.get::<i64>()) {
                timing_actions::step(v, frames);
            }
        },
        gettext_noop("Step a number of frames"),
    ),
    with_parameter(
        "set-rate",
        "d",
        |v, p| {
            if let Some(rate) = p.and_then(|p| p.get::<f64>()) {
                v.player().set_rate(rate);
            }
        },
        gettext_noop("Set the playback speed"),
    ),
    with_parameter(
        "set-volume",
        "d",
        |v, p| {
            if let Some(volume) = p.and_then(|p| p.get::<f64>()) {
                v.player().set_volume(volume.clamp(0.0, 1.0));
            }
        },
        gettext_noop("Set the volume (0 to 1)"),
    ),
];

/// Seeks `direction` times the view's `seek-step` and shows the controls.
fn seek_steps(view: &PlayerView, direction: i64) {
    view.player()
        .seek_by(direction * i64::from(view.seek_step()) * 1_000_000);
    view.imp().show_controls();
}

/// The row of the action called `name` (without the `player.` prefix).
#[cfg(test)]
fn lookup(name: &str) -> Option<&'static PlayerAction> {
    ACTIONS.iter().find(|a| a.name == name)
}

/// Installs every action and its keys on the view's class.
pub(super) fn install(klass: &mut <super::imp::PlayerView as ObjectSubclass>::Class) {
    for action in ACTIONS {
        klass.install_action(
            &action.full_name(),
            action.parameter_type(),
            move |view, _, parameter| (action.activate)(view, parameter),
        );
    }
    for action in ACTIONS {
        for k in action.keys {
            klass.add_binding_action(k.key, k.modifiers, &action.full_name());
        }
    }
}

/// Appends the actions of `section` to `menu` (in table order), naming the
/// view's `player.` actions: the menu must be where those resolve, e.g. on
/// a window with the view's `window-actions` set.
pub fn append_menu_items(menu: &gio::Menu, section: MenuSection) {
    for action in ACTIONS {
        if let Some((label, s)) = action.menu {
            if s == section {
                menu.append(Some(&gettext(label)), Some(&action.full_name()));
            }
        }
    }
}

/// Builds the action group mirroring `view`'s `player.` actions: each one
/// forwards to the view (held weakly), and its enabled state follows the
/// view's. They are the host's controls, so they work while the view's
/// input is locked (the lock stops the user's keys, clicks and scrolls).
pub(super) fn action_group(view: &PlayerView) -> gio::SimpleActionGroup {
    let group = gio::SimpleActionGroup::new();
    for row in ACTIONS {
        let action = gio::SimpleAction::new(row.name, row.parameter_type());
        action.connect_activate(glib::clone!(
            #[weak]
            view,
            move |_, parameter| {
                let _ = view.activate_action(&row.full_name(), parameter);
            }
        ));
        group.add_action(&action);
    }
    sync_enabled(view, &group);
    let update = glib::clone!(
        #[weak]
        view,
        #[weak]
        group,
        move || sync_enabled(&view, &group)
    );
    let player = view.player();
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

impl super::imp::PlayerView {
    pub(super) fn set_window_actions(&self, on: bool) {
        if self.window_actions.replace(on) != on {
            self.place_window_actions();
        }
    }

    /// Puts the action group on the view's window (or takes it off).
    pub(super) fn place_window_actions(&self) {
        let obj = self.obj();
        let window = obj.root().and_downcast::<gtk::Window>();
        if let Some(old) = self.actions_window.upgrade() {
            if Some(&old) != window.as_ref() || !self.window_actions.get() {
                old.insert_action_group(GROUP, None::<&gio::ActionGroup>);
                self.actions_window.set(None);
            }
        }
        if let (true, Some(window)) = (self.window_actions.get(), window) {
            window.insert_action_group(GROUP, Some(&obj.action_group()));
            self.actions_window.set(Some(&window));
        }
    }

    /// Takes the action group off the window it was put on (the view is
    /// going away).
    pub(super) fn remove_window_actions(&self) {
        if let (Some(window), Some(_)) = (
            self.actions_window.upgrade(),
            self.action_group.borrow().as_ref(),
        ) {
            window.insert_action_group(GROUP, None::<&gio::ActionGroup>);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_types_valid() {
        for (i, a) in ACTIONS.iter().enumerate() {
            assert!(
                ACTIONS[..i].iter().all(|b| b.name != a.name),
                "{} twice",
                a.name
            );
            let _ = a.parameter_type();
            assert!(!a.title.is_empty(), "{} has no title", a.name);
        }
        assert_eq!(lookup("seek").and_then(|a| a.parameter), Some("x"));
        assert_eq!(lookup("set-rate").and_then(|a| a.parameter), Some("d"));
    }

    #[test]
    fn every_key_is_bound_once() {
        let keys: Vec<_> = ACTIONS
            .iter()
            .flat_map(|a| a.keys.iter().map(|k| (k.key, k.modifiers)))
            .collect();
        for (i, k) in keys.iter().enumerate() {
            assert!(!keys[..i].contains(k), "{k:?} bound twice");
        }
    }

    #[test]
    fn every_parameterless_timing_action_has_a_key() {
        for a in ACTIONS.iter().filter(|a| a.menu.is_some()) {
            assert!(!a.keys.is_empty(), "{} has no key", a.name);
        }
        for name in ["audio-later", "subtitles-earlier", "ab-loop"] {
            assert!(!lookup(name).unwrap().keys.is_empty(), "{name}");
        }
    }
}
