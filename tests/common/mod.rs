//! Test support shared by the integration tests, one concern a file:
//!
//! - [`fixtures`]: every file the tests make (generated clips, numbered
//!   clips, HLS/DASH trees, bad inputs) and the shared corpus;
//! - [`mainloop`]: running the main context until something holds, with
//!   timeouts; a fresh context per test;
//! - [`player`]: recording what a headless `Player` did, heard and showed;
//! - [`http`]: the HTTP test server with its fault plan (and endless
//!   streamed bodies, for HTTP-FLV);
//! - [`rtmp`]: nginx with its RTMP module as the RTMP server;
//! - [`harness`]: `check!`, the runner and `main` of the binaries without
//!   libtest (the GTK ones);
//! - [`display`]: the X display (a private Xvfb when none is set);
//! - [`gui`]: windows with a `PlayerView`, rendered pixels, real input;
//! - [`process`]: `framescope` started with no display, a child's output
//!   within a time limit;
//! - [`seeded`]: the seeded generator's step (storm and fuzz);
//! - [`session_bus`]: a private D-Bus session bus, with `framescope ctl`,
//!   `gdbus` and `dbus-send` run on it;
//! - [`atspi`]: the app's windows read over AT-SPI in a session bus of its own.
//!
//! Everything but `http`, `rtmp`, `gui` and `atspi` is re-exported here, so a test says
//! `use common::*;`.
#![allow(dead_code, unused_imports)]

pub mod atspi;
pub mod display;
pub mod fixtures;
pub mod gui;
pub mod harness;
pub mod http;
pub mod mainloop;
pub mod player;
pub mod process;
pub mod rtmp;
pub mod seeded;
pub mod session_bus;

pub use display::*;
pub use fixtures::framecode;
pub use fixtures::*;
pub use harness::*;
pub use mainloop::*;
pub use player::*;
pub use process::*;
pub use session_bus::*;
