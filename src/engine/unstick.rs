//! Frees pipelines that GStreamer cannot stop on its own: flush-starts sent
//! straight to pads, from threads of their own.
//!
//! Setting a pipeline to `NULL` goes from the sinks up: each element's pads
//! are deactivated in turn, which wakes the streaming threads waiting in
//! that element. An element further up is reached only later, so a thread
//! waiting there (a full queue, a sink's preroll, a text overlay waiting for
//! video, `streamsynchronizer` waiting for its other streams) keeps every
//! lock it holds meanwhile. On GStreamer 1.22, after hundreds of thousands
//! of random operations, a few pipelines a run deadlock that way: the
//! reaper sits in playbin's `pad-removed` handler waiting for a lock a
//! streaming thread upstream holds while it waits for its pads to flush
//! (storm run 10, bench/RESULTS.md). In storm run 19 a stop waited in
//! `gst_pad_set_active` for the stream lock of a `typefind` thread that
//! waited in a blocking probe on one of decodebin's pads not yet exposed.
//! Such a pipeline used to keep its threads, buffers and descriptors for
//! the life of the process.
//!
//! A flush-start is the one event every element must handle at once, from
//! any thread, without its stream lock: it wakes every such wait. So a stop
//! is watched ([`watch`]); when it has not finished after [`PASSES`]\[0\], a
//! thread of its own sends a flush-start to every pad that can take one
//! ([`flush_all_pads`]) and, if the stop still has not finished, again at
//! the later marks (new pads may have been added meanwhile). Nothing
//! flushes them back: the pipeline is on its way to `NULL`. The flushing
//! runs on a thread per pass, not on the watchdog, so that an element that
//! blocks even its flush-start holds that one thread, not every later
//! rescue; it only runs for stops already stuck, so the usual stop is
//! untouched. The watchdog and the flushing threads never wait for the
//! main thread, and the main thread never waits for them.

use crate::engine::log;
use gst::prelude::*;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long after a stop began each flushing pass runs, if it has not ended.
pub(crate) const PASSES: [Duration; 3] = [
    Duration::from_secs(2),
    Duration::from_secs(5),
    Duration::from_secs(10),
];
/// How long the end of a watch waits for a pass still under way: the pass
/// holds a reference to the pipeline, and the last one should be let go
/// on the reaper.
const PASS_SETTLE: Duration = Duration::from_secs(5);

/// One stop under watch.
struct Watch {
    id: u64,
    pipeline: gst::Pipeline,
    since: Instant,
    /// Passes started so far.
    passes: usize,
    /// Whether a pass is under way.
    flushing: bool,
}

struct Watches {
    list: Vec<Watch>,
    next_id: u64,
    watchdog_started: bool,
}

static WATCHES: Mutex<Watches> = Mutex::new(Watches {
    list: Vec::new(),
    next_id: 0,
    watchdog_started: false,
});
/// Wakes the watchdog: a new watch, or a pass ended.
static WAKE: Condvar = Condvar::new();
/// Wakes the end of a watch waiting for its pass.
static PASS_ENDED: Condvar = Condvar::new();

fn lock() -> MutexGuard<'static, Watches> {
    WATCHES.lock().unwrap_or_else(|e| e.into_inner())
}

/// A stop under watch; dropping it ends the watch (once the stop is done).
pub(crate) struct Watched {
    id: u64,
}

/// Watches the stop of `pipeline` that the caller is about to make: if it
/// has not ended (the [`Watched`] dropped) after each of [`PASSES`], every
/// pad of the pipeline is flushed.
pub(crate) fn watch(pipeline: &gst::Pipeline) -> Watched {
    let mut watches = lock();
    let id = watches.next_id;
    watches.next_id += 1;
    watches.list.push(Watch {
        id,
        pipeline: pipeline.clone(),
        since: Instant::now(),
        passes: 0,
        flushing: false,
    });
    if !watches.watchdog_started {
        let spawned = std::thread::Builder::new()
            .name("framescope-unstick".into())
            .spawn(watchdog);
        match spawned {
            Ok(_) => watches.watchdog_started = true,
            Err(e) => log::warn!("the watchdog for stuck pipelines did not start: {e}"),
        }
    }
    WAKE.notify_one();
    Watched { id }
}

