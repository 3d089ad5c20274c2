//! Settling: making an accurate or keyframe seek exact. GStreamer's
//! accurate seek shows the first decoded frame that overlaps the target,
//! its PTS clipped; once the seek has prerolled, the frame is checked
//! against the frame index and corrected (a step forward or an exact
//! re-seek) until it is the last one whose PTS is at or before the goal.

use super::imp;
use crate::engine::frame::{settle, true_pts, Settle};
use crate::engine::log;
use crate::engine::seek::SeekMode;
use glib::subclass::prelude::*;

/// Corrections one seek may make before it accepts the frame it has (a GOP
/// of 2 s at 60 fps is 120 steps; real corrections are one or two).
const MAX_CORRECTIONS: u32 = 130;

/// How often a seek whose segment ended without a preroll is checked on.
const GRACE: std::time::Duration = std::time::Duration::from_millis(250);

/// What an in-flight seek must end on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// The frame shown at this time (the last whose PTS is ≤ it).
    Frame(gst::ClockTime),
    /// The keyframe at or before this time.
    KeyBefore(gst::ClockTime),
    /// The keyframe at or after this time.
    KeyAfter(gst::ClockTime),
    /// The keyframe nearest this time, first step: the keyframe after it
    /// is being found (demuxers treat `SNAP_NEAREST` as "before").
    NearestAfter(gst::ClockTime),
    /// The keyframe nearest `target`, second step: the one before it is
    /// being found; `after` is the one after, if there is one.
    NearestBefore {
        /// The seek target.
        target: gst::ClockTime,
        /// The keyframe at or after the target.
        after: Option<gst::ClockTime>,
    },
}

/// A seek being made exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settling {
    /// The frame wanted.
    pub goal: Goal,
    /// Corrections made so far.
    pub attempts: u32,
    /// The frame a correcting step started from, while it runs.
    pub stepped_from: Option<gst::ClockTime>,
    /// A frame no step can get past: stepping from it ran into the end
    /// (a last frame the container makes unreachable).
    pub dead_end: Option<gst::ClockTime>,
    /// The last correcting seek's target: a repeat changes nothing.
    pub last_seek_to: Option<gst::ClockTime>,
}

impl Settling {
    pub fn new(goal: Goal) -> Self {
        Self {
            goal,
            attempts: 0,
            stepped_from: None,
            dead_end: None,
            last_seek_to: None,
        }
    }
}

impl imp::Player {
    /// A seek in flight has prerolled: check the frame and correct it.
    pub(super) fn continue_settle(&self) {
        let Some(mut settling) = self.seek.settling.get() else {
            return;
        };
        // Only a paused picture has to be exact (a playing one moves on), and
        // corrections step forward, so they apply to forward playback.
        if (self.want_playing.get() && self.step.left.get() == 0) || self.rate.get() < 0.0 {
            return self.landed();
        }
        if settling.attempts >= MAX_CORRECTIONS {
            log::warn!("could not make the seek to {:?} exact", settling.goal);
            return self.landed();
        }
        // Demuxers snap keyframe seeks by decode time, so with B-frames the
        // frames before a keyframe can show first; the index knows the
        // keyframes that decoding went through.
        let before = |t| self.shared.index.keyframe_before(t).map(|k| k.pts);
        let after = |t| self.shared.index.keyframe_after(t).map(|k| k.pts);
        let shown = self.sink_sample().map(|s| true_pts(&s, &self.shared.index));
        // A correcting step that ran into the end: go back to where it
        // started and accept that frame.
        let stepped_from = settling.stepped_from.take();
        if let (None, Some(from)) = (shown, stepped_from) {
            settling.dead_end = Some(from);
            settling.attempts += 1;
            self.seek.settling.set(Some(settling));
            if !self.send_correction(from, gst::SeekFlags::ACCURATE) {
                self.landed();
            }
            return;
        }
        if shown.is_some() && shown == settling.dead_end {
            return self.landed();
        }
        let (action, goal) = match settling.goal {
            Goal::NearestAfter(target) => match after(target) {
                Some(k) if k == target => (self.settle_to(k, shown), Goal::KeyAfter(target)),
                next => (
                    Settle::SeekTo(target),
                    Goal::NearestBefore {
                        target,
                        after: next,
                    },
                ),
            },
            Goal::NearestBefore { target, after } => {
                let before = before(target).unwrap_or(gst::ClockTime::ZERO);
                match after {
                    Some(a) if a - target < target - before => (Settle::SeekTo(a), Goal::Frame(a)),
                    _ => (self.settle_to(before, shown), Goal::KeyBefore(target)),
                }
            }
            Goal::Frame(t) => (self.settle_to(t, shown), settling.goal),
            Goal::KeyBefore(t) => match before(t) {
                Some(k) => (self.settle_to(k, shown), settling.goal),
                None => (Settle::Done, settling.goal),
            },
            Goal::KeyAfter(t) => match after(t).or_else(|| before(t)) {
                Some(k) => (self.settle_to(k, shown), settling.goal),
                None => (Settle::Done, settling.goal),
            },
        };
        // A correcting seek that would repeat the last one changes nothing
        // (an open GOP at the very start has no earlier keyframe).
        let repeat = matches!(action, Settle::SeekTo(t) if Some(t) == settling.last_seek_to);
        if action == Settle::Done || repeat {
            return self.landed();
        }
        if let Settle::SeekTo(t) = action {
            settling.last_seek_to = Some(t);
        }
        let previous_goal = settling.goal;
        settling.attempts += 1;
        settling.goal = goal;
        self.seek.settling.set(Some(settling));
        log::debug!(
            "settling seek: previous goal {previous_goal:?}, goal {goal:?}, shown {shown:?}, action {action:?}"
        );
        settling.stepped_from = shown.filter(|_| action == Settle::StepForward);
        self.seek.settling.set(Some(settling));
        let sent = match (action, previous_goal) {
            (Settle::StepForward, _) => self.send_step(),
            (Settle::SeekTo(t), Goal::NearestAfter(_)) => {
                self.send_correction(t, SeekMode::SnapBefore.flags())
            }
            (Settle::SeekTo(t), _) => self.send_correction(t, gst::SeekFlags::ACCURATE),
            (Settle::Done, _) => unreachable!(),
        };
        if !sent {
            self.landed();
        }
    }

