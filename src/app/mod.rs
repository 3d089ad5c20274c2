//! The desktop application: command-line handling, start-up checks and the
//! main window. Everything here sits on top of `framescope::widget` and
//! `framescope::engine`; nothing in the library depends on it.

mod application;
mod check_cmd;
pub mod cli;
mod credentials;
mod ctl_cmd;
mod demo;
mod files;
mod gl_choice;
mod inspect_cmd;
mod kiosk;
mod logging;
mod manpage;
mod preferences;
mod resume;
mod screensaver;
mod screenshot;
mod shortcuts;
mod snapshot_cmd;
mod track_menu;
mod usage;
mod window;
mod worker;

use clap::Parser;
use cli::Options;
use framescope::engine::{to_uri, Player, VideoMode};
use gtk::prelude::*;
use std::cell::{Cell, RefCell};
use std::ffi::OsString;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Exit code for a bad command line.
pub const EXIT_USAGE: u8 = 2;
/// Exit code when the player cannot start at all (no display, no GStreamer).
pub const EXIT_STARTUP: u8 = 3;

/// Parses a subcommand's options; on `--help` or a bad command line the
/// message is printed and the exit code returned.
pub fn parse_subcommand<T: Parser>(args: Vec<OsString>) -> Result<T, ExitCode> {
    let command = T::command();
    let name = command.get_name().to_string();
    cli::translated(command)
        .try_get_matches_from(args)
        .and_then(|m| T::from_arg_matches(&m))
        .map_err(|e| print_usage_error(&e, &name))
}

/// What a bad command line of `command` (`framescope`, `framescope
/// inspect`, …) gets told: one sentence in the user's language and where
/// the help is (see [`usage`]).
pub fn usage_message(e: &clap::Error, command: &str) -> String {
    usage::message(e, command)
}

/// Prints the message of a bad command line (or `--help`, `--version`)
/// and returns the exit code: 2 for a bad command line, 0 for help.
fn print_usage_error(e: &clap::Error, command: &str) -> ExitCode {
    if e.use_stderr() {
        eprint!("{}", usage_message(e, command));
        ExitCode::from(EXIT_USAGE)
    } else {
        let _ = e.print();
        ExitCode::SUCCESS
    }
}

/// How long the app waits at exit for its pipelines to stop: one stuck for
/// good (a source that ignores being stopped) cannot hold the exit longer.
const STOP_PIPELINES_WITHIN: Duration = Duration::from_secs(3);

/// Where a signal that ends the app finds it.
#[derive(Default)]
struct QuitOnSignal {
    /// The application, once made.
    app: RefCell<Option<glib::WeakRef<gtk::Application>>>,
    /// A signal came: a window not made yet is not made (shared with the
    /// application once it is made).
    requested: RefCell<Option<Rc<Cell<bool>>>>,
    /// A signal came before the application was made.
    early: Cell<bool>,
}

/// SIGINT, SIGTERM and SIGHUP close the windows as a person would and quit,
/// so playback stops, resume positions and statistics are written, and the
/// exit code is the usual one (0), never death by the signal. GLib takes
/// the signals (from here on, for the whole run) and calls back on the main
/// loop; one that comes before the main loop runs is acted on as it starts.
fn quit_on_signals() -> Rc<QuitOnSignal> {
    let quit = Rc::new(QuitOnSignal::default());
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let quit = quit.clone();
        glib::unix_signal_add_local(signal, move || {
            tracing::info!(signal, "ending on a signal");
            quit.early.set(true);
            if let Some(requested) = quit.requested.borrow().as_ref() {
                requested.set(true);
            }
            let app = quit.app.borrow().as_ref().and_then(|app| app.upgrade());
            if let Some(app) = app {
                for window in app.windows() {
                    window.close();
                }
                app.quit();
            }
            glib::ControlFlow::Continue
        });
    }
    quit
}

