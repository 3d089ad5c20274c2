//! Loops on the player: the whole-media loop and the A-B loop. Loops never
//! flush: seeks made while one is on carry the `SEGMENT` flag, and at
//! `SEGMENT_DONE` a seek without a flush queues the next round while the
//! sinks still play this one (stale segment-dones are told apart by
//! seqnum). The loop points and segment bounds are in
//! [`crate::engine::looping`].

use super::imp;
use crate::engine::bus::UnflushedSeek;
use crate::engine::log;
use crate::engine::looping::{loop_bounds, AbLoop};
use crate::engine::seek::{Request, SeekMode};
use glib::prelude::*;
use glib::subclass::prelude::*;
use gst::prelude::*;
use std::cell::Cell;

/// The loop facet's state (main thread only).
#[derive(Default)]
pub struct LoopState {
    /// The A-B loop points (the `loop-a` and `loop-b` properties).
    pub ab: Cell<AbLoop>,
    /// The current segment loops (it was sought with the SEGMENT flag).
    pub segment_looping: Cell<bool>,
    /// A loop round fell due while paused (for the segment started by
    /// this seek's seqnum); it is sent when the pipeline plays again.
    pub round_due: Cell<Option<Option<gst::Seqnum>>>,
    /// The seqnum of the seek that started the current segment.
    pub segment_seqnum: Cell<Option<gst::Seqnum>>,
    /// A looping segment whose end was reached while its seek was still
    /// settling: the next round is queued once the seek has landed.
    pub segment_finished: Cell<Option<gst::Seqnum>>,
}

impl LoopState {
    /// New media: no segment loops yet and no round is due.
    pub fn restart(&self) {
        self.round_due.set(None);
        self.segment_looping.set(false);
    }
}

