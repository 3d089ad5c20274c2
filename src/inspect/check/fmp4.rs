//! A small fragmented-MP4 reader for `check` (DASH and HLS media
//! segments): the initialisation segment's tracks (id, timescale, handler,
//! `trex` defaults) and each sample's decode and presentation time and
//! keyframe flag, from the `moof` boxes (`tfhd`, `tfdt`, `trun`), for one
//! track or each fragment's first. Every size is checked against the data;
//! a damaged box ends the walk.

/// Sample defaults from the initialisation segment (`trex`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Defaults {
    /// Default sample duration, in the track's timescale.
    pub(crate) duration: u32,
    /// Default sample flags.
    pub(crate) flags: u32,
}

/// One sample of a media segment, in the track's timescale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sample {
    /// Decode time.
    pub(crate) dts: i64,
    /// Presentation time.
    pub(crate) pts: i64,
    /// Duration.
    pub(crate) duration: u32,
    /// A sync sample (decoding can start here).
    pub(crate) keyframe: bool,
}

/// The boxes directly inside `data`: (type, body).
fn boxes(data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let header = data.get(at..at.checked_add(8)?)?;
        let size = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as u64;
        let kind = [header[4], header[5], header[6], header[7]];
        let (size, head) = match size {
            0 => ((data.len() - at) as u64, 8usize),
            1 => {
                let big = data.get(at + 8..at + 16)?;
                let mut b = [0u8; 8];
                b.copy_from_slice(big);
                (u64::from_be_bytes(b), 16)
            }
            n => (n, 8),
        };
        let size = usize::try_from(size).ok()?;
        if size < head {
            return None;
        }
        let body = data.get(at + head..at.checked_add(size)?)?;
        at += size;
        Some((kind, body))
    })
}

/// The first box of `kind` directly inside `data`.
fn child<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(data).find(|(k, _)| k == kind).map(|(_, b)| b)
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn u64_at(data: &[u8], at: usize) -> Option<u64> {
    let b = data.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Some(u64::from_be_bytes(a))
}

/// Whether sample flags mark a sync sample: not a non-sync sample, and
/// not depending on others (`sample_depends_on` is not 1).
fn is_sync(flags: u32) -> bool {
    flags & 0x0001_0000 == 0 && (flags >> 24) & 0x3 != 1
}

/// One track of an initialisation segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Track {
    /// Its `track_ID`.
    pub(crate) id: u32,
    /// Ticks per second (`mdhd`).
    pub(crate) timescale: u32,
    /// `vide`, `soun` or another handler.
    pub(crate) handler: [u8; 4],
    /// Its sample defaults (`trex`).
    pub(crate) defaults: Defaults,
}

