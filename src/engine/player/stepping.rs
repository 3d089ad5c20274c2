//! Frame steps. A forward step sends a GStreamer step event to the video
//! sink; a backward step is served from the decoded-frame cache in
//! [`super::backstep`] or, when that cannot, by an accurate seek to just
//! before the frame on screen. Steps stop at the first and last frame with
//! a warning.

use super::imp;
use super::settling::{Goal, Settling};
use crate::engine::log;
use crate::engine::seek::Request;
use glib::subclass::prelude::*;
use gst::prelude::*;
use std::cell::Cell;

/// The step facet's state (main thread only).
#[derive(Default)]
pub struct StepState {
    /// Forward steps still to make for the request in flight.
    pub left: Cell<i64>,
    /// The frame the forward step in flight started from.
    pub from: Cell<Option<gst::ClockTime>>,
    /// Playback reached the end of the stream (until the next flush):
    /// there is no frame to step forward to.
    pub at_eos: Cell<bool>,
    /// Video moved by frame steps alone: seek before playing so audio follows.
    pub needs_resync: Cell<bool>,
}

impl StepState {
    /// Forgets the steps in flight (the pipeline is let go).
    pub fn clear(&self) {
        self.left.set(0);
        self.from.set(None);
        self.needs_resync.set(false);
    }
}

impl imp::Player {
    pub(super) fn send_step(&self) -> bool {
        let shared = self.shared.clone();
        self.ask_late_ok(move |p| {
            shared.mark_preroll_cause();
            p.send_event(gst::event::Step::new(
                gst::format::Buffers::ONE,
                1.0,
                true,
                false,
            ))
        })
        .is_some_and(|answer| answer.unwrap_or(true))
    }

    pub(super) fn start_step(&self, frames: i64) {
        if !self.has_video.get() {
            self.warn(format!(
                "“{}” has no video to step through.",
                self.media_name()
            ));
            return self.finish_request();
        }
        self.step.left.set(frames);
        if self.rate.get() < 0.0 {
            // Frame steps go forward in time; leave reverse playback first.
            self.rate.set(self.rate.get().abs());
            self.obj().notify_rate();
            self.want_playing.set(false);
            self.apply_target();
            if let Some(pts) = self.shown_pts() {
                self.seek
                    .settling
                    .set(Some(Settling::new(Goal::Frame(pts))));
                if self.send_correction(pts, gst::SeekFlags::ACCURATE) {
                    return;
                }
            }
        }
        // Playing, or still on the way to paused (a pause just asked for):
        // the steps start from the frame the pause prerolls, once it has.
        let moving = self.pipeline.borrow().as_ref().is_some_and(|p| {
            p.current_state() == gst::State::Playing || p.pending_state() != gst::State::VoidPending
        });
        self.want_playing.set(false);
        if moving {
            // Pausing prerolls a frame; the steps start from there.
            self.apply_target();
        } else {
            self.continue_step();
        }
    }

    /// Makes the next frame step of the request in flight.
    pub(super) fn continue_step(&self) {
        if let Some(from) = self.step.from.take() {
            if self.sink_sample().is_none() {
                if self.step_frame_on_its_way() {
                    // An earlier preroll's async-done, not the step's: wait.
                    log::debug!("step: an earlier async-done; the step's frame is still to come");
                    self.step.from.set(Some(from));
                    return;
                }
                return self.stepped_past_the_end(from);
            }
        }
        let left = self.step.left.get();
        if left == 0 {
            return self.finish_request();
        }
        self.refresh_frame();
        if left > 0 {
            self.step_forward_once();
        } else {
            self.step_backward_once();
        }
    }

    pub(super) fn step_forward_once(&self) {
        let left = self.step.left.get();
        // Within frames cached by backward steps, forward is instant too.
        match self.backstep.forward() {
            super::backstep::Forward::Shown | super::backstep::Forward::BackToSink => {
                self.step.left.set(left - 1);
                self.refresh_frame();
                return self.continue_step();
            }
            super::backstep::Forward::Lost(pts) => {
                // The cache no longer knows the next frame: put the pipeline
                // on the cached frame, then step from there.
                self.backstep.hide();
                self.seek
                    .settling
                    .set(Some(Settling::new(Goal::Frame(pts))));
                if !self.send_correction(pts, gst::SeekFlags::ACCURATE) {
                    self.finish_request();
                }
                return;
            }
            super::backstep::Forward::NotShowing => {}
        }
        if self.step.at_eos.get() || self.at_last_frame() {
            self.warn("Already at the last frame.".into());
            return self.finish_request();
        }
        if self.send_step() {
            self.step.left.set(left - 1);
            self.step.from.set(self.shown_pts());
            self.step.needs_resync.set(true);
        } else {
            self.finish_request();
        }
    }

    /// Whether the forward step in flight is still on its way to its frame.
    /// A flushing step drops the sink's picture and makes the pipeline lose
    /// its `PAUSED` state until the frame stepped to prerolls; so a sink
    /// with no picture while the pipeline has a state change pending has
    /// not reached the end of the stream, its frame is still to come. This
    /// happens when the async-done that got here is an earlier one: the
    /// pipeline posts the state change of a pause before its async-done, so
    /// a step made in between (the pipeline already `PAUSED`, the player
    /// paused) is sent before the pause's async-done is handled, and that
    /// async-done arrives while the step has just dropped the picture.
    fn step_frame_on_its_way(&self) -> bool {
        self.pipeline
            .borrow()
            .as_ref()
            .is_some_and(|p| p.pending_state() != gst::State::VoidPending)
    }

