//! Keyframe ticks under the seek bar. For a local file a background scan
//! (the inspector's frame scanner, video only) finds every keyframe and the
//! ticks fill in as it reads; for other inputs the ticks are the keyframes
//! the player's decoder has seen so far. A thin drawing area laid over the
//! bottom of the seek bar draws them where the slider would stand.
//!
//! The strip works only while it is on screen: a view whose controls are
//! off or not yet shown (a video wall's tile, a kiosk) neither scans nor
//! refreshes. A scan, once started, runs to its end even if the controls
//! hide again, so that auto-hiding controls do not restart it.

use crate::engine::Player;
use crate::inspect::{scan_frames, ScanKinds};
use gtk::glib;
use gtk::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the ticks are brought up to date.
const REFRESH: Duration = Duration::from_millis(500);

struct State {
    /// Keyframe times in seconds, sorted.
    keys: Vec<f64>,
    /// The URI the ticks belong to.
    uri: Option<String>,
    /// Stops the running scan.
    cancel: Arc<AtomicBool>,
    /// Whether a scan covers this URI (else the decoder's index is used).
    scanning: bool,
    /// What the scan found so far, in decode order.
    scanned: Arc<Mutex<Vec<f64>>>,
}

/// The tick strip; add [`KeyframeTicks::widget`] over the seek bar.
#[derive(Clone)]
pub struct KeyframeTicks {
    area: gtk::DrawingArea,
    state: Rc<RefCell<State>>,
    timer: Rc<RefCell<Option<glib::SourceId>>>,
    /// The player followed (none before [`KeyframeTicks::follow`]).
    player: Rc<RefCell<glib::WeakRef<Player>>>,
}

impl KeyframeTicks {
    /// A strip drawing over `scale` (whose range and slider give positions).
    pub fn new(scale: &gtk::Scale) -> Self {
        let area = gtk::DrawingArea::builder()
            .content_height(5)
            .valign(gtk::Align::End)
            .can_target(false)
            .build();
        area.add_css_class("framescope-keyframe-ticks");
        let state = Rc::new(RefCell::new(State {
            keys: Vec::new(),
            uri: None,
            cancel: Arc::default(),
            scanning: false,
            scanned: Arc::default(),
        }));
        let draw_state = state.clone();
        area.set_draw_func(glib::clone!(
            #[weak]
            scale,
            move |_, cr, width, height| {
                let state = draw_state.borrow();
                let upper = scale.adjustment().upper();
                if upper <= 0.0 || state.keys.is_empty() {
                    return;
                }
                // The slider's centre runs from half its size into the scale
                // to half its size before the end (the strip is as wide as the
                // scale: it lies over it).
                let (start, end) = scale.slider_range();
                let half = match (end - start).max(0) as f64 / 2.0 {
                    h if h > 0.0 && h < 40.0 => h,
                    _ => 10.0,
                };
                let x0 = half;
                let span = (width as f64 - 2.0 * half).max(1.0);
                cr.set_source_rgba(1.0, 0.83, 0.47, 0.9);
                let mut last_x = f64::NEG_INFINITY;
                for key in &state.keys {
                    let x = (x0 + key / upper * span).round() + 0.5;
                    if x - last_x < 2.0 || x > width as f64 {
                        continue; // dense GOPs: one tick per two pixels
                    }
                    last_x = x;
                    cr.move_to(x, 0.0);
                    cr.line_to(x, height as f64);
                }
                cr.set_line_width(1.0);
                let _ = cr.stroke();
            }
        ));
        let ticks = Self {
            area,
            state,
            timer: Rc::default(),
            player: Rc::default(),
        };
        let parts = ticks.downgrade_parts();
        ticks.area.connect_map(move |_| {
            if let Some(ticks) = parts.upgrade() {
                ticks.refresh_while_mapped();
            }
        });
        let timer = Rc::downgrade(&ticks.timer);
        ticks.area.connect_unmap(move |_| {
            if let Some(id) = timer.upgrade().and_then(|t| t.take()) {
                id.remove();
            }
        });
        ticks
    }

    /// The widget to lay over the seek bar.
    pub fn widget(&self) -> &gtk::DrawingArea {
        &self.area
    }

    /// Keyframe times (seconds) known so far.
    pub fn keys(&self) -> Vec<f64> {
        self.state.borrow().keys.clone()
    }

    /// Follows `player`: scans its file and refreshes twice a second while
    /// the strip is mapped, rescanning when its URI changes. Holds only weak
    /// references.
    pub fn follow(&self, player: &Player) {
        self.stop();
        self.player.borrow().set(Some(player));
        if self.area.is_mapped() {
            self.refresh_while_mapped();
        }
    }

