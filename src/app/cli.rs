//! The command line (see ARCHITECTURE.md): options for the player and the
//! parsing of TIME values (`12.5` or `[HH:]MM:SS[.mmm]`).

use clap::Parser;
use framescope::engine::VideoMode;
use framescope::i18n::{gettext, gettext_noop};

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
    /// Video chain: gl, software or auto, the default (GL on hardware renderers, software otherwise).
    #[arg(
        long,
        value_name = "PATH",
        default_value = "auto",
        hide_default_value = true,
        value_parser = parse_video_path
    )]
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

/// Every help text of the command lines, for the translators: the English
/// is clap's (from the doc comments; `every_help_text_is_listed` keeps the
/// two equal), translated by [`translated`] when the help is shown.
// Read by xgettext (scripts/update-pot.sh) and by the unit test below.
#[cfg_attr(not(test), allow(dead_code))]
pub const HELP_TEXTS: &[&str] = &[
    gettext_noop("A GTK4 video player, embeddable playback widget and stream inspector built on GStreamer"),
    gettext_noop("Files or URIs to play in order; none plays the embedded demo clip"),
    gettext_noop("Start in fullscreen"),
    gettext_noop("Unattended full-screen playback: no controls, input locked (Ctrl+Alt+Q quits), pointer hidden, screen kept awake, the list looped, failed or stalled items restarted"),
    gettext_noop("Offer the player for remote control on the D-Bus session bus (`framescope ctl`, and MPRIS in a kiosk). A kiosk has no remote surface without it"),
    gettext_noop("Start again from the first item after the last one ends"),
    gettext_noop("Start muted"),
    gettext_noop("Do not decode audio at all"),
    gettext_noop("Start playing at TIME (seconds, or [HH:]MM:SS[.mmm])"),
    gettext_noop("Playback rate, 0.0625 to 16 (1 is normal speed)"),
    gettext_noop("Quit when the last item ends (exit 0); on a playback error exit 1 with the error on stderr"),
    gettext_noop("At exit, write playback statistics as JSON to FILE"),
    gettext_noop("Play a custom GStreamer launch description instead of files, e.g. \"videotestsrc pattern=ball ! video/x-raw,width=640,height=360\": its free video and audio outputs go to the player's own sinks (encoded ones decoded first). Its elements run with your rights: use only descriptions you wrote"),
    gettext_noop("Print the pipeline description that would be built, then exit"),
    gettext_noop("Initial window size, e.g. 1280x720 (the default is 960x600)"),
    gettext_noop("Folder for screenshots (key S); by default Pictures/Framescope"),
    gettext_noop("Show this subtitle file (SRT, ASS/SSA, WebVTT…) with the first item; repeat for several (all are listed in the Subtitles menu, the last is shown)"),
    gettext_noop("Trust the certificate authorities in FILE (PEM) for HTTPS, instead of the system's: for servers with a private authority"),
    gettext_noop("Always start from the beginning: do not resume files where they were left (nor remember where they are left this time)"),
    gettext_noop("Video chain: gl, software or auto, the default (GL on hardware renderers, software otherwise)"),
    gettext_noop("Open a window of its own even when Framescope is already running (implied by --kiosk, --exit-at-end and --stats-json)"),
    gettext_noop("When Framescope is already running, play the files there at once in place of its queue (without this they are added to its queue)"),
    gettext_noop("Print the manual page (roff) and exit; `make install` installs it"),
    gettext_noop("Exit codes: 0 success; 1 playback error (with --exit-at-end); 2 bad command line; 3 could not start (no display, GStreamer missing). framescope check: 0 no finding is an error, 3 some finding is an error, 1 the input could not be read."),
    gettext_noop("Prints the media facts of a file or URI (no display needed)"),
    gettext_noop("The file or URI to inspect"),
    gettext_noop("Print JSON instead of text"),
    gettext_noop("List every packet of every stream (video and audio frames, subtitle and data packets) in decode order"),
    gettext_noop("Analyse the GOP structure and bitrate of each video stream"),
    gettext_noop("With --frames or --gop: stop after S (seconds or [HH:]MM:SS[.mmm]) of media from the first frame, and on live input after S of wall-clock time; the output is complete up to there (exit 0)"),
    gettext_noop("Exports the frame shown at a time as a PNG file (no display needed)"),
    gettext_noop("The file or URI to take the frame from"),
    gettext_noop("The time: seconds (12.5) or [HH:]MM:SS[.mmm]; the frame shown then is the last one whose timestamp is at or before it"),
    gettext_noop("The PNG file to write"),
    gettext_noop("Take the keyframe at or before TIME instead (fast)"),
    gettext_noop("The file, URI, HLS playlist (.m3u8) or DASH manifest (.mpd) to check"),    gettext_noop("Checks a media file or an HLS or DASH stream for faults (no display needed)"),
    gettext_noop("Print JSON (`{\"findings\": [{severity, kind, time, message, …}]}`) instead of a table"),
    gettext_noop("Checks a media file or an HLS stream for faults: decode times that go back, presentation gaps and overlaps, frame-rate changes, long stretches without a keyframe, an MP4 index at the end, audio and video far apart in the file; for HLS (a .m3u8, local or over HTTP) each segment's first keyframe, its duration against the target duration, timestamp jumps and discontinuities, audio/video start skew, the declared BANDWIDTH against the measured peak and keyframe alignment across variants; for DASH (a .mpd) the same per representation, segment times against the timeline. Exit status: 0 no finding is an error, 3 some finding is an error, 1 the input could not be read."),
    gettext_noop("Drives a running Framescope (started with --control) over D-Bus"),
    gettext_noop("Exit codes: 0 done; 1 the call failed or no player answers; 2 bad command line."),
    gettext_noop("The player to drive, by its process id (needed when several run)"),
    gettext_noop("The player to drive, by its bus name (org.framescope.Framescope.…)"),
    gettext_noop("Play"),
    gettext_noop("Pause"),
    gettext_noop("Play if paused, pause if playing"),
    gettext_noop("Stop"),
    gettext_noop("Go to the next item of the queue"),
    gettext_noop("Go to the previous item of the queue"),
    gettext_noop("Seek to TIME (seconds, or [HH:]MM:SS[.mmm])"),
    gettext_noop("How the seek lands: accurate, keyframe, snap-before or snap-after (default: the player's seek mode, accurate)"),
    gettext_noop("Step N frames: forward when positive, backward when negative (-1)"),
    gettext_noop("Set the playback rate (0.0625 to 16; negative plays backwards)"),
    gettext_noop("Set the volume (0 to 1)"),
    gettext_noop("Replace the queue with FILE|URI and play it"),
    gettext_noop("Add FILE|URI… to the end of the queue"),
    gettext_noop("Loop from A to B (times as for seek), or `loop off`"),
    gettext_noop("Play track INDEX (from 0) of KIND (video, audio, subtitle); `off` turns subtitles off"),
    gettext_noop("List the tracks as JSON"),
    gettext_noop("Show a subtitle file with the media playing"),
    gettext_noop("Save the frame on screen as a PNG file at full size"),
    gettext_noop("Print playback statistics (with --json: the JSON --stats-json writes)"),
    gettext_noop("Print the player's state (playing, paused, …)"),
];

