//! What a bad command line gets told, in the user's language: clap's error
//! as one sentence (`framescope: …`), read from the error's context
//! (`clap::Error::get`), then a line saying where the help is. clap's own
//! wording is English only, so every kind of error that a person meets
//! has its own translatable sentence here, and any other kind a general
//! one naming the argument. The exit code is the caller's: 2.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use framescope::i18n::tr;

/// The message for a bad command line of `command` (`framescope`,
/// `framescope inspect`, …): the sentence, then the help hint, each on a
/// line of its own.
pub fn message(e: &clap::Error, command: &str) -> String {
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        // The help itself, as `--help` shows it.
        return e.to_string();
    }
    format!(
        "framescope: {}\n{}\n",
        sentence(e, command),
        tr(
            "For the options, see `{command} --help`.",
            &[("command", &help_command(e, command))]
        )
    )
}

/// A context value as text: a list joined with commas.
fn text(e: &clap::Error, kind: ContextKind) -> Option<String> {
    let value = match e.get(kind)? {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(list) => list.join(", "),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(list) => list
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        ContextValue::Number(n) => n.to_string(),
        _ => return None,
    };
    (!value.is_empty()).then_some(value)
}

/// The items of a context value that is a list (or one item).
fn items(e: &clap::Error, kind: ContextKind) -> Vec<String> {
    match e.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(list)) => list.clone(),
        _ => Vec::new(),
    }
}

/// An argument as a person writes it: `--at <TIME>` as `--at TIME`,
/// `[FILE|URI]...` as `FILE|URI`.
fn plain(arg: &str) -> String {
    arg.trim_end_matches("...")
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '[' | ']'))
        .collect()
}

/// The option of an argument as clap names it (`--start <TIME>`):
/// `--start`; a positional argument (`<FILE|URI>`) stays as it is.
fn option_of(arg: &str) -> &str {
    if arg.starts_with('-') {
        arg.split_whitespace().next().unwrap_or(arg)
    } else {
        arg
    }
}

/// The command whose help fits the error: a command below `command` (the
/// `seek` of `framescope ctl seek`) when clap's usage line names one.
fn help_command(e: &clap::Error, command: &str) -> String {
    let Some(usage) = text(e, ContextKind::Usage) else {
        return command.to_string();
    };
    let usage = usage.trim_start();
    let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim_start();
    let Some(rest) = usage.strip_prefix(command) else {
        return command.to_string();
    };
    let mut found = command.to_string();
    for word in rest.split_whitespace() {
        let is_name = word.starts_with(|c: char| c.is_ascii_lowercase())
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !is_name {
            break;
        }
        found.push(' ');
        found.push_str(word);
    }
    found
}

/// The one sentence saying what is wrong.
fn sentence(e: &clap::Error, command: &str) -> String {
    let arg = text(e, ContextKind::InvalidArg);
    let option = arg
        .as_deref()
        .map(option_of)
        .unwrap_or_default()
        .to_string();
    let value = text(e, ContextKind::InvalidValue);
    match e.kind() {
        ErrorKind::UnknownArgument => unknown_argument(e, arg.as_deref().unwrap_or_default()),
        ErrorKind::InvalidValue => match value {
            None => match arg.as_deref().and_then(|a| a.split_once(' ')) {
                Some((_, name)) => tr(
                    "{option} needs a value: {value}.",
                    &[("option", &option), ("value", &plain(name.trim()))],
                ),
                None => tr("{option} needs a value.", &[("option", &option)]),
            },
            Some(value) => {
                let accepted = text(e, ContextKind::ValidValue).unwrap_or_default();
                match text(e, ContextKind::SuggestedValue) {
                    Some(suggested) => tr(
                        "{option}: “{value}” is not accepted; use one of {accepted} (perhaps “{suggested}”).",
                        &[
                            ("option", &option),
                            ("value", &value),
                            ("accepted", &accepted),
                            ("suggested", &suggested),
                        ],
                    ),
                    None if accepted.is_empty() => tr(
                        "{option}: “{value}” is not accepted.",
                        &[("option", &option), ("value", &value)],
                    ),
                    None => tr(
                        "{option}: “{value}” is not accepted; use one of {accepted}.",
                        &[("option", &option), ("value", &value), ("accepted", &accepted)],
                    ),
                }
            }
        },
        ErrorKind::ValueValidation => {
            // The value parser's own sentence (translated where it is made).
            match std::error::Error::source(e).map(ToString::to_string) {
                Some(reason) => tr(
                    "{option}: {reason}.",
                    &[
                        ("option", &option),
                        ("reason", reason.trim_end_matches('.')),
                    ],
                ),
                None => tr(
                    "{option}: “{value}” is not accepted.",
                    &[
                        ("option", &option),
                        ("value", value.as_deref().unwrap_or_default()),
                    ],
                ),
            }
        }
        ErrorKind::MissingRequiredArgument => {
            let what: Vec<String> = items(e, ContextKind::InvalidArg)
                .iter()
                .map(|a| plain(a))
                .collect();
            tr(
                "{command} needs {what}.",
                &[
                    ("command", &help_command(e, command)),
                    ("what", &what.join(", ")),
                ],
            )
        }
        ErrorKind::MissingSubcommand => tr(
            "{command} needs a command: one of {commands}.",
            &[
                ("command", &help_command(e, command)),
                (
                    "commands",
                    &text(e, ContextKind::ValidSubcommand).unwrap_or_default(),
                ),
            ],
        ),
        ErrorKind::InvalidSubcommand => {
            let name = text(e, ContextKind::InvalidSubcommand).unwrap_or_default();
            // clap lists the closest last.
            match items(e, ContextKind::SuggestedSubcommand).pop() {
                Some(suggested) => tr(
                    "“{name}” is not a command of {command}; perhaps you meant “{suggested}”.",
                    &[
                        ("name", &name),
                        ("command", command),
                        ("suggested", &suggested),
                    ],
                ),
                None => tr(
                    "“{name}” is not a command of {command}.",
                    &[("name", &name), ("command", command)],
                ),
            }
        }
        ErrorKind::TooManyValues => tr(
            "{option} takes no more values; “{value}” is one too many.",
            &[
                ("option", &option),
                ("value", value.as_deref().unwrap_or_default()),
            ],
        ),
        ErrorKind::ArgumentConflict => {
            let prior = items(e, ContextKind::PriorArg);
            let subcommand = text(e, ContextKind::InvalidSubcommand);
            let what = arg.clone().or(subcommand).unwrap_or_default();
            let what = plain(option_of(&what));
            let others: Vec<String> = prior.iter().map(|p| plain(option_of(p))).collect();
            if others.is_empty() {
                tr(
                    "{option} cannot be used with the other options given.",
                    &[("option", &what)],
                )
            } else if others == [what.clone()] {
                tr("{option} may be given only once.", &[("option", &what)])
            } else {
                tr(
                    "{option} cannot be used with {other}.",
                    &[("option", &what), ("other", &others.join(", "))],
                )
            }
        }
        ErrorKind::InvalidUtf8 => tr(
            "a value on the command line is not valid UTF-8; give it as UTF-8 text.",
            &[],
        ),
        _ => match arg {
            Some(_) => tr(
                "the command line could not be read at {option}.",
                &[("option", &option)],
            ),
            None => tr("the command line could not be read.", &[]),
        },
    }
}

