//! The three loops a scaled conversion runs per output row: the vertical
//! pass (a weighted sum of a few source rows), the horizontal pass (a
//! weighted sum of a few neighbours per output sample) and the YUV to
//! BGRx conversion. The vertical pass is written so the compiler
//! vectorises it; the other two have AVX2 versions that give the same
//! bytes as the plain ones: the horizontal pass a byte shuffle (up to four
//! taps) or a gather (more) and a byte multiply-add per 8 samples, the
//! conversion 16 pixels at a time in 16-bit lanes.
//!
//! Between the passes a row is kept as *centred* bytes (`sample ^ 0x80`,
//! that is sample − 128 as a signed byte), which is what the byte
//! multiply-add takes; weights are unsigned bytes summing to 128.

use crate::filter::{Filter, HORIZONTAL_ONE, MAX_TAPS, VERTICAL_ONE};

/// Bytes the horizontal pass may read past a row's last sample (a
/// shuffle step loads 16 bytes from a start near the row's end).
pub const ROW_PADDING: usize = 16;

/// Eight neighbouring outputs of a horizontal pass of up to four taps, as
/// one shuffle step reads them: two 16-byte loads (outputs `at..at + 4`
/// from `bases[0]`, the next four from `bases[1]`) and, for each output,
/// the offsets of its four taps inside its load.
#[derive(Debug, Clone)]
struct ShuffleStep {
    at: usize,
    bases: [usize; 2],
    offsets: [u8; 32],
}

/// A horizontal filter laid out for the passes: weights as bytes, four to
/// a word.
#[derive(Debug, Clone)]
pub struct Horizontal {
    taps: usize,
    starts: Vec<i32>,
    /// Weights of taps 0–3, one little-endian word per output sample.
    low: Vec<i32>,
    /// Weights of taps 4–7 (all zero when `taps <= 4`).
    high: Vec<i32>,
    /// The weights one by one, `taps` per output sample.
    bytes: Vec<u8>,
    /// The shuffle steps covering every output (the last one overlapping
    /// the one before when the count is not a multiple of 8); empty when
    /// the filter has more than four taps or fewer than 8 outputs.
    steps: Vec<ShuffleStep>,
    /// The row length the shuffle steps' loads need.
    steps_end: usize,
}

impl Horizontal {
    /// The horizontal pass from `input` to `output` samples.
    pub fn new(input: u32, output: u32) -> Horizontal {
        let f = Filter::new(input, output, HORIZONTAL_ONE);
        let mut low = Vec::with_capacity(f.starts.len());
        let mut high = Vec::with_capacity(f.starts.len());
        let mut bytes = Vec::with_capacity(f.weights.len());
        for i in 0..f.starts.len() {
            let mut packed = [0u8; MAX_TAPS];
            for (k, &w) in f.weights_of(i).iter().enumerate() {
                // 0..=128: fits a byte (the filter's contract).
                packed[k] = w as u8;
                bytes.push(w as u8);
            }
            low.push(i32::from_le_bytes([
                packed[0], packed[1], packed[2], packed[3],
            ]));
            high.push(i32::from_le_bytes([
                packed[4], packed[5], packed[6], packed[7],
            ]));
        }
        let steps = shuffle_steps(&f.starts, f.taps);
        let steps_end = steps.iter().map(|s| s.bases[1] + 16).max().unwrap_or(0);
        Horizontal {
            taps: f.taps,
            starts: f.starts.iter().map(|&s| s as i32).collect(),
            low,
            high,
            bytes,
            steps,
            steps_end,
        }
    }

    /// Output samples.
    pub fn len(&self) -> usize {
        self.starts.len()
    }
}

