//! Compiles `resources/` (UI templates, CSS, the demo clip) into a GResource
//! bundle that the binary embeds.
fn main() {
    glib_build_tools::compile_resources(
        &["resources", "ui"],
        "resources/resources.gresource.xml",
        "framescope.gresource",
    );
}
