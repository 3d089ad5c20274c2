//! Picture types (I/P/B) of encoded video frames, read from the first slice
//! or picture header of an access unit where the bitstream says it plainly:
//! H.264 and H.265 slice headers, MPEG-1/2 picture headers and MPEG-4 Part 2
//! VOP headers. Codecs without bidirectional frames (VP8, VP9, Theora) are
//! I when they are keyframes and P otherwise; intra-only codecs (MJPEG,
//! PNG, ProRes, DNxHD, DV, raw video) are all I pictures and keyframes.
//! Everything else is unknown.

use serde::{Deserialize, Serialize};

/// The coding type of one picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PictureType {
    /// Intra: decodable on its own.
    I,
    /// Predicted from earlier pictures.
    P,
    /// Bidirectionally predicted.
    B,
}

impl PictureType {
    /// `"I"`, `"P"` or `"B"`.
    pub fn letter(self) -> &'static str {
        match self {
            Self::I => "I",
            Self::P => "P",
            Self::B => "B",
        }
    }
}

/// Caps of video codecs whose every frame is coded on its own.
const INTRA_ONLY: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/bmp",
    "image/tiff",
    "image/jp2",
    "image/x-j2c",
    "image/x-jpc",
    "video/x-raw",
    "video/x-prores",
    "video/x-dnxhd",
    "video/x-dv",
    "video/x-huffyuv",
    "video/x-ffv",
    "video/x-cineform",
];

/// How to find picture types in one stream's buffers, chosen from its caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PictureParser {
    /// H.264; `Some(n)`: NAL units prefixed by an n-byte length (avc),
    /// `None`: Annex B start codes (byte-stream).
    H264(Option<usize>),
    /// H.265, framed the same way as H.264.
    H265(Option<usize>),
    /// MPEG-1 or MPEG-2 video.
    Mpeg12,
    /// MPEG-4 Part 2 video.
    Mpeg4,
    /// A codec without B-frames: the keyframe flag decides.
    KeyframeOnly,
    /// An intra-only codec (MJPEG, PNG, ProRes, DNxHD, DV, raw video):
    /// every frame is an I picture and a keyframe, whatever the container
    /// flags.
    IntraOnly,
    /// Nothing known.
    Unknown,
}

impl PictureParser {
    /// The parser for a stream with these caps.
    pub fn for_caps(caps: &gst::CapsRef) -> Self {
        let Some(s) = caps.structure(0) else {
            return Self::Unknown;
        };
        let length_size = || {
            let format = s.get::<&str>("stream-format").unwrap_or("byte-stream");
            if format == "byte-stream" {
                return None;
            }
            // The last two bits of the 5th (avcC) or 22nd (hvcC) byte of the
            // codec data are the length size minus one; 4 is the usual size.
            let at = if s.name() == "video/x-h264" { 4 } else { 21 };
            let size = s
                .get::<gst::Buffer>("codec_data")
                .ok()
                .and_then(|b| {
                    let map = b.map_readable().ok()?;
                    map.get(at).map(|b| (b & 3) as usize + 1)
                })
                .unwrap_or(4);
            Some(size)
        };
        match s.name().as_str() {
            "video/x-h264" => Self::H264(length_size()),
            "video/x-h265" => Self::H265(length_size()),
            "video/mpeg" => match s.get::<i32>("mpegversion") {
                Ok(1) | Ok(2) => Self::Mpeg12,
                Ok(4) => Self::Mpeg4,
                _ => Self::Unknown,
            },
            "video/x-vp8" | "video/x-vp9" | "video/x-theora" => Self::KeyframeOnly,
            name if INTRA_ONLY.contains(&name) => Self::IntraOnly,
            _ => Self::Unknown,
        }
    }

