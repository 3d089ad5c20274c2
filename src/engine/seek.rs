//! Seek modes and the one-in-flight seek queue.
//!
//! A flushing seek is *in flight* from the moment it is sent until the
//! pipeline has prerolled the new frame (and, for accurate seeks while
//! paused, until the player has made that frame exact). Requests made
//! meanwhile do not pile up: the newest replaces any waiting one, so
//! dragging the seek bar or holding an arrow key never builds a backlog.
//! Frame steps queue the same way, adding up instead of replacing each other.

/// How a seek chooses the frame it lands on.
#[derive(Debug, Eq, PartialEq, Clone, Copy, Hash, Default, glib::Enum)]
#[enum_type(name = "FramescopeSeekMode")]
pub enum SeekMode {
    /// The frame shown at the target: the last one whose PTS is ≤ the
    /// target (decodes from the keyframe before it).
    #[default]
    #[enum_value(nick = "accurate")]
    Accurate,
    /// The keyframe nearest the target: the fastest.
    #[enum_value(nick = "keyframe")]
    Keyframe,
    /// The keyframe at or before the target.
    #[enum_value(nick = "snap-before")]
    SnapBefore,
    /// The keyframe at or after the target.
    #[enum_value(nick = "snap-after")]
    SnapAfter,
}

impl SeekMode {
    /// The seek flags for this mode (without `FLUSH`/`SEGMENT`).
    pub fn flags(self) -> gst::SeekFlags {
        match self {
            SeekMode::Accurate => gst::SeekFlags::ACCURATE,
            SeekMode::Keyframe => gst::SeekFlags::KEY_UNIT | gst::SeekFlags::SNAP_NEAREST,
            SeekMode::SnapBefore => gst::SeekFlags::KEY_UNIT | gst::SeekFlags::SNAP_BEFORE,
            SeekMode::SnapAfter => gst::SeekFlags::KEY_UNIT | gst::SeekFlags::SNAP_AFTER,
        }
    }

    /// `accurate`, `keyframe`, `snap-before` or `snap-after`.
    pub fn nick(self) -> &'static str {
        crate::engine::types::enum_nick(self)
    }
}

impl std::str::FromStr for SeekMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "accurate" => Ok(Self::Accurate),
            "keyframe" => Ok(Self::Keyframe),
            "snap-before" => Ok(Self::SnapBefore),
            "snap-after" => Ok(Self::SnapAfter),
            other => Err(format!(
                "unknown seek mode “{other}”; use accurate, keyframe, snap-before or snap-after"
            )),
        }
    }
}

/// One thing the player does to the frame on screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Request {
    /// Seek to a stream time.
    Seek {
        /// The target, stream time.
        target: gst::ClockTime,
        /// How to land.
        mode: SeekMode,
    },
    /// Step this many frames (negative: backward).
    Step(i64),
}

/// At most one request in flight, at most one waiting.
#[derive(Debug, Default, Clone)]
pub struct SeekQueue {
    in_flight: Option<Request>,
    waiting: Option<Request>,
}

impl SeekQueue {
    /// Offers a request. Returns it when it can start now; otherwise it
    /// waits, replacing a waiting seek (or adding to waiting steps).
    pub fn offer(&mut self, request: Request) -> Option<Request> {
        if self.in_flight.is_none() {
            self.in_flight = Some(request);
            return Some(request);
        }
        self.waiting = match (self.waiting, request) {
            (Some(Request::Step(a)), Request::Step(b)) => Some(Request::Step(a.saturating_add(b))),
            _ => Some(request),
        };
        None
    }

    /// The request in flight, if any.
    pub fn in_flight(&self) -> Option<Request> {
        self.in_flight
    }

    /// The request waiting for the one in flight.
    pub fn waiting(&self) -> Option<Request> {
        self.waiting
    }

    /// Whether nothing is in flight.
    pub fn is_idle(&self) -> bool {
        self.in_flight.is_none()
    }

    /// Marks something in flight that did not come from `offer` (the first
    /// preroll after loading), so requests wait for it.
    pub fn hold(&mut self, request: Request) {
        self.in_flight = Some(request);
    }

    /// The in-flight request finished: returns the waiting one, now in
    /// flight, if there is one.
    pub fn finish(&mut self) -> Option<Request> {
        self.in_flight = self.waiting.take();
        self.in_flight
    }

    /// Forgets everything (new media, teardown).
    pub fn clear(&mut self) {
        self.in_flight = None;
        self.waiting = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seek(ms: u64) -> Request {
        Request::Seek {
            target: gst::ClockTime::from_mseconds(ms),
            mode: SeekMode::Keyframe,
        }
    }

    #[test]
    fn the_latest_seek_wins_and_steps_add_up() {
        let mut q = SeekQueue::default();
        assert_eq!(q.offer(seek(1)), Some(seek(1)));
        for ms in 2..100 {
            assert_eq!(q.offer(seek(ms)), None, "only one in flight");
        }
        assert_eq!(
            q.finish(),
            Some(seek(99)),
            "the newest waiting one runs next"
        );
        assert_eq!(q.offer(Request::Step(-1)), None);
        assert_eq!(q.offer(Request::Step(-1)), None);
        assert_eq!(q.finish(), Some(Request::Step(-2)));
        assert_eq!(q.finish(), None);
        assert!(q.is_idle());
        assert_eq!(q.offer(Request::Step(1)), Some(Request::Step(1)));
    }

    #[test]
    fn modes_map_to_flags_and_names() {
        assert!(SeekMode::Accurate
            .flags()
            .contains(gst::SeekFlags::ACCURATE));
        assert!(SeekMode::SnapAfter
            .flags()
            .contains(gst::SeekFlags::SNAP_AFTER));
        for mode in [
            SeekMode::Accurate,
            SeekMode::Keyframe,
            SeekMode::SnapBefore,
            SeekMode::SnapAfter,
        ] {
            assert_eq!(mode.nick().parse::<SeekMode>(), Ok(mode));
        }
        assert!("fast".parse::<SeekMode>().is_err());
    }
}
