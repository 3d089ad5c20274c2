//! Seeks: the one-in-flight request queue (seeks and steps), sending
//! seeks with the rate and the loop's segment, and where a request ends.
//!
//! A request runs until the frame it asked for is on screen. A seek sends a
//! flushing seek; once the pipeline has prerolled, [`super::settling`]
//! checks the frame against the frame index and corrects it until it is
//! the right one; frame steps are in [`super::stepping`].

use super::imp;
use super::settling::{Goal, Settling};
use crate::engine::bus::UnflushedSeek;
use crate::engine::log;
use crate::engine::looping::{loop_bounds, segment_bounds};
use crate::engine::seek::{Request, SeekMode, SeekQueue};
use glib::subclass::prelude::*;
use gst::prelude::*;
use std::cell::{Cell, RefCell};

/// A seek or step still in flight after this long is given up on.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The seek facet's state (main thread only).
#[derive(Default)]
pub struct SeekState {
    /// Seeks and steps: one in flight, one waiting.
    pub queue: RefCell<SeekQueue>,
    /// The frame an in-flight seek must end on, and the corrections made.
    pub settling: Cell<Option<Settling>>,
    /// Gives up on a request that never completes (a sink that never
    /// prerolls again), so the player cannot stay busy for good.
    pub request_watchdog: RefCell<Option<glib::JoinHandle<()>>>,
    /// From loading until the first preroll and any seek waiting for it
    /// are done: the pipeline is held in PAUSED (a `--start` seek must
    /// not let the beginning play).
    pub startup: Cell<bool>,
    /// The stream time the current segment starts at (our last seek or 0).
    pub segment_start: Cell<gst::ClockTime>,
    /// A seek asked for (ns from the time origin) before the origin was
    /// known, with the stream time it was queued as: converted again when
    /// it starts (after the first preroll, when the origin is known).
    pub unresolved: Cell<Option<(u64, gst::ClockTime)>>,
    /// Counts the requests started: a timer set for one request checks
    /// that it is still the one in flight (a later request's count of
    /// corrections starts from 0 again).
    pub started: Cell<u64>,
}

impl SeekState {
    /// Forgets the seek in flight (the pipeline is let go).
    pub fn clear(&self) {
        self.settling.set(None);
        if let Some(handle) = self.request_watchdog.take() {
            handle.abort();
        }
        self.startup.set(false);
    }
}

impl imp::Player {
    /// Starts a seek or step, or queues it behind the one in flight.
    pub(super) fn request(&self, request: Request) {
        if self.pipeline.borrow().is_none() {
            return;
        }
        let start = self.seek.queue.borrow_mut().offer(request);
        if let Some(request) = start {
            self.start(request);
        }
    }

    /// Starts an internal seek (re-aligning audio, a new direction or loop)
    /// unless the user's own seek waits: that one carries the rate and loop
    /// when it is sent, and it must not be replaced.
    pub(super) fn request_unless_waiting(&self, request: Request) {
        if !matches!(
            self.seek.queue.borrow().waiting(),
            Some(Request::Seek { .. })
        ) {
            self.request(request);
        }
    }

    pub(super) fn start(&self, request: Request) {
        self.seek
            .started
            .set(self.seek.started.get().wrapping_add(1));
        self.watch_request();
        match request {
            Request::Seek { target, mode } => self.start_seek(target, mode),
            Request::Step(frames) => self.start_step(frames),
        }
    }

    /// Gives up on the request just started if it is still in flight after
    /// [`REQUEST_TIMEOUT`], so a pipeline that never answers cannot keep the
    /// player busy (and every later seek waiting) for good.
    pub(super) fn watch_request(&self) {
        let weak = self.obj().downgrade();
        let handle = glib::MainContext::ref_thread_default().spawn_local(async move {
            glib::timeout_future(REQUEST_TIMEOUT).await;
            let Some(player) = weak.upgrade() else { return };
            let imp = player.imp();
            imp.seek.request_watchdog.take();
            if !imp.seek.queue.borrow().is_idle() {
                log::warn!("a seek or step got no answer from the pipeline; giving up on it");
                imp.backstep.cancel();
                imp.finish_request();
            }
        });
        if let Some(old) = self.seek.request_watchdog.replace(Some(handle)) {
            old.abort();
        }
    }

