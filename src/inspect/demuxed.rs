//! The packets as the demuxer gave them, before any parser: their duration
//! and size, keyed by stream and PTS, until the parsed buffer with that PTS
//! takes them. Parsers may replace container durations with ones from the
//! nominal frame rate (h264parse does), and subtitle parsers rewrite the
//! text (ssaparse keeps only the text of an ASS event); the frame scanner
//! reports the container's figures.

use gst::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One demuxed packet's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Demuxed {
    /// Duration in ns, if the container gave one.
    pub(crate) duration: Option<u64>,
    /// Size in bytes.
    pub(crate) size: usize,
}

/// Demuxed packets not yet taken, shared by the demuxer's and the parsed
/// pads' probes.
#[derive(Debug, Clone, Default)]
pub(crate) struct DemuxedPackets(Arc<Mutex<HashMap<(u64, u64), Demuxed>>>);

/// Entries kept at most: parsers hand buffers on a few frames after the
/// demuxer, and those of buffers a parser dropped or merged are never taken.
const CAPACITY: usize = 8192;

impl DemuxedPackets {
    /// Records every buffer with a PTS leaving the demuxer's `pad`.
    pub(crate) fn watch(&self, pad: &gst::Pad) {
        let map = self.clone();
        pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            if let Some(gst::PadProbeData::Buffer(buffer)) = &info.data {
                if let (Some(pts), Some(id)) = (buffer.pts(), stream_id(pad)) {
                    let packet = Demuxed {
                        duration: buffer.duration().map(|d| d.nseconds()),
                        size: buffer.size(),
                    };
                    map.insert((id, pts.nseconds()), packet);
                }
            }
            gst::PadProbeReturn::Ok
        });
    }

    fn insert(&self, key: (u64, u64), packet: Demuxed) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(key, packet);
    }

    /// The demuxed packet of the stream on (parsed) `pad` with this PTS,
    /// once.
    pub(crate) fn take(&self, pad: &gst::Pad, pts: Option<gst::ClockTime>) -> Option<Demuxed> {
        let key = (stream_id(pad)?, pts?.nseconds());
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key)
    }
}

/// A hash of the pad's stream-id (the same on the demuxer's and the
/// parser's pads of one stream).
fn stream_id(pad: &gst::Pad) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let event = pad.sticky_event::<gst::event::StreamStart>(0)?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    event.stream_id().hash(&mut hasher);
    Some(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_stays_bounded() {
        let packets = DemuxedPackets::default();
        for i in 0..(CAPACITY as u64 + 10) {
            packets.insert(
                (1, i),
                Demuxed {
                    duration: Some(i),
                    size: 1,
                },
            );
        }
        let map = packets.0.lock().unwrap();
        assert!(map.len() <= CAPACITY, "{}", map.len());
    }
}
