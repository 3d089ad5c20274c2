//! Writing the app's own files safely: to a temporary file in the same
//! folder, flushed to disk, then renamed over the old one, so a crash at any
//! moment leaves either the old content or the new, never half of either.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically (creating its folder).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)?;
    let temporary = folder.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    };
    let result = write();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// Moves a file that could not be read as what it should be out of the way
/// (`NAME.corrupt`), so it is kept for a person to look at.
pub fn set_aside(path: &Path) -> std::path::PathBuf {
    let mut aside = path.as_os_str().to_owned();
    aside.push(".corrupt");
    let aside = std::path::PathBuf::from(aside);
    let _ = std::fs::rename(path, &aside);
    aside
}
