//! Framescope: a GTK4 video player, an embeddable playback widget and a
//! stream inspector, sharing one GStreamer engine.
//!
//! ```text
//! app (binary)  ── window, actions, CLI
//!   └─ widget::PlayerView  ── picture, overlay controls, error/audio views
//!        └─ engine::Player ── playbin3 from a PipelineSpec, bus → properties/signals
//! inspect  ── media facts (depends on engine only)
//! control  ── remote control over D-Bus, opt-in: MPRIS 2 and org.framescope.Player1
//! ```
//!
//! Call [`engine::init`] (after `gtk::init` when showing video) before
//! creating a [`engine::Player`] or [`widget::PlayerView`].
//!
//! Embedding the widget in a GTK application (a kiosk panel: a looping
//! playlist, a watchdog that restarts failed or stalled items, no controls,
//! input locked, host buttons driving the `player.` actions):
//!
//! ```no_run
//! use framescope::engine::Repeat;
//! use framescope::widget::{ControlsMode, PlayerView};
//! use gtk::prelude::*;
//!
//! let app = gtk::Application::new(Some("org.example.Kiosk"), Default::default());
//! app.connect_activate(|app| {
//!     framescope::widget::init().expect("GStreamer and the GTK sink are available");
//!     let view = PlayerView::new();
//!     view.set_controls(ControlsMode::Off);
//!     view.set_input_locked(true);
//!     let player = view.player();
//!     player.set_items(&["/media/intro.mp4", "https://example.com/live.m3u8"]);
//!     player.set_repeat(Repeat::All);
//!     player.set_max_restarts(10);
//!     player.connect_restarting(|_, n, ms, why| eprintln!("restart {n} in {ms} ms: {why}"));
//!     player.play();
//!     let pause = gtk::Button::builder().label("Pause").action_name("player.toggle-play").build();
//!     let panel = gtk::Box::new(gtk::Orientation::Vertical, 0);
//!     panel.append(&view);
//!     panel.append(&pause);
//!     let window = gtk::ApplicationWindow::builder().application(app).child(&panel).build();
//!     window.insert_action_group("player", Some(&view.action_group()));
//!     window.present();
//! });
//! app.run();
//! ```
//!
//! The same from a `.ui` file: `<object class="FramescopePlayerView">` with
//! properties such as `controls`, `input-locked`, `unlock-accel` and
//! `window-actions` (which offers the `player.` actions to the whole window),
//! and `<child type="overlay">` for the host's own widgets over the video.
//!
//! Remote control (opt-in): [`control::RemoteControl::export`] offers a
//! player on the D-Bus session bus (MPRIS 2, and the Framescope interface
//! that `framescope ctl` drives) until the value is dropped.
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

pub mod control;
pub mod engine;
pub mod i18n;
pub mod inspect;
pub mod widget;
