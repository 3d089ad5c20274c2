//! The `Player` GObject: one media item through a playbin pipeline built
//! from a [`PipelineSpec`]. State is exposed as properties (`state`,
//! `position`, `duration`, …) and outcomes as signals (`error`, `warning`,
//! `eos`). Bus messages are handled on the thread-default main context with a
//! weak reference, so a dropped player stops its pipeline and leaks nothing.

use crate::engine::bus::{map_message, BusEvent};
use crate::engine::error::{classify, display_name, ErrorKind, PlayerError};
use crate::engine::spec::{AudioOutput, PipelineSpec, Playbin, VideoOutput, VideoPath};
use crate::engine::stats::{PlaybackStats, PlayedTime};
pub use crate::engine::types::{PlayerState, VideoMode, VideoSize};
use crate::engine::uri::precheck;
pub use crate::engine::uri::to_uri;
use glib::prelude::*;
use glib::subclass::prelude::*;
use gst::prelude::*;
use gtk::gdk;
use std::time::Duration;

/// How long a local file may take to preroll before the open is retried.
const OPEN_STALL_TIMEOUT: Duration = Duration::from_secs(3);
/// How many times a stalled local open is tried in all.
const OPEN_ATTEMPTS: u32 = 3;

mod imp {
    use super::*;
    use glib::subclass::Signal;
    use std::cell::{Cell, RefCell};
    use std::sync::OnceLock;

    #[derive(glib::Properties, Default)]
    #[properties(wrapper_type = super::Player)]
    pub struct Player {
        /// The media URI; setting it loads the media (paused until `play`).
        #[property(get, set = Self::set_uri, nullable)]
        pub uri: RefCell<Option<String>>,
        /// The player's state.
        #[property(get, builder(PlayerState::Stopped))]
        pub state: Cell<PlayerState>,
        /// Stream position in nanoseconds.
        #[property(get)]
        pub position: Cell<u64>,
        /// Duration in nanoseconds; 0 when unknown (live or unindexed streams).
        #[property(get)]
        pub duration: Cell<u64>,
        /// Whether the media can be seeked.
        #[property(get)]
        pub seekable: Cell<bool>,
        /// Linear volume, 0.0 to 1.0.
        #[property(get, set = Self::set_volume, minimum = 0.0, maximum = 1.0, default = 1.0)]
        pub volume: Cell<f64>,
        /// Whether audio is muted.
        #[property(get, set = Self::set_muted)]
        pub muted: Cell<bool>,
        /// Playback rate; 1.0 is normal speed.
        #[property(get, set = Self::set_rate, minimum = 0.0625, maximum = 16.0, default = 1.0)]
        pub rate: Cell<f64>,
        /// Restart at the beginning at end of stream (the `loop` property).
        pub looping: Cell<bool>,
        /// Size and pixel aspect ratio of the video, once known.
        #[property(get, nullable)]
        pub video_size: RefCell<Option<VideoSize>>,
        /// The media's title tag, or its file name.
        #[property(get, nullable)]
        pub title: RefCell<Option<String>>,
        /// Whether a video stream is playing.
        #[property(get)]
        pub has_video: Cell<bool>,
        /// Whether an audio stream is playing.
        #[property(get)]
        pub has_audio: Cell<bool>,
        /// The picture to show; changes when the pipeline is rebuilt.
        #[property(get, nullable)]
        pub paintable: RefCell<Option<gdk::Paintable>>,
        /// How video is shown; takes effect at the next load.
        #[property(get, set, builder(VideoMode::Auto))]
        pub video_mode: Cell<VideoMode>,
        /// The video chain in use (resolved from `video-mode`).
        #[property(get, builder(VideoPath::Gl))]
        pub video_path: Cell<VideoPath>,
        /// Decode audio at all; takes effect at the next load.
        #[property(get, set, default = true)]
        pub audio_enabled: Cell<bool>,

