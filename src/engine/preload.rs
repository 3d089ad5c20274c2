//! Loads, at start-up, the plugins whose first load holds the dynamic
//! loader's lock for long.
//!
//! GStreamer loads a plugin when one of its elements is first made, and
//! decoders are made on streaming threads. `libgstlibav` links libavcodec,
//! libavformat and libavfilter with their whole dependency tree: its
//! `dlopen` takes 50 to 100 ms on a 2-core machine with a warm disk cache
//! (every other installed plugin takes under 25 ms), all of it under the
//! loader's lock. Any thread that starts a thread meanwhile waits for that
//! lock (glibc sets up a new thread's thread-local storage under it), and
//! the main thread does so behind our back: Pango starts its fontconfig
//! thread during a layout, GTK and GLib start theirs. The storm test saw
//! main-loop turns of 100 to 160 ms that way, each time the first H.264
//! file was opened while the window was busy (bench/RESULTS.md "The first
//! Ogg open"). Loading the plugin in [`crate::engine::init`], before any
//! window or pipeline exists, takes that wait out of the running program.

/// Plugins loaded up front, when installed.
const HEAVY_PLUGINS: &[&str] = &["libav"];

/// Loads [`HEAVY_PLUGINS`] that are installed and not loaded yet; returns
/// the names of those now loaded. A plugin that fails to load is left for
/// GStreamer to report when one of its elements is asked for.
pub(crate) fn load_heavy_plugins() -> Vec<&'static str> {
    let registry = gst::Registry::get();
    HEAVY_PLUGINS
        .iter()
        .copied()
        .filter(|name| {
            registry
                .find_plugin(name)
                .is_some_and(|plugin| plugin.is_loaded() || plugin.load().is_ok())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_leaves_the_libav_plugin_loaded() {
        crate::engine::init().unwrap();
        let Some(plugin) = gst::Registry::get().find_plugin("libav") else {
            println!("SKIP: the libav plugin is not installed");
            return;
        };
        // `find_plugin` returns the registry's entry: loaded means the
        // library is mapped, and making a decoder loads nothing more.
        assert!(plugin.is_loaded(), "init did not load the libav plugin");
        assert_eq!(load_heavy_plugins(), vec!["libav"]);
    }
}
