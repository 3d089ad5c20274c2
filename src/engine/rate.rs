//! Playback rates: the steps the speed keys walk through, and which rates
//! the engine accepts (any magnitude from 1/16 to 16, forward or backward).

/// The speeds `[` and `]` step through (magnitudes; the sign is kept).
pub(crate) const RATE_STEPS: &[f64] = &[0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 3.0, 4.0];
/// The slowest rate accepted.
pub(crate) const MIN_RATE: f64 = 1.0 / 16.0;
/// The fastest rate accepted.
pub(crate) const MAX_RATE: f64 = 16.0;

/// Checks a requested rate; the error is a sentence for people.
pub(crate) fn validate(rate: f64) -> Result<f64, String> {
    if !rate.is_finite() {
        return Err(format!(
            "The playback rate {rate} is not a number; use a value such as 0.5, 1 or 2."
        ));
    }
    if rate == 0.0 {
        return Err(
            "A playback rate of 0 would stop time; pause instead, or choose a rate such as 0.25."
                .into(),
        );
    }
    let magnitude = rate.abs();
    if !(MIN_RATE..=MAX_RATE).contains(&magnitude) {
        return Err(format!(
            "The playback rate {rate} is outside the supported range; use 1/16 (0.0625) to 16, or the same backwards."
        ));
    }
    Ok(rate)
}

/// The next step faster than `rate` (same direction), or `rate` at the top.
pub(crate) fn faster(rate: f64) -> f64 {
    let m = rate.abs();
    let next = RATE_STEPS
        .iter()
        .copied()
        .find(|&s| s > m + 1e-9)
        .unwrap_or(m.max(RATE_STEPS[RATE_STEPS.len() - 1]));
    next.copysign(rate)
}

/// The next step slower than `rate` (same direction), or `rate` at the bottom.
pub(crate) fn slower(rate: f64) -> f64 {
    let m = rate.abs();
    let next = RATE_STEPS
        .iter()
        .rev()
        .copied()
        .find(|&s| s < m - 1e-9)
        .unwrap_or(m.min(RATE_STEPS[0]));
    next.copysign(rate)
}

/// `1.5×`, `0.25×`, `−2×`: a rate for people.
pub(crate) fn label(rate: f64) -> String {
    let text = format!("{:.2}", rate.abs());
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if rate < 0.0 {
        format!("−{text}× (backwards)")
    } else {
        format!("{text}×")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_walk_the_table_and_keep_direction() {
        assert_eq!(faster(1.0), 1.25);
        assert_eq!(faster(4.0), 4.0);
        assert_eq!(faster(1.1), 1.25);
        assert_eq!(slower(1.0), 0.75);
        assert_eq!(slower(0.25), 0.25);
        assert_eq!(faster(-1.0), -1.25);
        assert_eq!(slower(8.0), 4.0);
    }

    #[test]
    fn rates_are_validated_with_sentences() {
        assert!(validate(0.0).unwrap_err().contains("pause"));
        assert!(validate(100.0).is_err());
        assert!(validate(0.01).is_err());
        assert!(validate(f64::NAN).is_err());
        assert_eq!(validate(-2.0), Ok(-2.0));
        assert_eq!(validate(0.0625), Ok(0.0625));
    }

    #[test]
    fn labels_read_well() {
        assert_eq!(label(1.0), "1×");
        assert_eq!(label(0.25), "0.25×");
        assert_eq!(label(1.5), "1.5×");
        assert_eq!(label(-2.0), "−2× (backwards)");
    }
}
