//! What the main window does per queue item and with the queue: the
//! player's signals (each handler holding the window weakly), `--start` and
//! `--sub` for the first item, resume points and the "start from the
//! beginning" button, errors (`--exit-at-end`, the Sign In dialog, moving
//! past a failed item), MPRIS's hooks, and `finish`, which writes what must
//! outlive the player.

use super::{stats::track_number, MainWindow, Resume};
use adw::prelude::*;
use adw::subclass::prelude::*;
use framescope::engine::{Player, PlayerState, TrackKind};
use gtk::glib;

/// How long the "start from the beginning" button stays after a resume.
const START_OVER_SHOWN: std::time::Duration = std::time::Duration::from_secs(8);
/// How long a failed item's error stays up before the queue moves on.
const SKIP_FAILED_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

impl MainWindow {
    /// The player's signals, each handler holding the window weakly.
    pub(super) fn connect_player(&self, player: &Player) {
        let weak = self.downgrade();
        player.connect_title_notify(move |p| {
            let Some(window) = weak.upgrade() else { return };
            let title = p
                .title()
                .map(|t| format!("{t} — Framescope"))
                .unwrap_or_else(|| "Framescope".into());
            window.set_title(Some(&title));
        });
        let weak = self.downgrade();
        player.connect_item_loading(move |p, _| {
            let Some(w) = weak.upgrade() else { return };
            // The item being left: fold its statistics in and note where it was.
            if p.uri().is_some() {
                w.accumulate_totals();
                w.remember_position();
            }
            w.imp().item_setup_pending.set(true);
        });
        let weak = self.downgrade();
        player.connect_current_index_notify(move |p| {
            let Some(w) = weak.upgrade() else { return };
            if p.current_index() >= 0 && w.imp().item_setup_pending.replace(false) {
                w.set_up_item();
            }
        });
        let weak = self.downgrade();
        player.connect_item_ended(move |_, _| {
            let Some(w) = weak.upgrade() else { return };
            let played = &w.imp().played;
            played.set(played.get() + 1);
            w.remember_finished();
        });
        let weak = self.downgrade();
        // `eos` comes only when nothing follows in the queue.
        player.connect_eos(move |_| {
            let Some(w) = weak.upgrade() else { return };
            if w.setup().options.exit_at_end {
                w.quit();
            }
        });
        let weak = self.downgrade();
        player.connect_error(move |p, error| {
            let Some(w) = weak.upgrade() else { return };
            w.imp().last_error.replace(Some(error.clone()));
            if w.setup().options.exit_at_end {
                eprintln!("framescope: {}", error.message);
                w.setup().exit_code.set(1);
                w.quit();
            } else if error.needs_credentials && w.setup().kiosk.is_none() {
                w.ask_for_credentials(p);
            } else {
                w.skip_failed_item();
            }
        });
        player.connect_warning(|_, text| tracing::warn!("{text}"));
        let weak = self.downgrade();
        player.connect_tracks_changed(move |p| {
            let Some(w) = weak.upgrade() else { return };
            let imp = w.imp();
            if imp.subtitles_off_pending.get() && !p.tracks_of(TrackKind::Subtitle).is_empty() {
                imp.subtitles_off_pending.set(false);
                let _ = p.select_track(TrackKind::Subtitle, None);
            }
            if p.pipeline().is_some() {
                imp.tracks_playing.set((
                    track_number(p, TrackKind::Audio),
                    track_number(p, TrackKind::Subtitle),
                ));
            }
        });
    }

    /// Quits: what must be saved is written now (the window and its player
    /// go at shutdown, see `Application::shutdown`).
    pub fn quit(&self) {
        self.finish();
        if let Some(app) = self.application() {
            app.quit();
        }
    }

    /// Writes, once, what must outlive the window's player: where the item
    /// was left, the volume and the `--stats-json` file.
    pub fn finish(&self) {
        if self.imp().finished.replace(true) {
            return;
        }
        self.remember_position();
        self.remember_volume();
        self.write_stats();
    }

    /// Sets up the item just loaded: `--start` and `--sub` (first item
    /// only), the subtitle preference, and the resume point.
    fn set_up_item(&self) {
        let (imp, setup) = (self.imp(), self.setup());
        let player = self.view().player();
        let Some(uri) = player.uri() else { return };
        let first = !imp.first_item_set_up.replace(true);
        let start = setup.options.start.filter(|_| first);
        let subtitle_files: Vec<String> = if first {
            setup
                .options
                .subtitle_files
                .iter()
                .map(|p| framescope::engine::path_to_uri(p))
                .collect()
        } else {
            Vec::new()
        };
        // Subtitles off by preference, unless a file was asked for by name.
        imp.subtitles_off_pending
            .set(!setup.prefs.borrow().subtitles && subtitle_files.is_empty());
        if !subtitle_files.is_empty() {
            player.add_subtitle_files(&subtitle_files);
        }
        if let Some(ns) = start {
            player.seek(gst::ClockTime::from_nseconds(ns));
        } else if let Some(at) = self.resume_point(&uri) {
            player.seek(clock_time_of(at));
            self.offer_start_over(at);
        }
    }

