//! Seek-bar previews: hovering over (or dragging) the seek bar shows a small
//! picture of the media at that time above the pointer. The pictures come
//! from a second, lightweight pipeline on a worker thread of its own
//! (`uridecodebin` for video only, one decoder thread, scaled down, keyframe
//! seeks), so the playback pipeline is never touched. The worker keeps only
//! the newest request: a pointer that moves on cancels what it asked before.

use crate::engine::Player;
use gst::prelude::*;
use gtk::prelude::*;
use gtk::{gdk, glib};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// The preview's width in pixels (its height follows the picture's shape).
pub const PREVIEW_WIDTH: i32 = 192;
/// How long the worker waits for a picture before giving up on a request.
const DECODE_TIMEOUT: Duration = Duration::from_secs(3);

/// A picture the preview showed: the time asked for and the frame found
/// (the keyframe at or before it).
#[derive(Debug, Clone)]
pub struct PreviewFrame {
    /// The time under the pointer.
    pub time: gst::ClockTime,
    /// The shown frame's presentation time.
    pub pts: Option<gst::ClockTime>,
    /// The frame, as RGBA.
    pub sample: gst::Sample,
}

struct Request {
    uri: String,
    time: gst::ClockTime,
    reply: futures_channel::oneshot::Sender<Option<gst::Sample>>,
}

#[derive(Default)]
struct Queue {
    next: Option<Request>,
    quit: bool,
}

