//! What the `inspect` worker tells the parent: one JSON object per line
//! ([`Note`]), frames in a compact form ([`WireFrame`]), errors as the
//! output shows them ([`Failure`]).

use framescope::engine::PlayerError;
use framescope::inspect::{FrameRecord, MediaReport, PictureType};
use serde::{Deserialize, Serialize};
use std::io::Write;

/// What the worker tells this process, one JSON object per line.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Note {
    /// The media facts (first).
    Report(MediaReport),
    /// One frame.
    Frame(WireFrame),
    /// The end: reading failed.
    Error(Failure),
    /// The end: everything was read.
    Done,
}

/// An error as the output shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Failure {
    pub(super) kind: String,
    pub(super) message: String,
}

impl Failure {
    pub(super) fn from_error(e: &PlayerError) -> Self {
        Failure {
            kind: e.kind.nick().to_string(),
            message: e.message.clone(),
        }
    }
}

/// A [`FrameRecord`] on the wire (nanoseconds, no rounding).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct WireFrame(
    usize,
    Option<i64>,
    Option<i64>,
    Option<u64>,
    usize,
    bool,
    Option<PictureType>,
);

impl From<&FrameRecord> for WireFrame {
    fn from(f: &FrameRecord) -> Self {
        WireFrame(
            f.stream,
            f.pts,
            f.dts,
            f.duration,
            f.size,
            f.keyframe,
            f.picture_type,
        )
    }
}

impl From<WireFrame> for FrameRecord {
    fn from(w: WireFrame) -> Self {
        FrameRecord {
            stream: w.0,
            pts: w.1,
            dts: w.2,
            duration: w.3,
            size: w.4,
            keyframe: w.5,
            picture_type: w.6,
        }
    }
}

/// Writes `note` as one line.
pub(super) fn send(out: &mut impl Write, note: &Note) -> std::io::Result<()> {
    let line = serde_json::to_string(note).map_err(std::io::Error::other)?;
    writeln!(out, "{line}")
}