    /// Where `uri` was left, when resuming is on and it is worth resuming.
    fn resume_point(&self, uri: &str) -> Option<std::time::Duration> {
        self.setup()
            .resume
            .as_ref()?
            .store
            .borrow()
            .resume_point(uri)
    }

    /// Says where playback resumed and shows the "start from the
    /// beginning" button for a few seconds.
    fn offer_start_over(&self, at: std::time::Duration) {
        let at = framescope::engine::format_time(clock_time_of(at).nseconds());
        self.view().show_message(&framescope::i18n::tr(
            "Resumed at {time}; Home starts from the beginning",
            &[("time", &at)],
        ));
        if let Some(button) = self.imp().start_over.get() {
            button.set_visible(true);
            let weak = button.downgrade();
            glib::timeout_add_local_once(START_OVER_SHOWN, move || {
                if let Some(button) = weak.upgrade() {
                    button.set_visible(false);
                }
            });
        }
    }

    /// Back to the start of the item, and its resume point forgotten.
    pub(super) fn start_over(&self) {
        let player = self.view().player();
        if let (Some(resume), Some(uri)) = (self.setup().resume.as_ref(), player.uri()) {
            resume.store.borrow_mut().forget_position(&uri);
        }
        player.seek(gst::ClockTime::ZERO);
        if let Some(button) = self.imp().start_over.get() {
            button.set_visible(false);
        }
    }

    /// Saves where the item on screen is, when it is somewhere definite:
    /// media that seeks, opened and settled (not mid-seek, mid-restart or
    /// failed).
    pub(super) fn remember_position(&self) {
        let Some(resume) = self.setup().resume.as_ref() else {
            return;
        };
        let player = self.view().player();
        let Some(uri) = player.uri() else { return };
        // (An address holding a secret is stored without it: see `resume`.)
        let definite = matches!(player.state(), PlayerState::Playing | PlayerState::Paused)
            && player.seekable()
            && player.is_settled();
        // A custom pipeline's URI means nothing after this run: neither a
        // resume point nor a recent item.
        if !definite || framescope::engine::is_custom_pipeline_uri(&uri) {
            return;
        }
        let position = std::time::Duration::from_nanos(player.position());
        let duration = std::time::Duration::from_nanos(player.duration());
        let mark = (uri.clone(), position.as_secs());
        if resume.saved.borrow().as_ref() == Some(&mark) {
            return;
        }
        let was_recent = resume.store.borrow().recent(1).first() == Some(&uri);
        resume.store.borrow_mut().record(&uri, position, duration);
        save_resume(resume);
        resume.saved.replace(Some(mark));
        if !was_recent {
            self.refresh_recent_menu();
        }
    }

    /// Saves the volume for next time, when the preferences want that.
    fn remember_volume(&self) {
        let setup = self.setup();
        let volume = self.view().player().volume();
        let mut prefs = setup.prefs.borrow_mut();
        if !prefs.remember_volume || (prefs.volume - volume).abs() < 1e-6 {
            return;
        }
        prefs.volume = volume;
        prefs.save_in_background(&setup.prefs_path);
    }

    /// The item played to its end: next time it starts at the beginning.
    fn remember_finished(&self) {
        let resume = self.setup().resume.as_ref();
        let (Some(resume), Some(uri)) = (resume, self.view().player().uri()) else {
            return;
        };
        let had_position = resume.store.borrow().resume_point(&uri).is_some();
        if had_position {
            resume.store.borrow_mut().forget_position(&uri);
            save_resume(resume);
        }
        resume.saved.replace(None);
    }

    /// The server wants a user name and password: ask, then open the item
    /// again with them (in place of the queue item, so the queue goes on
    /// from it).
    fn ask_for_credentials(&self, player: &Player) {
        let Some(uri) = player.uri() else { return };
        let weak = self.downgrade();
        crate::app::credentials::ask(self.upcast_ref(), &uri, move |address| {
            let Some(window) = weak.upgrade() else { return };
            let player = window.view().player();
            let store = player.playlist();
            match u32::try_from(player.current_index()) {
                Ok(index) if index < store.n_items() => {
                    let item = framescope::engine::PlaylistItem::new(&address);
                    store.splice(index, 1, &[item]);
                    player.set_current_index(index as i32);
                }
                _ => player.open(&address),
            }
            player.play();
        });
    }

