//! Cheap backward frame steps. Stepping back from frame F needs every frame
//! from the keyframe before F decoded again; instead of doing that on every
//! step, a worker thread decodes that whole run once (with the headless
//! [`FrameDecoder`], so the playback pipeline is untouched) and the frames
//! land in a cache bounded by memory. Steps then show cached frames through
//! the [`FramePaintable`] in place of the sink's picture: holding `,` decodes
//! once per GOP, not once per frame. Forward steps inside the cache are
//! instant too; stepping forward off its last frame returns to the sink's.
//!
//! Cached frames are linked to their neighbours only when decoded in one
//! run, so a link is never guessed.

use crate::engine::decoder::{DecodedFrame, FrameDecoder};
use crate::engine::log;
use crate::engine::paintable::{texture_from_sample, FramePaintable};
use gdk::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// How long the worker may take to open the media for decoding.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);

/// A frame shown from the cache.
#[derive(Debug, Clone)]
pub struct CachedFrame {
    /// True PTS, stream time.
    pub pts: gst::ClockTime,
    /// Duration, when known.
    pub duration: Option<gst::ClockTime>,
    /// The nominal frame duration, when the rate is constant.
    pub nominal: Option<gst::ClockTime>,
    /// The picture.
    pub sample: gst::Sample,
}

/// What a forward step did inside the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forward {
    /// No cached frame is shown: step the pipeline.
    NotShowing,
    /// The next cached frame is shown.
    Shown,
    /// The next frame is the sink's own: the cache stepped aside.
    BackToSink,
    /// The next frame is not known; the cached frame at this PTS is shown.
    Lost(gst::ClockTime),
}

struct Job {
    uri: String,
    from: gst::ClockTime,
    end: gst::ClockTime,
    max_bytes: usize,
    /// The job's generation; the job stops when `current` moves on.
    generation: u64,
    current: Arc<AtomicU64>,
    reply: futures_channel::oneshot::Sender<Option<Fill>>,
}

/// What a fill decoded: the frames, and every keyframe the decoder saw
/// (so the next fill can start exactly at one).
#[derive(Debug)]
pub struct Fill {
    /// Frames in presentation order.
    pub frames: Vec<DecodedFrame>,
    /// Keyframe PTS seen while decoding.
    pub keyframes: Vec<gst::ClockTime>,
}

#[derive(Default)]
struct Cache {
    frames: BTreeMap<gst::ClockTime, CachedFrame>,
    /// frame → the frame after it, when decoded in one run.
    next: BTreeMap<gst::ClockTime, gst::ClockTime>,
    /// frame → the frame before it, when decoded in one run.
    prev: BTreeMap<gst::ClockTime, gst::ClockTime>,
    bytes: usize,
}

impl Cache {
    fn insert_run(&mut self, run: Vec<DecodedFrame>, end: gst::ClockTime) {
        let mut later = Some(end);
        for frame in run.into_iter().rev() {
            if let Some(after) = later {
                self.next.insert(frame.pts, after);
                self.prev.insert(after, frame.pts);
            }
            later = Some(frame.pts);
            let size = frame.sample.buffer().map_or(0, |b| b.size());
            let old = self.frames.insert(
                frame.pts,
                CachedFrame {
                    pts: frame.pts,
                    duration: frame.duration,
                    nominal: frame.nominal,
                    sample: frame.sample,
                },
            );
            self.bytes += size;
            if let Some(old) = old {
                self.bytes -= old.sample.buffer().map_or(0, |b| b.size());
            }
        }
    }

    /// Drops frames until the cache fits `budget`: first those after
    /// `end` (already stepped back past), latest first, then the earliest.
    fn trim(&mut self, end: gst::ClockTime, budget: usize) {
        while self.bytes > budget && self.frames.len() > 1 {
            let first = *self.frames.keys().next().expect("not empty");
            let last = *self.frames.keys().next_back().expect("not empty");
            let victim = if last >= end { last } else { first };
            if let Some(f) = self.frames.remove(&victim) {
                self.bytes -= f.sample.buffer().map_or(0, |b| b.size());
            }
            if let Some(next) = self.next.remove(&victim) {
                self.prev.remove(&next);
            }
            if let Some(prev) = self.prev.remove(&victim) {
                self.next.remove(&prev);
            }
        }
    }

