//! Reusable GTK4 widgets. [`PlayerView`] is the playback widget embedding
//! applications use (GtkBuilder type `FramescopePlayerView`); its `player.`
//! actions, their keys and menu entries come from one table, [`ACTIONS`].
//! [`QueuePanel`] shows and edits a player's playlist; [`InspectorWindow`]
//! is the stream inspector.

// The modules are crate-private; what embedders use is re-exported below.
pub(crate) mod drawing_choice;
pub(crate) mod embedding;
pub(crate) mod inspector;
pub(crate) mod player_view;
pub(crate) mod queue_panel;

use player_view::{keys, seek_preview};

pub use drawing_choice::{has_gpu_device, prefer_cheap_drawing, DrawingChoice};
pub use embedding::ControlsMode;
pub use inspector::{HealthHistory, HealthSample, InspectorTab, InspectorWindow};
pub use keys::{bindings, shortcuts_ui, KeyBinding};
pub use player_view::actions::{append_menu_items, Key, MenuSection, PlayerAction, ACTIONS};
pub use player_view::PlayerView;
pub use queue_panel::QueuePanel;

/// Widget internals that the GUI tests call directly. Not part of the API:
/// no stability promise, hidden from the docs.
#[doc(hidden)]
pub mod testing {
    pub use super::inspector::export::graphviz;
    pub use super::player_view::frame_pull::frames_taken;
    pub use super::seek_preview::time_at;
}

use gtk::prelude::*;
use std::sync::Once;

/// Registers the compiled-in resources (templates, CSS, demo clip). Idempotent.
pub fn ensure_resources() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        gio::resources_register_include!("framescope.gresource")
            .expect("the embedded resource bundle is valid");
    });
}

/// Adds Framescope's stylesheet to the default display once.
pub fn ensure_style() {
    thread_local!(static DONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if DONE.with(|d| d.replace(true)) {
        return;
    }
    if let Some(display) = gdk::Display::default() {
        let provider = gtk::CssProvider::new();
        provider.load_from_resource("/org/framescope/Framescope/style.css");
        gtk::style_context_add_provider_for_display(
            &display,
            &provider,
            gtk::STYLE_PROVIDER_PRIORITY_APPLICATION,
        );
    }
}

/// Makes GTK draw with its cairo renderer when OpenGL here is a software
/// rasteriser (Mesa llvmpipe, as in virtual machines, containers and CI):
/// there GTK's GL renderer costs over twice the CPU for the same video
/// (about 1.7 against 0.7 CPU s per media s on 1080p, bench/RESULTS.md),
/// and Framescope's `auto` video path is the software one anyway. Does
/// nothing when `GSK_RENDERER` is set or the renderer is a GPU. Returns
/// whether it chose cairo.
///
/// GTK reads `GSK_RENDERER` once, when it starts: call this before
/// `gtk::init` (or `gtk::Application::run`) and before starting threads
/// that read the environment. It probes GL in this process (about 30 ms).
/// [`prefer_cheap_drawing`] goes further, as the `framescope` app does:
/// where no GPU device exists it turns GL off in the process altogether.
pub fn prefer_cheap_renderer() -> bool {
    if std::env::var_os("GSK_RENDERER").is_some() || crate::engine::init().is_err() {
        return false;
    }
    if !crate::engine::gl_probe().is_software() {
        return false;
    }
    // SAFETY: documented above: called before GTK and before threads that
    // read the environment; the probe's own threads have ended.
    unsafe { std::env::set_var("GSK_RENDERER", "cairo") };
    true
}

/// Initialises GTK-side Framescope: the engine, resources and widget types
/// (so `.ui` files can name `FramescopePlayerView`). Call after `gtk::init`.
pub fn init() -> Result<(), glib::Error> {
    crate::engine::init()?;
    crate::engine::glprobe::probe_in_background();
    ensure_resources();
    PlayerView::ensure_type();
    QueuePanel::ensure_type();
    Ok(())
}
