//! Compiles `resources/` (UI templates, CSS, the demo clip) into a GResource
//! bundle that the library embeds, and, for the `app` feature, the app's
//! own templates (`src/app/`) into a second bundle the executable embeds.
fn main() {
    glib_build_tools::compile_resources(
        &["resources", "ui"],
        "resources/resources.gresource.xml",
        "framescope.gresource",
    );
    if std::env::var_os("CARGO_FEATURE_APP").is_some() {
        glib_build_tools::compile_resources(
            &["src/app/window", "data/icons/hicolor"],
            "resources/app.gresource.xml",
            "framescope-app.gresource",
        );
    }
}