        /// How many times the current item has been (re)opened.
        pub open_attempts: Cell<u32>,
        /// Retries opening a local file whose preroll stalls.
        pub open_watchdog: RefCell<Option<glib::JoinHandle<()>>>,
        pub pipeline: RefCell<Option<gst::Pipeline>>,
        pub video_sink: RefCell<Option<gst::Element>>,
        /// The software chain's size capsfilter.
        pub size_filter: RefCell<Option<gst::Element>>,
        /// The size, in device pixels, the picture is shown at (0 = unknown).
        pub render_size: Cell<(u32, u32)>,
        pub bus_watch: RefCell<Option<gst::bus::BusWatchGuard>>,
        pub ticker: RefCell<Option<glib::JoinHandle<()>>>,
        pub want_playing: Cell<bool>,
        pub buffering: Cell<bool>,
        pub missing: RefCell<Vec<String>>,
        pub pending_seek: Cell<Option<gst::ClockTime>>,
        pub prerolled: Cell<bool>,
        /// Running time played, summed over segments.
        pub played: Cell<PlayedTime>,
        /// The stream time the current segment starts at (our last seek or 0).
        pub segment_start: Cell<gst::ClockTime>,
        /// Sink statistics folded in before the sink reset them (it does on
        /// every pause and flushing seek).
        pub stats_base: Cell<(u64, u64)>,
        /// The sink's statistics at the last sample.
        pub stats_last: Cell<(u64, u64)>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Player {
        const NAME: &'static str = "FramescopePlayer";
        type Type = super::Player;
    }

    impl ObjectImpl for Player {
        fn properties() -> &'static [glib::ParamSpec] {
            static PROPS: OnceLock<Vec<glib::ParamSpec>> = OnceLock::new();
            PROPS.get_or_init(|| {
                let mut props = Self::derived_properties().to_vec();
                // `loop` is a Rust keyword, so this one is declared by hand.
                props.push(
                    glib::ParamSpecBoolean::builder("loop")
                        .explicit_notify()
                        .build(),
                );
                props
            })
        }

        fn set_property(&self, id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
            if pspec.name() == "loop" {
                let looping = value.get().unwrap_or(false);
                if self.looping.replace(looping) != looping {
                    self.obj().notify("loop");
                }
            } else {
                self.derived_set_property(id, value, pspec)
            }
        }

        fn property(&self, id: usize, pspec: &glib::ParamSpec) -> glib::Value {
            if pspec.name() == "loop" {
                self.looping.get().to_value()
            } else {
                self.derived_property(id, pspec)
            }
        }

        fn signals() -> &'static [Signal] {
            static SIGNALS: OnceLock<Vec<Signal>> = OnceLock::new();
            SIGNALS.get_or_init(|| {
                vec![
                    Signal::builder("error")
                        .param_types([PlayerError::static_type()])
                        .build(),
                    Signal::builder("warning")
                        .param_types([String::static_type()])
                        .build(),
                    Signal::builder("eos").build(),
                ]
            })
        }

        fn constructed(&self) {
            self.parent_constructed();
            self.volume.set(1.0);
            self.rate.set(1.0);
            self.audio_enabled.set(true);
        }

