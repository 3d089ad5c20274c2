//! Main-loop helpers: run the thread-default main context until a
//! condition holds or a timeout passes, give a test a fresh main context
//! (waiting at its end for the pipelines let go to be stopped), and wait
//! for a player to settle.

use framescope::engine::{Player, PlayerState};
use std::time::{Duration, Instant};

/// Iterates the thread-default main context until `done` or `timeout`;
/// returns whether `done` became true.
pub fn run_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let ctx = glib::MainContext::ref_thread_default();
    let start = Instant::now();
    while !done() {
        if start.elapsed() > timeout {
            return false;
        }
        turn_once(&ctx);
    }
    true
}

/// Runs one turn of `ctx`, blocking at most about 20 ms (a timeout source
/// wakes the context when nothing else does).
pub fn turn_once(ctx: &glib::MainContext) {
    let _wake = glib::timeout_source_new(
        Duration::from_millis(20),
        None,
        glib::Priority::DEFAULT,
        || glib::ControlFlow::Break,
    )
    .attach(Some(ctx));
    ctx.iteration(true);
}

/// Runs `f` with a fresh main context as the thread default.
pub fn with_context<R>(f: impl FnOnce() -> R) -> R {
    framescope::engine::init().unwrap();
    // `RUST_LOG=framescope=debug` shows the engine's decisions in failures.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let ctx = glib::MainContext::new();
    ctx.with_thread_default(|| {
        let result = f();
        // Pipelines let go are stopped on the reaper thread: give them time
        // to finish, so the test binary never exits while one is still
        // being torn down (a source stuck on a stalled server can take a
        // moment). Shared with the tests running at once, hence bounded.
        run_until(Duration::from_secs(5), || {
            framescope::engine::pending_shutdowns() == 0
        });
        result
    })
    .unwrap()
}

/// Runs the main context until the player is paused with no seek or step
/// in flight (the frame on screen is final).
pub fn wait_settled(player: &Player) -> bool {
    run_until(Duration::from_secs(15), || {
        player.state() == PlayerState::Paused && player.is_settled()
    })
}
