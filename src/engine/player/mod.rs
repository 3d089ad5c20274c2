//! The `Player` GObject: one media item through a playbin pipeline built
//! from a [`PipelineSpec`](crate::engine::spec::PipelineSpec). State is
//! exposed as properties (`state`, `position`, the frame on screen, `rate`,
//! the loop points, …) and outcomes as signals (`error`, `warning`, `eos`).
//! Bus messages are handled on the thread-default main context with a weak
//! reference, so a dropped player stops its pipeline and leaks nothing.
//!
//! The object is split by facet, each file holding a facet's behaviour, its
//! part of the public API and, where it has any, its state struct (one
//! field of `imp::Player` each; the GObject property cells stay here):
//! this file holds the GObject definition and the core of the public API;
//! [`lifecycle`] loads and tears down pipelines ([`lifecycle::LoadState`])
//! and [`opening`] hooks a new pipeline's streaming threads and watches
//! the opening; [`events`] turns bus events into state; [`measure`] reads
//! positions and the frame on screen;
//! [`seeking`] runs the seek queue ([`seeking::SeekState`]) and
//! [`settling`] makes seeks exact; [`stepping`] makes frame steps
//! ([`stepping::StepState`]) and [`backstep`] keeps the decoded frames that
//! make stepping backward cheap ([`backstep::BackStep`]); [`rate`] changes
//! the rate ([`rate::RateState`]); [`loops`] runs the whole-media and A-B
//! loops ([`loops::LoopState`]); [`offsets`] sets the audio and subtitle
//! offsets; [`stats`] counts frames and played time
//! ([`stats::StatsState`]); [`live`] handles live sources
//! ([`live::LiveState`]); [`watchdog`] restarts failed or stalled items
//! ([`watchdog::WatchdogState`]); [`calls`] makes the calls into the
//! pipeline through its gate; [`tracks`], [`variants`], [`chapters`] and
//! [`playlist`] are the tracks, adaptive variants, chapters and playlist.
//! Everything streaming threads touch (the values their hooks read, the
//! adaptive demuxer, the gapless switch, the frame index and the meters
//! their probes fill) is gathered in [`shared::Shared`], behind one `Arc`,
//! each field with its threading rule; the facets' own state structs are
//! main-thread only.
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
//!   once per stuck call, and then the cached value stands; all the reads
//!   a thread makes within 100 ms share one such budget
//!   ([`wait_budget`](crate::engine::wait_budget)).
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
mod loops;
mod measure;
mod offsets;
mod opening;
mod playlist;
mod rate;
mod seeking;
mod settling;
mod shared;
mod stats;
mod stepping;
mod tracks;
mod transport;
mod variants;
mod watchdog;

