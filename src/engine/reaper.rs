//! The reaper: stops and frees pipelines away from the thread that let them
//! go, so that closing a player never waits on GStreamer.
//!
//! Setting a pipeline to `NULL` joins its streaming threads, and a streaming
//! thread only stops once its element lets go: a source stuck in a read, a
//! filter sleeping in its chain function or a sink waiting for the GTK main
//! context can hold that call for as long as it likes. A player used to make
//! the call on the main thread; now [`reap`] queues the pipeline and returns.
//!
//! One long-lived worker thread, started on first use, takes pipelines from
//! the queue in order, sets each to `NULL` and drops it, so the thread count
//! does not grow with the number of players. A single worker can itself be
//! held by a pipeline that takes long to stop; so that one stuck pipeline
//! cannot hold back every later shutdown, a shutdown queued while every
//! worker has been busy on one pipeline for [`STUCK_AFTER`] starts a helper
//! thread, up to [`MAX_WORKERS`] threads in all. Helpers leave as soon as
//! the queue is empty; the first worker stays.
//!
//! The workers never wait for the main thread, and the main thread never
//! waits for them: `gtk4paintablesink` hands the drop of its paintable and
//! its last flush to the default main context, which runs them once the
//! main loop next turns. Each worker pushes a thread-default main context
//! of its own, so that GLib always queues such work for the main loop and
//! never runs it on the worker (the wrong thread for GTK objects) when the
//! default context happens to have no owner. That work runs at idle
//! priority and holds the sink, its last frame and that frame's buffer pool
//! until then, so a pipeline only counts as released once the main context
//! of the thread that let it go has turned idle after it stopped:
//! [`pending_shutdowns`] counts pipelines until then, and a caller that
//! needs them gone runs its main loop until it is 0.

use crate::engine::{log, unstick};
use gst::prelude::*;
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a worker may spend on one pipeline before it counts as stuck.
pub(crate) const STUCK_AFTER: Duration = Duration::from_secs(1);
/// How long a pipeline still changing state may settle before it is stopped.
const SETTLE_BEFORE_STOP: gst::ClockTime = gst::ClockTime::from_mseconds(500);
/// Worker threads at most: the reaper and its helpers. A pipeline that
/// GStreamer never lets go (a deadlock inside playbin's teardown, seen on
/// GStreamer 1.22 after hundreds of thousands of random operations) holds
/// its worker for good; the others go on, so this many such pipelines
/// are needed before later shutdowns wait.
pub(crate) const MAX_WORKERS: usize = 16;
/// How long a stop may take before it is logged as stuck for good.
const STUCK_FOR_GOOD: Duration = Duration::from_secs(30);

/// What runs on the worker before the pipeline is stopped; it is given
/// the pipeline and the moment it was handed over.
type Before = Box<dyn FnOnce(&gst::Pipeline, Instant) + Send>;

/// A pipeline to stop, with what to do first.
struct Job {
    pipeline: gst::Pipeline,
    /// The main context of the thread that let it go.
    origin: glib::MainContext,
    before: Before,
    /// When it was handed over: every bounded wait on the way to `NULL`
    /// counts from here, so a pipeline that waited in the queue waits no
    /// more, and a backlog drains at the speed of the stops themselves.
    handed_over: Instant,
}

/// The shared state of the reaper and its helpers.
struct Queue {
    /// Pipelines waiting for a worker.
    waiting: VecDeque<Job>,
    /// Pipelines handed over and not yet released (see [`Released`]).
    pending: usize,
    /// Worker threads alive.
    workers: usize,
    /// Workers waiting for a pipeline (a new one counts from its start).
    idle: usize,
    /// When each busy worker started on its pipeline, by worker number.
    busy: Vec<(u64, Instant)>,
    /// The number the next worker gets.
    next_worker: u64,
    /// How many workers stuck for good were last warned about.
    warned_stuck: usize,
}

static QUEUE: Mutex<Queue> = Mutex::new(Queue {
    waiting: VecDeque::new(),
    pending: 0,
    workers: 0,
    idle: 0,
    busy: Vec::new(),
    next_worker: 0,
    warned_stuck: 0,
});
static WORK: Condvar = Condvar::new();

fn lock() -> MutexGuard<'static, Queue> {
    QUEUE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hands `pipeline` over to be set to `NULL` and dropped on the reaper
