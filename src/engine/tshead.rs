//! The head of an MPEG-TS served over HTTP(S) (a file, or an endless
//! HTTP-TS body), read as it flows into `tsdemux`: each PID's first PTS on the 90 kHz
//! clock, for the time origin ([`super::origin`]), which reads a local
//! file's head from disk instead. The bytes go through `check`'s packet
//! reader, the one the file case uses, so both give the same values.
//!
//! Threading rule: a buffer probe on `tsdemux`'s sink pad runs on the
//! streaming thread that feeds it, before `tsdemux` sees the bytes. Its
//! reading state sits in a mutex no other thread takes; what it learns is
//! handed to a callback that writes into the origin's mutex (which the main
//! thread only reads). It never blocks and never waits for the main
//! thread, and removes itself once every PID's first PTS is known, after
//! [`TsHead`]'s limit of bytes, or when the stream is not a transport
//! stream. Memory stays bounded: buffers are read where they lie (at most
//! a cut packet is carried to the next one, plus the first 64 KB of each
//! PES being gathered), and the access units read are forgotten.

use crate::inspect::check::mpegts::{looks_like_ts, Reader};
use gst::prelude::*;
use std::collections::HashMap;
use std::sync::Mutex;

/// How many bytes are looked at before reading: three packets.
const SNIFF: usize = 3 * 188;

/// Where the reading of a stream's head stands.
#[derive(Debug)]
enum Stage {
    /// Gathering the first bytes to tell a transport stream (at most
    /// [`SNIFF`] of them).
    Sniffing(Vec<u8>),
    /// Reading packets.
    Reading(Box<Reader>),
    /// Not a transport stream.
    NotTs,
}

/// The first PTS of each PID of a stream read in pieces, up to a limit.
#[derive(Debug)]
pub(crate) struct TsHead {
    stage: Stage,
    /// Whether reading is over: every PID known, the limit passed, an
    /// unreadable buffer, or not a transport stream.
    over: bool,
    /// Bytes seen so far (read or skipped).
    passed: u64,
    /// Bytes after which reading stops.
    limit: u64,
    /// The byte offset the next buffer should have, when buffers carry
    /// offsets: a buffer elsewhere (after a seek, or a pull-mode scan of
    /// the end) is not the head, and is skipped.
    next_offset: Option<u64>,
    /// How many PIDs' first PTS were handed on so far.
    reported: usize,
}

impl TsHead {
    /// A reader of the first `limit` bytes.
    pub(crate) fn new(limit: u64) -> Self {
        Self {
            stage: Stage::Sniffing(Vec::with_capacity(SNIFF)),
            over: false,
            passed: 0,
            limit,
            next_offset: None,
            reported: 0,
        }
    }

    /// Whether reading is over.
    pub(crate) fn is_done(&self) -> bool {
        self.over
    }

    /// Reads the next piece of the stream, found at byte `offset` when
    /// known.
    pub(crate) fn feed(&mut self, offset: Option<u64>, data: &[u8]) {
        if self.over {
            return;
        }
        let size = u64::try_from(data.len()).unwrap_or(u64::MAX);
        self.passed = self.passed.saturating_add(size);
        let in_place = match (offset, self.next_offset) {
            (Some(at), Some(next)) => at == next,
            _ => true,
        };
        if in_place {
            self.next_offset = offset.and_then(|at| at.checked_add(size));
            self.read(data);
        }
        if self.passed >= self.limit {
            self.over = true;
        }
    }

    /// Stops reading: a piece could not be read, and what follows would
    /// not join what came before.
    pub(crate) fn stop(&mut self) {
        self.over = true;
    }

    fn read(&mut self, data: &[u8]) {
        match &mut self.stage {
            Stage::NotTs => {}
            Stage::Sniffing(first) => {
                let room = SNIFF.saturating_sub(first.len());
                let (now, later) = data.split_at(data.len().min(room));
                first.extend_from_slice(now);
                if first.len() < SNIFF {
                    return;
                }
                if !looks_like_ts(first) {
                    self.stage = Stage::NotTs;
                    self.over = true;
                    return;
                }
                let mut reader = Box::<Reader>::default();
                reader.feed(first);
                reader.feed(later);
                self.stage = Stage::Reading(reader);
                self.check_done();
            }
            Stage::Reading(reader) => {
                reader.feed(data);
                self.check_done();
            }
        }
    }

