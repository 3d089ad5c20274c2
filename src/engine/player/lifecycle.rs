//! Loading and tearing down: building the pipeline from a [`PipelineSpec`]
//! (the hooks its streaming threads run and the open watchdogs are in
//! [`super::opening`]), watching its bus, the ticker sampling a loaded
//! item, failing with a typed error, and the state the pipeline is asked
//! to be in ([`LoadState`]).

use super::imp;
use crate::engine::bus::map_message;
use crate::engine::error::{display_name, ErrorKind, PlayerError};
use crate::engine::log;
use crate::engine::reaper;
use crate::engine::seek::{Request, SeekMode};
use crate::engine::spec::{PipelineSpec, Playbin, VideoOutput, VideoPath};
use crate::engine::types::PlayerState;
use crate::engine::uri::precheck;
use glib::prelude::*;
use glib::subclass::prelude::*;
use gst::prelude::*;
use std::cell::{Cell, RefCell};
use std::time::Duration;

/// Pipelines players hold now: built for an item and not yet let go.
static PIPELINES_HELD: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many pipelines players hold now: built for an item and not yet let
/// go (from then on [`pending_shutdowns`](crate::engine::pending_shutdowns)
/// counts them until they are stopped and freed). A process whose players
/// are all gone or stopped has 0; more at exit means a player outlived its
/// window (a reference cycle, say) with its pipeline still running.
pub fn pipelines_in_use() -> usize {
    PIPELINES_HELD.load(std::sync::atomic::Ordering::SeqCst)
}

/// The video sink's processing deadline in low-latency mode.
const LOW_LATENCY_DEADLINE: Duration = Duration::from_millis(5);
/// The authorities the player behind `weak` trusts for HTTPS, if set.
fn player_ca_file(weak: &glib::WeakRef<crate::engine::Player>) -> Option<String> {
    weak.upgrade().and_then(|p| p.tls_ca_file())
}

/// How often position, statistics and the frame on screen are sampled while playing.
const TICK: Duration = Duration::from_millis(50);

/// The loading facet's state (main thread only): what runs for the item
/// loaded besides its pipeline.
#[derive(Default)]
pub struct LoadState {
    /// How many times the current item has been (re)opened.
    pub open_attempts: Cell<u32>,
    /// Retries opening a local file whose preroll stalls, or gives up on a
    /// network stream that never starts ([`super::opening`]).
    pub open_watchdog: RefCell<Option<glib::JoinHandle<()>>>,
    /// The pipeline's bus watch, on the main context.
    pub bus_watch: RefCell<Option<gst::bus::BusWatchGuard>>,
    /// Samples position, statistics and the frame on screen every
    /// [`TICK`] while an item is loaded.
    pub ticker: RefCell<Option<glib::JoinHandle<()>>>,
}

impl imp::Player {
    pub(super) fn set_uri(&self, uri: Option<String>) {
        self.watchdog.cancel();
        self.on_uri_set_directly(uri.as_deref());
        self.teardown();
        self.uri.replace(uri.clone());
        let obj = self.obj();
        obj.notify_uri();
        self.set_title(None);
        self.set_u64(&self.position, 0, "position");
        self.set_u64(&self.duration, 0, "duration");
        self.clear_frame();
        self.clear_tracks();
        self.set_chapters(Vec::new());
        self.forget_variants();
        if let Some(uri) = uri.as_deref() {
            self.look_for_variants(uri);
        }
        if self.subtitle_file.take().is_some() {
            self.obj().notify_subtitle_file();
        }
        self.tracks.subtitle_files.borrow_mut().clear();
        self.shared.index.clear();
        self.shared.bitrate_meter.clear();
        self.backstep.forget_media();
        self.first_frame.set(None);
        if let Some(uri) = uri {
            let fallback = display_name(&uri);
            let fallback = if crate::engine::launch::is_launch_uri(&uri) {
                // A custom pipeline's name is its description.
                fallback
            } else {
                fallback.rsplit('/').next().unwrap_or(&fallback).to_string()
            };
            self.set_title(Some(fallback));
            self.loading.open_attempts.set(0);
            self.load(&uri);
        }
    }