/// The worker thread and its one-slot queue (newest request wins).
struct Worker {
    queue: Arc<(Mutex<Queue>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Worker {
    fn start() -> Worker {
        let queue: Arc<(Mutex<Queue>, Condvar)> = Arc::default();
        let q = queue.clone();
        let thread = std::thread::Builder::new()
            .name("seek-preview".into())
            .spawn(move || run_worker(&q))
            .ok();
        Worker { queue, thread }
    }

    /// Replaces any request not yet started (its caller gets nothing).
    fn ask(&self, request: Request) {
        let (lock, wake) = &*self.queue;
        lock.lock().unwrap().next = Some(request);
        wake.notify_one();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let (lock, wake) = &*self.queue;
        lock.lock().unwrap().quit = true;
        wake.notify_one();
        // The thread ends within one decode; it is not waited for, so a
        // stuck source never holds up the main loop.
        drop(self.thread.take());
    }
}

/// The worker: one pipeline for the URI asked about, rebuilt when it changes.
fn run_worker(queue: &(Mutex<Queue>, Condvar)) {
    let mut current: Option<(String, gst::Pipeline, gst_app::AppSink)> = None;
    loop {
        let request = {
            let (lock, wake) = queue;
            let mut q = lock.lock().unwrap();
            while q.next.is_none() && !q.quit {
                q = wake.wait(q).unwrap();
            }
            if q.quit {
                break;
            }
            q.next.take().expect("a request")
        };
        if current
            .as_ref()
            .is_none_or(|(uri, _, _)| *uri != request.uri)
        {
            if let Some((_, pipeline, _)) = current.take() {
                let _ = pipeline.set_state(gst::State::Null);
            }
            current = build_pipeline(&request.uri).map(|(p, s)| (request.uri.clone(), p, s));
        }
        let sample = current
            .as_ref()
            .and_then(|(_, pipeline, sink)| picture_at(pipeline, sink, request.time));
        let _ = request.reply.send(sample);
    }
    if let Some((_, pipeline, _)) = current {
        let _ = pipeline.set_state(gst::State::Null);
    }
}

/// `uridecodebin` (video only) scaled down to RGBA into an appsink, paused.
fn build_pipeline(uri: &str) -> Option<(gst::Pipeline, gst_app::AppSink)> {
    let description = format!(
        "uridecodebin name=source caps=video/x-raw ! videoconvertscale ! \
         video/x-raw,format=RGBA,width={PREVIEW_WIDTH},pixel-aspect-ratio=1/1 ! \
         appsink name=sink sync=false max-buffers=1"
    );
    let pipeline = gst::parse::launch(&description)
        .ok()?
        .downcast::<gst::Pipeline>()
        .ok()?;
    pipeline.by_name("source")?.set_property("uri", uri);
    // One decoder thread: the previews must not take the CPU playback needs.
    pipeline.connect_deep_element_added(|_, _, element| {
        for (property, value) in [("max-threads", 1i32), ("threads", 1i32)] {
            if let Some(spec) = element.find_property(property) {
                if spec.value_type() == i32::static_type() {
                    element.set_property(property, value);
                }
            }
        }
    });
    let sink = pipeline
        .by_name("sink")?
        .downcast::<gst_app::AppSink>()
        .ok()?;
    pipeline.set_state(gst::State::Paused).ok()?;
    let (result, _, _) = pipeline.state(gst::ClockTime::from_seconds(5));
    if result.is_err() {
        tracing::debug!(
            "the seek-preview pipeline did not preroll for {}",
            crate::engine::display_name(uri)
        );
        let _ = pipeline.set_state(gst::State::Null);
        return None;
    }
    Some((pipeline, sink))
}

/// The keyframe at or before `time`, as prerolled after a keyframe seek.
fn picture_at(
    pipeline: &gst::Pipeline,
    sink: &gst_app::AppSink,
    time: gst::ClockTime,
) -> Option<gst::Sample> {
    pipeline
        .seek_simple(
            gst::SeekFlags::FLUSH | gst::SeekFlags::KEY_UNIT | gst::SeekFlags::SNAP_BEFORE,
            time,
        )
        .ok()?;
    sink.try_pull_preroll(gst::ClockTime::from_nseconds(
        DECODE_TIMEOUT.as_nanos() as u64
    ))
}

/// Where the slider's centre stands for time `seconds` runs from half the
/// slider into the scale to half the slider before its end: the time under
/// `x` (scale coordinates).
pub fn time_at(scale: &gtk::Scale, x: f64) -> f64 {
    let adjustment = scale.adjustment();
    let (start, end) = scale.slider_range();
    let half = match (end - start).max(0) as f64 / 2.0 {
        h if h > 0.0 && h < 40.0 => h,
        _ => 10.0,
    };
    let span = (f64::from(scale.width()) - 2.0 * half).max(1.0);
    let fraction = ((x - half) / span).clamp(0.0, 1.0);
    adjustment.lower() + fraction * (adjustment.upper() - adjustment.lower())
}

struct State {
    worker: Option<Worker>,
    /// Bumped by every request and by leaving: older answers are stale.
    generation: u64,
    shown: Option<PreviewFrame>,
}

/// The preview bubble over a view's seek bar.
#[derive(Clone)]
pub struct SeekPreview {
    bubble: gtk::Box,
    picture: gtk::Picture,
    label: gtk::Label,
    state: Rc<RefCell<State>>,
    enabled: Rc<Cell<bool>>,
}

impl SeekPreview {
    /// A hidden bubble; add [`SeekPreview::widget`] to the view's overlay
    /// and call [`SeekPreview::attach`].
    pub fn new() -> Self {
        let picture = gtk::Picture::builder()
            .can_shrink(true)
            .content_fit(gtk::ContentFit::Contain)
            .width_request(PREVIEW_WIDTH)
            .height_request(PREVIEW_WIDTH * 9 / 16)
            .build();
        let label = gtk::Label::new(None);
        label.add_css_class("numeric");
        let bubble = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(4)
            .halign(gtk::Align::Start)
            .valign(gtk::Align::End)
            .can_target(false)
            .visible(false)
            .build();
        bubble.add_css_class("framescope-seek-preview");
        bubble.append(&picture);
        bubble.append(&label);
        Self {
            bubble,
            picture,
            label,
            state: Rc::new(RefCell::new(State {
                worker: None,
                generation: 0,
                shown: None,
            })),
            enabled: Rc::new(Cell::new(true)),
        }
    }

    /// The bubble.
    pub fn widget(&self) -> &gtk::Box {
        &self.bubble
    }

    /// Turns previews on or off (off hides the bubble and ends the worker).
    pub fn set_enabled(&self, on: bool) {
        self.enabled.set(on);
        if !on {
            self.hide();
            self.state.borrow_mut().worker = None;
        }
    }

    /// Whether the bubble is up.
    pub fn is_shown(&self) -> bool {
        self.bubble.is_visible()
    }

    /// The picture the bubble shows now.
    pub fn shown(&self) -> Option<PreviewFrame> {
        self.state.borrow().shown.clone()
    }

    /// Hides the bubble; any answer still coming is dropped.
    pub fn hide(&self) {
        {
            let mut state = self.state.borrow_mut();
            state.generation += 1;
            state.shown = None;
        }
        self.bubble.set_visible(false);
    }

    /// Ends the worker (the view is going away).
    pub fn stop(&self) {
        self.hide();
        self.state.borrow_mut().worker = None;
    }

    /// Shows previews while the pointer is over `scale`, of `player`'s media,
    /// in `view` (whose overlay holds the bubble).
    pub fn attach(
        &self,
        scale: &gtk::Scale,
        view: &gtk::Widget,
        player: impl Fn() -> Option<Player> + 'static,
    ) {
        let motion = gtk::EventControllerMotion::new();
        let this = self.clone();
        motion.connect_motion(glib::clone!(
            #[weak]
            scale,
            #[weak]
            view,
            move |_, x, y| {
                if let Some(player) = player() {
                    this.hover(&scale, &view, &player, x, y);
                }
            }
        ));
        let this = self.clone();
        motion.connect_leave(move |_| this.hide());
        scale.add_controller(motion);
    }

    fn hover(&self, scale: &gtk::Scale, view: &gtk::Widget, player: &Player, x: f64, y: f64) {
        let uri = player.uri();
        let usable =
            self.enabled.get() && player.has_video() && player.seekable() && player.duration() > 0;
        let Some(uri) = uri.filter(|_| usable) else {
            self.hide();
            return;
        };
        let seconds = time_at(scale, x);
        let time = crate::engine::clock_time((seconds.max(0.0) * 1e9) as u64);
        // Above the pointer, inside the view.
        if let Some(point) =
            scale.compute_point(view, &gtk::graphene::Point::new(x as f32, y as f32))
        {
            let width = self.bubble.width().max(PREVIEW_WIDTH);
            let left = (point.x() as i32 - width / 2).clamp(0, (view.width() - width).max(0));
            let above = (view.height() - point.y() as i32 + 16).max(0);
            self.bubble.set_margin_start(left);
            self.bubble.set_margin_bottom(above);
        }
        self.label
            .set_text(&crate::engine::format_time(time.nseconds()));
        self.bubble.set_visible(true);
        let mut state = self.state.borrow_mut();
        state.generation += 1;
        let generation = state.generation;
        let (reply, answer) = futures_channel::oneshot::channel();
        state
            .worker
            .get_or_insert_with(Worker::start)
            .ask(Request { uri, time, reply });
        let this = self.clone();
        glib::MainContext::ref_thread_default().spawn_local(async move {
            if let Ok(Some(sample)) = answer.await {
                this.show(generation, time, sample);
            }
        });
    }

    fn show(&self, generation: u64, time: gst::ClockTime, sample: gst::Sample) {
        if self.state.borrow().generation != generation {
            return;
        }
        let Some(texture) = crate::engine::texture_from_sample(&sample) else {
            return;
        };
        self.picture
            .set_paintable(Some(texture.upcast_ref::<gdk::Paintable>()));
        let pts = sample.buffer().and_then(|b| b.pts());
        self.state.borrow_mut().shown = Some(PreviewFrame { time, pts, sample });
    }
}

impl Default for SeekPreview {
    fn default() -> Self {
        Self::new()
    }
}
