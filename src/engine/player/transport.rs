//! Transport: play, pause and stop, and the audio level (volume, mute).
//! What the pipeline is then asked to be in is worked out in
//! [`super::lifecycle`] (`apply_target`).

use super::imp;
use crate::engine::types::PlayerState;
use glib::prelude::*;
use glib::subclass::prelude::*;

impl imp::Player {
    pub(super) fn set_volume(&self, volume: f64) {
        if volume.is_nan() {
            self.warn(
                "A volume that is not a number was refused; use a value from 0 (silent) to 1 (full)."
                    .into(),
            );
            // Whatever showed the refused value shows the volume again.
            self.obj().notify_volume();
            return;
        }
        let volume = volume.clamp(0.0, 1.0);
        if self.volume.replace(volume) != volume {
            self.tell(move |p| p.set_property("volume", volume));
            self.obj().notify_volume();
        }
    }

    pub(super) fn set_muted(&self, muted: bool) {
        if self.muted.replace(muted) != muted {
            self.tell(move |p| p.set_property("mute", muted));
            self.obj().notify_muted();
        }
    }
}

impl super::Player {
    /// Starts or resumes playback.
    pub fn play(&self) {
        let imp = self.imp();
        if imp.pipeline.borrow().is_none() {
            match self.uri() {
                Some(uri) if self.state() == PlayerState::Stopped => self.set_uri(Some(uri)),
                _ => return,
            }
        }
        if self.state() == PlayerState::Error {
            return;
        }
        imp.want_playing.set(true);
        imp.start_watchdog();
        imp.resume();
    }

    /// Pauses on the current frame.
    pub fn pause(&self) {
        let imp = self.imp();
        if imp.pipeline.borrow().is_some() {
            imp.want_playing.set(false);
            imp.apply_target();
        }
    }

    /// Plays when paused, pauses when playing.
    pub fn toggle_play(&self) {
        if self.imp().want_playing.get() {
            self.pause()
        } else {
            self.play()
        }
    }

    /// Stops and releases the pipeline, leaving no picture (black); `play`
    /// starts again from the beginning.
    pub fn stop(&self) {
        let imp = self.imp();
        imp.watchdog.cancel();
        imp.teardown();
        imp.set_state(PlayerState::Stopped);
        if self.position() != 0 {
            imp.position.set(0);
            self.notify_position();
        }
        imp.clear_frame();
        // Stopped means black: no picture is left on screen, not even one
        // the sink (or a watchdog restart) still holds.
        if imp.paintable.replace(None).is_some() {
            self.notify_paintable();
        }
    }
}
