//! The stream inspector's headless half: media facts ([`media`]), every
//! access unit in decode order ([`frames`]), picture types ([`picture`]) and
//! GOP structure with bitrate ([`gop`]). Needs no display; used by
//! `framescope inspect`, the app's inspector window and the widget's seek bar.

pub mod frames;
pub mod gop;
pub mod media;
pub mod picture;
pub mod swallowed;

pub use frames::{scan_frames, FrameRecord, ScanKinds};
pub use gop::{GopAnalyzer, GopReport};
pub use media::{inspect, to_text, MediaReport, StreamReport, DISCOVER_TIMEOUT};
pub use picture::PictureType;
