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
//!
//! Embedding the widget in a GTK application:
//!
//! ```no_run
//! use framescope::widget::PlayerView;
//! use gtk::prelude::*;
//!
//! let app = gtk::Application::new(Some("org.example.Kiosk"), Default::default());
//! app.connect_activate(|app| {
//!     framescope::widget::init().expect("GStreamer and the GTK sink are available");
//!     let view = PlayerView::new();
//!     view.player().connect_error(|_, e| eprintln!("{}", e.message));
//!     view.open("/path/to/clip.mp4");
//!     gtk::ApplicationWindow::builder()
//!         .application(app)
//!         .child(&view)
//!         .build()
//!         .present();
//! });
//! app.run();
//! ```
//!
//! The engine alone, headless (no display), for example in a service:
//!
//! ```
//! use framescope::engine::{Player, PlayerState};
//!
//! framescope::engine::init().unwrap();
//! let player = Player::headless();
//! assert_eq!(player.state(), PlayerState::Stopped);
//! assert!(player
//!     .describe_pipeline("file:///media/a%20b.mp4")
//!     .contains("uri=\"file:///media/a%20b.mp4\""));
//! ```

#![warn(missing_docs)]

pub mod engine;
pub mod inspect;
pub mod widget;