    pub(super) fn load(&self, uri: &str) {
        // A variant chosen by hand plays from its own playlist.
        let variant = self.chosen_variant_uri();
        let uri = variant.as_deref().unwrap_or(uri);
        self.missing.borrow_mut().clear();
        self.prerolled.set(false);
        self.stats.restart();
        self.seek.segment_start.set(gst::ClockTime::ZERO);
        self.live.is_live.set(false);
        self.loops.restart();
        self.step.at_eos.set(false);
        if let Err(e) = precheck(uri) {
            self.fail_later(e);
            return;
        }
        let (mut video, audio) = self.outputs();
        if video == VideoOutput::Paintable(VideoPath::Gl)
            && !crate::engine::glprobe::probe().available()
        {
            self.warn(if crate::engine::glprobe::gl_turned_off() {
                crate::i18n::tr(
                    "OpenGL was turned off when the player started (a software renderer draws cheaper without it), so video uses the software path; start it with --video-path gl to use OpenGL.",
                    &[],
                )
            } else {
                crate::i18n::tr(
                    "OpenGL is not available here, so video uses the software path.",
                    &[],
                )
            });
            video = VideoOutput::Paintable(VideoPath::Software);
        }
        let spec = PipelineSpec {
            playbin: Playbin::for_uri_with(uri, self.subtitle_file.borrow().is_some()),
            uri: uri.to_string(),
            video,
            audio,
            subtitle_uri: self.subtitle_file.borrow().clone(),
            launch: crate::engine::launch::description_of(uri),
        };
        log::debug!(
            "building {}",
            crate::engine::redact::redact_text(&spec.to_launch())
        );
        if let VideoOutput::Paintable(path) = spec.video {
            if self.video_path.get() != path {
                self.video_path.set(path);
                self.obj().notify_video_path();
            }
        }
        let built = match spec.build() {
            Ok(b) => b,
            Err(e) => {
                self.fail_later(e);
                return;
            }
        };
        let sink_paintable = built
            .video_sink
            .as_ref()
            .filter(|s| s.find_property("paintable").is_some())
            .map(|s| s.property::<gdk::Paintable>("paintable"));
        let paintable = sink_paintable.map(|p| self.backstep.wrap_paintable(&p));
        if !self.hold_paintable(&paintable) {
            self.paintable.replace(paintable);
            self.obj().notify_paintable();
        }
        let pipeline = built.pipeline;
        pipeline.set_property("volume", self.volume.get());
        pipeline.set_property("mute", self.muted.get());
        // playbin's av-offset moves audio earlier; ours delays it.
        pipeline.set_property("av-offset", self.av_offset.get().saturating_neg());
        if pipeline.find_property("text-offset").is_some() {
            pipeline.set_property("text-offset", self.subtitle_offset.get());
        }
        self.give_subtitle_font(pipeline.upcast_ref());
        self.style_subtitles_in(&pipeline);
        // A clone, not a borrow held across the `warning` below: its
        // handler may set `video-filter` (to clear a bad one).
        let video_filter = self.video_filter.borrow().clone();
        if let Some(description) = video_filter {
            match gst::parse::bin_from_description(&description, true) {
                Ok(filter) if pipeline.find_property("video-filter").is_some() => {
                    pipeline.set_property("video-filter", &filter);
                }
                Ok(_) => {}
                Err(e) => self.warn(format!(
                    "The video filter “{description}” could not be built ({e}); video plays unfiltered."
                )),
            }
        }
        let number = self.hook_streaming_threads(&pipeline);
        if spec.playbin.switches_gaplessly() {
            self.connect_gapless(&pipeline, number);
        }
        self.update_gapless_next();

        let bus = pipeline.bus().expect("a pipeline always has a bus");
        let weak = self.obj().downgrade();
        let pipeline_obj = pipeline.clone().upcast::<gst::Object>();
        let watch = bus.add_watch_local(move |_, msg| {
            if let (Some(player), Some(event)) = (weak.upgrade(), map_message(msg, &pipeline_obj)) {
                player.imp().handle(event);
            }
            glib::ControlFlow::Continue
        });
        match watch {
            Ok(guard) => {
                self.loading.bus_watch.replace(Some(guard));
            }
            Err(e) => {
                self.fail_later(PlayerError::new(
                    ErrorKind::Other,
                    "Could not watch the pipeline's messages.",
                    e.to_string(),
                ));
                return;
            }
        }
        self.shared.frame_steps.clear();
        if let Some(sink) = built.video_sink.as_ref() {
            self.shared.frame_steps.attach(sink);
            self.shared.watch_video_sink(sink);
            if self.live_latency_ms() >= 0 && sink.find_property("processing-deadline").is_some() {
                // Low latency: the sink hands each frame on at once (the
                // GL upload happens before it), so it needs far less than
                // basesink's generic 20 ms of slack before a frame is due.
                sink.set_property(
                    "processing-deadline",
                    LOW_LATENCY_DEADLINE.as_nanos() as u64,
                );
            }
        }
        self.video_sink.replace(built.video_sink);
        self.size_filter.replace(built.size_filter);
        self.gate
            .replace(Some(crate::engine::gate::Gate::new(&pipeline)));
        if self.pipeline.replace(Some(pipeline)).is_none() {
            PIPELINES_HELD.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        self.set_state(PlayerState::Loading);
        // The first preroll is "in flight": seeks asked for before it wait.
        self.seek.queue.borrow_mut().hold(Request::Seek {
            target: gst::ClockTime::ZERO,
            mode: SeekMode::Accurate,
        });
        self.seek.startup.set(true);
        self.apply_target();
        self.loading
            .open_attempts
            .set(self.loading.open_attempts.get() + 1);
        self.watch_opening(uri);
    }

    /// Lets go of the pipeline, keeping the URI. Never waits for it: the
    /// pipeline is stopped and freed on the [`reaper`] thread (a source
    /// stuck in a read can take its time there), and from here on it feeds
    /// nothing back (its bus watch is gone, its probes are detached).
    pub fn teardown(&self) {
        /// How long the reaper lets the gate's last call finish.
        const GATE_SETTLE: std::time::Duration = std::time::Duration::from_millis(500);
        if let Some(handle) = self.loading.ticker.take() {
            handle.abort();
        }
        self.shared.adaptive_demuxer.lock().unwrap().take();
        if let Some(handle) = self.loading.open_watchdog.take() {
            handle.abort();
        }
        if self.state.get() == PlayerState::Playing {
            self.query_position();
        }
        self.sample_stats();
        self.close_played_segment(false);
        self.shared.end_pipeline();
        self.shared.gapless_switched.lock().unwrap().take();
        self.loading.bus_watch.take();
        self.shared.index.detach();
        self.shared.bitrate_meter.detach();
        self.video_sink.take();
        self.size_filter.take();
        let closed = self.gate.take().map(crate::engine::gate::Gate::close);
        if let Some(p) = self.pipeline.take() {
            PIPELINES_HELD.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            // The gate's last call (a seek, a state change) is let finish
            // first; one stuck for good is what stopping the pipeline ends.
            // Counted from when the reaper takes it up, not from the
            // hand-over: the call in hand is usually done at once, and a
            // pipeline reset while a property is being set on it can crash
            // (seen in the storm: playbin's `flags` set on the gate while
            // the reaper stopped the pipeline, after a wait cut short by
            // the time spent in the reaper's queue).
            reaper::reap_after(p, move |pipeline, _handed_over| {
                if let Some(closed) = closed {
                    if !closed.wait(GATE_SETTLE) {
                        // Still stuck: most likely an event waiting for a
                        // sink's stream lock while that sink waits for a
                        // preroll, with the pipeline's state lock held, so
                        // stopping would wait for ever. Flushing the sinks
                        // lets both go; the freed call then ends before
                        // the pipeline is stopped under it.
                        tracing::debug!("the gate's last call is stuck; flushing the sinks");
                        crate::engine::unstick::flush_sinks(pipeline);
                        closed.wait(GATE_SETTLE);
                    }
                }
            });
        }
        self.want_playing.set(false);
        self.buffering.set(false);
        self.seek.queue.borrow_mut().clear();
        self.seek.clear();
        self.step.clear();
        self.late.set(Default::default());
        self.rate_change.due.set(false);
        self.backstep.cancel();
    }

    /// Fails now (state `error`) but emits the signal from the main loop, so
    /// a caller that has just called `open` can still connect to it.
    pub(super) fn fail_later(&self, error: PlayerError) {
        self.set_state(PlayerState::Error);
        let weak = self.obj().downgrade();
        glib::MainContext::ref_thread_default().spawn_local(async move {
            if let Some(player) = weak.upgrade() {
                player.imp().fail(error);
            }
        });
    }

    pub(super) fn fail(&self, error: PlayerError) {
        let error = error.redacted();
        log::warn!(
            "{} [{}] (kind {})",
            error.message,
            error.detail,
            error.kind.nick()
        );
        self.errors.set(self.errors.get() + 1);
        self.obj().notify_errors();
        if self.recover(&error.message) {
            return;
        }
        // A network failure GStreamer does not explain is looked into off
        // the main thread first (about two seconds at most).
        let uri = self.uri.borrow().clone().unwrap_or_default();
        if crate::engine::netcheck::needs_diagnosis(&error, &uri) {
            self.teardown();
            let weak = self.obj().downgrade();
            glib::MainContext::ref_thread_default().spawn_local(async move {
                let checked = uri.clone();
                let ca_file = player_ca_file(&weak);
                let refined = gio::spawn_blocking(move || {
                    crate::engine::netcheck::refine(error, &checked, ca_file.as_deref())
                })
                .await;
                let Some(player) = weak.upgrade() else { return };
                // Only if the player still shows that URI.
                if let (Ok(error), true) = (refined, player.uri().as_deref() == Some(uri.as_str()))
                {
                    player.imp().report_failure(error);
                }
            });
            return;
        }
        self.report_failure(error);
    }

    /// Ends the item with `error`: the player stops and says why.
    fn report_failure(&self, mut error: PlayerError) {
        if self.max_restarts.get() > 0 {
            error.detail = format!(
                "{} (the watchdog gave up after {} restarts in a row)",
                error.detail,
                self.max_restarts.get()
            );
        }
        self.teardown();
        self.set_state(PlayerState::Error);
        let error = error.redacted();
        self.obj().emit_by_name::<()>("error", &[&error]);
        self.skip_failed_item();
    }

    /// Asks the pipeline for the state the player wants: PLAYING when asked
    /// to play, once loaded and not buffering; PAUSED otherwise.
    pub fn apply_target(&self) {
        if self.pipeline.borrow().is_none() {
            return;
        }
        let playing = self.want_playing.get() && !self.seek.startup.get() && !self.buffering.get();
        let target = if playing {
            gst::State::Playing
        } else {
            gst::State::Paused
        };
        self.sample_stats();
        // A state change answered late is on its way (its result comes on
        // the bus like any asynchronous one).
        let answer = self
            .ask_late_ok(move |p| {
                // Already there with nothing under way: asking again makes a
                // paused sink that has just stepped wait for a new preroll.
                if p.current_state() == target && p.pending_state() == gst::State::VoidPending {
                    return Ok(gst::StateChangeSuccess::Success);
                }
                let result = p.set_state(target);
                // An answer that comes too late for the caller still says
                // the source is live: through the bus.
                if result == Ok(gst::StateChangeSuccess::NoPreroll) {
                    let _ = p.post_message(gst::message::Application::new(
                        gst::Structure::new_empty(crate::engine::bus::NO_PREROLL_MESSAGE),
                    ));
                }
                result
            })
            .flatten();
        // A rate changed while paused goes now, after the state change on
        // the gate: playing drains the queues an instant change waits on.
        if playing && self.rate_change.due.take() && !self.send_instant_rate() {
            // Refused: a flushing seek where playback is carries the rate.
            log::debug!("instant rate change refused; seeking instead");
            self.request_unless_waiting(crate::engine::seek::Request::Seek {
                target: gst::ClockTime::from_nseconds(self.position.get()),
                mode: SeekMode::Accurate,
            });
        }
        match answer.unwrap_or(Ok(gst::StateChangeSuccess::Async)) {
            Err(_) => log::debug!(
                "state change to {target:?} failed; an error message follows on the bus"
            ),
            // A live source never prerolls: there is no first frame to wait
            // for, so the opening is done (from the main loop, not from here).
            Ok(gst::StateChangeSuccess::NoPreroll) if !self.prerolled.get() => {
                let weak = self.obj().downgrade();
                glib::MainContext::ref_thread_default().spawn_local(async move {
                    if let Some(player) = weak.upgrade() {
                        player.imp().on_live_start();
                    }
                });
            }
            Ok(_) => {}
        }
    }

    /// A live source started: nothing to preroll, nothing to seek in.
    pub(super) fn on_live_start(&self) {
        if self.prerolled.replace(true) || self.pipeline.borrow().is_none() {
            return;
        }
        log::debug!("live source: no preroll");
        self.live.is_live.set(true);
        if let Some(handle) = self.loading.open_watchdog.take() {
            handle.abort();
        }
        if self.seekable.replace(false) {
            self.obj().notify_seekable();
        }
        self.update_played(|p| p.open());
        self.finish_request();
    }

    pub(super) fn update_public_state(&self) {
        if matches!(self.state.get(), PlayerState::Error) {
            return;
        }
        let Some(p) = self.pipeline.borrow().clone() else {
            return;
        };
        let (_, current, pending) = p.state(gst::ClockTime::ZERO);
        let state = if self.buffering.get() {
            PlayerState::Buffering
        } else if !self.prerolled.get()
            || pending != gst::State::VoidPending && current < gst::State::Paused
        {
            PlayerState::Loading
        } else if current == gst::State::Playing {
            PlayerState::Playing
        } else if self.want_playing.get() {
            PlayerState::Loading
        } else {
            PlayerState::Paused
        };
        self.set_state(state);
    }

    pub(super) fn start_ticker(&self) {
        if self.loading.ticker.borrow().is_some() {
            return;
        }
        let weak = self.obj().downgrade();
        let handle = glib::MainContext::ref_thread_default().spawn_local(async move {
            loop {
                glib::timeout_future(TICK).await;
                let Some(player) = weak.upgrade() else { break };
                let imp = player.imp();
                if imp.state.get() == PlayerState::Playing {
                    imp.refresh_frame();
                    imp.follow_video_size();
                }
                imp.ask_late_again();
                imp.query_position();
                imp.sample_stats();
                imp.sample_played();
                imp.maybe_emit_stats();
                imp.send_due_loop_round();
                imp.refresh_tracks_now_and_then();
            }
        });
        if let Some(old) = self.loading.ticker.replace(Some(handle)) {
            old.abort();
        }
    }
}
