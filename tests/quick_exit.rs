//! A host may exit at any moment after `framescope::widget::init` — a
//! kiosk that finds no session bus exits within milliseconds — and the
//! exit must not crash. The widget's initialisation starts the GL probe on
//! a thread of its own (src/engine/glprobe.rs); an exit that unloaded
//! libX11 and libGLX under the probe's GL thread ended in SIGSEGV about
//! one exit in twenty under load.
//!
//! Each run is a child process of this binary that initialises GTK and
//! Framescope, makes a view and plays a file that does not exist, waits 0
//! to 40 ms and exits with status 3; the runs go four at once, so that the
//! machine is busy as in CI. Without the fix, about 1 run in 150 crashed
//! with two CPU hogs on the cores (2 of 320), 1 in 80 from Python
//! (examples/kiosk.py without a session bus).

#[path = "common/display.rs"]
#[allow(dead_code)]
mod display;

use std::process::{Command, Stdio};
use std::time::Duration;

/// Child runs in all, and how many go at once.
const RUNS: u32 = 320;
const AT_ONCE: u32 = 4;
/// The status a child exits with.
const STATUS: i32 = 3;

fn main() {
    if let Ok(delay) = std::env::var("QUICK_EXIT_CHILD") {
        return child(delay.parse().unwrap_or(0));
    }
    let display = display::ensure_display();
    let faults: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..AT_ONCE)
            .map(|worker| {
                let display = display.clone();
                scope.spawn(move || {
                    (0..RUNS / AT_ONCE)
                        .filter_map(|run| {
                            let delay_ms = (run * 7 + worker * 11) % 41;
                            one_run(&display, delay_ms)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    println!(
        "quick exit: {} of {RUNS} exits right after init went wrong",
        faults.len()
    );
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    println!("quick exit test result: ok. 1 passed");
}

/// One child run; a sentence when it did not end with [`STATUS`].
fn one_run(display: &str, delay_ms: u32) -> Option<String> {
    let out = Command::new(std::env::current_exe().unwrap())
        .env("QUICK_EXIT_CHILD", delay_ms.to_string())
        .env("DISPLAY", display)
        .env("GTK_A11Y", "none")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (out.status.code() != Some(STATUS)).then(|| {
        format!(
            "exit {delay_ms} ms after init ended with {:?}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )
    })
}

fn child(delay_ms: u64) {
    gtk::init().expect("GTK starts on the test's display");
    framescope::widget::init().expect("Framescope initialises");
    let view = framescope::widget::PlayerView::new();
    let player = view.player();
    player.set_items(&["/nonexistent/framescope-quick-exit.mp4".to_string()]);
    player.play();
    std::thread::sleep(Duration::from_millis(delay_ms));
    std::process::exit(STATUS);
}