    /// The request in flight is done: start the waiting one or settle down.
    pub(super) fn finish_request(&self) {
        self.seek.settling.set(None);
        self.step.left.set(0);
        self.step.from.set(None);
        let next = self.seek.queue.borrow_mut().finish();
        match next {
            Some(request) => self.start(request),
            None => {
                if let Some(handle) = self.seek.request_watchdog.take() {
                    handle.abort();
                }
                self.seek.startup.set(false);
                self.backstep.present();
                self.query_position();
                // Play was pressed while a step ran: audio follows first.
                let moved_alone = self.step.needs_resync.get() || self.backstep.shown().is_some();
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
            self.rate.get() != 1.0 || self.r#loop.get() || self.loops.ab.get().range().is_some();
        if needs_seek && self.seek.queue.borrow().waiting().is_none() {
            let here = self.first_frame.get().unwrap_or(gst::ClockTime::ZERO);
            self.seek.queue.borrow_mut().offer(Request::Seek {
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
        let loop_lost = (self.r#loop.get() || self.loops.ab.get().range().is_some())
            && !self.loops.segment_looping.get();
        let moved_alone = self.step.needs_resync.get() || self.backstep.shown().is_some();
        if (moved_alone || loop_lost) && shown.is_some() {
            self.step.needs_resync.set(false);
            self.request_unless_waiting(Request::Seek {
                target: shown.unwrap_or(gst::ClockTime::ZERO),
                mode: SeekMode::Accurate,
            });
        } else if self.seek.queue.borrow().is_idle() {
            self.apply_target();
        }
    }

    /// Sends a flushing seek to `target` with the current rate, carrying the
    /// loop's `SEGMENT` flag and stop. Returns whether it was accepted.
    pub(super) fn send_seek(&self, target: gst::ClockTime, flags: gst::SeekFlags) -> bool {
        self.send_seek_with(target, flags, true)
    }

    /// A seek that corrects the frame on screen (settling, stepping). While
    /// paused it leaves the loop out: at the end of the media it then meets
    /// an ordinary end of stream, which prerolls, where a looping segment
    /// just stops with nothing to show. Playing again restores the loop.
    pub(super) fn send_correction(&self, target: gst::ClockTime, flags: gst::SeekFlags) -> bool {
        self.send_seek_with(target, flags, self.want_playing.get())
    }

    pub(super) fn send_seek_with(
        &self,
        target: gst::ClockTime,
        flags: gst::SeekFlags,
        may_loop: bool,
    ) -> bool {
        let rate = self.rate.get();
        let ab = self.loops.ab.get().range().filter(|_| may_loop);
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
        let adaptive = self.shared.adaptive_demuxer.lock().unwrap().is_some();
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
            self.loops.segment_looping.set(looping);
            self.seek.segment_start.set(target);
            self.step.at_eos.set(false);
        }
        ok
    }

    /// Sends a seek event, remembering its seqnum: the segment's end will
    /// carry it.
    pub(super) fn send_seek_event(
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
        self.rate_change.due.set(false);
        let shared = self.shared.clone();
        let flushes = flags.contains(gst::SeekFlags::FLUSH);
        let send = move |p: &gst::Pipeline| {
            if flushes {
                shared.mark_flushing_seek(seqnum);
                shared
                    .seek_segment
                    .note(seqnum, rate, flags, start, stop_type, stop);
            }
            let accepted = p.send_event(event);
            // A refusal that comes too late for the caller is told through
            // the bus (the request in flight then ends with a sentence).
            if !accepted {
                let _ = p.post_message(crate::engine::bus::seek_refused_message(seqnum));
            }
            accepted
        };
        // A seek answered late is on its way: its segment says when it
        // lands. One made while the gate is still busy with an earlier call
        // (a state change or seek the pipeline is slow to finish) waits in
        // the gate's queue behind it rather than being lost: the user's
        // click counts, and the request watchdog bounds the wait.
        let ok = match self.ask_late_ok(send.clone()) {
            Some(answer) => answer.unwrap_or(true),
            None => self.tell_if_open(move |p| {
                send(p);
            }),
        };
        if ok {
            self.loops.segment_seqnum.set(Some(seqnum));
        }
        ok
    }

    /// A seek the gate made after its caller had stopped waiting was
    /// refused: the request it belonged to ends as a refused one does.
    pub(super) fn on_seek_refused_late(&self, seqnum: gst::Seqnum) {
        if self.loops.segment_seqnum.get() != Some(seqnum) {
            return;
        }
        self.loops.segment_seqnum.set(None);
        let in_flight = self.seek.queue.borrow().in_flight();
        match in_flight {
            None => return,
            // A step's own seek (putting a cached frame back, leaving
            // reverse): the step ends where it is, as when the seek is
            // refused at once.
            Some(Request::Step(_)) => {}
            Some(Request::Seek { .. }) => self.warn(format!(
                "Seeking failed in “{}”; playback goes on where it was.",
                self.media_name()
            )),
        }
        self.step.needs_resync.set(false);
        self.backstep.cancel();
        self.finish_request();
    }

    /// The gate put off a seek without a flush: the same with a flush, if
    /// it still stands. A loop round another seek has overtaken (the
    /// notice comes late) is dropped; one put off while paused goes when
    /// playing again; so does a rate change.
    pub(super) fn on_unflushed_seek_put_off(&self, what: UnflushedSeek, seqnum: gst::Seqnum) {
        if what == UnflushedSeek::LoopRound && self.loops.segment_seqnum.get() != Some(seqnum) {
            return;
        }
        if !self.want_playing.get() {
            match what {
                UnflushedSeek::LoopRound => self.loops.round_due.set(Some(Some(seqnum))),
                UnflushedSeek::RateChange => self.rate_change.due.set(true),
            }
            return;
        }
        let target = match what {
            UnflushedSeek::LoopRound => loop_bounds(self.loops.ab.get().range()).0,
            UnflushedSeek::RateChange => gst::ClockTime::from_nseconds(self.position.get()),
        };
        tracing::debug!(?what, "seeking with a flush instead");
        self.request_unless_waiting(Request::Seek {
            target,
            mode: SeekMode::Accurate,
        });
    }

    pub(super) fn start_seek(&self, target: gst::ClockTime, mode: SeekMode) {
        if self.prerolled.get() && !self.seekable.get() && self.shared.origin.is_untimed() {
            self.warn(crate::engine::origin::untimed_ts_message(
                &self.media_name(),
            ));
            self.finish_request();
            return;
        }
        if self.prerolled.get() && !self.seekable.get() {
            self.warn(format!(
                "“{}” cannot be sought (a live or unindexed stream); playback goes on.",
                self.media_name()
            ));
            self.finish_request();
            return;
        }
        // A seek asked for before the origin was known counts from it now.
        let target = match self.seek.unresolved.take() {
            Some((user, queued)) if queued == target => self.stream_time(user),
            _ => target,
        };
        // Past the end means the last frame (settling finds it when the
        // seek itself runs into the end).
        let end = self
            .duration_query()
            .filter(|d| !d.is_zero())
            .map(|d| self.stream_time(d.nseconds()));
        let target = match end {
            Some(end) if target > end => end,
            _ => target,
        };
        // Nearest starts by finding the keyframe after the target.
        let flags = match mode {
            SeekMode::Keyframe => SeekMode::SnapAfter.flags(),
            mode => mode.flags(),
        };
        if self.send_seek(target, flags) {
            self.step.needs_resync.set(false);
            self.set_u64(&self.position, target.nseconds(), "position");
            let goal = match mode {
                SeekMode::Accurate => Goal::Frame(target),
                SeekMode::Keyframe => Goal::NearestAfter(target),
                SeekMode::SnapBefore => Goal::KeyBefore(target),
                SeekMode::SnapAfter => Goal::KeyAfter(target),
            };
            self.seek.settling.set(Some(Settling::new(goal)));
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
        self.step.needs_resync.set(false);
        self.backstep.cancel();
        self.finish_request();
    }
}

impl super::Player {
    /// Seeks to `position` (from the time origin, as `position` counts) in
    /// the default `seek-mode`. While the media is still opening, the seek
    /// is applied once it has; with no
    /// media (stopped) it does nothing. Seeks made while one is in flight do
    /// not queue up: the newest replaces any waiting one.
    pub fn seek(&self, position: gst::ClockTime) {
        self.seek_with_mode(position, self.seek_mode());
    }

    /// Seeks to `position` in the given mode (see [`SeekMode`]).
    pub fn seek_with_mode(&self, position: gst::ClockTime, mode: SeekMode) {
        let imp = self.imp();
        let target = imp.stream_time(position.nseconds());
        let unresolved = (!imp.shared.origin.is_known()).then_some((position.nseconds(), target));
        imp.seek.unresolved.set(unresolved);
        imp.request(Request::Seek { target, mode });
    }

    /// Seeks while the user drags a seek bar: to the keyframe at or before
    /// the position (the cheapest seek: one keyframe decoded), at most one
    /// seek in flight, the latest target winning. End the drag with an
    /// accurate [`Player::seek`](super::Player::seek).
    pub fn scrub(&self, position: gst::ClockTime) {
        self.seek_with_mode(position, SeekMode::SnapBefore);
    }

    /// Seeks by `delta_ns` nanoseconds from the current position, clamped to the media.
    pub fn seek_by(&self, delta_ns: i64) {
        let mut target = self.position().saturating_add_signed(delta_ns);
        if self.duration() > 0 {
            target = target.min(self.duration());
        }
        self.seek(crate::engine::timefmt::clock_time(target));
    }

    /// Whether no seek or step is in progress and no state change is on its
    /// way (a pause prerolls its frame first): the frame on screen is final.
    pub fn is_settled(&self) -> bool {
        let imp = self.imp();
        imp.seek.queue.borrow().is_idle()
            && imp.pipeline.borrow().as_ref().is_none_or(|p| {
                gst::prelude::ElementExtManual::pending_state(p) == gst::State::VoidPending
            })
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::gate::ASK_TIMEOUT;
    use crate::engine::{Player, PlayerState};
    use glib::subclass::prelude::*;
    use gst::prelude::*;
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::{Duration, Instant};

    /// Three seconds of 30 fps H.264 in Matroska, a keyframe every 15 frames.
    fn make_clip(path: &std::path::Path) {
        let description = format!(
            "videotestsrc num-buffers=90 ! video/x-raw,width=160,height=120,framerate=30/1 \
             ! x264enc key-int-max=15 ! h264parse ! matroskamux ! filesink location={}",
            path.display()
        );
        let pipeline = gst::parse::launch(&description).unwrap();
        pipeline.set_state(gst::State::Playing).unwrap();
        let bus = pipeline.bus().unwrap();
        let end = bus.timed_pop_filtered(
            gst::ClockTime::from_seconds(30),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        );
        pipeline.set_state(gst::State::Null).unwrap();
        assert!(matches!(
            end.map(|m| m.type_()),
            Some(gst::MessageType::Eos)
        ));
    }

    fn run_until(ctx: &glib::MainContext, timeout: Duration, done: impl Fn() -> bool) -> bool {
        let start = Instant::now();
        while !done() {
            if start.elapsed() > timeout {
                return false;
            }
            while ctx.iteration(false) {}
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }

    #[test]
    fn a_seek_made_while_the_gate_is_busy_waits_for_it_and_lands() {
        crate::engine::init().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let clip = dir.path().join("clip.mkv");
        make_clip(&clip);
        let ctx = glib::MainContext::new();
        ctx.with_thread_default(|| {
            let player = Player::headless();
            let warnings = Rc::new(RefCell::new(Vec::<String>::new()));
            let heard = warnings.clone();
            player.connect_warning(move |_, w| heard.borrow_mut().push(w.to_string()));
            player.open(&clip.display().to_string());
            let settled = || player.state() == PlayerState::Paused && player.is_settled();
            assert!(run_until(&ctx, Duration::from_secs(15), settled));

            // The gate busy with a slow call well past the time an ask
            // waits: the seek must wait behind it, not be refused.
            player
                .imp()
                .tell(|_| std::thread::sleep(Duration::from_millis(400)));
            std::thread::sleep(ASK_TIMEOUT * 2);
            assert!(player.imp().gate.borrow().as_ref().unwrap().is_stuck());
            player.seek(gst::ClockTime::from_seconds(2));
            let landed = || settled() && player.position().abs_diff(2_000_000_000) < 20_000_000;
            assert!(
                run_until(&ctx, Duration::from_secs(15), landed),
                "the seek did not land: position {} ns, warnings {:?}",
                player.position(),
                warnings.borrow()
            );
            assert!(warnings.borrow().is_empty(), "{:?}", warnings.borrow());
            player.stop();
            run_until(&ctx, Duration::from_secs(5), || {
                crate::engine::pending_shutdowns() == 0
            });
        })
        .unwrap();
    }
}
