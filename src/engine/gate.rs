//! The pipeline gate: where the main thread's calls into a running pipeline
//! go, so that the main thread never waits for a streaming thread.
//!
//! Once a pipeline has left `NULL`, almost any call into it can wait for a
//! lock that a streaming thread holds: a property read or write on
//! `playbin`/`playbin3` (their lock is held while a streaming thread
//! (de)activates pads), a query (`playbin3` answers duration under the same
//! lock), a seek (a demuxer pauses its task, waiting for a streaming thread
//! blocked on a full queue), a state change. That streaming thread may in
//! turn wait for the main loop (`gtk4paintablesink` hands work to the main
//! context and waits for it), and then neither moves again.
//!
//! Each pipeline gets one gate: a thread of its own that makes those calls,
//! in the order they were given. [`Gate::tell`] queues a call and returns
//! at once (property writes, state changes, events whose result comes back
//! on the bus). [`Gate::ask`] queues a call and waits for its answer, but
//! only for a bounded time: when the answer is late (or the gate is still
//! busy with an earlier call that is late) the caller gets `None` and goes
//! on with what it knew (cached values), and the call completes on the
//! gate's thread whenever the pipeline lets it. So a main thread that waits
//! at all waits [`ASK_TIMEOUT`] at most, and only once per stuck call.
//!
//! Dropping the gate closes it: the calls still queued are dropped unmade
//! (a state change or property write made while the reaper takes the
//! pipeline to `NULL` would restart it, or race with playbin's own
//! teardown), the thread finishes the call in hand (the reaper's state
//! change to `NULL` unblocks it) and is free for another gate, or ends
//! ([`crate::engine::gate_threads`]: a gate never starts its thread on the
//! caller's thread), so the number of threads does not grow with the
//! number of pipelines opened.

use crate::engine::log;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long [`Gate::ask`] waits for an answer by default.
pub(crate) const ASK_TIMEOUT: Duration = Duration::from_millis(40);

type Job = Box<dyn FnOnce(&gst::Pipeline) + Send>;

/// A pipeline's own thread for calls that may block.
#[derive(Debug)]
pub struct Gate {
    jobs: Option<mpsc::Sender<Job>>,
    /// When the call in hand started; `None` while the gate is idle.
    busy_since: Arc<Mutex<Option<Instant>>>,
    /// Set when the gate is dropped: queued calls are no longer made.
    closed: Arc<AtomicBool>,
}

impl Gate {
    /// Opens a gate for `pipeline`: hands its service to a gate thread
    /// (see [`crate::engine::gate_threads`]); returns at once.
    pub fn new(pipeline: &gst::Pipeline) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let busy_since = Arc::new(Mutex::new(None));
        let busy = busy_since.clone();
        let closed = Arc::new(AtomicBool::new(false));
        let closing = closed.clone();
        let pipeline = pipeline.clone();
        // A thread started elsewhere serves it (see `gate_threads`): the
        // caller, usually the main thread, starts none.
        crate::engine::gate_threads::serve(Box::new(move || {
            let serve = || {
                while let Ok(job) = rx.recv() {
                    {
                        // Checked under the lock that closing takes:
                        // a call either starts before the gate closes
                        // (and the closer sees it in hand) or not at all.
                        let mut since = lock(&busy);
                        if closing.load(Ordering::SeqCst) {
                            break;
                        }
                        #[cfg(test)]
                        tests::pause_before_marking_busy(&pipeline);
                        *since = Some(Instant::now());
                    }
                    job(&pipeline);
                    *lock(&busy) = None;
                }
            };
            // A main context of its own, made this thread's default:
            // work that elements hand to "the main thread" (the GTK sink
            // creates its paintable there) is then always queued for the
            // real main loop, never run here when the default context
            // happens to have no owner (GTK objects on the wrong thread).
            if glib::MainContext::new().with_thread_default(serve).is_err() {
                log::warn!("a pipeline gate could not take its own main context");
            }
        }));
        Self {
            jobs: Some(tx),
            busy_since,
            closed,
        }
    }

    /// Closes the gate (as dropping it does) and returns a handle that
    /// waits, on another thread, for the call in hand to finish.
    pub fn close(mut self) -> Closed {
        self.shut();
        Closed {
            busy_since: self.busy_since.clone(),
        }
    }

    /// Marks the gate closed: the calls still queued are not made, and the
    /// thread ends after the call in hand.
    fn shut(&mut self) {
        {
            let _no_call_starts = lock(&self.busy_since);
            self.closed.store(true, Ordering::SeqCst);
        }
        self.jobs.take();
    }

    /// Whether the gate has been on one call for longer than `ASK_TIMEOUT`.
    pub fn is_stuck(&self) -> bool {
        lock(&self.busy_since).is_some_and(|t| t.elapsed() > ASK_TIMEOUT)
    }

    /// Queues `call`; it runs after every call queued before it. Returns
    /// at once.
    pub fn tell(&self, call: impl FnOnce(&gst::Pipeline) + Send + 'static) {
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Box::new(call));
        }
    }

    /// Runs `call` on the gate and waits up to [`ASK_TIMEOUT`] for its
    /// answer (less when this thread has already waited for answers in
    /// this main-loop turn: [`crate::engine::wait_budget`]). `None` when the gate is stuck on an earlier call (then
    /// `call` is not queued at all) or the answer is late (then it still
    /// runs, and its answer is dropped).
    pub fn ask<T: Send + 'static>(
        &self,
        call: impl FnOnce(&gst::Pipeline) -> T + Send + 'static,
    ) -> Option<T> {
        self.ask_within(ASK_TIMEOUT, call)
    }

    /// [`Gate::ask`] with a waiting time of one's own.
    pub fn ask_within<T: Send + 'static>(
        &self,
        timeout: Duration,
        call: impl FnOnce(&gst::Pipeline) -> T + Send + 'static,
    ) -> Option<T> {
        if self.is_stuck() {
            return None;
        }
        self.queue_and_wait(timeout, call)
    }

    /// Queues `call` (even behind a stuck one) and waits up to `timeout`
    /// for its answer, within this thread's wait budget. `None` when the
    /// answer is late: the call still runs, and its answer is dropped.
    pub fn queue_and_wait<T: Send + 'static>(
        &self,
        timeout: Duration,
        call: impl FnOnce(&gst::Pipeline) -> T + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.tell(move |pipeline| {
            let _ = tx.send(call(pipeline));
        });
        // The thread's waits in this main-loop turn are bounded in all.
        let started = Instant::now();
        let answer = rx
            .recv_timeout(crate::engine::wait_budget::allowed(timeout))
            .ok();
        crate::engine::wait_budget::spend(started.elapsed());
        answer
    }
}

