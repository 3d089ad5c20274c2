//! One scaled conversion from a source layout and size to BGRx (or BGRA)
//! at an output size: the filters made once per caps, and the per-row
//! driver that runs the passes of [`crate::kernels`] over a frame.
//!
//! Per output row: the luma row is filtered vertically and then
//! horizontally; a chroma row is made the same way, at chroma resolution,
//! once for the output rows that share it, its samples repeated across as
//! the conversion reads them; the three rows are converted to BGRx
//! straight into the output.
//! Every pass reads each source sample a few times at most and nothing is
//! written twice: no intermediate frame exists.

use crate::filter::{Filter, VERTICAL_ONE};
use crate::kernels::{self, Horizontal, Matrix, ROW_PADDING};

/// How the source frame's samples are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Three planes Y, U, V.
    Planar {
        /// Chroma is subsampled by `1 << sx` across (0 to 2).
        sx: u32,
        /// Chroma is subsampled by `1 << sy` down (0 to 2).
        sy: u32,
        /// Bits a sample: in one byte at 8, in two little-endian bytes
        /// above (up to 16).
        depth: u32,
    },
    /// A luma plane and one plane of interleaved chroma pairs, 4:2:0.
    SemiPlanar {
        /// V before U in each pair (NV21; NV12 has U first).
        v_first: bool,
    },
    /// Four bytes a pixel (BGRx, BGRA): each byte scaled as is.
    Packed,
}

/// One plane of the source frame.
#[derive(Debug, Clone, Copy)]
pub struct Plane<'a> {
    /// The plane's bytes.
    pub data: &'a [u8],
    /// Bytes from one row to the next.
    pub stride: usize,
}

/// A frame did not match the plan it was given to (a bug upstream, never
/// a reason to crash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortFrame;

/// The scaled conversion for one pair of caps, with its scratch rows.
pub struct Plan {
    layout: Layout,
    out_width: usize,
    out_height: usize,
    luma: Pass,
    chroma: Option<Pass>,
    matrix: Matrix,
    rows: Rows,
}

/// The two filters of one component's resize.
struct Pass {
    in_width: usize,
    vertical: Filter,
    horizontal: Horizontal,
}

impl Pass {
    fn new(in_w: u32, in_h: u32, out_w: u32, out_h: u32) -> Pass {
        Pass {
            in_width: in_w as usize,
            vertical: Filter::new(in_h, out_h, VERTICAL_ONE),
            horizontal: Horizontal::new(in_w, out_w),
        }
    }

    /// The source rows output row `j` reads, and their weights.
    fn rows_for<'a>(
        &self,
        plane: &Plane<'a>,
        j: usize,
        row_bytes: usize,
    ) -> Result<([&'a [u8]; crate::filter::MAX_TAPS], &[i32]), ShortFrame> {
        let taps = self.vertical.taps;
        let start = *self.vertical.starts.get(j).ok_or(ShortFrame)? as usize;
        let mut rows: [&[u8]; crate::filter::MAX_TAPS] = [&[]; crate::filter::MAX_TAPS];
        for (k, row) in rows.iter_mut().take(taps).enumerate() {
            let at = (start + k).checked_mul(plane.stride).ok_or(ShortFrame)?;
            *row = plane.data.get(at..at + row_bytes).ok_or(ShortFrame)?;
        }
        Ok((rows, self.vertical.weights_of(j)))
    }
}

/// Scratch rows, kept between frames.
#[derive(Default)]
struct Rows {
    centred: Vec<u8>,
    channels: [Vec<u8>; 4],
    out: [Vec<u8>; 4],
    chroma_row: Option<usize>,
}