    /// The picture type of one access unit, and whether it is a keyframe.
    /// GStreamer's H.264 parser flags every frame with an I slice as a
    /// keyframe; only IDR pictures and those with a recovery-point SEI are
    /// places decoding can start, so for H.264 and H.265 the bitstream decides
    /// (when it could be read at all).
    pub fn analyse(self, data: &[u8], keyframe: bool) -> (Option<PictureType>, bool) {
        match self {
            Self::H264(framing) => {
                let mut kind = None;
                let mut random_access = false;
                for nal in nal_units(data, framing) {
                    let nal_type = nal.first().map_or(0, |b| b & 0x1f);
                    random_access |= nal_type == 5 || (nal_type == 6 && has_recovery_point(nal));
                    kind = kind.or_else(|| h264_slice_type(nal));
                }
                (
                    kind,
                    if kind.is_some() {
                        random_access
                    } else {
                        keyframe
                    },
                )
            }
            Self::H265(framing) => {
                let mut kind = None;
                let mut random_access = false;
                for nal in nal_units(data, framing) {
                    let nal_type = nal.first().map_or(0, |b| (b >> 1) & 0x3f);
                    random_access |= (16..=23).contains(&nal_type);
                    kind = kind.or_else(|| h265_slice_type(nal));
                }
                (
                    kind,
                    if kind.is_some() {
                        random_access
                    } else {
                        keyframe
                    },
                )
            }
            Self::Mpeg12 => (mpeg12_picture_type(data), keyframe),
            Self::Mpeg4 => (mpeg4_vop_type(data), keyframe),
            Self::KeyframeOnly => (
                Some(if keyframe {
                    PictureType::I
                } else {
                    PictureType::P
                }),
                keyframe,
            ),
            Self::IntraOnly => (Some(PictureType::I), true),
            Self::Unknown => (None, keyframe),
        }
    }
}

/// Whether an H.264 SEI NAL unit carries a recovery point (payload type 6).
fn has_recovery_point(nal: &[u8]) -> bool {
    let mut at = 1usize;
    // Each message: type and size as runs of 0xff plus a last byte, then the
    // payload; the NAL ends with the trailing bits byte 0x80.
    while at.saturating_add(1) < nal.len() {
        let mut read = || {
            let mut value = 0usize;
            while let Some(&b) = nal.get(at) {
                at += 1;
                value = value.saturating_add(b as usize);
                if b != 0xff {
                    break;
                }
            }
            value
        };
        let payload_type = read();
        let size = read();
        if payload_type == 6 {
            return true;
        }
        at = at.saturating_add(size);
    }
    false
}

/// The NAL units in an access unit, framed by length prefixes or start codes.
fn nal_units(data: &[u8], length_size: Option<usize>) -> Box<dyn Iterator<Item = &[u8]> + '_> {
    match length_size {
        Some(size) => {
            let mut rest = data;
            Box::new(std::iter::from_fn(move || {
                // A zero-byte length would read the same empty unit forever.
                if size == 0 || rest.len() < size {
                    return None;
                }
                let len = rest[..size]
                    .iter()
                    .fold(0usize, |acc, &b| (acc << 8) | b as usize);
                let end = size.saturating_add(len).min(rest.len());
                let nal = &rest[size..end];
                rest = &rest[end..];
                Some(nal)
            }))
        }
        None => {
            let starts: Vec<usize> = data
                .windows(3)
                .enumerate()
                .filter(|(_, w)| *w == [0, 0, 1])
                .map(|(i, _)| i + 3)
                .collect();
            let ends: Vec<usize> = starts
                .iter()
                .skip(1)
                .map(|&s| s - 3)
                .chain(std::iter::once(data.len()))
                .collect();
            Box::new(
                starts
                    .into_iter()
                    .zip(ends)
                    .map(move |(s, e)| &data[s..e.max(s)]),
            )
        }
    }
}

/// Reads bits from a NAL unit's payload, skipping emulation-prevention bytes.
struct BitReader<'a> {
    data: &'a [u8],
    byte: usize,
    bit: u8,
    zeros: u8,
}

