//! The `Player` GObject: one media item through a playbin pipeline built
//! from a [`PipelineSpec`]. State is exposed as properties (`state`,
//! `position`, the frame on screen, `rate`, the loop points, …) and outcomes
//! as signals (`error`, `warning`, `eos`). Bus messages are handled on the
//! thread-default main context with a weak reference, so a dropped player
//! stops its pipeline and leaks nothing.
//!
//! The object is split by concern: this file holds the GObject definition and
//! the public API; [`lifecycle`] loads and tears down pipelines; [`events`]
//! turns bus events into state; [`measure`] reads positions and statistics;
//! [`timing`] does seeks, frame steps, rate changes, loops and offsets, and
//! [`backstep`] keeps the decoded frames that make stepping backward cheap.
//!
//! # The concurrency rule
//!
//! The main thread never makes a call that can wait for a streaming thread.
//! Streaming threads hold element locks while they wait for other things
//! (a full queue, a pad's activation, the main loop itself, which
//! `gtk4paintablesink` hands work to), so a main thread that waits for one
//! of those locks can wait for good. Each kind of call is made safe so:
//!
//! - **Property reads and writes on `playbin`/`playbin3`, queries
//!   (position, duration, seeking, latency), seeks, steps, stream
//!   selection and state changes** go through the pipeline's
//!   [`Gate`](crate::engine::gate::Gate) once the pipeline has left `NULL`
//!   (`calls.rs`): writes and state changes are queued and not waited for;
//!   reads wait [`ASK_TIMEOUT`](crate::engine::gate::ASK_TIMEOUT) at most,
//!   once per stuck call, and then the cached value stands.
//! - **What the UI shows** (state, tracks of `playbin3`, chapters, tags,
//!   buffering, errors) is cached from bus messages, handled on the main
//!   context (`events`); stream collections come in those messages.
//! - **Building** a pipeline (properties set while it is in `NULL`) is
//!   direct: no streaming thread exists yet.
//! - **Teardown** (the state change to `NULL` that joins the streaming
//!   threads) runs on the [`reaper`](crate::engine::reaper), never here.
//! - **Reads that only take an object lock for a moment** are direct: the
//!   video sink's `last-sample` and `stats`, an element's current or
//!   pending state, caps on a pad, the adaptive demuxer's bandwidth.
//! - Streaming threads never wait for the main thread: what they report
//!   goes through the bus or `MainContext::invoke`, never a blocking call.
//!
//! The storm test (`tests/storm.rs`) drives random sequences of the whole
//! public API a few milliseconds apart and fails when the main loop stands
//! still for 5 s; run it after every change here.

mod backstep;
mod calls;
mod chapters;
mod events;
mod lifecycle;
mod live;
mod measure;
mod playlist;
mod timing;
mod tracks;
mod variants;
mod watchdog;

use crate::engine::bitrate::BitrateMeter;
use crate::engine::error::PlayerError;
use crate::engine::frameindex::FrameIndex;
use crate::engine::log;
use crate::engine::looping::AbLoop;
use crate::engine::playlist::{EndAction, PlaylistItem, Repeat};
use crate::engine::seek::{Request, SeekMode, SeekQueue};
use crate::engine::spec::{PipelineSpec, Playbin, VideoPath};
use crate::engine::stats::{PlaybackStats, PlayedTime, StreamDetails};
pub(crate) use crate::engine::types::{PlayerState, VideoMode, VideoSize};
pub(crate) use crate::engine::uri::to_uri;
use glib::prelude::*;
use glib::subclass::prelude::*;
pub use lifecycle::pipelines_in_use;
pub use timing::OFFSET_STEP;
pub use watchdog::backoff;

