//! Reusable GTK4 widgets. [`PlayerView`] is the playback widget embedding
//! applications use (GtkBuilder type `FramescopePlayerView`); its `player.`
//! actions, their keys and menu entries come from one table,
//! [`player_view::actions`].

pub mod embedding;
pub mod inspector;
pub mod player_view;
pub mod queue_panel;

// The PlayerView's parts, at the paths they had before it became a folder.
pub use player_view::{keyframe_ticks, keys, osd, seek_preview, stats_overlay, timing_actions};

pub use embedding::ControlsMode;
pub use inspector::InspectorWindow;
pub use player_view::actions::{append_menu_items, MenuSection, PlayerAction, ACTIONS};
pub use player_view::PlayerView;
pub use queue_panel::QueuePanel;

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
    if let Some(display) = gtk::gdk::Display::default() {
        let provider = gtk::CssProvider::new();
        provider.load_from_resource("/org/framescope/Framescope/style.css");
        gtk::style_context_add_provider_for_display(
            &display,
            &provider,
            gtk::STYLE_PROVIDER_PRIORITY_APPLICATION,
        );
    }
}

/// Initialises GTK-side Framescope: the engine, resources and widget types
/// (so `.ui` files can name `FramescopePlayerView`). Call after `gtk::init`.
pub fn init() -> Result<(), glib::Error> {
    crate::engine::init()?;
    ensure_resources();
    PlayerView::ensure_type();
    QueuePanel::ensure_type();
    Ok(())
}
