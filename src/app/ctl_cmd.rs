//! `framescope ctl COMMAND [ARGS]`: drives a running Framescope over the
//! D-Bus session bus through its remote-control interface
//! (`framescope::control`, offered with `--control`). It finds the one
//! player offering it (or the one `--instance`/`--name` names), makes one
//! call and prints one line, or JSON. Exit codes: 0 done, 1 the call failed
//! or no player answers (one sentence on stderr), 2 bad command line.

use clap::{Parser, Subcommand};
use framescope::control::{BUS_NAME_PREFIX, INTERFACE, OBJECT_PATH};
use framescope::engine::parse_time;
use framescope::i18n::{gettext, tr};
use gtk::prelude::*;
use gtk::{gio, glib};
use std::process::ExitCode;

/// Drives a running Framescope (started with --control) over D-Bus.
#[derive(Debug, Parser)]
#[command(name = "framescope ctl", bin_name = "framescope ctl", after_help = EXIT_CODES)]
struct CtlOptions {
    /// The player to drive, by its process id (needed when several run).
    #[arg(long, value_name = "PID", conflicts_with = "name")]
    instance: Option<u32>,
    /// The player to drive, by its bus name (org.framescope.Framescope.…).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    #[command(subcommand)]
    command: Command,
}

const EXIT_CODES: &str =
    "Exit codes: 0 done; 1 the call failed or no player answers; 2 bad command line.";

#[derive(Debug, Subcommand)]
enum Command {
    /// Play.
    Play,
    /// Pause.
    Pause,
    /// Play if paused, pause if playing.
    Toggle,
    /// Stop.
    Stop,
    /// Go to the next item of the queue.
    Next,
    /// Go to the previous item of the queue.
    Previous,
    /// Seek to TIME (seconds, or [HH:]MM:SS[.mmm]).
    Seek {
        #[arg(value_name = "TIME", value_parser = parse_time)]
        time: u64,
        /// How the seek lands: accurate, keyframe, snap-before or snap-after (default: the player's seek mode, accurate).
        #[arg(
            long,
            hide_possible_values = true,
            value_parser = ["accurate", "keyframe", "snap-before", "snap-after"]
        )]
        mode: Option<String>,
    },
    /// Step N frames: forward when positive, backward when negative (-1).
    Step {
        #[arg(value_name = "N", allow_negative_numbers = true)]
        frames: i32,
    },
    /// Set the playback rate (0.0625 to 16; negative plays backwards).
    Rate {
        #[arg(value_name = "R", allow_negative_numbers = true)]
        rate: f64,
    },
    /// Set the volume (0 to 1).
    Volume {
        #[arg(value_name = "V", allow_negative_numbers = true)]
        volume: f64,
    },
    /// Replace the queue with FILE|URI and play it.
    Open {
        #[arg(value_name = "FILE|URI")]
        uri: String,
    },
    /// Add FILE|URI… to the end of the queue.
    Queue {
        #[arg(value_name = "FILE|URI", required = true)]
        uris: Vec<String>,
    },
    /// Loop from A to B (times as for seek), or `loop off`.
    Loop {
        #[arg(value_name = "A|off")]
        a: String,
        #[arg(value_name = "B")]
        b: Option<String>,
    },
    /// Play track INDEX (from 0) of KIND (video, audio, subtitle); `off`
    /// turns subtitles off.
    Track {
        #[arg(value_name = "KIND")]
        kind: String,
        #[arg(value_name = "INDEX|off", allow_negative_numbers = true)]
        index: String,
    },
    /// List the tracks as JSON.
    Tracks,
    /// Show a subtitle file with the media playing.
    Subtitle {
        #[arg(value_name = "FILE")]
        file: String,
    },
    /// Save the frame on screen as a PNG file at full size.
    Snapshot {
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
    },
    /// Print playback statistics (with --json: the JSON --stats-json writes).
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Print the player's state (playing, paused, …).
    State,
}

/// The command line of `ctl`, for the manual page.
pub fn command() -> clap::Command {
    <CtlOptions as clap::CommandFactory>::command()
}

/// What went wrong, as the sentence to print (exit 1) or a bad command line
/// (exit 2).
enum Failure {
    Call(String),
    Usage(String),
}