use crate::engine::error::PlayerError;
use crate::engine::log;
use crate::engine::playlist::{EndAction, Repeat};
use crate::engine::seek::SeekMode;
use crate::engine::spec::VideoPath;
use crate::engine::stats::PlaybackStats;
pub(crate) use crate::engine::types::{PlayerState, VideoMode, VideoSize};
pub(crate) use crate::engine::uri::to_uri;
use glib::prelude::*;
use glib::subclass::prelude::*;
pub use lifecycle::pipelines_in_use;
pub use offsets::OFFSET_STEP;
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
        /// Position in nanoseconds from the media's start (the time origin,
        /// see `Player::time_origin`): the PTS of the frame on screen while
        /// paused, and while playing as long as new frames keep coming;
        /// otherwise the pipeline clock through the segment. The cell holds
        /// stream time; the getter counts from the origin.
        #[property(get = Self::user_position, type = u64)]
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
        /// PTS (ns from the time origin) of the frame on screen, as the
        /// demuxer gave it; -1 when no video frame is shown. The cell holds
        /// stream time.
        #[property(get = Self::user_frame_pts, type = i64, minimum = -1, default = -1)]
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
        /// A-B loop start (ns from the time origin); -1 (or any negative)
        /// when unset. The cell holds stream time.
        #[property(get = Self::user_loop_a, set = Self::set_loop_a, type = i64, minimum = -1, default = -1, lax_validation)]
        pub loop_a: Cell<i64>,
        /// A-B loop end (ns from the time origin, exclusive); -1 when unset.
        /// With both set, playback loops between them without a gap. The
        /// cell holds stream time.
        #[property(get = Self::user_loop_b, set = Self::set_loop_b, type = i64, minimum = -1, default = -1, lax_validation)]
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
        // The value is kept in `shared::Shared`, where source set-up reads it.
        #[property(get = Self::live_latency_ms, set = Self::set_live_latency_ms, type = i32, minimum = -1, default = -1, lax_validation)]
        pub live_latency_ms: std::marker::PhantomData<i32>,
        /// A PEM file of the certificate authorities HTTPS progressive
        /// downloads trust, instead of the system's: for servers with a
        /// private CA. Applies from the next load.
        // The value is kept in `shared::Shared`, where source set-up reads it.
        #[property(get = Self::tls_ca_file, set = Self::set_tls_ca_file, type = Option<String>, nullable)]
        pub tls_ca_file: std::marker::PhantomData<Option<String>>,
        /// Adaptive streams: the download bandwidth the demuxer measures,
        /// in bits/s; -1 otherwise (updated with `stats`).
        #[property(get, minimum = -1.0, default = -1.0)]
        pub bandwidth: Cell<f64>,
        /// Adaptive streams: the variants facet (`variants.rs`). Read-only
        /// property `variants-model`: the variants the manifest lists, a
        /// `gio::ListModel` of [`VariantItem`](crate::engine::VariantItem)s.
        #[property(name = "variants-model", get = Self::variants_model, type = gio::ListModel)]
        pub variants: variants::VariantsState,
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

        /// The items to play (a `gio::ListModel` of [`PlaylistItem`](crate::engine::playlist::PlaylistItem)); the
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
        /// pipeline is kept and only the source changes). On GStreamer 1.22
        /// local files advance with a short gap all the same (a new
        /// pipeline): there only playbin3 switches gaplessly, and it crashes
        /// on some damaged files (`FRAMESCOPE_PLAYBIN=playbin3` takes that
        /// risk; see `Playbin::for_uri_with`).
        #[property(get, set = Self::set_gapless, default = true)]
        pub gapless: Cell<bool>,

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

        /// Loading: open attempts and watchdog, the bus watch, the ticker.
        pub loading: lifecycle::LoadState,
        pub pipeline: RefCell<Option<gst::Pipeline>>,
        /// The pipeline's gate: every call into the pipeline once it has
        /// left NULL goes through it (see [`crate::engine::gate`]).
        pub gate: RefCell<Option<crate::engine::gate::Gate>>,
        /// Rate changes: one put off while paused.
        pub rate_change: rate::RateState,
        /// Answers the gate gave too late at the first preroll, asked
        /// again from the ticker.
        pub late: Cell<calls::Late>,
        pub video_sink: RefCell<Option<gst::Element>>,
        /// The software chain's size capsfilter.
        pub size_filter: RefCell<Option<gst::Element>>,
        /// The size, in device pixels, the picture is shown at (0 = unknown).
        pub render_size: Cell<(u32, u32)>,
        /// When the frame on screen last changed to another one (`None`
        /// when none is shown): while frames keep coming, the playing
        /// position is the shown frame's PTS (`measure::query_position`).
        pub frame_changed_at: Cell<Option<std::time::Instant>>,
        /// The caps last read at the video chain's input and the size they
        /// gave: the ticker parses caps again only when they change.
        pub decoded_caps: RefCell<Option<(gst::Caps, Option<VideoSize>)>>,
        pub want_playing: Cell<bool>,
        pub buffering: Cell<bool>,
        pub missing: RefCell<Vec<String>>,
        pub prerolled: Cell<bool>,
        /// Statistics: sink and QoS counts, played time, frame steps.
        pub stats: stats::StatsState,

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
        /// Live sources: whether the media is one, reconnect warnings.
        pub live: live::LiveState,
        /// Seeks: the request queue, settling, the request watchdog, the
        /// start-up hold.
        pub seek: seeking::SeekState,
        /// Frame steps: those left, where the last started, end of stream.
        pub step: stepping::StepState,
        /// The PTS of the first frame (seen at the first preroll).
        pub first_frame: Cell<Option<gst::ClockTime>>,
        /// Loops: the A-B points, the segment looping, a round due,
        /// segment seqnums.
        pub loops: loops::LoopState,
        /// Decoded frames for backward steps, and the one shown from them.
        pub backstep: backstep::BackStep,
        /// Everything streaming threads touch, behind one `Arc` (see
        /// [`shared::Shared`]): values their hooks read, the adaptive
        /// demuxer, the gapless switch, the frame index and the meters
        /// their probes fill.
        pub shared: std::sync::Arc<shared::Shared>,
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

    /// Loads a path or URI (paths are turned into `file://` URIs).
    pub fn open(&self, path_or_uri: &str) {
        self.set_uri(Some(to_uri(path_or_uri)));
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

    /// Connects to `eos`: the media played to its end (not emitted while looping).
    pub fn connect_eos<F: Fn(&Self) + 'static>(&self, f: F) -> glib::SignalHandlerId {
        self.connect_local("eos", false, move |args| {
            let player = args[0].get::<Self>().ok()?;
            f(&player);
            None
        })
    }
}
