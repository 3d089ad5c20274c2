//! A small MPEG-TS reader for `check`: the access units (PES packets) of
//! each audio and video stream with their own 90 kHz timestamps, as the
//! file holds them. GStreamer's `tsdemux` smooths timestamps that jump or go
//! back and `h264parse` drops the frames before the first keyframe — the
//! very faults a validator looks for — so transport streams and HLS
//! segments are read here. Every length is checked against the data; a
//! damaged packet is skipped, never trusted.

use crate::inspect::picture::PictureParser;
use crate::inspect::FrameRecord;

use super::timeline::Kind;
use std::collections::HashMap;

/// The size of a transport packet.
const PACKET: usize = 188;
/// PES bytes kept per access unit for the keyframe test.
const HEAD: usize = 64 * 1024;

/// Whether `data` starts like a transport stream (three sync bytes).
pub(crate) fn looks_like_ts(data: &[u8]) -> bool {
    data.len() >= 3 * PACKET && (0..3).all(|i| data[i * PACKET] == 0x47)
}

/// What one elementary stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    H264,
    H265,
    OtherVideo,
    Audio,
}

/// The access units of one transport stream.
#[derive(Debug, Default)]
pub(crate) struct TsContent {
    /// Each stream's kind, by index (PMT order).
    pub(crate) kinds: Vec<Kind>,
    /// Access units in file order.
    pub(crate) frames: Vec<FrameRecord>,
    /// The PTS (ns of the 90 kHz clock) of each PID's first access unit
    /// with one.
    pub(crate) first_pts: HashMap<u16, i64>,
}

/// One PES packet being gathered.
#[derive(Debug)]
struct Pes {
    stream: usize,
    codec: Codec,
    head: Vec<u8>,
    size: usize,
    random_access: bool,
}

/// A PID's stream, and the last raw timestamp for unwrapping.
#[derive(Debug)]
struct Elementary {
    stream: usize,
    codec: Codec,
    unwrap: Unwrap,
}

/// Unwraps 33-bit timestamps into a continuous signed count of ticks:
/// each value is read as the nearest to the previous one (a step back stays
/// a step back; a wrap goes on forward).
#[derive(Debug, Default)]
struct Unwrap {
    last: Option<(u64, i64)>,
}

impl Unwrap {
    fn ticks(&mut self, raw: u64) -> i64 {
        const WRAP: i64 = 1 << 33;
        let value = match self.last {
            None => raw as i64,
            Some((last_raw, last)) => {
                let mut step = (raw as i64 - last_raw as i64).rem_euclid(WRAP);
                if step >= WRAP / 2 {
                    step -= WRAP;
                }
                last.saturating_add(step)
            }
        };
        self.last = Some((raw, value));
        value
    }
}

