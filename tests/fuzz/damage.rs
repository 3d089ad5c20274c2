//! The damaged files: the seeded generator, the changes made to a file,
//! the bases (generated clips and corpus files) and the cases (recipes),
//! and the test that the same recipe always makes the same file.

use super::*;

/// A small deterministic generator (SplitMix64): the same seed gives the
/// same sequence on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(base: &str, seed: u64) -> Self {
        // FNV-1a of the base's name, so each base gets its own sequences.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in base.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub fn next(&mut self) -> u64 {
        crate::common::seeded::splitmix64(&mut self.0)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// An offset into `len` bytes: half the time in the first 4 KiB, where
    /// the headers are.
    pub fn offset(&mut self, len: usize) -> usize {
        if self.below(2) == 0 {
            self.below(len.min(4096))
        } else {
            self.below(len)
        }
    }

    /// A chunk length from 1 byte to 8 KiB (small ones as likely as big
    /// ones), at most `max`.
    pub fn chunk(&mut self, max: usize) -> usize {
        let scale = 1usize << self.below(13);
        (scale + self.below(scale)).clamp(1, max.max(1))
    }
}

/// One change to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// XOR the byte at `at` with `mask`.
    Flip { at: usize, mask: u8 },
    /// Keep the first `len` bytes.
    Truncate { len: usize },
    /// Insert a copy of `len` bytes from `from` at `to`.
    Duplicate { from: usize, len: usize, to: usize },
    /// Exchange `len` bytes at `a` with those at `b` (`a + len <= b`).
    Swap { a: usize, b: usize, len: usize },
    /// Set `len` bytes from `from` to zero.
    Zero { from: usize, len: usize },
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Flip { at, mask } => write!(f, "flip {at:#x}^{mask:#04x}"),
            Op::Truncate { len } => write!(f, "truncate to {len:#x}"),
            Op::Duplicate { from, len, to } => {
                write!(f, "duplicate {from:#x}+{len:#x} at {to:#x}")
            }
            Op::Swap { a, b, len } => write!(f, "swap {a:#x}+{len:#x} with {b:#x}"),
            Op::Zero { from, len } => write!(f, "zero {from:#x}+{len:#x}"),
        }
    }
}

impl Op {
    pub fn apply(&self, data: &mut Vec<u8>) {
        match *self {
            Op::Flip { at, mask } => data[at] ^= mask,
            Op::Truncate { len } => data.truncate(len),
            Op::Duplicate { from, len, to } => {
                let chunk = data[from..from + len].to_vec();
                data.splice(to..to, chunk);
            }
            Op::Swap { a, b, len } => {
                let (head, tail) = data.split_at_mut(b);
                head[a..a + len].swap_with_slice(&mut tail[..len]);
            }
            Op::Zero { from, len } => data[from..from + len].fill(0),
        }
    }
}

/// The changes seed `seed` makes to a file of `base`, applied to `data`.
pub fn mutate(base: &str, seed: u64, data: &mut Vec<u8>) -> Vec<Op> {
    let mut rng = Rng::new(base, seed);
    let mut ops = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let len = data.len();
        if len < 16 {
            break;
        }
        let mut step = Vec::new();
        match rng.below(10) {
            // Bit flips: 1 to 16 of them.
            0..=2 => {
                for _ in 0..1 + rng.below(16) {
                    step.push(Op::Flip {
                        at: rng.offset(len),
                        mask: 1 << rng.below(8),
                    });
                }
            }
            3 | 4 => step.push(Op::Truncate {
                len: 1 + rng.below(len - 1),
            }),
            5 | 6 => {
                let from = rng.offset(len);
                let chunk = rng.chunk(len - from);
                step.push(Op::Zero { from, len: chunk });
            }
            7 => {
                let from = rng.offset(len);
                let chunk = rng.chunk(len - from);
                step.push(Op::Duplicate {
                    from,
                    len: chunk,
                    to: rng.offset(len),
                });
            }
            _ => {
                let chunk = rng.chunk(len / 4);
                let a = rng.offset(len - 2 * chunk);
                let b = a + chunk + rng.below(len - a - 2 * chunk + 1);
                step.push(Op::Swap { a, b, len: chunk });
            }
        }
        for op in step {
            op.apply(data);
            ops.push(op);
        }
    }
    ops
}

/// A file to damage: a stable name (used in recipes) and its path.
pub struct Base {
    name: String,
    path: PathBuf,
}

/// One damaged file: its recipe, and the bytes it is made from. Each test
/// writes the file just before using it, under a folder of its own, and
/// removes it once it passed (a failure leaves it for a look).
pub struct Case {
    pub base: String,
    pub seed: u64,
    pub ops: Vec<Op>,
    pub original: std::sync::Arc<Vec<u8>>,
    pub file_name: String,
}

impl Case {
    pub fn id(&self) -> String {
        format!("{}#{}", self.base, self.seed)
    }

    /// Where the test `user` writes this file.
    pub fn path(&self, user: &str) -> PathBuf {
        Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("fuzz")
            .join(user)
            .join(&self.file_name)
    }

