//! Timing controls: seeks (with the one-in-flight queue and the settling
//! that makes accurate seeks exact), frame steps, rate changes, seamless
//! loops (whole media and A-B) and the audio/subtitle offsets.
//!
//! A request runs until the frame it asked for is on screen. A seek sends a
//! flushing seek; when the pipeline has prerolled, `continue_settle` checks
//! the frame against the frame index and corrects it (a step forward or an
//! exact re-seek) until it is the right one. A forward step sends a GStreamer
//! step event to the video sink; a backward step is served from the
//! decoded-frame cache in [`super::backstep`] or, when that cannot, by an
//! accurate seek to just before the frame on screen.

use super::imp;
use crate::engine::bus::UnflushedSeek;
use crate::engine::frame::{settle, true_pts, Settle};
use crate::engine::log;
use crate::engine::looping::{loop_bounds, segment_bounds};
use crate::engine::seek::{Request, SeekMode};
use glib::prelude::*;
use glib::subclass::prelude::*;
use gst::prelude::*;

/// Corrections one seek may make before it accepts the frame it has (a GOP
/// of 2 s at 60 fps is 120 steps; real corrections are one or two).
const MAX_CORRECTIONS: u32 = 130;
/// A seek or step still in flight after this long is given up on.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The audio/subtitle offset keys move by this much.
pub const OFFSET_STEP: gst::ClockTime = gst::ClockTime::from_mseconds(10);

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
    fn new(goal: Goal) -> Self {
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
    /// Starts a seek or step, or queues it behind the one in flight.
    pub(super) fn request(&self, request: Request) {
        if self.pipeline.borrow().is_none() {
            return;
        }
        let start = self.queue.borrow_mut().offer(request);
        if let Some(request) = start {
            self.start(request);
        }
    }

    /// Starts an internal seek (re-aligning audio, a new direction or loop)
    /// unless the user's own seek waits: that one carries the rate and loop
    /// when it is sent, and it must not be replaced.
    pub(super) fn request_unless_waiting(&self, request: Request) {
        if !matches!(self.queue.borrow().waiting(), Some(Request::Seek { .. })) {
            self.request(request);
        }
    }

    fn start(&self, request: Request) {
        self.watch_request();
        match request {
            Request::Seek { target, mode } => self.start_seek(target, mode),
            Request::Step(frames) => self.start_step(frames),
        }
    }

    /// Gives up on the request just started if it is still in flight after
    /// [`REQUEST_TIMEOUT`], so a pipeline that never answers cannot keep the
    /// player busy (and every later seek waiting) for good.
    fn watch_request(&self) {
        let weak = self.obj().downgrade();
        let handle = glib::MainContext::ref_thread_default().spawn_local(async move {
            glib::timeout_future(REQUEST_TIMEOUT).await;
            let Some(player) = weak.upgrade() else { return };
            let imp = player.imp();
            imp.request_watchdog.take();
            if !imp.queue.borrow().is_idle() {
                log::warn!("a seek or step got no answer from the pipeline; giving up on it");
                imp.backstep.cancel();
                imp.finish_request();
            }
        });
        if let Some(old) = self.request_watchdog.replace(Some(handle)) {
            old.abort();
        }
    }

    /// The request in flight is done: start the waiting one or settle down.
    pub(super) fn finish_request(&self) {
        self.settling.set(None);
        self.steps_left.set(0);
        self.step_from.set(None);
        let next = self.queue.borrow_mut().finish();
        match next {
            Some(request) => self.start(request),
            None => {
                if let Some(handle) = self.request_watchdog.take() {
                    handle.abort();
                }
                self.startup.set(false);
                self.backstep.present();
                self.query_position();
                // Play was pressed while a step ran: audio follows first.
                let moved_alone = self.needs_resync.get() || self.backstep.shown().is_some();
                if self.want_playing.get() && moved_alone {
                    self.resume();
                } else {
                    self.apply_target();
                }
                self.update_public_state();
            }
        }
    }

    /// After the first preroll: a rate or loop chosen before loading is
    /// applied with a seek at the first frame (unless a start seek waits).
    pub(super) fn on_first_preroll(&self) {
        let needs_seek =
            self.rate.get() != 1.0 || self.r#loop.get() || self.ab.get().range().is_some();
        if needs_seek && self.queue.borrow().waiting().is_none() {
            let here = self.first_frame.get().unwrap_or(gst::ClockTime::ZERO);
            self.queue.borrow_mut().offer(Request::Seek {
                target: here,
                mode: SeekMode::Accurate,
            });
        }
        self.finish_request();
    }

    /// Plays: first re-aligns audio with video when frame steps or a
    /// cached frame moved the picture alone.
    pub(super) fn resume(&self) {
        let shown = self.shown_pts();
        let loop_lost =
            (self.r#loop.get() || self.ab.get().range().is_some()) && !self.segment_looping.get();
        let moved_alone = self.needs_resync.get() || self.backstep.shown().is_some();
        if (moved_alone || loop_lost) && shown.is_some() {
            self.needs_resync.set(false);
            self.request_unless_waiting(Request::Seek {
                target: shown.unwrap_or(gst::ClockTime::ZERO),
                mode: SeekMode::Accurate,
            });
        } else if self.queue.borrow().is_idle() {
            self.apply_target();
        }
    }

    /// Sends a flushing seek to `target` with the current rate, carrying the
    /// loop's `SEGMENT` flag and stop. Returns whether it was accepted.
    fn send_seek(&self, target: gst::ClockTime, flags: gst::SeekFlags) -> bool {
        self.send_seek_with(target, flags, true)
    }

    /// A seek that corrects the frame on screen (settling, stepping). While
    /// paused it leaves the loop out: at the end of the media it then meets
    /// an ordinary end of stream, which prerolls, where a looping segment
    /// just stops with nothing to show. Playing again restores the loop.
    fn send_correction(&self, target: gst::ClockTime, flags: gst::SeekFlags) -> bool {
        self.send_seek_with(target, flags, self.want_playing.get())
    }

    fn send_seek_with(
        &self,
        target: gst::ClockTime,
        flags: gst::SeekFlags,
        may_loop: bool,
    ) -> bool {
        let rate = self.rate.get();
        let ab = self.ab.get().range().filter(|_| may_loop);
        let looping = may_loop && (self.r#loop.get() || ab.is_some());
        let (start, stop) = segment_bounds(rate, target, ab);
        let mut flags = flags | gst::SeekFlags::FLUSH;
        if looping {
            flags |= gst::SeekFlags::SEGMENT;
        }
        self.sample_stats();
        self.close_played_segment(false);
        // An unset stop is set to "the end" (a stop type of None would keep
        // an earlier loop's stop).
        let mut ok = self.send_seek_event(rate, flags, start, gst::SeekType::Set, stop);
        let mut looping = looping;
        let adaptive = self.adaptive_demuxer.lock().unwrap().is_some();
        if !ok && looping && adaptive {
            // The adaptive demuxers (HLS, DASH) refuse segment seeks: seek
            // plainly; the loop then goes round at the end of the stream,
            // with a flush. (Elsewhere a refused segment seek stays refused:
            // a plain one could be worse, e.g. a byte-range request to an
            // HTTP server that cannot seek.)
            log::debug!("segment seek refused; seeking without the loop's flag");
            flags.remove(gst::SeekFlags::SEGMENT);
            ok = self.send_seek_event(rate, flags, start, gst::SeekType::Set, stop);
            looping = false;
        }
        if ok {
            self.segment_looping.set(looping);
            self.segment_start.set(target);
            self.at_eos.set(false);
        }
        ok
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

    /// Sends a seek event, remembering its seqnum: the segment's end will
    /// carry it.
    fn send_seek_event(
        &self,
        rate: f64,
        flags: gst::SeekFlags,
        start: gst::ClockTime,
        stop_type: gst::SeekType,
        stop: Option<gst::ClockTime>,
    ) -> bool {
        let event = gst::event::Seek::new(rate, flags, gst::SeekType::Set, start, stop_type, stop);
        let seqnum = event.seqnum();
        // The seek carries the rate: no instant change is due any more.
        self.rate_due.set(false);
        // A seek answered late is on its way: its segment says when it lands.
        let ok = self
            .ask_late_ok(move |p| p.send_event(event))
            .is_some_and(|answer| answer.unwrap_or(true));
        if ok {
            self.segment_seqnum.set(Some(seqnum));
        }
        ok
    }

    /// Sends the loop's next round (a segment seek without a flush),
    /// remembering its seqnum like [`Self::send_seek_event`]; the gate puts
    /// it off when the pipeline is not settled in PLAYING (see
    /// [`super::calls::unflushed_seek_may_go`]).
    fn send_unflushed_loop_seek(
        &self,
        flags: gst::SeekFlags,
        start: gst::ClockTime,
        stop: Option<gst::ClockTime>,
    ) -> bool {
        let event = gst::event::Seek::new(
            self.rate.get(),
            flags,
            gst::SeekType::Set,
            start,
            gst::SeekType::Set,
            stop,
        );
        let seqnum = event.seqnum();
        self.rate_due.set(false);
        let ok = self
            .ask_late_ok(move |p| {
                !super::calls::unflushed_seek_may_go(p, UnflushedSeek::LoopRound, seqnum)
                    || p.send_event(event)
            })
            .is_some_and(|answer| answer.unwrap_or(true));
        if ok {
            self.segment_seqnum.set(Some(seqnum));
        }
        ok
    }

    /// The gate put off a seek without a flush: the same with a flush, if
    /// it still stands. A loop round another seek has overtaken (the
    /// notice comes late) is dropped; one put off while paused goes when
    /// playing again; so does a rate change.
    pub(super) fn on_unflushed_seek_put_off(&self, what: UnflushedSeek, seqnum: gst::Seqnum) {
        if what == UnflushedSeek::LoopRound && self.segment_seqnum.get() != Some(seqnum) {
            return;
        }
        if !self.want_playing.get() {
            match what {
                UnflushedSeek::LoopRound => self.loop_round_due.set(Some(Some(seqnum))),
                UnflushedSeek::RateChange => self.rate_due.set(true),
            }
            return;
        }
        let target = match what {
            UnflushedSeek::LoopRound => loop_bounds(self.ab.get().range()).0,
            UnflushedSeek::RateChange => gst::ClockTime::from_nseconds(self.position.get()),
        };
        tracing::debug!(?what, "seeking with a flush instead");
        self.request_unless_waiting(Request::Seek {
            target,
            mode: SeekMode::Accurate,
        });
    }

    fn start_seek(&self, target: gst::ClockTime, mode: SeekMode) {
        if self.prerolled.get() && !self.seekable.get() {
            self.warn(format!(
                "“{}” cannot be sought (a live or unindexed stream); playback goes on.",
                self.media_name()
            ));
            self.finish_request();
            return;
        }
        // Past the end means the last frame (settling finds it when the
        // seek itself runs into the end).
        let target = match self.duration_query().filter(|d| !d.is_zero()) {
            Some(d) if target > d => d,
            _ => target,
        };
        // Nearest starts by finding the keyframe after the target.
        let flags = match mode {
            SeekMode::Keyframe => SeekMode::SnapAfter.flags(),
            mode => mode.flags(),
        };
        if self.send_seek(target, flags) {
            self.needs_resync.set(false);
            self.set_u64(&self.position, target.nseconds(), "position");
            let goal = match mode {
                SeekMode::Accurate => Goal::Frame(target),
                SeekMode::Keyframe => Goal::NearestAfter(target),
                SeekMode::SnapBefore => Goal::KeyBefore(target),
                SeekMode::SnapAfter => Goal::KeyAfter(target),
            };
            self.settling.set(Some(Settling::new(goal)));
            return;
        }
        if self.rate.get() < 0.0 {
            return self.refuse_reverse();
        }
        self.warn(format!(
            "Seeking failed in “{}”; playback goes on where it was.",
            self.media_name()
        ));
        // Nothing is left to bring audio back to the frame shown: ending the
        // request must not ask for that seek again (a pipeline refusing
        // every seek made that an endless recursion, found by the storm).
        self.needs_resync.set(false);
        self.backstep.cancel();
        self.finish_request();
    }

    /// A backward rate the demuxer cannot play: back to forward.
    fn refuse_reverse(&self) {
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
        self.settling.set(Some(Settling::new(Goal::Frame(here))));
        if !self.send_correction(here, gst::SeekFlags::ACCURATE) {
            self.finish_request();
        }
    }

    /// A seek in flight has prerolled: check the frame and correct it.
    pub(super) fn continue_settle(&self) {
        let Some(mut settling) = self.settling.get() else {
            return;
        };
        // Only a paused picture has to be exact (a playing one moves on), and
        // corrections step forward, so they apply to forward playback.
        if (self.want_playing.get() && self.steps_left.get() == 0) || self.rate.get() < 0.0 {
            return self.landed();
        }
        if settling.attempts >= MAX_CORRECTIONS {
            log::warn!("could not make the seek to {:?} exact", settling.goal);
            return self.landed();
        }
        // Demuxers snap keyframe seeks by decode time, so with B-frames the
        // frames before a keyframe can show first; the index knows the
        // keyframes that decoding went through.
        let before = |t| self.index.keyframe_before(t).map(|k| k.pts);
        let after = |t| self.index.keyframe_after(t).map(|k| k.pts);
        let shown = self.sink_sample().map(|s| true_pts(&s, &self.index));
        // A correcting step that ran into the end: go back to where it
        // started and accept that frame.
        let stepped_from = settling.stepped_from.take();
        if let (None, Some(from)) = (shown, stepped_from) {
            settling.dead_end = Some(from);
            settling.attempts += 1;
            self.settling.set(Some(settling));
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
        self.settling.set(Some(settling));
        log::debug!(
            "settling seek: previous goal {previous_goal:?}, goal {goal:?}, shown {shown:?}, action {action:?}"
        );
        settling.stepped_from = shown.filter(|_| action == Settle::StepForward);
        self.settling.set(Some(settling));
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
    /// has not prerolled a moment later (every frame fell before its target),
    /// none will come, so settle with nothing on screen.
    fn settle_unless_prerolled(&self, attempts: u32) {
        const GRACE: std::time::Duration = std::time::Duration::from_millis(250);
        let weak = self.obj().downgrade();
        glib::MainContext::ref_thread_default().spawn_local(async move {
            glib::timeout_future(GRACE).await;
            let Some(player) = weak.upgrade() else { return };
            let imp = player.imp();
            let waiting = imp.settling.get().is_some_and(|s| s.attempts == attempts);
            if waiting && imp.sink_sample().is_none() {
                imp.continue_settle();
            }
        });
    }

    /// What makes the frame on screen the one shown at `goal`. With nothing
    /// on screen (a seek ran into the end), seek to the last frame known
    /// shortly before the goal, or a second before it, and step from there.
    fn settle_to(&self, goal: gst::ClockTime, shown: Option<gst::ClockTime>) -> Settle {
        const LOOK_BACK: gst::ClockTime = gst::ClockTime::from_seconds(1);
        match shown {
            Some(pts) => settle(goal, pts, &self.index),
            None => match self.index.frame_at(goal) {
                Some(unit) if unit.pts < goal && goal - unit.pts <= LOOK_BACK => {
                    Settle::SeekTo(unit.pts)
                }
                _ if !goal.is_zero() => Settle::SeekTo(goal.saturating_sub(LOOK_BACK)),
                _ => Settle::Done,
            },
        }
    }

    /// The seek in flight is exact: go on with any steps, or finish.
    fn landed(&self) {
        log::debug!("seek landed, shown {:?}", self.shown_pts());
        self.settling.set(None);
        self.refresh_frame();
        // The segment this seek started was demuxed to its end while it
        // prerolled: queue the next round now (unless a correction replaced it).
        let finished = self.segment_finished.take();
        if finished.is_some() && finished == self.segment_seqnum.get() && self.segment_looping.get()
        {
            self.next_loop_round();
        }
        if self.steps_left.get() != 0 {
            self.continue_step();
        } else {
            self.finish_request();
        }
    }

    fn send_step(&self) -> bool {
        self.ask_late_ok(|p| {
            p.send_event(gst::event::Step::new(
                gst::format::Buffers::ONE,
                1.0,
                true,
                false,
            ))
        })
        .is_some_and(|answer| answer.unwrap_or(true))
    }

    fn start_step(&self, frames: i64) {
        if !self.has_video.get() {
            self.warn(format!(
                "“{}” has no video to step through.",
                self.media_name()
            ));
            return self.finish_request();
        }
        self.steps_left.set(frames);
        if self.rate.get() < 0.0 {
            // Frame steps go forward in time; leave reverse playback first.
            self.rate.set(self.rate.get().abs());
            self.obj().notify_rate();
            self.want_playing.set(false);
            self.apply_target();
            if let Some(pts) = self.shown_pts() {
                self.settling.set(Some(Settling::new(Goal::Frame(pts))));
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
        if let Some(from) = self.step_from.take() {
            if self.sink_sample().is_none() {
                return self.stepped_past_the_end(from);
            }
        }
        let left = self.steps_left.get();
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

    fn step_forward_once(&self) {
        let left = self.steps_left.get();
        // Within frames cached by backward steps, forward is instant too.
        match self.backstep.forward() {
            super::backstep::Forward::Shown | super::backstep::Forward::BackToSink => {
                self.steps_left.set(left - 1);
                self.refresh_frame();
                return self.continue_step();
            }
            super::backstep::Forward::Lost(pts) => {
                // The cache no longer knows the next frame: put the pipeline
                // on the cached frame, then step from there.
                self.backstep.hide();
                self.settling.set(Some(Settling::new(Goal::Frame(pts))));
                if !self.send_correction(pts, gst::SeekFlags::ACCURATE) {
                    self.finish_request();
                }
                return;
            }
            super::backstep::Forward::NotShowing => {}
        }
        if self.at_eos.get() || self.at_last_frame() {
            self.warn("Already at the last frame.".into());
            return self.finish_request();
        }
        if self.send_step() {
            self.steps_left.set(left - 1);
            self.step_from.set(self.shown_pts());
            self.needs_resync.set(true);
        } else {
            self.finish_request();
        }
    }

    /// A forward step ran into the end of the stream (the sink let go of
    /// its picture): say so and put the frame it started from back.
    pub(super) fn stepped_past_the_end(&self, from: gst::ClockTime) {
        self.warn("Already at the last frame.".into());
        self.steps_left.set(0);
        self.step_from.set(None);
        let mut settling = Settling::new(Goal::Frame(from));
        settling.dead_end = Some(from);
        self.settling.set(Some(settling));
        if !self.send_correction(from, gst::SeekFlags::ACCURATE) {
            self.finish_request();
        }
    }

    /// Whether the frame on screen is the media's last.
    fn at_last_frame(&self) -> bool {
        let (Some(pts), Some(duration)) = (self.shown_pts(), self.duration_query()) else {
            return false;
        };
        if self.index.next_after(pts).is_some() {
            return false;
        }
        let frame = u64::try_from(self.frame_duration.get()).unwrap_or(0);
        pts.nseconds()
            .saturating_add(frame)
            .saturating_add(gst::ClockTime::MSECOND.nseconds())
            >= duration.nseconds()
    }

    fn step_backward_once(&self) {
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
        self.steps_left.set(self.steps_left.get() + 1);
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
    fn seek_to_previous(&self, pts: gst::ClockTime) {
        self.backstep.hide();
        let goal = pts.saturating_sub(gst::ClockTime::from_nseconds(1));
        self.settling.set(Some(Settling::new(Goal::Frame(goal))));
        if !self.send_correction(goal, gst::SeekFlags::ACCURATE) {
            self.finish_request();
        }
    }

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
        if (old > 0.0) == (rate > 0.0) && self.queue.borrow().is_idle() {
            if !playing {
                self.rate_due.set(true);
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

    pub(super) fn set_looping(&self, looping: bool) {
        if self.r#loop.replace(looping) != looping {
            // Takes effect with the next seek; a loop switched on while
            // playing restarts with a flush at the end, seamless after that.
            self.obj().notify("loop");
            self.update_gapless_next();
        }
    }

    pub(super) fn set_loop_a(&self, a: i64) {
        let mut ab = self.ab.get();
        ab.a = u64::try_from(a).ok().map(gst::ClockTime::from_nseconds);
        self.apply_ab(ab);
    }

    pub(super) fn set_loop_b(&self, b: i64) {
        let mut ab = self.ab.get();
        ab.b = u64::try_from(b).ok().map(gst::ClockTime::from_nseconds);
        self.apply_ab(ab);
    }

    /// Takes new A-B points: refuses B at or before A, and seeks so a loop
    /// that has just been completed starts now (or one just removed stops).
    fn apply_ab(&self, ab: crate::engine::looping::AbLoop) {
        if let (Some(a), Some(b)) = (ab.a, ab.b) {
            if b <= a {
                self.warn(format!(
                    "The loop end ({}) must come after its start ({}); the loop is unchanged.",
                    crate::engine::timefmt::precise(b),
                    crate::engine::timefmt::precise(a)
                ));
                self.obj().notify_loop_a();
                self.obj().notify_loop_b();
                return;
            }
        }
        let old = self.ab.replace(ab);
        if old == ab {
            return;
        }
        self.set_i64(&self.loop_a, super::ns_or_unset(ab.a), "loop-a");
        self.set_i64(&self.loop_b, super::ns_or_unset(ab.b), "loop-b");
        if !self.prerolled.get() {
            return;
        }
        match (ab.range(), old.range()) {
            (Some((a, b)), _) => {
                let start = if self.rate.get() < 0.0 {
                    b - gst::ClockTime::from_nseconds(1)
                } else {
                    a
                };
                self.request_unless_waiting(Request::Seek {
                    target: start,
                    mode: SeekMode::Accurate,
                });
            }
            (None, Some(_)) if self.segment_looping.get() => {
                let here = gst::ClockTime::from_nseconds(self.position.get());
                self.request_unless_waiting(Request::Seek {
                    target: here,
                    mode: SeekMode::Accurate,
                });
            }
            _ => {}
        }
    }

    pub(super) fn cycle_ab_loop(&self) {
        let start = self
            .shown_pts()
            .unwrap_or(gst::ClockTime::from_nseconds(self.position.get()));
        let length = u64::try_from(self.frame_duration.get()).unwrap_or(1).max(1);
        let end = start.saturating_add(gst::ClockTime::from_nseconds(length));
        match self.ab.get().cycle(start, end) {
            Ok(ab) => self.apply_ab(ab),
            Err(message) => self.warn(message),
        }
    }

    /// The looping segment reached its end: queue the next round without a
    /// flush (the sinks are still playing this one), or end if the loop is off.
    pub(super) fn on_segment_done(&self) {
        // A step or a settling seek ran into the end of a looping segment:
        // that is the end for them, not a reason to loop.
        if matches!(self.queue.borrow().in_flight(), Some(Request::Step(_))) {
            if let Some(from) = self.step_from.take() {
                return self.stepped_past_the_end(from);
            }
        }
        if let Some(mut settling) = self.settling.get() {
            // A looping segment ends without EOS, so the end must be
            // recognised here: a correcting step ran off the last frame (go
            // back to it); or the seek found no data at all (settle from
            // nothing); otherwise a preroll is on its way, and the next round
            // is queued when the seek has landed.
            self.segment_finished.set(self.segment_seqnum.get());
            if let Some(from) = settling.stepped_from.take() {
                settling.dead_end = Some(from);
                self.settling.set(Some(settling));
                if !self.send_correction(from, gst::SeekFlags::ACCURATE) {
                    self.landed();
                }
            } else {
                self.settle_unless_prerolled(settling.attempts);
            }
            return;
        }
        self.next_loop_round();
    }

    /// Once the pipeline plays again, sends a loop round that fell due while
    /// it was paused, unless a seek has started another segment since.
    /// Called when it reaches PLAYING and on every tick (a pause undone
    /// before it completed brings no state change).
    pub(super) fn send_due_loop_round(&self) {
        if self.loop_round_due.get().is_none() || !self.is_playing_now() {
            return;
        }
        if let Some(seqnum) = self.loop_round_due.take() {
            if seqnum == self.segment_seqnum.get() {
                self.next_loop_round();
            }
        }
    }

    /// Playing is wanted and the pipeline is in PLAYING.
    fn is_playing_now(&self) -> bool {
        self.want_playing.get()
            && self
                .pipeline
                .borrow()
                .as_ref()
                .is_some_and(|p| p.current_state() == gst::State::Playing)
    }

    /// Queues the loop's next round without a flush (the sinks are still
    /// playing this one), or ends playback if the loop has been switched off.
    fn next_loop_round(&self) {
        let ab = self.ab.get().range();
        if !self.r#loop.get() && ab.is_none() {
            self.segment_looping.set(false);
            return self.on_segment_end_without_loop();
        }
        let (start, stop) = loop_bounds(ab);
        // Paused: the sinks hold their frame, the queues may be full and the
        // demuxer's thread stuck pushing into them; a seek without a flush
        // would wait for that thread for good (qtdemux takes its stream
        // lock). The round goes when the pipeline plays again.
        if !self.is_playing_now() {
            log::debug!("loop round due while paused: sent when playing");
            self.loop_round_due.set(Some(self.segment_seqnum.get()));
            return;
        }
        let flags = gst::SeekFlags::SEGMENT | gst::SeekFlags::ACCURATE;
        if !self.send_unflushed_loop_seek(flags, start, stop) {
            log::warn!("the loop's segment seek was refused; restarting with a flush");
            self.request(Request::Seek {
                target: start,
                mode: SeekMode::Accurate,
            });
        }
    }

    /// A segment ended but looping was switched off meanwhile: that is the end.
    fn on_segment_end_without_loop(&self) {
        self.at_eos.set(true);
        self.close_played_segment(true);
        self.want_playing.set(false);
        self.apply_target();
        self.refresh_frame();
        self.set_state(crate::engine::types::PlayerState::Paused);
        self.obj()
            .emit_by_name::<()>("item-ended", &[&self.current_index.get()]);
        self.obj().emit_by_name::<()>("eos", &[]);
    }

    pub(super) fn set_av_offset(&self, offset: i64) {
        if self.av_offset.replace(offset) != offset {
            // playbin's av-offset moves audio earlier; ours delays it.
            self.tell(move |p| p.set_property("av-offset", offset.saturating_neg()));
            self.obj().notify_av_offset();
        }
    }

    pub(super) fn set_subtitle_offset(&self, offset: i64) {
        if self.subtitle_offset.replace(offset) != offset {
            self.tell(move |p| {
                if p.find_property("text-offset").is_some() {
                    p.set_property("text-offset", offset);
                }
            });
            self.obj().notify_subtitle_offset();
        }
    }
}