/// Runs the main loop until every pipeline let go is stopped and released
/// (the video sink finishes its shutdown on this loop), for `limit` at most.
/// Warns about a pipeline still held (a player that outlived its window)
/// or still stopping when the time is up.
fn stop_pipelines(limit: Duration) {
    let context = glib::MainContext::default();
    let start = Instant::now();
    while framescope::engine::pending_shutdowns() > 0 && start.elapsed() < limit {
        // Never block for long: a timeout source wakes the loop.
        let wake = glib::timeout_source_new(
            Duration::from_millis(20),
            None,
            glib::Priority::DEFAULT,
            || glib::ControlFlow::Break,
        );
        wake.attach(Some(&context));
        context.iteration(true);
        wake.destroy();
    }
    let (held, stopping) = (
        framescope::engine::pipelines_in_use(),
        framescope::engine::pending_shutdowns(),
    );
    if held > 0 {
        tracing::warn!("{held} pipeline(s) still running at exit: a player outlived its window");
    }
    if stopping > 0 {
        tracing::warn!(
            "{stopping} pipeline(s) did not stop within {} s; exiting anyway",
            limit.as_secs()
        );
    }
}

/// Prints `text` on the standard output (or, with `to_stderr`, error) of
/// the run whose command line this is, which may be another process.
/// (GLib's `_literal` variants need 2.80; Debian 12 has 2.74.)
pub(crate) fn tell_caller(command_line: &gio::ApplicationCommandLine, text: &str, to_stderr: bool) {
    use glib::translate::ToGlibPtr;
    let Ok(text) = std::ffi::CString::new(text.replace('\0', "")) else {
        return;
    };
    let cmdline: *mut gio::ffi::GApplicationCommandLine = command_line.to_glib_none().0;
    // SAFETY: a valid command line object; "%s" takes exactly the one
    // NUL-terminated string passed, which outlives the call.
    unsafe {
        if to_stderr {
            gio::ffi::g_application_command_line_printerr(cmdline, c"%s".as_ptr(), text.as_ptr());
        } else {
            gio::ffi::g_application_command_line_print(cmdline, c"%s".as_ptr(), text.as_ptr());
        }
    }
}

/// When [`run`] began, for the time to the first frame where the kernel's
/// start time of the process cannot be read.
static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// How long ago the process started: from the kernel's start time of the
/// process (`/proc/self/stat`, in clock ticks after boot; loading the
/// shared libraries, tens of milliseconds cold, counts too), else from
/// when [`run`] began.
pub(crate) fn since_start() -> Duration {
    process_age().unwrap_or_else(|| STARTED.get_or_init(Instant::now).elapsed())
}

fn process_age() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command's closing parenthesis; start time is
    // the 22nd field of the line, the 20th after it.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let ticks: u64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    // SAFETY: sysconf only reads a system constant.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let per_second = u64::try_from(per_second).ok().filter(|&t| t > 0)?;
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the time into `now`, which lives here.
    if unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut now) } != 0 {
        return None;
    }
    let now = Duration::new(u64::try_from(now.tv_sec).ok()?, now.tv_nsec as u32);
    let started = Duration::from_secs_f64(ticks as f64 / per_second as f64);
    now.checked_sub(started)
}

