//! How `framescopesink`'s frames cross from the streaming thread to the
//! main thread. The streaming thread leaves each frame in a one-frame slot,
//! replacing one the main thread has not taken yet. Who takes it:
//! - by default, an idle callback on the default main context, queued when
//!   the slot was empty: one main-loop wakeup per frame;
//! - while a view plays the picture (a [`FramePull`] lives), the view's
//!   frame clock, once per display frame, in its update phase, just before
//!   GTK lays out and paints. Nothing wakes the main loop per frame: nine
//!   tiles of a video wall cost one wakeup per display frame instead of one
//!   per frame of each (bench/RESULTS.md, "Frames taken at the frame
//!   clock", issue 18).
//!
//! Threads: both sides hold the slot's lock only to swap a frame or count a
//! puller, never while GTK runs: neither ever waits for the other. A puller
//! that goes takes the frame left in the slot, so no frame is stranded
//! when the view stops pulling.

use super::picture::{Frame, SinkPicture, Target};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, Weak};

/// The newest frame the main thread has not taken yet, and whom to give it.
#[derive(Default)]
pub(super) struct Handoff {
    slot: Mutex<Slot>,
    pub(super) target: Mutex<Option<Target>>,
}

/// What the slot's lock guards.
#[derive(Default)]
struct Slot {
    frame: Option<Frame>,
    /// Live [`FramePull`]s: while any lives, no idle callback is queued.
    pullers: usize,
}

/// How a frame reached the picture (counted for the tests and benchmarks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Taken {
    /// By an idle callback.
    Idle,
    /// By a frame clock's tick.
    AtFrameClock,
}

impl Handoff {
    /// On the streaming thread: leaves `frame` for the main thread.
    pub(super) fn offer(self: &Arc<Self>, frame: Frame) {
        let queue_idle = {
            let mut slot = lock(&self.slot);
            slot.frame.replace(frame).is_none() && slot.pullers == 0
        };
        if queue_idle {
            let handoff = self.clone();
            // Always queued (never run on this thread, as `invoke` may):
            // the picture is a main-thread object.
            glib::idle_add_full(glib::Priority::DEFAULT, move || {
                handoff.deliver(Taken::Idle);
                glib::ControlFlow::Break
            });
        }
    }

    /// On the main thread: shows the newest frame, if one waits.
    pub(super) fn deliver(&self, how: Taken) {
        let target = lock(&self.target).clone();
        // Taken out first: the slot's lock is never held while GTK runs.
        let frame = lock(&self.slot).frame.take();
        if let (Some(picture), Some(frame)) = (target.and_then(|t| t.upgrade()), frame) {
            picture.show_taken(frame, how);
        }
    }

    /// Drops the frame waiting, if any (it holds a buffer of upstream's pool).
    pub(super) fn clear(&self) {
        lock(&self.slot).frame.take();
    }

    fn start_pulling(&self) {
        let mut slot = lock(&self.slot);
        slot.pullers = slot.pullers.saturating_add(1);
    }

    fn stop_pulling(&self) {
        {
            let mut slot = lock(&self.slot);
            slot.pullers = slot.pullers.saturating_sub(1);
        }
        // A frame left for the puller would otherwise wait for the next one.
        self.deliver(Taken::Idle);
    }
}

/// A claim on a picture's frames, held on the main thread by a view that
/// plays it: while one lives, the picture's frames wait in the slot for
/// [`pull`](Self::pull) (from the view's frame clock) instead of waking the
/// main loop one by one. Dropping it hands the frame waiting, if any, to
/// the picture at once.
pub(crate) struct FramePull {
    handoff: Weak<Handoff>,
    /// Main thread only: the frames it hands over are GTK's to draw.
    _not_send: PhantomData<*const ()>,
}

impl FramePull {
    /// Claims `picture`'s frames, when it takes them from a sink.
    pub(crate) fn new(picture: &SinkPicture) -> Option<FramePull> {
        let handoff = picture.handoff()?;
        handoff.start_pulling();
        Some(FramePull {
            handoff: Arc::downgrade(&handoff),
            _not_send: PhantomData,
        })
    }

    /// Shows the newest frame, if one waits (on the main thread).
    pub(crate) fn pull(&self) {
        if let Some(handoff) = self.handoff.upgrade() {
            handoff.deliver(Taken::AtFrameClock);
        }
    }
}

impl Drop for FramePull {
    fn drop(&mut self) {
        if let Some(handoff) = self.handoff.upgrade() {
            handoff.stop_pulling();
        }
    }
}

/// A poisoned lock still holds a valid value: a panic elsewhere must not
/// stop the video.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
