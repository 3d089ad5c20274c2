//! The engine's log lines go two ways: to `tracing` (the app's `RUST_LOG`
//! filter and log file) and to GStreamer's debug log under the category
//! `framescope`, so `GST_DEBUG=framescope:5` shows them among the elements'
//! own lines. The macros take a format string and its arguments, as
//! `format!` does.

use std::sync::LazyLock;

/// The `framescope` GStreamer debug category.
pub(crate) static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "framescope",
        gst::DebugColorFlags::empty(),
        Some("Framescope playback engine"),
    )
});

/// Logs at debug level to `tracing` and to the `framescope` category.
macro_rules! debug_both {
    ($($arg:tt)+) => {{
        tracing::debug!($($arg)+);
        gst::debug!(*$crate::engine::log::CAT, $($arg)+);
    }};
}

/// Logs at info level to `tracing` and to the `framescope` category.
macro_rules! info_both {
    ($($arg:tt)+) => {{
        tracing::info!($($arg)+);
        gst::info!(*$crate::engine::log::CAT, $($arg)+);
    }};
}

/// Logs a warning to `tracing` and to the `framescope` category.
macro_rules! warn_both {
    ($($arg:tt)+) => {{
        tracing::warn!($($arg)+);
        gst::warning!(*$crate::engine::log::CAT, $($arg)+);
    }};
}

pub(crate) use {debug_both as debug, info_both as info, warn_both as warn};