impl<'a> BitReader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            byte: 0,
            bit: 0,
            zeros: 0,
        }
    }

    fn bit(&mut self) -> Option<u32> {
        if self.bit == 0 {
            // 0x000003 hides a 0x0000 followed by a byte ≤ 3: skip the 3.
            if self.zeros >= 2 && self.data.get(self.byte) == Some(&3) {
                self.byte += 1;
                self.zeros = 0;
            }
            let b = *self.data.get(self.byte)?;
            self.zeros = if b == 0 {
                self.zeros.saturating_add(1)
            } else {
                0
            };
        }
        let value = (self.data[self.byte] >> (7 - self.bit)) & 1;
        self.bit += 1;
        if self.bit == 8 {
            self.bit = 0;
            self.byte += 1;
        }
        Some(value as u32)
    }

    /// An unsigned Exp-Golomb code.
    fn ue(&mut self) -> Option<u32> {
        let mut zeros = 0;
        while self.bit()? == 0 {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        let mut value = 1u64;
        for _ in 0..zeros {
            value = (value << 1) | self.bit()? as u64;
        }
        u32::try_from(value - 1).ok()
    }
}

/// The slice type of an H.264 coded slice NAL unit (types 1 and 5).
fn h264_slice_type(nal: &[u8]) -> Option<PictureType> {
    let nal_type = nal.first()? & 0x1f;
    if nal_type != 1 && nal_type != 5 {
        return None;
    }
    let mut r = BitReader::new(&nal[1..]);
    let _first_mb = r.ue()?;
    match r.ue()? % 5 {
        0 | 3 => Some(PictureType::P), // P, SP
        1 => Some(PictureType::B),
        2 | 4 => Some(PictureType::I), // I, SI
        _ => None,
    }
}

/// The slice type of the first slice segment of an H.265 picture. Assumes
/// the picture parameter set adds no extra slice header bits (none of the
/// common encoders do); IRAP pictures are intra whatever the header says.
fn h265_slice_type(nal: &[u8]) -> Option<PictureType> {
    if nal.len() < 3 {
        return None;
    }
    let nal_type = (nal[0] >> 1) & 0x3f;
    if nal_type > 21 || (10..=15).contains(&nal_type) {
        return None; // not a slice segment
    }
    if (16..=21).contains(&nal_type) {
        return Some(PictureType::I);
    }
    let mut r = BitReader::new(&nal[2..]);
    if r.bit()? == 0 {
        return None; // a later slice segment of the picture: wait for the first
    }
    let _pps_id = r.ue()?;
    match r.ue()? {
        0 => Some(PictureType::B),
        1 => Some(PictureType::P),
        2 => Some(PictureType::I),
        _ => None,
    }
}

/// `picture_coding_type` from an MPEG-1/2 picture header (start code 0x00).
fn mpeg12_picture_type(data: &[u8]) -> Option<PictureType> {
    let at = data.windows(4).position(|w| w == [0, 0, 1, 0])? + 4;
    let header = data.get(at..at + 2)?;
    // 10 bits of temporal reference, then 3 bits of coding type.
    match (header[1] >> 3) & 7 {
        1 => Some(PictureType::I),
        2 => Some(PictureType::P),
        3 => Some(PictureType::B),
        _ => None,
    }
}