    /// Stops following and cancels any scan.
    pub fn stop(&self) {
        if let Some(id) = self.timer.take() {
            id.remove();
        }
        self.player.borrow().set(None);
        let mut state = self.state.borrow_mut();
        state.cancel.store(true, Ordering::Relaxed);
        // The next player is scanned even if it plays the same URI.
        state.uri = None;
    }

    /// Brings the ticks up to date now and then every [`REFRESH`] until
    /// the strip is unmapped (or [`KeyframeTicks::stop`]).
    fn refresh_while_mapped(&self) {
        if self.timer.borrow().is_some() {
            return;
        }
        let Some(player) = self.player.borrow().upgrade() else {
            return;
        };
        self.update(&player);
        let this = self.downgrade_parts();
        let tick = move || {
            let ticks = this.upgrade();
            let player = ticks.as_ref().and_then(|t| t.player.borrow().upgrade());
            let (Some(ticks), Some(player)) = (ticks, player) else {
                // The source ends here: forget its id (removing it again
                // would be an error).
                if let Some(timer) = this.timer.upgrade() {
                    timer.take();
                }
                return glib::ControlFlow::Break;
            };
            ticks.update(&player);
            glib::ControlFlow::Continue
        };
        self.timer
            .replace(Some(glib::timeout_add_local(REFRESH, tick)));
    }

    fn downgrade_parts(&self) -> WeakTicks {
        WeakTicks {
            area: self.area.downgrade(),
            state: Rc::downgrade(&self.state),
            timer: Rc::downgrade(&self.timer),
            player: Rc::downgrade(&self.player),
        }
    }

    fn update(&self, player: &Player) {
        let uri = player.uri();
        let changed = self.state.borrow().uri != uri;
        if changed {
            let mut state = self.state.borrow_mut();
            state.cancel.store(true, Ordering::Relaxed);
            state.cancel = Arc::default();
            state.keys.clear();
            state.uri = uri.clone();
            state.scanning = uri.as_deref().is_some_and(|u| u.starts_with("file:"));
            state.scanned = Arc::default();
            if state.scanning {
                Self::start_scan(
                    uri.unwrap_or_default(),
                    state.cancel.clone(),
                    state.scanned.clone(),
                );
            }
        }
        if self.state.borrow().scanning {
            // The scan lists the container's times; the seek bar counts
            // from the time origin.
            let origin = player.container_time_origin() as f64 / 1e9;
            let mut state = self.state.borrow_mut();
            let mut keys: Vec<f64> = state
                .scanned
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|k| k - origin)
                .collect();
            keys.sort_by(f64::total_cmp);
            keys.dedup();
            state.keys = keys;
        } else {
            let origin = player.time_origin() as f64 / 1e9;
            let keys: Vec<f64> = player
                .frame_index()
                .keyframes()
                .iter()
                .map(|k| k.nseconds() as f64 / 1e9 - origin)
                .collect();
            let mut state = self.state.borrow_mut();
            if state.keys != keys {
                state.keys = keys;
            }
        }
        self.area.queue_draw();
    }

    /// Scans `uri` on a worker thread into `found`.
    fn start_scan(uri: String, cancel: Arc<AtomicBool>, found: Arc<Mutex<Vec<f64>>>) {
        let spawned = std::thread::Builder::new()
            .name("framescope-keyframes".into())
            .spawn(move || {
                let mut stream = None;
                let _ = scan_frames(&uri, &[], ScanKinds::VIDEO, &cancel, |f| {
                    // The first video stream only.
                    if *stream.get_or_insert(f.stream) != f.stream || !f.keyframe {
                        return;
                    }
                    if let Some(pts) = f.pts {
                        found
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(pts as f64 / 1e9);
                    }
                });
            });
        if let Err(e) = spawned {
            tracing::warn!("keyframe scan not started: {e}");
        }
    }
}

struct WeakTicks {
    area: glib::WeakRef<gtk::DrawingArea>,
    state: std::rc::Weak<RefCell<State>>,
    timer: std::rc::Weak<RefCell<Option<glib::SourceId>>>,
    player: std::rc::Weak<RefCell<glib::WeakRef<Player>>>,
}

impl WeakTicks {
    fn upgrade(&self) -> Option<KeyframeTicks> {
        Some(KeyframeTicks {
            area: self.area.upgrade()?,
            state: self.state.upgrade()?,
            timer: self.timer.upgrade()?,
            player: self.player.upgrade()?,
        })
    }
}
