//! Errors that GStreamer's autoplugging bins swallow, caught on their way.
//!
//! `decodebin` (inside the Discoverer) and `parsebin` (inside the frame
//! scanner) hold back the error messages an element posts while they are
//! still bringing that element up, so that they can try the next candidate
//! element instead; when the element's own state change then succeeds, the
//! held error is dropped. A demuxer whose streaming thread meets a damaged
//! header inside that window (qtdemux's "no playable streams" on a cut-off
//! MP4, seen in about one run in ten on a loaded machine) posts its error,
//! pauses its task and goes quiet: neither an error nor end-of-stream ever
//! reaches the pipeline's bus, and the reader would wait for its timeout.
//!
//! A tracer (GStreamer's hook that sees every message an element posts,
//! before any bin can filter it) keeps the first error posted inside each
//! pipeline a [`Watch`] was opened on. The reader asks [`Watch::swallowed`]
//! while its bus stays silent: an error posted a while ago by an element
//! that is still in the pipeline (the bin did not replace it) was lost, and
//! is reported as the pipeline's error.
//!
//! Threading: the hook runs on whichever thread posts the message; it takes
//! the registry's mutex for a moment and calls nothing that waits.

use gst::prelude::*;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// An error an element posted.
#[derive(Debug, Clone)]
pub(crate) struct Posted {
    /// The error.
    pub error: glib::Error,
    /// GStreamer's debug text for it.
    pub debug: String,
    /// The element that posted it.
    element: glib::WeakRef<gst::Element>,
    /// When it was posted.
    at: Instant,
}

type Slot = Arc<Mutex<Option<Posted>>>;

/// The pipelines watched, each with the first error posted inside it.
static WATCHED: Mutex<Vec<(glib::WeakRef<gst::Element>, Slot)>> = Mutex::new(Vec::new());

/// Keeps the first error posted inside one pipeline until dropped.
#[derive(Debug)]
pub(crate) struct Watch {
    pipeline: glib::WeakRef<gst::Element>,
    slot: Slot,
}

impl Watch {
    /// Starts watching `pipeline` (the top-level bin).
    pub(crate) fn new(pipeline: &impl IsA<gst::Element>) -> Self {
        install_tracer();
        let slot = Slot::default();
        let weak = pipeline.as_ref().downgrade();
        lock(&WATCHED).push((weak.clone(), slot.clone()));
        Watch {
            pipeline: weak,
            slot,
        }
    }

    /// The first error posted inside the pipeline, when it was posted at
    /// least `quiet` ago by an element still in the pipeline: an error the
    /// pipeline's bus would have carried by then unless a bin swallowed it.
    pub(crate) fn swallowed(&self, quiet: Duration) -> Option<Posted> {
        let posted = lock(&self.slot).clone()?;
        if posted.at.elapsed() < quiet {
            return None;
        }
        let element = posted.element.upgrade()?;
        let pipeline = self.pipeline.upgrade()?;
        // A bin that tried the element and dropped it for another one
        // took it out: that error was handled, not lost.
        let mut parent = element.parent();
        while let Some(p) = parent {
            if p == *pipeline.upcast_ref::<gst::Object>() {
                return Some(posted);
            }
            parent = p.parent();
        }
        None
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        lock(&WATCHED).retain(|(_, slot)| !Arc::ptr_eq(slot, &self.slot));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Called by the tracer for every error message, on the posting thread.
fn record(element: &gst::Element, error: glib::Error, debug: String) {
    let mut watched = lock(&WATCHED);
    if watched.is_empty() {
        return;
    }
    let mut top = element.clone().upcast::<gst::Object>();
    while let Some(parent) = top.parent() {
        top = parent;
    }
    watched.retain(|(pipeline, _)| pipeline.upgrade().is_some());
    for (pipeline, slot) in watched.iter() {
        if pipeline
            .upgrade()
            .is_some_and(|p| *p.upcast_ref::<gst::Object>() == top)
        {
            let mut slot = lock(slot);
            if slot.is_none() {
                *slot = Some(Posted {
                    error: error.clone(),
                    debug: debug.clone(),
                    element: element.downgrade(),
                    at: Instant::now(),
                });
            }
        }
    }
}

/// Creates the tracer once (it lives as long as the process: GStreamer's
/// tracing keeps a reference).
fn install_tracer() {
    static TRACER: OnceLock<()> = OnceLock::new();
    TRACER.get_or_init(|| {
        let _tracer: ErrorTracer = glib::Object::new();
    });
}

glib::wrapper! {
    /// The tracer that hands every error message posted in the process to
    /// the watches (created once, by the first [`Watch`]).
    pub struct ErrorTracer(ObjectSubclass<imp::Tracer>) @extends gst::Tracer, gst::Object;
}

mod imp {
    use gst::subclass::prelude::*;

    #[derive(Default)]
    pub struct Tracer;

    #[glib::object_subclass]
    impl ObjectSubclass for Tracer {
        const NAME: &'static str = "FramescopeSwallowedErrorTracer";
        type Type = super::ErrorTracer;
        type ParentType = gst::Tracer;
    }

    impl ObjectImpl for Tracer {
        fn constructed(&self) {
            self.parent_constructed();
            self.register_hook(TracerHook::ElementPostMessagePre);
        }
    }

    impl GstObjectImpl for Tracer {}

    impl TracerImpl for Tracer {
        fn element_post_message_pre(
            &self,
            _ts: u64,
            element: &gst::Element,
            message: &gst::Message,
        ) {
            if let gst::MessageView::Error(e) = message.view() {
                let debug = e.debug().map(|d| d.to_string()).unwrap_or_default();
                super::record(element, e.error(), debug);
            }
        }
    }
}