    /// A forward step ran into the end of the stream (the sink let go of
    /// its picture): say so and put the frame it started from back.
    pub(super) fn stepped_past_the_end(&self, from: gst::ClockTime) {
        self.warn("Already at the last frame.".into());
        self.step.left.set(0);
        self.step.from.set(None);
        let mut settling = Settling::new(Goal::Frame(from));
        settling.dead_end = Some(from);
        self.seek.settling.set(Some(settling));
        if !self.send_correction(from, gst::SeekFlags::ACCURATE) {
            self.finish_request();
        }
    }

    /// Whether the frame on screen is the media's last.
    pub(super) fn at_last_frame(&self) -> bool {
        let (Some(pts), Some(duration)) = (self.shown_pts(), self.duration_query()) else {
            return false;
        };
        if self.shared.index.next_after(pts).is_some() {
            return false;
        }
        let frame = u64::try_from(self.frame_duration.get()).unwrap_or(0);
        pts.nseconds()
            .saturating_add(frame)
            .saturating_add(gst::ClockTime::MSECOND.nseconds())
            >= duration.nseconds()
    }

    pub(super) fn step_backward_once(&self) {
        let Some(pts) = self.shown_pts() else {
            return self.finish_request();
        };
        if self.first_frame.get().is_some_and(|first| pts <= first) {
            self.warn("Already at the first frame.".into());
            return self.finish_request();
        }
        if !self.seekable.get() {
            // Going back means decoding from an earlier keyframe again.
            self.warn(format!(
                "“{}” cannot be sought (a live or unindexed stream), so it cannot step backward.",
                self.media_name()
            ));
            return self.finish_request();
        }
        self.step.left.set(self.step.left.get() + 1);
        if self.backstep.back(pts) {
            self.refresh_frame();
            return self.continue_step();
        }
        // Not cached: decode the frames before this one, then look again.
        // They start at the keyframe before (known from decoding up to
        // here), or as far back as the cache holds.
        let weak = self.obj().downgrade();
        let uri = self.uri.borrow().clone().unwrap_or_default();
        let budget = (self.frame_cache_mb.get() as usize).saturating_mul(1024 * 1024);
        // Frames as the decoder gives them (full size, whatever the window).
        let frame_size = self
            .video_size
            .borrow()
            .map_or(1920 * 1080 * 3 / 2, |v| {
                let bytes = u64::from(v.width) * u64::from(v.height) * 3 / 2;
                usize::try_from(bytes).unwrap_or(usize::MAX)
            })
            .max(1);
        let limit = (budget / frame_size).clamp(2, 600);
        let frame = u64::try_from(self.frame_duration.get())
            .ok()
            .filter(|&d| d > 0)
            .unwrap_or(40_000_000);
        let window = pts.saturating_sub(crate::engine::timefmt::clock_time(
            frame.saturating_mul(limit as u64),
        ));
        let before = pts.saturating_sub(gst::ClockTime::from_nseconds(1));
        let keyframe = self
            .shared
            .index
            .keyframe_before(before)
            .map(|k| k.pts)
            .max(self.backstep.keyframe_before(before));
        let from = keyframe.map_or(window, |k| k.max(window));
        let started =
            self.backstep
                .fill_between(&uri, from, pts, budget, move |generation, fill| {
                    let Some(player) = weak.upgrade() else { return };
                    let imp = player.imp();
                    if !imp.backstep.is_current(generation) {
                        return;
                    }
                    if imp.backstep.accept(fill, pts, budget) && imp.backstep.back(pts) {
                        imp.refresh_frame();
                        imp.continue_step();
                    } else {
                        imp.seek_to_previous(pts);
                    }
                });
        if !started {
            self.seek_to_previous(pts);
        }
    }

    /// The fallback backward step: an accurate seek to just before `pts`.
    pub(super) fn seek_to_previous(&self, pts: gst::ClockTime) {
        self.backstep.hide();
        let goal = pts.saturating_sub(gst::ClockTime::from_nseconds(1));
        self.seek
            .settling
            .set(Some(Settling::new(Goal::Frame(goal))));
        if !self.send_correction(goal, gst::SeekFlags::ACCURATE) {
            self.finish_request();
        }
    }
}

impl super::Player {
    /// Steps `frames` frames forward (positive) or backward (negative),
    /// pausing first. Each step shows exactly the next or previous frame;
    /// at the first or last frame a `warning` says so and nothing moves.
    pub fn step(&self, frames: i64) {
        if frames != 0 {
            self.imp().request(Request::Step(frames));
        }
    }

    /// Steps one frame forward.
    pub fn step_forward(&self) {
        self.step(1)
    }

    /// Steps one frame backward.
    pub fn step_backward(&self) {
        self.step(-1)
    }

    /// How many times backward steps decoded a run of frames (back to a
    /// keyframe) into the step cache; steps served from the cache add nothing.
    pub fn stats_step_cache_fills(&self) -> u64 {
        self.imp().backstep.fills()
    }
}
