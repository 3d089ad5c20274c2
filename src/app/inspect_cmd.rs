//! `framescope inspect [--json] FILE|URI`: the headless media report.
//! Human-readable by default; `--json` prints the documented JSON shape, and
//! errors as `{"error": {"kind": …, "message": …}}`, with exit code 1.

use clap::Parser;
use framescope::engine::to_uri;
use framescope::inspect::{inspect, to_text};
use std::process::ExitCode;

/// Prints the media facts of a file or URI (no display needed).
#[derive(Debug, Parser)]
#[command(name = "framescope inspect")]
struct InspectOptions {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// The file or URI to inspect.
    #[arg(value_name = "FILE|URI")]
    input: String,
}

/// Runs the subcommand with `args` (program name first).
pub fn run(args: Vec<String>) -> ExitCode {
    let options = match super::parse_subcommand::<InspectOptions>(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    match inspect(&to_uri(&options.input)) {
        Ok(report) if options.json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Ok(report) => {
            print!("{}", to_text(&report));
            ExitCode::SUCCESS
        }
        Err(e) if options.json => {
            let json = serde_json::json!({"error": {"kind": e.kind.nick(), "message": e.message}});
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("framescope: {}", e.message);
            ExitCode::from(1)
        }
    }
}
