//! Framescope: a GTK4 video player, an embeddable playback widget and a
//! stream inspector, sharing one GStreamer engine.
//!
//! ```text
//! app (binary)  ── window, actions, CLI
//!   └─ widget::PlayerView  ── picture, overlay controls, error/audio views
//!        └─ engine::Player ── playbin3 from a PipelineSpec, bus → properties/signals
//! inspect  ── media facts (depends on engine only)
//! ```
//!
//! Call [`engine::init`] (after `gtk::init` when showing video) before
//! creating a [`engine::Player`] or [`widget::PlayerView`].

#![warn(missing_docs)]

pub mod engine;
pub mod inspect;
pub mod widget;
