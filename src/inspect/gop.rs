//! GOP structure and bitrate of video streams, accumulated frame by frame in
//! decode order (so a long file needs no frame list in memory): keyframe
//! times, each GOP's length in frames and seconds, whether it is open
//! (pictures after its keyframe in decode order are shown before it: they
//! reference the previous GOP) and the bitrate, mean and peak over 1 s windows.

use crate::inspect::frames::FrameRecord;
use serde::Serialize;
use std::collections::BTreeMap;

const SECOND: i64 = 1_000_000_000;

/// One group of pictures: a keyframe and the frames decoded after it up to
/// the next keyframe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gop {
    /// PTS of its keyframe, seconds.
    pub start: f64,
    /// Frames in it, the keyframe included.
    pub frames: u64,
    /// From its keyframe to the next one (the last: to its end), seconds.
    pub seconds: f64,
    /// Whether frames after the keyframe are shown before it; null when
    /// frames lack timestamps.
    pub open: Option<bool>,
}

/// Minimum, mean and maximum of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    /// Smallest value.
    pub min: f64,
    /// Mean value.
    pub mean: f64,
    /// Largest value.
    pub max: f64,
}

impl Spread {
    fn of(values: impl Iterator<Item = f64> + Clone) -> Option<Self> {
        let n = values.clone().count();
        (n > 0).then(|| Self {
            min: values.clone().fold(f64::INFINITY, f64::min),
            mean: values.clone().sum::<f64>() / n as f64,
            max: values.fold(f64::NEG_INFINITY, f64::max),
        })
    }
}

/// Bits per second.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bitrate {
    /// Over the whole stream.
    pub mean: f64,
    /// The most bits in any 1 s window (windows start at the first frame).
    pub peak: f64,
}

/// The GOP report of one video stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GopReport {
    /// Index of the stream.
    pub stream: usize,
    /// Keyframe PTS in seconds, decode order.
    pub keyframes: Vec<f64>,
    /// Every GOP.
    pub gops: Vec<Gop>,
    /// GOP lengths in frames.
    pub frames: Option<Spread>,
    /// GOP lengths in seconds.
    pub seconds: Option<Spread>,
    /// True when every GOP is closed, false when one is open, null when
    /// unknown.
    pub closed: Option<bool>,
    /// Measured bitrate.
    pub bitrate: Option<Bitrate>,
}

#[derive(Debug, Default)]
struct OpenGop {
    key_pts: Option<i64>,
    frames: u64,
    leading: bool,
    untimed: bool,
    end: Option<i64>,
}

#[derive(Debug, Default)]
struct StreamState {
    keyframes: Vec<f64>,
    gops: Vec<Gop>,
    current: Option<OpenGop>,
    first: Option<i64>,
    end: Option<i64>,
    bytes: u64,
    /// Bytes per 1 s window, keyed by whole seconds since `first`.
    windows: BTreeMap<i64, u64>,
}

impl StreamState {
    fn close_gop(&mut self, next_key: Option<i64>) {
        let Some(gop) = self.current.take() else {
            return;
        };
        let start = gop.key_pts.unwrap_or(0);
        let until = next_key.or(gop.end).unwrap_or(start);
        self.gops.push(Gop {
            start: start as f64 / 1e9,
            frames: gop.frames,
            seconds: (until - start).max(0) as f64 / 1e9,
            open: (!gop.untimed).then_some(gop.leading),
        });
    }

