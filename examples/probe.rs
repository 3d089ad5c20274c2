//! Debug helper: plays files headless one after another and prints what happens.
use gst::prelude::*;
use std::time::Duration;
fn main() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .try_init();
    framescope::engine::init().unwrap();
    for path in std::env::args().skip(1) {
        let player = framescope::engine::Player::headless();
        player.connect_state_notify(|p| eprintln!("state {:?}", p.state()));
        player.connect_error(|_, e| eprintln!("error {e:?}"));
        player.connect_warning(|_, w| eprintln!("warning {w}"));
        let ctx = glib::MainContext::default();
        let l = glib::MainLoop::new(Some(&ctx), false);
        let l2 = l.clone();
        player.connect_eos(move |_| {
            eprintln!("eos");
            l2.quit()
        });
        player.open(&path);
        player.play();
        let l3 = l.clone();
        let t = glib::timeout_add_local_once(Duration::from_secs(10), move || l3.quit());
        l.run();
        if let Some(p) = player.pipeline() {
            eprintln!("{path}: {:?}", p.state(gst::ClockTime::ZERO));
        }
        let _ = t;
    }
}
