//! Tells the player the size, in device pixels, that the view's picture is
//! shown at, so that the software video chain scales each frame to exactly
//! that size (`Player::set_render_size`, `engine::spec::fitted_size`) and
//! GTK draws it pixel for pixel instead of scaling it again every frame.
//!
//! The first size is told at once; later ones once the size has held for
//! [`SETTLE`], so that a window being resized does not renegotiate the
//! pipeline on every pixel (GTK scales the last frames meanwhile).

use super::imp;
use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use std::cell::{Cell, RefCell};
use std::time::Duration;

/// How long a new picture size must hold before the player is told.
pub const SETTLE: Duration = Duration::from_millis(200);

/// The picture size wanted and told, and the pending telling.
#[derive(Default)]
pub struct RenderSize {
    /// The picture's size now, in device pixels.
    wanted: Cell<(u32, u32)>,
    /// The size the player was last told (`(0, 0)`: none yet).
    told: Cell<(u32, u32)>,
    pending: RefCell<Option<glib::SourceId>>,
}

impl RenderSize {
    /// Follows the picture's allocation (called on every allocation of the
    /// view, after its children are allocated).
    pub fn follow(&self, view: &imp::PlayerView) {
        let scale = view.obj().scale_factor().max(1);
        let device = |v: i32| v.max(1).saturating_mul(scale) as u32;
        let size = (device(view.picture.width()), device(view.picture.height()));
        if self.wanted.replace(size) == size {
            return;
        }
        self.cancel();
        if self.told.get() == (0, 0) {
            self.tell(view);
            return;
        }
        let weak = view.obj().downgrade();
        let id = glib::timeout_add_local_once(SETTLE, move || {
            if let Some(obj) = weak.upgrade() {
                let view = obj.imp();
                // This source has fired: forget it before telling.
                let _fired = view.render_size.pending.take();
                view.render_size.tell(view);
            }
        });
        self.pending.replace(Some(id));
    }

    /// Tells the view's player the size wanted now (also a player the view
    /// has just been given).
    pub fn tell(&self, view: &imp::PlayerView) {
        let (width, height) = self.wanted.get();
        if width == 0 || height == 0 {
            return;
        }
        self.told.set((width, height));
        if let Some(player) = view.player.borrow().clone() {
            player.set_render_size(width, height);
        }
    }

    /// Drops a pending telling (the size changed again, or the view goes).
    pub fn cancel(&self) {
        if let Some(id) = self.pending.take() {
            id.remove();
        }
    }
}
