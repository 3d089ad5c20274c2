//! Times for people and from people: `[HH:]MM:SS[.mmm]` or seconds in, and
//! millisecond-precise clock strings out. Parsing never panics and never
//! overflows: what is not a time, or is longer than [`MAX_TIME_NS`], is an
//! error sentence.

/// The longest time accepted from people: 100 days (`2400:00:00`), far past
/// any media, and far below where nanosecond counts overflow (about 584
/// years) or reach GStreamer's "no time" value.
pub const MAX_TIME_NS: u64 = 100 * 24 * 3600 * 1_000_000_000;

/// Parses `12.5`, `75`, `01:15`, `1:02:03.250` into nanoseconds. Negative,
/// not-a-number, infinite and longer-than-100-days times are refused with a
/// sentence saying what to give instead.
pub fn parse_time(s: &str) -> Result<u64, String> {
    let bad = || {
        crate::i18n::tr(
            "“{value}” is not a time; use seconds (12.5) or [HH:]MM:SS[.mmm]",
            &[("value", s)],
        )
    };
    let too_long = || {
        crate::i18n::tr("“{value}” is longer than the 100 days (2400:00:00) a time may be; give a time within the media, in seconds (12.5) or [HH:]MM:SS[.mmm]", &[("value", s)])
    };
    let parts: Vec<&str> = s.trim().split(':').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(bad());
    }
    let (last, rest) = parts.split_last().ok_or_else(bad)?;
    let seconds: f64 = last.parse().map_err(|_| bad())?;
    if !seconds.is_finite() || seconds < 0.0 || (!rest.is_empty() && seconds >= 60.0) {
        return Err(bad());
    }
    if rest.iter().any(|p| !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad());
    }
    let mut minutes = 0u64;
    for (i, p) in rest.iter().enumerate() {
        // More digits than any time has: too long (u64 would overflow).
        let v: u64 = p.parse().map_err(|_| too_long())?;
        if i > 0 && v >= 60 {
            return Err(bad());
        }
        minutes = minutes
            .checked_mul(60)
            .and_then(|m| m.checked_add(v))
            .ok_or_else(too_long)?;
    }
    let whole_ns = minutes
        .checked_mul(60_000_000_000)
        .filter(|&ns| ns <= MAX_TIME_NS)
        .ok_or_else(too_long)?;
    let fraction_ns = seconds * 1e9;
    // Compared as floats first: `as u64` would saturate silently.
    if fraction_ns > MAX_TIME_NS as f64 {
        return Err(too_long());
    }
    whole_ns
        .checked_add(fraction_ns.round() as u64)
        .filter(|&ns| ns <= MAX_TIME_NS)
        .ok_or_else(too_long)
}

/// A nanosecond count as a `ClockTime`, never panicking: counts at or past
/// GStreamer's "no time" value (`u64::MAX`) become the largest time.
pub fn clock_time(ns: u64) -> gst::ClockTime {
    gst::ClockTime::from_nseconds(ns.min(gst::ClockTime::MAX.nseconds()))
}

/// A microsecond count (as D-Bus and MPRIS give times) as a `ClockTime`;
/// `None` when negative or too large to be a time in nanoseconds.
pub fn clock_time_from_micros(us: i64) -> Option<gst::ClockTime> {
    let us = u64::try_from(us).ok()?;
    us.checked_mul(1000)
        .filter(|&ns| ns <= gst::ClockTime::MAX.nseconds())
        .map(gst::ClockTime::from_nseconds)
}

/// `1:02` or `1:02:03`: nanoseconds as a time to the second (seek bars,
/// resume offers).
pub fn format_time(ns: u64) -> String {
    let total = ns / 1_000_000_000;
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
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
        for bad in [
            "",
            "abc",
            "-1",
            "1:60",
            "1:2:3:4",
            "1::2",
            "1:75:00",
            "nan",
            "inf",
            "-inf",
            "1:-5",
            "+1:00",
            "2e10",
            "1e300",
            "2400:00:00.001",
            "99999999999999999999:00",
            "8640000.5",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
        assert!(parse_time("2e10").unwrap_err().contains("100 days"));
        assert_eq!(parse_time("2400:00:00"), Ok(MAX_TIME_NS));
        assert_eq!(parse_time("8640000"), Ok(MAX_TIME_NS));
    }

    #[test]
    fn times_print_to_the_second() {
        assert_eq!(format_time(0), "0:00");
        assert_eq!(format_time(62_900_000_000), "1:02");
        assert_eq!(format_time(3_723_000_000_000), "1:02:03");
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