/// thread. Returns at once; drop every other reference to the pipeline
/// (bus watches included) before or soon after. (The player always uses
/// [`reap_after`]; the unit tests use this.)
#[cfg(test)]
pub(crate) fn reap(pipeline: gst::Pipeline) {
    reap_after(pipeline, |_, _| ());
}

/// [`reap`], running `before` on the worker first (for example, waiting a
/// bounded time for another thread's call into the pipeline to finish:
/// `decodebin3` on GStreamer 1.22 can crash when it is reset while a call
/// into it is still under way). `before` is given the moment the pipeline
/// was handed over, so that its waits count from then (see [`Job`]).
pub(crate) fn reap_after(
    pipeline: gst::Pipeline,
    before: impl FnOnce(&gst::Pipeline, Instant) + Send + 'static,
) {
    let origin = glib::MainContext::ref_thread_default();
    let mut queue = lock();
    queue.waiting.push_back(Job {
        pipeline,
        origin,
        before: Box::new(before),
        handed_over: Instant::now(),
    });
    queue.pending += 1;
    let all_stuck = queue.busy.iter().all(|(_, t)| t.elapsed() >= STUCK_AFTER);
    let stuck_for_good = queue
        .busy
        .iter()
        .filter(|(_, t)| t.elapsed() >= STUCK_FOR_GOOD)
        .count();
    if stuck_for_good > queue.warned_stuck {
        log::warn!(
            "{stuck_for_good} pipeline(s) have not stopped after {STUCK_FOR_GOOD:?}: GStreamer holds them; \
             their threads and memory stay in use"
        );
    }
    queue.warned_stuck = stuck_for_good;
    let spawn = queue.workers == 0 || (queue.idle == 0 && all_stuck && queue.workers < MAX_WORKERS);
    if spawn {
        let permanent = queue.workers == 0;
        let number = queue.next_worker;
        queue.next_worker += 1;
        queue.workers += 1;
        queue.idle += 1;
        let name = if permanent {
            "framescope-reaper".to_string()
        } else {
            format!("framescope-reaper-{number}")
        };
        let spawned = std::thread::Builder::new()
            .name(name)
            .spawn(move || work(number, permanent));
        if let Err(e) = spawned {
            queue.workers -= 1;
            queue.idle -= 1;
            if queue.workers == 0 {
                // No thread to hand it to: stop it here rather than never.
                log::warn!("pipeline shutdown thread not started ({e}); stopping in place");
                let job = queue.waiting.pop_back();
                queue.pending -= 1;
                drop(queue);
                if let Some(job) = job {
                    (job.before)(&job.pipeline, job.handed_over);
                    stop(job.pipeline, job.handed_over);
                }
                return;
            }
            log::warn!("pipeline shutdown helper not started: {e}");
        }
    }
    WORK.notify_one();
}

/// How many pipelines handed to the reaper are not yet stopped, freed and
/// followed up by the main loop of the thread that let them go. Tests and
/// hosts that must know a player's pipeline is gone (its threads, files,
/// devices and last frame released) run their main loop until this is 0;
/// waiting for it with that loop stopped waits for ever, since the video
/// sink finishes its shutdown on that loop.
pub fn pending_shutdowns() -> usize {
    lock().pending
}

/// One pipeline's release: dropping it takes the pipeline off the pending
/// count. A worker sends it to the main context the pipeline came from at
/// idle priority, behind what the pipeline's elements queued there while
/// stopping (a context runs sources of one priority in the order they came);
/// it is dropped there (a context no thread runs again keeps it).
struct Released;

impl Drop for Released {
    fn drop(&mut self) {
        lock().pending -= 1;
    }
}

/// Sends the pipeline's [`Released`] to `origin`, the main context it
/// came from, together with the worker's reference to that context, so
/// that the worker never drops the last one. It used to drop its own just
/// after sending the release: when the context's thread ran the release at
/// once, saw no shutdown pending and let its context go (a test ending,
/// `tests/common/mainloop.rs`), the worker's drop finalised the context
/// here, dropping the futures still queued on it (a player's timers) off
/// their thread, and glib aborts the process for that (1 run in 50 of
/// `engine::a_seek_right_after_pausing_lands_on_its_frame` under load).
/// Now the reference ends where the release runs, on the context's own
/// thread. Not called with the queue's lock held: a release can run at
/// once.
fn release_on(origin: glib::MainContext) {
    use glib::translate::{from_glib_borrow, Borrowed, ToGlibPtr};
    let released = Released;
    let context: *mut glib::ffi::GMainContext = origin.to_glib_none().0;
    // SAFETY: `origin`, moved into the release below, keeps the context
    // alive until the release has been queued on it (and a thread running
    // the release holds the context while it does), so the pointer is
    // valid for this call.
    let borrowed: Borrowed<glib::MainContext> = unsafe { from_glib_borrow(context) };
    borrowed.invoke_with_priority(glib::Priority::DEFAULT_IDLE, move || {
        drop(released);
        drop(origin);
    });
}