/// `command` in the user's language: its about text, every argument's
/// help, the headings, the usage heading, the after-help text and the help
/// and version flags (clap's errors are said by `super::usage`).
pub fn translated(mut command: clap::Command) -> clap::Command {
    let text = |s: &clap::builder::StyledStr| gettext(&s.to_string());
    if let Some(about) = command.get_about().map(text) {
        command = command.about(about);
    }
    if let Some(about) = command.get_long_about().map(text) {
        command = command.long_about(about);
    }
    if let Some(after) = command.get_after_help().map(text) {
        command = command.after_help(after);
    }
    // clap takes headings as `&'static str`: a few bytes per process.
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let (arguments, options) = (leak(gettext("Arguments")), leak(gettext("Options")));
    let ids: Vec<String> = command
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        command = command.mut_arg(id, |arg| {
            let help = arg.get_help().map(text);
            let long_help = arg.get_long_help().map(text);
            let heading = if arg.is_positional() {
                arguments
            } else {
                options
            };
            let mut arg = arg.help_heading(heading);
            if let Some(help) = help {
                arg = arg.help(help);
            }
            if let Some(help) = long_help {
                arg = arg.long_help(help);
            }
            arg
        });
    }
    // Subcommands (`ctl pause`, …) in the user's language too.
    if command.has_subcommands() {
        // clap's own `help` command would be the one English line left;
        // `COMMAND --help` says the same.
        command = command
            .subcommand_help_heading(leak(gettext("Commands")))
            .disable_help_subcommand(true);
        let names: Vec<String> = command
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        for name in names {
            command = command.mut_subcommand(name, translated);
        }
    }
    let has_version = command.get_version().is_some();
    command = command
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
            gettext("Usage:")
        ))
        .disable_help_flag(true)
        .arg(
            clap::Arg::new("help")
                .short('h')
                .long("help")
                .action(clap::ArgAction::Help)
                .help(gettext("Print help"))
                .help_heading(options),
        );
    if has_version {
        command = command.disable_version_flag(true).arg(
            clap::Arg::new("version")
                .short('V')
                .long("version")
                .action(clap::ArgAction::Version)
                .help(gettext("Print version"))
                .help_heading(options),
        );
    }
    command
}

