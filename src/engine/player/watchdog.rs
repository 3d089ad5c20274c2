//! The watchdog for unattended playback. With `max-restarts` above 0, an
//! item that errors, stalls (no new frame for `stall-timeout` ms while it
//! should be playing, even when its audio goes on; for audio-only media and
//! still pictures no position change) or whose live source ends is restarted after a delay that doubles each time in a row (from
//! `restart-delay` up to `restart-delay-max`). The last frame stays on screen
//! meanwhile, each restart emits `restarting`, and after `max-restarts` in a
//! row the error is reported (and a playlist moves on to its next item).
//! Ten seconds of healthy playback end a run of restarts.
//!
//! Always on, watchdog or not: a file whose timestamps jump far past its
//! end (damage — a flipped bit in a timestamp, a wrapped MPEG-TS clock)
//! would keep its last frame on screen while the clock runs on towards the
//! bogus time, for hours. A file (not live, with a known duration) that
//! plays more than [`PAST_END`] past its duration and then shows no new
//! frame for [`PAST_END_NO_FRAME`] ends in an error.

use super::imp;
use crate::engine::error::{ErrorKind, PlayerError};
use crate::engine::log;
use crate::engine::playlist::Step;
use crate::engine::seek::{Request, SeekMode};
use crate::engine::types::PlayerState;
use gdk::prelude::*;
use glib::subclass::prelude::*;
use gst::prelude::{ElementExt, PadExt};
use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

/// How often the watchdog looks for progress.
const CHECK_EVERY: Duration = Duration::from_millis(250);
/// Healthy playback this long after a restart ends a run of restarts.
const HEALTHY_AFTER: Duration = Duration::from_secs(10);
/// How far past its known end a file may play before the end guard looks
/// at it, and how long it may then go without a new frame (at least three
/// frame intervals).
const PAST_END: Duration = Duration::from_secs(1);
const PAST_END_NO_FRAME: Duration = Duration::from_secs(2);

/// The delay before restart number `attempt` (1-based) in a row.
pub fn backoff(attempt: u32, first_ms: u32, max_ms: u32) -> u32 {
    let doubled = u64::from(first_ms.max(1)) << attempt.saturating_sub(1).min(32);
    doubled.min(u64::from(max_ms.max(1))) as u32
}

/// What the watchdog keeps between checks.
#[derive(Default)]
pub struct WatchdogState {
    /// Restarts in a row without a healthy stretch between them.
    in_a_row: Cell<u32>,
    /// The restart waiting for its delay.
    pending: RefCell<Option<glib::JoinHandle<()>>>,
    /// The periodic progress check.
    checker: RefCell<Option<glib::JoinHandle<()>>>,
    /// The last progress mark (frames rendered, or the position for media
    /// without moving pictures) and when it changed.
    progress: Cell<Option<(u64, Instant)>>,
    /// Frames counted before the last restart (the counters carry over, so
    /// the new pipeline's first frame is the first one above this).
    rendered_before_restart: Cell<u64>,
    /// When the last restart loaded the item again.
    restarted_at: Cell<Option<Instant>>,
    /// The new pipeline's picture, published once it shows a frame (until
    /// then the last frame of the failed one stays).
    held_paintable: RefCell<Option<Option<gdk::Paintable>>>,
    /// Past the end of a file: frames rendered when it went past, and when.
    past_end: Cell<Option<(u64, Instant)>>,
}

impl WatchdogState {
    /// Forgets any restart in progress (the user stopped or chose other media).
    pub fn cancel(&self) {
        if let Some(handle) = self.pending.take() {
            handle.abort();
        }
        self.in_a_row.set(0);
        self.progress.set(None);
        self.restarted_at.set(None);
        self.rendered_before_restart.set(0);
        self.held_paintable.take();
    }

    /// Stops the periodic check too (the player is going away).
    pub fn shut_down(&self) {
        self.cancel();
        if let Some(handle) = self.checker.take() {
            handle.abort();
        }
    }

    fn restarting(&self) -> bool {
        self.pending.borrow().is_some()
    }
}

impl imp::Player {
    fn watchdog_on(&self) -> bool {
        self.max_restarts.get() > 0
    }

    /// Starts the periodic progress check (once; it ends with the player).
    /// It runs even while the watchdog is off, so turning it on during
    /// playback takes effect at once.
    pub(super) fn start_watchdog(&self) {
        if self.watchdog.checker.borrow().is_some() {
            return;
        }
        let weak = self.obj().downgrade();
        let handle = glib::MainContext::ref_thread_default().spawn_local(async move {
            loop {
                glib::timeout_future(CHECK_EVERY).await;
                let Some(player) = weak.upgrade() else { break };
                player.imp().check_progress();
            }
        });
        self.watchdog.checker.replace(Some(handle));
    }

