//! The bin every sink chain (video and audio) lives in. It passes its
//! sinks' stream-start messages up from a short-lived thread of its own,
//! never from the streaming thread that brought the stream-start event.
//!
//! Why: `GstBaseSink` posts stream-start while its streaming thread holds
//! the sink pad's stream lock and the sink's preroll lock. playbin3 handles
//! that message under its own lock, and it holds that same lock while a
//! state change deactivates pads, which waits for the sink pad's stream
//! lock: each thread waits for the other for good, and flushing the sink
//! then waits for the preroll lock too (storm run 23, bench/RESULTS.md).
//! Handed to another thread, the message waits for playbin3's lock with no
//! pad lock held, and the streaming thread goes on at once.
//!
//! Threads: the streaming thread only queues the message (a mutex held to
//! push one value) and, when no thread is draining this bin's queue,
//! starts one. That thread posts the queued messages in order, upward to
//! the parent bins, and ends when the queue is empty. A message still
//! queued when the bin goes down to `READY` is dropped: its stream is over
//! and the bin forgets stream-starts on its way back up anyway. Every
//! other message goes up at once, as in any bin.

use gst::prelude::*;
use gst::subclass::prelude::*;
use std::collections::VecDeque;
use std::sync::Mutex;

glib::wrapper! {
    /// A bin that posts its sinks' stream-start messages from a thread of
    /// its own (see the module's comment).
    pub struct SinkBin(ObjectSubclass<imp::SinkBin>)
        @extends gst::Bin, gst::Element, gst::Object,
        @implements gst::ChildProxy;
}

impl SinkBin {
    /// An empty bin named `name`.
    pub(crate) fn new(name: &str) -> Self {
        glib::Object::builder().property("name", name).build()
    }

    /// A bin named `name` holding `inner` (a sink or a bin of sinks whose
    /// `sink` pad it exposes as its own).
    pub(crate) fn around(name: &str, inner: &gst::Element) -> Result<Self, String> {
        let bin = Self::new(name);
        bin.add(inner).map_err(|e| e.to_string())?;
        let pad = inner
            .static_pad("sink")
            .ok_or_else(|| format!("{} has no sink pad", inner.name()))?;
        let ghost = gst::GhostPad::builder_with_target(&pad)
            .map_err(|e| e.to_string())?
            .name("sink")
            .build();
        bin.add_pad(&ghost).map_err(|e| e.to_string())?;
        Ok(bin)
    }
}

/// The messages waiting for the posting thread.
#[derive(Default)]
struct Queue {
    /// Each message with the generation it was queued in.
    messages: VecDeque<(u64, gst::Message)>,
    /// A thread is draining the queue.
    draining: bool,
    /// Bumped each time the bin goes down to `READY`.
    generation: u64,
}

/// A poisoned queue still holds valid messages.
fn lock(queue: &Mutex<Queue>) -> std::sync::MutexGuard<'_, Queue> {
    queue.lock().unwrap_or_else(|e| e.into_inner())
}

