//! Chooses how the app draws before GTK starts: on a software GL
//! rasteriser (Mesa llvmpipe) with the software video path, GTK draws with
//! cairo and GL is turned off in the process altogether.
//!
//! GTK's cairo renderer costs far less CPU there than its GL renderer
//! (about 0.7 against 1.7 CPU s per media s on 1080p, `bench/playback.sh`).
//! And with GL merely initialised — by GTK choosing its X visual, by
//! `gtk4paintablesink` making a context to share, by the GL probe — Mesa
//! and LLVM stay loaded: about 70 MB of a 260 MB player. So the probe runs
//! in a child process (this executable again, with [`ENV`] naming its
//! parent), and when it finds a software rasteriser and video is not asked
//! to take the GL path, `GDK_DEBUG=gl-disable` keeps GL out of this one
//! ([`framescope::engine::turn_off_gl`]). An explicit `GSK_RENDERER` always
//! wins; a hardware renderer keeps GL and GTK's GL renderer.

use framescope::engine::VideoMode;
use std::io::Read;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// The environment variable that makes a run the probe's child (its value
/// is the parent's process id).
pub const ENV: &str = "FRAMESCOPE_GL_PROBE";

/// How long the child may take; then the probe runs in this process.
const CHILD_TIMEOUT: Duration = Duration::from_secs(5);

/// How the child writes "no GL at all".
const NO_GL: &str = "-";

/// Whether this process is the probe's child.
pub fn is_probe_child() -> bool {
    // SAFETY: getppid only reads this process's parent id.
    let parent = unsafe { libc::getppid() };
    std::env::var(ENV)
        .ok()
        .and_then(|v| v.parse::<libc::pid_t>().ok())
        .is_some_and(|p| p == parent)
}

/// The child: probes GL and prints the renderer (or [`NO_GL`]) on one line.
pub fn run_probe_child() -> ExitCode {
    if framescope::engine::init().is_err() {
        return ExitCode::FAILURE;
    }
    let probe = framescope::engine::gl_probe();
    println!("{}", probe.renderer.as_deref().unwrap_or(NO_GL));
    ExitCode::SUCCESS
}

/// Chooses GTK's renderer and whether GL stays on, for `video`. Call
/// before GTK starts and before any thread of ours reads the environment.
pub fn choose(video: VideoMode) {
    if std::env::var_os("GSK_RENDERER").is_some() || video == VideoMode::Gl {
        return;
    }
    let from_child = probe_in_child();
    if let Some(renderer) = &from_child {
        framescope::engine::set_probe_result(renderer.clone());
    }
    if !framescope::widget::prefer_cheap_renderer() {
        return;
    }
    tracing::info!("software GL renderer: GTK draws with cairo");
    if from_child.is_some() {
        // GL was never loaded here: keep it out.
        let debug = match std::env::var("GDK_DEBUG") {
            Ok(flags) if !flags.is_empty() => format!("{flags},gl-disable"),
            _ => "gl-disable".to_string(),
        };
        // SAFETY: as above.
        unsafe { std::env::set_var("GDK_DEBUG", debug) };
        framescope::engine::turn_off_gl();
        tracing::info!("GL turned off in this process (the software path needs none)");
    }
}

/// Runs the probe in a child process: `Some(renderer)` (the inner `None`
/// for no GL at all), or `None` when the child could not tell.
fn probe_in_child() -> Option<Option<String>> {
    let exe = std::env::current_exe().ok()?;
    let mut child = Command::new(exe)
        .env(ENV, std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < CHILD_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(5))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                tracing::debug!("the GL probe's child did not answer; probing here");
                return None;
            }
        }
    };
    let mut out = String::new();
    child.stdout.take()?.read_to_string(&mut out).ok()?;
    let line = out.lines().next()?.trim();
    if !status.success() || line.is_empty() {
        return None;
    }
    Some((line != NO_GL).then(|| line.to_string()))
}
