//! Preferences: a TOML file, `$XDG_CONFIG_HOME/framescope/preferences.toml`
//! (by default `~/.config/framescope/`), that a person may edit by hand or
//! through the Preferences window (Ctrl+,). Unknown keys are ignored,
//! missing ones take their defaults, values out of range are brought back
//! into it (with a warning), and a file that is not TOML is set aside as
//! `preferences.toml.corrupt`. The command line wins over the file. Saved
//! atomically; saving rewrites the file (comments in it are not kept).
//! The window is an `AdwPreferencesWindow`.

use adw::prelude::*;
use framescope::engine::VideoMode;
use framescope::i18n::gettext;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// What a person can choose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// Seconds the arrow keys and the scroll wheel seek (1 to 600).
    pub seek_step: f64,
    /// The speed media starts at (0.25 to 4).
    pub default_rate: f64,
    /// The video path: "auto", "gl" or "software".
    pub video_path: String,
    /// Show subtitles when the media has them.
    pub subtitles: bool,
    /// The subtitles' size in points (0: GStreamer's own, which follows
    /// the video's height; 6 to 96 otherwise).
    pub subtitle_size: f64,
    /// Start at the volume the player was left at.
    pub remember_volume: bool,
    /// The volume the player was left at (0 to 1; written by the player).
    pub volume: f64,
    /// Resume files where they were left.
    pub resume: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            seek_step: 5.0,
            default_rate: 1.0,
            video_path: "auto".into(),
            subtitles: true,
            subtitle_size: 0.0,
            remember_volume: true,
            volume: 1.0,
            resume: true,
        }
    }
}

/// The preferences file.
pub fn default_path() -> PathBuf {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| glib::home_dir().join(".config"));
    config.join("framescope").join("preferences.toml")
}

impl Preferences {
    /// Reads `path`: defaults when it is missing; see the module's comment
    /// for damaged files and values out of range.
    pub fn load(path: &Path) -> Preferences {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Preferences::default(),
            Err(e) => {
                tracing::warn!(
                    "the preferences in {} could not be read ({e}); using the defaults",
                    path.display()
                );
                return Preferences::default();
            }
        };
        match toml::from_str::<Preferences>(&text) {
            Ok(mut prefs) => {
                for problem in prefs.bring_into_range() {
                    tracing::warn!("preferences in {}: {problem}", path.display());
                }
                prefs
            }
            Err(e) => {
                let aside = crate::app::files::set_aside(path);
                tracing::warn!(
                    "the preferences in {} are not valid TOML ({}); kept as {} and using the defaults",
                    path.display(),
                    e.message(),
                    aside.display()
                );
                Preferences::default()
            }
        }
    }

    /// Writes the preferences to `path` atomically (blocks on the disk).
    #[cfg(test)]
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = toml::to_string_pretty(self).map_err(std::io::Error::other)?;
        crate::app::files::write_atomically(path, text.as_bytes())
    }

    /// Serialises the preferences here and has the state-file writer
    /// thread write them to `path` (a slider's every step saves: the main
    /// thread never waits for the disk).
    pub fn save_in_background(&self, path: &Path) {
        match toml::to_string_pretty(self) {
            Ok(text) => {
                crate::app::files::save_in_background(path, text.into_bytes(), "the preferences")
            }
            Err(e) => tracing::warn!("the preferences could not be written out ({e})"),
        }
    }

    /// Clamps every value into its range; returns a sentence per change.
    fn bring_into_range(&mut self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut clamp = |name: &str, value: &mut f64, low: f64, high: f64| {
            let fixed = if value.is_finite() {
                value.clamp(low, high)
            } else {
                low.max(1.0).min(high)
            };
            if fixed != *value {
                problems.push(format!(
                    "{name} {value} is out of range ({low} to {high}); {fixed} is used"
                ));
                *value = fixed;
            }
        };
        clamp("seek_step", &mut self.seek_step, 1.0, 600.0);
        clamp("default_rate", &mut self.default_rate, 0.25, 4.0);
        clamp("volume", &mut self.volume, 0.0, 1.0);
        if self.subtitle_size != 0.0 {
            clamp("subtitle_size", &mut self.subtitle_size, 6.0, 96.0);
        }
        if self.video_mode().is_none() {
            problems.push(format!(
                "video_path \"{}\" is not auto, gl or software; auto is used",
                self.video_path
            ));
            self.video_path = "auto".into();
        }
        problems
    }

    /// The subtitle font as a Pango description ("Sans 24"), when a size
    /// is chosen.
    pub fn subtitle_font(&self) -> Option<String> {
        (self.subtitle_size > 0.0).then(|| format!("Sans {}", self.subtitle_size.round()))
    }

    /// The video path as the engine names it.
    pub fn video_mode(&self) -> Option<VideoMode> {
        match self.video_path.as_str() {
            "auto" | "gl" | "software" => self.video_path.parse().ok(),
            _ => None,
        }
    }
}

/// A row of the Preferences window: a title, a hint and a control.
fn row(title: &str, hint: &str, control: &impl IsA<gtk::Widget>) -> adw::ActionRow {
    let row = adw::ActionRow::builder()
        .title(title)
        .subtitle(hint)
        .build();
    control.set_valign(gtk::Align::Center);
    row.add_suffix(control);
    row
}

/// A switch row: the whole row toggles the switch.
fn switch_row(title: &str, hint: &str, active: bool) -> (adw::ActionRow, gtk::Switch) {
    let switch = gtk::Switch::builder().active(active).build();
    let row = row(title, hint, &switch);
    row.set_activatable_widget(Some(&switch));
    (row, switch)
}

