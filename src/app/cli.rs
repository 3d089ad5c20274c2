//! The command line (see ARCHITECTURE.md): options for the player and the
//! parsing of TIME values (`12.5` or `[HH:]MM:SS[.mmm]`).

use clap::Parser;
use framescope::engine::VideoMode;

/// Framescope: a video player, playback widget and stream inspector.
#[derive(Debug, Parser, Default, Clone)]
#[command(name = "framescope", version, about, after_help = EXIT_CODES)]
#[command(
    override_usage = "framescope [OPTIONS] [FILE|URI]...\n       framescope inspect [--json] [--frames] [--gop] [--duration S] FILE|URI\n       framescope check [--json] FILE|URI\n       framescope snapshot FILE|URI --at TIME -o OUT.png [--keyframe]\n       framescope ctl COMMAND [ARGS]"
)]
pub struct Options {
    /// Files or URIs to play in order; none plays the embedded demo clip.
    // OsString: a file name need not be UTF-8.
    #[arg(value_name = "FILE|URI")]
    pub inputs: Vec<std::ffi::OsString>,
    /// Start in fullscreen.
    #[arg(long)]
    pub fullscreen: bool,
    /// Unattended full-screen playback: no controls, input locked (Ctrl+Alt+Q
    /// quits), pointer hidden, screen kept awake, the list looped, failed or
    /// stalled items restarted.
    #[arg(long)]
    pub kiosk: bool,
    /// Offer the player for remote control on the D-Bus session bus
    /// (`framescope ctl`, and MPRIS in a kiosk). A kiosk has no remote
    /// surface without it.
    #[arg(long)]
    pub control: bool,
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
    #[arg(long, value_name = "TIME", value_parser = parse_time, allow_hyphen_values = true)]
    pub start: Option<u64>,
    /// Playback rate, 0.0625 to 16 (1 is normal speed).
    #[arg(long, value_name = "R", value_parser = parse_rate, allow_negative_numbers = true)]
    pub rate: Option<f64>,
    /// Quit when the last item ends (exit 0); on a playback error exit 1 with the error on stderr.
    #[arg(long)]
    pub exit_at_end: bool,
    /// At exit, write playback statistics as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<std::path::PathBuf>,
    /// Play a custom GStreamer launch description instead of files, e.g.
    /// "videotestsrc pattern=ball ! video/x-raw,width=640,height=360": its
    /// free video and audio outputs go to the player's own sinks (encoded
    /// ones decoded first). Its elements run with your rights: use only
    /// descriptions you wrote.
    #[arg(long, value_name = "DESC", conflicts_with = "inputs")]
    pub pipeline: Option<String>,
    /// Print the pipeline description that would be built, then exit.
    #[arg(long)]
    pub print_pipeline: bool,
    /// Initial window size, e.g. 1280x720 (the default is 960x600).
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub window_size: Option<(i32, i32)>,
    /// Folder for screenshots (key S); by default Pictures/Framescope.
    #[arg(long, value_name = "DIR")]
    pub screenshot_dir: Option<std::path::PathBuf>,
    /// Show this subtitle file (SRT, ASS/SSA, WebVTT…) with the first item;
    /// repeat for several (all are listed in the Subtitles menu, the last
    /// is shown).
    #[arg(long = "sub", value_name = "FILE")]
    pub subtitle_files: Vec<std::path::PathBuf>,
    /// Trust the certificate authorities in FILE (PEM) for HTTPS, instead of
    /// the system's: for servers with a private authority.
    #[arg(long, value_name = "FILE")]
    pub tls_ca_file: Option<std::path::PathBuf>,
    /// Always start from the beginning: do not resume files where they were
    /// left (nor remember where they are left this time).
    #[arg(long)]
    pub no_resume: bool,
    /// Video chain: gl, software or auto (GL on hardware renderers, software otherwise).
    #[arg(long, value_name = "PATH", default_value = "auto", value_parser = parse_video_path)]
    pub video_path: VideoMode,
    /// Open a window of its own even when Framescope is already running
    /// (implied by --kiosk, --exit-at-end and --stats-json).
    #[arg(long)]
    pub new_instance: bool,
    /// When Framescope is already running, play the files there at once in
    /// place of its queue (without this they are added to its queue).
    #[arg(long)]
    pub replace: bool,
    /// Print the manual page (roff) and exit; `make install` installs it.
    #[arg(long, hide = true)]
    pub print_man_page: bool,
}

impl Options {
    /// Whether this run may hand its files to a Framescope already running
    /// (on the session bus) instead of opening a window. Scripted and
    /// unattended runs always get a window, and a process, of their own.
    pub fn may_join_running_instance(&self) -> bool {
        // A custom pipeline is registered in this process only.
        !(self.new_instance
            || self.kiosk
            || self.exit_at_end
            || self.stats_json.is_some()
            || self.pipeline.is_some())
    }
}

const EXIT_CODES: &str = "Exit codes: 0 success; 1 playback error (with --exit-at-end); 2 bad command line; 3 could not start (no display, GStreamer missing). framescope check: 0 no finding is an error, 3 some finding is an error, 1 the input could not be read.";

pub use framescope::engine::parse_time;

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
        assert!(Options::try_parse_from(["framescope", "--start", "2e10"]).is_err());
        assert!(Options::try_parse_from(["framescope", "--video-path", "vulkan"]).is_err());
        assert!(Options::try_parse_from(["framescope", "--rate", "0"]).is_err());
        let o = Options::try_parse_from(["framescope", "--window-size", "1280x720"]).unwrap();
        assert_eq!(o.window_size, Some((1280, 720)));
        assert!(Options::try_parse_from(["framescope", "--window-size", "big"]).is_err());
        let o = Options::try_parse_from(["framescope", "--pipeline", "videotestsrc"]).unwrap();
        assert_eq!(o.pipeline.as_deref(), Some("videotestsrc"));
        assert!(!o.may_join_running_instance());
        assert!(
            Options::try_parse_from(["framescope", "--pipeline", "audiotestsrc", "a.mp4"]).is_err()
        );
    }
}
