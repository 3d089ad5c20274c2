//! What the user does to the view with pointer and touch: motion shows the
//! controls, a click focuses (a double click toggles fullscreen), the wheel
//! seeks or changes the volume, the seek bar scrubs and then lands on the
//! exact frame, and the input lock swallows all of it (keys included) but
//! the unlock chord. Keys themselves are the action table's class bindings
//! (see [`super::actions`]).

use super::{imp, DRAG_SETTLE};
use crate::engine::clock_time;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gio, glib};

impl imp::PlayerView {
    /// Connects every input handler (once, from `constructed`).
    pub(super) fn setup_input(&self) {
        self.setup_controls();
        self.setup_pointer();
        self.setup_scroll();
        self.setup_input_lock();
        self.setup_chapter_tooltip();
    }

    /// The seek bar's tooltip: the chapter under the pointer.
    fn setup_chapter_tooltip(&self) {
        let obj = self.obj();
        self.seek_scale.connect_query_tooltip(glib::clone!(
            #[weak]
            obj,
            #[upgrade_or]
            false,
            move |scale, x, _, _, tooltip| {
                let seconds = super::seek_preview::time_at(scale, f64::from(x));
                match obj.chapter_at(seconds) {
                    Some(text) => {
                        tooltip.set_text(Some(&text));
                        true
                    }
                    None => false,
                }
            }
        ));
    }

    /// Dragging the seek bar scrubs (keyframe seeks, one in flight, the
    /// latest position winning); when it stops, an accurate seek lands
    /// on the exact frame.
    fn on_seek_bar_moved(&self, seconds: f64) {
        let obj = self.obj();
        let ns = (seconds.max(0.0) * 1e9) as u64;
        obj.player().scrub(clock_time(ns));
        self.drag_target.set(Some(seconds));
        if let Some(id) = self.drag_timeout.take() {
            id.remove();
        }
        let id = glib::timeout_add_local_once(
            DRAG_SETTLE,
            glib::clone!(
                #[weak]
                obj,
                move || {
                    let imp = obj.imp();
                    imp.drag_timeout.take();
                    if let Some(seconds) = imp.drag_target.take() {
                        let ns = (seconds.max(0.0) * 1e9) as u64;
                        obj.player().seek(clock_time(ns));
                    }
                }
            ),
        );
        self.drag_timeout.replace(Some(id));
    }

    /// The seek bar, the volume bar and the error page's copy button.
    fn setup_controls(&self) {
        let obj = self.obj();
        self.seek_scale.connect_change_value(glib::clone!(
            #[weak]
            obj,
            #[upgrade_or]
            glib::Propagation::Proceed,
            move |_, _, value| {
                obj.imp().on_seek_bar_moved(value);
                obj.imp().show_controls();
                glib::Propagation::Proceed
            }
        ));
        self.volume_scale
            .adjustment()
            .connect_value_changed(glib::clone!(
                #[weak]
                obj,
                move |adj| obj.player().set_volume(adj.value())
            ));
        self.copy_button.connect_clicked(glib::clone!(
            #[weak]
            obj,
            move |_| {
                let error = obj.imp().last_error.borrow().clone();
                if let Some(e) = error {
                    obj.clipboard()
                        .set_text(&format!("{}\n{}", e.message, e.detail));
                }
            }
        ));
    }

    /// Scrolling over the picture: up/down changes the volume,
    /// left/right (or Shift with up/down) seeks 5 s, one step a notch.
    /// Scrolls over the controls (the seek and volume bars) stay theirs.
    fn setup_scroll(&self) {
        let scroll = gtk::EventControllerScroll::new(
            gtk::EventControllerScrollFlags::BOTH_AXES | gtk::EventControllerScrollFlags::DISCRETE,
        );
        let obj = self.obj();
        scroll.connect_scroll(glib::clone!(
            #[weak]
            obj,
            #[upgrade_or]
            glib::Propagation::Proceed,
            move |controller, dx, dy| {
                if obj.input_locked() {
                    return glib::Propagation::Stop;
                }
                let shift = controller
                    .current_event_state()
                    .contains(gtk::gdk::ModifierType::SHIFT_MASK);
                let (seek, volume) = if shift { (dy, 0.0) } else { (dx, dy) };
                let action = if seek > 0.0 {
                    "player.seek-forward"
                } else if seek < 0.0 {
                    "player.seek-backward"
                } else if volume < 0.0 {
                    "player.volume-up"
                } else if volume > 0.0 {
                    "player.volume-down"
                } else {
                    return glib::Propagation::Proceed;
                };
                let _ = obj.activate_action(action, None);
                glib::Propagation::Stop
            }
        ));
        self.picture.add_controller(scroll);
    }