const EXIT_CODES: &str = "Exit codes: 0 success; 1 playback error (with --exit-at-end); 2 bad command line; 3 could not start (no display, GStreamer missing). framescope check: 0 no finding is an error, 3 some finding is an error, 1 the input could not be read.";

pub use framescope::engine::parse_time;

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.0625..=16.0).contains(&r) => Ok(r),
        _ => Err(framescope::i18n::tr(
            "“{value}” is not a supported rate; use a number from 0.0625 to 16",
            &[("value", s)],
        )),
    }
}

fn parse_size(s: &str) -> Result<(i32, i32), String> {
    let bad = || {
        framescope::i18n::tr(
            "“{value}” is not a window size; use WIDTHxHEIGHT, e.g. 1280x720",
            &[("value", s)],
        )
    };
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

    #[test]
    fn every_help_text_is_listed() {
        use clap::CommandFactory;
        fn texts(command: &clap::Command, found: &mut Vec<String>) {
            found.extend(
                command
                    .get_about()
                    .into_iter()
                    .chain(command.get_long_about())
                    .chain(command.get_after_help())
                    .chain(command.get_arguments().filter_map(|a| a.get_help()))
                    .map(ToString::to_string),
            );
            for sub in command.get_subcommands() {
                texts(sub, found);
            }
        }
        let mut found = Vec::new();
        for command in [
            Options::command(),
            crate::app::inspect_cmd::command(),
            crate::app::snapshot_cmd::command(),
            crate::app::check_cmd::command(),
            crate::app::ctl_cmd::command(),
        ] {
            texts(&command, &mut found);
        }
        let missing: Vec<&String> = found
            .iter()
            .filter(|t| !HELP_TEXTS.contains(&t.as_str()))
            .collect();
        assert!(missing.is_empty(), "not in HELP_TEXTS: {missing:#?}");
        let help = translated(Options::command()).render_help().to_string();
        assert!(help.contains("Usage: framescope"), "{help}");
        assert!(
            help.contains("Options:") && help.contains("Arguments:"),
            "{help}"
        );
        assert!(
            help.contains("-h, --help") && help.contains("Print version"),
            "{help}"
        );
    }
}
