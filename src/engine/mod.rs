//! The playback engine: GStreamer and GLib only, no GTK widgets.
//!
//! A [`Player`] GObject owns one `playbin3` pipeline built from a declarative
//! [`PipelineSpec`] (source URI, video chain, audio chain). The video chain is
//! chosen by the GL probe ([`gl_probe`]): `glupload ! glcolorconvert !
//! gtk4paintablesink` on a hardware GL renderer, `framescopescale !
//! capsfilter ! framescopesink` on a software one or without GL. The audio
//! chain is `autoaudiosink`, or a synchronised fakesink when no audio device
//! exists. Bus messages become the engine's own events that the player turns
//! into properties and signals; errors arrive typed as [`PlayerError`]s. A
//! pipeline a player lets go is stopped and freed on the reaper thread, never
//! on the caller's; at exit, [`pipelines_in_use`] and [`pending_shutdowns`]
//! both at 0 say that none is left running.
//!
//! # Public surface
//!
//! Everything an embedder uses is re-exported here, flat: the player and its
//! value types, pipeline descriptions, the time, URI and redaction helpers
//! the app and widgets share, and frame export. The modules themselves are
//! crate-private (`pub(crate)`); the few engine helpers the widget and
//! inspector layers of this crate also need (error classification, network
//! diagnosis, codec names, the URI precheck) are re-exported `pub(crate)`
//! next to the public ones, so code outside `engine/` names everything as
//! `engine::Item`. The
//! `#[doc(hidden)]` module `testing` exposes a few pure rules (playlist
//! order, the seek queue, manifest parsers, the watchdog's back-off) to the
//! integration and property tests; it is not API.
//!
//! # Where things live
//!
//! | module | what |
//! |---|---|
//! | `player/` | the `Player` object, split by facet (lifecycle, events, seeking, stepping, loops, rate, stats, tracks, …) |
//! | `spec`, `glprobe`, `audio`, `launch` | what pipeline to build; a person's own launch description as playbin's source |
//! | `bus`, `error`, `netcheck` | what the pipeline says, as events and typed errors |
//! | `gate`, `reaper` | the threading rule: calls into and teardown of running pipelines |
//! | `seek`, `frame`, `frameindex`, `framesteps`, `looping`, `rate`, `origin`, `tshead` | timing and exact frames; where time 0 is |
//! | `tracks`, `chapters`, `variants`, `playlist`, `items` | what the media and the queue offer, as values and as list models |
//! | `stats`, `bitrate`, `parserlatency` | measurements |
//! | `timefmt`, `uri`, `redact` | input from people, output to people |
//! | `snapshot`, `decoder`, `paintable` | frames as images |
//! | `log` | engine log lines, to `tracing` and GStreamer's `framescope` debug category |

// Every module is crate-private; what embedders use is re-exported below.
// `unreachable_pub` keeps it so: an item marked `pub` that is not re-exported
// here is a warning (and an error under `-D warnings`).
#![warn(unreachable_pub)]

mod arenas;
pub(crate) mod audio;
pub(crate) mod bitrate;
pub(crate) mod bus;
pub(crate) mod chapters;
pub(crate) mod decoder;
pub(crate) mod decodethreads;
pub(crate) mod error;
pub(crate) mod frame;
pub(crate) mod frameindex;
pub(crate) mod framesteps;
pub(crate) mod gate;
pub(crate) mod gate_threads;
pub(crate) mod glguard;
pub(crate) mod glprobe;
pub(crate) mod items;
pub(crate) mod launch;
pub(crate) mod log;
pub(crate) mod looping;
pub(crate) mod netcheck;
pub(crate) mod origin;
pub(crate) mod paintable;
pub(crate) mod parserlatency;
pub(crate) mod player;
pub(crate) mod playlist;
mod preload;
pub(crate) mod qosthrottle;
pub(crate) mod rate;
pub(crate) mod reaper;
pub(crate) mod redact;
pub(crate) mod scale;
pub(crate) mod seek;
pub(crate) mod sink;
pub(crate) mod sinkbin;
pub(crate) mod snapshot;
pub(crate) mod spec;
pub(crate) mod stats;
pub(crate) mod timefmt;
pub(crate) mod tracks;
pub(crate) mod tshead;
pub(crate) mod tssegment;
pub(crate) mod types;
pub(crate) mod unstick;
pub(crate) mod uri;
pub(crate) mod variants;
mod wait_budget;

