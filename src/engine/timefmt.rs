//! Times for people and from people: `[HH:]MM:SS[.mmm]` or seconds in, and
//! millisecond-precise clock strings out.

/// Parses `12.5`, `75`, `01:15`, `1:02:03.250` into nanoseconds.
pub fn parse_time(s: &str) -> Result<u64, String> {
    let bad = || format!("“{s}” is not a time; use seconds (12.5) or [HH:]MM:SS[.mmm]");
    let parts: Vec<&str> = s.trim().split(':').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(bad());
    }
    let (last, rest) = parts.split_last().ok_or_else(bad)?;
    let seconds: f64 = last.parse().map_err(|_| bad())?;
    if !seconds.is_finite() || seconds < 0.0 || (!rest.is_empty() && seconds >= 60.0) {
        return Err(bad());
    }
    let mut total = 0u64;
    for (i, p) in rest.iter().enumerate() {
        let v: u64 = p.parse().map_err(|_| bad())?;
        if i > 0 && v >= 60 {
            return Err(bad());
        }
        total = total * 60 + v;
    }
    Ok(total * 60 * 1_000_000_000 + (seconds * 1e9).round() as u64)
}

/// `1:02.345` or `1:02:03.450`: a time to the millisecond.
pub fn precise(t: gst::ClockTime) -> String {
    let ms = t.mseconds();
    let (h, m, s, ms) = (
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000,
    );
    if h > 0 {
        format!("{h}:{m:02}:{s:02}.{ms:03}")
    } else {
        format!("{m}:{s:02}.{ms:03}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse() {
        assert_eq!(parse_time("12.5"), Ok(12_500_000_000));
        assert_eq!(parse_time("0"), Ok(0));
        assert_eq!(parse_time("01:15"), Ok(75_000_000_000));
        assert_eq!(parse_time("1:02:03.250"), Ok(3_723_250_000_000));
        for bad in ["", "abc", "-1", "1:60", "1:2:3:4", "1::2", "1:75:00", "nan"] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_print_to_the_millisecond() {
        assert_eq!(precise(gst::ClockTime::from_mseconds(62_345)), "1:02.345");
        assert_eq!(
            precise(gst::ClockTime::from_mseconds(3_723_450)),
            "1:02:03.450"
        );
    }
}