    /// One check: is the item that should be playing making progress?
    fn check_progress(&self) {
        self.check_past_end();
        let dog = &self.watchdog;
        let timeout = self.stall_timeout.get();
        let active = self.watchdog_on()
            && timeout > 0
            && !dog.restarting()
            && self.want_playing.get()
            && self.pipeline.borrow().is_some()
            && self.state.get() != PlayerState::Error;
        if !active {
            dog.progress.set(None);
            return;
        }
        let (rendered, _) = self.sample_stats();
        if rendered > dog.rendered_before_restart.get() {
            self.publish_held_paintable();
        }
        // Moving pictures must bring new frames (audio going on over a
        // frozen picture is a stall too); otherwise the position must move.
        let frame_interval = self.frame_interval();
        let mark = if frame_interval.is_some() {
            rendered
        } else {
            self.position.get()
        };
        // A slow slideshow is not stalled between two of its pictures.
        let timeout = Duration::from_millis(timeout.into())
            .max(frame_interval.unwrap_or_default().saturating_mul(3));
        let now = Instant::now();
        match dog.progress.get() {
            Some((last, _)) if last != mark => {
                dog.progress.set(Some((mark, now)));
                let healthy = dog
                    .restarted_at
                    .get()
                    .is_some_and(|t| t.elapsed() >= HEALTHY_AFTER);
                if healthy && dog.in_a_row.get() > 0 {
                    log::info!("playback healthy again after restarts");
                    dog.in_a_row.set(0);
                }
            }
            Some((_, since)) => {
                let stalled_for = since.elapsed();
                if stalled_for >= timeout {
                    self.stalls.set(self.stalls.get() + 1);
                    self.obj().notify_stalls();
                    let seconds = stalled_for.as_secs_f64();
                    let reason = format!("No new frame for {seconds:.1} s.");
                    let error = PlayerError::new(
                        ErrorKind::Network,
                        crate::i18n::tr("Playback of “{name}” stalled: no new frame for {seconds} s; check the source.", &[("name", &self.media_name()), ("seconds", &format!("{seconds:.1}"))]),
                        "stall detected by the watchdog",
                    );
                    if !self.recover(&reason) {
                        self.fail(error);
                    }
                }
            }
            None => dog.progress.set(Some((mark, now))),
        }
    }

    /// Ends a file that plays on far past its known end with no new frame
    /// (its timestamps jump there): see the module's documentation.
    fn check_past_end(&self) {
        let dog = &self.watchdog;
        let duration = self.duration.get();
        let position = self.position.get();
        let past = self.state.get() == PlayerState::Playing
            && duration > 0
            && position > duration.saturating_add(PAST_END.as_nanos() as u64)
            && !self.obj().is_live()
            && self.frame_interval().is_some();
        if !past {
            dog.past_end.set(None);
            return;
        }
        let (rendered, _) = self.sample_stats();
        let no_frame_for = self
            .frame_interval()
            .unwrap_or_default()
            .saturating_mul(3)
            .max(PAST_END_NO_FRAME);
        match dog.past_end.get() {
            Some((mark, since)) if mark == rendered => {
                if since.elapsed() >= no_frame_for {
                    dog.past_end.set(None);
                    let error = PlayerError::new(
                        ErrorKind::Corrupt,
                        crate::i18n::tr(
                            "“{name}” is damaged: its timestamps run past its end ({position} s of {duration} s) with nothing more to show, so playback stopped.",
                            &[
                                ("name", &self.media_name()),
                                ("position", &format!("{:.1}", position as f64 / 1e9)),
                                ("duration", &format!("{:.1}", duration as f64 / 1e9)),
                            ],
                        ),
                        "position past the duration with no new frame",
                    );
                    self.fail(error);
                }
            }
            _ => dog.past_end.set(Some((rendered, Instant::now()))),
        }
    }

    /// The time between two frames of the video being shown, when it is
    /// moving pictures (none for audio-only media or a still picture).
    fn frame_interval(&self) -> Option<Duration> {
        let caps = self
            .video_sink
            .borrow()
            .as_ref()?
            .static_pad("sink")?
            .current_caps()?;
        let rate = caps.structure(0)?.get::<gst::Fraction>("framerate").ok()?;
        (rate.numer() > 0 && rate.denom() > 0)
            .then(|| Duration::from_secs_f64(f64::from(rate.denom()) / f64::from(rate.numer())))
    }

    /// Schedules a restart of the current item if the watchdog allows one;
    /// returns false when it is off or has used up its tries in a row.
    pub(super) fn recover(&self, reason: &str) -> bool {
        let dog = &self.watchdog;
        if !self.watchdog_on() || dog.restarting() || self.uri.borrow().is_none() {
            return false;
        }
        let attempt = dog.in_a_row.get() + 1;
        if attempt > self.max_restarts.get() {
            return false;
        }
        dog.in_a_row.set(attempt);
        dog.progress.set(None);
        let delay = backoff(
            attempt,
            self.restart_delay.get(),
            self.restart_delay_max.get(),
        );
        let playing = self.want_playing.get() || self.state.get() == PlayerState::Playing;
        // A local file resumes where it stopped; a network stream starts
        // again (a server that refuses range requests fails a seek).
        let local = self
            .uri
            .borrow()
            .as_deref()
            .is_some_and(|u| u.starts_with("file:"));
        let resume = (local && self.seekable.get() && self.position.get() > 0)
            .then(|| gst::ClockTime::from_nseconds(self.position.get()));
        log::warn!("restarting (attempt {attempt}, in {delay} ms): {reason}");
        self.freeze_picture();
        self.teardown();
        self.set_state(PlayerState::Loading);
        let weak = self.obj().downgrade();
        let handle = glib::MainContext::ref_thread_default().spawn_local(async move {
            glib::timeout_future(Duration::from_millis(delay.into())).await;
            if let Some(player) = weak.upgrade() {
                player.imp().restart_now(resume, playing);
            }
        });
        dog.pending.replace(Some(handle));
        self.restarts.set(self.restarts.get() + 1);
        let obj = self.obj();
        obj.notify_restarts();
        obj.emit_by_name::<()>("restarting", &[&attempt, &delay, &reason]);
        true
    }

