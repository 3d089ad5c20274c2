//! The manual page, `framescope(1)`, made from the command-line definitions
//! themselves (the player's options, `inspect`, `check`, `snapshot` and `ctl`), so it never
//! drifts from `--help`. `framescope --print-man-page` (hidden) writes it as
//! roff to stdout; `make install` installs it.

use super::cli::Options;
use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

/// What the page says under DESCRIPTION, after the one-line summary.
const DESCRIPTION: &str = "Framescope plays video and audio files and network streams (HTTP, HLS, DASH, RTSP, SRT, UDP, RTMP, HTTP-FLV) in a GTK 4 window, frame-exact: seeks land on the frame shown at the time asked, and steps go one frame forward or back. With no FILE or URI it plays an embedded demo clip. A second framescope with files hands them to the one already running.

The inspect, check and snapshot commands need no display: inspect prints the media facts of a file or URI (and with --frames every frame, with --gop the GOP structure), check lists faults in a file or an HLS or DASH stream (exit 3 when one is an error), snapshot exports the frame shown at a time as PNG. ctl drives a running player started with --control over D-Bus (play, pause, seek, step, rate, loop, tracks, snapshot, stats).";

/// Files the player reads and writes, as roff.
const FILES: &str = r#".SH FILES
.TP
\fI$XDG_CONFIG_HOME/framescope/preferences.toml\fR
Preferences (Ctrl+, in the app); the command line wins over them.
.TP
\fI$XDG_STATE_HOME/framescope/positions.json\fR
Where files were left, to resume them (not with \fB\-\-no\-resume\fR or \fB\-\-kiosk\fR).
.TP
\fI$XDG_CACHE_HOME/framescope/\fR
The demo clip, copied there at first use.
.SH ENVIRONMENT
.TP
\fBRUST_LOG\fR
Log filter, e.g. \fBframescope=debug\fR (logs go to stderr).
.TP
\fBFRAMESCOPE_PLAYBIN\fR
\fBplaybin3\fR or \fBplaybin\fR: overrides the engine's choice of GStreamer playback bin.
"#;

/// The player's command line, with the page's summary and description.
fn player_command() -> clap::Command {
    Options::command()
        .about("video player, playback widget and stream inspector")
        .long_about(DESCRIPTION)
}

/// The commands that are not the player: `inspect`, `check`, `snapshot`
/// and `ctl`.
fn subcommands() -> [clap::Command; 4] {
    [
        super::inspect_cmd::command()
            .name("inspect")
            .bin_name("framescope inspect"),
        super::check_cmd::command()
            .name("check")
            .bin_name("framescope check"),
        super::snapshot_cmd::command()
            .name("snapshot")
            .bin_name("framescope snapshot"),
        super::ctl_cmd::command()
            .name("ctl")
            .bin_name("framescope ctl"),
    ]
}

/// Renders one section of `man` without its heading (the `.SH` line and
/// the string definitions clap_mangen puts before each section).
fn section_body(
    man: &clap_mangen::Man,
    render: fn(&clap_mangen::Man, &mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    render(man, &mut out)?;
    let text = String::from_utf8_lossy(&out);
    let body = match text.find(".SH ") {
        Some(at) => text[at..].split_once('\n').map_or("", |(_, body)| body),
        None => &text,
    };
    Ok(body.as_bytes().to_vec())
}

/// The page, as roff.
pub fn render() -> std::io::Result<Vec<u8>> {
    let mut player = player_command();
    player.build();
    let main = clap_mangen::Man::new(player);
    let subs: Vec<clap_mangen::Man> = subcommands()
        .into_iter()
        .map(|mut sub| {
            sub.build();
            clap_mangen::Man::new(sub)
        })
        .collect();
    let mut out = Vec::new();
    main.render_title(&mut out)?;
    main.render_name_section(&mut out)?;
    main.render_synopsis_section(&mut out)?;
    for man in &subs {
        out.extend_from_slice(b".br\n");
        out.extend(section_body(
            man,
            clap_mangen::Man::render_synopsis_section,
        )?);
    }
    main.render_description_section(&mut out)?;
    main.render_options_section(&mut out)?;
    out.extend_from_slice(b".SH COMMANDS\n");
    for (man, sub) in subs.iter().zip(subcommands()) {
        writeln!(out, ".SS {}", sub.get_name())?;
        out.extend(section_body(
            man,
            clap_mangen::Man::render_synopsis_section,
        )?);
        out.extend_from_slice(b".PP\n");
        out.extend(section_body(
            man,
            clap_mangen::Man::render_description_section,
        )?);
        out.extend(section_body(man, clap_mangen::Man::render_options_section)?);
    }
    out.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    out.extend(section_body(&main, clap_mangen::Man::render_extra_section)?);
    out.extend_from_slice(FILES.as_bytes());
    out.extend_from_slice(b".SH \"SEE ALSO\"\n\\fBgst\\-launch\\-1.0\\fR(1), \\fBffprobe\\fR(1)\n");
    main.render_version_section(&mut out)?;
    Ok(out)
}

/// `framescope --print-man-page`: the page on stdout.
pub fn print() -> ExitCode {
    let written = render().and_then(|page| std::io::stdout().lock().write_all(&page));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("framescope: the manual page could not be written ({e}).");
            ExitCode::FAILURE
        }
    }
}
