//! Loop rules: the A-B points and the segment a seek asks for.
//!
//! Looping is seamless because it never flushes: every seek made while a
//! loop is on carries GStreamer's `SEGMENT` flag, so at the loop's end the
//! pipeline posts `SEGMENT_DONE` instead of end-of-stream, and the player
//! answers with a non-flushing seek back to the loop's start while the
//! sinks are still playing what was queued. The running time goes on across
//! the jump, so there is no gap.

/// The A-B points, stream time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AbLoop {
    /// Loop start.
    pub a: Option<gst::ClockTime>,
    /// Loop end (exclusive: frames before B play).
    pub b: Option<gst::ClockTime>,
}

impl AbLoop {
    /// Both points, when the loop is on.
    pub fn range(&self) -> Option<(gst::ClockTime, gst::ClockTime)> {
        Some((self.a?, self.b?))
    }

    /// What the loop key does next, given the frame on screen (`start`,
    /// `end`): set A at its start, then B at its end (so that frame is the
    /// last one played), then clear. Errors are sentences.
    pub fn cycle(self, start: gst::ClockTime, end: gst::ClockTime) -> Result<AbLoop, String> {
        match (self.a, self.b) {
            (None, _) => Ok(AbLoop {
                a: Some(start),
                b: None,
            }),
            (Some(a), None) => {
                if end <= a {
                    Err(format!(
                        "The loop end must come after its start ({}); step or seek past it first.",
                        crate::engine::timefmt::precise(a)
                    ))
                } else {
                    Ok(AbLoop {
                        a: Some(a),
                        b: Some(end),
                    })
                }
            }
            (Some(_), Some(_)) => Ok(AbLoop::default()),
        }
    }
}

/// The start and stop of the segment a seek to `target` asks for. Playing
/// forward, the segment runs from the target to B (or the end); backward,
/// from A (or the beginning) to the target.
pub(crate) fn segment_bounds(
    rate: f64,
    target: gst::ClockTime,
    ab: Option<(gst::ClockTime, gst::ClockTime)>,
) -> (gst::ClockTime, Option<gst::ClockTime>) {
    match (rate >= 0.0, ab) {
        (true, Some((_, b))) if target < b => (target, Some(b)),
        (true, _) => (target, None),
        (false, Some((a, _))) if target > a => (a, Some(target)),
        (false, _) => (gst::ClockTime::ZERO, Some(target)),
    }
}

/// The segment that starts the next loop: A to B, or the whole media (to
/// the end of its data, not to a reported duration that may fall short).
pub(crate) fn loop_bounds(
    ab: Option<(gst::ClockTime, gst::ClockTime)>,
) -> (gst::ClockTime, Option<gst::ClockTime>) {
    match ab {
        Some((a, b)) => (a, Some(b)),
        None => (gst::ClockTime::ZERO, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gst::ClockTime as T;

    #[test]
    fn the_key_sets_a_then_b_then_clears() {
        let l = AbLoop::default();
        let l = l.cycle(T::from_seconds(1), T::from_mseconds(1033)).unwrap();
        assert_eq!(l.a, Some(T::from_seconds(1)));
        assert!(l.range().is_none());
        assert!(
            l.cycle(T::from_mseconds(500), T::from_mseconds(533))
                .is_err(),
            "B before A"
        );
        let l = l.cycle(T::from_seconds(2), T::from_mseconds(2033)).unwrap();
        assert_eq!(
            l.range(),
            Some((T::from_seconds(1), T::from_mseconds(2033)))
        );
        assert_eq!(l.cycle(T::ZERO, T::ZERO).unwrap(), AbLoop::default());
    }

    #[test]
    fn segments_follow_direction_and_loop() {
        let ab = Some((T::from_seconds(1), T::from_seconds(2)));
        assert_eq!(
            segment_bounds(1.0, T::from_mseconds(1500), ab),
            (T::from_mseconds(1500), Some(T::from_seconds(2)))
        );
        assert_eq!(
            segment_bounds(1.0, T::from_seconds(3), ab),
            (T::from_seconds(3), None)
        );
        assert_eq!(
            segment_bounds(-1.0, T::from_mseconds(1500), ab),
            (T::from_seconds(1), Some(T::from_mseconds(1500)))
        );
        assert_eq!(
            segment_bounds(-1.0, T::from_seconds(5), None),
            (T::ZERO, Some(T::from_seconds(5)))
        );
        assert_eq!(loop_bounds(None), (T::ZERO, None));
        assert_eq!(
            loop_bounds(ab),
            (T::from_seconds(1), Some(T::from_seconds(2)))
        );
    }
}
