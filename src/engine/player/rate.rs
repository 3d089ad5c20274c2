//! Playback rate on the player: validating a new rate, instant rate
//! changes (no flush) while the direction stays, a seek when it turns, and
//! falling back to forward where the demuxer cannot play backwards. The
//! speed steps and the allowed range are in [`crate::engine::rate`].

use super::imp;
use super::settling::{Goal, Settling};
use crate::engine::bus::UnflushedSeek;
use crate::engine::log;
use crate::engine::seek::{Request, SeekMode};
use glib::subclass::prelude::*;
use gst::prelude::*;
use std::cell::Cell;

/// The rate facet's state (main thread only).
#[derive(Default)]
pub struct RateState {
    /// A rate change made while paused, sent as an instant rate change
    /// once the pipeline is told to play (see `set_rate`).
    pub due: Cell<bool>,
}

impl imp::Player {
    /// Validates and applies a rate: an instant rate change (no flush, no
    /// black frame) when the direction stays, a seek at the frame on screen
    /// otherwise.
    pub(super) fn set_rate(&self, rate: f64) {
        let rate = match crate::engine::rate::validate(rate) {
            Ok(rate) => rate,
            Err(message) => {
                self.warn(message);
                self.obj().notify_rate();
                return;
            }
        };
        let old = self.rate.replace(rate);
        if old == rate {
            return;
        }
        self.obj().notify_rate();
        if self.pipeline.borrow().is_none() || !self.prerolled.get() {
            return;
        }
        // An instant rate change is a seek without a flush: while paused,
        // a demuxer that does not know it (oggdemux) waits for its streaming
        // thread, which waits on a full queue that only playing drains. So
        // it is made while playing, and a change made while paused is sent
        // once the pipeline is told to play (`apply_target`).
        let playing = self.state.get() == crate::engine::types::PlayerState::Playing;
        if (old > 0.0) == (rate > 0.0) && self.seek.queue.borrow().is_idle() {
            if !playing {
                self.rate_change.due.set(true);
                return;
            }
            // Made, or still on its way: either way it is in hand.
            if self.send_instant_rate() {
                return;
            }
            log::debug!("instant rate change refused; seeking instead");
        }
        let here = if self.state.get() == crate::engine::types::PlayerState::Playing {
            gst::ClockTime::from_nseconds(self.position.get())
        } else {
            self.shown_pts()
                .unwrap_or(gst::ClockTime::from_nseconds(self.position.get()))
        };
        self.request_unless_waiting(Request::Seek {
            target: here,
            mode: SeekMode::Accurate,
        });
    }

    /// Sends an instant rate change to the current rate through the gate;
    /// false when it was refused.
    pub(super) fn send_instant_rate(&self) -> bool {
        let rate = self.rate.get();
        self.ask_late_ok(move |p| {
            if !super::calls::unflushed_seek_may_go(
                p,
                UnflushedSeek::RateChange,
                gst::Seqnum::next(),
            ) {
                // Put off: the player seeks with a flush on the notice.
                return true;
            }
            p.seek(
                rate,
                gst::SeekFlags::INSTANT_RATE_CHANGE,
                gst::SeekType::None,
                gst::ClockTime::NONE,
                gst::SeekType::None,
                gst::ClockTime::NONE,
            )
            .is_ok()
        })
        .is_some_and(|answer| answer.unwrap_or(true))
    }

    /// A backward rate the demuxer cannot play: back to forward.
    pub(super) fn refuse_reverse(&self) {
        self.warn(format!(
            "“{}” cannot be played backwards: its demuxer does not support reverse playback. Playing forward instead.",
            self.media_name()
        ));
        self.rate.set(self.rate.get().abs());
        self.obj().notify_rate();
        // Back to the frame on screen, forward; the request ends when it lands.
        let here = self
            .shown_pts()
            .unwrap_or(gst::ClockTime::from_nseconds(self.position.get()));
        self.seek
            .settling
            .set(Some(Settling::new(Goal::Frame(here))));
        if !self.send_correction(here, gst::SeekFlags::ACCURATE) {
            self.finish_request();
        }
    }
}

impl super::Player {
    /// Sets the rate to the next faster step (0.25× … 4×).
    pub fn faster(&self) {
        self.set_rate(crate::engine::rate::faster(self.rate()));
    }

    /// Sets the rate to the next slower step (0.25× … 4×).
    pub fn slower(&self) {
        self.set_rate(crate::engine::rate::slower(self.rate()));
    }
}
