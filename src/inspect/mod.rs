//! The stream inspector's headless half: media facts ([`inspect`],
//! [`MediaReport`]), every access unit in decode order ([`scan_frames`]),
//! picture types ([`PictureType`]) and GOP structure with bitrate
//! ([`GopAnalyzer`]), validation findings ([`check`]). Needs no display;
//! used by `framescope inspect` and `check`, the app's inspector window and
//! the widget's seek bar.

// Every module is crate-private; what the app and embedders use is
// re-exported below, and `unreachable_pub` keeps it so.
#![warn(unreachable_pub)]

pub(crate) mod check;
pub(crate) mod container_time;
pub(crate) mod demuxed;
pub(crate) mod frames;
pub(crate) mod gop;
pub(crate) mod media;
pub(crate) mod picture;
pub(crate) mod streams;
pub(crate) mod swallowed;

pub use check::{check, CheckReport, Finding, Severity};
pub use container_time::{transport_stream_start, StartTimes};
pub use frames::{scan_frames, stall_limit, stalled, FrameRecord, ScanKinds};
pub use gop::{Bitrate, Gop, GopAnalyzer, GopReport, Spread};
pub use media::{
    discover_timeout, inspect, is_local, timed_out_sentence, to_text, MediaReport, StreamReport,
    DISCOVER_TIMEOUT,
};
pub use picture::PictureType;

/// Inspector internals that the property tests drive directly. Not part of
/// the API: no stability promise, hidden from the docs.
#[doc(hidden)]
pub mod testing {
    pub use super::picture::PictureParser;
}
