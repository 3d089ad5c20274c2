//! The player's calls into its pipeline once the pipeline has left `NULL`:
//! all of them go through the pipeline's [`Gate`](crate::engine::gate::Gate),
//! so the main thread never waits for a streaming thread. `ask` waits a
//! bounded time for an answer (`None`: no pipeline, or no answer in time;
//! the caller goes on with what it knew); `tell` queues the call and
//! returns. A pipeline that is still in `NULL` (being built by `load`) has
//! no streaming thread yet and is set up directly.

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
        Some(gate.ask(call))
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

    /// Tells the pipeline to do something, in order, without waiting.
    pub(super) fn tell(&self, call: impl FnOnce(&gst::Pipeline) + Send + 'static) {
        if let Some(gate) = self.gate.borrow().as_ref() {
            gate.tell(call);
        }
    }
}
