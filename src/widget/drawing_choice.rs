//! How GTK draws in a process that shows Framescope's video, chosen before
//! GTK starts: the app's choice, offered to hosts as well.
//!
//! Where OpenGL is a software rasteriser (Mesa llvmpipe: virtual machines,
//! containers, CI, kiosks without a GPU driver) GTK's cairo renderer costs
//! far less CPU than its GL renderer (about 0.7 against 1.7 CPU s per media
//! s on 1080p, `bench/playback.sh`), and Framescope's `auto` video path is
//! the software one anyway. And with GL merely initialised — by GTK
//! choosing its X visual, by `gtk4paintablesink` making a context to share,
//! by the GL probe — Mesa and LLVM stay loaded: about 70 MB of resident
//! memory. Without a GPU device (`/dev/dri`, `/dev/nvidiactl`) Mesa can only
//! rasterise in software, so that is known without loading it:
//! `GDK_DEBUG=gl-disable` keeps GL out of the process. With a GPU device the
//! GL probe decides in this process (a virtual GPU may still be a software
//! rasteriser: then cairo, with GL loaded). An explicit `GSK_RENDERER`
//! always wins.

use gtk::glib;
use std::path::Path;

/// What the GL probe says when no GPU device exists.
const NO_GPU: &str = "software rasteriser (no GPU device in /dev)";

/// What [`prefer_cheap_drawing`] chose for this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawingChoice {
    /// Nothing changed: `GSK_RENDERER` was set, or OpenGL here is a GPU's.
    Unchanged,
    /// GTK draws with cairo; GL stays usable (a GPU device whose OpenGL
    /// turned out to be a software rasteriser).
    Cairo,
    /// No GPU device: GTK draws with cairo and GL is off in this process
    /// (a player asked for the GL video path falls back to software).
    CairoWithoutGl,
}

/// Makes this process draw as cheaply as its OpenGL allows, as the
/// `framescope` app does: on a GPU nothing changes; on a software
/// rasteriser GTK draws with cairo
/// ([`prefer_cheap_renderer`](super::prefer_cheap_renderer)); with no GPU
/// device at all GL is also kept out of the process (`GDK_DEBUG=gl-disable`,
/// no GL probe), about 70 MB less resident memory and no GL start-up.
///
/// This decides for the whole process, GTK's drawing of the host's own
/// widgets included, so it is the host's call. GTK reads the environment
/// once, when it starts: call this before `gtk::init` (or
/// `gtk::Application::run`) and before starting threads that read the
/// environment. Does nothing when `GSK_RENDERER` is already set or GTK
/// has started.
pub fn prefer_cheap_drawing() -> DrawingChoice {
    if std::env::var_os("GSK_RENDERER").is_some() {
        return DrawingChoice::Unchanged;
    }
    // SAFETY: a plain query of GTK's own flag, callable at any time.
    let gtk_started: bool = unsafe { glib::translate::from_glib(gtk::ffi::gtk_is_initialized()) };
    if gtk_started {
        tracing::warn!(
            "prefer_cheap_drawing was called after GTK started, too late to choose how it draws; nothing changed (call it before gtk::init)"
        );
        return DrawingChoice::Unchanged;
    }
    if has_gpu_device() {
        return if super::prefer_cheap_renderer() {
            DrawingChoice::Cairo
        } else {
            DrawingChoice::Unchanged
        };
    }
    let debug = match std::env::var("GDK_DEBUG") {
        Ok(flags) if !flags.is_empty() => format!("{flags},gl-disable"),
        _ => "gl-disable".to_string(),
    };
    // SAFETY: documented above: called before GTK starts and before
    // threads that read the environment.
    unsafe {
        std::env::set_var("GSK_RENDERER", "cairo");
        std::env::set_var("GDK_DEBUG", debug);
    }
    crate::engine::set_probe_result(Some(NO_GPU.to_string()));
    crate::engine::turn_off_gl();
    DrawingChoice::CairoWithoutGl
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