    /// The current item failed for good: after a moment (so its error can
    /// be read, and a list of dead items never spins) the queue goes on to
    /// the next item, wrapping round when it loops. A lone item stays
    /// failed.
    fn skip_failed_item(&self) {
        let player = self.view().player();
        let failed_index = player.current_index();
        if player.playlist().n_items() < 2 {
            return;
        }
        let weak = self.downgrade();
        glib::timeout_add_local_once(SKIP_FAILED_AFTER, move || {
            let Some(window) = weak.upgrade() else { return };
            let player = window.view().player();
            // Only if nothing else was chosen meanwhile.
            let still_failed =
                player.current_index() == failed_index && player.state() == PlayerState::Error;
            if still_failed && player.next() {
                player.play();
            }
        });
    }

    /// What the remote control (MPRIS, `framescope ctl`) does with the
    /// queue, the window and the statistics.
    pub(super) fn control_hooks(&self) -> framescope::control::Hooks {
        let with = |f: fn(&MainWindow) -> bool| {
            let weak = self.downgrade();
            Some(Box::new(move || weak.upgrade().is_some_and(|w| f(&w))) as Box<dyn Fn() -> bool>)
        };
        let items = |f: fn(&MainWindow, Vec<String>)| {
            let weak = self.downgrade();
            Some(Box::new(move |uris: Vec<String>| {
                if let Some(w) = weak.upgrade() {
                    f(&w, uris);
                }
            }) as Box<dyn Fn(Vec<String>)>)
        };
        let weak = self.downgrade();
        let raise = Box::new(move || {
            if let Some(w) = weak.upgrade() {
                w.present();
            }
        });
        let weak = self.downgrade();
        let quit = Box::new(move || {
            if let Some(w) = weak.upgrade() {
                w.quit();
            }
        });
        let weak = self.downgrade();
        let stats_json = Box::new(move || {
            weak.upgrade()
                .map(|w| w.stats_report_json())
                .unwrap_or_default()
        });
        framescope::control::Hooks {
            next: with(MainWindow::next_item),
            previous: with(MainWindow::previous_item),
            open: items(MainWindow::open_items),
            queue: items(MainWindow::enqueue_items),
            raise: Some(raise),
            quit: Some(quit),
            stats_json: Some(stats_json),
        }
    }

    /// Goes to the next item of the queue, if there is one, and plays it.
    pub(super) fn next_item(&self) -> bool {
        let player = self.view().player();
        let go = player.next();
        if go {
            player.play();
        }
        go
    }

    /// Goes to the previous item of the queue (or, 3 s into an item, back
    /// to its start), if there is one, and plays it.
    pub(super) fn previous_item(&self) -> bool {
        let player = self.view().player();
        let go = player.previous();
        if go {
            player.play();
        }
        go
    }

    /// Replaces the queue with `items` and plays the first.
    pub(super) fn open_items(&self, items: Vec<String>) {
        if items.is_empty() {
            return;
        }
        let player = self.view().player();
        player.set_items(&items);
        player.play();
    }

    /// Adds `items` at the end of the queue; when nothing is playing, the
    /// first of them starts.
    pub(super) fn enqueue_items(&self, items: Vec<String>) {
        let player = self.view().player();
        let first_new = player.playlist().n_items() as i32;
        for item in &items {
            player.append_item(item);
        }
        if !items.is_empty() && player.current_index() < 0 {
            player.set_current_index(first_new);
            player.play();
        }
        let added = match items.len() {
            0 => return,
            1 => framescope::i18n::gettext("Added 1 item to the queue"),
            n => framescope::i18n::tr(
                "Added {count} items to the queue",
                &[("count", &n.to_string())],
            ),
        };
        self.toast(&added);
    }
}

/// A duration as a stream time, never panicking (the longest is about 584
/// years; GStreamer's "no time" is never made).
fn clock_time_of(at: std::time::Duration) -> gst::ClockTime {
    framescope::engine::clock_time(u64::try_from(at.as_nanos()).unwrap_or(u64::MAX))
}

/// Writes the resume store: serialised here, written (with its fsync) by
/// the state-file writer thread, in order with every other save.
fn save_resume(resume: &Resume) {
    match resume.store.borrow().to_bytes() {
        Ok(bytes) => {
            crate::app::files::save_in_background(&resume.path, bytes, "the resume positions")
        }
        Err(e) => tracing::warn!("the resume positions could not be written out ({e})"),
    }
}