/// 90 kHz ticks to nanoseconds.
fn ns(ticks: i64) -> i64 {
    ((ticks as i128) * 100_000 / 9).clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// A PES timestamp (5 bytes).
fn timestamp(b: &[u8]) -> Option<u64> {
    let b = b.get(..5)?;
    Some(
        ((((b[0] as u64) >> 1) & 0x07) << 30)
            | ((b[1] as u64) << 22)
            | (((b[2] as u64) >> 1) << 15)
            | ((b[3] as u64) << 7)
            | ((b[4] as u64) >> 1),
    )
}

/// Reads every audio and video access unit of `data`.
pub(crate) fn read(data: &[u8]) -> TsContent {
    let mut reader = Reader::default();
    reader.feed(data);
    reader.finish()
}

/// Reads a transport stream fed in pieces of any size.
#[derive(Debug, Default)]
pub(crate) struct Reader {
    content: TsContent,
    pmt_pids: Vec<u16>,
    pids: HashMap<u16, Elementary>,
    open: HashMap<u16, Pes>,
    /// Bytes not yet read (less than a packet, or not yet in sync).
    pending: Vec<u8>,
}

impl Reader {
    /// Reads the next piece of the stream. Only the bytes of a packet cut
    /// at the end of `data` are kept (less than a packet); the rest is
    /// read where it lies.
    pub(crate) fn feed(&mut self, mut data: &[u8]) {
        if !self.pending.is_empty() {
            // The packet cut last time, completed from the front of
            // `data`, and a packet more to check the sync after it.
            let held = self.pending.len();
            let take = data.len().min((2 * PACKET).saturating_sub(held));
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(&data[..take]);
            let at = self.packets(&joined);
            if take == data.len() || at < held {
                self.pending = joined.get(at..).unwrap_or(&[]).to_vec();
                return;
            }
            // Less than a packet is left of `joined`, all of it from
            // `data` (it held two packets' worth): read on from there.
            data = data.get(at - held..).unwrap_or(&[]);
        }
        let at = self.packets(data);
        self.pending = data.get(at..).unwrap_or(&[]).to_vec();
    }

    /// Reads the whole packets of `buffer`; returns where the bytes not
    /// read start (less than a packet is left).
    fn packets(&mut self, buffer: &[u8]) -> usize {
        let mut at = 0usize;
        while let Some(packet) = buffer.get(at..at.saturating_add(PACKET)) {
            if packet[0] != 0x47 {
                // Lost sync: the next byte that starts a run of two packets.
                at = at.saturating_add(1);
                while let Some(&b) = buffer.get(at) {
                    if b == 0x47 && buffer.get(at + PACKET).is_none_or(|&n| n == 0x47) {
                        break;
                    }
                    at += 1;
                }
                continue;
            }
            at += PACKET;
            self.packet(packet);
        }
        at.min(buffer.len())
    }

    /// Each PID's first PTS (ns of the 90 kHz clock) read so far: those
    /// of finished access units, and for a PID with none yet, the PTS in
    /// the header of its first one, still being gathered (the same value
    /// once finished, known as soon as its header has passed).
    pub(crate) fn first_pts(&self) -> HashMap<u16, i64> {
        let mut first = self.content.first_pts.clone();
        for (&pid, pes) in &self.open {
            if let std::collections::hash_map::Entry::Vacant(entry) = first.entry(pid) {
                if let Some(pts) = header_pts(&pes.head) {
                    entry.insert(ns(i64::try_from(pts).unwrap_or(i64::MAX)));
                }
            }
        }
        first
    }

    /// The audio and video PIDs the PMTs read so far list.
    pub(crate) fn pids(&self) -> impl Iterator<Item = u16> + '_ {
        self.pids.keys().copied()
    }

    /// Forgets the access units read so far (their first PTS stays): for a
    /// reader that only wants [`Reader::first_pts`], memory that does not
    /// grow with the stream.
    pub(crate) fn forget_frames(&mut self) {
        self.content.frames.clear();
    }

    /// Reads one 188-byte packet.
    fn packet(&mut self, packet: &[u8]) {
        let pid = (u16::from(packet[1] & 0x1f) << 8) | u16::from(packet[2]);
        let start = packet[1] & 0x40 != 0;
        let control = (packet[3] >> 4) & 3;
        let mut payload_at = 4usize;
        let mut random_access = false;
        if control & 2 != 0 {
            let length = packet[4] as usize;
            random_access = length > 0 && packet.get(5).is_some_and(|f| f & 0x40 != 0);
            payload_at = 5 + length;
        }
        if control & 1 == 0 || payload_at >= PACKET {
            return;
        }
        let payload = &packet[payload_at..];
        if pid == 0 && start {
            self.pmt_pids = read_pat(payload);
        } else if start && self.pmt_pids.contains(&pid) {
            for (es_pid, codec) in read_pmt(payload) {
                let kinds = &mut self.content.kinds;
                self.pids.entry(es_pid).or_insert_with(|| {
                    kinds.push(match codec {
                        Codec::Audio => Kind::Audio,
                        _ => Kind::Video,
                    });
                    Elementary {
                        stream: kinds.len() - 1,
                        codec,
                        unwrap: Unwrap::default(),
                    }
                });
            }
        } else if let Some(es) = self.pids.get_mut(&pid) {
            if start {
                if let Some(done) = self.open.remove(&pid) {
                    finish_noting(done, pid, es, &mut self.content);
                }
                self.open.insert(
                    pid,
                    Pes {
                        stream: es.stream,
                        codec: es.codec,
                        head: Vec::new(),
                        size: 0,
                        random_access,
                    },
                );
            }
            if let Some(pes) = self.open.get_mut(&pid) {
                pes.size = pes.size.saturating_add(payload.len());
                let room = HEAD.saturating_sub(pes.head.len());
                pes.head
                    .extend_from_slice(&payload[..payload.len().min(room)]);
            }
        }
    }

    /// The access units read, the last ones of each stream included.
    pub(crate) fn finish(mut self) -> TsContent {
        let mut rest: Vec<(u16, Pes)> = self.open.drain().collect();
        rest.sort_by_key(|(pid, _)| *pid);
        for (pid, pes) in rest {
            if let Some(es) = self.pids.get_mut(&pid) {
                finish_noting(pes, pid, es, &mut self.content);
            }
        }
        self.content
    }
}

/// The PMT PIDs a PAT section lists.
fn read_pat(payload: &[u8]) -> Vec<u16> {
    let Some(section) = section(payload, 0x00) else {
        return Vec::new();
    };
    section
        .get(8..)
        .unwrap_or(&[])
        .chunks_exact(4)
        .filter(|e| (u16::from(e[0]) << 8) | u16::from(e[1]) != 0)
        .map(|e| (u16::from(e[2] & 0x1f) << 8) | u16::from(e[3]))
        .collect()
}