    fn clear(&mut self) {
        *self = Cache::default();
    }
}

/// The backward-step cache, its worker and the frame it shows.
#[derive(Default)]
pub struct BackStep {
    cache: RefCell<Cache>,
    shown: RefCell<Option<CachedFrame>>,
    /// The PTS of the sink's frame when the cache took over the picture.
    sink_pts: Cell<Option<gst::ClockTime>>,
    paintable: RefCell<Option<FramePaintable>>,
    worker: RefCell<Option<mpsc::Sender<Job>>>,
    /// Bumped when the media changes or a job is cancelled; stale replies are
    /// dropped, and the worker stops a job whose generation has passed.
    generation: Arc<AtomicU64>,
    /// The frame `shown` has not been drawn yet (it is drawn once, when the
    /// request ends, not for every frame a held key walks past).
    undrawn: Cell<bool>,
    /// How many runs of frames were decoded for backward steps.
    fills: Cell<u64>,
    /// Keyframes the fills have seen (the playback index may not have).
    keyframes: RefCell<std::collections::BTreeSet<gst::ClockTime>>,
}

impl BackStep {
    /// Wraps the sink's paintable so cached frames can be shown in its place.
    pub fn wrap_paintable(&self, video: &gdk::Paintable) -> gdk::Paintable {
        let wrapped = FramePaintable::new(video);
        self.paintable.replace(Some(wrapped.clone()));
        wrapped.upcast()
    }

    /// The cached frame on screen, if one is.
    pub fn shown(&self) -> Option<CachedFrame> {
        self.shown.borrow().clone()
    }

    fn show(&self, frame: CachedFrame) {
        self.shown.replace(Some(frame));
        self.undrawn.set(true);
    }

    /// Draws the cached frame chosen last, if it is not drawn yet (converting
    /// it to a texture costs milliseconds, so it happens once per request).
    pub fn present(&self) {
        if !self.undrawn.replace(false) {
            return;
        }
        // No borrow is held while the paintable tells GTK (and any handler
        // of its `invalidate-contents`) that it changed.
        let paintable = self.paintable.borrow().clone();
        if let Some(p) = paintable {
            let texture = self
                .shown
                .borrow()
                .as_ref()
                .and_then(|f| texture_from_sample(&f.sample));
            p.show_frame(texture);
        }
    }

    /// Goes back to the sink's picture.
    pub fn hide(&self) {
        if self.shown.take().is_some() {
            let paintable = self.paintable.borrow().clone();
            if let Some(p) = paintable {
                p.show_frame(None);
            }
        }
        self.undrawn.set(false);
        self.sink_pts.set(None);
    }

    /// Shows the frame before `pts` when the cache knows it.
    pub fn back(&self, pts: gst::ClockTime) -> bool {
        let frame = {
            let cache = self.cache.borrow();
            cache
                .prev
                .get(&pts)
                .and_then(|p| cache.frames.get(p))
                .cloned()
        };
        let Some(frame) = frame else {
            return false;
        };
        if self.shown.borrow().is_none() {
            self.sink_pts.set(Some(pts));
        }
        self.show(frame);
        true
    }

    /// Steps forward within the cache (see [`Forward`]).
    pub fn forward(&self) -> Forward {
        let Some(current) = self.shown() else {
            return Forward::NotShowing;
        };
        let next = self.cache.borrow().next.get(&current.pts).copied();
        match next {
            Some(next) if Some(next) == self.sink_pts.get() => {
                self.hide();
                Forward::BackToSink
            }
            Some(next) => {
                let frame = self.cache.borrow().frames.get(&next).cloned();
                match frame {
                    Some(frame) => {
                        self.show(frame);
                        Forward::Shown
                    }
                    None => Forward::Lost(current.pts),
                }
            }
            None => Forward::Lost(current.pts),
        }
    }

