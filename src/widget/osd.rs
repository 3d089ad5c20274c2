//! The on-screen display: one short line over the top-left of the video
//! that says what a key just did (speed, offsets, loop points, the frame
//! after a step) or why it did nothing, and fades out after a moment.

use gtk::glib;
use gtk::prelude::*;
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
        let revealer = self.revealer.downgrade();
        let slot = Rc::downgrade(&self.timeout);
        let id = glib::timeout_add_local_once(OSD_TIMEOUT, move || {
            if let Some(slot) = slot.upgrade() {
                slot.take();
            }
            if let Some(r) = revealer.upgrade() {
                r.set_reveal_child(false);
            }
        });
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
