//! Loads the control panel designed in `hmi.ui`: a `FramescopePlayerView` and
//! host buttons bound to its `player.` actions in XML, with no code behind
//! them (the view's `window-actions` property, set in the XML, publishes its
//! actions to the whole window). This file only loads the XML, opens the
//! media and shows the window.
//!
//! `cargo run --example hmi -- [--exit-after SECONDS] [FILE|URI]...` (no file:
//! the demo clip compiled into the library).

use clap::Parser;
use framescope::widget::PlayerView;
use gtk::prelude::*;
use std::time::Duration;

/// The HMI control panel example.
#[derive(Parser, Debug, Clone)]
struct Options {
    /// Quit by itself after this many seconds (for tests).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    exit_after: Option<f64>,
    /// Files or URIs to play as a playlist (the previous and next buttons
    /// move through it); without any, the library's demo clip.
    inputs: Vec<String>,
}

fn main() -> glib::ExitCode {
    let options = Options::parse();
    // The app's cheap drawing (before GTK starts): GTK's cairo renderer
    // where GL is a software rasteriser, and no GL at all without a GPU.
    framescope::widget::prefer_cheap_drawing();
    let app = gtk::Application::new(
        Some("org.framescope.HmiExample"),
        gio::ApplicationFlags::NON_UNIQUE,
    );
    app.connect_activate(move |app| build(app, &options));
    app.run_with_args(&["hmi"])
}

fn build(app: &gtk::Application, options: &Options) {
    if let Err(e) = framescope::widget::init() {
        eprintln!("hmi: the player could not be set up ({e}).");
        return;
    }
    let builder = gtk::Builder::from_string(include_str!("hmi.ui"));
    let (Some(window), Some(view)) = (
        builder.object::<gtk::ApplicationWindow>("window"),
        builder.object::<PlayerView>("view"),
    ) else {
        eprintln!("hmi: hmi.ui lacks the objects “window” and “view”.");
        return;
    };
    window.set_application(Some(app));
    match options.inputs.as_slice() {
        [] => match demo_clip() {
            Ok(path) => view.open(&path),
            Err(e) => eprintln!("hmi: the demo clip could not be written ({e}); pass a file."),
        },
        [one] => view.open(one),
        several => {
            let player = view.player();
            player.set_items(several);
            if view.autoplay() {
                player.play();
            }
        }
    }
    if let Some(seconds) = options.exit_after {
        // Destroying the window disposes the view, which stops its pipeline;
        // the application then quits on its own.
        let window = window.downgrade();
        glib::timeout_add_local_once(Duration::from_secs_f64(seconds), move || {
            if let Some(window) = window.upgrade() {
                window.destroy();
            }
        });
    }
    window.present();
}

/// GStreamer cannot read `resource://`, so the demo clip goes to a file.
fn demo_clip() -> std::io::Result<String> {
    framescope::widget::ensure_resources();
    let bytes = gio::resources_lookup_data(
        "/org/framescope/Framescope/demo.webm",
        gio::ResourceLookupFlags::NONE,
    )
    .map_err(std::io::Error::other)?;
    let path = std::env::temp_dir().join("framescope-hmi-demo.webm");
    std::fs::write(&path, &bytes)?;
    Ok(path.display().to_string())
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("“{s}” is not a number of seconds")),
    }
}