/// The shuffle steps of a filter with `taps` taps starting at `starts`, or
/// none when some output's taps lie too far from its load's start.
fn shuffle_steps(starts: &[u32], taps: usize) -> Vec<ShuffleStep> {
    let n = starts.len();
    if taps > 4 || n < 8 {
        return Vec::new();
    }
    let mut steps = Vec::with_capacity(n / 8 + 1);
    for at in (0..n - 8).step_by(8).chain([n - 8]) {
        let bases = [starts[at] as usize, starts[at + 4] as usize];
        let mut offsets = [0u8; 32];
        for (j, chunk) in offsets.chunks_exact_mut(4).enumerate() {
            let base = bases[j / 4];
            for (k, offset) in chunk.iter_mut().enumerate() {
                // Taps past the filter's own have weight 0: any byte of
                // the load will do, so they repeat the last real one.
                let tap = k.min(taps - 1);
                match (starts[at + j] as usize + tap).checked_sub(base) {
                    Some(o) if o < 16 => *offset = o as u8,
                    _ => return Vec::new(),
                }
            }
        }
        steps.push(ShuffleStep { at, bases, offsets });
    }
    steps
}

/// The vertical pass over 8-bit rows: `out[x]` is the centred weighted
/// sum of `rows[k][x]` (weights summing to [`VERTICAL_ONE`], at most
/// [`MAX_TAPS`]). Every row is at least `out.len()` long.
pub fn vertical_8(rows: &[&[u8]], weights: &[i32], out: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { vertical_8_avx2(rows, weights, out) };
    }
    vertical_8_any(rows, weights, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn vertical_8_avx2(rows: &[&[u8]], weights: &[i32], out: &mut [u8]) {
    vertical_8_any(rows, weights, out)
}

#[inline(always)]
fn vertical_8_any(rows: &[&[u8]], weights: &[i32], out: &mut [u8]) {
    match rows.len().min(weights.len()) {
        1 => vertical_8_taps::<1>(rows, weights, out),
        2 => vertical_8_taps::<2>(rows, weights, out),
        3 => vertical_8_taps::<3>(rows, weights, out),
        4 => vertical_8_taps::<4>(rows, weights, out),
        5 => vertical_8_taps::<5>(rows, weights, out),
        6 => vertical_8_taps::<6>(rows, weights, out),
        7 => vertical_8_taps::<7>(rows, weights, out),
        _ => vertical_8_taps::<MAX_TAPS>(rows, weights, out),
    }
}

/// `N` taps, unrolled, in 16-bit lanes: 255 x 256 fits.
#[inline(always)]
fn vertical_8_taps<const N: usize>(rows: &[&[u8]], weights: &[i32], out: &mut [u8]) {
    let n = out.len();
    let rows: [&[u8]; N] = std::array::from_fn(|k| &rows[k][..n]);
    let w: [u16; N] = std::array::from_fn(|k| weights[k] as u16);
    for (x, o) in out.iter_mut().enumerate() {
        let mut a = (VERTICAL_ONE / 2) as u16;
        for k in 0..N {
            a = a.wrapping_add(w[k].wrapping_mul(u16::from(rows[k][x])));
        }
        *o = ((a >> 8) as u8) ^ 0x80;
    }
}

/// The vertical pass over little-endian 16-bit rows holding `depth`-bit
/// samples (9 to 16): the result is reduced to 8 bits. `rows[k]` holds at
/// least `2 * out.len()` bytes.
pub fn vertical_16(rows: &[&[u8]], weights: &[i32], depth: u32, out: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { vertical_16_avx2(rows, weights, depth, out) };
    }
    vertical_16_any(rows, weights, depth, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn vertical_16_avx2(rows: &[&[u8]], weights: &[i32], depth: u32, out: &mut [u8]) {
    vertical_16_any(rows, weights, depth, out)
}

#[inline(always)]
fn vertical_16_any(rows: &[&[u8]], weights: &[i32], depth: u32, out: &mut [u8]) {
    match rows.len().min(weights.len()) {
        1 => vertical_16_taps::<1>(rows, weights, depth, out),
        2 => vertical_16_taps::<2>(rows, weights, depth, out),
        3 => vertical_16_taps::<3>(rows, weights, depth, out),
        4 => vertical_16_taps::<4>(rows, weights, depth, out),
        5 => vertical_16_taps::<5>(rows, weights, depth, out),
        6 => vertical_16_taps::<6>(rows, weights, depth, out),
        7 => vertical_16_taps::<7>(rows, weights, depth, out),
        _ => vertical_16_taps::<MAX_TAPS>(rows, weights, depth, out),
    }
}

/// `N` taps, unrolled, in 32-bit lanes.
#[inline(always)]
fn vertical_16_taps<const N: usize>(rows: &[&[u8]], weights: &[i32], depth: u32, out: &mut [u8]) {
    let n = out.len();
    let shift = 8 + depth.clamp(8, 16) - 8;
    let rows: [&[u8]; N] = std::array::from_fn(|k| &rows[k][..2 * n]);
    let w: [u32; N] = std::array::from_fn(|k| weights[k] as u32);
    for (x, o) in out.iter_mut().enumerate() {
        let mut a = 1u32 << (shift - 1);
        for k in 0..N {
            let sample = u16::from_le_bytes([rows[k][2 * x], rows[k][2 * x + 1]]);
            a = a.wrapping_add(w[k].wrapping_mul(u32::from(sample)));
        }
        *o = ((a >> shift).min(255) as u8) ^ 0x80;
    }
}

/// The horizontal pass: `out[i]` is the weighted sum of `centred`'s
/// samples from `filter`'s start for output `i`, as a plain byte.
/// `centred` holds the source row and [`ROW_PADDING`] bytes more.
pub fn horizontal(centred: &[u8], filter: &Horizontal, out: &mut [u8]) {
    let n = out.len().min(filter.len());
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        if n == filter.len() && !filter.steps.is_empty() && centred.len() >= filter.steps_end {
            // SAFETY: AVX2 is there, every load is 16 bytes from a base
            // inside `centred` (checked), and every step writes 8 outputs
            // from its `at`, at most `n` (made so).
            unsafe { horizontal_shuffle_avx2(centred, filter, out) };
            return;
        }
        let needed = filter.starts.last().map_or(0, |&s| s as usize + MAX_TAPS);
        if centred.len() >= needed {
            // SAFETY: AVX2 is there, and every gather reads at most
            // MAX_TAPS bytes from a start, all inside `centred` (checked).
            let done = unsafe { horizontal_avx2(centred, filter, &mut out[..n]) };
            return horizontal_any(centred, filter, &mut out[done..n], done);
        }
    }
    horizontal_any(centred, filter, &mut out[..n], 0)
}

/// The plain horizontal pass, for outputs `from..from + out.len()`.
fn horizontal_any(centred: &[u8], filter: &Horizontal, out: &mut [u8], from: usize) {
    let taps = filter.taps;
    for (j, o) in out.iter_mut().enumerate() {
        let i = from + j;
        let start = filter.starts[i] as usize;
        let weights = &filter.bytes[i * taps..(i + 1) * taps];
        let mut sum = HORIZONTAL_ONE * 128 + HORIZONTAL_ONE / 2;
        for (&w, &c) in weights.iter().zip(&centred[start..start + taps]) {
            sum += i32::from(w) * i32::from(c as i8);
        }
        *o = (sum >> 7).clamp(0, 255) as u8;
    }
}

/// Eight outputs at a time; returns how many it wrote (all of them from
/// 8 on: the last eight end at the row's end, overlapping the ones before,
/// which get the same bytes again).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn horizontal_avx2(centred: &[u8], filter: &Horizontal, out: &mut [u8]) -> usize {
    use std::arch::x86_64::*;
    let n = out.len();
    if n < 8 {
        return 0;
    }
    let base = centred.as_ptr() as *const i32;
    let bias = _mm256_set1_epi32(HORIZONTAL_ONE * 128 + HORIZONTAL_ONE / 2);
    let ones = _mm256_set1_epi16(1);
    let four = _mm256_set1_epi32(4);
    let order = _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0);
    for at in (0..n - 8).step_by(8).chain([n - 8]) {
        let starts = _mm256_loadu_si256(filter.starts.as_ptr().add(at) as *const __m256i);
        let pixels = _mm256_i32gather_epi32::<1>(base, starts);
        let weights = _mm256_loadu_si256(filter.low.as_ptr().add(at) as *const __m256i);
        let mut sum = _mm256_madd_epi16(_mm256_maddubs_epi16(weights, pixels), ones);
        if filter.taps > 4 {
            let pixels = _mm256_i32gather_epi32::<1>(base, _mm256_add_epi32(starts, four));
            let weights = _mm256_loadu_si256(filter.high.as_ptr().add(at) as *const __m256i);
            let more = _mm256_madd_epi16(_mm256_maddubs_epi16(weights, pixels), ones);
            sum = _mm256_add_epi32(sum, more);
        }
        sum = _mm256_srai_epi32::<7>(_mm256_add_epi32(sum, bias));
        let words = _mm256_packus_epi32(sum, sum);
        let bytes = _mm256_packus_epi16(words, words);
        let bytes = _mm256_permutevar8x32_epi32(bytes, order);
        _mm_storel_epi64(
            out.as_mut_ptr().add(at) as *mut __m128i,
            _mm256_castsi256_si128(bytes),
        );
    }
    n
}