    /// Writes the damaged file for the test `user`; returns its path.
    pub fn write(&self, user: &str) -> PathBuf {
        let mut data = self.original.as_ref().clone();
        mutate(&self.base, self.seed, &mut data);
        let path = self.path(user);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &data).unwrap();
        path
    }

    /// Removes the file of the test `user` (it passed).
    pub fn remove(&self, user: &str) {
        let _ = std::fs::remove_file(self.path(user));
    }

    /// The recipe: enough to make the same file again, and where the test
    /// `user` wrote it.
    pub fn recipe(&self, user: &str) -> String {
        let ops: Vec<String> = self.ops.iter().map(Op::to_string).collect();
        format!(
            "FUZZ_CASE={} ({}) -> {}",
            self.id(),
            ops.join("; "),
            self.path(user).display()
        )
    }

    /// The element that crashes GStreamer on this file, when known.
    pub fn known_crash(&self) -> Option<&'static str> {
        GSTREAMER_CRASHES
            .iter()
            .find(|(base, seed, _)| *base == self.base && *seed == self.seed)
            .map(|(_, _, element)| *element)
    }
}

/// The generated clips every run damages.
fn generated_bases() -> Vec<Base> {
    let mkv = subtitled_mkv();
    let ts = h264_aac_ts();
    let mut bases: Vec<Base> = ["h264_aac.mp4", "vp9_opus.webm", "theora_vorbis.ogg"]
        .iter()
        .map(|name| Base {
            name: name.to_string(),
            path: clip(name),
        })
        .collect();
    bases.push(Base {
        name: "subtitled.mkv".into(),
        path: mkv,
    });
    bases.push(Base {
        name: "h264_aac.ts".into(),
        path: ts,
    });
    bases
}

/// Short corpus files of every container the corpus has (none when the
/// corpus is absent; `corpus()` says so).
fn corpus_bases() -> Vec<Base> {
    let Some(dir) = corpus() else {
        return Vec::new();
    };
    [
        "androidx-media/mp4/sample.mp4",
        "androidx-media/mp4/sample_fragmented.mp4",
        "androidx-media/mp4/sample_ac3_aac.mp4",
        "androidx-media/mp4/sample_av1.mp4",
        "androidx-media/mp4/bt601.mov",
        "androidx-media/mkv/sample_with_srt.mkv",
        "androidx-media/mkv/sample_with_ssa_subtitles.mkv",
        "androidx-media/mkv/bbb_960x540_60fps_vp8.webm",
        "androidx-media/vp9/bear-vp9.webm",
        "androidx-media/ogg/bear_vorbis.ogg",
        "androidx-media/ts/sample_h264.ts",
        "androidx-media/ts/sample_h265.ts",
        "androidx-media/flv/sample.flv",
        "androidx-media/avi/sample.avi",
        "androidx-media/3gp/bbb_176x144_128kbps_15fps_h263.3gp",
        "gstreamer/vp8_aac.mp4",
        "gstreamer/theora-vorbis.ogg",
    ]
    .iter()
    .map(|rel| Base {
        name: rel.rsplit('/').next().unwrap().to_string(),
        path: dir.join("files").join(rel),
    })
    .filter(|b| b.path.is_file())
    .collect()
}

pub fn scale() -> u64 {
    std::env::var("FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

pub fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// The cases (the same recipes every time), or only `FUZZ_CASE` when set.
pub fn cases() -> Vec<Case> {
    gst::init().unwrap();
    let only = std::env::var("FUZZ_CASE").ok();
    let mut bases: Vec<(Base, u64)> = generated_bases()
        .into_iter()
        .map(|b| (b, PER_GENERATED * scale()))
        .collect();
    bases.extend(
        corpus_bases()
            .into_iter()
            .map(|b| (b, PER_CORPUS * scale())),
    );
    // FUZZ_CASE=BASE#SEED: that case alone, whatever the counts.
    let wanted: Option<(String, u64)> = only.as_deref().map(|o| {
        let (base, seed) = o.rsplit_once('#').expect("FUZZ_CASE is BASE#SEED");
        (
            base.to_string(),
            seed.parse().expect("FUZZ_CASE's SEED is a number"),
        )
    });
    let only_base = std::env::var("FUZZ_BASE").ok();
    let mut cases = Vec::new();
    for (base, count) in bases {
        if only_base.as_ref().is_some_and(|b| *b != base.name) {
            continue;
        }
        let seeds: Vec<u64> = match &wanted {
            Some((name, seed)) if *name == base.name => vec![*seed],
            Some(_) => continue,
            None => (1..=count).collect(),
        };
        let original = std::sync::Arc::new(std::fs::read(&base.path).unwrap());
        let (stem, ext) = base.name.rsplit_once('.').unwrap_or((&base.name, "bin"));
        for seed in seeds {
            let ops = mutate(&base.name, seed, &mut original.as_ref().clone());
            cases.push(Case {
                base: base.name.clone(),
                seed,
                ops,
                original: original.clone(),
                file_name: format!("{stem}-{seed}.{ext}"),
            });
        }
    }
    assert!(!cases.is_empty(), "no case matches FUZZ_CASE={only:?}");
    cases
}

pub fn mutations_are_reproducible_and_in_bounds() {
    let data: Vec<u8> = (0..50_000u32).map(|i| (i * 7) as u8).collect();
    for seed in 1..500 {
        let mut a = data.clone();
        let mut b = data.clone();
        let ops = mutate("x.mp4", seed, &mut a);
        assert_eq!(ops, mutate("x.mp4", seed, &mut b));
        assert_eq!(a, b);
        assert!(!ops.is_empty());
    }
}
