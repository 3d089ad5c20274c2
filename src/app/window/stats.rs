//! `--stats-json`: what the main window writes at exit (the player's
//! statistics summed over the items played, the queue, the tracks, the
//! volume, errors and what kiosk mode did), redacted and written atomically.

use super::MainWindow;
use adw::prelude::*;
use adw::subclass::prelude::*;
use framescope::engine::{Player, TrackKind};
use serde::Serialize;

/// What `--stats-json` writes (and `framescope ctl stats --json` prints).
#[derive(Serialize)]
struct StatsReport {
    /// The player's state: stopped, loading, buffering, paused, playing or
    /// error.
    state: &'static str,
    uri: Option<String>,
    /// Where playback is (seconds from the media's start), the PTS and
    /// number of the frame on screen (`null`/-1 when none) and the rate.
    position_s: f64,
    frame_pts_s: Option<f64>,
    frame_number: i64,
    rate: f64,
    rendered: u64,
    dropped: u64,
    played_seconds: f64,
    /// Seconds from the process's start to the first frame handed to GTK
    /// for display (null when none was).
    first_frame_s: Option<f64>,
    video_path: Option<&'static str>,
    items_played: usize,
    /// The queue at exit (display names, in order), the item playing
    /// (-1 for none), and its repeat and shuffle settings.
    queue: Vec<String>,
    queue_index: i32,
    repeat: &'static str,
    shuffle: bool,
    error: Option<String>,
    /// Watchdog restarts, errors met (recovered or not) and stalls.
    restarts: u32,
    errors: u32,
    stalls: u32,
    /// The largest step between consecutive frames at the video sink, in
    /// running time (ms): a gap at a loop point shows here.
    max_frame_step_ms: Option<f64>,
    /// The same across loop seams only, and how many seams were crossed.
    max_loop_seam_step_ms: Option<f64>,
    loop_seams: u64,
    /// Frames that reached the video sink in the current item, counted one
    /// by one (a check on `rendered` + `dropped`).
    frames_at_sink: u64,
    /// The audio and subtitle tracks playing at the end (their numbers;
    /// -1 for none, subtitles off).
    audio_track: i32,
    subtitle_track: i32,
    /// The external subtitle files added (file names) and the one loaded.
    subtitle_files: Vec<String>,
    subtitle_file: Option<String>,
    /// The volume at exit (0 to 1).
    volume: f64,
    /// Adaptive streams: the variant chosen in the Quality menu (-1 for
    /// automatic), and the height of the picture playing at exit.
    chosen_variant: i32,
    video_height: Option<u32>,
    /// Live streams: how far playback was behind the newest point it can
    /// seek to (the live edge), in seconds, at exit.
    behind_live_edge_s: Option<f64>,
    /// What kiosk mode did (with `--kiosk`).
    #[serde(skip_serializing_if = "Option::is_none")]
    kiosk: Option<crate::app::kiosk::KioskReport>,
}

pub(super) fn track_number(player: &Player, kind: TrackKind) -> i32 {
    player.current_track(kind).map_or(-1, |i| i as i32)
}

impl MainWindow {
    /// Writes the `--stats-json` file, when asked for.
    pub(super) fn write_stats(&self) {
        let setup = self.setup();
        let Some(path) = setup.options.stats_json.as_ref() else {
            return;
        };
        let json = self.stats_report_json();
        let result = crate::app::files::write_atomically(path, (json + "\n").as_bytes());
        if let Err(e) = result {
            eprintln!(
                "framescope: {}",
                framescope::i18n::tr(
                    "could not write statistics to {file}: {error}; check that the folder exists and is writable.",
                    &[("file", &path.display().to_string()), ("error", &e.to_string())],
                )
            );
            if setup.exit_code.get() == 0 {
                setup.exit_code.set(1);
            }
        }
    }

    /// The statistics report as JSON, redacted: what `--stats-json` writes
    /// and the remote control's `Stats` returns.
    pub(super) fn stats_report_json(&self) -> String {
        let (imp, setup) = (self.imp(), self.setup());
        let player = self.view().player();
        let stats = player.stats();
        let (seam, loop_seams) = player.max_loop_seam_step();
        let (r, d, s) = imp.totals.get();
        let report = StatsReport {
            state: framescope::control::state_name(player.state()),
            position_s: player.position() as f64 / 1e9,
            frame_pts_s: (player.frame_pts() >= 0).then(|| player.frame_pts() as f64 / 1e9),
            frame_number: player.frame_number(),
            rate: player.rate(),
            uri: player.uri().map(|u| framescope::engine::redact_uri(&u)),
            rendered: r + stats.rendered,
            dropped: d + stats.dropped,
            played_seconds: s + stats.played_seconds,
            first_frame_s: imp.first_frame.get(),
            video_path: stats.video_path.map(|p| p.nick()),
            items_played: imp.played.get(),
            queue: (0..player.playlist().n_items())
                .filter_map(|i| player.playlist().item(i))
                .filter_map(|item| item.downcast::<framescope::engine::PlaylistItem>().ok())
                .map(|item| item.display_title())
                .collect(),
            queue_index: player.current_index(),
            repeat: match player.repeat() {
                framescope::engine::Repeat::None => "none",
                framescope::engine::Repeat::One => "one",
                framescope::engine::Repeat::All => "all",
            },
            shuffle: player.shuffle(),
            error: imp.last_error.borrow().as_ref().map(|e| e.message.clone()),
            restarts: player.restarts(),
            errors: player.errors(),
            stalls: player.stalls(),
            max_frame_step_ms: player.max_frame_step().map(|t| t.nseconds() as f64 / 1e6),
            max_loop_seam_step_ms: seam.map(|t| t.nseconds() as f64 / 1e6),
            loop_seams,
            frames_at_sink: player.frames_at_sink(),
            audio_track: imp.tracks_playing.get().0,
            subtitle_track: imp.tracks_playing.get().1,
            subtitle_files: player
                .subtitle_files()
                .iter()
                .map(|u| crate::app::track_menu::file_name(u))
                .collect(),
            subtitle_file: player
                .subtitle_file()
                .map(|u| crate::app::track_menu::file_name(&u)),
            volume: player.volume(),
            chosen_variant: player.chosen_variant().map_or(-1, |i| i as i32),
            video_height: player.video_size().map(|s| s.height),
            behind_live_edge_s: player
                .is_live_stream()
                .then(|| player.seekable_range())
                .flatten()
                .map(|(_, end)| (end.nseconds() as f64 - player.position() as f64) / 1e9),
            kiosk: setup.kiosk.as_ref().map(|k| k.get()),
        };
        let json = serde_json::to_string_pretty(&report).unwrap_or_default();
        // Every field is redacted already; this catches any future one.
        framescope::engine::redact_text(&json)
    }

    /// Folds the statistics of the item being left into the totals.
    pub(super) fn accumulate_totals(&self) {
        let stats = self.view().player().stats();
        let totals = &self.imp().totals;
        let (r, d, s) = totals.get();
        totals.set((
            r + stats.rendered,
            d + stats.dropped,
            s + stats.played_seconds,
        ));
    }
}