/// A closed gate whose last call may still be under way.
#[derive(Debug)]
pub struct Closed {
    busy_since: Arc<Mutex<Option<Instant>>>,
}

impl Closed {
    /// Waits up to `timeout` for the call in hand, if any, to finish;
    /// returns whether it did. Never call it on the main thread.
    pub fn wait(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while lock(&self.busy_since).is_some() {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        true
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.shut();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gst::prelude::*;

    #[test]
    fn answers_in_order_and_gives_up_on_a_stuck_call() {
        gst::init().unwrap();
        let pipeline = gst::Pipeline::new();
        let gate = Gate::new(&pipeline);
        let order = Arc::new(Mutex::new(Vec::new()));
        for i in 0..3 {
            let order = order.clone();
            gate.tell(move |_| order.lock().unwrap().push(i));
        }
        assert_eq!(gate.ask(|p| p.current_state()), Some(gst::State::Null));
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2]);

        // A call that blocks: the ask times out, later asks are refused at
        // once, and the gate answers again once the call is released.
        let (release, wait) = mpsc::channel::<()>();
        gate.tell(move |_| {
            let _ = wait.recv();
        });
        let started = Instant::now();
        assert_eq!(gate.ask(|_| 1), None);
        assert!(started.elapsed() < ASK_TIMEOUT * 3);
        std::thread::sleep(ASK_TIMEOUT);
        assert!(gate.is_stuck());
        let started = Instant::now();
        assert_eq!(gate.ask(|_| 2), None);
        assert!(started.elapsed() < Duration::from_millis(5));
        release.send(()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while gate.is_stuck() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        // The wait the timed-out ask spent is this thread's whole budget
        // until its window is over (no main loop runs here to refill it).
        std::thread::sleep(crate::engine::wait_budget::WINDOW);
        assert_eq!(gate.ask(|_| 3), Some(3));
    }

    #[test]
    fn calls_still_queued_are_dropped_with_the_gate() {
        gst::init().unwrap();
        let pipeline = gst::Pipeline::new();
        let gate = Gate::new(&pipeline);
        let (release, wait) = mpsc::channel::<()>();
        gate.tell(move |_| {
            let _ = wait.recv();
        });
        let made = Arc::new(AtomicBool::new(false));
        let flag = made.clone();
        gate.tell(move |_| flag.store(true, Ordering::SeqCst));
        drop(gate);
        release.send(()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while pipeline.ref_count() > 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(pipeline.ref_count(), 1);
        assert!(!made.load(Ordering::SeqCst));
    }

    /// The name of a pipeline whose gate pauses between deciding to make a
    /// call and marking itself busy (a test widens that window).
    const SLOW_START: &str = "gate-slow-start";

    pub(super) fn pause_before_marking_busy(pipeline: &gst::Pipeline) {
        if pipeline.name() == SLOW_START {
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    #[test]
    fn a_closed_gate_waited_for_has_no_call_under_way() {
        // The closer must see a call that has started: a call made on the
        // pipeline while the reaper stops it can crash playbin.
        gst::init().unwrap();
        let pipeline = gst::Pipeline::with_name(SLOW_START);
        for _ in 0..3 {
            let gate = Gate::new(&pipeline);
            let started = Arc::new(AtomicBool::new(false));
            let ended = Arc::new(AtomicBool::new(false));
            let (s, e) = (started.clone(), ended.clone());
            gate.tell(move |_| {
                s.store(true, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(1));
                e.store(true, Ordering::SeqCst);
            });
            // Close while the thread is between taking the call and
            // starting it.
            std::thread::sleep(Duration::from_millis(10));
            let closed = gate.close();
            assert!(closed.wait(Duration::from_secs(5)));
            let (started_then, ended_then) =
                (started.load(Ordering::SeqCst), ended.load(Ordering::SeqCst));
            std::thread::sleep(Duration::from_millis(60));
            assert!(
                started_then == started.load(Ordering::SeqCst) && (!started_then || ended_then),
                "a call was under way, or started, after the wait"
            );
        }
    }

    #[test]
    fn the_thread_ends_with_the_gate() {
        gst::init().unwrap();
        let pipeline = gst::Pipeline::new();
        let gate = Gate::new(&pipeline);
        assert_eq!(gate.ask(|_| ()), Some(()));
        drop(gate);
        // The gate's reference to the pipeline goes with its thread.
        let deadline = Instant::now() + Duration::from_secs(5);
        while pipeline.ref_count() > 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(pipeline.ref_count(), 1);
    }
}