/// The tracks of an initialisation segment, in order.
pub(crate) fn tracks(init: &[u8]) -> Vec<Track> {
    let Some(moov) = child(init, b"moov") else {
        return Vec::new();
    };
    let trexes: Vec<(u32, Defaults)> = child(moov, b"mvex")
        .map(|mvex| {
            boxes(mvex)
                .filter(|(k, _)| k == b"trex")
                .filter_map(|(_, t)| {
                    Some((
                        u32_at(t, 4)?,
                        Defaults {
                            duration: u32_at(t, 12).unwrap_or(0),
                            flags: u32_at(t, 20).unwrap_or(0),
                        },
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    boxes(moov)
        .filter(|(k, _)| k == b"trak")
        .filter_map(|(_, trak)| {
            let tkhd = child(trak, b"tkhd")?;
            let id = u32_at(tkhd, if tkhd.first() == Some(&1) { 20 } else { 12 })?;
            let mdia = child(trak, b"mdia")?;
            let mdhd = child(mdia, b"mdhd")?;
            let timescale = u32_at(mdhd, if mdhd.first() == Some(&1) { 20 } else { 12 })?;
            let hdlr = child(mdia, b"hdlr")?;
            let h = hdlr.get(8..12)?;
            Some(Track {
                id,
                timescale,
                handler: [h[0], h[1], h[2], h[3]],
                defaults: trexes
                    .iter()
                    .find(|(t, _)| *t == id)
                    .map_or(Defaults::default(), |(_, d)| *d),
            })
        })
        .collect()
}

/// The first track's defaults from an initialisation segment.
pub(crate) fn defaults(init: &[u8]) -> Defaults {
    let trex = child(init, b"moov")
        .and_then(|moov| child(moov, b"mvex"))
        .and_then(|mvex| child(mvex, b"trex"));
    match trex {
        // version/flags, track_ID, description index, duration, size, flags
        Some(t) => Defaults {
            duration: u32_at(t, 12).unwrap_or(0),
            flags: u32_at(t, 20).unwrap_or(0),
        },
        None => Defaults::default(),
    }
}

/// The samples of a media segment, in decode order (its first track).
pub(crate) fn samples(segment: &[u8], defaults: Defaults) -> Vec<Sample> {
    samples_of(segment, None, defaults)
}

/// The samples of track `id` in a media segment, in decode order.
pub(crate) fn samples_of_track(segment: &[u8], track: &Track) -> Vec<Sample> {
    samples_of(segment, Some(track.id), track.defaults)
}

/// The samples of track `id` (or of each fragment's first track).
fn samples_of(segment: &[u8], id: Option<u32>, defaults: Defaults) -> Vec<Sample> {
    let mut out = Vec::new();
    for (kind, moof) in boxes(segment) {
        if &kind != b"moof" {
            continue;
        }
        let traf = boxes(moof)
            .filter(|(k, _)| k == b"traf")
            .map(|(_, b)| b)
            .find(|traf| {
                id.is_none_or(|id| child(traf, b"tfhd").and_then(|t| u32_at(t, 4)) == Some(id))
            });
        let Some(traf) = traf else {
            continue;
        };
        let mut duration = defaults.duration;
        let mut flags = defaults.flags;
        if let Some(tfhd) = child(traf, b"tfhd") {
            let f = u32_at(tfhd, 0).unwrap_or(0) & 0x00ff_ffff;
            let mut at = 8usize;
            for (bit, width) in [(0x1, 8), (0x2, 4)] {
                if f & bit != 0 {
                    at += width;
                }
            }
            if f & 0x8 != 0 {
                duration = u32_at(tfhd, at).unwrap_or(duration);
                at += 4;
            }
            if f & 0x10 != 0 {
                at += 4;
            }
            if f & 0x20 != 0 {
                flags = u32_at(tfhd, at).unwrap_or(flags);
            }
        }
        let base = child(traf, b"tfdt").and_then(|t| {
            if t.first() == Some(&1) {
                u64_at(t, 4)
            } else {
                u32_at(t, 4).map(u64::from)
            }
        });
        let mut dts = base.map_or(0, |b| i64::try_from(b).unwrap_or(i64::MAX));
        for (kind, trun) in boxes(traf) {
            if &kind != b"trun" {
                continue;
            }
            let head = u32_at(trun, 0).unwrap_or(0);
            let (version, f) = (head >> 24, head & 0x00ff_ffff);
            let count = u32_at(trun, 4).unwrap_or(0);
            let mut at = 8usize;
            if f & 0x1 != 0 {
                at += 4;
            }
            let mut first_flags = None;
            if f & 0x4 != 0 {
                first_flags = u32_at(trun, at);
                at += 4;
            }
            for i in 0..count {
                let mut d = duration;
                let mut sample_flags = flags;
                let mut offset = 0i64;
                if f & 0x100 != 0 {
                    let Some(v) = u32_at(trun, at) else { break };
                    d = v;
                    at += 4;
                }
                if f & 0x200 != 0 {
                    at += 4;
                }
                if f & 0x400 != 0 {
                    let Some(v) = u32_at(trun, at) else { break };
                    sample_flags = v;
                    at += 4;
                }
                if f & 0x800 != 0 {
                    let Some(v) = u32_at(trun, at) else { break };
                    offset = if version == 0 {
                        i64::from(v)
                    } else {
                        i64::from(v as i32)
                    };
                    at += 4;
                }
                if i == 0 {
                    sample_flags = first_flags.unwrap_or(sample_flags);
                }
                if at > trun.len() {
                    break;
                }
                out.push(Sample {
                    dts,
                    pts: dts.saturating_add(offset),
                    duration: d,
                    keyframe: is_sync(sample_flags),
                });
                dts = dts.saturating_add(i64::from(d));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    #[test]
    fn a_fragment_gives_its_samples() {
        // tfdt v0 at 1000; trun with first-sample flags (sync), durations, and
        // the default flags non-sync.
        let tfhd = bx(b"tfhd", &[0, 0, 0, 0x20, 0, 0, 0, 1, 0x01, 0x01, 0, 0]);
        let tfdt = bx(b"tfdt", &[0, 0, 0, 0, 0, 0, 0x03, 0xe8]);
        let mut trun_body = vec![0, 0, 0x01, 0x04, 0, 0, 0, 2, 0x02, 0, 0, 0];
        trun_body.extend_from_slice(&[0, 0, 0, 100, 0, 0, 0, 100]);
        let trun = bx(b"trun", &trun_body);
        let traf = bx(b"traf", &[tfhd, tfdt, trun].concat());
        let moof = bx(b"moof", &traf);
        let s = samples(&moof, Defaults::default());
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!((s[0].dts, s[0].keyframe), (1000, true));
        assert_eq!((s[1].dts, s[1].keyframe), (1100, false));
        // Cut short anywhere: never a panic.
        for end in 0..moof.len() {
            let _ = samples(&moof[..end], Defaults::default());
        }
        assert!(samples(b"garbage", Defaults::default()).is_empty());
    }
}