    /// The watchdog gave up on the item: a playlist goes on to the next one.
    /// Returns whether it did.
    pub(super) fn skip_failed_item(&self) -> bool {
        if !self.watchdog_on() || self.current_index.get() < 0 {
            return false;
        }
        let Some(next) = self.neighbour(Step::Auto) else {
            return false;
        };
        if next as i32 == self.current_index.get() {
            return false;
        }
        self.watchdog.cancel();
        let weak = self.obj().downgrade();
        // From the main loop: the error is being reported right now.
        glib::MainContext::ref_thread_default().spawn_local(async move {
            if let Some(player) = weak.upgrade() {
                let imp = player.imp();
                imp.want_playing.set(true);
                imp.load_item(next);
            }
        });
        true
    }

    fn restart_now(&self, resume: Option<gst::ClockTime>, playing: bool) {
        self.watchdog.pending.take();
        let Some(uri) = self.uri.borrow().clone() else {
            return;
        };
        // Frames counted so far carry over into the new pipeline's count.
        let carried = self.sample_stats();
        self.watchdog.rendered_before_restart.set(carried.0);
        self.teardown();
        self.want_playing.set(playing);
        self.loading.open_attempts.set(0);
        self.load(&uri);
        self.stats.base.set(carried);
        if let Some(target) = resume {
            self.seek.queue.borrow_mut().offer(Request::Seek {
                target,
                mode: SeekMode::Accurate,
            });
        }
        self.watchdog.restarted_at.set(Some(Instant::now()));
        self.watchdog.progress.set(None);
        if playing {
            self.resume();
        }
    }

    /// Replaces the picture with a still copy of the frame on screen, so it
    /// stays while the pipeline is rebuilt.
    fn freeze_picture(&self) {
        let Some(live) = self.paintable.borrow().clone() else {
            return;
        };
        if self.watchdog.held_paintable.borrow().is_some() {
            return;
        }
        // The sink's paintable has no still image of its own: copy the
        // decoded frame on screen into a texture. Without one the live
        // picture stays (never `current_image` on the sink's paintable:
        // see `paintable::still_image`).
        let Some(still) = self
            .current_sample()
            .and_then(|s| crate::engine::paintable::texture_from_sample(&s))
            .map(|t| t.upcast::<gdk::Paintable>())
        else {
            return;
        };
        drop(live);
        if still.intrinsic_width() > 0 {
            self.paintable.replace(Some(still));
            self.obj().notify_paintable();
            self.watchdog.held_paintable.replace(Some(None));
        }
    }

    /// While restarting, a new pipeline's picture waits (returns true);
    /// otherwise it is published now (returns false).
    pub(super) fn hold_paintable(&self, paintable: &Option<gdk::Paintable>) -> bool {
        let mut held = self.watchdog.held_paintable.borrow_mut();
        if held.is_some() {
            *held = Some(paintable.clone());
            true
        } else {
            false
        }
    }

    /// The restarted pipeline shows frames: its picture replaces the still.
    pub(super) fn publish_held_paintable(&self) {
        let held = self.watchdog.held_paintable.borrow_mut().take();
        if let Some(Some(paintable)) = held {
            self.paintable.replace(Some(paintable));
            self.obj().notify_paintable();
        }
    }
}

impl super::Player {
    /// Connects to `restarting`: the watchdog restarts the item (attempt
    /// number in a row, delay before it in ms, the reason in one sentence).
    /// The last frame stays on screen meanwhile.
    pub fn connect_restarting<F: Fn(&Self, u32, u32, &str) + 'static>(
        &self,
        f: F,
    ) -> glib::SignalHandlerId {
        self.connect_local("restarting", false, move |args| {
            let player = args[0].get::<Self>().ok()?;
            let attempt = args[1].get::<u32>().ok()?;
            let delay = args[2].get::<u32>().ok()?;
            let reason = args[3].get::<String>().ok()?;
            f(&player, attempt, delay, &reason);
            None
        })
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let delays: Vec<u32> = (1..=8).map(|n| backoff(n, 500, 10_000)).collect();
        assert_eq!(
            delays,
            [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]
        );
        assert_eq!(backoff(60, 500, u32::MAX), u32::MAX);
    }
}
