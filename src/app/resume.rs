//! Where each file was left: the resume store behind "re-opening a file
//! resumes where it was left" and the recent-files menu. One JSON file,
//! `$XDG_STATE_HOME/framescope/positions.json` (by default
//! `~/.local/state/framescope/`), written atomically ([`crate::app::files`])
//! so a crash at any moment leaves either the old or the new list, never
//! half of one.
//! A file that cannot be read as that list is set aside as
//! `positions.json.corrupt` and the store starts empty.
//!
//! No secret is written down: an address holding one (a password, a token,
//! a pass phrase; see [`framescope::engine::redact_uri`]) is stored as its
//! redacted form for people plus `key`, a salted SHA-256 of the full
//! address, so the same address still resumes; such entries are left out of
//! the recent-files menu, which could not open them again. Files written by
//! older versions are cleaned up when read.

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
    /// The media's URI, redacted when it held a secret.
    pub uri: String,
    /// For a URI that held a secret: `sha256:` and the hex SHA-256 of the
    /// store's salt and the full URI, what the entry is found by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
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
    /// Random hex mixed into every `key`, so a key cannot be matched
    /// against guessed addresses without this file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub salt: String,
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
            Ok(mut store) => {
                if store.hide_secrets() {
                    // Written by an older version: no secret stays on disk.
                    if let Err(e) = store.save(path) {
                        tracing::warn!(
                            "the resume positions in {} could not be rewritten without secrets ({e})",
                            path.display()
                        );
                    }
                }
                store
            }
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
    /// Blocks on the disk: the app serialises with [`Store::to_bytes`] and
    /// writes with [`crate::app::files::save_in_background`].
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        crate::app::files::write_atomically(path, &self.to_bytes()?)
    }

    /// The file's content.
    pub fn to_bytes(&self) -> std::io::Result<Vec<u8>> {
        Ok(serde_json::to_vec_pretty(self)?)
    }

    /// The key an entry for `uri` holding a secret is found by.
    fn key_of(&self, uri: &str) -> String {
        let hash = glib::compute_checksum_for_string(
            glib::ChecksumType::Sha256,
            format!("{}\n{uri}", self.salt),
        )
        .map(|h| h.to_string())
        .unwrap_or_default();
        format!("sha256:{hash}")
    }

    /// Gives the store a salt if it has none.
    fn ensure_salt(&mut self) {
        if self.salt.is_empty() {
            self.salt = random_hex();
        }
    }

    /// Replaces URIs holding secrets by their redacted form and key;
    /// true when one was found.
    fn hide_secrets(&mut self) -> bool {
        let found: Vec<usize> = (0..self.entries.len())
            .filter(|&i| {
                let e = &self.entries[i];
                e.key.is_none() && framescope::engine::redact_uri(&e.uri) != e.uri
            })
            .collect();
        if found.is_empty() {
            return false;
        }
        self.ensure_salt();
        for i in found {
            let key = self.key_of(&self.entries[i].uri);
            let entry = &mut self.entries[i];
            entry.uri = framescope::engine::redact_uri(&entry.uri);
            entry.key = Some(key);
        }
        true
    }

    /// The entry remembered for `uri`.
    fn find(&self, uri: &str) -> Option<usize> {
        let key = self
            .entries
            .iter()
            .any(|e| e.key.is_some())
            .then(|| self.key_of(uri));
        self.entries.iter().position(|e| match &e.key {
            Some(k) => Some(k) == key.as_ref(),
            None => e.uri == uri,
        })
    }

    /// Where `uri` should start: its remembered position, when there is
    /// one worth resuming.
    pub fn resume_point(&self, uri: &str) -> Option<Duration> {
        let entry = &self.entries[self.find(uri)?];
        // The file is anyone's to edit: a position that is no time (a
        // huge number, say) is no resume point, never a panic.
        let limit = Duration::from_nanos(framescope::engine::MAX_TIME_NS);
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
        if let Some(old) = self.find(uri) {
            self.entries.remove(old);
        }
        let shown = framescope::engine::redact_uri(uri);
        let key = (shown != uri).then(|| {
            self.ensure_salt();
            self.key_of(uri)
        });
        self.entries.insert(
            0,
            Entry {
                uri: shown,
                key,
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
        if let Some(i) = self.find(uri) {
            self.entries[i].position = 0.0;
        }
    }

    /// The `n` most recently played URIs that can be opened again (not
    /// those stored without their secret).
    pub fn recent(&self, n: usize) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.key.is_none())
            .take(n)
            .map(|e| e.uri.clone())
            .collect()
    }
}

/// 128 random bits as hex, from the kernel (GLib's generator if that fails).
fn random_hex() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if read.is_err() {
        for chunk in bytes.chunks_mut(4) {
            chunk.copy_from_slice(&glib::random_int().to_ne_bytes());
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    fn secrets_are_not_written_down_but_the_same_uri_still_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("positions.json");
        let srt = "srt://127.0.0.1:9000?mode=caller&passphrase=SECRETPASS1234";
        let http = "http://user:pa/ss@127.0.0.1:8080/clip";
        let token = "https://127.0.0.1/clip.mp4?token=SECRETTOKEN";
        let mut store = Store::default();
        store.record("file:///a.mp4", secs(42), secs(600));
        for uri in [srt, http, token] {
            store.record(uri, secs(100), secs(600));
        }
        store.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for secret in ["SECRETPASS1234", "pa/ss", "SECRETTOKEN", "user"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("passphrase=***"), "{text}");
        let back = Store::load(&path);
        for uri in [srt, http, token] {
            assert_eq!(back.resume_point(uri), Some(secs(100)), "{uri}");
        }
        // Another pass phrase, or the redacted form itself, is another URI.
        assert_eq!(back.resume_point(&srt.replace("1234", "1235")), None);
        assert_eq!(
            back.resume_point("srt://127.0.0.1:9000?mode=caller&passphrase=***"),
            None
        );
        // The recent-files menu lists only what it can open again.
        assert_eq!(back.recent(10), ["file:///a.mp4"]);
        // Replaying one moves it up instead of adding another entry.
        let mut back = back;
        back.record(token, secs(200), secs(600));
        assert_eq!(back.entries.len(), 4);
        assert_eq!(back.resume_point(token), Some(secs(200)));
        back.forget_position(token);
        assert_eq!(back.resume_point(token), None);
        // Keys are salted per store.
        let mut other = Store::default();
        other.record(token, secs(100), secs(600));
        assert_ne!(other.entries[0].key, back.entries[0].key);
    }

    #[test]
    fn an_old_file_with_secrets_is_cleaned_when_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("positions.json");
        let token = "https://h/clip.mp4?token=SECRETTOKEN";
        std::fs::write(
            &path,
            format!(
                r#"{{"entries":[{{"uri":"{token}","position":90.0,"duration":600.0,"played_at":1}}]}}"#
            ),
        )
        .unwrap();
        let store = Store::load(&path);
        assert_eq!(store.resume_point(token), Some(secs(90)));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("SECRETTOKEN"), "{text}");
        assert_eq!(Store::load(&path).resume_point(token), Some(secs(90)));
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