    /// Pointer motion shows the controls; a click focuses the view, a
    /// double click toggles fullscreen.
    fn setup_pointer(&self) {
        let obj = self.obj();
        let motion = gtk::EventControllerMotion::new();
        motion.connect_motion(glib::clone!(
            #[weak]
            obj,
            move |_, x, y| {
                let imp = obj.imp();
                // Ignore synthetic motion at the same spot (e.g. after a relayout).
                if imp.last_pointer.replace((x, y)) != (x, y) {
                    imp.show_controls();
                }
            }
        ));
        obj.add_controller(motion);
        let click = gtk::GestureClick::new();
        click.connect_pressed(glib::clone!(
            #[weak]
            obj,
            move |_, n, _, _| {
                if obj.input_locked() {
                    return;
                }
                obj.grab_focus();
                obj.imp().show_controls();
                if n == 2 {
                    obj.toggle_fullscreen();
                }
            }
        ));
        obj.add_controller(click);
    }

    /// Locks or unlocks every user input to the view.
    pub(super) fn set_input_locked(&self, locked: bool) {
        if self.input_locked.replace(locked) == locked {
            return;
        }
        // Nothing inside the view can be clicked, dragged or scrolled.
        self.overlay.set_can_target(!locked);
        if locked {
            self.set_controls_visible(false);
        } else {
            self.show_controls();
        }
    }

    /// While locked, a capture-phase key handler takes every key before
    /// the view's bindings see it; only the unlock chord does anything.
    fn setup_input_lock(&self) {
        let obj = self.obj();
        let keys = gtk::EventControllerKey::new();
        keys.set_propagation_phase(gtk::PropagationPhase::Capture);
        keys.connect_key_pressed(glib::clone!(
            #[weak]
            obj,
            #[upgrade_or]
            glib::Propagation::Proceed,
            move |_, key, _, modifiers| {
                if !obj.input_locked() {
                    return glib::Propagation::Proceed;
                }
                let chord = obj.unlock_accel().and_then(|a| gtk::accelerator_parse(&a));
                let mask = gtk::accelerator_get_default_mod_mask();
                if let Some((accel_key, accel_mods)) = chord {
                    if key.to_lower() == accel_key.to_lower() && (modifiers & mask) == accel_mods {
                        match obj.unlock_action() {
                            Some(action) => match gio::Action::parse_detailed_name(&action) {
                                Ok((name, target)) => {
                                    let _ = obj.activate_action(&name, target.as_ref());
                                }
                                Err(e) => tracing::warn!("unlock-action “{action}”: {e}"),
                            },
                            None => obj.set_input_locked(false),
                        }
                    }
                }
                glib::Propagation::Stop
            }
        ));
        obj.add_controller(keys);
        // Scrolling over the view itself (not a child) is swallowed too.
        let scroll = gtk::EventControllerScroll::new(gtk::EventControllerScrollFlags::BOTH_AXES);
        scroll.set_propagation_phase(gtk::PropagationPhase::Capture);
        scroll.connect_scroll(glib::clone!(
            #[weak]
            obj,
            #[upgrade_or]
            glib::Propagation::Proceed,
            move |_, _, _| {
                if obj.input_locked() {
                    glib::Propagation::Stop
                } else {
                    glib::Propagation::Proceed
                }
            }
        ));
        obj.add_controller(scroll);
    }
}