    fn add(&mut self, f: &FrameRecord) {
        if f.keyframe {
            self.close_gop(f.pts);
            if let Some(pts) = f.pts {
                self.keyframes.push(pts as f64 / 1e9);
            }
            self.current = Some(OpenGop {
                key_pts: f.pts,
                untimed: f.pts.is_none(),
                ..Default::default()
            });
        }
        if let Some(gop) = &mut self.current {
            gop.frames += 1;
            match (f.pts, gop.key_pts) {
                (Some(pts), Some(key)) => {
                    gop.leading |= pts < key;
                    let end = pts + f.duration.unwrap_or(0) as i64;
                    gop.end = Some(gop.end.map_or(end, |e| e.max(end)));
                }
                _ => gop.untimed = true,
            }
        }
        self.bytes += f.size as u64;
        if let Some(pts) = f.pts {
            let first = *self.first.get_or_insert(pts);
            let first = first.min(pts);
            self.first = Some(first);
            let end = pts + f.duration.unwrap_or(0) as i64;
            self.end = Some(self.end.map_or(end, |e| e.max(end)));
            *self
                .windows
                .entry((pts - first).div_euclid(SECOND))
                .or_default() += f.size as u64;
        }
    }

    fn report(mut self, stream: usize) -> GopReport {
        self.close_gop(None);
        let bitrate = match (self.first, self.end) {
            (Some(first), Some(end)) if end > first => Some(Bitrate {
                mean: self.bytes as f64 * 8.0 / ((end - first) as f64 / 1e9),
                peak: self.windows.values().copied().max().unwrap_or(0) as f64 * 8.0,
            }),
            _ => None,
        };
        let closed = if self.gops.iter().any(|g| g.open.is_none()) {
            None
        } else {
            Some(self.gops.iter().all(|g| g.open == Some(false)))
        };
        GopReport {
            stream,
            frames: Spread::of(self.gops.iter().map(|g| g.frames as f64)),
            seconds: Spread::of(self.gops.iter().map(|g| g.seconds)),
            keyframes: self.keyframes,
            closed: if self.gops.is_empty() { None } else { closed },
            gops: self.gops,
            bitrate,
        }
    }
}

/// Collects GOP reports for the video streams it is fed.
#[derive(Debug, Default)]
pub struct GopAnalyzer {
    streams: BTreeMap<usize, StreamState>,
}

impl GopAnalyzer {
    /// Feeds one frame of a video stream (decode order).
    pub fn add(&mut self, frame: &FrameRecord) {
        self.streams.entry(frame.stream).or_default().add(frame);
    }

    /// The reports, by stream index.
    pub fn finish(self) -> Vec<GopReport> {
        self.streams
            .into_iter()
            .map(|(stream, state)| state.report(stream))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(pts_ms: i64, key: bool) -> FrameRecord {
        FrameRecord {
            stream: 0,
            pts: Some(pts_ms * 1_000_000),
            dts: None,
            duration: Some(40_000_000),
            size: 1000,
            keyframe: key,
            picture_type: None,
        }
    }

    #[test]
    fn closed_and_open_gops_and_bitrate() {
        let mut a = GopAnalyzer::default();
        // Closed GOP: I0 P120 B40 B80; then an open GOP: I280 B200 B240 P320.
        for (ms, key) in [
            (0, true),
            (120, false),
            (40, false),
            (80, false),
            (160, false),
            (280, true),
            (200, false),
            (240, false),
            (320, false),
        ] {
            a.add(&frame(ms, key));
        }
        let r = a.finish().remove(0);
        assert_eq!(r.keyframes, vec![0.0, 0.28]);
        assert_eq!(r.gops.len(), 2);
        assert_eq!((r.gops[0].frames, r.gops[0].open), (5, Some(false)));
        assert!((r.gops[0].seconds - 0.28).abs() < 1e-9);
        assert_eq!((r.gops[1].frames, r.gops[1].open), (4, Some(true)));
        assert!((r.gops[1].seconds - 0.08).abs() < 1e-9, "{:?}", r.gops[1]);
        assert_eq!(r.closed, Some(false));
        let spread = r.frames.unwrap();
        assert_eq!((spread.min, spread.mean, spread.max), (4.0, 4.5, 5.0));
        let bitrate = r.bitrate.unwrap();
        // 9000 bytes over 0.36 s; all in the first second.
        assert!((bitrate.mean - 9000.0 * 8.0 / 0.36).abs() < 1e-6);
        assert_eq!(bitrate.peak, 72000.0);
    }
}
