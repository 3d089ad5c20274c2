//! Checking what a D-Bus caller sends before it reaches the player: every
//! number, name and index a remote call carries is checked here, and a bad
//! one becomes a sentence for the caller's D-Bus error, never a panic nor a
//! value the player's property setters would have to refuse. Pure
//! functions, so unit tests call them.

use crate::engine::{SeekMode, TrackKind, MAX_TIME_NS};

/// The slowest and fastest rates the player takes (in magnitude).
pub const MIN_RATE: f64 = 1.0 / 16.0;
/// The fastest rate the player takes (in magnitude).
pub const MAX_RATE: f64 = 16.0;
/// The most frames one `Step` call may move.
pub const MAX_STEP: i32 = 10_000;

/// A time in seconds from the media's start, as the player takes it:
/// finite, not negative, within 100 days, and, when the media's length
/// (`duration_ns`, 0 for unknown) is known, not past its end.
pub fn time(seconds: f64, what: &str, duration_ns: u64) -> Result<gst::ClockTime, String> {
    if !seconds.is_finite() {
        return Err(format!(
            "{what} must be a number of seconds, not {seconds}."
        ));
    }
    if seconds < 0.0 {
        return Err(format!(
            "{what} must not be negative ({seconds} s); times count from the media's start."
        ));
    }
    let ns = seconds * 1e9;
    if ns > MAX_TIME_NS as f64 {
        return Err(format!(
            "{what} ({seconds} s) is longer than the 100 days a time may be."
        ));
    }
    let ns = ns.round() as u64;
    if duration_ns > 0 && ns > duration_ns {
        return Err(format!(
            "{what} ({seconds} s) is past the end of the media, which lasts {:.3} s.",
            duration_ns as f64 / 1e9
        ));
    }
    Ok(gst::ClockTime::from_nseconds(ns))
}

/// A playback rate: finite, not 0, 1/16 to 16 in magnitude (negative
/// plays backwards).
pub fn rate(r: f64) -> Result<f64, String> {
    if r.is_finite() && (MIN_RATE..=MAX_RATE).contains(&r.abs()) {
        Ok(r)
    } else {
        Err(format!(
            "{r} is not a rate the player takes; use 0.0625 to 16 (negative plays backwards)."
        ))
    }
}

/// A volume: 0 to 1.
pub fn volume(v: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is not a volume; use 0 (silent) to 1 (full)."))
    }
}

/// A frame step: not 0, at most [`MAX_STEP`] frames either way.
pub fn step(n: i32) -> Result<i64, String> {
    if n == 0 {
        Err("A step of 0 frames does nothing; step by 1 or -1 (or more).".into())
    } else if n.unsigned_abs() > MAX_STEP as u32 {
        Err(format!(
            "A step of {n} frames is too many; step by at most {MAX_STEP} frames at a time, or seek."
        ))
    } else {
        Ok(i64::from(n))
    }
}

/// A seek mode by its name; empty for the player's default.
pub fn seek_mode(name: &str) -> Result<Option<SeekMode>, String> {
    Ok(Some(match name {
        "" => return Ok(None),
        "accurate" => SeekMode::Accurate,
        "keyframe" => SeekMode::Keyframe,
        "snap-before" => SeekMode::SnapBefore,
        "snap-after" => SeekMode::SnapAfter,
        other => {
            return Err(format!(
                "“{other}” is not a seek mode; use accurate, keyframe, snap-before or snap-after."
            ))
        }
    }))
}

/// A track kind by its name.
pub fn track_kind(name: &str) -> Result<TrackKind, String> {
    match name {
        "video" => Ok(TrackKind::Video),
        "audio" => Ok(TrackKind::Audio),
        "subtitle" | "subtitles" => Ok(TrackKind::Subtitle),
        other => Err(format!(
            "“{other}” is not a kind of track; use video, audio or subtitle."
        )),
    }
}

/// A track number among `count` tracks of its kind, or -1 for none
/// (subtitles off).
pub fn track_index(index: i32, count: usize) -> Result<Option<usize>, String> {
    match index {
        -1 => Ok(None),
        i if i < -1 => Err(format!(
            "{i} is not a track number; tracks count from 0, and -1 turns subtitles off."
        )),
        i if i as usize >= count => Err(format!(
            "There is no track {i}: the media has {count} of that kind, numbered from 0."
        )),
        i => Ok(Some(i as usize)),
    }
}

/// A URI or absolute path of media to open: not empty and, for a local
/// file, one that exists.
pub fn media(item: &str) -> Result<String, String> {
    if item.trim().is_empty() {
        return Err("No file or URI was given; pass one to open.".into());
    }
    let is_uri = item.contains("://");
    if !is_uri && !std::path::Path::new(item).is_absolute() {
        return Err(format!(
            "“{item}” is not an absolute path; the player runs elsewhere, so give the full path."
        ));
    }
    let uri = crate::engine::to_uri(item);
    if let Ok((path, _)) = glib::filename_from_uri(&uri) {
        if !path.exists() {
            return Err(format!(
                "“{}” does not exist; check the path.",
                path.display()
            ));
        }
    }
    Ok(uri)
}

/// Where a snapshot goes: an absolute path in a folder that exists.
pub fn snapshot_path(path: &str) -> Result<std::path::PathBuf, String> {
    let path = std::path::PathBuf::from(path);
    if !path.is_absolute() {
        return Err(format!(
            "“{}” is not an absolute path; the player runs elsewhere, so give the full path.",
            path.display()
        ));
    }
    match path.parent() {
        Some(dir) if dir.is_dir() && path.file_name().is_some() => Ok(path),
        _ => Err(format!(
            "The folder of “{}” does not exist; create it or choose another.",
            path.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_numbers_are_sentences_not_panics() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 1e30] {
            assert!(time(bad, "The position", 0).is_err(), "{bad}");
        }
        assert_eq!(
            time(1.5, "The position", 0),
            Ok(gst::ClockTime::from_mseconds(1500))
        );
        assert!(time(11.0, "The position", 10_000_000_000).is_err());
        for bad in [f64::NAN, 0.0, 17.0, -17.0, 0.01, f64::INFINITY] {
            assert!(rate(bad).is_err(), "{bad}");
        }
        assert_eq!(rate(-2.0), Ok(-2.0));
        assert!(volume(f64::NAN).is_err());
        assert!(volume(1.5).is_err());
        assert!(step(0).is_err());
        assert!(step(i32::MIN).is_err());
        assert_eq!(step(-1), Ok(-1));
        assert!(seek_mode("fast").is_err());
        assert_eq!(seek_mode(""), Ok(None));
        assert!(track_kind("teletext").is_err());
        assert_eq!(track_index(-1, 2), Ok(None));
        assert!(track_index(-2, 2).is_err());
        assert!(track_index(2, 2).is_err());
        assert_eq!(track_index(1, 2), Ok(Some(1)));
        assert!(media("").is_err());
        assert!(media("relative.mp4").is_err());
        assert!(media("/no/such/file.mp4").is_err());
        assert!(media("https://example.com/a.m3u8").is_ok());
        assert!(snapshot_path("a.png").is_err());
        assert!(snapshot_path("/no/such/dir/a.png").is_err());
    }
}