/// Eight outputs per step by a byte shuffle of two 16-byte loads (filters
/// of up to four taps; see [`ShuffleStep`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn horizontal_shuffle_avx2(centred: &[u8], filter: &Horizontal, out: &mut [u8]) {
    use std::arch::x86_64::*;
    let bias = _mm256_set1_epi32(HORIZONTAL_ONE * 128 + HORIZONTAL_ONE / 2);
    let ones = _mm256_set1_epi16(1);
    let order = _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0);
    let row = centred.as_ptr();
    for step in &filter.steps {
        let low = _mm_loadu_si128(row.add(step.bases[0]) as *const __m128i);
        let high = _mm_loadu_si128(row.add(step.bases[1]) as *const __m128i);
        let loaded = _mm256_inserti128_si256::<1>(_mm256_castsi128_si256(low), high);
        let offsets = _mm256_loadu_si256(step.offsets.as_ptr() as *const __m256i);
        let pixels = _mm256_shuffle_epi8(loaded, offsets);
        let weights = _mm256_loadu_si256(filter.low.as_ptr().add(step.at) as *const __m256i);
        let sum = _mm256_madd_epi16(_mm256_maddubs_epi16(weights, pixels), ones);
        let sum = _mm256_srai_epi32::<7>(_mm256_add_epi32(sum, bias));
        let words = _mm256_packus_epi32(sum, sum);
        let bytes = _mm256_packus_epi16(words, words);
        let bytes = _mm256_permutevar8x32_epi32(bytes, order);
        _mm_storel_epi64(
            out.as_mut_ptr().add(step.at) as *mut __m128i,
            _mm256_castsi256_si128(bytes),
        );
    }
}