impl Drop for Watched {
    fn drop(&mut self) {
        let deadline = Instant::now() + PASS_SETTLE;
        let mut watches = lock();
        loop {
            let Some(index) = watches.list.iter().position(|w| w.id == self.id) else {
                return;
            };
            let now = Instant::now();
            if !watches.list[index].flushing || now >= deadline {
                // The pipeline's reference goes with the watch: not the last.
                let watch = watches.list.swap_remove(index);
                drop(watches);
                drop(watch);
                return;
            }
            watches = PASS_ENDED
                .wait_timeout(watches, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// The watchdog: starts the passes that fall due, then sleeps until the
/// next one.
fn watchdog() {
    let mut watches = lock();
    loop {
        let now = Instant::now();
        let mut next_due: Option<Instant> = None;
        for watch in watches.list.iter_mut().filter(|w| !w.flushing) {
            let Some(after) = PASSES.get(watch.passes) else {
                continue;
            };
            let due = watch.since + *after;
            if due > now {
                next_due = Some(next_due.map_or(due, |d| d.min(due)));
                continue;
            }
            watch.passes += 1;
            watch.flushing = true;
            let pipeline = watch.pipeline.clone();
            let id = watch.id;
            let pass = watch.passes;
            let spawned = std::thread::Builder::new()
                .name("framescope-flush".into())
                .spawn(move || run_pass(pipeline, id, pass));
            if let Err(e) = spawned {
                log::warn!("a stuck pipeline could not be flushed: {e}");
                watch.flushing = false;
            }
        }
        watches = match next_due {
            Some(due) => {
                let wait = due.saturating_duration_since(Instant::now());
                WAKE.wait_timeout(watches, wait)
                    .unwrap_or_else(|e| e.into_inner())
                    .0
            }
            None => WAKE.wait(watches).unwrap_or_else(|e| e.into_inner()),
        };
    }
}

/// One pass over a stuck pipeline, on a thread of its own.
fn run_pass(pipeline: gst::Pipeline, id: u64, pass: usize) {
    log::info!(
        "a pipeline has not stopped after {:?}: flushing all its pads to free it (pass {pass})",
        PASSES[pass - 1]
    );
    flush_all_pads(&pipeline);
    drop(pipeline);
    let mut watches = lock();
    if let Some(watch) = watches.list.iter_mut().find(|w| w.id == id) {
        watch.flushing = false;
    }
    drop(watches);
    PASS_ENDED.notify_all();
    WAKE.notify_one();
}

/// Sends a flush-start to every pad of `pipeline` that can pass one on,
/// straight to the pads rather than through the pipeline, whose state lock
/// a stuck call may hold:
/// 1. first, out of every source pad (bins' ghost pads included) that is
///    blocked or whose peer is — a thread waiting in a blocking probe, on
///    a pad that no element in the pipeline may own (playbin's decodebin
///    blocks its pads before it exposes them; storm run 19);
/// 2. to every sink pad of every element (and to the source pads of
///    elements without one, so that a source's own waits end too);
/// 3. out of every element's source pads: a pad being deactivated is
///    flushing already and drops a flush-start sent to it, so a wait
///    further down is reached only from the pad after it.
///
/// Bins are skipped in 2 and 3: their ghost pads lead to pads reached
/// anyway, and a flush sent into a bin flagged as a sink travels through
/// its queues (see [`flush_sinks`]).
pub(crate) fn flush_all_pads(pipeline: &gst::Pipeline) {
    let elements: Vec<gst::Element> = pipeline.iterate_recurse().into_iter().flatten().collect();
    for element in &elements {
        for pad in element.src_pads() {
            let waiting = pad.is_blocking() || pad.peer().is_some_and(|peer| peer.is_blocking());
            if waiting {
                let _ = pad.push_event(gst::event::FlushStart::new());
            }
        }
    }
    let elements: Vec<&gst::Element> = elements
        .iter()
        .filter(|element| !element.is::<gst::Bin>())
        .collect();
    for element in &elements {
        let sink_pads = element.sink_pads();
        let pads = if sink_pads.is_empty() {
            element.src_pads()
        } else {
            sink_pads
        };
        for pad in pads {
            let _ = pad.send_event(gst::event::FlushStart::new());
        }
    }
    for element in &elements {
        for pad in element.src_pads() {
            let _ = pad.push_event(gst::event::FlushStart::new());
        }
    }
}

/// Sends a flush-start straight to every sink's sink pads (not through the
/// pipeline, whose state lock a stuck call may hold): a sink waiting for
/// its preroll, and the streaming thread it holds, let go at once. For a
/// pipeline about to be stopped: nothing flushes them back.
///
/// Only sink elements, never bins: a bin holding a sink is flagged as one
/// too (playsink is), and a flush-start sent to its pads travels through
/// the queues inside, each of which, after passing it on, waits for its own
/// streaming thread to pause. When that thread waits in a sink the flush
/// does not reach (seen in storm run 17: `vqueue` and `aqueue` waiting for
/// their sinks' preroll), the caller waits for good.
pub(crate) fn flush_sinks(pipeline: &gst::Pipeline) {
    for element in pipeline.iterate_recurse().into_iter().flatten() {
        if element.is::<gst::Bin>() || !element.element_flags().contains(gst::ElementFlags::SINK) {
            continue;
        }
        for pad in element.sink_pads() {
            let _ = pad.send_event(gst::event::FlushStart::new());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::sync::Arc;

    /// Stops `pipeline` under watch on a thread of its own and checks that
    /// the stop is stuck until the first flushing pass (`premise` says why
    /// it should be), and ends within 10 s of it.
    fn stuck_then_freed(pipeline: &gst::Pipeline, premise: &str) {
        let (stopped, stop_returned) = mpsc::channel();
        let stopping = pipeline.clone();
        std::thread::spawn(move || {
            let watched = watch(&stopping);
            let _ = stopping.set_state(gst::State::Null);
            drop(watched);
            let _ = stopped.send(());
        });
        assert!(
            stop_returned
                .recv_timeout(PASSES[0] - Duration::from_millis(500))
                .is_err(),
            "premise: {premise}"
        );
        assert!(
            stop_returned.recv_timeout(Duration::from_secs(10)).is_ok(),
            "flushing did not free the stuck stop"
        );
    }

    /// A stand-in for the deadlock of storm run 10, made of parts whose
    /// behaviour is documented: stopping goes from the sink up; the thread
    /// stopping the pipeline, told that the sink has gone to `READY` (a
    /// synchronous bus message, as playbin's `pad-removed` handler runs on
    /// the stopping thread), needs a lock; the thread holding that lock waits
    /// in `appsrc`'s full queue, which only a flush, or `appsrc`'s own stop
    /// (reached after the sink's), ends.
    #[test]
    fn a_stop_held_by_a_wait_upstream_ends_once_flushed() {
        gst::init().unwrap();
        let pipeline = gst::parse::launch(
            "appsrc name=src block=true max-bytes=1 format=time ! fakesink name=sink",
        )
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
        let src = pipeline
            .by_name("src")
            .unwrap()
            .downcast::<gst_app::AppSrc>()
            .unwrap();
        let sink = pipeline.by_name("sink").unwrap();
        let held = Arc::new(Mutex::new(()));
        let handler_lock = held.clone();
        pipeline.bus().unwrap().set_sync_handler(move |_, message| {
            if let gst::MessageView::StateChanged(change) = message.view() {
                if message.src() == Some(sink.upcast_ref()) && change.current() == gst::State::Ready
                {
                    drop(handler_lock.lock().unwrap_or_else(|e| e.into_inner()));
                }
            }
            gst::BusSyncReply::Pass
        });
        pipeline.set_state(gst::State::Paused).unwrap();

        let (fed, feeder_blocked) = mpsc::channel();
        let feeder_lock = held.clone();
        let feeder = std::thread::spawn(move || {
            let _held = feeder_lock.lock().unwrap();
            let _ = fed.send(());
            let mut pts = gst::ClockTime::ZERO;
            loop {
                let mut buffer = gst::Buffer::with_size(64).unwrap();
                buffer.get_mut().unwrap().set_pts(pts);
                pts += gst::ClockTime::from_mseconds(40);
                if src.push_buffer(buffer).is_err() {
                    return;
                }
            }
        });
        feeder_blocked.recv().unwrap();
        // Let the sink preroll and the feeder fill the queue.
        std::thread::sleep(Duration::from_millis(300));

        stuck_then_freed(
            &pipeline,
            "the stop should wait for the feeder until the pads are flushed",
        );
        feeder.join().unwrap();
        pipeline.bus().unwrap().unset_sync_handler();
        assert_eq!(pipeline.current_state(), gst::State::Null);
    }

    /// The shape of storm run 19's deadlock: stopping deactivates an
    /// element's pads (its source pad first, which makes it flushing) and
    /// then waits for its sink pad's stream lock, held by a streaming thread
    /// that waits in a blocking probe on a pad further down that no element
    /// in the pipeline owns (in playbin, one of decodebin's pads not yet
    /// exposed). A flush-start sent to a pad already flushing is dropped
    /// there, so only one pushed out of the element's source pad reaches
    /// the blocked pad.
    #[test]
    fn a_stop_held_by_a_blocked_pad_past_a_flushing_one_ends_once_flushed() {
        gst::init().unwrap();
        let pipeline = gst::parse::launch("videotestsrc is-live=true ! identity name=id")
            .unwrap()
            .downcast::<gst::Pipeline>()
            .unwrap();
        let identity = pipeline.by_name("id").unwrap();
        let outside = gst::Pad::builder(gst::PadDirection::Sink)
            .name("outside")
            .chain_function(|_, _, _| Ok(gst::FlowSuccess::Ok))
            .event_function(|_, _, _| true)
            .build();
        outside.set_active(true).unwrap();
        let (reached, blocked) = mpsc::channel();
        outside.add_probe(gst::PadProbeType::BLOCK_DOWNSTREAM, move |_, _| {
            let _ = reached.send(());
            gst::PadProbeReturn::Ok
        });
        identity.static_pad("src").unwrap().link(&outside).unwrap();
        pipeline.set_state(gst::State::Playing).unwrap();
        blocked
            .recv_timeout(Duration::from_secs(5))
            .expect("premise: the streaming thread reaches the blocking probe");

        stuck_then_freed(
            &pipeline,
            "the stop should wait for the blocked streaming thread",
        );
        assert_eq!(pipeline.current_state(), gst::State::Null);
    }

    #[test]
    fn only_sink_elements_are_flushed_never_the_bins_around_them() {
        gst::init().unwrap();
        // The bin holds a sink, so GStreamer flags it as a sink too.
        let pipeline = gst::parse::launch(
            "fakesrc num-buffers=-1 ! bin.( queue name=q ! fakesink name=sink sync=true )",
        )
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
        let queue_sink_pad = pipeline.by_name("q").unwrap().static_pad("sink").unwrap();
        let sink_pad = pipeline
            .by_name("sink")
            .unwrap()
            .static_pad("sink")
            .unwrap();
        let flushed = |pad: &gst::Pad| {
            let seen = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let mark = seen.clone();
            pad.add_probe(gst::PadProbeType::EVENT_FLUSH, move |_, info| {
                if let Some(gst::PadProbeData::Event(e)) = &info.data {
                    if e.type_() == gst::EventType::FlushStart {
                        mark.store(true, std::sync::atomic::Ordering::SeqCst);
                    }
                }
                gst::PadProbeReturn::Ok
            });
            seen
        };
        let through_queue = flushed(&queue_sink_pad);
        let at_sink = flushed(&sink_pad);
        pipeline.set_state(gst::State::Paused).unwrap();
        let _ = pipeline.state(gst::ClockTime::from_seconds(5));
        flush_sinks(&pipeline);
        assert!(at_sink.load(std::sync::atomic::Ordering::SeqCst));
        assert!(
            !through_queue.load(std::sync::atomic::Ordering::SeqCst),
            "a flush went into a bin flagged as a sink, through its queue"
        );
        pipeline.set_state(gst::State::Null).unwrap();
    }

    #[test]
    fn a_quick_stop_is_not_flushed_and_leaves_no_watch() {
        gst::init().unwrap();
        let pipeline = gst::parse::launch("videotestsrc ! fakesink")
            .unwrap()
            .downcast::<gst::Pipeline>()
            .unwrap();
        pipeline.set_state(gst::State::Playing).unwrap();
        // Let the asynchronous change to PLAYING end: GStreamer finishes it
        // on a thread of its own that holds the pipeline for a moment.
        let _ = pipeline.state(gst::ClockTime::from_seconds(5));
        let weak = pipeline.downgrade();
        let watched = watch(&pipeline);
        pipeline.set_state(gst::State::Null).unwrap();
        drop(watched);
        drop(pipeline);
        // GStreamer's own threads may still let go of their references
        // after the state change returned; the watch's would stay for good.
        let deadline = std::time::Instant::now() + Duration::from_secs(1);
        while weak.upgrade().is_some() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            weak.upgrade().is_none(),
            "the watch kept the pipeline alive"
        );
    }
}