/// Runs the subcommand with `args` (its name first).
pub fn run(args: Vec<std::ffi::OsString>) -> ExitCode {
    let options = match super::parse_subcommand::<CtlOptions>(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    match drive(&options) {
        Ok(output) => {
            if !output.is_empty() {
                use std::io::Write;
                // A closed pipe (`| head`) is not an error of the call.
                let _ = writeln!(std::io::stdout(), "{output}");
            }
            ExitCode::SUCCESS
        }
        Err(Failure::Call(message)) => {
            eprintln!("framescope ctl: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("framescope ctl: {message}");
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}

/// The sentence for "nobody answers", in the user's language.
fn no_player() -> String {
    gettext("No Framescope player with remote control is running; start one with --control.")
}

/// The bus name of the player to drive.
fn find_player(connection: &gio::DBusConnection, options: &CtlOptions) -> Result<String, Failure> {
    let wanted = match (&options.name, options.instance) {
        (Some(name), _) => Some(name.clone()),
        (None, Some(pid)) => Some(format!("{BUS_NAME_PREFIX}instance{pid}")),
        (None, None) => None,
    };
    let names = connection
        .call_sync(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "ListNames",
            None,
            Some(glib::VariantTy::new("(as)").expect("a valid type")),
            gio::DBusCallFlags::NONE,
            5000,
            None::<&gio::Cancellable>,
        )
        .ok()
        .and_then(|v| v.get::<(Vec<String>,)>())
        .map(|(names,)| names)
        .unwrap_or_default();
    let players: Vec<String> = names
        .into_iter()
        .filter(|n| n.starts_with(BUS_NAME_PREFIX))
        .collect();
    match wanted {
        Some(name) if players.contains(&name) => Ok(name),
        Some(name) => Err(Failure::Call(tr(
            "No Framescope player with remote control answers as {name}; check the name, or start one with --control.",
            &[("name", &name)],
        ))),
        None => match players.as_slice() {
            [] => Err(Failure::Call(no_player())),
            [one] => Ok(one.clone()),
            several => Err(Failure::Call(tr(
                "{count} Framescope players are running ({names}); choose one with --instance PID or --name NAME.",
                &[
                    ("count", &several.len().to_string()),
                    ("names", &several.join(", ")),
                ],
            ))),
        },
    }
}

/// A path or URI as the player (another process, another folder) needs
/// it: URIs as they are, paths made absolute.
fn absolute(item: &str) -> Result<String, Failure> {
    if item.contains("://") {
        return Ok(item.to_string());
    }
    std::path::absolute(item)
        .map(|p| p.display().to_string())
        .map_err(|e| {
            Failure::Usage(tr(
                "“{item}” is not a usable path ({error}).",
                &[("item", item), ("error", &e.to_string())],
            ))
        })
}

fn seconds(ns: u64) -> f64 {
    ns as f64 / 1e9
}

fn time_arg(s: &str) -> Result<f64, Failure> {
    parse_time(s).map(seconds).map_err(Failure::Usage)
}

fn drive(options: &CtlOptions) -> Result<String, Failure> {
    let connection =
        gio::bus_get_sync(gio::BusType::Session, None::<&gio::Cancellable>).map_err(|e| {
            Failure::Call(tr(
                "No Framescope player can be reached: there is no D-Bus session bus ({error}).",
                &[("error", &e.to_string())],
            ))
        })?;
    let name = find_player(&connection, options)?;
    let call = |method: &str, args: Option<glib::Variant>| -> Result<glib::Variant, Failure> {
        connection
            .call_sync(
                Some(&name),
                OBJECT_PATH,
                INTERFACE,
                method,
                args.as_ref(),
                None,
                gio::DBusCallFlags::NONE,
                60_000,
                None::<&gio::Cancellable>,
            )
            .map_err(|mut e| {
                gio::DBusError::strip_remote_error(&mut e);
                Failure::Call(e.message().to_string())
            })
    };
    let get = |property: &str| -> Result<glib::Variant, Failure> {
        connection
            .call_sync(
                Some(&name),
                OBJECT_PATH,
                "org.freedesktop.DBus.Properties",
                "Get",
                Some(&(INTERFACE, property).to_variant()),
                Some(glib::VariantTy::new("(v)").expect("a valid type")),
                gio::DBusCallFlags::NONE,
                10_000,
                None::<&gio::Cancellable>,
            )
            .map(|v| v.child_value(0).as_variant().unwrap_or(v))
            .map_err(|mut e| {
                gio::DBusError::strip_remote_error(&mut e);
                Failure::Call(e.message().to_string())
            })
    };
    let none =
        |method: &str, args: Option<glib::Variant>| call(method, args).map(|_| String::new());
    match &options.command {
        Command::Play => none("Play", None),
        Command::Pause => none("Pause", None),
        Command::Toggle => none("TogglePlay", None),
        Command::Stop => none("Stop", None),
        Command::Next | Command::Previous => {
            let next = matches!(options.command, Command::Next);
            let moved = call(if next { "Next" } else { "Previous" }, None)?
                .get::<(bool,)>()
                .is_some_and(|(m,)| m);
            if moved {
                Ok(String::new())
            } else {
                Err(Failure::Call(if next {
                    gettext("There is no next item in the queue.")
                } else {
                    gettext("There is no previous item in the queue.")
                }))
            }
        }
        Command::Seek { time, mode } => none(
            "Seek",
            Some((seconds(*time), mode.clone().unwrap_or_default()).to_variant()),
        ),
        Command::Step { frames } => none("Step", Some((*frames,).to_variant())),
        Command::Rate { rate } => none("SetRate", Some((*rate,).to_variant())),
        Command::Volume { volume } => none("SetVolume", Some((*volume,).to_variant())),
        Command::Open { uri } => none("Open", Some((absolute(uri)?,).to_variant())),
        Command::Queue { uris } => {
            let uris = uris
                .iter()
                .map(|u| absolute(u))
                .collect::<Result<Vec<_>, _>>()?;
            none("Queue", Some((uris,).to_variant()))
        }
        Command::Loop { a, b } => match (a.as_str(), b) {
            ("off", None) => none("ClearLoop", None),
            (a, Some(b)) => none("SetLoop", Some((time_arg(a)?, time_arg(b)?).to_variant())),
            (_, None) => Err(Failure::Usage(gettext(
                "loop takes two times, A and B (e.g. loop 1.0 2.5), or off.",
            ))),
        },
        Command::Track { kind, index } => {
            let index = match index.as_str() {
                "off" => -1,
                n => n.parse::<i32>().map_err(|_| {
                    Failure::Usage(tr(
                        "“{value}” is not a track number; give a number from 0, or off.",
                        &[("value", n)],
                    ))
                })?,
            };
            none("SelectTrack", Some((kind.as_str(), index).to_variant()))
        }
        Command::Tracks => Ok(call("Tracks", None)?
            .get::<(String,)>()
            .map(|(j,)| j)
            .unwrap_or_default()),
        Command::Subtitle { file } => {
            none("SetSubtitleFile", Some((absolute(file)?,).to_variant()))
        }
        Command::Snapshot { file } => {
            let file = std::path::absolute(file).map_err(|e| {
                Failure::Usage(tr(
                    "The snapshot path is not usable ({error}).",
                    &[("error", &e.to_string())],
                ))
            })?;
            let (w, h, pts) = call("Snapshot", Some((file.display().to_string(),).to_variant()))?
                .get::<(u32, u32, f64)>()
                .unwrap_or_default();
            Ok(tr(
                "{file} ({width}x{height}, frame at {seconds} s)",
                &[
                    ("file", &file.display().to_string()),
                    ("width", &w.to_string()),
                    ("height", &h.to_string()),
                    ("seconds", &format!("{pts:.3}")),
                ],
            ))
        }
        Command::Stats { json } => {
            let text = call("Stats", None)?
                .get::<(String,)>()
                .map(|(j,)| j)
                .unwrap_or_default();
            if *json {
                return Ok(text);
            }
            let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let num = |key: &str| value.get(key).and_then(|v| v.as_f64());
            // The state stays the API's word (playing, paused, …), as
            // `ctl state` prints it.
            Ok(tr(
                "{state} at {position} s, rate {rate}, {rendered} frames rendered, {dropped} dropped",
                &[
                    (
                        "state",
                        value
                            .get("state")
                            .and_then(|v| v.as_str())
                            .unwrap_or("unknown"),
                    ),
                    ("position", &format!("{:.3}", num("position_s").unwrap_or(0.0))),
                    ("rate", &num("rate").unwrap_or(1.0).to_string()),
                    ("rendered", &num("rendered").unwrap_or(0.0).to_string()),
                    ("dropped", &num("dropped").unwrap_or(0.0).to_string()),
                ],
            ))
        }
        Command::State => Ok(get("State")?.get::<String>().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<CtlOptions, clap::Error> {
        CtlOptions::try_parse_from(std::iter::once("ctl").chain(args.iter().copied()))
    }

    #[test]
    fn negative_numbers_are_values_not_options() {
        assert!(matches!(
            parse(&["step", "-1"]).unwrap().command,
            Command::Step { frames: -1 }
        ));
        assert!(matches!(
            parse(&["rate", "-2"]).unwrap().command,
            Command::Rate { rate } if rate == -2.0
        ));
        assert!(matches!(
            parse(&["--instance", "42", "seek", "1:00", "--mode", "keyframe"])
                .unwrap()
                .command,
            Command::Seek {
                time: 60_000_000_000,
                ..
            }
        ));
        assert!(parse(&["seek", "1", "--mode", "fast"]).is_err());
        assert!(parse(&["seek", "-1"]).is_err());
        assert!(parse(&["step"]).is_err());
        assert!(parse(&["step", "one"]).is_err());
        assert!(parse(&["queue"]).is_err());
        assert!(parse(&["--instance", "1", "--name", "x", "state"]).is_err());
        assert!(matches!(
            parse(&["track", "subtitle", "off"]).unwrap().command,
            Command::Track { .. }
        ));
    }
}