/// Integer YUV → RGB coefficients for 8-bit samples, made for 16-bit
/// lanes: luma's scale with 14 fractional bits, chroma's with 13, so that
/// `((sample − offset) << 7) × y` and `((chroma − 128) << 8) × c`, each
/// shifted down by 15 with rounding, give the terms in 64ths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matrix {
    y_offset: i16,
    y: i16,
    r_v: i16,
    g_u: i16,
    g_v: i16,
    b_u: i16,
}

impl Matrix {
    /// The matrix for luma weights `kr`, `kb` (BT.601: 0.299, 0.114;
    /// BT.709: 0.2126, 0.0722), limited (16–235) or full range. Weights
    /// no standard uses (negative, or `kr + kb` above 0.45, where green's
    /// terms could overflow a lane) are taken as BT.709's.
    pub fn new(kr: f64, kb: f64, full_range: bool) -> Matrix {
        let usable = kr.is_finite() && kb.is_finite() && kr >= 0.0 && kb >= 0.0 && kr + kb <= 0.45;
        let (kr, kb) = if usable { (kr, kb) } else { (0.2126, 0.0722) };
        let (y_offset, y_scale, c_scale) = if full_range {
            (0, 1.0, 1.0)
        } else {
            (16, 255.0 / 219.0, 255.0 / 224.0)
        };
        let kg = 1.0 - kr - kb;
        // At most 2 × 255 / 224 × 2^13 = 18 651 with the weights above:
        // every coefficient fits an i16, and green's two terms together
        // stay under 12 000 (64ths), so no green sum saturates a lane.
        let fixed = |v: f64, bits: i32| (v * f64::from(1 << bits)).round() as i16;
        Matrix {
            y_offset,
            y: fixed(y_scale, 14),
            r_v: fixed(2.0 * (1.0 - kr) * c_scale, 13),
            g_u: fixed(-2.0 * kb * (1.0 - kb) / kg * c_scale, 13),
            g_v: fixed(-2.0 * kr * (1.0 - kr) / kg * c_scale, 13),
            b_u: fixed(2.0 * (1.0 - kb) * c_scale, 13),
        }
    }
}

