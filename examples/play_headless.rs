//! Plays files one after another with a headless engine `Player` (no display
//! needed) and prints its state changes, warnings, errors and end of stream.
//! `cargo run --example play_headless -- FILE|URI...`

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

fn main() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .try_init();
    framescope::engine::init().expect("GStreamer initialises");
    let main_loop = glib::MainLoop::new(None, false);
    for input in std::env::args().skip(1) {
        let player = framescope::engine::Player::headless();
        player.connect_state_notify(|p| println!("state: {:?}", p.state()));
        player.connect_warning(|_, w| println!("warning: {w}"));
        let l = main_loop.clone();
        player.connect_error(move |_, e| {
            println!("error ({}): {}", e.kind.nick(), e.message);
            l.quit();
        });
        let l = main_loop.clone();
        player.connect_eos(move |p| {
            println!(
                "end of stream at {:.3} s, {} frames rendered",
                p.position() as f64 / 1e9,
                p.stats().rendered
            );
            l.quit();
        });
        player.open(&input);
        player.play();
        let limit: Rc<Cell<Option<glib::SourceId>>> = Rc::default();
        let (l, fired) = (main_loop.clone(), limit.clone());
        limit.set(Some(glib::timeout_add_local_once(
            Duration::from_secs(60),
            move || {
                fired.take();
                println!("gave up after 60 s");
                l.quit();
            },
        )));
        main_loop.run();
        if let Some(id) = limit.take() {
            id.remove();
        }
    }
}
