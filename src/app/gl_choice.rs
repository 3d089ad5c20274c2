//! Chooses how the app draws before GTK starts: where OpenGL can only be a
//! software rasteriser, GTK draws with cairo and GL is turned off in the
//! process altogether.
//!
//! GTK's cairo renderer costs far less CPU there than its GL renderer
//! (about 0.7 against 1.7 CPU s per media s on 1080p, `bench/playback.sh`).
//! And with GL merely initialised — by GTK choosing its X visual, by
//! `gtk4paintablesink` making a context to share, by the GL probe — Mesa
//! and LLVM stay loaded: about 70 MB of a 260 MB player. Without a GPU
//! device (`/dev/dri`, `/dev/nvidiactl`) Mesa can only rasterise in
//! software, so that is known without loading it: `GDK_DEBUG=gl-disable`
//! keeps GL out ([`framescope::engine::turn_off_gl`]). With a GPU device
//! the GL probe decides in this process (a virtual GPU may still be a
//! software rasteriser: then cairo, with GL loaded). An explicit
//! `GSK_RENDERER` always wins, and so does `--video-path gl`.
//!
//! (Probing in a child process instead was tried: a child's X connection
//! that ends before GTK's first one lets an X server with no other client —
//! Xvfb, an xinit kiosk — reset in between, and GTK then found no display.)

use framescope::engine::VideoMode;
use std::path::Path;

/// What the GL probe says when no GPU device exists.
const NO_GPU: &str = "software rasteriser (no GPU device in /dev)";

/// Chooses GTK's renderer and whether GL stays on, for `video`. Call
/// before GTK starts and before any thread of ours reads the environment.
pub fn choose(video: VideoMode) {
    if std::env::var_os("GSK_RENDERER").is_some() || video == VideoMode::Gl {
        return;
    }
    if has_gpu_device() {
        if framescope::widget::prefer_cheap_renderer() {
            tracing::info!("software GL renderer: GTK draws with cairo");
        }
        return;
    }
    let debug = match std::env::var("GDK_DEBUG") {
        Ok(flags) if !flags.is_empty() => format!("{flags},gl-disable"),
        _ => "gl-disable".to_string(),
    };
    // SAFETY: set before GTK starts and before any thread of ours reads
    // the environment.
    unsafe {
        std::env::set_var("GSK_RENDERER", "cairo");
        std::env::set_var("GDK_DEBUG", debug);
    }
    framescope::engine::set_probe_result(Some(NO_GPU.to_string()));
    framescope::engine::turn_off_gl();
    tracing::info!("no GPU device: GTK draws with cairo and GL stays off");
}

/// Whether a GPU device node exists: a DRM card or render node, or
/// NVIDIA's own driver.
pub fn has_gpu_device() -> bool {
    let drm = std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("card") || name.starts_with("renderD")
        })
    });
    drm || Path::new("/dev/nvidiactl").exists()
}
