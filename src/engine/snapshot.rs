//! Exporting a frame as PNG, headless: the frame shown at a time (the last
//! one whose PTS is ≤ it), or the keyframe at or before it, at its native
//! resolution with the pixel aspect ratio applied (a 720x576 frame with
//! 16:11 pixels becomes 1047x576 square pixels). Used by
//! `framescope snapshot` and by the app's screenshot action.

use crate::engine::decoder::FrameDecoder;
use crate::engine::error::{display_name, ErrorKind, PlayerError};
use crate::engine::timefmt::precise;
use std::path::Path;
use std::time::Duration;

/// How long opening and decoding may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// An exported frame.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The frame's PTS, from the time origin (as the player's `frame-pts`).
    pub pts: gst::ClockTime,
    /// Width of the PNG (square pixels).
    pub width: u32,
    /// Height of the PNG.
    pub height: u32,
    /// The PNG file's bytes.
    pub png: Vec<u8>,
}

/// Decodes the frame of `uri` shown at `at` (ns from the time origin, see
/// [`crate::engine::Player::time_origin`]; or, with `keyframe`, the
/// keyframe at or before it) and encodes it as PNG. Blocking.
pub fn snapshot(uri: &str, at: gst::ClockTime, keyframe: bool) -> Result<Snapshot, PlayerError> {
    let mut decoder = FrameDecoder::open(uri, TIMEOUT)?;
    if let Some(duration) = decoder.duration().filter(|d| !d.is_zero()) {
        if at > duration {
            return Err(PlayerError::new(
                ErrorKind::Other,
                format!(
                    "{} is past the end of “{}”, which lasts {}; choose an earlier time.",
                    precise(at),
                    display_name(uri),
                    precise(duration)
                ),
                format!("requested {at}, duration {duration}"),
            ));
        }
    }
    // `at` counts from the time origin; the decoder works in stream time.
    let origin = decoder.origin_ns();
    let stream_at =
        gst::ClockTime::from_nseconds(crate::engine::origin::to_stream(at.nseconds(), origin));
    let frame = decoder.frame_at(stream_at, keyframe)?;
    let pts = crate::engine::origin::to_user(frame.pts.nseconds(), origin);
    encode_png(&frame.sample, gst::ClockTime::from_nseconds(pts))
}

/// Encodes a decoded frame as PNG with square pixels.
pub(crate) fn encode_png(
    sample: &gst::Sample,
    pts: gst::ClockTime,
) -> Result<Snapshot, PlayerError> {
    let failed = |detail: String| {
        PlayerError::new(
            ErrorKind::Other,
            crate::i18n::gettext("The frame could not be encoded as PNG; check that gstreamer1.0-plugins-good (pngenc) is installed."),
            detail,
        )
    };
    let caps = sample
        .caps()
        .ok_or_else(|| failed("sample without caps".into()))?;
    let info = gst_video::VideoInfo::from_caps(caps).map_err(|e| failed(e.to_string()))?;
    let (width, height) = square_pixels(info.width(), info.height(), info.par());
    let png_caps = gst::Caps::builder("image/png")
        .field("width", width as i32)
        .field("height", height as i32)
        .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
        .build();
    let converted = gst_video::convert_sample(sample, &png_caps, gst::ClockTime::from_seconds(10))
        .map_err(|e| failed(e.to_string()))?;
    let buffer = converted
        .buffer()
        .ok_or_else(|| failed("empty PNG".into()))?;
    let map = buffer.map_readable().map_err(|e| failed(e.to_string()))?;
    Ok(Snapshot {
        pts,
        width,
        height,
        png: map.as_slice().to_vec(),
    })
}

/// The size of a `width`x`height` picture with pixels of aspect `par`
/// shown with square pixels (the width stretches or shrinks).
pub(crate) fn square_pixels(width: u32, height: u32, par: gst::Fraction) -> (u32, u32) {
    if par.numer() <= 0 || par.denom() <= 0 || par.numer() == par.denom() {
        return (width, height);
    }
    let w = (width as u64 * par.numer() as u64 + par.denom() as u64 / 2) / par.denom() as u64;
    (w.max(1) as u32, height)
}

/// Writes a snapshot to `path` (through a temporary file, so a reader never
/// sees half a PNG).
pub fn write(snapshot: &Snapshot, path: &Path) -> Result<(), PlayerError> {
    let tmp = path.with_extension("png.part");
    std::fs::write(&tmp, &snapshot.png)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            PlayerError::new(
                ErrorKind::Other,
                crate::i18n::tr(
                    "The snapshot could not be written to {file} ({error}); check that the folder exists and is writable.",
                    &[("file", &path.display().to_string()), ("error", &e.to_string())],
                ),
                e.to_string(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::square_pixels;

    #[test]
    fn pixel_aspect_is_applied_to_the_width() {
        assert_eq!(
            square_pixels(720, 576, gst::Fraction::new(16, 11)),
            (1047, 576)
        );
        assert_eq!(
            square_pixels(720, 480, gst::Fraction::new(8, 9)),
            (640, 480)
        );
        assert_eq!(
            square_pixels(320, 240, gst::Fraction::new(1, 1)),
            (320, 240)
        );
    }
}
