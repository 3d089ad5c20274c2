//! The screenshot action (key `s`): saves the frame on screen as a PNG at its
//! native resolution, named after the media and the frame's PTS, in the
//! screenshot folder (`--screenshot-dir`, by default Pictures/Framescope).
//! The frame is decoded again headless, so it is the exact picture at full
//! size whatever the window shows, and the window never waits for it.

use framescope::engine::precise;
use framescope::engine::{snapshot, write_snapshot as write};
use framescope::i18n::{gettext, tr};
use framescope::widget::PlayerView;
use std::path::{Path, PathBuf};

/// The default folder: the user's Pictures folder (or home), `Framescope`.
pub fn default_dir() -> PathBuf {
    glib::user_special_dir(glib::UserDirectory::Pictures)
        .unwrap_or_else(glib::home_dir)
        .join("Framescope")
}

/// `clip 0-01-02.345.png` for the frame at 1:02.345 of "clip.mp4".
pub fn file_name(title: &str, pts: gst::ClockTime) -> String {
    let stem = Path::new(title)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| title.to_string());
    let stem: String = stem
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    format!("{stem} {}.png", precise(pts).replace(':', "-"))
}

/// Saves the frame on screen in `dir`, reporting through `tell` (the
/// window's toasts).
pub fn take(view: &PlayerView, dir: &Path, tell: impl Fn(&str) + 'static) {
    let player = view.player();
    let (Some(uri), Ok(pts)) = (player.uri(), u64::try_from(player.frame_pts())) else {
        tell(&gettext("There is no video frame on screen to save."));
        return;
    };
    let pts = gst::ClockTime::from_nseconds(pts);
    let title = player.title().unwrap_or_else(|| uri.clone());
    let path = dir.join(file_name(&title, pts));
    if let Err(e) = std::fs::create_dir_all(dir) {
        tell(&tr(
            "The screenshot folder {folder} could not be created ({error}); choose another with --screenshot-dir.",
            &[("folder", &dir.display().to_string()), ("error", &e.to_string())],
        ));
        return;
    }
    let (reply, answer) = futures_channel::oneshot::channel();
    let target = path.clone();
    std::thread::spawn(move || {
        let result = snapshot(&uri, pts, false).and_then(|shot| write(&shot, &target));
        let _ = reply.send(result);
    });
    glib::MainContext::default().spawn_local(async move {
        match answer.await {
            Ok(Ok(())) => tell(&tr(
                "Screenshot saved: {file}",
                &[("file", &path.display().to_string())],
            )),
            Ok(Err(e)) => tell(&e.message),
            Err(_) => tell(&gettext("The screenshot could not be taken.")),
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_carry_media_and_time() {
        let t = gst::ClockTime::from_mseconds(62_345);
        assert_eq!(super::file_name("clip.mp4", t), "clip 1-02.345.png");
        assert_eq!(super::file_name("a/b", t), "b 1-02.345.png");
    }
}
