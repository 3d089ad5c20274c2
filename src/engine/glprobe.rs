//! Probes OpenGL once per process to choose the video chain: whether a GL
//! context can be created at all, and whether its renderer is a software
//! rasteriser (Mesa llvmpipe/softpipe), where the GL upload path costs more CPU
//! than plain `videoconvert` (about 3x on a 1080p clip, see README).

use crate::engine::log;
use gst_gl::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// What the GL probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlProbe {
    /// The `GL_RENDERER` string, or `None` when no GL context could be made.
    pub renderer: Option<String>,
}

impl GlProbe {
    /// True when a GL context could be created and GL was not turned off
    /// in this process ([`turn_off_gl`]).
    pub fn available(&self) -> bool {
        self.renderer.is_some() && !gl_turned_off()
    }

    /// True when the renderer rasterises on the CPU.
    pub fn is_software(&self) -> bool {
        self.renderer.as_deref().is_some_and(is_software_renderer)
    }
}

/// True for renderer strings of CPU rasterisers.
pub(crate) fn is_software_renderer(renderer: &str) -> bool {
    let r = renderer.to_lowercase();
    [
        "llvmpipe",
        "softpipe",
        "swrast",
        "software rasterizer",
        "software rasteriser",
        "lavapipe",
    ]
    .iter()
    .any(|s| r.contains(s))
}

static PROBE: OnceLock<GlProbe> = OnceLock::new();
static GL_TURNED_OFF: AtomicBool = AtomicBool::new(false);

/// Takes `renderer` (the `GL_RENDERER` string, `None` for no GL) as the
/// probe's answer, found by the caller — the app, where no GPU device
/// exists, knows the answer without loading a GL driver. Returns false
/// when the probe has run already (its answer stays).
pub fn set_probe_result(renderer: Option<String>) -> bool {
    PROBE.set(GlProbe { renderer }).is_ok()
}

/// Records that GL was turned off in this process before GTK started (the
/// app does so on a software rasteriser, where the software path is the
/// cheaper one: `GDK_DEBUG=gl-disable`, about 70 MB less resident memory
/// with Mesa llvmpipe, bench/RESULTS.md). From then on
/// [`GlProbe::available`] is false, so a player asked for the GL path
/// uses the software path and says why.
pub fn turn_off_gl() {
    GL_TURNED_OFF.store(true, Ordering::Release);
}

/// Whether [`turn_off_gl`] was called.
pub fn gl_turned_off() -> bool {
    GL_TURNED_OFF.load(Ordering::Acquire)
}

/// Probes GL on first call and returns the cached result afterwards.
pub fn probe() -> &'static GlProbe {
    PROBE.get_or_init(|| {
        let renderer = query_renderer();
        match &renderer {
            Some(r) => log::info!("GL probe: renderer {r}"),
            None => {
                log::warn!("no OpenGL context could be created; video uses the software chain")
            }
        }
        GlProbe { renderer }
    })
}

/// Starts the probe on a thread of its own, so that the first player to
/// open a file finds the answer ready instead of creating a GL context on
/// the main thread (about 30 ms on an idle machine with Mesa llvmpipe,
/// over 100 ms under load). Called once GTK is up ([`crate::widget::init`]);
/// a later [`probe`] waits for this one rather than probing again.
///
/// A host may exit while the probe runs (a Python kiosk that finds no
/// session bus exits within milliseconds of `Framescope.init()`): the
/// process's exit then unloads libX11 and libGLX under the context's
/// thread, which crashed about 1 exit in 20 under load. So the probe
/// registers [`wait_for_probe_at_exit`] with `atexit` before it starts;
/// it runs before the libraries' destructors and waits for the probe to
/// finish (at most [`EXIT_WAIT`]).
pub(crate) fn probe_in_background() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        *lock_probing() = true;
        // SAFETY: `atexit` only records the function; the function is
        // `extern "C"`, takes nothing and never unwinds.
        if unsafe { libc::atexit(wait_for_probe_at_exit) } != 0 {
            log::debug!("no exit handler for the GL probe; it runs on first use instead");
            *lock_probing() = false;
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("framescope-glprobe".into())
            .spawn(|| {
                if !EXITING.load(Ordering::Acquire) {
                    probe();
                }
                *lock_probing() = false;
                PROBE_ENDED.notify_all();
            });
        if let Err(e) = spawned {
            *lock_probing() = false;
            log::debug!("the GL probe runs on first use instead: {e}");
        }
    });
}

/// The longest an exiting process waits for the background probe.
pub(crate) const EXIT_WAIT: Duration = Duration::from_secs(3);

static PROBING: Mutex<bool> = Mutex::new(false);
static PROBE_ENDED: Condvar = Condvar::new();
static EXITING: AtomicBool = AtomicBool::new(false);

fn lock_probing() -> MutexGuard<'static, bool> {
    PROBING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Run by `exit`: a probe not started yet never starts, one under way is
/// waited for, so that no GL thread runs while libraries are unloaded.
extern "C" fn wait_for_probe_at_exit() {
    EXITING.store(true, Ordering::Release);
    let probing = lock_probing();
    let _ = PROBE_ENDED.wait_timeout_while(probing, EXIT_WAIT, |probing| *probing);
}

fn query_renderer() -> Option<String> {
    // Without the GL plugin there is no GL path to choose.
    gst::ElementFactory::find("glupload")?;
    let display = gst_gl::GLDisplay::new();
    let context = gst_gl::GLContext::new(&display);
    if let Err(e) = context.create(None::<&gst_gl::GLContext>) {
        log::debug!("GL context creation failed: {e}");
        return None;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    context.thread_add(move |ctx| {
        const GL_RENDERER: u32 = 0x1F01;
        let address = ctx.proc_address("glGetString");
        let renderer = if address == 0 {
            None
        } else {
            // SAFETY: `glGetString` has this signature in every GL version and
            // the closure runs on the context's own thread, where it is current.
            let get_string: extern "C" fn(u32) -> *const std::ffi::c_char =
                unsafe { std::mem::transmute(address) };
            let ptr = get_string(GL_RENDERER);
            (!ptr.is_null()).then(|| {
                unsafe { std::ffi::CStr::from_ptr(ptr) }
                    .to_string_lossy()
                    .into_owned()
            })
        };
        let _ = tx.send(renderer);
    });
    rx.recv_timeout(Duration::from_secs(5)).ok().flatten()
}

#[cfg(test)]
mod tests {
    #[test]
    fn software_renderers_are_recognised() {
        assert!(super::is_software_renderer(
            "llvmpipe (LLVM 15.0.6, 256 bits)"
        ));
        assert!(super::is_software_renderer("Software Rasterizer"));
        assert!(!super::is_software_renderer(
            "AMD Radeon RX 6600 (radeonsi, navi23)"
        ));
        assert!(!super::is_software_renderer(
            "NVIDIA GeForce RTX 3060/PCIe/SSE2"
        ));
    }
}