/// Sets the pipeline to `NULL` and drops it, logging how long it took when
/// that was long enough to be worth knowing.
fn stop(pipeline: gst::Pipeline, handed_over: Instant) {
    let start = Instant::now();
    // A pipeline still opening is let finish its state change first
    // (bounded, counted from the hand-over): `decodebin3` on GStreamer 1.22
    // can crash when it is reset while its streaming threads are still
    // adding its inputs (seen in the storm test, in `gst_decodebin3_reset`).
    let settle = SETTLE_BEFORE_STOP.saturating_sub(clock_time(handed_over.elapsed()));
    // A stop GStreamer cannot finish on its own gets its pads flushed.
    let watched = unstick::watch(&pipeline);
    let _ = pipeline.state(settle);
    if pipeline.set_state(gst::State::Null).is_err() {
        log::debug!("a pipeline failed to stop cleanly");
    }
    drop(watched);
    drop(pipeline);
    let took = start.elapsed();
    if took >= STUCK_AFTER {
        log::info!("a pipeline was slow to stop ({took:?})");
    }
}

/// How long the reaper waits, idle, after stopping pipelines before it
/// gives their freed memory back to the system.
const TRIM_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Gives the C allocator's free memory back to the system. A pipeline's
/// buffers are freed by many streaming threads into as many malloc arenas,
/// which keep the pages: without this, a player opening media for months
/// grows in resident memory while what it really holds stays flat (the
/// storm benchmark measures both).
fn give_back_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists, under
    // its locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// `duration` as a clock time, saturating (a pipeline never waits that long).
fn clock_time(duration: Duration) -> gst::ClockTime {
    gst::ClockTime::from_nseconds(u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX / 2))
}