/// Converts one row into BGRx words (the fourth byte 0xff): `y` plain
/// bytes of the output's width, `u` and `v` plain bytes at `1 <<
/// chroma_shift` output samples each (0: one per pixel; 1: one per two
/// pixels; larger shifts are taken as 1). The fast and the plain path give
/// the same bytes.
pub fn yuv_to_bgrx(y: &[u8], u: &[u8], v: &[u8], chroma_shift: u32, m: &Matrix, out: &mut [u8]) {
    let shift = chroma_shift.min(1);
    let n = (out.len() / 4)
        .min(y.len())
        .min(u.len() << shift)
        .min(v.len() << shift);
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above), and the fast path
        // reads and writes only inside the first `n` pixels (the lengths
        // checked above).
        done = unsafe { yuv_to_bgrx_avx2(y, u, v, shift, m, &mut out[..4 * n], n) };
    }
    yuv_to_bgrx_any(y, u, v, shift, m, &mut out[..4 * n], done);
}

/// `(a × b + 2^14) >> 15`, as `pmulhrsw` computes it.
#[inline(always)]
fn mul_round(a: i32, b: i16) -> i32 {
    (a * i32::from(b) + (1 << 14)) >> 15
}

/// The plain conversion of pixels `from..` (what the fast path computes,
/// lane by lane; sums that would saturate a 16-bit lane are far above 255
/// either way, so clamping gives the same byte).
fn yuv_to_bgrx_any(
    y: &[u8],
    u: &[u8],
    v: &[u8],
    shift: u32,
    m: &Matrix,
    out: &mut [u8],
    from: usize,
) {
    let pixel = |t: i32| ((t + 32) >> 6).clamp(0, 255) as u32;
    for (x, o) in out.chunks_exact_mut(4).enumerate().skip(from) {
        let yy = mul_round((i32::from(y[x]) - i32::from(m.y_offset)) << 7, m.y);
        let uu = (i32::from(u[x >> shift]) - 128) << 8;
        let vv = (i32::from(v[x >> shift]) - 128) << 8;
        let r = pixel(yy + mul_round(vv, m.r_v));
        let g = pixel(yy + mul_round(uu, m.g_u) + mul_round(vv, m.g_v));
        let b = pixel(yy + mul_round(uu, m.b_u));
        o.copy_from_slice(&(b | g << 8 | r << 16 | 0xff00_0000).to_le_bytes());
    }
}