// The player object and its value types.
pub use chapters::Chapter;
pub use error::{display_name, ErrorKind, PlayerError};
pub use frameindex::{AccessUnit, FrameIndex};
pub use items::{ChapterItem, TrackItem, VariantItem};
pub use player::{pipelines_in_use, Player, OFFSET_STEP};
pub use playlist::{EndAction, PlaylistItem, Repeat};
pub use reaper::pending_shutdowns;
pub use seek::SeekMode;
pub use stats::{PlaybackStats, StreamDetails};
pub use tracks::{Track, TrackKind};
pub use types::{PlayerState, VideoMode, VideoSize};
pub use variants::Variant;

// Pipeline descriptions and the video path the GL probe chooses.
pub use glprobe::{gl_turned_off, probe as gl_probe, set_probe_result, turn_off_gl, GlProbe};
pub use launch::{check as check_pipeline, is_launch_uri as is_custom_pipeline_uri, pipeline_uri};
pub use spec::{AudioOutput, ElementSpec, PipelineSpec, Playbin, VideoOutput, VideoPath};

// Times, URIs and redaction: how people's input comes in and output goes out.
pub use redact::{redact_text, redact_uri};
pub use timefmt::{
    clock_time, clock_time_from_micros, format_time, parse_time, precise, MAX_TIME_NS,
};
pub use uri::{os_to_uri, path_to_uri, to_uri};

// Frames as images.
pub use paintable::texture_from_sample;
pub use snapshot::{snapshot, write as write_snapshot, Snapshot};

// For the widget and inspector layers of this crate only.
pub(crate) use chapters::current as current_chapter;
pub(crate) use error::classify;
pub(crate) use netcheck::refine as refine_network_error;
pub(crate) use rate::label as rate_label;
pub(crate) use tracks::codec_description;
pub(crate) use uri::{is_rtmp, precheck, RTMP_NOTHING_SENT, RTMP_SCHEMES};

/// Engine internals that the integration and property tests drive directly.
/// Not part of the API: no stability promise, hidden from the docs.
#[doc(hidden)]
pub mod testing {
    pub use super::chapters::{current, next_start, previous_start};
    pub use super::player::backoff;
    pub use super::playlist::{neighbour, neighbour_in_order, shuffled_order, Step};
    pub use super::seek::{Request, SeekQueue};
    pub use super::variants::{parse_dash_mpd, parse_hls_master};
}

/// Initialises GStreamer and registers the statically linked
/// `gtk4paintablesink`, the software path's `framescopescale` and
/// `framescopesink` and the source
/// that runs custom pipelines ([`Player::open_pipeline`]), and binds the `framescope` text domain
/// ([`crate::i18n`]). Limits glibc's malloc arenas so that resident memory
/// stays flat as pipelines come and go (`FRAMESCOPE_MALLOC_ARENAS=0` keeps
/// glibc's choice; docs/embedding.md). Loads the libav plugin up front
/// (50 to 100 ms, once: see `preload`), so that its loading never holds
/// up a running main loop. Safe to call more than once.
pub fn init() -> Result<(), glib::Error> {
    // Before GStreamer starts any thread (see `arenas`).
    arenas::limit();
    crate::i18n::init();
    static REGISTERED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    gst::init()?;
    // The first pipeline's gate then finds a thread waiting.
    gate_threads::warm_up();
    REGISTERED
        .get_or_init(|| {
            // Before any window or pipeline: see `preload`.
            preload::load_heavy_plugins();
            gstgtk4::plugin_register_static().map_err(|e| e.to_string())?;
            launch::register_element().map_err(|e| e.to_string())?;
            scale::register_element().map_err(|e| e.to_string())?;
            sink::register_element().map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|e| glib::Error::new(gst::CoreError::MissingPlugin, &e))
}
