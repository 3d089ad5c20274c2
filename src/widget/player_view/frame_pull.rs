//! While the view is on screen and its player plays, the software path's
//! frames are taken at the view's frame clock, once per display frame just
//! before GTK paints, instead of each waking the main loop on its own
//! (`engine::sink::FramePull`; a wall of nine tiles otherwise woke the main
//! loop 270 times a second for its frames, bench/RESULTS.md, issue 18).
//! Paused, loading, stepping or seeking, the frames come as before: the
//! clock then stops ticking, so a still view costs nothing. Any other
//! paintable (the GL path's) is left alone.

use super::imp;
use crate::engine::sink::{FramePull, SinkPicture};
use crate::engine::PlayerState;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

/// The pulling now: the picture pulled from, the claim on its frames and
/// the tick callback that pulls.
struct Pulling {
    picture: SinkPicture,
    claim: Rc<FramePull>,
    tick: gtk::TickCallbackId,
}

/// The view's frame pulling (main thread only).
#[derive(Default)]
pub struct FramePulling {
    now: RefCell<Option<Pulling>>,
}

impl FramePulling {
    /// Starts, keeps or stops pulling as the view's state now asks (called
    /// on map and unmap, and when the player, its state or its paintable
    /// change).
    pub fn update(&self, view: &imp::PlayerView) {
        let wanted = self.wanted(view);
        let same = match (self.now.borrow().as_ref(), wanted.as_ref()) {
            (Some(now), Some(picture)) => now.picture == *picture,
            (None, None) => true,
            _ => false,
        };
        if same {
            return;
        }
        self.stop();
        let Some(picture) = wanted else {
            return;
        };
        let Some(claim) = FramePull::new(&picture).map(Rc::new) else {
            return;
        };
        let weak = Rc::downgrade(&claim);
        let tick = view.obj().add_tick_callback(move |_, _| {
            if let Some(claim) = weak.upgrade() {
                claim.pull();
            }
            glib::ControlFlow::Continue
        });
        self.now.replace(Some(Pulling {
            picture,
            claim,
            tick,
        }));
    }

    /// Stops pulling; the frame waiting, if any, is shown at once.
    pub fn stop(&self) {
        // Taken out first: the claim's drop shows a frame (GTK runs).
        let Some(pulling) = self.now.take() else {
            return;
        };
        pulling.tick.remove();
        drop(pulling.claim);
    }

    /// Whether the view pulls now (for the tests).
    pub fn is_pulling(&self) -> bool {
        self.now.borrow().is_some()
    }

    /// The software sink's picture the view should pull from now, if any.
    fn wanted(&self, view: &imp::PlayerView) -> Option<SinkPicture> {
        let playing = view
            .player
            .borrow()
            .as_ref()
            .is_some_and(|p| p.state() == PlayerState::Playing);
        if !playing || !view.obj().is_mapped() {
            return None;
        }
        crate::engine::paintable::sink_picture(&view.picture.paintable()?)
    }
}

/// For the tests: frames `view`'s software picture has shown, by how they
/// were taken (by an idle callback, at the frame clock), and whether the
/// view takes them at its frame clock now. `None` without a software
/// picture.
pub fn frames_taken(view: &super::PlayerView) -> Option<((u64, u64), bool)> {
    let imp = view.imp();
    let picture = crate::engine::paintable::sink_picture(&imp.picture.paintable()?)?;
    Some((picture.frames_taken(), imp.frame_pulling.is_pulling()))
}