/// Sixteen pixels at a time, in 16-bit lanes; returns how many it wrote
/// (all of them from 16 on: the last sixteen end at the row's end,
/// overlapping the ones before, which get the same bytes again). `out`
/// holds `4 * n` bytes, `y` at least `n`, `u` and `v` at least
/// `ceil(n / 2^shift)`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn yuv_to_bgrx_avx2(
    y: &[u8],
    u: &[u8],
    v: &[u8],
    shift: u32,
    m: &Matrix,
    out: &mut [u8],
    n: usize,
) -> usize {
    use std::arch::x86_64::*;
    if n < 16 {
        return 0;
    }
    let y_offset = _mm256_set1_epi16(m.y_offset);
    let (ky, r_v, g_u, g_v, b_u) = (
        _mm256_set1_epi16(m.y),
        _mm256_set1_epi16(m.r_v),
        _mm256_set1_epi16(m.g_u),
        _mm256_set1_epi16(m.g_v),
        _mm256_set1_epi16(m.b_u),
    );
    let (half, zero, max) = (
        _mm256_set1_epi16(32),
        _mm256_setzero_si256(),
        _mm256_set1_epi16(255),
    );
    let alpha = _mm256_set1_epi16(0xff00u16 as i16);
    // At 4:2:x a chunk starts on an even pixel (its chroma pairs align).
    let last = (n - 16) & !1;
    for at in (0..last).step_by(16).chain([last]) {
        let luma = _mm256_cvtepu8_epi16(_mm_loadu_si128(y.as_ptr().add(at) as *const __m128i));
        let luma = _mm256_slli_epi16::<7>(_mm256_sub_epi16(luma, y_offset));
        let yy = _mm256_mulhrs_epi16(luma, ky);
        let uu = centred_chroma(u, at, shift);
        let vv = centred_chroma(v, at, shift);
        let r = clamped_pixel(
            _mm256_adds_epi16(yy, _mm256_mulhrs_epi16(vv, r_v)),
            half,
            zero,
            max,
        );
        let g = _mm256_adds_epi16(
            _mm256_adds_epi16(yy, _mm256_mulhrs_epi16(uu, g_u)),
            _mm256_mulhrs_epi16(vv, g_v),
        );
        let g = clamped_pixel(g, half, zero, max);
        let b = clamped_pixel(
            _mm256_adds_epi16(yy, _mm256_mulhrs_epi16(uu, b_u)),
            half,
            zero,
            max,
        );
        let bg = _mm256_or_si256(b, _mm256_slli_epi16::<8>(g));
        let ra = _mm256_or_si256(r, alpha);
        // Per 128-bit lane: pixels 0–3 and 8–11 (low), 4–7 and 12–15 (high).
        let low = _mm256_unpacklo_epi16(bg, ra);
        let high = _mm256_unpackhi_epi16(bg, ra);
        let dest = out.as_mut_ptr().add(4 * at) as *mut __m256i;
        _mm256_storeu_si256(dest, _mm256_permute2x128_si256::<0x20>(low, high));
        _mm256_storeu_si256(dest.add(1), _mm256_permute2x128_si256::<0x31>(low, high));
    }
    last + 16
}

/// Sixteen chroma samples for pixels `at..at + 16` as `(c − 128) << 8`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn centred_chroma(plane: &[u8], at: usize, shift: u32) -> std::arch::x86_64::__m256i {
    use std::arch::x86_64::*;
    let bytes = if shift == 0 {
        _mm_loadu_si128(plane.as_ptr().add(at) as *const __m128i)
    } else {
        let half = _mm_loadl_epi64(plane.as_ptr().add(at / 2) as *const __m128i);
        _mm_unpacklo_epi8(half, half)
    };
    let wide = _mm256_sub_epi16(_mm256_cvtepu8_epi16(bytes), _mm256_set1_epi16(128));
    _mm256_slli_epi16::<8>(wide)
}

