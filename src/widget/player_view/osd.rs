//! What the view draws over the video besides the picture: one short
//! message line over the top-left ([`Osd`]) that says what a key just did
//! (speed, offsets, loop points, the frame after a step) or why it did
//! nothing, and fades out after a moment; and the controls bar, shown on
//! pointer motion and hidden after [`CONTROLS_HIDE_DELAY`], with subtitles
//! raised above it while it covers the picture.

use super::{imp, CONTROLS_HIDE_DELAY};
use crate::widget::embedding::ControlsMode;
use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// How long a message stays.
pub const OSD_TIMEOUT: Duration = Duration::from_millis(1800);

/// A label in a revealer, shown for a moment per message.
#[derive(Clone)]
pub struct Osd {
    revealer: gtk::Revealer,
    label: gtk::Label,
    timeout: Rc<RefCell<Option<glib::SourceId>>>,
}

impl Osd {
    /// Builds the OSD; add [`Osd::widget`] as an overlay child.
    pub fn new() -> Self {
        let label = gtk::Label::builder()
            .wrap(true)
            .max_width_chars(60)
            .xalign(0.0)
            .build();
        label.add_css_class("framescope-osd");
        let revealer = gtk::Revealer::builder()
            .transition_type(gtk::RevealerTransitionType::Crossfade)
            .halign(gtk::Align::Start)
            .valign(gtk::Align::Start)
            .can_target(false)
            .child(&label)
            .build();
        Self {
            revealer,
            label,
            timeout: Rc::default(),
        }
    }

    /// The widget to put in the overlay.
    pub fn widget(&self) -> &gtk::Revealer {
        &self.revealer
    }

    /// Shows `text` for [`OSD_TIMEOUT`], replacing any message shown.
    pub fn show(&self, text: &str) {
        self.label.set_label(text);
        self.revealer.set_reveal_child(true);
        if let Some(id) = self.timeout.take() {
            id.remove();
        }
        let id = glib::timeout_add_local_once(
            OSD_TIMEOUT,
            glib::clone!(
                #[weak_allow_none(rename_to = revealer)]
                self.revealer,
                #[weak_allow_none(rename_to = slot)]
                self.timeout,
                move || {
                    if let Some(slot) = slot {
                        slot.take();
                    }
                    if let Some(r) = revealer {
                        r.set_reveal_child(false);
                    }
                }
            ),
        );
        self.timeout.replace(Some(id));
    }

    /// The message shown now, if any.
    pub fn text(&self) -> Option<String> {
        self.revealer
            .reveals_child()
            .then(|| self.label.label().to_string())
    }

    /// Stops the fade timer (the widget is going away).
    pub fn stop(&self) {
        if let Some(id) = self.timeout.take() {
            id.remove();
        }
    }
}

impl Default for Osd {
    fn default() -> Self {
        Self::new()
    }
}

impl imp::PlayerView {
    /// Shows the controls and restarts the hide timer.
    pub(crate) fn show_controls(&self) {
        if self.controls.get() == ControlsMode::Off || self.input_locked.get() {
            return;
        }
        self.set_controls_visible(true);
        self.schedule_hide();
    }

    /// Reveals or hides the controls bar (never shown when the controls are
    /// off or input is locked).
    pub(super) fn set_controls_visible(&self, visible: bool) {
        let visible =
            visible && self.controls.get() != ControlsMode::Off && !self.input_locked.get();
        // A bar going away takes no keyboard focus with it.
        if !visible && self.focus_in_controls() {
            self.obj().grab_focus();
        }
        self.controls_bar.set_reveal_child(visible);
        // Off or locked, the host decides about the cursor.
        if self.controls.get() != ControlsMode::Off && !self.input_locked.get() {
            self.obj()
                .set_cursor_from_name(if visible { None } else { Some("none") });
        }
        if self.controls_visible.replace(visible) != visible {
            self.obj().notify_controls_visible();
        }
        self.update_subtitle_lift();
    }

    /// Sets how much of the controls to show.
    pub(super) fn set_controls(&self, mode: ControlsMode) {
        self.controls.set(mode);
        let full = mode == ControlsMode::Full;
        for widget in [
            self.position_label.upcast_ref::<gtk::Widget>(),
            self.duration_label.upcast_ref(),
            self.mute_button.upcast_ref(),
            self.volume_scale.upcast_ref(),
            self.fullscreen_button.upcast_ref(),
        ] {
            widget.set_visible(full);
        }
        self.refresh();
        if mode == ControlsMode::Off {
            self.set_controls_visible(false);
        } else {
            self.show_controls();
        }
    }

    /// Subtitles are drawn into the picture: while the controls bar is
    /// shown over the picture's bottom, the text is raised above it.
    pub(super) fn update_subtitle_lift(&self) {
        let Some(player) = self.player.borrow().clone() else {
            return;
        };
        let obj = self.obj();
        let lift = match (player.video_size(), self.controls_visible.get()) {
            (Some(size), true) => {
                let bar_top = self
                    .controls_bar
                    .compute_bounds(&*obj)
                    .map(|b| f64::from(b.y()));
                subtitle_lift(
                    (f64::from(obj.width()), f64::from(obj.height())),
                    &size,
                    bar_top,
                )
            }
            _ => 0,
        };
        player.set_subtitle_lift(lift);
    }

    /// Hides the controls after [`CONTROLS_HIDE_DELAY`] (restarting the wait).
    pub(super) fn schedule_hide(&self) {
        if let Some(id) = self.hide_timeout.take() {
            id.remove();
        }
        let obj = self.obj();
        let id = glib::timeout_add_local_once(
            CONTROLS_HIDE_DELAY,
            glib::clone!(
                #[weak]
                obj,
                move || {
                    let imp = obj.imp();
                    imp.hide_timeout.take();
                    // The bar stays while the keyboard is in it.
                    if !imp.focus_in_controls() {
                        imp.set_controls_visible(false);
                    }
                }
            ),
        );
        self.hide_timeout.replace(Some(id));
    }
}

/// How many video pixels subtitles must rise so their usual place is
/// above a bar whose top is at `bar_top` in a view of `view` size
/// showing video of `size` letterboxed (0 when the bar sits in the black
/// border under the picture).
fn subtitle_lift(view: (f64, f64), size: &crate::engine::VideoSize, bar_top: Option<f64>) -> u32 {
    let (Some(bar_top), true) = (bar_top, size.height > 0 && size.par_d > 0) else {
        return 0;
    };
    let (width, height) = view;
    let shown_width = f64::from(size.width) * f64::from(size.par_n) / f64::from(size.par_d);
    let scale = (width / shown_width).min(height / f64::from(size.height));
    if !(scale.is_finite() && scale > 0.0) {
        return 0;
    }
    let border = (height - f64::from(size.height) * scale) / 2.0;
    let covered = height - bar_top - border;
    if covered <= 0.0 {
        0
    } else {
        (covered / scale).ceil() as u32
    }
}