/// Nanoseconds as a property value: -1 for "unknown".
fn ns_or_unset(t: Option<gst::ClockTime>) -> i64 {
    t.map_or(-1, |t| t.nseconds() as i64)
}

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
        /// Stream position in nanoseconds: while paused, the PTS of the frame
        /// on screen; while playing, the pipeline clock through the segment.
        #[property(get)]
        pub position: Cell<u64>,
        /// Duration in nanoseconds; 0 when unknown (live or unindexed streams).
        #[property(get)]
        pub duration: Cell<u64>,
        /// Whether the media can be seeked.
        #[property(get)]
        pub seekable: Cell<bool>,
        /// Linear volume, 0.0 to 1.0: values outside are brought to the
        /// nearer end; not-a-number is refused with a `warning`.
        #[property(get, set = Self::set_volume, minimum = 0.0, maximum = 1.0, default = 1.0, lax_validation)]
        pub volume: Cell<f64>,
        /// Whether audio is muted.
        #[property(get, set = Self::set_muted)]
        pub muted: Cell<bool>,
        /// Playback rate: 1.0 is normal speed, negative plays backwards.
        /// Magnitudes from 1/16 to 16 are accepted; anything else (0,
        /// infinities and not-a-number included) is refused with a
        /// `warning` and the rate stays.
        #[property(get, set = Self::set_rate, minimum = f64::NEG_INFINITY, maximum = f64::INFINITY, default = 1.0, lax_validation)]
        pub rate: Cell<f64>,
        /// Whether playback restarts at the beginning at end of stream. A
        /// loop set before the media starts playing is seamless (segment
        /// seeks).
        #[property(get, set = Self::set_looping, explicit_notify)]
        pub r#loop: Cell<bool>,
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
        /// PTS (stream time, ns) of the frame on screen, as the demuxer gave
        /// it; -1 when no video frame is shown.
        #[property(get, minimum = -1, default = -1)]
        pub frame_pts: Cell<i64>,
        /// Duration (ns) of the frame on screen; -1 when unknown.
        #[property(get, minimum = -1, default = -1)]
        pub frame_duration: Cell<i64>,
        /// Number of the frame on screen counted from the first frame (0);
        /// -1 when the frame rate is not constant or nothing is shown.
        #[property(get, minimum = -1, default = -1)]
        pub frame_number: Cell<i64>,
        /// How `seek` lands when no mode is given.
        #[property(get, set, builder(SeekMode::Accurate))]
        pub seek_mode: Cell<SeekMode>,
        /// A-B loop start (stream time, ns); -1 (or any negative) when unset.
        #[property(get, set = Self::set_loop_a, minimum = -1, default = -1, lax_validation)]
        pub loop_a: Cell<i64>,
        /// A-B loop end (stream time, ns, exclusive); -1 when unset. With
        /// both set, playback loops between them without a gap.
        #[property(get, set = Self::set_loop_b, minimum = -1, default = -1, lax_validation)]
        pub loop_b: Cell<i64>,
        /// Audio delay relative to video in ns (positive: audio later),
        /// applied by the pipeline and kept across media; -10 s to 10 s
        /// (values beyond are brought to the nearer end).
        #[property(get, set = Self::set_av_offset, minimum = -10_000_000_000, maximum = 10_000_000_000, lax_validation)]
        pub av_offset: Cell<i64>,
        /// An external subtitle file (SRT, ASS/SSA, WebVTT… as a URI or path)
        /// shown with the current media, chosen as its subtitle track;
        /// setting it reloads the media where it is. Cleared by new media.
        #[property(get, set = Self::set_subtitle_file, nullable)]
        pub subtitle_file: RefCell<Option<String>>,
        /// Video pixels by which subtitle text is raised above where
        /// GStreamer draws it (a host lifts it clear of its own controls).
        #[property(get, set = Self::set_subtitle_lift, default = 0)]
        pub subtitle_lift: Cell<u32>,
        /// The font subtitles are drawn in, as a Pango description such as
        /// `Sans Bold 28` (none: GStreamer's default); applies at once.
        #[property(get, set = Self::set_subtitle_font, nullable)]
        pub subtitle_font: RefCell<Option<String>>,
        /// Subtitle delay relative to video in ns (positive: later), kept
        /// across media; -10 s to 10 s (values beyond are brought to the
        /// nearer end).
        #[property(get, set = Self::set_subtitle_offset, minimum = -10_000_000_000, maximum = 10_000_000_000, lax_validation)]
        pub subtitle_offset: Cell<i64>,
        /// Frames the video sink rendered (updated with each `stats` signal).
        #[property(get)]
        pub frames_rendered: Cell<u64>,
        /// Frames the video sink dropped as late (updated with `stats`).
        #[property(get)]
        pub frames_dropped: Cell<u64>,
        /// Frames skipped before the sink for lateness, from QoS messages
        /// (updated with `stats`).
        #[property(get)]
        pub frames_late: Cell<u64>,
        /// Encoded bitrate at the position in bits/s; -1 when unknown
        /// (updated with `stats`).
        #[property(get, minimum = -1.0, default = -1.0)]
        pub bitrate: Cell<f64>,
        /// The last buffering level in percent; -1 when the source never
        /// buffered (updated with `stats`).
        #[property(get, minimum = -1, maximum = 100, default = -1)]
        pub buffering_percent: Cell<i32>,
        /// Pipeline latency in ns for live sources; -1 otherwise (updated
        /// with `stats`).
        #[property(get, minimum = -1, default = -1)]
        pub latency: Cell<i64>,
        /// The latency asked of live network sources, in ms (RTSP's and
        /// SRT's receive buffer; RTSP also drops what comes later than
        /// that); -1 leaves each source its own default (RTSP 2000 ms, SRT
        /// 125 ms). Applies from the next load.
        #[property(get = Self::live_latency_ms, set = Self::set_live_latency_ms, type = i32, minimum = -1, default = -1, lax_validation)]
        pub live_latency_ms: std::sync::Arc<std::sync::atomic::AtomicI32>,
        /// A PEM file of the certificate authorities HTTPS progressive
        /// downloads trust, instead of the system's: for servers with a
        /// private CA. Applies from the next load.
        #[property(get = Self::tls_ca_file, set = Self::set_tls_ca_file, type = Option<String>, nullable)]
        pub tls_ca_file: std::sync::Arc<std::sync::Mutex<Option<String>>>,
        /// Adaptive streams: the download bandwidth the demuxer measures,
        /// in bits/s; -1 otherwise (updated with `stats`).
        #[property(get, minimum = -1.0, default = -1.0)]
        pub bandwidth: Cell<f64>,
        /// Adaptive streams: the variants facet (`variants.rs`). Read-only
        /// property `variants-model`: the variants the manifest lists, a
        /// `gio::ListModel` of [`VariantItem`](crate::engine::VariantItem)s.
        #[property(name = "variants-model", get = Self::variants_model, type = gio::ListModel)]
        pub variants: variants::VariantsState,
        /// The adaptive demuxer of the pipeline, once made (set from the
        /// thread that adds it).
        pub adaptive_demuxer: std::sync::Arc<std::sync::Mutex<Option<gst::Element>>>,
        /// How often, in ms, the `stats` signal is emitted while media is
        /// loaded; 0 stops it; at most 60 000 (more is brought to that).
        #[property(get, set, maximum = 60_000, default = 1000, lax_validation)]
        pub stats_interval: Cell<u32>,
        /// A GStreamer launch description of elements to run on decoded
        /// video before the sink (e.g. `videoflip method=horizontal-flip`,
        /// or `identity sleep-time=50000` to starve playback in a test);
        /// takes effect at the next load. A description that does not parse
        /// is reported as a `warning` and skipped.
        #[property(get, set, nullable)]
        pub video_filter: RefCell<Option<String>>,
        /// Memory the backward-step frame cache may use, in MiB: 16 to
        /// 4096 (values outside are brought to the nearer end).
        #[property(get, set, minimum = 16, maximum = 4096, default = 256, lax_validation)]
        pub frame_cache_mb: Cell<u32>,
        /// A launch description of the sink video goes to instead of the
        /// player's own (e.g. `fakesink sync=true`); takes effect at the next
        /// load. `paintable` is then the sink's own `paintable`, if it has one.
        #[property(name = "video-sink", get, set, nullable)]
        pub host_video_sink: RefCell<Option<String>>,
        /// A launch description of the sink audio goes to instead of the
        /// player's own (e.g. `pulsesink device=…`); takes effect at the next
        /// load. Set `audio-enabled` to false for no audio at all.
        #[property(name = "audio-sink", get, set, nullable)]
        pub host_audio_sink: RefCell<Option<String>>,

        /// The items to play (a `gio::ListModel` of [`PlaylistItem`]); the
        /// playlist facet (`playlist.rs`).
        #[property(get = Self::playlist_store, type = gio::ListStore)]
        pub playlist: playlist::PlaylistState,
        /// The playlist item playing now; -1 when none (e.g. a URI set
        /// directly). Setting it loads that item; an index outside the
        /// playlist (negative, or past its end) leaves no item current.
        #[property(get, set = Self::set_current_index, minimum = -1, default = -1, lax_validation)]
        pub current_index: Cell<i32>,
        /// What repeats when items end (with `end-action` `advance`).
        #[property(get, set = Self::set_repeat, builder(Repeat::None))]
        pub repeat: Cell<Repeat>,
        /// Play the items in a random order (drawn afresh when switched on
        /// or when the list changes; it starts at the item playing).
        #[property(get, set = Self::set_shuffle)]
        pub shuffle: Cell<bool>,
        /// What happens when an item ends.
        #[property(get, set = Self::set_end_action, builder(EndAction::Advance))]
        pub end_action: Cell<EndAction>,
        /// Start the next item without a gap when the format allows (the
        /// pipeline is kept and only the source changes).
        #[property(get, set = Self::set_gapless, default = true)]
        pub gapless: Cell<bool>,
        /// Cleared when the pipeline is torn down: its streaming-thread
        /// hooks (the gapless switch, new decoders' probes, the adaptive
        /// demuxer) then do nothing, however long it takes to stop.
        pub gapless_live: RefCell<std::sync::Arc<std::sync::atomic::AtomicBool>>,

        /// Watchdog: how many times in a row a failed or stalled item is
        /// restarted before the player gives up and reports the error; 0
        /// (the default) turns the watchdog off.
        #[property(get, set, default = 0)]
        pub max_restarts: Cell<u32>,
        /// Watchdog: ms without a new frame (or, for audio, without the
        /// position moving) while playing before the item counts as stalled;
        /// 0 turns stall detection off.
        #[property(get, set, default = 5000)]
        pub stall_timeout: Cell<u32>,
        /// Watchdog: ms before the first restart; each further restart in a
        /// row waits twice as long, up to `restart-delay-max` (0 counts as 1).
        #[property(get, set, minimum = 1, default = 500, lax_validation)]
        pub restart_delay: Cell<u32>,
        /// Watchdog: the longest wait between restarts, in ms (0 counts as 1).
        #[property(get, set, minimum = 1, default = 30_000, lax_validation)]
        pub restart_delay_max: Cell<u32>,
        /// Watchdog: restarts made since the player was created.
        #[property(get)]
        pub restarts: Cell<u32>,
        /// Errors met since the player was created (recovered or not).
        #[property(get)]
        pub errors: Cell<u32>,
        /// Stalls the watchdog detected since the player was created.
        #[property(get)]
        pub stalls: Cell<u32>,
        /// The watchdog's working state.
        pub watchdog: watchdog::WatchdogState,

        /// How many times the current item has been (re)opened.
        pub open_attempts: Cell<u32>,
        /// Retries opening a local file whose preroll stalls.
        pub open_watchdog: RefCell<Option<glib::JoinHandle<()>>>,
        pub pipeline: RefCell<Option<gst::Pipeline>>,
        /// The pipeline's gate: every call into the pipeline once it has
        /// left NULL goes through it (see [`crate::engine::gate`]).
        pub gate: RefCell<Option<crate::engine::gate::Gate>>,
        /// A rate change made while paused, sent as an instant rate change
        /// once the pipeline is told to play (see `set_rate`).
        pub rate_due: Cell<bool>,
        /// Answers the gate gave too late at the first preroll, asked
        /// again from the ticker.
        pub late: Cell<calls::Late>,
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

        /// The chapters facet (`chapters.rs`). Read-only property
        /// `chapters-model`: the media's chapters in time order, a
        /// `gio::ListModel` of [`ChapterItem`](crate::engine::ChapterItem)s.
        #[property(name = "chapters-model", get = Self::chapters_model, type = gio::ListModel)]
        pub chapters: chapters::ChaptersState,
        /// The tracks facet (`tracks.rs`). Read-only property
        /// `tracks-model`: the media's video, audio and subtitle tracks, a
        /// `gio::ListModel` of [`TrackItem`](crate::engine::TrackItem)s.
        #[property(name = "tracks-model", get = Self::tracks_model, type = gio::ListModel)]
        pub tracks: tracks::TracksState,
        /// What the video decoder was fed (true timestamps, keyframes).
        pub index: FrameIndex,
        /// The largest step between frames at the video sink.
        pub frame_steps: crate::engine::framesteps::FrameSteps,
        /// What every decoder was fed, by size: the bitrate.
        pub bitrate_meter: BitrateMeter,
        /// The latest QoS drop count of each element other than the sink.
        pub qos_dropped: RefCell<std::collections::HashMap<String, u64>>,
        /// QoS drops of elements whose segment restarted (their counts reset).
        pub qos_folded: Cell<u64>,
        /// The source is live (it never prerolled).
        pub live: Cell<bool>,
        /// When a source last said it was reconnecting.
        pub reconnect_warned: Cell<Option<std::time::Instant>>,
        /// The last buffering level reported.
        pub last_buffering: Cell<Option<i32>>,
        /// When the `stats` signal was last emitted.
        pub stats_emitted: Cell<Option<std::time::Instant>>,
        /// Seeks and steps: one in flight, one waiting.
        pub queue: RefCell<SeekQueue>,
        /// The frame an in-flight seek must end on, and the corrections made.
        pub settling: Cell<Option<timing::Settling>>,
        /// Forward steps still to make for the request in flight.
        pub steps_left: Cell<i64>,
        /// The frame the forward step in flight started from.
        pub step_from: Cell<Option<gst::ClockTime>>,
        /// Playback reached the end of the stream (until the next flush):
        /// there is no frame to step forward to.
        pub at_eos: Cell<bool>,
        /// Gives up on a request that never completes (a sink that never
        /// prerolls again), so the player cannot stay busy for good.
        pub request_watchdog: RefCell<Option<glib::JoinHandle<()>>>,
        /// The PTS of the first frame (seen at the first preroll).
        pub first_frame: Cell<Option<gst::ClockTime>>,
        /// From loading until the first preroll and any seek waiting for it
        /// are done: the pipeline is held in PAUSED (a `--start` seek must
        /// not let the beginning play).
        pub startup: Cell<bool>,
        /// Video moved by frame steps alone: seek before playing so audio follows.
        pub needs_resync: Cell<bool>,
        /// The A-B loop points.
        pub ab: Cell<AbLoop>,
        /// The current segment loops (it was sought with the SEGMENT flag).
        pub segment_looping: Cell<bool>,
        /// A loop round fell due while paused (for the segment started by
        /// this seek's seqnum); it is sent when the pipeline plays again.
        pub loop_round_due: Cell<Option<Option<gst::Seqnum>>>,
        /// The seqnum of the seek that started the current segment.
        pub segment_seqnum: Cell<Option<gst::Seqnum>>,
        /// A looping segment whose end was reached while its seek was still
        /// settling: the next round is queued once the seek has landed.
        pub segment_finished: Cell<Option<gst::Seqnum>>,
        /// Decoded frames for backward steps, and the one shown from them.
        pub backstep: backstep::BackStep,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Player {
        const NAME: &'static str = "FramescopePlayer";
        type Type = super::Player;
    }

    #[glib::derived_properties]
    impl ObjectImpl for Player {
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
                    Signal::builder("item-ended")
                        .param_types([i32::static_type()])
                        .build(),
                    Signal::builder("item-loading")
                        .param_types([i32::static_type()])
                        .build(),
                    Signal::builder("restarting")
                        .param_types([
                            u32::static_type(),
                            u32::static_type(),
                            String::static_type(),
                        ])
                        .build(),
                    Signal::builder("stats")
                        .param_types([PlaybackStats::static_type()])
                        .build(),
                    Signal::builder("tracks-changed").build(),
                    Signal::builder("chapters-changed").build(),
                    Signal::builder("variants-changed").build(),
                ]
            })
        }

        fn constructed(&self) {
            self.parent_constructed();
            self.volume.set(1.0);
            self.rate.set(1.0);
            self.audio_enabled.set(true);
            self.frame_pts.set(-1);
            self.frame_duration.set(-1);
            self.frame_number.set(-1);
            self.loop_a.set(-1);
            self.loop_b.set(-1);
            self.frame_cache_mb.set(256);
            self.bitrate.set(-1.0);
            self.bandwidth.set(-1.0);
            self.buffering_percent.set(-1);
            self.latency.set(-1);
            self.live_latency_ms
                .store(-1, std::sync::atomic::Ordering::Relaxed);
            self.stats_interval.set(1000);
            self.current_index.set(-1);
            self.gapless.set(true);
            self.stall_timeout.set(5000);
            self.restart_delay.set(500);
            self.restart_delay_max.set(30_000);
            self.watch_playlist();
        }

        fn dispose(&self) {
            self.watchdog.shut_down();
            self.teardown();
        }
    }

    impl Player {
        pub fn set_state(&self, state: PlayerState) {
            if self.state.replace(state) != state {
                self.obj().notify_state();
            }
        }

        pub fn set_u64(&self, cell: &Cell<u64>, value: u64, name: &str) {
            if cell.replace(value) != value {
                self.obj().notify(name);
            }
        }

        pub fn set_i64(&self, cell: &Cell<i64>, value: i64, name: &str) {
            if cell.replace(value) != value {
                self.obj().notify(name);
            }
        }

        pub fn set_title(&self, title: Option<String>) {
            if *self.title.borrow() != title {
                self.title.replace(title);
                self.obj().notify_title();
            }
        }

        /// Emits `warning`: something did not happen or is degraded, but
        /// playback goes on.
        pub fn warn(&self, text: String) {
            // GStreamer's warning texts may name the URI, secrets and all.
            let text = crate::engine::redact::redact_text(&text);
            log::info!("warning: {text}");
            self.obj().emit_by_name::<()>("warning", &[&text]);
        }

        fn set_volume(&self, volume: f64) {
            if volume.is_nan() {
                self.warn(
                    "A volume that is not a number was refused; use a value from 0 (silent) to 1 (full)."
                        .into(),
                );
                // Whatever showed the refused value shows the volume again.
                self.obj().notify_volume();
                return;
            }
            let volume = volume.clamp(0.0, 1.0);
            if self.volume.replace(volume) != volume {
                self.tell(move |p| p.set_property("volume", volume));
                self.obj().notify_volume();
            }
        }

        fn set_muted(&self, muted: bool) {
            if self.muted.replace(muted) != muted {
                self.tell(move |p| p.set_property("mute", muted));
                self.obj().notify_muted();
            }
        }

        /// A display name for the current media, for messages.
        pub fn media_name(&self) -> String {
            crate::engine::error::display_name(&self.uri.borrow().clone().unwrap_or_default())
        }
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

    /// Whether playback restarts at the beginning at end of stream.
    pub fn is_looping(&self) -> bool {
        self.property("loop")
    }

    /// Sets whether playback restarts at the beginning at end of stream. A
    /// loop set before the media starts playing is seamless (segment seeks).
    pub fn set_looping(&self, looping: bool) {
        self.set_property("loop", looping)
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
        imp.start_watchdog();
        imp.resume();
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

    /// Stops and releases the pipeline, leaving no picture (black); `play`
    /// starts again from the beginning.
    pub fn stop(&self) {
        let imp = self.imp();
        imp.watchdog.cancel();
        imp.teardown();
        imp.set_state(PlayerState::Stopped);
        if self.position() != 0 {
            imp.position.set(0);
            self.notify_position();
        }
        imp.clear_frame();
        // Stopped means black: no picture is left on screen, not even one
        // the sink (or a watchdog restart) still holds.
        if imp.paintable.replace(None).is_some() {
            self.notify_paintable();
        }
    }

    /// Seeks to `position` (stream time) in the default `seek-mode`. While
    /// the media is still opening, the seek is applied once it has; with no
    /// media (stopped) it does nothing. Seeks made while one is in flight do
    /// not queue up: the newest replaces any waiting one.
    pub fn seek(&self, position: gst::ClockTime) {
        self.seek_with_mode(position, self.seek_mode());
    }

    /// Seeks to `position` in the given mode (see [`SeekMode`]).
    pub fn seek_with_mode(&self, position: gst::ClockTime, mode: SeekMode) {
        self.imp().request(Request::Seek {
            target: position,
            mode,
        });
    }

    /// Seeks while the user drags a seek bar: to the keyframe at or before
    /// the position (the cheapest seek: one keyframe decoded), at most one
    /// seek in flight, the latest target winning. End the drag with an
    /// accurate [`Player::seek`].
    pub fn scrub(&self, position: gst::ClockTime) {
        self.seek_with_mode(position, SeekMode::SnapBefore);
    }

    /// Seeks by `delta_ns` nanoseconds from the current position, clamped to the media.
    pub fn seek_by(&self, delta_ns: i64) {
        let mut target = self.position().saturating_add_signed(delta_ns);
        if self.duration() > 0 {
            target = target.min(self.duration());
        }
        self.seek(crate::engine::timefmt::clock_time(target));
    }

    /// Steps `frames` frames forward (positive) or backward (negative),
    /// pausing first. Each step shows exactly the next or previous frame;
    /// at the first or last frame a `warning` says so and nothing moves.
    pub fn step(&self, frames: i64) {
        if frames != 0 {
            self.imp().request(Request::Step(frames));
        }
    }

    /// Steps one frame forward.
    pub fn step_forward(&self) {
        self.step(1)
    }

    /// Steps one frame backward.
    pub fn step_backward(&self) {
        self.step(-1)
    }

    /// Sets the rate to the next faster step (0.25× … 4×).
    pub fn faster(&self) {
        self.set_rate(crate::engine::rate::faster(self.rate()));
    }

    /// Sets the rate to the next slower step (0.25× … 4×).
    pub fn slower(&self) {
        self.set_rate(crate::engine::rate::slower(self.rate()));
    }

    /// What the A-B loop key does: set A at the frame on screen, then B at
    /// its end, then clear. A `warning` explains a B before A.
    pub fn cycle_ab_loop(&self) {
        self.imp().cycle_ab_loop();
    }

    /// Removes the A-B loop.
    pub fn clear_ab_loop(&self) {
        self.set_loop_a(-1);
        self.set_loop_b(-1);
    }

    /// The decoded frame on screen (a cached frame after a backward step,
    /// otherwise the video sink's last sample). In headless mode this is
    /// how to look at the picture.
    pub fn current_frame(&self) -> Option<gst::Sample> {
        self.imp().current_sample()
    }

    /// The PTS of the first frame, once the media has prerolled.
    pub fn first_frame_pts(&self) -> Option<gst::ClockTime> {
        self.imp().first_frame.get()
    }

    /// What the video decoder has been fed so far: true timestamps and
    /// keyframes (for keyframe marks and inspection).
    pub fn frame_index(&self) -> FrameIndex {
        self.imp().index.clone()
    }

    /// How many times backward steps decoded a run of frames (back to a
    /// keyframe) into the step cache; steps served from the cache add nothing.
    pub fn stats_step_cache_fills(&self) -> u64 {
        self.imp().backstep.fills()
    }

    /// Whether no seek or step is in progress and no state change is on its
    /// way (a pause prerolls its frame first): the frame on screen is final.
    pub fn is_settled(&self) -> bool {
        let imp = self.imp();
        imp.queue.borrow().is_idle()
            && imp.pipeline.borrow().as_ref().is_none_or(|p| {
                gst::prelude::ElementExtManual::pending_state(p) == gst::State::VoidPending
            })
    }

    /// The largest step between consecutive frames at the video sink in
    /// running time since the media was loaded (a gap at a loop seam or a
    /// stall shows here; flushing seeks are not counted); `None` before two
    /// frames were shown.
    pub fn max_frame_step(&self) -> Option<gst::ClockTime> {
        self.imp().frame_steps.largest()
    }

    /// The largest step between frames across a loop's seam (a segment
    /// that started without a flush) since the media was loaded, and how
    /// many seams were crossed: a gapless loop keeps it at one frame.
    pub fn max_loop_seam_step(&self) -> (Option<gst::ClockTime>, u64) {
        self.imp().frame_steps.largest_at_seam()
    }

    /// Frames that reached the video sink since the media was loaded,
    /// counted one by one (a check on the sink's own `rendered` and
    /// `dropped`, which it counts only for frames it could time).
    pub fn frames_at_sink(&self) -> u64 {
        self.imp().frame_steps.arrived()
    }

    /// Current playback statistics.
    pub fn stats(&self) -> PlaybackStats {
        let imp = self.imp();
        let (rendered, dropped) = imp.sample_stats();
        PlaybackStats {
            rendered,
            dropped,
            late: imp.late_frames(),
            bitrate: imp
                .bitrate_meter
                .at(gst::ClockTime::from_nseconds(self.position())),
            buffering_percent: imp.last_buffering.get(),
            latency_ms: imp.live_latency().map(|l| l.nseconds() as f64 / 1e6),
            played_seconds: imp.played().nseconds() as f64 / 1e9,
            video_path: match self.video_mode() {
                VideoMode::Headless | VideoMode::Disabled => None,
                _ => Some(self.video_path()),
            },
        }
    }

    /// The decoders in use and the caps at the video sink (empty when
    /// nothing is loaded).
    pub fn video_details(&self) -> StreamDetails {
        use gst::prelude::*;
        let mut details = StreamDetails::default();
        let Some(pipeline) = self.pipeline() else {
            return details;
        };
        let describe = |element: &gst::Element| {
            let caps = element.static_pad("sink")?.current_caps()?;
            crate::engine::tracks::codec_description(&caps)
        };
        for element in pipeline.iterate_recurse().into_iter().flatten() {
            let klass = element
                .factory()
                .and_then(|f| f.metadata("klass").map(String::from))
                .unwrap_or_default();
            if !klass.contains("Decoder") {
                continue;
            }
            if klass.contains("Video") && details.codec.is_none() {
                details.codec = describe(&element);
                details.decoder = element.factory().map(|f| f.name().to_string());
            } else if klass.contains("Audio") && details.audio_codec.is_none() {
                details.audio_codec = describe(&element);
            }
        }
        details.sink_caps = self
            .imp()
            .video_sink
            .borrow()
            .as_ref()
            .and_then(|s| s.static_pad("sink"))
            .and_then(|p| p.current_caps())
            .map(|c| c.to_string());
        details
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
        let (video, audio) = self.imp().outputs();
        let described = PipelineSpec {
            playbin: Playbin::for_uri(uri),
            uri: uri.to_string(),
            video,
            audio,
            subtitle_uri: None,
        }
        .to_launch();
        // Secrets are never printed.
        crate::engine::redact::redact_text(&described)
    }

    /// The running pipeline's graph in Graphviz's dot language, every
    /// detail included (element properties read under their locks, so it
    /// is made on the pipeline's gate); `None` with no pipeline, or when
    /// the pipeline gave no answer within a quarter of a second.
    pub fn pipeline_graph(&self) -> Option<String> {
        let gate = self.imp().gate.borrow();
        gate.as_ref()?
            .ask_within(std::time::Duration::from_millis(250), |p| {
                gst::prelude::GstBinExtManual::debug_to_dot_data(p, gst::DebugGraphDetails::all())
                    .to_string()
            })
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

    /// Connects to `warning`: something did not happen or is degraded, but
    /// playback goes on (e.g. a missing subtitle decoder, a step at the last
    /// frame, a refused rate).
    pub fn connect_warning<F: Fn(&Self, &str) + 'static>(&self, f: F) -> glib::SignalHandlerId {
        self.connect_local("warning", false, move |args| {
            let player = args[0].get::<Self>().ok()?;
            let text = args[1].get::<String>().ok()?;
            f(&player, &text);
            None
        })
    }

    /// Connects to `stats`: a [`PlaybackStats`] snapshot every
    /// `stats-interval` ms while media is loaded (the `frames-*`, `bitrate`,
    /// `buffering-percent` and `latency` properties change with it), so an
    /// application can log playback health without showing any UI.
    pub fn connect_stats<F: Fn(&Self, &PlaybackStats) + 'static>(
        &self,
        f: F,
    ) -> glib::SignalHandlerId {
        self.connect_local("stats", false, move |args| {
            let player = args[0].get::<Self>().ok()?;
            let stats = args[1].get::<PlaybackStats>().ok()?;
            f(&player, &stats);
            None
        })
    }

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

    /// Replaces the playlist with `items` (paths or URIs) and loads the
    /// first; call [`Player::play`] to start.
    pub fn set_items<S: AsRef<str>>(&self, items: &[S]) {
        use gio::prelude::*;
        let store = self.playlist();
        let items: Vec<PlaylistItem> = items
            .iter()
            .map(|i| PlaylistItem::new(i.as_ref()))
            .collect();
        store.splice(0, store.n_items(), &items);
        self.set_current_index(if items.is_empty() { -1 } else { 0 });
    }

    /// Whether the media loaded is a live source (a camera, a UDP or SRT
    /// feed): it cannot be paused in place or seeked, and `latency` applies.
    pub fn is_live(&self) -> bool {
        self.imp().live.get()
    }

    /// Appends a path or URI to the playlist.
    pub fn append_item(&self, path_or_uri: &str) {
        self.playlist().append(&PlaylistItem::new(path_or_uri));
    }

    /// Moves playlist item `from` to position `to` (both clamped to the
    /// list); the item playing stays current wherever it ends up.
    pub fn move_item(&self, from: u32, to: u32) {
        self.imp().move_item(from, to);
    }

    /// Removes playlist item `index`. Removing the item playing goes on to
    /// the item that takes its place (or the new last one), keeping whether
    /// the player was playing; removing the only item stops the player.
    pub fn remove_item(&self, index: u32) {
        self.imp().remove_item(index);
    }

    /// Connects to `item-ended`: playlist item `index` (-1 for media opened
    /// directly) played to its end by itself; emitted before the playlist
    /// rules load another item or `eos` is emitted (after a gapless switch,
    /// as the next item starts).
    pub fn connect_item_ended<F: Fn(&Self, i32) + 'static>(&self, f: F) -> glib::SignalHandlerId {
        self.connect_local("item-ended", false, move |args| {
            let player = args[0].get::<Self>().ok()?;
            let index = args[1].get::<i32>().ok()?;
            f(&player, index);
            None
        })
    }

    /// Connects to `item-loading`: playlist item `index` is about to be
    /// loaded, for whatever reason (end of the previous item, next or
    /// previous, `current-index` set). The item being left can still be
    /// read (its `uri`, `position` and statistics). A gapless switch does
    /// not go through here.
    pub fn connect_item_loading<F: Fn(&Self, i32) + 'static>(&self, f: F) -> glib::SignalHandlerId {
        self.connect_local("item-loading", false, move |args| {
            let player = args[0].get::<Self>().ok()?;
            let index = args[1].get::<i32>().ok()?;
            f(&player, index);
            None
        })
    }

    /// Goes to the next playlist item (wrapping when `repeat` is not
    /// `none`); returns false when there is none.
    pub fn next(&self) -> bool {
        self.imp().go(crate::engine::playlist::Step::Next)
    }

    /// Goes to the previous playlist item; past the first 3 s of an item,
    /// restarts it instead. Returns false when there is nowhere to go.
    pub fn previous(&self) -> bool {
        if self.position() > 3_000_000_000 && self.seekable() {
            self.seek(gst::ClockTime::ZERO);
            return true;
        }
        self.imp().go(crate::engine::playlist::Step::Previous)
    }

    /// Whether [`Player::next`] has somewhere to go.
    pub fn has_next(&self) -> bool {
        self.imp()
            .neighbour(crate::engine::playlist::Step::Next)
            .is_some()
    }

    /// Whether [`Player::previous`] has somewhere to go.
    pub fn has_previous(&self) -> bool {
        self.imp()
            .neighbour(crate::engine::playlist::Step::Previous)
            .is_some()
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