impl imp::Player {
    pub(super) fn set_looping(&self, looping: bool) {
        if self.r#loop.replace(looping) != looping {
            // Takes effect with the next seek; a loop switched on while
            // playing restarts with a flush at the end, seamless after that.
            self.obj().notify("loop");
            self.update_gapless_next();
        }
    }

    /// Takes A (ns from the time origin) and keeps it in stream time.
    pub(super) fn set_loop_a(&self, a: i64) {
        let mut ab = self.loops.ab.get();
        ab.a = u64::try_from(a).ok().map(|a| self.stream_time(a));
        self.apply_ab(ab);
    }

    /// Takes B (ns from the time origin) and keeps it in stream time.
    pub(super) fn set_loop_b(&self, b: i64) {
        let mut ab = self.loops.ab.get();
        ab.b = u64::try_from(b).ok().map(|b| self.stream_time(b));
        self.apply_ab(ab);
    }

    pub(super) fn user_loop_a(&self) -> i64 {
        self.user_time_i64(self.loop_a.get())
    }

    pub(super) fn user_loop_b(&self) -> i64 {
        self.user_time_i64(self.loop_b.get())
    }

    /// Takes new A-B points: refuses B at or before A, and seeks so a loop
    /// that has just been completed starts now (or one just removed stops).
    pub(super) fn apply_ab(&self, ab: crate::engine::looping::AbLoop) {
        if let (Some(a), Some(b)) = (ab.a, ab.b) {
            if b <= a {
                self.warn(format!(
                    "The loop end ({}) must come after its start ({}); the loop is unchanged.",
                    crate::engine::timefmt::precise(self.user_clock(b)),
                    crate::engine::timefmt::precise(self.user_clock(a))
                ));
                self.obj().notify_loop_a();
                self.obj().notify_loop_b();
                return;
            }
        }
        let old = self.loops.ab.replace(ab);
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
            (None, Some(_)) if self.loops.segment_looping.get() => {
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
        match self.loops.ab.get().cycle(start, end) {
            Ok(ab) => self.apply_ab(ab),
            Err(message) => self.warn(message),
        }
    }

    /// The looping segment reached its end: queue the next round without a
    /// flush (the sinks are still playing this one), or end if the loop is off.
    pub(super) fn on_segment_done(&self) {
        // A step or a settling seek ran into the end of a looping segment:
        // that is the end for them, not a reason to loop.
        if matches!(self.seek.queue.borrow().in_flight(), Some(Request::Step(_))) {
            if let Some(from) = self.step.from.take() {
                return self.stepped_past_the_end(from);
            }
        }
        if let Some(mut settling) = self.seek.settling.get() {
            // A looping segment ends without EOS, so the end must be
            // recognised here: a correcting step ran off the last frame (go
            // back to it); or the seek found no data at all (settle from
            // nothing); otherwise a preroll is on its way, and the next round
            // is queued when the seek has landed.
            self.loops
                .segment_finished
                .set(self.loops.segment_seqnum.get());
            if let Some(from) = settling.stepped_from.take() {
                settling.dead_end = Some(from);
                self.seek.settling.set(Some(settling));
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
        if self.loops.round_due.get().is_none() || !self.is_playing_now() {
            return;
        }
        if let Some(seqnum) = self.loops.round_due.take() {
            if seqnum == self.loops.segment_seqnum.get() {
                self.next_loop_round();
            }
        }
    }

    /// Playing is wanted and the pipeline is in PLAYING.
    pub(super) fn is_playing_now(&self) -> bool {
        self.want_playing.get()
            && self
                .pipeline
                .borrow()
                .as_ref()
                .is_some_and(|p| p.current_state() == gst::State::Playing)
    }

    /// Queues the loop's next round without a flush (the sinks are still
    /// playing this one), or ends playback if the loop has been switched off.
    pub(super) fn next_loop_round(&self) {
        let ab = self.loops.ab.get().range();
        if !self.r#loop.get() && ab.is_none() {
            self.loops.segment_looping.set(false);
            return self.on_segment_end_without_loop();
        }
        let (start, stop) = loop_bounds(ab);
        // Paused: the sinks hold their frame, the queues may be full and the
        // demuxer's thread stuck pushing into them; a seek without a flush
        // would wait for that thread for good (qtdemux takes its stream
        // lock). The round goes when the pipeline plays again.
        if !self.is_playing_now() {
            log::debug!("loop round due while paused: sent when playing");
            self.loops
                .round_due
                .set(Some(self.loops.segment_seqnum.get()));
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

    /// Sends the loop's next round (a segment seek without a flush),
    /// remembering its seqnum like [`Self::send_seek_event`]; the gate puts
    /// it off when the pipeline is not settled in PLAYING (see
    /// [`super::calls::unflushed_seek_may_go`]).
    pub(super) fn send_unflushed_loop_seek(
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
        self.rate_change.due.set(false);
        let ok = self
            .ask_late_ok(move |p| {
                !super::calls::unflushed_seek_may_go(p, UnflushedSeek::LoopRound, seqnum)
                    || p.send_event(event)
            })
            .is_some_and(|answer| answer.unwrap_or(true));
        if ok {
            self.loops.segment_seqnum.set(Some(seqnum));
        }
        ok
    }

    /// A segment ended but looping was switched off meanwhile: that is the end.
    pub(super) fn on_segment_end_without_loop(&self) {
        self.step.at_eos.set(true);
        self.close_played_segment(true);
        self.want_playing.set(false);
        self.apply_target();
        self.refresh_frame();
        self.set_state(crate::engine::types::PlayerState::Paused);
        self.obj()
            .emit_by_name::<()>("item-ended", &[&self.current_index.get()]);
        self.obj().emit_by_name::<()>("eos", &[]);
    }
}

impl super::Player {
    /// Whether playback restarts at the beginning at end of stream.
    pub fn is_looping(&self) -> bool {
        self.property("loop")
    }

    /// Sets whether playback restarts at the beginning at end of stream. A
    /// loop set before the media starts playing is seamless (segment seeks).
    pub fn set_looping(&self, looping: bool) {
        self.set_property("loop", looping)
    }

    /// What the A-B loop key does: set A at the frame on screen, then B at
    /// its end, then clear. A `warning` explains a B before A.
    pub fn cycle_ab_loop(&self) {
        self.imp().cycle_ab_loop();
    }

    /// Removes the A-B loop.
    pub fn clear_ab_loop(&self) {
        self.set_loop_a(-1);
        self.set_loop_b(-1);
    }
}
