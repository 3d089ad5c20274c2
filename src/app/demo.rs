//! The embedded demo clip. GStreamer cannot read `resource://` URIs, so the
//! clip is copied from the compiled-in resources to the user's cache folder
//! once and played from there. Regenerate it with `scripts/make-demo-clip.sh`.

use anyhow::{Context, Result};
use std::path::PathBuf;

const RESOURCE: &str = "/org/framescope/Framescope/demo.webm";

/// Returns the path of the demo clip, writing it to the cache if needed.
pub fn demo_clip() -> Result<PathBuf> {
    framescope::widget::ensure_resources();
    let bytes = gio::resources_lookup_data(RESOURCE, gio::ResourceLookupFlags::NONE)
        .context("the demo clip is missing from this build's resources")?;
    // One folder per clip version; the file name doubles as the window title.
    let dir = glib::user_cache_dir()
        .join("framescope")
        .join(format!("demo-{}", bytes.len()));
    let path = dir.join("Framescope demo.webm");
    if std::fs::metadata(&path).map(|m| m.len() as usize).ok() != Some(bytes.len()) {
        crate::app::files::write_atomically(&path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(path)
}
