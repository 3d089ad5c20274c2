//! The command line (see ARCHITECTURE.md): options for the player and the
//! parsing of TIME values (`12.5` or `[HH:]MM:SS[.mmm]`).

use clap::Parser;
use framescope::engine::VideoMode;

/// Framescope: a video player, playback widget and stream inspector.
#[derive(Debug, Parser, Default, Clone)]
#[command(name = "framescope", version, about, after_help = EXIT_CODES)]
#[command(
    override_usage = "framescope [OPTIONS] [FILE|URI]...\n       framescope inspect [--json] FILE|URI"
)]
pub struct Options {
    /// Files or URIs to play in order; none plays the embedded demo clip.
    #[arg(value_name = "FILE|URI")]
    pub inputs: Vec<String>,
    /// Start in fullscreen.
    #[arg(long)]
    pub fullscreen: bool,
    /// Start again from the first item after the last one ends.
    #[arg(long = "loop")]
    pub looping: bool,
    /// Start muted.
    #[arg(long)]
    pub mute: bool,
    /// Do not decode audio at all.
    #[arg(long)]
    pub no_audio: bool,
    /// Start playing at TIME (seconds, or [HH:]MM:SS[.mmm]).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub start: Option<u64>,
    /// Playback rate, 0.0625 to 16 (1 is normal speed).
    #[arg(long, value_name = "R", value_parser = parse_rate)]
    pub rate: Option<f64>,
    /// Quit when the last item ends (exit 0); on a playback error exit 1 with the error on stderr.
    #[arg(long)]
    pub exit_at_end: bool,
    /// At exit, write playback statistics as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<std::path::PathBuf>,
    /// Print the pipeline description that would be built, then exit.
    #[arg(long)]
    pub print_pipeline: bool,
    /// Initial window size, e.g. 1280x720 (the default is 960x600).
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub window_size: Option<(i32, i32)>,
    /// Video chain: gl, software or auto (GL on hardware renderers, software otherwise).
    #[arg(long, value_name = "PATH", default_value = "auto", value_parser = parse_video_path)]
    pub video_path: VideoMode,
}

const EXIT_CODES: &str = "Exit codes: 0 success; 1 playback error (with --exit-at-end); 2 bad command line; 3 could not start (no display, GStreamer missing).";

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

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.0625..=16.0).contains(&r) => Ok(r),
        _ => Err(format!(
            "“{s}” is not a supported rate; use a number from 0.0625 to 16"
        )),
    }
}

fn parse_size(s: &str) -> Result<(i32, i32), String> {
    let bad = || format!("“{s}” is not a window size; use WIDTHxHEIGHT, e.g. 1280x720");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    match (w.parse::<i32>(), h.parse::<i32>()) {
        (Ok(w), Ok(h)) if (160..=16384).contains(&w) && (120..=16384).contains(&h) => Ok((w, h)),
        _ => Err(bad()),
    }
}

fn parse_video_path(s: &str) -> Result<VideoMode, String> {
    s.parse()
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
    fn options_parse() {
        let o = Options::try_parse_from([
            "framescope",
            "--loop",
            "--start",
            "1:00",
            "--video-path",
            "software",
            "a.mp4",
        ])
        .unwrap();
        assert!(o.looping);
        assert_eq!(o.start, Some(60_000_000_000));
        assert_eq!(o.video_path, VideoMode::Software);
        assert_eq!(o.inputs, ["a.mp4"]);
        assert!(Options::try_parse_from(["framescope", "--video-path", "vulkan"]).is_err());
        assert!(Options::try_parse_from(["framescope", "--rate", "0"]).is_err());
        let o = Options::try_parse_from(["framescope", "--window-size", "1280x720"]).unwrap();
        assert_eq!(o.window_size, Some((1280, 720)));
        assert!(Options::try_parse_from(["framescope", "--window-size", "big"]).is_err());
    }
}
