//! Detects whether an audio output device exists. Machines without one (CI,
//! containers, kiosks with HDMI unplugged) still play video: the engine then
//! routes audio into a synchronised fakesink and keeps the pipeline clock.

use crate::engine::log;
use gst::prelude::*;
use std::sync::OnceLock;

/// True when `autoaudiosink` finds a real device (checked once per process).
pub(crate) fn device_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let available = probe_device();
        if !available {
            log::warn!("no audio output device found; audio is decoded but not heard, and video keeps its timing");
        }
        available
    })
}

/// True when the machine has any sound server socket or sound card at all;
/// without one, probing would only make ALSA print errors to stderr.
fn any_audio_endpoint() -> bool {
    let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(std::path::PathBuf::from);
    let sockets = runtime
        .map(|dir| {
            ["pulse/native", "pipewire-0"]
                .iter()
                .any(|s| dir.join(s).exists())
        })
        .unwrap_or(false);
    sockets
        || std::env::var_os("PULSE_SERVER").is_some()
        || std::env::var_os("JACK_DEFAULT_SERVER").is_some()
        || std::fs::read_dir("/dev/snd")
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
}

fn probe_device() -> bool {
    if !any_audio_endpoint() {
        return false;
    }
    let Ok(sink) = gst::ElementFactory::make("autoaudiosink").build() else {
        return false;
    };
    let ok = sink.set_state(gst::State::Ready).is_ok();
    // autoaudiosink falls back to a fakesink child when every real sink fails.
    let real_child = sink
        .downcast_ref::<gst::Bin>()
        .map(|bin| {
            bin.iterate_recurse().into_iter().flatten().any(|child| {
                child.factory().is_some_and(|f| {
                    f.name() != "fakesink" && f.has_type(gst::ElementFactoryType::SINK)
                })
            })
        })
        .unwrap_or(false);
    let _ = sink.set_state(gst::State::Null);
    ok && real_child
}