    /// Decodes the frames in `[from, end)` (the latest that fit in
    /// `max_bytes`) in the worker; `done` gets them on the main context with
    /// the job's generation, to hand to [`BackStep::accept`]. Returns false
    /// when no worker could be started.
    pub fn fill_between(
        &self,
        uri: &str,
        from: gst::ClockTime,
        end: gst::ClockTime,
        max_bytes: usize,
        done: impl FnOnce(u64, Option<Fill>) + 'static,
    ) -> bool {
        let Some(worker) = self.ensure_worker() else {
            return false;
        };
        let (reply, answer) = futures_channel::oneshot::channel();
        let generation = self.generation.load(Ordering::SeqCst);
        let job = Job {
            uri: uri.to_string(),
            from,
            end,
            max_bytes,
            generation,
            current: self.generation.clone(),
            reply,
        };
        if worker.send(job).is_err() {
            self.worker.take();
            return false;
        }
        self.fills.set(self.fills.get() + 1);
        glib::MainContext::ref_thread_default().spawn_local(async move {
            done(generation, answer.await.ok().flatten());
        });
        true
    }

    /// How many runs of frames were decoded for backward steps so far.
    pub fn fills(&self) -> u64 {
        self.fills.get()
    }

    /// The latest keyframe a fill has seen at or before `t`.
    pub fn keyframe_before(&self, t: gst::ClockTime) -> Option<gst::ClockTime> {
        self.keyframes.borrow().range(..=t).next_back().copied()
    }

    /// Whether a reply of `generation` still belongs to the request in flight.
    pub fn is_current(&self, generation: u64) -> bool {
        generation == self.generation.load(Ordering::SeqCst)
    }

    /// Puts a decoded run before `end` into the cache, keeping it within
    /// `budget` bytes; false when the run is empty.
    pub fn accept(&self, fill: Option<Fill>, end: gst::ClockTime, budget: usize) -> bool {
        let Some(fill) = fill else {
            return false;
        };
        self.keyframes.borrow_mut().extend(fill.keyframes);
        let frames = fill.frames;
        if frames.is_empty() {
            return false;
        }
        let mut cache = self.cache.borrow_mut();
        cache.insert_run(frames, end);
        cache.trim(end, budget);
        true
    }

    fn ensure_worker(&self) -> Option<mpsc::Sender<Job>> {
        if let Some(worker) = self.worker.borrow().as_ref() {
            return Some(worker.clone());
        }
        let (send, receive) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("framescope-backstep".into())
            .spawn(move || worker_loop(receive))
            .ok()?;
        self.worker.replace(Some(send.clone()));
        Some(send)
    }

    /// Drops cached frames and any job's result (new media).
    pub fn forget_media(&self) {
        self.cancel();
        self.cache.borrow_mut().clear();
        self.keyframes.borrow_mut().clear();
        // The worker keeps its decoder for one URI; a new one opens the next.
        self.worker.take();
        self.paintable.take();
    }

    /// Cancels the job in flight and shows the sink's picture again.
    pub fn cancel(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.hide();
    }
}

/// The worker: one decoder per URI, reused across jobs. A media it could
/// not open is not tried again for every step.
fn worker_loop(jobs: mpsc::Receiver<Job>) {
    let mut decoder: Option<FrameDecoder> = None;
    let mut decoder_uri = String::new();
    while let Ok(job) = jobs.recv() {
        let stale = || job.current.load(Ordering::SeqCst) != job.generation;
        if stale() {
            let _ = job.reply.send(None);
            continue;
        }
        if decoder_uri != job.uri {
            decoder = FrameDecoder::open(&job.uri, OPEN_TIMEOUT)
                .map_err(|e| log::warn!("backward step decoder: {}", e.message))
                .ok();
            decoder_uri = job.uri.clone();
        }
        let fill = decoder.as_mut().and_then(|d| {
            let frames = d
                .frames_between(job.from, job.end, job.max_bytes, stale)
                .map_err(|e| log::warn!("backward step decode: {}", e.message))
                .ok()?;
            Some(Fill {
                frames,
                keyframes: d.index().keyframes(),
            })
        });
        let _ = job.reply.send(fill);
    }
}
