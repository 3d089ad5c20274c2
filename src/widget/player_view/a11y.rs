//! What the view tells assistive technology: the names of its controls
//! that change with the state (Play or Pause, Mute or Unmute, Fullscreen
//! or Leave fullscreen) and the seek and volume bars' values as text
//! ("1:23 of 4:56", "volume 80 %"). Every such string is here, in one
//! place, as a plain English literal, ready for gettext; the names that
//! never change are in `ui/player-view.ui` (`translatable="yes"`).
//!
//! Each name or value is handed to GTK only when its text changes, so the
//! position ticking during playback costs a string comparison, not an
//! accessibility event. The values come from the player's cached
//! properties (no pipeline is asked). GTK 4.8 does not send the value text
//! over AT-SPI (its `Value` interface has no `Text` until 4.10), so it is
//! also the bar's description there, which screen readers read with it.
//!
//! Keyboard focus: every control of the bar takes focus (a click still
//! leaves it on the view, so the view's keys keep working: the view takes
//! the focus on every press, see `input`). Tab from the
//! view shows a hidden bar at once and moves into it; the bar stays shown
//! while the focus is in it. The focus rings are in `resources/style.css`.

use super::imp;
use crate::engine::format_time;
use crate::widget::embedding::ControlsMode;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gdk, glib};
use std::cell::RefCell;

/// The play button's name while the player is not playing.
pub const PLAY: &str = crate::i18n::gettext_noop("Play");
/// The play button's name while the player plays.
pub const PAUSE: &str = crate::i18n::gettext_noop("Pause");
/// The mute button's name while sound is on.
pub const MUTE: &str = crate::i18n::gettext_noop("Mute");
/// The mute button's name while muted.
pub const UNMUTE: &str = crate::i18n::gettext_noop("Unmute");
/// The fullscreen button's name in a window.
pub const FULLSCREEN: &str = crate::i18n::gettext_noop("Fullscreen");
/// The fullscreen button's name while fullscreen.
pub const LEAVE_FULLSCREEN: &str = crate::i18n::gettext_noop("Leave fullscreen");

/// The seek bar's value as text: "1:23 of 4:56", or "1:23" while the
/// duration is unknown (0: live streams, media still loading).
pub fn seek_value_text(position_ns: u64, duration_ns: u64) -> String {
    if duration_ns == 0 {
        format_time(position_ns)
    } else {
        crate::i18n::tr(
            "{position} of {duration}",
            &[
                ("position", &format_time(position_ns.min(duration_ns))),
                ("duration", &format_time(duration_ns)),
            ],
        )
    }
}

/// The volume bar's value as text: "volume 80 %" (volume 0 to 1, in
/// whole percent; out-of-range and NaN values are brought into range),
/// with "muted" added while muted.
pub fn volume_value_text(volume: f64, muted: bool) -> String {
    let percent = if volume.is_finite() {
        (volume.clamp(0.0, 1.0) * 100.0).round() as u32
    } else {
        0
    };
    if muted {
        crate::i18n::tr(
            "volume {percent} %, muted",
            &[("percent", &percent.to_string())],
        )
    } else {
        crate::i18n::tr("volume {percent} %", &[("percent", &percent.to_string())])
    }
}

/// The texts last handed to GTK, so unchanged ones are not sent again.
#[derive(Debug, Default)]
pub struct A11yState {
    play: RefCell<String>,
    mute: RefCell<String>,
    fullscreen: RefCell<String>,
    seek: RefCell<String>,
    volume: RefCell<String>,
}

/// Sets `widget`'s accessible name to `text` unless `last` says it already
/// is.
fn set_label(widget: &impl IsA<gtk::Accessible>, last: &RefCell<String>, text: &str) {
    if *last.borrow() != text {
        widget.update_property(&[gtk::accessible::Property::Label(text)]);
        last.replace(text.to_owned());
    }
}

/// Sets a bar's value text (and, for GTK 4.8's AT-SPI, its description)
/// unless `last` says it already is.
fn set_value_text(widget: &impl IsA<gtk::Accessible>, last: &RefCell<String>, text: &str) {
    if *last.borrow() != text {
        widget.update_property(&[
            gtk::accessible::Property::ValueText(text),
            gtk::accessible::Property::Description(text),
        ]);
        last.replace(text.to_owned());
    }
}

impl imp::PlayerView {
    /// Brings the state-dependent names and the bars' value texts in line
    /// with what the view shows (called from `refresh`).
    pub(super) fn update_accessible(&self, playing: bool, volume: f64, muted: bool) {
        let a11y = &self.a11y;
        set_label(
            &*self.play_button,
            &a11y.play,
            &crate::i18n::gettext(if playing { PAUSE } else { PLAY }),
        );
        set_label(
            &*self.mute_button,
            &a11y.mute,
            &crate::i18n::gettext(if muted { UNMUTE } else { MUTE }),
        );
        set_value_text(
            &*self.volume_scale,
            &a11y.volume,
            &volume_value_text(volume, muted),
        );
    }

    /// Brings the seek bar's value text in line with the position (called
    /// from `refresh_time`, on every frame).
    pub(super) fn update_accessible_time(&self, position_ns: u64, duration_ns: u64) {
        set_value_text(
            &*self.seek_scale,
            &self.a11y.seek,
            &seek_value_text(position_ns, duration_ns),
        );
    }

    /// Names the fullscreen button for the window's state.
    pub(super) fn update_fullscreen_name(&self, fullscreen: bool) {
        self.fullscreen_button.set_icon_name(if fullscreen {
            "view-restore-symbolic"
        } else {
            "view-fullscreen-symbolic"
        });
        set_label(
            &*self.fullscreen_button,
            &self.a11y.fullscreen,
            &crate::i18n::gettext(if fullscreen {
                LEAVE_FULLSCREEN
            } else {
                FULLSCREEN
            }),
        );
    }
}