    /// Ends reading once every PID the PMT lists has a first PTS.
    fn check_done(&mut self) {
        let Stage::Reading(reader) = &mut self.stage else {
            return;
        };
        reader.forget_frames();
        let first = reader.first_pts();
        let mut pids = reader.pids().peekable();
        if pids.peek().is_some() && pids.all(|pid| first.contains_key(&pid)) {
            self.over = true;
        }
    }

    /// Each PID's first PTS (ns of the 90 kHz clock), when more of them
    /// are known than were last handed on.
    pub(crate) fn news(&mut self) -> Option<HashMap<u16, i64>> {
        let Stage::Reading(reader) = &self.stage else {
            return None;
        };
        let first = reader.first_pts();
        (first.len() > self.reported).then(|| {
            self.reported = first.len();
            first
        })
    }
}

/// Reads the head of what flows into `demuxer` (a `tsdemux`), at most
/// `limit` bytes, handing each PID's first PTS to `learnt` as they become
/// known; `learnt` says whether they are still wanted (the item may have
/// changed). Call on the streaming thread that makes the demuxer.
pub(crate) fn watch_input<F>(demuxer: &gst::Element, limit: u64, learnt: F)
where
    F: Fn(HashMap<u16, i64>) -> bool + Send + Sync + 'static,
{
    let Some(sink) = demuxer.static_pad("sink") else {
        return;
    };
    let head = Mutex::new(TsHead::new(limit));
    sink.add_probe(
        gst::PadProbeType::BUFFER | gst::PadProbeType::BUFFER_LIST,
        move |_, info| {
            let mut head = head.lock().unwrap_or_else(|e| e.into_inner());
            let mut feed = |buffer: &gst::BufferRef| {
                let offset = Some(buffer.offset()).filter(|&o| o != u64::MAX);
                match buffer.map_readable() {
                    Ok(map) => head.feed(offset, map.as_slice()),
                    Err(_) => head.stop(),
                }
            };
            match &info.data {
                Some(gst::PadProbeData::Buffer(buffer)) => feed(buffer),
                Some(gst::PadProbeData::BufferList(list)) => list.iter().for_each(feed),
                _ => return gst::PadProbeReturn::Ok,
            }
            if let Some(first) = head.news() {
                if !learnt(first) {
                    return gst::PadProbeReturn::Remove;
                }
            }
            if head.is_done() {
                gst::PadProbeReturn::Remove
            } else {
                gst::PadProbeReturn::Ok
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One packet of `pid` holding `payload` (at most 183 bytes), padded
    /// with an adaptation field.
    fn packet(pid: u16, start: bool, payload: &[u8]) -> Vec<u8> {
        let mut p = vec![
            0x47,
            (u8::from(start) << 6) | (pid >> 8) as u8,
            pid as u8,
            0x30,
        ];
        let stuffing = 183 - payload.len();
        p.push(stuffing as u8);
        if stuffing > 0 {
            p.push(0);
            p.resize(5 + stuffing, 0xff);
        }
        p.extend_from_slice(payload);
        assert_eq!(p.len(), 188);
        p
    }

    /// A PES header with `pts` (90 kHz ticks), then a few bytes.
    fn pes(pts: u64) -> Vec<u8> {
        let t = [
            0x21 | (((pts >> 30) & 7) << 1) as u8,
            (pts >> 22) as u8,
            ((((pts >> 15) & 0x7f) << 1) | 1) as u8,
            (pts >> 7) as u8,
            (((pts & 0x7f) << 1) | 1) as u8,
        ];
        let mut h = vec![0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5];
        h.extend_from_slice(&t);
        h.extend_from_slice(&[0, 0, 0, 1, 0x09, 0xf0]);
        h
    }

    /// PAT, PMT (H.264 on 0x100, AAC on 0x101), then PES packets: audio at
    /// 11.4 s, video at 11.7 s, and a second of each.
    fn stream() -> Vec<u8> {
        let pat = [
            0, 0x00, 0xb0, 13, 0, 1, 0xc1, 0, 0, 0, 1, 0xf0, 0x00, 0, 0, 0, 0,
        ];
        let pmt = [
            0, 0x02, 0xb0, 23, 0, 1, 0xc1, 0, 0, 0xe1, 0x00, 0xf0, 0x00, 0x1b, 0xe1, 0x00, 0xf0,
            0x00, 0x0f, 0xe1, 0x01, 0xf0, 0x00, 0, 0, 0, 0,
        ];
        let mut s = packet(0, true, &pat);
        s.extend(packet(0x1000, true, &pmt));
        s.extend(packet(0x101, true, &pes(1_026_000)));
        s.extend(packet(0x100, true, &pes(1_053_000)));
        s.extend(packet(0x100, false, &[7; 100]));
        s.extend(packet(0x101, true, &pes(1_027_920)));
        s.extend(packet(0x100, true, &pes(1_056_600)));
        s
    }

    const AUDIO_NS: i64 = 11_400_000_000;
    const VIDEO_NS: i64 = 11_700_000_000;

    #[test]
    fn pieces_of_any_size_give_the_files_first_pts() {
        let data = stream();
        let whole = crate::inspect::check::mpegts::read(&data).first_pts;
        assert_eq!(whole, HashMap::from([(0x100, VIDEO_NS), (0x101, AUDIO_NS)]));
        for size in [1, 7, 187, 188, 189, 400, 564, 565, data.len()] {
            let mut head = TsHead::new(4 << 20);
            let mut at = 0u64;
            for piece in data.chunks(size) {
                head.feed(Some(at), piece);
                at += piece.len() as u64;
            }
            assert!(head.is_done(), "pieces of {size}: both PIDs known");
            assert_eq!(head.news(), Some(whole.clone()), "pieces of {size}");
            assert_eq!(head.news(), None, "handed on once");
        }
    }

    #[test]
    fn a_pid_is_known_once_its_pes_header_has_passed() {
        let data = stream();
        let mut head = TsHead::new(4 << 20);
        // PAT, PMT, the first audio PES and the first video PES's header.
        head.feed(None, &data[..4 * 188]);
        assert!(head.is_done());
        assert_eq!(
            head.news(),
            Some(HashMap::from([(0x100, VIDEO_NS), (0x101, AUDIO_NS)]))
        );
    }

    #[test]
    fn reading_stops_at_the_limit_and_skips_what_is_elsewhere() {
        let data = stream();
        let mut head = TsHead::new(3 * 188);
        head.feed(Some(0), &data[..3 * 188]);
        assert!(head.is_done(), "the limit passed");
        assert_eq!(head.news(), Some(HashMap::from([(0x101, AUDIO_NS)])));
        // A buffer from elsewhere (a seek) is not read as the head.
        let mut head = TsHead::new(4 << 20);
        head.feed(Some(0), &data[..3 * 188]);
        head.feed(Some(50_000), &data[3 * 188..]);
        assert!(!head.is_done());
        assert_eq!(head.news(), Some(HashMap::from([(0x101, AUDIO_NS)])));
    }

    #[test]
    fn what_is_not_a_transport_stream_is_left_alone() {
        let mut head = TsHead::new(4 << 20);
        head.feed(None, &[0u8; 1000]);
        assert!(head.is_done());
        assert_eq!(head.news(), None);
        // Garbage after a good start is skipped, never trusted.
        let mut head = TsHead::new(4 << 20);
        let mut data = stream()[..2 * 188].to_vec();
        data.extend(packet(0x100, true, &[0xff; 183]));
        data.extend((0..2000u32).map(|i| (i * 7919 % 251) as u8));
        head.feed(None, &data);
        assert!(!head.is_done());
        assert_eq!(head.news(), None);
    }
}
