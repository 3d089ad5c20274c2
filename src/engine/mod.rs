//! The playback engine: GStreamer and GLib only, no GTK widgets.
//!
//! A [`Player`] GObject owns one `playbin3` pipeline built from a declarative
//! [`PipelineSpec`] (source URI, video chain, audio chain). The video chain is
//! chosen by [`glprobe`]: `glupload ! glcolorconvert ! gtk4paintablesink` on a
//! hardware GL renderer, `videoconvertscale ! capsfilter ! gtk4paintablesink` on a software one
//! or without GL. The audio chain is `autoaudiosink`, or a synchronised
//! fakesink when [`audio`] finds no device. Bus messages become [`BusEvent`]s
//! (in [`bus`]) that the player turns into properties and signals; errors are
//! typed by [`error::classify`]. A pipeline a player lets go is stopped and
//! freed on the [`reaper`] thread, never on the caller's; at exit,
//! [`pipelines_in_use`] and [`pending_shutdowns`] both at 0 say that none is
//! left running.

pub mod audio;
pub mod bitrate;
pub mod bus;
pub mod chapters;
pub mod decoder;
pub mod error;
pub mod frame;
pub mod frameindex;
pub mod framesteps;
pub mod gate;
pub mod glprobe;
pub mod looping;
pub mod netcheck;
pub mod paintable;
pub mod parserlatency;
pub mod player;
pub mod playlist;
pub mod rate;
pub mod reaper;
pub mod redact;
pub mod seek;
pub mod snapshot;
pub mod spec;
pub mod stats;
pub mod timefmt;
pub mod tracks;
pub mod types;
pub mod uri;
pub mod variants;

pub use bus::BusEvent;
pub use error::{ErrorKind, PlayerError};
pub use player::{
    pipelines_in_use, to_uri, Player, PlayerState, VideoMode, VideoSize, OFFSET_STEP,
};
pub use playlist::{EndAction, PlaylistItem, Repeat};
pub use reaper::pending_shutdowns;
pub use seek::SeekMode;
pub use spec::{PipelineSpec, VideoPath};
pub use stats::PlaybackStats;

/// Initialises GStreamer and registers the statically linked
/// `gtk4paintablesink`. Safe to call more than once.
pub fn init() -> Result<(), glib::Error> {
    static REGISTERED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    gst::init()?;
    REGISTERED
        .get_or_init(|| gstgtk4::plugin_register_static().map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| glib::Error::new(gst::CoreError::MissingPlugin, &e))
}