    /// The demuxer has pushed everything up to the end: if the seek still
    /// has not prerolled once decoding has stopped moving (every frame fell
    /// before its target), none will come, so settle with nothing on
    /// screen. Checked every [`GRACE`]: while the decoder is still being
    /// fed or frames still reach the sink (a busy machine), the preroll is
    /// on its way. Only the same request at the same correction counts: a
    /// later request (its corrections counted from 0 again) caught
    /// flushing was taken for one with nothing to show and corrected from
    /// a second before its goal
    /// (`engine::a_seek_right_after_pausing_lands_on_its_frame`).
    pub(super) fn settle_unless_prerolled(&self, attempts: u32) {
        /// Checks at most this many times (5 s in all).
        const CHECKS: u32 = 20;
        let request = self.seek.started.get();
        let mut progress = (self.shared.index.fed(), self.shared.frame_steps.arrived());
        let weak = self.obj().downgrade();
        glib::MainContext::ref_thread_default().spawn_local(async move {
            for check in 1..=CHECKS {
                glib::timeout_future(GRACE).await;
                let Some(player) = weak.upgrade() else { return };
                let imp = player.imp();
                let waiting = imp.seek.started.get() == request
                    && imp
                        .seek
                        .settling
                        .get()
                        .is_some_and(|s| s.attempts == attempts);
                if !waiting || imp.sink_sample().is_some() {
                    return;
                }
                let now = (imp.shared.index.fed(), imp.shared.frame_steps.arrived());
                if std::mem::replace(&mut progress, now) == now || check == CHECKS {
                    return imp.continue_settle();
                }
            }
        });
    }

    /// What makes the frame on screen the one shown at `goal`. With nothing
    /// on screen (a seek ran into the end), seek to the last frame known
    /// shortly before the goal, or a second before it, and step from there.
    pub(super) fn settle_to(&self, goal: gst::ClockTime, shown: Option<gst::ClockTime>) -> Settle {
        const LOOK_BACK: gst::ClockTime = gst::ClockTime::from_seconds(1);
        match shown {
            Some(pts) => settle(goal, pts, &self.shared.index),
            None => match self.shared.index.frame_at(goal) {
                Some(unit) if unit.pts < goal && goal - unit.pts <= LOOK_BACK => {
                    Settle::SeekTo(unit.pts)
                }
                _ if !goal.is_zero() => Settle::SeekTo(goal.saturating_sub(LOOK_BACK)),
                _ => Settle::Done,
            },
        }
    }

    /// The seek in flight is exact: go on with any steps, or finish.
    pub(super) fn landed(&self) {
        log::debug!("seek landed, shown {:?}", self.shown_pts());
        self.seek.settling.set(None);
        self.refresh_frame();
        // The segment this seek started was demuxed to its end while it
        // prerolled: queue the next round now (unless a correction replaced it).
        let finished = self.loops.segment_finished.take();
        if finished.is_some()
            && finished == self.loops.segment_seqnum.get()
            && self.loops.segment_looping.get()
        {
            self.next_loop_round();
        }
        if self.step.left.get() != 0 {
            self.continue_step();
        } else {
            self.finish_request();
        }
    }
}
