//! The player's calls into its pipeline once the pipeline has left `NULL`:
//! all of them go through the pipeline's [`Gate`](crate::engine::gate::Gate),
//! so the main thread never waits for a streaming thread. `ask` waits a
//! bounded time for an answer (`None`: no pipeline, or no answer in time;
//! the caller goes on with what it knew); `tell` queues the call and
//! returns. A pipeline that is still in `NULL` (being built by `load`) has
//! no streaming thread yet and is set up directly.

use super::imp;

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

    /// Tells the pipeline to do something, in order, without waiting.
    pub(super) fn tell(&self, call: impl FnOnce(&gst::Pipeline) + Send + 'static) {
        if let Some(gate) = self.gate.borrow().as_ref() {
            gate.tell(call);
        }
    }
}
