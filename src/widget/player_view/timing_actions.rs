//! The widget's timing actions (frame steps, speed, A-B loop, audio and
//! subtitle offsets) and the words the on-screen display uses to confirm
//! them. The action table in [`super::actions`] names them and gives their
//! keys.

use crate::engine::precise;
use crate::engine::OFFSET_STEP;
use crate::widget::PlayerView;

/// Steps `frames` frames and has the OSD name the frame it lands on.
pub fn step(view: &PlayerView, frames: i64) {
    view.announce_next_frame();
    view.player().step(frames);
}

/// Moves the audio by one offset step later (`1`) or earlier (`-1`).
pub(super) fn shift_audio(view: &PlayerView, direction: i64) {
    let p = view.player();
    p.set_av_offset(shifted(p.av_offset(), direction));
}

/// Moves the subtitles by one offset step later (`1`) or earlier (`-1`).
pub(super) fn shift_subtitles(view: &PlayerView, direction: i64) {
    let p = view.player();
    p.set_subtitle_offset(shifted(p.subtitle_offset(), direction));
}

fn shifted(offset: i64, direction: i64) -> i64 {
    let limit = 10_000_000_000;
    (offset + direction * OFFSET_STEP.nseconds() as i64).clamp(-limit, limit)
}

use crate::i18n::{gettext, gettext_noop, tr};

/// "Speed 1.5×".
pub fn rate_message(rate: f64) -> String {
    tr(
        "Speed {rate}",
        &[("rate", &crate::engine::rate_label(rate))],
    )
}

/// "Audio delay +20 ms", "Subtitle delay −10 ms", "Audio delay 0 ms".
pub fn offset_message(what: &str, offset_ns: i64) -> String {
    let ms = offset_ns as f64 / 1e6;
    let sign = if ms > 0.0 {
        "+"
    } else if ms < 0.0 {
        "−"
    } else {
        ""
    };
    let offset = format!("{sign}{}", ms.abs().round());
    let template = if what == "Subtitle" {
        gettext_noop("Subtitle delay {offset} ms")
    } else {
        gettext_noop("Audio delay {offset} ms")
    };
    tr(template, &[("offset", &offset)])
}

/// "Loop start 0:01.600", "Loop 0:01.600 – 0:02.200", "Loop off".
pub fn loop_message(a: i64, b: i64) -> String {
    let t = |ns: i64| precise(gst::ClockTime::from_nseconds(ns.max(0).unsigned_abs()));
    match (a >= 0, b >= 0) {
        (true, true) => tr("Loop {start} – {end}", &[("start", &t(a)), ("end", &t(b))]),
        (true, false) => tr(
            "Loop start {start} (press L again at the end)",
            &[("start", &t(a))],
        ),
        _ => gettext("Loop off"),
    }
}

/// "Frame 123 · 0:04.920" (or just the time at a variable frame rate).
pub fn frame_message(number: i64, pts_ns: i64) -> String {
    let time = precise(gst::ClockTime::from_nseconds(pts_ns.max(0) as u64));
    if number >= 0 {
        tr(
            "Frame {number} · {time}",
            &[("number", &number.to_string()), ("time", &time)],
        )
    } else {
        tr("Frame at {time}", &[("time", &time)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_well() {
        assert_eq!(rate_message(1.5), "Speed 1.5×");
        assert_eq!(offset_message("Audio", 20_000_000), "Audio delay +20 ms");
        assert_eq!(
            offset_message("Subtitle", -10_000_000),
            "Subtitle delay −10 ms"
        );
        assert_eq!(offset_message("Audio", 0), "Audio delay 0 ms");
        assert_eq!(
            loop_message(1_600_000_000, 2_200_000_000),
            "Loop 0:01.600 – 0:02.200"
        );
        assert!(loop_message(1_600_000_000, -1).starts_with("Loop start 0:01.600"));
        assert_eq!(loop_message(-1, -1), "Loop off");
        assert_eq!(frame_message(123, 4_920_000_000), "Frame 123 · 0:04.920");
        assert_eq!(frame_message(-1, 4_920_000_000), "Frame at 0:04.920");
    }

    #[test]
    fn offsets_move_in_steps_within_limits() {
        assert_eq!(shifted(0, 1), 10_000_000);
        assert_eq!(shifted(-10_000_000, 1), 0);
        assert_eq!(shifted(10_000_000_000, 1), 10_000_000_000);
    }
}
