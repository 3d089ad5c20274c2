//! Where in an H.264 or H.265 stream a decoder can start over: the IDR
//! pictures, found in the NAL units of an access unit (length-prefixed or
//! with start codes, as the caps say).

/// How a decoder's input splits into NAL units, and which codec's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Units {
    pub(super) h265: bool,
    /// The size of each unit's length prefix; `None`: start codes.
    pub(super) length_size: Option<usize>,
}

impl Units {
    /// From H.264 or H.265 caps; `None` for anything else.
    pub(super) fn of(caps: &gst::CapsRef) -> Option<Units> {
        let s = caps.structure(0)?;
        let h265 = match s.name().as_str() {
            "video/x-h264" => false,
            "video/x-h265" => true,
            _ => return None,
        };
        let length_size = match s.get::<&str>("stream-format").ok()? {
            "byte-stream" => None,
            "avc" | "avc3" | "hvc1" | "hev1" => {
                // avcC keeps it in byte 4, hvcC in byte 21 (low 2 bits + 1).
                let header = s.get::<gst::Buffer>("codec_data").ok()?;
                let map = header.map_readable().ok()?;
                let byte = *map.get(if h265 { 21 } else { 4 })?;
                Some(usize::from(byte & 0x03) + 1)
            }
            _ => return None,
        };
        Some(Units { h265, length_size })
    }

    /// Whether NAL header byte `header` begins an IDR picture's slice.
    fn is_idr(self, header: u8) -> bool {
        if self.h265 {
            // IDR_W_RADL and IDR_N_LP.
            matches!((header >> 1) & 0x3f, 19 | 20)
        } else {
            header & 0x1f == 5
        }
    }
}

/// Whether access unit `buffer` holds an IDR picture: decoding can start
/// there as if the stream began. Malformed data counts as no.
pub(super) fn starts_fresh(buffer: &gst::BufferRef, units: Units) -> bool {
    let Ok(map) = buffer.map_readable() else {
        return false;
    };
    let idr = nal_headers(&map, units.length_size).any(|header| units.is_idr(header));
    idr
}

/// The first byte of each NAL unit in `data`.
fn nal_headers(data: &[u8], length_size: Option<usize>) -> Box<dyn Iterator<Item = u8> + '_> {
    match length_size {
        Some(size) => {
            let mut rest = data;
            Box::new(std::iter::from_fn(move || {
                let prefix = rest.get(..size)?;
                let length = prefix.iter().fold(0usize, |n, b| {
                    n.saturating_mul(256).saturating_add(usize::from(*b))
                });
                let unit = rest.get(size..size.checked_add(length)?)?;
                rest = &rest[size + length..];
                unit.first().copied()
            }))
        }
        None => Box::new(
            data.windows(4)
                .filter(|w| w[0] == 0 && w[1] == 0 && w[2] == 1)
                .map(|w| w[3]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh(data: &[u8], h265: bool, length_size: Option<usize>) -> bool {
        gst::init().unwrap();
        let buffer = gst::Buffer::from_slice(data.to_vec());
        starts_fresh(&buffer, Units { h265, length_size })
    }

    #[test]
    fn idr_pictures_are_found_in_both_stream_formats() {
        // An access unit delimiter, then an IDR slice (type 5) or a
        // non-IDR one (type 1).
        let avc = |slice: u8| [0, 0, 0, 2, 0x09, 0xf0, 0, 0, 0, 3, slice, 0x88, 0x84];
        assert!(fresh(&avc(0x65), false, Some(4)));
        assert!(!fresh(&avc(0x41), false, Some(4)));
        let annex_b = |slice: u8| [0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, slice, 0x88];
        assert!(fresh(&annex_b(0x65), false, None));
        assert!(!fresh(&annex_b(0x41), false, None));
        // H.265: IDR_W_RADL (19) starts fresh, CRA (21, open GOP) does not.
        assert!(fresh(&[0, 0, 0, 3, 19 << 1, 1, 0xaf], true, Some(4)));
        assert!(!fresh(&[0, 0, 0, 3, 21 << 1, 1, 0xaf], true, Some(4)));
        assert!(fresh(&[0, 0, 1, 20 << 1, 1], true, None));
    }

    #[test]
    fn malformed_units_never_count_as_a_fresh_start() {
        // A length running past the end, an empty buffer, a zero length.
        assert!(!fresh(&[0, 0, 0, 9, 0x65, 0x88], false, Some(4)));
        assert!(!fresh(&[], false, Some(4)));
        assert!(!fresh(&[0, 0, 0, 0], false, Some(4)));
        assert!(!fresh(&[0xff, 0xff, 0xff, 0xff, 0x65], false, Some(4)));
        assert!(!fresh(&[0, 0, 1], false, None));
    }

    #[test]
    fn units_come_from_the_caps() {
        gst::init().unwrap();
        let avcc = gst::Buffer::from_slice(vec![1, 0x64, 0, 0x28, 0xff, 0xe1]);
        let caps = gst::Caps::builder("video/x-h264")
            .field("stream-format", "avc")
            .field("codec_data", avcc)
            .build();
        assert_eq!(
            Units::of(&caps),
            Some(Units {
                h265: false,
                length_size: Some(4)
            })
        );
        let caps = gst::Caps::builder("video/x-h265")
            .field("stream-format", "byte-stream")
            .build();
        assert_eq!(
            Units::of(&caps),
            Some(Units {
                h265: true,
                length_size: None
            })
        );
        // avc without its header, or another codec: nothing to go by.
        let caps = gst::Caps::builder("video/x-h264")
            .field("stream-format", "avc")
            .build();
        assert_eq!(Units::of(&caps), None);
        assert_eq!(Units::of(&gst::Caps::builder("video/x-vp9").build()), None);
    }
}