        fn dispose(&self) {
            self.teardown();
        }
    }

    impl Player {
        fn set_uri(&self, uri: Option<String>) {
            self.teardown();
            self.uri.replace(uri.clone());
            let obj = self.obj();
            obj.notify_uri();
            self.set_title(None);
            self.set_u64(&self.position, 0, "position");
            self.set_u64(&self.duration, 0, "duration");
            if let Some(uri) = uri {
                let fallback = display_name(&uri);
                let fallback = fallback.rsplit('/').next().unwrap_or(&fallback).to_string();
                self.set_title(Some(fallback));
                self.open_attempts.set(0);
                self.load(&uri);
            }
        }

        fn load(&self, uri: &str) {
            self.missing.borrow_mut().clear();
            self.prerolled.set(false);
            self.played.set(PlayedTime::default());
            self.segment_start.set(gst::ClockTime::ZERO);
            self.stats_base.set((0, 0));
            self.stats_last.set((0, 0));
            if let Err(e) = precheck(uri) {
                self.fail_later(e);
                return;
            }
            let audio = if !self.audio_enabled.get() {
                AudioOutput::Disabled
            } else if crate::engine::audio::device_available() {
                AudioOutput::Device
            } else {
                AudioOutput::Fake
            };
            let mut video = self.video_mode.get().output();
            if video == VideoOutput::Paintable(VideoPath::Gl)
                && !crate::engine::glprobe::probe().available()
            {
                self.warn("OpenGL is not available here, so video uses the software path.".into());
                video = VideoOutput::Paintable(VideoPath::Software);
            }
            let spec = PipelineSpec {
                playbin: Playbin::for_uri(uri),
                uri: uri.to_string(),
                video,
                audio,
            };
            tracing::debug!(pipeline = %spec.to_launch(), "building");
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
            let paintable = built
                .video_sink
                .as_ref()
                .filter(|s| s.find_property("paintable").is_some())
                .map(|s| s.property::<gdk::Paintable>("paintable"));
            self.paintable.replace(paintable);
            self.obj().notify_paintable();
            built.pipeline.set_property("volume", self.volume.get());
            built.pipeline.set_property("mute", self.muted.get());

            let bus = built.pipeline.bus().expect("a pipeline always has a bus");
            let weak = self.obj().downgrade();
            let pipeline_obj = built.pipeline.clone().upcast::<gst::Object>();
            let watch = bus.add_watch_local(move |_, msg| {
                if let (Some(player), Some(event)) =
                    (weak.upgrade(), map_message(msg, &pipeline_obj))
                {
                    player.imp().handle(event);
                }
                glib::ControlFlow::Continue
            });
            match watch {
                Ok(guard) => {
                    self.bus_watch.replace(Some(guard));
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
            self.video_sink.replace(built.video_sink);
            self.size_filter.replace(built.size_filter);
            self.pipeline.replace(Some(built.pipeline));
            self.set_state(PlayerState::Loading);
            self.apply_target();
            self.open_attempts.set(self.open_attempts.get() + 1);
            if uri.starts_with("file:") {
                self.watch_open(uri.to_string());
            }
        }

        /// A local file prerolls in well under a second. GStreamer 1.22's
        /// playbin3 occasionally stalls opening some files (measured: about one
        /// open in five of the corpus's mse.mp4, with gst-launch-1.0 too), so a
        /// stalled open is retried from scratch and reported if it keeps stalling.
        fn watch_open(&self, uri: String) {
            let weak = self.obj().downgrade();
            let handle = glib::MainContext::ref_thread_default().spawn_local(async move {
                glib::timeout_future(OPEN_STALL_TIMEOUT).await;
                let Some(player) = weak.upgrade() else { return };
                let imp = player.imp();
                if imp.prerolled.get() || imp.pipeline.borrow().is_none() || imp.buffering.get() {
                    return;
                }
                imp.open_watchdog.take();
                if imp.open_attempts.get() >= OPEN_ATTEMPTS {
                    let name = display_name(&uri);
                    imp.fail(PlayerError::new(
                        ErrorKind::Other,
                        format!("“{name}” did not finish opening after {OPEN_ATTEMPTS} tries; it may be damaged or need a plugin that is not installed."),
                        format!("preroll stalled for {OPEN_STALL_TIMEOUT:?} on each try"),
                    ));
                    return;
                }
                tracing::warn!(uri = %display_name(&uri), "opening stalled; retrying");
                let (want_playing, pending_seek) = (imp.want_playing.get(), imp.pending_seek.get());
                imp.teardown();
                imp.want_playing.set(want_playing);
                imp.pending_seek.set(pending_seek);
                imp.load(&uri);
            });
            if let Some(old) = self.open_watchdog.replace(Some(handle)) {
                old.abort();
            }
        }

        /// Stops and drops the pipeline, keeping the URI.
        pub fn teardown(&self) {
            if let Some(handle) = self.ticker.take() {
                handle.abort();
            }
            if let Some(handle) = self.open_watchdog.take() {
                handle.abort();
            }
            if self.state.get() == PlayerState::Playing {
                self.query_position();
            }
            self.sample_stats();
            self.close_played_segment(false);
            self.bus_watch.take();
            if let Some(p) = self.pipeline.take() {
                let _ = p.set_state(gst::State::Null);
            }
            self.video_sink.take();
            self.size_filter.take();
            self.want_playing.set(false);
            self.buffering.set(false);
            self.pending_seek.set(None);
        }

        /// Fails now (state `error`) but emits the signal from the main loop, so
        /// a caller that has just called `open` can still connect to it.
        fn fail_later(&self, error: PlayerError) {
            self.set_state(PlayerState::Error);
            let weak = self.obj().downgrade();
            glib::MainContext::ref_thread_default().spawn_local(async move {
                if let Some(player) = weak.upgrade() {
                    player.imp().fail(error);
                }
            });
        }

        fn fail(&self, error: PlayerError) {
            tracing::warn!(
                kind = error.kind.nick(),
                "{} [{}]",
                error.message,
                error.detail
            );
            self.teardown();
            self.set_state(PlayerState::Error);
            self.obj().emit_by_name::<()>("error", &[&error]);
        }

        pub fn set_state(&self, state: PlayerState) {
            if self.state.replace(state) != state {
                self.obj().notify_state();
            }
        }

        fn set_u64(&self, cell: &Cell<u64>, value: u64, name: &str) {
            if cell.replace(value) != value {
                self.obj().notify(name);
            }
        }

        fn set_title(&self, title: Option<String>) {
            if *self.title.borrow() != title {
                self.title.replace(title);
                self.obj().notify_title();
            }
        }

        pub fn apply_target(&self) {
            let Some(pipeline) = self.pipeline.borrow().clone() else {
                return;
            };
            let mut target = if self.want_playing.get() {
                gst::State::Playing
            } else {
                gst::State::Paused
            };
            // Hold in PAUSED while buffering or until a pending seek is applied.
            if target == gst::State::Playing
                && (self.buffering.get() || self.pending_seek.get().is_some())
            {
                target = gst::State::Paused;
            }
            self.sample_stats();
            if pipeline.set_state(target).is_err() {
                tracing::debug!(
                    "state change to {target:?} failed; an error message follows on the bus"
                );
            }
        }

        fn handle(&self, event: BusEvent) {
            match event {
                BusEvent::Error {
                    error,
                    debug,
                    source,
                } => {
                    let uri = self.uri.borrow().clone().unwrap_or_default();
                    let missing = self.missing.borrow().clone();
                    if self.is_missing_subtitle_only(&missing, &source) {
                        self.warn(format!("Subtitles cannot be shown: the {} is not installed; audio and video keep playing.", missing.join(", ")));
                        return;
                    }
                    self.fail(classify(
                        &error,
                        &format!("{source}: {debug}"),
                        &uri,
                        &missing,
                    ));
                }
                BusEvent::Warning(text) => self.warn(text),
                BusEvent::MissingPlugin(desc) => {
                    let subtitle = is_subtitle_description(&desc);
                    self.missing.borrow_mut().push(desc.clone());
                    if subtitle {
                        self.warn(format!("Subtitles cannot be shown: the {desc} is not installed; audio and video keep playing."));
                    } else {
                        self.warn(format!("The {desc} is not installed, so that stream cannot be played; install the GStreamer plugin that provides it."));
                    }
                }
                BusEvent::Eos => self.on_eos(),
                BusEvent::StateChanged { new, .. } => self.on_pipeline_state(new),
                BusEvent::AsyncDone => self.on_async_done(),
                BusEvent::Buffering(percent) => {
                    let buffering = percent < 100;
                    if self.buffering.replace(buffering) != buffering {
                        if buffering {
                            self.set_state(PlayerState::Buffering);
                        }
                        self.apply_target();
                    }
                }
                BusEvent::DurationChanged => self.query_duration(),
                BusEvent::Tags(tags) => {
                    if let Some(title) = tags.get::<gst::tags::Title>() {
                        let title = title.get().trim().to_string();
                        if !title.is_empty() {
                            self.set_title(Some(title));
                        }
                    }
                }
                BusEvent::StreamCollection {
                    encrypted: Some(media_type),
                } => {
                    let name = display_name(&self.uri.borrow().clone().unwrap_or_default());
                    self.fail(PlayerError::new(
                        ErrorKind::Encrypted,
                        format!("“{name}” is encrypted ({media_type} under DRM) and Framescope has no decryption support; play an unencrypted copy."),
                        format!("stream caps carry encryption: original media type {media_type}"),
                    ));
                }
                BusEvent::StreamCollection { encrypted: None } => {}
                BusEvent::StreamsSelected { video, audio } => {
                    let audio = audio && self.audio_enabled.get();
                    let video = video && self.video_mode.get() != VideoMode::Disabled;
                    if self.has_video.replace(video) != video {
                        self.obj().notify_has_video();
                    }
                    if self.has_audio.replace(audio) != audio {
                        self.obj().notify_has_audio();
                    }
                }
                BusEvent::ClockLost => {
                    if let Some(p) = self.pipeline.borrow().clone() {
                        let _ = p.set_state(gst::State::Paused);
                        let _ = p.set_state(gst::State::Playing);
                    }
                }
            }
        }

        /// True when every missing plugin is a subtitle decoder and the error
        /// comes from the subtitle branch: playback can go on without it.
        fn is_missing_subtitle_only(&self, missing: &[String], source: &str) -> bool {
            !missing.is_empty()
                && missing.iter().all(|m| is_subtitle_description(m))
                && (self.has_video.get()
                    || self.has_audio.get()
                    || source.contains("text")
                    || source.contains("decodebin"))
        }

        fn warn(&self, text: String) {
            tracing::info!("warning: {text}");
            self.obj().emit_by_name::<()>("warning", &[&text]);
        }

        fn on_eos(&self) {
            if !self.prerolled.get() {
                self.update_stream_presence();
            }
            let position = self
                .pipeline
                .borrow()
                .as_ref()
                .and_then(|p| p.query_position::<gst::ClockTime>());
            let nothing_played = self.duration_query().is_none_or(|d| d.is_zero())
                && position.is_none_or(|p| p.is_zero())
                && self.position.get() == 0;
            if (!self.has_video.get() && !self.has_audio.get()) || nothing_played {
                let name = display_name(&self.uri.borrow().clone().unwrap_or_default());
                self.fail(PlayerError::new(
                    ErrorKind::NotMedia,
                    format!("“{name}” contains no audio or video that could be decoded; it may be damaged or empty."),
                    "end of stream before any stream was found",
                ));
                return;
            }
            self.close_played_segment(true);
            if self.looping.get() {
                self.segment_start.set(gst::ClockTime::ZERO);
                if let Some(p) = self.pipeline.borrow().clone() {
                    let _ = p.seek(
                        self.rate.get(),
                        gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE,
                        gst::SeekType::Set,
                        gst::ClockTime::ZERO,
                        gst::SeekType::None,
                        gst::ClockTime::NONE,
                    );
                }
                return;
            }
            self.want_playing.set(false);
            self.apply_target();
            if let Some(d) = self.duration_query() {
                self.set_u64(&self.position, d.nseconds(), "position");
            }
            self.set_state(PlayerState::Paused);
            self.obj().emit_by_name::<()>("eos", &[]);
        }

        fn on_pipeline_state(&self, new: gst::State) {
            if new == gst::State::Playing {
                self.start_ticker();
            }
            self.update_public_state();
        }

        fn on_async_done(&self) {
            if !self.prerolled.replace(true) {
                self.update_stream_presence();
                self.query_duration();
                self.update_video_size();
                if let Some(p) = self.pipeline.borrow().as_ref() {
                    let mut q = gst::query::Seeking::new(gst::Format::Time);
                    let seekable = p.query(&mut q) && q.result().0;
                    if self.seekable.replace(seekable) != seekable {
                        self.obj().notify_seekable();
                    }
                }
                // A rate chosen before loading is applied with the first seek.
                if self.rate.get() != 1.0 && self.pending_seek.get().is_none() {
                    let here = self
                        .pipeline
                        .borrow()
                        .as_ref()
                        .and_then(|p| p.query_position::<gst::ClockTime>());
                    self.pending_seek
                        .set(Some(here.unwrap_or(gst::ClockTime::ZERO)));
                }
            }
            if let Some(target) = self.pending_seek.take() {
                self.do_seek(target, true);
                return;
            }
            // The segment our seek (or the load) started is now running.
            self.update_played(|p| p.open());
            self.query_position();
            self.apply_target();
            self.update_public_state();
        }

        fn update_public_state(&self) {
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

        fn start_ticker(&self) {
            if self.ticker.borrow().is_some() {
                return;
            }
            let weak = self.obj().downgrade();
            let handle = glib::MainContext::ref_thread_default().spawn_local(async move {
                loop {
                    glib::timeout_future(Duration::from_millis(50)).await;
                    let Some(player) = weak.upgrade() else { break };
                    player.imp().query_position();
                    player.imp().sample_stats();
                    player.imp().sample_played();
                }
            });
            if let Some(old) = self.ticker.replace(Some(handle)) {
                old.abort();
            }
        }

        pub fn query_position(&self) {
            let pos = self
                .pipeline
                .borrow()
                .as_ref()
                .and_then(|p| p.query_position::<gst::ClockTime>());
            if let Some(pos) = pos {
                self.set_u64(&self.position, pos.nseconds(), "position");
            }
            if self.duration.get() == 0 {
                self.query_duration();
            }
        }

        fn duration_query(&self) -> Option<gst::ClockTime> {
            self.pipeline
                .borrow()
                .as_ref()
                .and_then(|p| p.query_duration::<gst::ClockTime>())
        }

        fn query_duration(&self) {
            if let Some(d) = self.duration_query() {
                self.set_u64(&self.duration, d.nseconds(), "duration");
            }
        }

        /// For `playbin` (which posts no stream messages): whether video and
        /// audio streams exist, from its `n-video` and `n-audio` counts.
        fn update_stream_presence(&self) {
            let Some(p) = self.pipeline.borrow().clone() else {
                return;
            };
            if p.find_property("n-video").is_none() {
                return;
            }
            let video =
                p.property::<i32>("n-video") > 0 && self.video_mode.get() != VideoMode::Disabled;
            let audio = p.property::<i32>("n-audio") > 0 && self.audio_enabled.get();
            self.handle(BusEvent::StreamsSelected { video, audio });
        }

        fn update_video_size(&self) {
            // The chain's own input: the decoded size, before any scaling.
            let caps = self
                .video_sink
                .borrow()
                .as_ref()
                .and_then(|s| s.parent())
                .and_then(|bin| bin.downcast::<gst::Element>().ok())
                .and_then(|bin| bin.static_pad("sink"))
                .and_then(|pad| pad.current_caps());
            let size = caps
                .and_then(|c| gst_video::VideoInfo::from_caps(&c).ok())
                .map(|info| VideoSize {
                    width: info.width(),
                    height: info.height(),
                    par_n: info.par().numer() as u32,
                    par_d: info.par().denom() as u32,
                });
            if self.video_size.replace(size) != size {
                self.obj().notify_video_size();
            }
            if size.is_some() && !self.has_video.replace(true) {
                self.obj().notify_has_video();
            }
            self.apply_render_size();
        }

        fn update_played(&self, f: impl FnOnce(&mut PlayedTime)) {
            let mut played = self.played.get();
            f(&mut played);
            self.played.set(played);
        }

        /// Records how far the pipeline's running time has got in this
        /// segment: the clock's while playing, the time it paused at otherwise.
        pub fn sample_played(&self) {
            let Some(p) = self.pipeline.borrow().clone() else {
                return;
            };
            let running = if p.current_state() == gst::State::Playing {
                p.current_running_time()
            } else {
                p.start_time()
            };
            if let Some(running) = running {
                self.update_played(|played| played.observe(running));
            }
        }

        /// Ends the played segment before a flushing seek, a teardown or at end
        /// of stream; there (`at_end`) it counts no more than the running time
        /// from the segment's start to the end of the media.
        fn close_played_segment(&self, at_end: bool) {
            self.sample_played();
            let rate = self.rate.get().abs().max(1e-3);
            let limit = at_end
                .then(|| self.duration_query())
                .flatten()
                .map(|d| d.saturating_sub(self.segment_start.get()))
                .map(|left| gst::ClockTime::from_nseconds((left.nseconds() as f64 / rate) as u64));
            self.update_played(|played| played.close(limit));
        }

        pub fn do_seek(&self, target: gst::ClockTime, accurate: bool) {
            let Some(p) = self.pipeline.borrow().clone() else {
                return;
            };
            if !self.prerolled.get() {
                self.pending_seek.set(Some(target));
                return;
            }
            let flags = gst::SeekFlags::FLUSH
                | if accurate {
                    gst::SeekFlags::ACCURATE
                } else {
                    gst::SeekFlags::KEY_UNIT | gst::SeekFlags::SNAP_NEAREST
                };
            self.sample_stats();
            self.close_played_segment(false);
            let result = p.seek(
                self.rate.get(),
                flags,
                gst::SeekType::Set,
                target,
                gst::SeekType::None,
                gst::ClockTime::NONE,
            );
            match result {
                Ok(()) => {
                    self.segment_start.set(target);
                    self.set_u64(&self.position, target.nseconds(), "position");
                }
                Err(_) => self.warn(format!(
                    "Seeking is not possible in “{}”.",
                    display_name(&self.uri.borrow().clone().unwrap_or_default())
                )),
            }
        }

        fn set_volume(&self, volume: f64) {
            let volume = volume.clamp(0.0, 1.0);
            if self.volume.replace(volume) != volume {
                if let Some(p) = self.pipeline.borrow().as_ref() {
                    p.set_property("volume", volume);
                }
                self.obj().notify_volume();
            }
        }

        fn set_muted(&self, muted: bool) {
            if self.muted.replace(muted) != muted {
                if let Some(p) = self.pipeline.borrow().as_ref() {
                    p.set_property("mute", muted);
                }
                self.obj().notify_muted();
            }
        }

        fn set_rate(&self, rate: f64) {
            if self.rate.replace(rate) == rate {
                return;
            }
            self.obj().notify_rate();
            if self.prerolled.get() {
                let pos = gst::ClockTime::from_nseconds(self.position.get());
                self.do_seek(pos, true);
            }
        }

        /// Points the software chain's capsfilter at the size the picture is
        /// shown at, so frames are scaled down before conversion and upload.
        pub fn apply_render_size(&self) {
            let Some(filter) = self.size_filter.borrow().clone() else {
                return;
            };
            let Some(size) = *self.video_size.borrow() else {
                return;
            };
            let fitted = crate::engine::spec::fitted_size(
                size.width,
                size.height,
                (size.par_n, size.par_d),
                self.render_size.get(),
            );
            let caps = match fitted {
                Some((w, h)) => gst::Caps::builder("video/x-raw")
                    .field("width", w as i32)
                    .field("height", h as i32)
                    .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
                    .build(),
                None => gst::Caps::new_empty_simple("video/x-raw"),
            };
            if filter.property::<gst::Caps>("caps") != caps {
                tracing::debug!(%caps, "render size");
                filter.set_property("caps", &caps);
            }
        }

        /// Folds the video sink's counters into the running totals, noticing
        /// when the sink has reset them since the last sample.
        pub fn sample_stats(&self) -> (u64, u64) {
            let current = self.video_sink.borrow().as_ref().map(sink_stats);
            let (mut base, last) = (self.stats_base.get(), self.stats_last.get());
            if let Some(current) = current {
                if current.0 < last.0 || current.1 < last.1 {
                    base = (base.0 + last.0, base.1 + last.1);
                    self.stats_base.set(base);
                }
                self.stats_last.set(current);
                (base.0 + current.0, base.1 + current.1)
            } else {
                (base.0 + last.0, base.1 + last.1)
            }
        }

        pub fn played(&self) -> gst::ClockTime {
            self.sample_played();
            self.played.get().total()
        }
    }

    fn is_subtitle_description(desc: &str) -> bool {
        let d = desc.to_lowercase();
        [
            "subtitle",
            "webvtt",
            "text",
            "vtt",
            "ssa",
            "srt",
            "timed text",
        ]
        .iter()
        .any(|s| d.contains(s))
    }

    pub fn sink_stats(sink: &gst::Element) -> (u64, u64) {
        if sink.find_property("stats").is_none() {
            return (0, 0);
        }
        let stats = sink.property::<gst::Structure>("stats");
        (
            stats.get::<u64>("rendered").unwrap_or(0),
            stats.get::<u64>("dropped").unwrap_or(0),
        )
    }
}

glib::wrapper! {
    /// Plays one media item. Usable without any widget: give it a URI, call
    /// [`Player::play`], watch its properties and signals.
    pub struct Player(ObjectSubclass<imp::Player>);
}

impl Default for Player {
    fn default() -> Self {
        Self::new()
    }
}

impl Player {
    /// Whether playback restarts at the beginning at end of stream.
    pub fn is_looping(&self) -> bool {
        self.property("loop")
    }

    /// Sets whether playback restarts at the beginning at end of stream.
    pub fn set_looping(&self, looping: bool) {
        self.set_property("loop", looping)
    }

    /// Creates a player with the default (auto) video mode.
    pub fn new() -> Self {
        glib::Object::new()
    }

    /// Creates a player that decodes video into a fakesink: for headless use.
    pub fn headless() -> Self {
        glib::Object::builder()
            .property("video-mode", VideoMode::Headless)
            .build()
    }

    /// Loads a path or URI (paths are turned into `file://` URIs).
    pub fn open(&self, path_or_uri: &str) {
        self.set_uri(Some(to_uri(path_or_uri)));
    }

    /// Starts or resumes playback.
    pub fn play(&self) {
        let imp = self.imp();
        if imp.pipeline.borrow().is_none() {
            match self.uri() {
                Some(uri) if self.state() == PlayerState::Stopped => self.set_uri(Some(uri)),
                _ => return,
            }
        }
        if self.state() == PlayerState::Error {
            return;
        }
        imp.want_playing.set(true);
        imp.apply_target();
    }

    /// Pauses on the current frame.
    pub fn pause(&self) {
        let imp = self.imp();
        if imp.pipeline.borrow().is_some() {
            imp.want_playing.set(false);
            imp.apply_target();
        }
    }

    /// Plays when paused, pauses when playing.
    pub fn toggle_play(&self) {
        if self.imp().want_playing.get() {
            self.pause()
        } else {
            self.play()
        }
    }

    /// Stops and releases the pipeline; `play` starts again from the beginning.
    pub fn stop(&self) {
        let imp = self.imp();
        imp.teardown();
        imp.set_state(PlayerState::Stopped);
        if self.position() != 0 {
            imp.position.set(0);
            self.notify_position();
        }
    }

    /// Seeks to `position` (accurate: to the exact frame; otherwise to the
    /// nearest keyframe). Before the media is loaded, the seek is applied once
    /// it is.
    pub fn seek(&self, position: gst::ClockTime, accurate: bool) {
        self.imp().do_seek(position, accurate);
    }

    /// Seeks by `delta_ns` nanoseconds from the current position, clamped to the media.
    pub fn seek_by(&self, delta_ns: i64) {
        let mut target = self.position().saturating_add_signed(delta_ns);
        if self.duration() > 0 {
            target = target.min(self.duration());
        }
        self.seek(gst::ClockTime::from_nseconds(target), true);
    }

    /// Current playback statistics.
    pub fn stats(&self) -> PlaybackStats {
        let imp = self.imp();
        let (rendered, dropped) = imp.sample_stats();
        PlaybackStats {
            rendered,
            dropped,
            played_seconds: imp.played().nseconds() as f64 / 1e9,
            video_path: match self.video_mode() {
                VideoMode::Headless | VideoMode::Disabled => None,
                _ => Some(self.video_path()),
            },
        }
    }

    /// Tells the player the size, in device pixels, its picture is shown at.
    /// On the software path frames larger than that are scaled down before
    /// conversion and upload; `(0, 0)` (the default) means native size.
    pub fn set_render_size(&self, width: u32, height: u32) {
        let imp = self.imp();
        if imp.render_size.replace((width, height)) != (width, height) {
            imp.apply_render_size();
        }
    }

    /// The pipeline description that loading `uri` would build now.
    pub fn describe_pipeline(&self, uri: &str) -> String {
        let audio = if !self.audio_enabled() {
            AudioOutput::Disabled
        } else if crate::engine::audio::device_available() {
            AudioOutput::Device
        } else {
            AudioOutput::Fake
        };
        PipelineSpec {
            playbin: Playbin::for_uri(uri),
            uri: uri.to_string(),
            video: self.video_mode().output(),
            audio,
        }
        .to_launch()
    }

    /// The running pipeline, for inspection (graph dumps, statistics).
    pub fn pipeline(&self) -> Option<gst::Pipeline> {
        self.imp().pipeline.borrow().clone()
    }

    /// Connects to `error`: playback failed; the error says why.
    pub fn connect_error<F: Fn(&Self, &PlayerError) + 'static>(
        &self,
        f: F,
    ) -> glib::SignalHandlerId {
        self.connect_local("error", false, move |args| {
            let player = args[0].get::<Self>().ok()?;
            let error = args[1].get::<PlayerError>().ok()?;
            f(&player, &error);
            None
        })
    }

    /// Connects to `warning`: something is degraded but playback goes on.
    pub fn connect_warning<F: Fn(&Self, &str) + 'static>(&self, f: F) -> glib::SignalHandlerId {
        self.connect_local("warning", false, move |args| {
            let player = args[0].get::<Self>().ok()?;
            let text = args[1].get::<String>().ok()?;
            f(&player, &text);
            None
        })
    }

    /// Connects to `eos`: the media played to its end (not emitted while looping).
    pub fn connect_eos<F: Fn(&Self) + 'static>(&self, f: F) -> glib::SignalHandlerId {
        self.connect_local("eos", false, move |args| {
            let player = args[0].get::<Self>().ok()?;
            f(&player);
            None
        })
    }
}