impl Plan {
    /// The plan from `in_w` x `in_h` in `layout` to `out_w` x `out_h`;
    /// `matrix` converts YUV (unused for packed sources). Sizes of 0 make
    /// a plan that writes nothing.
    pub fn new(
        layout: Layout,
        (in_w, in_h): (u32, u32),
        (out_w, out_h): (u32, u32),
        matrix: Matrix,
    ) -> Plan {
        let (sx, sy) = match layout {
            Layout::Planar { sx, sy, .. } => (sx.min(2), sy.min(2)),
            Layout::SemiPlanar { .. } => (1, 1),
            Layout::Packed => (0, 0),
        };
        let sub = |size: u32, s: u32| size.div_ceil(1 << s);
        let chroma = (layout != Layout::Packed)
            .then(|| Pass::new(sub(in_w, sx), sub(in_h, sy), sub(out_w, sx), sub(out_h, sy)));
        Plan {
            layout,
            out_width: out_w as usize,
            out_height: out_h as usize,
            luma: Pass::new(in_w, in_h, out_w, out_h),
            chroma,
            matrix,
            rows: Rows::default(),
        }
    }

    /// The source layout the plan reads.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Writes the frame in `planes` (Y, U, V; Y, UV; or the packed
    /// pixels) scaled and converted into `out`, rows `stride` bytes apart.
    pub fn run(
        &mut self,
        planes: &[Plane],
        out: &mut [u8],
        stride: usize,
    ) -> Result<(), ShortFrame> {
        let row_bytes = self.out_width * 4;
        self.rows.chroma_row = None;
        for j in 0..self.out_height {
            let at = j.checked_mul(stride).ok_or(ShortFrame)?;
            let dest = out.get_mut(at..at + row_bytes).ok_or(ShortFrame)?;
            match self.layout {
                Layout::Packed => self.packed_row(planes, j, dest)?,
                _ => self.yuv_row(planes, j, dest)?,
            }
        }
        Ok(())
    }

    fn yuv_row(&mut self, planes: &[Plane], j: usize, dest: &mut [u8]) -> Result<(), ShortFrame> {
        let (sx, sy, depth) = match self.layout {
            Layout::Planar { sx, sy, depth } => (sx.min(2), sy.min(2), depth),
            _ => (1, 1, 8),
        };
        let width = self.out_width;
        let rows = &mut self.rows;
        let luma_plane = planes.first().ok_or(ShortFrame)?;
        filter_row(&self.luma, luma_plane, j, 1, depth, rows, 0)?;
        let chroma = self.chroma.as_ref().ok_or(ShortFrame)?;
        let cj = j >> sy;
        if rows.chroma_row != Some(cj) {
            match self.layout {
                Layout::SemiPlanar { v_first } => {
                    filter_row(chroma, planes.get(1).ok_or(ShortFrame)?, cj, 2, 8, rows, 1)?;
                    if v_first {
                        rows.out.swap(1, 2);
                    }
                }
                _ => {
                    filter_row(
                        chroma,
                        planes.get(1).ok_or(ShortFrame)?,
                        cj,
                        1,
                        depth,
                        rows,
                        1,
                    )?;
                    filter_row(
                        chroma,
                        planes.get(2).ok_or(ShortFrame)?,
                        cj,
                        1,
                        depth,
                        rows,
                        2,
                    )?;
                }
            }
            if sx > 1 {
                // Widen chroma to the output's width (each sample repeated).
                for c in [1, 2] {
                    let narrow = std::mem::take(&mut rows.out[c]);
                    let wide = &mut rows.channels[c];
                    widen(&narrow, sx, width, wide);
                    rows.out[c] = narrow;
                }
            }
            rows.chroma_row = Some(cj);
        }
        let y = &rows.out[0];
        // The conversion repeats chroma itself at 4:2:x and 4:4:x.
        let (u, v, shift) = if sx > 1 {
            (&rows.channels[1], &rows.channels[2], 0)
        } else {
            (&rows.out[1], &rows.out[2], sx)
        };
        if y.len() < width || u.len() << shift < width || v.len() << shift < width {
            return Err(ShortFrame);
        }
        kernels::yuv_to_bgrx(y, u, v, shift, &self.matrix, dest);
        Ok(())
    }