/// A sum in 64ths, rounded to a byte's value (0–255) in each lane.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn clamped_pixel(
    sum: std::arch::x86_64::__m256i,
    half: std::arch::x86_64::__m256i,
    zero: std::arch::x86_64::__m256i,
    max: std::arch::x86_64::__m256i,
) -> std::arch::x86_64::__m256i {
    use std::arch::x86_64::*;
    let t = _mm256_srai_epi16::<6>(_mm256_adds_epi16(sum, half));
    _mm256_min_epi16(_mm256_max_epi16(t, zero), max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn centred(row: &[u8]) -> Vec<u8> {
        let mut c: Vec<u8> = row.iter().map(|p| p ^ 0x80).collect();
        c.resize(row.len() + ROW_PADDING, 0x80);
        c
    }

    fn noise(n: usize, seed: u32) -> Vec<u8> {
        let mut s = seed | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                s as u8
            })
            .collect()
    }

    #[test]
    fn horizontal_fast_and_plain_agree() {
        for (input, output) in [
            (1920, 1179),
            (1280, 1179),
            (1280, 1920),
            (640, 416),
            (320, 208),
            (3840, 1179),
            (960, 590),
            (640, 1280),
            (1280, 1280),
            (333, 17),
            (9, 5),
        ] {
            let src = centred(&noise(input as usize, input * 7 + output));
            let f = Horizontal::new(input, output);
            // Up to four taps (shrinking by 2 at most), the shuffle runs.
            assert_eq!(
                !f.steps.is_empty(),
                f.taps <= 4 && output >= 8,
                "{input} -> {output}"
            );
            let mut fast = vec![0; output as usize];
            let mut plain = vec![0; output as usize];
            horizontal(&src, &f, &mut fast);
            horizontal_any(&src, &f, &mut plain, 0);
            assert_eq!(fast, plain, "{input} -> {output}");
            // The gather path, also for filters the shuffle takes.
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                let mut gathered = vec![0; output as usize];
                // SAFETY: AVX2 is there; `centred` pads the row with
                // ROW_PADDING bytes, more than a gather reads past a start.
                let done = unsafe { horizontal_avx2(&src, &f, &mut gathered) };
                horizontal_any(&src, &f, &mut gathered[done..], done);
                assert_eq!(gathered, plain, "gathered, {input} -> {output}");
            }
        }
    }

    #[test]
    fn flat_rows_stay_flat_and_same_size_copies() {
        for value in [0u8, 16, 128, 235, 255] {
            let src = centred(&vec![value; 1920]);
            let mut out = vec![0; 1179];
            horizontal(&src, &Horizontal::new(1920, 1179), &mut out);
            assert!(out.iter().all(|&o| o == value));
            let rows = [
                &vec![value; 64][..],
                &vec![value; 64][..],
                &vec![value; 64][..],
            ];
            let mut v = vec![0; 64];
            vertical_8(&rows, &[60, 136, 60], &mut v);
            assert!(v.iter().all(|&c| c ^ 0x80 == value));
        }
        let row = noise(500, 3);
        let mut out = vec![0; 500];
        horizontal(&centred(&row), &Horizontal::new(500, 500), &mut out);
        assert_eq!(out, row);
    }

    #[test]
    fn ten_bit_rows_reduce_to_eight_bits() {
        let row: Vec<u8> = [64u16, 940, 512, 1023]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let mut out = vec![0; 4];
        vertical_16(&[&row], &[VERTICAL_ONE], 10, &mut out);
        let plain: Vec<u8> = out.iter().map(|c| c ^ 0x80).collect();
        assert_eq!(plain, [16, 235, 128, 255]);
    }

    #[test]
    fn limited_range_bt709_colours() {
        let m = Matrix::new(0.2126, 0.0722, false);
        let mut out = [0u8; 16];
        // Black, white, and BT.709 limited-range red and blue.
        yuv_to_bgrx(
            &[16, 235, 63, 32],
            &[128, 128, 102, 240],
            &[128, 128, 240, 118],
            0,
            &m,
            &mut out,
        );
        let px = |i: usize| (out[4 * i + 2], out[4 * i + 1], out[4 * i]);
        assert_eq!(px(0), (0, 0, 0));
        assert_eq!(px(1), (255, 255, 255));
        let (r, g, b) = px(2);
        assert!(r >= 253 && g <= 2 && b <= 2, "red {:?}", px(2));
        let (r, g, b) = px(3);
        assert!(r <= 2 && g <= 2 && b >= 253, "blue {:?}", px(3));
        assert!(out.chunks(4).all(|p| p[3] == 0xff));
    }

    #[test]
    fn conversion_fast_and_plain_agree() {
        let matrices = [
            Matrix::new(0.2126, 0.0722, false),
            Matrix::new(0.299, 0.114, false),
            Matrix::new(0.2627, 0.0593, true),
            Matrix::new(0.212, 0.087, true),
        ];
        for (k, m) in matrices.iter().enumerate() {
            for (width, shift) in [
                (1179usize, 0u32),
                (1179, 1),
                (16, 1),
                (17, 1),
                (31, 1),
                (33, 0),
                (5, 1),
                (416, 1),
            ] {
                let narrow = width.div_ceil(1 << shift);
                let y = noise(width, 11 + k as u32);
                let u = noise(narrow, 23 + width as u32);
                let v = noise(narrow, 37 + shift);
                let mut fast = vec![0; 4 * width];
                let mut plain = vec![0; 4 * width];
                yuv_to_bgrx(&y, &u, &v, shift, m, &mut fast);
                yuv_to_bgrx_any(&y, &u, &v, shift, m, &mut plain, 0);
                assert_eq!(fast, plain, "matrix {k}, {width} pixels, shift {shift}");
            }
        }
    }

    #[test]
    fn conversion_matches_the_exact_formula() {
        // Every Y with a spread of chroma, BT.601 limited range, against
        // the formula in floating point: within one step.
        let m = Matrix::new(0.299, 0.114, false);
        for cb in (0..=255).step_by(15) {
            for cr in (0..=255).step_by(15) {
                let y: Vec<u8> = (0..=255).collect();
                let mut out = vec![0; 4 * 256];
                yuv_to_bgrx(&y, &[cb as u8; 256], &[cr as u8; 256], 0, &m, &mut out);
                for (i, px) in out.chunks(4).enumerate() {
                    let yy = (i as f64 - 16.0) * 255.0 / 219.0;
                    let (u, v) = (
                        (f64::from(cb) - 128.0) * 255.0 / 224.0,
                        (f64::from(cr) - 128.0) * 255.0 / 224.0,
                    );
                    let r = yy + 1.402 * v;
                    let g = yy - 0.344_136 * u - 0.714_136 * v;
                    let b = yy + 1.772 * u;
                    for (got, want) in [(px[2], r), (px[1], g), (px[0], b)] {
                        let want = want.round().clamp(0.0, 255.0);
                        assert!(
                            (f64::from(got) - want).abs() <= 1.0,
                            "Y {i} Cb {cb} Cr {cr}: {got} for {want}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn half_width_chroma_is_repeated_across() {
        let m = Matrix::new(0.2126, 0.0722, true);
        let y = [128u8; 20];
        let u: Vec<u8> = (0..10).map(|i| i * 25).collect();
        let v = [128u8; 10];
        let mut half = vec![0; 80];
        yuv_to_bgrx(&y, &u, &v, 1, &m, &mut half);
        let wide: Vec<u8> = u.iter().flat_map(|&c| [c, c]).collect();
        let mut full = vec![0; 80];
        yuv_to_bgrx(&y, &wide, &[128; 20], 0, &m, &mut full);
        assert_eq!(half, full);
        assert_ne!(half[..4], half[76..]);
    }

    #[test]
    fn unusable_weights_fall_back_to_bt709() {
        let bt709 = Matrix::new(0.2126, 0.0722, false);
        assert_eq!(Matrix::new(f64::NAN, 0.1, false), bt709);
        assert_eq!(Matrix::new(0.5, 0.5, false), bt709);
        assert_eq!(Matrix::new(-0.1, 0.1, false), bt709);
        assert_ne!(Matrix::new(0.299, 0.114, false), bt709);
    }
}