/// Runs the player with the process's command line.
pub fn run() -> ExitCode {
    STARTED.get_or_init(Instant::now);
    // The user's language for messages (GTK would set it later; the
    // headless commands need it too), then the text domain.
    // SAFETY: called first thing, before any other thread exists.
    unsafe { libc::setlocale(libc::LC_ALL, c"".as_ptr()) };
    framescope::i18n::init();
    logging::init();
    // `args_os`: a file name need not be UTF-8 (`std::env::args` panics on
    // one); such names become `file://` URIs below.
    let args: Vec<OsString> = std::env::args_os().collect();
    match args.get(1).and_then(|a| a.to_str()) {
        Some("inspect") => return inspect_cmd::run(args[1..].to_vec()),
        Some("snapshot") => return snapshot_cmd::run(args[1..].to_vec()),
        Some("check") => return check_cmd::run(args[1..].to_vec()),
        Some("ctl") => return ctl_cmd::run(args[1..].to_vec()),
        _ => {}
    }
    let parsed = cli::translated(<Options as clap::CommandFactory>::command())
        .try_get_matches_from(&args)
        .and_then(|m| <Options as clap::FromArgMatches>::from_arg_matches(&m).map(|o| (o, m)));
    let (mut options, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return print_usage_error(&e, "framescope"),
    };
    if options.print_man_page {
        return manpage::print();
    }
    // From here on a signal never kills the app (see `quit_on_signals`).
    let signalled = quit_on_signals();
    // The preferences file, where the command line says nothing.
    let prefs_path = preferences::default_path();
    let prefs = preferences::Preferences::load(&prefs_path);
    let from_command_line =
        |id: &str| matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine);
    if !from_command_line("video_path") {
        options.video_path = prefs.video_mode().unwrap_or(VideoMode::Auto);
    }
    if !prefs.resume {
        options.no_resume = true;
    }
    if let Err(e) = framescope::engine::init() {
        eprintln!("framescope: {}", framescope::i18n::tr("GStreamer could not be initialised ({error}); install gstreamer1.0-plugins-base and try again.", &[("error", &e.to_string())]));
        return ExitCode::from(EXIT_STARTUP);
    }
    // A custom pipeline is checked before anything starts: a fault in it is
    // a bad command line.
    let custom = match options
        .pipeline
        .as_deref()
        .map(framescope::engine::pipeline_uri)
    {
        Some(Err(e)) => {
            eprintln!("framescope: --pipeline: {}", e.message);
            return ExitCode::from(EXIT_USAGE);
        }
        Some(Ok(uri)) => Some(uri),
        None => None,
    };
    let inputs = if let Some(uri) = custom {
        vec![uri]
    } else if options.inputs.is_empty() {
        match demo::demo_clip() {
            Ok(path) => vec![path.display().to_string()],
            Err(e) => {
                eprintln!("framescope: {}", framescope::i18n::tr("the demo clip could not be prepared ({error}); pass a file to play instead.", &[("error", &format!("{e:#}"))]));
                return ExitCode::from(EXIT_STARTUP);
            }
        }
    } else {
        // UTF-8 names and URIs as given; other names as `file://` URIs.
        options
            .inputs
            .iter()
            .map(|input| match input.to_str() {
                Some(text) => text.to_string(),
                None => framescope::engine::os_to_uri(input),
            })
            .collect()
    };
    if options.print_pipeline {
        let player = Player::new();
        player.set_video_mode(options.video_path);
        player.set_audio_enabled(!options.no_audio);
        match options.pipeline.as_deref() {
            Some(description) => println!("{}", player.describe_custom_pipeline(description)),
            None => {
                for input in &inputs {
                    println!("{}", player.describe_pipeline(&to_uri(input)));
                }
            }
        }
        return ExitCode::SUCCESS;
    }
    gl_choice::choose(options.video_path);
    if let Err(e) = gtk::init() {
        eprintln!("framescope: {}", framescope::i18n::tr("no display could be opened ({error}); set DISPLAY or WAYLAND_DISPLAY, or run under Xvfb.", &[("error", &e.to_string())]));
        return ExitCode::from(EXIT_STARTUP);
    }
    if let Err(e) = framescope::widget::init() {
        eprintln!(
            "framescope: {}",
            framescope::i18n::tr(
                "the player could not be set up ({error}).",
                &[("error", &e.to_string())]
            )
        );
        return ExitCode::from(EXIT_STARTUP);
    }
    gtk::Window::set_default_icon_name(window::APP_ICON);
    gio::resources_register_include!("framescope-app.gresource")
        .expect("the app's resources are built in");
    let single_instance = options.may_join_running_instance();
    let launch = application::Launch {
        options,
        inputs,
        prefs_path,
        prefs,
    };
    let requested = Rc::new(Cell::new(signalled.early.get()));
    let app = application::Application::new(single_instance, launch, requested.clone());
    signalled.requested.replace(Some(requested));
    signalled
        .app
        .replace(Some(app.upcast_ref::<gtk::Application>().downgrade()));
    if single_instance {
        // The first Framescope on the session bus runs the window; a later
        // one hands it its command line and exits with its answer (see
        // `application`). With no session bus every run is a first one.
        // GApplication forwards the command line as UTF-8: a name that is
        // not goes as its `file://` URI.
        let forwarded: Vec<String> = args
            .iter()
            .map(|a| match a.to_str() {
                Some(text) => text.to_string(),
                None => framescope::engine::os_to_uri(a),
            })
            .collect();
        app.run_with_args(&forwarded);
    } else {
        // Our own options were parsed above; GTK sees only the program name.
        app.run_with_args(&["framescope"]);
    }
    // Closing the window let go of its pipeline: it stops before the
    // process exits (the video sink's last work is on the main loop).
    stop_pipelines(STOP_PIPELINES_WITHIN);
    // The last resume positions and preferences reach the disk before exit.
    files::wait_for_writes();
    ExitCode::from(app.exit_code())
}