/// An option that does not exist, or a value where none is taken, with
/// clap's suggestion when it has one.
fn unknown_argument(e: &clap::Error, arg: &str) -> String {
    if let Some(suggested) = text(e, ContextKind::SuggestedArg) {
        return tr(
            "there is no option “{arg}”; perhaps you meant “{suggested}”.",
            &[("arg", arg), ("suggested", &suggested)],
        );
    }
    // clap suggests `-- ARG` for a value that looks like an option.
    let as_value =
        text(e, ContextKind::Suggested).is_some_and(|s| s.contains(&format!("-- {arg}")));
    if as_value {
        tr(
            "there is no option “{arg}”; to pass it as a value, write “-- {arg}”.",
            &[("arg", arg)],
        )
    } else if arg.starts_with('-') {
        tr("there is no option “{arg}”.", &[("arg", arg)])
    } else {
        tr("“{arg}” is one value too many here.", &[("arg", arg)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn error(args: &[&str]) -> clap::Error {
        crate::app::cli::Options::try_parse_from(args).unwrap_err()
    }

    #[test]
    fn each_error_is_one_sentence_and_a_hint() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["framescope", "--bogus"],
                "there is no option “--bogus”; to pass it as a value, write “-- --bogus”.",
            ),
            (
                &["framescope", "--loob"],
                "there is no option “--loob”; perhaps you meant “--loop”.",
            ),
            (&["framescope", "--start"], "--start needs a value: TIME."),
            (
                &["framescope", "--rate", "0"],
                "--rate: “0” is not a supported rate; use a number from 0.0625 to 16.",
            ),
            (
                &["framescope", "--pipeline", "videotestsrc", "a.mp4"],
                "--pipeline cannot be used with FILE|URI.",
            ),
            (
                &["framescope", "--mute", "--mute"],
                "--mute may be given only once.",
            ),
        ];
        for (args, want) in cases {
            let said = message(&error(args), "framescope");
            assert_eq!(
                said,
                format!("framescope: {want}\nFor the options, see `framescope --help`.\n"),
                "{args:?}"
            );
        }
    }

    #[test]
    fn accepted_values_and_missing_arguments_are_named() {
        let e = clap::Command::new("framescope x")
            .arg(clap::Arg::new("mode").long("mode").value_parser(["a", "b"]))
            .arg(clap::Arg::new("file").required(true))
            .try_get_matches_from(["x", "--mode", "c", "f"])
            .unwrap_err();
        assert_eq!(
            sentence(&e, "framescope x"),
            "--mode: “c” is not accepted; use one of a, b."
        );
        let e = crate::app::inspect_cmd::command()
            .try_get_matches_from(["inspect"])
            .unwrap_err();
        assert_eq!(
            sentence(&e, "framescope inspect"),
            "framescope inspect needs FILE|URI."
        );
    }
}