/// The posting thread: takes `bin`'s messages in order until none is left
/// or the bin is gone.
fn drain(bin: glib::WeakRef<SinkBin>) {
    loop {
        let Some(bin) = bin.upgrade() else {
            return;
        };
        let imp = bin.imp();
        let next = {
            let mut queue = lock(&imp.queue);
            match queue.messages.pop_front() {
                Some((generation, message)) => (generation == queue.generation).then_some(message),
                None => {
                    queue.draining = false;
                    return;
                }
            }
        };
        if let Some(message) = next {
            imp.parent_handle_message(message);
        }
    }
}

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct SinkBin {
        pub(super) queue: Mutex<Queue>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for SinkBin {
        const NAME: &'static str = "FramescopeSinkBin";
        type Type = super::SinkBin;
        type ParentType = gst::Bin;
    }

    impl ObjectImpl for SinkBin {}
    impl GstObjectImpl for SinkBin {}

    impl ElementImpl for SinkBin {
        fn change_state(
            &self,
            transition: gst::StateChange,
        ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
            let result = self.parent_change_state(transition);
            if transition == gst::StateChange::PausedToReady {
                // The sinks have stopped streaming: what they queued
                // belongs to a stream that is over.
                let mut queue = lock(&self.queue);
                queue.generation = queue.generation.wrapping_add(1);
            }
            result
        }
    }

    impl BinImpl for SinkBin {
        fn handle_message(&self, message: gst::Message) {
            if message.type_() != gst::MessageType::StreamStart {
                return self.parent_handle_message(message);
            }
            let mut queue = lock(&self.queue);
            let generation = queue.generation;
            queue.messages.push_back((generation, message));
            if queue.draining {
                return;
            }
            queue.draining = true;
            drop(queue);
            let bin = self.obj().downgrade();
            let started = std::thread::Builder::new()
                .name("framescope-post".into())
                .spawn(move || drain(bin));
            if let Err(e) = started {
                // No thread to spare: post here, as a plain bin would.
                gst::warning!(
                    crate::engine::log::CAT,
                    imp = self,
                    "no thread to post stream-start from: {e}"
                );
                let messages: Vec<_> = {
                    let mut queue = lock(&self.queue);
                    queue.draining = false;
                    queue.messages.drain(..).collect()
                };
                for (_, message) in messages {
                    self.parent_handle_message(message);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SinkBin;
    use gst::prelude::*;
    use std::sync::{mpsc, Arc, Mutex, MutexGuard};
    use std::time::Duration;

    const PATIENCE: Duration = Duration::from_secs(5);

    /// A playing pipeline with a `fakesink` in a [`SinkBin`], fed from a
    /// pad of the test's, whose stream-start handler (on the pipeline's
    /// bus, on the posting thread) takes `handler_lock` and reports.
    struct Rig {
        pipeline: gst::Pipeline,
        src: gst::Pad,
        handler_lock: Arc<Mutex<()>>,
        /// One value each time the handler starts on a message.
        entered: mpsc::Receiver<()>,
        /// One value each time the handler is done with a message.
        handled: mpsc::Receiver<()>,
    }

    impl Rig {
        fn new() -> Self {
            gst::init().unwrap();
            let pipeline = gst::Pipeline::new();
            let sink = gst::ElementFactory::make("fakesink")
                .property("async", false)
                .build()
                .unwrap();
            let bin = SinkBin::around("sinks", &sink).unwrap();
            pipeline.add(&bin).unwrap();
            let handler_lock = Arc::new(Mutex::new(()));
            let (enter, entered) = mpsc::channel();
            let (report, handled) = mpsc::channel();
            let held = handler_lock.clone();
            let reports = Mutex::new((enter, report));
            pipeline.bus().unwrap().set_sync_handler(move |_, message| {
                if message.type_() == gst::MessageType::StreamStart {
                    let _ = reports.lock().unwrap().0.send(());
                    let _wait = held.lock().unwrap();
                    let _ = reports.lock().unwrap().1.send(());
                }
                gst::BusSyncReply::Drop
            });
            pipeline.set_state(gst::State::Playing).unwrap();
            let src = gst::Pad::builder(gst::PadDirection::Src).build();
            src.set_active(true).unwrap();
            src.link(&bin.static_pad("sink").unwrap()).unwrap();
            Rig {
                pipeline,
                src,
                handler_lock,
                entered,
                handled,
            }
        }

        /// Blocks the stream-start handler until the guard goes.
        fn block_handler(&self) -> MutexGuard<'_, ()> {
            self.handler_lock.lock().unwrap()
        }

        /// Pushes a stream-start from a streaming thread of its own; says
        /// whether it passed within [`PATIENCE`].
        fn push_stream_start(&self) -> bool {
            let (pushed_tx, pushed_rx) = mpsc::channel();
            let src = self.src.clone();
            std::thread::spawn(move || {
                let event = gst::event::StreamStart::builder("s")
                    .group_id(gst::GroupId::next())
                    .build();
                let _ = pushed_tx.send(src.push_event(event));
            });
            pushed_rx.recv_timeout(PATIENCE) == Ok(true)
        }
    }

    impl Drop for Rig {
        fn drop(&mut self) {
            let _ = self.pipeline.set_state(gst::State::Null);
        }
    }

    /// The lock order of the playbin3 deadlock: whoever handles
    /// stream-start holds a lock while it waits for the sink's streaming
    /// thread. The stream-start event must pass without waiting for that
    /// handler, and its message arrive once the lock is free.
    #[test]
    fn stream_start_passes_while_its_handler_is_blocked() {
        let rig = Rig::new();
        let blocker = rig.block_handler();
        let passed = rig.push_stream_start();
        drop(blocker);
        assert!(
            passed,
            "the stream-start event waited for its message's handler"
        );
        assert!(
            rig.handled.recv_timeout(PATIENCE).is_ok(),
            "the stream-start message never reached the pipeline"
        );
    }

    /// A stream-start still queued when its stream stops is not posted
    /// late; one already on its way is.
    #[test]
    fn a_stopped_stream_posts_nothing_late() {
        let rig = Rig::new();
        let blocker = rig.block_handler();
        assert!(rig.push_stream_start());
        // The first message is on its way: the handler holds it.
        assert!(rig.entered.recv_timeout(PATIENCE).is_ok());
        assert!(rig.push_stream_start());
        rig.pipeline.set_state(gst::State::Ready).unwrap();
        drop(blocker);
        assert!(rig.handled.recv_timeout(PATIENCE).is_ok());
        assert!(
            rig.handled
                .recv_timeout(Duration::from_millis(500))
                .is_err(),
            "a stream-start of a stopped stream was posted"
        );
    }
}
