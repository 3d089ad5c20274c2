//! The weights of a one-dimensional resize: for each output sample, the
//! first source sample it reads and how much of each of the next few it
//! takes. A triangle (linear) filter, widened by the reduction factor when
//! shrinking so that every source sample counts (as `videoscale`'s
//! bilinear method does), at most [`MAX_TAPS`] wide.

/// The widest filter: up to a 4x reduction every source sample counts;
/// beyond it some are skipped (and small details may shimmer).
pub const MAX_TAPS: usize = 8;

/// The vertical weights' sum (8 fractional bits: an 8-bit sample times
/// it fits 16 bits).
pub const VERTICAL_ONE: i32 = 1 << 8;
/// The horizontal weights' sum (7 fractional bits: they are bytes).
pub const HORIZONTAL_ONE: i32 = 1 << 7;

/// The weights of one resize, `taps` per output sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// Source samples each output sample reads (1 to [`MAX_TAPS`]).
    pub taps: usize,
    /// For each output sample, its first source sample; `start + taps`
    /// never passes the source's size.
    pub starts: Vec<u32>,
    /// `taps` weights for each output sample, each group summing to the
    /// `one` it was made with.
    pub weights: Vec<i32>,
}

impl Filter {
    /// The filter from `input` samples to `output` samples, its weights
    /// summing to `one`. Sizes of 0 give an empty filter.
    pub fn new(input: u32, output: u32, one: i32) -> Filter {
        if input == 0 || output == 0 {
            return Filter {
                taps: 1,
                starts: Vec::new(),
                weights: Vec::new(),
            };
        }
        let scale = f64::from(input) / f64::from(output);
        // Half the filter's width in source samples.
        let half = scale.clamp(1.0, (MAX_TAPS / 2) as f64);
        let taps = ((2.0 * half).ceil() as usize).clamp(1, MAX_TAPS);
        let taps = taps.min(input as usize);
        let last_start = input as usize - taps;
        let mut starts = Vec::with_capacity(output as usize);
        let mut weights = Vec::with_capacity(output as usize * taps);
        let mut raw = [0f64; MAX_TAPS];
        for i in 0..output as usize {
            // The output sample's centre, in source samples.
            let centre = (i as f64 + 0.5) * scale - 0.5;
            let first = (centre - half).floor() as i64 + 1;
            let start = first.clamp(0, last_start as i64) as usize;
            raw[..taps].fill(0.0);
            for k in first..first + (2.0 * half).ceil() as i64 + 1 {
                let w = 1.0 - (k as f64 - centre).abs() / half;
                if w <= 0.0 {
                    continue;
                }
                // Samples past an edge count as the edge sample.
                let at = (k.clamp(0, input as i64 - 1) as usize).clamp(start, start + taps - 1);
                raw[at - start] += w;
            }
            starts.push(start as u32);
            weights.extend(quantise(&raw[..taps], one));
        }
        Filter {
            taps,
            starts,
            weights,
        }
    }

    /// The weights of output sample `i`.
    pub fn weights_of(&self, i: usize) -> &[i32] {
        &self.weights[i * self.taps..(i + 1) * self.taps]
    }
}

/// Integer weights in proportion to `raw`, summing to exactly `one` (the
/// rounding error goes to the largest), so flat areas stay exact.
fn quantise(raw: &[f64], one: i32) -> Vec<i32> {
    let total: f64 = raw.iter().sum();
    if total <= 0.0 {
        let mut w = vec![0; raw.len()];
        w[0] = one;
        return w;
    }
    let mut w: Vec<i32> = raw
        .iter()
        .map(|r| (r / total * f64::from(one)).round() as i32)
        .collect();
    let error = one - w.iter().sum::<i32>();
    let largest = (0..w.len()).max_by_key(|&i| w[i]).unwrap_or(0);
    w[largest] += error;
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_and_stay_inside_the_source() {
        for (input, output) in [
            (1920, 1179),
            (1080, 663),
            (960, 590),
            (3840, 1179),
            (640, 1280),
            (1, 7),
            (7, 1),
            (100, 100),
        ] {
            for one in [VERTICAL_ONE, HORIZONTAL_ONE] {
                let f = Filter::new(input, output, one);
                assert_eq!(f.starts.len(), output as usize);
                for i in 0..output as usize {
                    let w = f.weights_of(i);
                    assert_eq!(w.iter().sum::<i32>(), one, "{input}->{output} at {i}");
                    assert!(w.iter().all(|&w| (0..=one).contains(&w)));
                    assert!(f.starts[i] as usize + f.taps <= input as usize);
                }
            }
        }
    }

    #[test]
    fn shrinking_widens_the_filter_and_same_size_copies() {
        assert_eq!(Filter::new(1920, 1179, VERTICAL_ONE).taps, 4);
        assert_eq!(Filter::new(3840, 1179, VERTICAL_ONE).taps, 7);
        assert_eq!(Filter::new(7680, 640, VERTICAL_ONE).taps, MAX_TAPS);
        assert_eq!(Filter::new(640, 1280, VERTICAL_ONE).taps, 2);
        let same = Filter::new(100, 100, HORIZONTAL_ONE);
        for i in 0..100 {
            let w = same.weights_of(i);
            let at = w
                .iter()
                .position(|&w| w == HORIZONTAL_ONE)
                .expect("one full tap");
            assert_eq!(same.starts[i] as usize + at, i);
        }
    }

    #[test]
    fn halving_averages_neighbours() {
        let f = Filter::new(8, 4, HORIZONTAL_ONE);
        // Output 1 sits between source samples 2 and 3.
        let w = f.weights_of(1);
        let start = f.starts[1] as usize;
        let mut by_source = [0; 8];
        for (k, w) in w.iter().enumerate() {
            by_source[start + k] += w;
        }
        assert_eq!(by_source[2], by_source[3]);
        assert!(by_source[2] > by_source[1] && by_source[1] == by_source[4]);
    }
}