/// The audio and video streams a PMT section lists, in its order.
fn read_pmt(payload: &[u8]) -> Vec<(u16, Codec)> {
    let Some(s) = section(payload, 0x02) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let Some(info) = s.get(10..12) else {
        return out;
    };
    let mut at = 12 + ((usize::from(info[0] & 0x0f) << 8) | usize::from(info[1]));
    while let Some(e) = s.get(at..at + 5) {
        let pid = (u16::from(e[1] & 0x1f) << 8) | u16::from(e[2]);
        let es_info = (usize::from(e[3] & 0x0f) << 8) | usize::from(e[4]);
        let codec = match e[0] {
            0x1b => Some(Codec::H264),
            0x24 => Some(Codec::H265),
            0x01 | 0x02 | 0x10 | 0xea => Some(Codec::OtherVideo),
            0x03 | 0x04 | 0x0f | 0x11 | 0x81 | 0x87 => Some(Codec::Audio),
            _ => None,
        };
        if let Some(codec) = codec {
            out.push((pid, codec));
        }
        at = at.saturating_add(5).saturating_add(es_info);
    }
    out
}

/// A PSI section of `table` after the pointer field, without its CRC.
fn section(payload: &[u8], table: u8) -> Option<&[u8]> {
    let pointer = *payload.first()? as usize;
    let s = payload.get(1 + pointer..)?;
    if *s.first()? != table {
        return None;
    }
    let length = (usize::from(*s.get(1)? & 0x0f) << 8) | usize::from(*s.get(2)?);
    // The section without its 4-byte CRC (only what this packet holds).
    let end = (3 + length).saturating_sub(4).min(s.len());
    s.get(..end)
}

/// [`finish`], noting the PID's first PTS.
fn finish_noting(pes: Pes, pid: u16, es: &mut Elementary, content: &mut TsContent) {
    let before = content.frames.len();
    finish(pes, es, &mut content.frames);
    if content.frames.len() > before {
        if let Some(pts) = content.frames.last().and_then(|f| f.pts) {
            content.first_pts.entry(pid).or_insert(pts);
        }
    }
}

/// The PTS in a PES header, as the stream holds it (33 bits).
fn header_pts(h: &[u8]) -> Option<u64> {
    if h.len() < 9 || h[..3] != [0, 0, 1] || (h[7] >> 6) & 2 == 0 {
        return None;
    }
    timestamp(h.get(9..)?)
}

/// Turns a gathered PES packet into a frame record.
fn finish(pes: Pes, es: &mut Elementary, frames: &mut Vec<FrameRecord>) {
    let h = &pes.head;
    if h.len() < 9 || h[..3] != [0, 0, 1] {
        return;
    }
    let flags = h[7] >> 6;
    let header = 9 + h[8] as usize;
    let pts = (flags & 2 != 0)
        .then(|| timestamp(&h[9..]))
        .flatten()
        .map(|t| ns(es.unwrap.ticks(t)));
    let dts = if flags == 3 {
        timestamp(h.get(14..).unwrap_or(&[])).map(|t| ns(es.unwrap.ticks(t)))
    } else {
        pts
    };
    let body = h.get(header..).unwrap_or(&[]);
    let (picture_type, keyframe) = match pes.codec {
        Codec::H264 => PictureParser::H264(None).analyse(body, pes.random_access),
        Codec::H265 => PictureParser::H265(None).analyse(body, pes.random_access),
        Codec::OtherVideo => (None, pes.random_access),
        Codec::Audio => (None, true),
    };
    frames.push(FrameRecord {
        stream: pes.stream,
        pts,
        dts,
        duration: None,
        size: pes.size.saturating_sub(header),
        keyframe,
        picture_type,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_unwrap_forward_and_keep_steps_back() {
        let mut u = Unwrap::default();
        let top = (1u64 << 33) - 90;
        assert_eq!(u.ticks(top), top as i64);
        assert_eq!(u.ticks(90), top as i64 + 180);
        assert_eq!(u.ticks(0), top as i64 + 90);
        assert_eq!(ns(90_000), 1_000_000_000);
    }

    #[test]
    fn garbage_reads_as_nothing() {
        assert!(!looks_like_ts(b"hello"));
        let mut data = vec![0x47u8; PACKET * 4];
        data[PACKET + 7] = 0x12;
        let content = read(&data);
        assert!(content.frames.is_empty());
        let content = read(&[0x47, 0, 0]);
        assert!(content.kinds.is_empty());
    }
}
