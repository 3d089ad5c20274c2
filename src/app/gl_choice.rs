//! Chooses how the app draws before GTK starts: the library's cheapest
//! drawing for this machine ([`framescope::widget::prefer_cheap_drawing`]:
//! GTK's cairo renderer on a software rasteriser, and GL turned off in the
//! process where no GPU device exists), unless GL video was asked for.
//! An explicit `GSK_RENDERER` always wins.
//!
//! (Probing in a child process instead was tried: a child's X connection
//! that ends before GTK's first one lets an X server with no other client —
//! Xvfb, an xinit kiosk — reset in between, and GTK then found no display.)

use framescope::engine::VideoMode;
use framescope::widget::DrawingChoice;

/// Chooses GTK's renderer and whether GL stays on, for `video`. Call
/// before GTK starts and before any thread of ours reads the environment.
pub fn choose(video: VideoMode) {
    if video == VideoMode::Gl {
        return;
    }
    match framescope::widget::prefer_cheap_drawing() {
        DrawingChoice::Unchanged => {}
        DrawingChoice::Cairo => tracing::info!("software GL renderer: GTK draws with cairo"),
        DrawingChoice::CairoWithoutGl => {
            tracing::info!("no GPU device: GTK draws with cairo and GL stays off")
        }
    }
}
