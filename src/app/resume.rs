//! Where each file was left: the resume store behind "re-opening a file
//! resumes where it was left" and the recent-files menu. One JSON file,
//! `$XDG_STATE_HOME/framescope/positions.json` (by default
//! `~/.local/state/framescope/`), written atomically ([`crate::app::files`])
//! so a crash at any moment leaves either the old or the new list, never
//! half of one.
//! A file that cannot be read as that list is set aside as
//! `positions.json.corrupt` and the store starts empty.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Positions closer than this to the start are not worth resuming, and
/// this close to the end count as watched to the end (for media shorter
/// than 50 s, a tenth of its duration instead).
pub const MARGIN: Duration = Duration::from_secs(5);
/// How many files the store remembers (the least recently played go first).
pub const CAPACITY: usize = 200;

/// One remembered file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The media's URI.
    pub uri: String,
    /// Where it was left, in seconds (0 when it was watched to the end).
    pub position: f64,
    /// Its duration in seconds (0 when unknown).
    pub duration: f64,
    /// When it was last played, in seconds since the Unix epoch.
    pub played_at: u64,
}

/// The remembered files, most recently played first.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Store {
    /// The entries, most recent first.
    pub entries: Vec<Entry>,
}

/// The store's file: `$XDG_STATE_HOME/framescope/positions.json`.
pub fn default_path() -> PathBuf {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| glib::home_dir().join(".local/state"));
    state.join("framescope").join("positions.json")
}

impl Store {
    /// Reads the store at `path`; a missing file is an empty store, an
    /// unreadable one is set aside (with a warning) and an empty store used.
    pub fn load(path: &Path) -> Store {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Store::default(),
            Err(e) => {
                tracing::warn!(
                    "the resume positions in {} could not be read ({e}); starting without them",
                    path.display()
                );
                return Store::default();
            }
        };
        match serde_json::from_str::<Store>(&text) {
            Ok(store) => store,
            Err(e) => {
                let aside = crate::app::files::set_aside(path);
                tracing::warn!(
                    "the resume positions in {} are damaged ({e}); kept as {} and starting afresh",
                    path.display(),
                    aside.display()
                );
                Store::default()
            }
        }
    }

    /// Writes the store to `path` atomically (see the module's comment).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        crate::app::files::write_atomically(path, &serde_json::to_vec_pretty(self)?)
    }

    /// Where `uri` should start: its remembered position, when there is
    /// one worth resuming.
    pub fn resume_point(&self, uri: &str) -> Option<Duration> {
        let entry = self.entries.iter().find(|e| e.uri == uri)?;
        // The file is anyone's to edit: a position that is no time (a
        // huge number, say) is no resume point, never a panic.
        let limit = Duration::from_nanos(framescope::engine::timefmt::MAX_TIME_NS);
        Duration::try_from_secs_f64(entry.position)
            .ok()
            .filter(|at| !at.is_zero() && *at <= limit)
    }

    /// Records that `uri` was left at `position` of `duration` (zero when
    /// unknown) and makes it the most recent. Near the end it is recorded
    /// as watched (position 0), so it starts from the beginning next time.
    pub fn record(&mut self, uri: &str, position: Duration, duration: Duration) {
        let margin = if duration.is_zero() {
            MARGIN
        } else {
            MARGIN.min(duration / 10)
        };
        let finished = !duration.is_zero() && position.saturating_add(margin) >= duration;
        let position = if finished || position < margin {
            0.0
        } else {
            position.as_secs_f64()
        };
        self.entries.retain(|e| e.uri != uri);
        self.entries.insert(
            0,
            Entry {
                uri: uri.to_string(),
                position,
                duration: duration.as_secs_f64(),
                played_at: SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs()),
            },
        );
        self.entries.truncate(CAPACITY);
    }

    /// Forgets where `uri` was left (it stays among the recent files).
    pub fn forget_position(&mut self, uri: &str) {
        if let Some(entry) = self.entries.iter_mut().find(|e| e.uri == uri) {
            entry.position = 0.0;
        }
    }

    /// The `n` most recently played URIs.
    pub fn recent(&self, n: usize) -> Vec<String> {
        self.entries.iter().take(n).map(|e| e.uri.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn positions_round_trip_and_the_most_recent_comes_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/framescope/positions.json");
        let mut store = Store::default();
        store.record("file:///a.mp4", secs(42), secs(600));
        store.record("file:///b.mp4", secs(10), secs(0));
        store.save(&path).unwrap();
        let back = Store::load(&path);
        assert_eq!(back, store);
        assert_eq!(back.recent(5), ["file:///b.mp4", "file:///a.mp4"]);
        assert_eq!(back.resume_point("file:///a.mp4"), Some(secs(42)));
        assert_eq!(back.resume_point("file:///b.mp4"), Some(secs(10)));
        assert_eq!(back.resume_point("file:///c.mp4"), None);
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["positions.json"]);
    }

    #[test]
    fn the_start_and_the_end_are_not_resumed() {
        let mut store = Store::default();
        store.record("file:///start.mp4", secs(3), secs(600));
        store.record("file:///end.mp4", secs(597), secs(600));
        assert_eq!(store.resume_point("file:///start.mp4"), None);
        assert_eq!(store.resume_point("file:///end.mp4"), None);
        // Both stay among the recent files.
        assert_eq!(store.recent(5).len(), 2);
        // A short clip: a tenth of it at either end.
        store.record("file:///short.mp4", secs(3), secs(12));
        assert_eq!(store.resume_point("file:///short.mp4"), Some(secs(3)));
        store.record("file:///short.mp4", secs(11), secs(12));
        assert_eq!(store.resume_point("file:///short.mp4"), None);
        store.record("file:///short.mp4", Duration::from_millis(900), secs(12));
        assert_eq!(store.resume_point("file:///short.mp4"), None);
        store.record("file:///mid.mp4", secs(300), secs(600));
        store.forget_position("file:///mid.mp4");
        assert_eq!(store.resume_point("file:///mid.mp4"), None);
    }

    #[test]
    fn replaying_moves_an_entry_up_and_the_store_is_bounded() {
        let mut store = Store::default();
        for i in 0..(CAPACITY + 20) {
            store.record(&format!("file:///{i}.mp4"), secs(60), secs(600));
        }
        assert_eq!(store.entries.len(), CAPACITY);
        store.record("file:///30.mp4", secs(61), secs(600));
        assert_eq!(store.entries.len(), CAPACITY);
        assert_eq!(store.recent(1), ["file:///30.mp4"]);
        assert_eq!(
            store
                .entries
                .iter()
                .filter(|e| e.uri == "file:///30.mp4")
                .count(),
            1
        );
    }

    #[test]
    fn a_damaged_file_is_set_aside_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("positions.json");
        std::fs::write(&path, "{\"entries\": [ half a li").unwrap();
        let store = Store::load(&path);
        assert!(store.entries.is_empty());
        assert!(!path.exists());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("positions.json.corrupt")).unwrap(),
            "{\"entries\": [ half a li"
        );
    }

    #[test]
    fn a_failed_save_leaves_the_old_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("positions.json");
        let mut store = Store::default();
        store.record("file:///a.mp4", secs(42), secs(600));
        store.save(&path).unwrap();
        let before = std::fs::read(&path).unwrap();
        // The target is now a folder: the rename fails.
        let blocked = dir.path().join("blocked.json");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("x"), "x").unwrap();
        store.record("file:///b.mp4", secs(50), secs(600));
        assert!(store.save(&blocked).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let leftovers = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .count();
        assert_eq!(leftovers, 0);
    }
}