impl imp::PlayerView {
    /// Whether the keyboard focus is on one of the bar's controls.
    pub(super) fn focus_in_controls(&self) -> bool {
        self.controls_bar
            .state_flags()
            .contains(gtk::StateFlags::FOCUS_WITHIN)
    }

    /// Keyboard focus and the controls bar (once, from `constructed`).
    pub(super) fn setup_focus(&self) {
        let obj = self.obj();
        // Focus coming into the bar shows it and keeps it shown; leaving it
        // starts the hide timer again.
        let focus = gtk::EventControllerFocus::new();
        focus.connect_enter(glib::clone!(
            #[weak]
            obj,
            move |_| {
                let imp = obj.imp();
                imp.show_controls();
                if let Some(id) = imp.hide_timeout.take() {
                    id.remove();
                }
            }
        ));
        focus.connect_leave(glib::clone!(
            #[weak]
            obj,
            move |_| obj.imp().schedule_hide()
        ));
        self.controls_bar.add_controller(focus);
        // Tab on the view itself: a hidden bar is revealed at once (no
        // fade, so its buttons can take the focus now), then GTK moves
        // the focus into it as usual.
        let keys = gtk::EventControllerKey::new();
        keys.set_propagation_phase(gtk::PropagationPhase::Capture);
        keys.connect_key_pressed(glib::clone!(
            #[weak]
            obj,
            #[upgrade_or]
            glib::Propagation::Proceed,
            move |_, key, _, _| {
                let imp = obj.imp();
                let tab = matches!(
                    key,
                    gdk::Key::Tab | gdk::Key::ISO_Left_Tab | gdk::Key::KP_Tab
                );
                if tab
                    && obj.is_focus()
                    && !imp.controls_bar.reveals_child()
                    && imp.controls.get() != ControlsMode::Off
                    && !imp.input_locked.get()
                {
                    let duration = imp.controls_bar.transition_duration();
                    imp.controls_bar.set_transition_duration(0);
                    imp.show_controls();
                    imp.controls_bar.set_transition_duration(duration);
                }
                glib::Propagation::Proceed
            }
        ));
        obj.add_controller(keys);
        // A press on a scale takes the focus in GTK 4.8, whatever
        // `focus-on-click` says, and the view's own click handler (`input`)
        // never sees a press a scale claimed: the view's keys would then
        // go to the scale. A press seen on its way down (capture phase)
        // marks the focus a scale takes right after as the pointer's, and
        // the view takes it back; focus reached with Tab stays.
        let press = gtk::GestureClick::new();
        press.set_button(0);
        press.set_propagation_phase(gtk::PropagationPhase::Capture);
        press.connect_pressed(glib::clone!(
            #[weak]
            obj,
            move |_, _, _, _| obj.imp().last_press.set(Some(std::time::Instant::now()))
        ));
        obj.add_controller(press);
        for scale in [&self.seek_scale, &self.volume_scale] {
            scale.connect_has_focus_notify(glib::clone!(
                #[weak]
                obj,
                move |scale| {
                    let pressed = obj
                        .imp()
                        .last_press
                        .get()
                        .is_some_and(|t| t.elapsed() < std::time::Duration::from_millis(500));
                    if scale.has_focus() && pressed {
                        // Once GTK has finished moving the focus.
                        glib::idle_add_local_once(glib::clone!(
                            #[weak]
                            obj,
                            move || {
                                obj.grab_focus();
                            }
                        ));
                    }
                }
            ));
        }
    }

    /// Follows the `fullscreened` of the window the view is in now.
    pub(super) fn follow_fullscreen(&self) {
        self.unfollow_fullscreen();
        let obj = self.obj();
        let Some(window) = obj.root().and_downcast::<gtk::Window>() else {
            return;
        };
        let id = window.connect_fullscreened_notify(glib::clone!(
            #[weak]
            obj,
            move |window| obj.imp().update_fullscreen_name(window.is_fullscreen())
        ));
        self.update_fullscreen_name(window.is_fullscreen());
        self.fullscreen_watch
            .replace(Some((window.downgrade(), id)));
    }

    /// Stops following a window's `fullscreened`.
    pub(super) fn unfollow_fullscreen(&self) {
        if let Some((window, id)) = self.fullscreen_watch.take() {
            if let Some(window) = window.upgrade() {
                window.disconnect(id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seek_text_says_where_of_how_long() {
        assert_eq!(
            seek_value_text(83_000_000_000, 296_000_000_000),
            "1:23 of 4:56"
        );
        assert_eq!(seek_value_text(0, 0), "0:00");
        assert_eq!(seek_value_text(83_400_000_000, 0), "1:23");
        // A position past the end (a late tick) says the end.
        assert_eq!(seek_value_text(u64::MAX, 6_000_000_000), "0:06 of 0:06");
        assert_eq!(
            seek_value_text(3_725_000_000_000, 7_200_000_000_000),
            "1:02:05 of 2:00:00"
        );
    }

    #[test]
    fn volume_text_is_whole_percent_and_never_panics() {
        assert_eq!(volume_value_text(0.8, false), "volume 80 %");
        assert_eq!(volume_value_text(0.806, false), "volume 81 %");
        assert_eq!(volume_value_text(1.0, true), "volume 100 %, muted");
        assert_eq!(volume_value_text(f64::NAN, false), "volume 0 %");
        assert_eq!(volume_value_text(-3.0, false), "volume 0 %");
        assert_eq!(volume_value_text(f64::INFINITY, false), "volume 0 %");
        assert_eq!(volume_value_text(7.5, false), "volume 100 %");
    }
}