/// The Preferences window (an `AdwPreferencesWindow`): each change is
/// applied through `changed` and saved at once.
pub fn show_window(
    parent: &gtk::Window,
    prefs: &Rc<RefCell<Preferences>>,
    path: &Path,
    changed: impl Fn(&Preferences) + 'static,
) {
    let current = prefs.borrow().clone();
    let seek = gtk::SpinButton::with_range(1.0, 600.0, 1.0);
    seek.set_value(current.seek_step);
    let rate = gtk::SpinButton::with_range(0.25, 4.0, 0.25);
    rate.set_digits(2);
    rate.set_value(current.default_rate);
    let paths = ["auto", "gl", "software"];
    let video = adw::ComboRow::builder()
        .title(gettext("Video path"))
        .subtitle(gettext("For media opened from now on"))
        .model(&gtk::StringList::new(&[
            &gettext("Automatic"),
            &gettext("OpenGL"),
            &gettext("Software"),
        ]))
        .selected(
            paths
                .iter()
                .position(|p| *p == current.video_path)
                .unwrap_or(0) as u32,
        )
        .build();
    let size = gtk::SpinButton::with_range(0.0, 96.0, 2.0);
    size.set_value(current.subtitle_size);
    let (subtitles_row, subtitles) = switch_row(
        &gettext("Show subtitles"),
        &gettext("When the media has them"),
        current.subtitles,
    );
    let (volume_row, volume) = switch_row(
        &gettext("Remember volume"),
        &gettext("Start at the volume it was left at"),
        current.remember_volume,
    );
    let (resume_row, resume) = switch_row(
        &gettext("Resume files"),
        &gettext("Start again where a file was left"),
        current.resume,
    );

    let playback = adw::PreferencesGroup::builder()
        .title(gettext("Playback"))
        .build();
    playback.add(&row(
        &gettext("Seek step"),
        &gettext("Seconds the arrow keys and the scroll wheel jump"),
        &seek,
    ));
    playback.add(&row(
        &gettext("Default speed"),
        &gettext("The speed media starts at"),
        &rate,
    ));
    playback.add(&video);
    playback.add(&volume_row);
    playback.add(&resume_row);
    let subtitle_group = adw::PreferencesGroup::builder()
        .title(gettext("Subtitles"))
        .build();
    subtitle_group.add(&subtitles_row);
    subtitle_group.add(&row(
        &gettext("Subtitle size"),
        &gettext("In points; 0 follows the video's size"),
        &size,
    ));
    let page = adw::PreferencesPage::builder()
        .title(gettext("General"))
        .icon_name("preferences-system-symbolic")
        .build();
    page.add(&playback);
    page.add(&subtitle_group);
    let window = adw::PreferencesWindow::builder()
        .title(gettext("Preferences"))
        .transient_for(parent)
        .modal(true)
        .search_enabled(false)
        .default_width(560)
        .default_height(600)
        .build();
    window.add(&page);

    let changed = Rc::new(changed);
    let save = {
        let prefs = prefs.clone();
        let path = path.to_path_buf();
        let (seek, rate, video, subtitles, size, volume, resume) = (
            seek.clone(),
            rate.clone(),
            video.clone(),
            subtitles.clone(),
            size.clone(),
            volume.clone(),
            resume.clone(),
        );
        move || {
            let mut p = prefs.borrow_mut();
            p.seek_step = seek.value();
            p.default_rate = rate.value();
            p.video_path = paths[(video.selected() as usize).min(2)].to_string();
            p.subtitles = subtitles.is_active();
            p.subtitle_size = size.value();
            p.remember_volume = volume.is_active();
            p.resume = resume.is_active();
            p.save_in_background(&path);
            changed(&p);
        }
    };
    let save = Rc::new(save);
    let s = save.clone();
    seek.connect_value_changed(move |_| s());
    let s = save.clone();
    rate.connect_value_changed(move |_| s());
    let s = save.clone();
    video.connect_selected_notify(move |_| s());
    let s = save.clone();
    size.connect_value_changed(move |_| s());
    for switch in [&subtitles, &volume, &resume] {
        let s = save.clone();
        switch.connect_active_notify(move |_| s());
    }
    window.present();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_gives_the_defaults_and_a_saved_one_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("framescope/preferences.toml");
        assert_eq!(Preferences::load(&path), Preferences::default());
        let prefs = Preferences {
            seek_step: 10.0,
            video_path: "software".into(),
            subtitles: false,
            volume: 0.3,
            ..Preferences::default()
        };
        prefs.save(&path).unwrap();
        assert_eq!(Preferences::load(&path), prefs);
        assert_eq!(prefs.video_mode(), Some(VideoMode::Software));
        assert_eq!(prefs.subtitle_font(), None);
        let sized = Preferences {
            subtitle_size: 24.0,
            ..prefs
        };
        assert_eq!(sized.subtitle_font().as_deref(), Some("Sans 24"));
    }

    #[test]
    fn hand_written_files_are_forgiven() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("preferences.toml");
        // Partial, out of range, unknown keys, a bad video path.
        std::fs::write(
            &path,
            "seek_step = 9999\nvolume = -1\ncolour = \"blue\"\nvideo_path = \"vulkan\"\n",
        )
        .unwrap();
        let prefs = Preferences::load(&path);
        assert_eq!(prefs.seek_step, 600.0);
        assert_eq!(prefs.volume, 0.0);
        assert_eq!(prefs.video_path, "auto");
        assert_eq!(prefs.default_rate, 1.0);
        // Not TOML at all: set aside, defaults used.
        std::fs::write(&path, "seek_step = = 3").unwrap();
        assert_eq!(Preferences::load(&path), Preferences::default());
        assert!(!path.exists());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("preferences.toml.corrupt")).unwrap(),
            "seek_step = = 3"
        );
    }
}