/// A worker: stops queued pipelines until the queue is empty, then waits
/// for more (the permanent one) or leaves (a helper).
fn work(number: u64, permanent: bool) {
    let context = glib::MainContext::new();
    let run = || {
        let mut trim_due = false;
        let mut queue = lock();
        loop {
            if let Some(job) = queue.waiting.pop_front() {
                let Job {
                    pipeline,
                    origin,
                    before,
                    handed_over,
                } = job;
                queue.idle -= 1;
                queue.busy.push((number, Instant::now()));
                drop(queue);
                let stopped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    before(&pipeline, handed_over);
                    stop(pipeline, handed_over)
                }));
                if stopped.is_err() {
                    log::warn!("stopping a pipeline panicked");
                }
                trim_due = true;
                release_on(origin);
                queue = lock();
                queue.busy.retain(|(n, _)| *n != number);
                queue.idle += 1;
            } else if permanent && trim_due {
                // Idle a while after stopping pipelines: give the memory
                // they freed (here and, by now, on the main loop) back.
                let (guard, waited) = WORK
                    .wait_timeout(queue, TRIM_AFTER_IDLE)
                    .unwrap_or_else(|e| e.into_inner());
                queue = guard;
                if waited.timed_out() && queue.waiting.is_empty() {
                    trim_due = false;
                    drop(queue);
                    give_back_free_memory();
                    queue = lock();
                }
            } else if permanent {
                queue = WORK.wait(queue).unwrap_or_else(|e| e.into_inner());
            } else {
                queue.idle -= 1;
                queue.workers -= 1;
                return;
            }
        }
    };
    if context.with_thread_default(run).is_err() {
        log::warn!("the reaper could not take its own main context");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs this thread's main context until `done`.
    fn wait_for(timeout: Duration, done: impl Fn() -> bool) -> bool {
        let context = glib::MainContext::ref_thread_default();
        let start = Instant::now();
        while !done() {
            if start.elapsed() > timeout {
                return false;
            }
            while context.iteration(false) {}
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }

    fn running(launch: &str) -> gst::Pipeline {
        gst::init().unwrap();
        let pipeline = gst::parse::launch(launch)
            .unwrap()
            .downcast::<gst::Pipeline>()
            .unwrap();
        pipeline.set_state(gst::State::Playing).unwrap();
        let _ = pipeline.state(gst::ClockTime::from_seconds(5));
        pipeline
    }

    #[test]
    fn flushing_the_sinks_frees_a_seek_stuck_behind_a_prerolled_sink() {
        // Paused and prerolled: the source's streaming thread waits in the
        // sink's preroll, holding its stream lock; a seek without a flush
        // waits for that lock with the pipeline's state lock held.
        let pipeline = gst::parse::launch("videotestsrc ! fakesink")
            .unwrap()
            .downcast::<gst::Pipeline>()
            .unwrap();
        pipeline.set_state(gst::State::Paused).unwrap();
        let _ = pipeline.state(gst::ClockTime::from_seconds(5));
        let (done, seek_returned) = std::sync::mpsc::channel();
        let seeking = pipeline.clone();
        std::thread::spawn(move || {
            let seek = gst::event::Seek::new(
                1.0,
                gst::SeekFlags::empty(),
                gst::SeekType::Set,
                gst::ClockTime::ZERO,
                gst::SeekType::None,
                gst::ClockTime::NONE,
            );
            seeking.send_event(seek);
            let _ = done.send(());
        });
        assert!(
            seek_returned
                .recv_timeout(Duration::from_millis(300))
                .is_err(),
            "premise: the seek without a flush should wait behind the prerolled sink"
        );
        unstick::flush_sinks(&pipeline);
        assert!(
            seek_returned.recv_timeout(Duration::from_secs(5)).is_ok(),
            "flushing the sinks did not free the stuck seek"
        );
        pipeline.set_state(gst::State::Null).unwrap();
    }

    #[test]
    fn a_stuck_pipeline_does_not_hold_back_the_next() {
        let context = glib::MainContext::new();
        context
            .with_thread_default(stuck_then_quick)
            .expect("a new context can be made the thread default");
    }

    #[test]
    fn a_context_gone_before_its_pipeline_is_stopped() {
        // Run on a thread of its own: a deadlocked reaper fails the test
        // rather than hanging it.
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            context_gone();
            let _ = done.send(());
        });
        assert!(
            finished.recv_timeout(Duration::from_secs(15)).is_ok(),
            "the reaper deadlocked (or the test panicked)"
        );
    }

    fn context_gone() {
        // The thread that let the pipeline go drops its main context while
        // the worker is still stopping it (a filter sleeping 0.5 s per
        // buffer): the worker then holds the context's last reference.
        let slow = glib::MainContext::new()
            .with_thread_default(|| {
                let slow = running("videotestsrc ! identity sleep-time=500000 ! fakesink");
                let weak = slow.downgrade();
                reap(slow);
                weak
            })
            .expect("a new context can be made the thread default");
        let start = Instant::now();
        while slow.upgrade().is_some() && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(
            slow.upgrade().is_none(),
            "the slow pipeline was never freed"
        );
        // The reaper still works.
        let context = glib::MainContext::new();
        context
            .with_thread_default(|| {
                let quick = running("videotestsrc ! fakesink");
                let weak = quick.downgrade();
                reap(quick);
                assert!(
                    wait_for(Duration::from_secs(1), || weak.upgrade().is_none()),
                    "the reaper stopped working"
                );
            })
            .expect("a new context can be made the thread default");
    }

    fn stuck_then_quick() {
        // A filter that sleeps 3 s per buffer: stopping it takes that long.
        let slow = running("videotestsrc ! identity sleep-time=3000000 ! fakesink");
        let slow_weak = slow.downgrade();
        std::thread::sleep(Duration::from_millis(100));
        let start = Instant::now();
        reap(slow);
        assert!(start.elapsed() < Duration::from_millis(100), "reap blocked");
        std::thread::sleep(STUCK_AFTER + Duration::from_millis(200));
        let quick = running("videotestsrc ! fakesink");
        let quick_weak = quick.downgrade();
        reap(quick);
        assert!(
            wait_for(Duration::from_secs(1), || quick_weak.upgrade().is_none()),
            "the quick pipeline waited behind the stuck one"
        );
        assert!(slow_weak.upgrade().is_some(), "the slow one stopped early");
        // (Other tests may reap pipelines too: count nothing but our own.)
        assert!(
            wait_for(Duration::from_secs(10), || slow_weak.upgrade().is_none()),
            "the slow pipeline was never freed"
        );
        // The helper leaves once it finds the queue empty.
        assert!(
            wait_for(Duration::from_secs(1), || lock().workers == 1),
            "a helper stayed ({} workers)",
            lock().workers
        );
    }
}
