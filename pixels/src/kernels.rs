//! The three loops a scaled conversion runs per output row: the vertical
//! pass (a weighted sum of a few source rows), the horizontal pass (a
//! weighted sum of a few neighbours per output sample) and the YUV to
//! BGRx conversion. Written so the compiler vectorises the first and the
//! last; the horizontal pass has an AVX2 version (a gather and a byte
//! multiply-add per 8 samples) that gives the same bytes as the plain one.
//!
//! Between the passes a row is kept as *centred* bytes (`sample ^ 0x80`,
//! that is sample − 128 as a signed byte), which is what the byte
//! multiply-add takes; weights are unsigned bytes summing to 128.

use crate::filter::{Filter, HORIZONTAL_ONE, MAX_TAPS, VERTICAL_ONE};

/// Bytes the horizontal pass may read past a row's last sample.
pub const ROW_PADDING: usize = MAX_TAPS;

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
        Horizontal {
            taps: f.taps,
            starts: f.starts.iter().map(|&s| s as i32).collect(),
            low,
            high,
            bytes,
        }
    }

    /// Output samples.
    pub fn len(&self) -> usize {
        self.starts.len()
    }
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

/// Eight outputs at a time; returns how many it wrote.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn horizontal_avx2(centred: &[u8], filter: &Horizontal, out: &mut [u8]) -> usize {
    use std::arch::x86_64::*;
    let chunks = out.len() / 8;
    let base = centred.as_ptr() as *const i32;
    let bias = _mm256_set1_epi32(HORIZONTAL_ONE * 128 + HORIZONTAL_ONE / 2);
    let ones = _mm256_set1_epi16(1);
    let four = _mm256_set1_epi32(4);
    let order = _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0);
    for c in 0..chunks {
        let at = c * 8;
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
    chunks * 8
}

/// Integer YUV → RGB coefficients (13 fractional bits) for 8-bit samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matrix {
    y_offset: i32,
    y: i32,
    r_v: i32,
    g_u: i32,
    g_v: i32,
    b_u: i32,
}

impl Matrix {
    /// The matrix for luma weights `kr`, `kb` (BT.601: 0.299, 0.114;
    /// BT.709: 0.2126, 0.0722), limited (16–235) or full range.
    pub fn new(kr: f64, kb: f64, full_range: bool) -> Matrix {
        let one = f64::from(1 << 13);
        let (y_offset, y_scale, c_scale) = if full_range {
            (0, 1.0, 1.0)
        } else {
            (16, 255.0 / 219.0, 255.0 / 224.0)
        };
        let kg = 1.0 - kr - kb;
        let fixed = |v: f64| (v * one).round() as i32;
        Matrix {
            y_offset,
            y: fixed(y_scale),
            r_v: fixed(2.0 * (1.0 - kr) * c_scale),
            g_u: fixed(-2.0 * kb * (1.0 - kb) / kg * c_scale),
            g_v: fixed(-2.0 * kr * (1.0 - kr) / kg * c_scale),
            b_u: fixed(2.0 * (1.0 - kb) * c_scale),
        }
    }
}

/// Converts one row: `y`, `u`, `v` plain bytes of the output's width
/// (chroma already widened) into BGRx words (the fourth byte 0xff).
pub fn yuv_to_bgrx(y: &[u8], u: &[u8], v: &[u8], m: &Matrix, out: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { yuv_to_bgrx_avx2(y, u, v, m, out) };
    }
    yuv_to_bgrx_any(y, u, v, m, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn yuv_to_bgrx_avx2(y: &[u8], u: &[u8], v: &[u8], m: &Matrix, out: &mut [u8]) {
    yuv_to_bgrx_any(y, u, v, m, out)
}

#[inline(always)]
fn yuv_to_bgrx_any(y: &[u8], u: &[u8], v: &[u8], m: &Matrix, out: &mut [u8]) {
    let n = (out.len() / 4).min(y.len()).min(u.len()).min(v.len());
    let round = 1 << 12;
    let clamp = |x: i32| (x >> 13).clamp(0, 255) as u32;
    for (((o, &y), &u), &v) in out[..4 * n]
        .chunks_exact_mut(4)
        .zip(&y[..n])
        .zip(&u[..n])
        .zip(&v[..n])
    {
        let yy = (i32::from(y) - m.y_offset) * m.y + round;
        let uu = i32::from(u) - 128;
        let vv = i32::from(v) - 128;
        let r = clamp(yy + m.r_v * vv);
        let g = clamp(yy + m.g_u * uu + m.g_v * vv);
        let b = clamp(yy + m.b_u * uu);
        o.copy_from_slice(&(b | g << 8 | r << 16 | 0xff00_0000).to_le_bytes());
    }
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
            (3840, 1179),
            (960, 590),
            (640, 1280),
            (1280, 1280),
            (333, 17),
            (9, 5),
        ] {
            let src = centred(&noise(input as usize, input * 7 + output));
            let f = Horizontal::new(input, output);
            let mut fast = vec![0; output as usize];
            let mut plain = vec![0; output as usize];
            horizontal(&src, &f, &mut fast);
            horizontal_any(&src, &f, &mut plain, 0);
            assert_eq!(fast, plain, "{input} -> {output}");
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
}