    fn packed_row(
        &mut self,
        planes: &[Plane],
        j: usize,
        dest: &mut [u8],
    ) -> Result<(), ShortFrame> {
        let plane = planes.first().ok_or(ShortFrame)?;
        filter_row(&self.luma, plane, j, 4, 8, &mut self.rows, 0)?;
        for (x, px) in dest.chunks_exact_mut(4).enumerate() {
            for (c, byte) in px.iter_mut().enumerate() {
                *byte = self.rows.out[c].get(x).copied().unwrap_or(0);
            }
        }
        Ok(())
    }
}

/// Repeats each of `narrow`'s samples `1 << shift` times into `wide`,
/// `width` samples in all (128, no colour, past `narrow`'s end).
fn widen(narrow: &[u8], shift: u32, width: usize, wide: &mut Vec<u8>) {
    wide.clear();
    match shift {
        0 => wide.extend_from_slice(&narrow[..width.min(narrow.len())]),
        1 => wide.extend(narrow.iter().flat_map(|&c| [c, c])),
        _ => wide.extend(narrow.iter().flat_map(|&c| [c; 4])),
    }
    wide.resize(width, 128);
}

/// Filters output row `j` of a plane holding `channels` interleaved
/// components into `rows.out[first..first + channels]`, plain bytes.
fn filter_row(
    pass: &Pass,
    plane: &Plane,
    j: usize,
    channels: usize,
    depth: u32,
    rows: &mut Rows,
    first: usize,
) -> Result<(), ShortFrame> {
    let samples = pass.in_width * channels;
    let wide = depth > 8;
    let row_bytes = if wide { samples * 2 } else { samples };
    let (sources, weights) = pass.rows_for(plane, j, row_bytes)?;
    let sources = &sources[..pass.vertical.taps];
    rows.centred.resize(samples, 0);
    if wide {
        kernels::vertical_16(sources, weights, depth, &mut rows.centred[..samples]);
    } else {
        kernels::vertical_8(sources, weights, &mut rows.centred[..samples]);
    }
    let out_len = pass.horizontal.len();
    if channels == 1 {
        rows.centred.resize(samples + ROW_PADDING, 0x80);
        let out = &mut rows.out[first];
        out.resize(out_len, 0);
        kernels::horizontal(&rows.centred, &pass.horizontal, out);
        return Ok(());
    }
    for c in 0..channels {
        let channel = &mut rows.channels[c];
        channel.clear();
        channel.extend(rows.centred[..samples].iter().skip(c).step_by(channels));
        channel.resize(pass.in_width + ROW_PADDING, 0x80);
        let out = rows.out.get_mut(first + c).ok_or(ShortFrame)?;
        out.resize(out_len, 0);
        kernels::horizontal(channel, &pass.horizontal, out);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const I420: Layout = Layout::Planar {
        sx: 1,
        sy: 1,
        depth: 8,
    };

    fn plane(data: &[u8], stride: usize) -> Plane<'_> {
        Plane { data, stride }
    }

    fn bt709() -> Matrix {
        Matrix::new(0.2126, 0.0722, false)
    }

    /// An I420 frame of one colour.
    fn flat_i420(w: usize, h: usize, (y, u, v): (u8, u8, u8)) -> [Vec<u8>; 3] {
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        [vec![y; w * h], vec![u; cw * ch], vec![v; cw * ch]]
    }

    fn pixel(out: &[u8], stride: usize, x: usize, y: usize) -> [u8; 4] {
        let at = y * stride + x * 4;
        [out[at], out[at + 1], out[at + 2], out[at + 3]]
    }

    #[test]
    fn flat_frames_keep_their_colour_at_any_size() {
        let (w, h) = (64, 36);
        let planes = flat_i420(w, h, (63, 102, 240));
        let mut reference = Plan::new(I420, (64, 36), (64, 36), bt709());
        let mut one = vec![0; 64 * 4 * 36];
        let p = [
            plane(&planes[0], w),
            plane(&planes[1], w / 2),
            plane(&planes[2], w / 2),
        ];
        reference.run(&p, &mut one, 64 * 4).unwrap();
        let colour = pixel(&one, 64 * 4, 0, 0);
        assert!(
            colour[2] > 250 && colour[1] < 5 && colour[0] < 5,
            "red: {colour:?}"
        );
        for (ow, oh) in [(17, 9), (101, 57), (7, 300), (1, 1)] {
            let mut plan = Plan::new(I420, (64, 36), (ow, oh), bt709());
            let stride = ow as usize * 4 + 12;
            let mut out = vec![0; stride * oh as usize];
            plan.run(&p, &mut out, stride).unwrap();
            for y in 0..oh as usize {
                for x in 0..ow as usize {
                    assert_eq!(pixel(&out, stride, x, y), colour, "{ow}x{oh} at {x},{y}");
                }
            }
        }
    }

    #[test]
    fn nv12_and_i420_give_the_same_picture() {
        let (w, h) = (48, 20);
        let y: Vec<u8> = (0..w * h).map(|i| (i * 7 % 219 + 16) as u8).collect();
        let u: Vec<u8> = (0..w * h / 4).map(|i| (i * 13 % 200 + 20) as u8).collect();
        let v: Vec<u8> = (0..w * h / 4).map(|i| (i * 5 % 200 + 30) as u8).collect();
        let uv: Vec<u8> = u.iter().zip(&v).flat_map(|(&u, &v)| [u, v]).collect();
        let vu: Vec<u8> = u.iter().zip(&v).flat_map(|(&u, &v)| [v, u]).collect();
        let run = |layout, planes: &[Plane]| {
            let mut plan = Plan::new(layout, (48, 20), (31, 13), bt709());
            let mut out = vec![0; 31 * 4 * 13];
            plan.run(planes, &mut out, 31 * 4).unwrap();
            out
        };
        let i420 = run(I420, &[plane(&y, w), plane(&u, w / 2), plane(&v, w / 2)]);
        let nv12 = run(
            Layout::SemiPlanar { v_first: false },
            &[plane(&y, w), plane(&uv, w)],
        );
        let nv21 = run(
            Layout::SemiPlanar { v_first: true },
            &[plane(&y, w), plane(&vu, w)],
        );
        assert_eq!(i420, nv12);
        assert_eq!(i420, nv21);
    }

    #[test]
    fn packed_pixels_scale_every_byte() {
        let (w, h) = (10, 4);
        let src: Vec<u8> = (0..w * h).flat_map(|_| [10u8, 20, 30, 200]).collect();
        let mut plan = Plan::new(Layout::Packed, (10, 4), (3, 2), bt709());
        let mut out = vec![0; 3 * 4 * 2];
        plan.run(&[plane(&src, w * 4)], &mut out, 12).unwrap();
        assert!(out.chunks(4).all(|p| p == [10, 20, 30, 200]));
    }

    #[test]
    fn a_short_frame_is_refused_not_read_past() {
        let planes = flat_i420(64, 36, (16, 128, 128));
        let mut plan = Plan::new(I420, (64, 36), (32, 18), bt709());
        let mut out = vec![0; 32 * 4 * 18];
        let short = [
            plane(&planes[0][..64 * 20], 64),
            plane(&planes[1], 32),
            plane(&planes[2], 32),
        ];
        assert_eq!(plan.run(&short, &mut out, 128), Err(ShortFrame));
        assert_eq!(plan.run(&short[..1], &mut out, 128), Err(ShortFrame));
        let mut small = vec![0; 10];
        let full = [
            plane(&planes[0], 64),
            plane(&planes[1], 32),
            plane(&planes[2], 32),
        ];
        assert_eq!(plan.run(&full, &mut small, 128), Err(ShortFrame));
    }
}
