//! The smallest embedding of `PlayerView`: one application window whose only
//! child is the view. `cargo run --example embed -- [FILE|URI]`; with no
//! argument it plays the demo clip compiled into the library.

use framescope::widget::PlayerView;
use gtk::prelude::*;

fn main() -> glib::ExitCode {
    let input = std::env::args().nth(1);
    // The app's cheap drawing (before GTK starts): GTK's cairo renderer
    // where GL is a software rasteriser, and no GL at all without a GPU.
    framescope::widget::prefer_cheap_drawing();
    let app = gtk::Application::new(
        Some("org.framescope.EmbedExample"),
        gio::ApplicationFlags::NON_UNIQUE,
    );
    app.connect_activate(move |app| {
        if let Err(e) = framescope::widget::init() {
            eprintln!("embed: the player could not be set up ({e}).");
            return;
        }
        let view = PlayerView::new();
        match input.clone().map_or_else(demo_clip, Ok) {
            Ok(path) => view.open(&path),
            Err(e) => eprintln!("embed: the demo clip could not be written ({e}); pass a file."),
        }
        gtk::ApplicationWindow::builder()
            .application(app)
            .title("Framescope embedded")
            .default_width(960)
            .default_height(540)
            .child(&view)
            .build()
            .present();
    });
    // GTK sees only the program name; the argument is ours.
    app.run_with_args(&["embed"])
}

/// GStreamer cannot read `resource://`, so the demo clip goes to a file.
fn demo_clip() -> std::io::Result<String> {
    framescope::widget::ensure_resources();
    let bytes = gio::resources_lookup_data(
        "/org/framescope/Framescope/demo.webm",
        gio::ResourceLookupFlags::NONE,
    )
    .map_err(std::io::Error::other)?;
    let path = std::env::temp_dir().join("framescope-embed-demo.webm");
    std::fs::write(&path, &bytes)?;
    Ok(path.display().to_string())
}