/// `vop_coding_type` from an MPEG-4 Part 2 VOP header (start code 0xB6).
fn mpeg4_vop_type(data: &[u8]) -> Option<PictureType> {
    let at = data.windows(4).position(|w| w == [0, 0, 1, 0xb6])? + 4;
    match data.get(at)? >> 6 {
        0 => Some(PictureType::I),
        1 | 3 => Some(PictureType::P), // P, S (sprite)
        2 => Some(PictureType::B),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h264_slice_headers_in_both_framings() {
        // NAL header 0x65 (IDR slice), first_mb=0 (1), slice_type=7 (I, all
        // slices): bits 1 0001000 → 0x88.
        let idr = [0x65, 0x88, 0x80];
        // 0x41 (non-IDR slice), first_mb=0, slice_type=1 (B): bits 1 010 → 0xa0.
        let b = [0x41, 0xa0];
        // slice_type=0 (P): bits 1 1 → 0xc0.
        let p = [0x41, 0xc0];
        let avc = |nal: &[u8]| {
            let mut v = (nal.len() as u32).to_be_bytes().to_vec();
            v.extend_from_slice(nal);
            v
        };
        let parser = PictureParser::H264(Some(4));
        assert_eq!(
            parser.analyse(&avc(&idr), true),
            (Some(PictureType::I), true)
        );
        assert_eq!(
            parser.analyse(&avc(&b), false),
            (Some(PictureType::B), false)
        );
        assert_eq!(
            parser.analyse(&avc(&p), true),
            (Some(PictureType::P), false)
        );
        // Annex B with an access unit delimiter (type 9) first.
        let mut annex_b = vec![0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1];
        annex_b.extend_from_slice(&b);
        assert_eq!(
            PictureParser::H264(None).analyse(&annex_b, false),
            (Some(PictureType::B), false)
        );
        assert_eq!(
            PictureParser::H264(None).analyse(&[1, 2, 3], true),
            (None, true)
        );
        // A non-IDR I slice is a keyframe only with a recovery point SEI
        // (type 6, size 1) before it.
        let i_slice = [0x41, 0x88, 0x80];
        assert_eq!(
            parser.analyse(&avc(&i_slice), true),
            (Some(PictureType::I), false)
        );
        let mut with_sei = avc(&[0x06, 0x06, 0x01, 0x84, 0x80]);
        with_sei.extend(avc(&i_slice));
        assert_eq!(
            parser.analyse(&with_sei, true),
            (Some(PictureType::I), true)
        );
    }

    #[test]
    fn emulation_prevention_bytes_are_skipped() {
        // 00 00 03 01 is 00 00 01 on the wire: 23 zeros, a one, 23 ones.
        let mut r = BitReader::new(&[0x00, 0x00, 0x03, 0x01, 0xff, 0xff, 0xff]);
        assert_eq!(r.ue(), Some((1 << 24) - 2));
        let mut r = BitReader::new(&[0x00, 0x01, 0xff, 0xff]);
        assert_eq!(r.ue(), Some((1 << 16) - 2));
        assert_eq!(BitReader::new(&[0x00]).ue(), None);
    }

    #[test]
    fn mpeg_picture_headers() {
        // temporal_reference=0, coding type 3 (B) in bits 10..13.
        let mpeg2 = [0, 0, 1, 0, 0x00, 3 << 3];
        assert_eq!(mpeg12_picture_type(&mpeg2), Some(PictureType::B));
        let vop = [0, 0, 1, 0xb6, 0x40];
        assert_eq!(mpeg4_vop_type(&vop), Some(PictureType::P));
        assert_eq!(
            PictureParser::KeyframeOnly.analyse(&[], true),
            (Some(PictureType::I), true)
        );
        assert_eq!(PictureParser::Unknown.analyse(&[], false), (None, false));
    }

    #[test]
    fn intra_only_codecs_are_all_keyframes() {
        gst::init().unwrap();
        for name in [
            "image/jpeg",
            "image/png",
            "video/x-prores",
            "video/x-dnxhd",
            "video/x-raw",
        ] {
            let caps = gst::Caps::new_empty_simple(name);
            let parser = PictureParser::for_caps(&caps);
            assert_eq!(parser, PictureParser::IntraOnly, "{name}");
            // Whatever the container flagged.
            assert_eq!(parser.analyse(&[], false), (Some(PictureType::I), true));
        }
        let caps = gst::Caps::new_empty_simple("video/x-h264");
        assert_ne!(PictureParser::for_caps(&caps), PictureParser::IntraOnly);
    }
}
