//! The player's calls into its pipeline once the pipeline has left `NULL`:
//! all of them go through the pipeline's [`Gate`](crate::engine::gate::Gate),
//! so the main thread never waits for a streaming thread. `ask` waits a
//! bounded time for an answer (`None`: no pipeline, or no answer in time;
//! the caller goes on with what it knew); `tell` queues the call and
//! returns. A pipeline that is still in `NULL` (being built by `load`) has
//! no streaming thread yet and is set up directly. Hosts reach the running
//! pipeline (and its graph, made on the gate) from here too.

use super::imp;
use glib::subclass::prelude::*;
use gst::prelude::*;

/// What the first preroll asked the pipeline and got no answer to in time
/// (a loaded machine can delay the gate): asked again on each tick until
/// answered, so a late answer never leaves a wrong value for good.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Late {
    /// Whether the media can be seeked.
    pub seekable: bool,
    /// playbin's video and audio stream counts.
    pub presence: bool,
}

/// How long the gate lets a pipeline finish a state change before a seek
/// without a flush.
const SETTLE_BEFORE_UNFLUSHED_SEEK: gst::ClockTime = gst::ClockTime::from_mseconds(200);

/// On the gate: whether a seek without a flush may go to `pipeline` now.
/// Only a pipeline settled in PLAYING takes one safely: while a state
/// change is under way (a sink waiting for preroll after a flush, or after
/// PAUSED → PLAYING), the seek's segment waits for that sink's stream lock
/// while holding the pipeline's state lock, which the state change needs
/// to finish: neither ever goes on (seen in the storm test with
/// matroskademux). Waits up to 200 ms for the pipeline to settle; when it
/// does not, posts `what`'s put-off message, on which the player seeks with
/// a flush instead, and returns false.
pub(super) fn unflushed_seek_may_go(
    pipeline: &gst::Pipeline,
    what: crate::engine::bus::UnflushedSeek,
    seqnum: gst::Seqnum,
) -> bool {
    let settled = matches!(
        pipeline.state(SETTLE_BEFORE_UNFLUSHED_SEEK),
        (
            Ok(gst::StateChangeSuccess::Success | gst::StateChangeSuccess::NoPreroll),
            gst::State::Playing,
            gst::State::VoidPending
        )
    );
    if !settled {
        crate::engine::log::debug!(
            "pipeline not settled in PLAYING: seek without a flush ({what:?}) put off"
        );
        let _ = pipeline.post_message(what.put_off_message(seqnum));
    }
    settled
}

impl imp::Player {
    /// Asks the pipeline something through its gate.
    pub(super) fn ask<T: Send + 'static>(
        &self,
        call: impl FnOnce(&gst::Pipeline) -> T + Send + 'static,
    ) -> Option<T> {
        self.gate.borrow().as_ref()?.ask(call)
    }

    /// Asks for something whose answer may come late, like a seek: `None`
    /// when it was refused (no pipeline, or the gate is stuck on an earlier
    /// call), `Some(None)` when it was made but its answer is not in yet.
    pub(super) fn ask_late_ok<T: Send + 'static>(
        &self,
        call: impl FnOnce(&gst::Pipeline) -> T + Send + 'static,
    ) -> Option<Option<T>> {
        let gate = self.gate.borrow();
        let gate = gate.as_ref()?;
        if gate.is_stuck() {
            return None;
        }
        // Queued whatever happens from here (the gate may have become stuck
        // since the check): `Some` always means the call will be made.
        Some(gate.queue_and_wait(crate::engine::gate::ASK_TIMEOUT, call))
    }

    /// Asks again what the first preroll got no answer to (from the ticker).
    pub(super) fn ask_late_again(&self) {
        let late = self.late.get();
        if late.seekable {
            let seekable = self.ask(|p| {
                let mut q = gst::query::Seeking::new(gst::Format::Time);
                p.query(&mut q) && q.result().0
            });
            if let Some(seekable) = seekable {
                self.late.set(Late {
                    seekable: false,
                    ..self.late.get()
                });
                if self.seekable.replace(seekable) != seekable {
                    self.obj().notify_seekable();
                }
            }
        }
        if late.presence {
            self.update_stream_presence();
        }
    }

    /// [`Self::tell`], returning whether there was a gate to queue on.
    pub(super) fn tell_if_open(&self, call: impl FnOnce(&gst::Pipeline) + Send + 'static) -> bool {
        match self.gate.borrow().as_ref() {
            Some(gate) => {
                gate.tell(call);
                true
            }
            None => false,
        }
    }

    /// Tells the pipeline to do something, in order, without waiting.
    pub(super) fn tell(&self, call: impl FnOnce(&gst::Pipeline) + Send + 'static) {
        if let Some(gate) = self.gate.borrow().as_ref() {
            gate.tell(call);
        }
    }
}

impl super::Player {
    /// The running pipeline, for inspection (graph dumps, statistics).
    pub fn pipeline(&self) -> Option<gst::Pipeline> {
        self.imp().pipeline.borrow().clone()
    }

    /// The running pipeline's graph in Graphviz's dot language, every
    /// detail included (element properties read under their locks, so it
    /// is made on the pipeline's gate); `None` with no pipeline, or when
    /// the pipeline gave no answer within a quarter of a second.
    pub fn pipeline_graph(&self) -> Option<String> {
        let gate = self.imp().gate.borrow();
        gate.as_ref()?
            .ask_within(std::time::Duration::from_millis(250), |p| {
                gst::prelude::GstBinExtManual::debug_to_dot_data(p, gst::DebugGraphDetails::all())
                    .to_string()
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::bus::{map_message, BusEvent, UnflushedSeek};

    fn pipeline_in(state: gst::State) -> gst::Pipeline {
        gst::init().unwrap();
        let pipeline = gst::parse::launch("videotestsrc ! fakesink")
            .unwrap()
            .downcast::<gst::Pipeline>()
            .unwrap();
        pipeline.set_state(state).unwrap();
        let _ = pipeline.state(gst::ClockTime::from_seconds(5));
        pipeline
    }

    #[test]
    fn an_unflushed_seek_waits_for_playing_and_says_when_put_off() {
        let paused = pipeline_in(gst::State::Paused);
        let seqnum = gst::Seqnum::next();
        assert!(!unflushed_seek_may_go(
            &paused,
            UnflushedSeek::RateChange,
            seqnum
        ));
        let bus = paused.bus().unwrap();
        let notice = bus
            .iter_timed(gst::ClockTime::from_seconds(1))
            .find_map(|m| {
                map_message(&m, paused.upcast_ref())
                    .filter(|e| matches!(e, BusEvent::UnflushedSeekPutOff(..)))
            });
        assert_eq!(
            notice,
            Some(BusEvent::UnflushedSeekPutOff(
                UnflushedSeek::RateChange,
                seqnum
            ))
        );
        paused.set_state(gst::State::Null).unwrap();

        let playing = pipeline_in(gst::State::Playing);
        assert!(unflushed_seek_may_go(
            &playing,
            UnflushedSeek::LoopRound,
            gst::Seqnum::next()
        ));
        playing.set_state(gst::State::Null).unwrap();
    }
}
