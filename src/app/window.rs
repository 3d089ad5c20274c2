//! The main window: a header bar (open, menu, queue), a `PlayerView`, the
//! queue side panel, and the `--exit-at-end` / `--stats-json` behaviour
//! scripts rely on. The queue is the player's own playlist (so the view's
//! N/P keys, the panel, Ctrl+arrows and MPRIS all move through one list);
//! what the app does per item (resume points, statistics, the first
//! item's `--start` and `--sub`) hangs off the player's `item-loading` and
//! `item-ended` signals.
//!
//! # Lifetime
//!
//! The state the window's callbacks share (`Shared`) is held strongly in
//! one place only, a handler of the application's `window-removed`, and
//! let go when GTK removes the window (however it was closed). Every
//! callback (player signals, app actions, the drop target, timers) holds it
//! weakly, so no reference cycle keeps the window, its `PlayerView`, the
//! player and its pipeline alive past the window: once it is gone the view
//! is disposed and stops its player, whose pipeline goes to the engine's
//! reaper. What must outlive the pipeline — the resume position, the
//! volume, the `--stats-json` file — is written by `finish` first, when
//! the window is closed or the application quits.

use crate::app::cli::Options;
use crate::app::resume;
use crate::app::shortcuts;
use framescope::engine::TrackKind;
use framescope::engine::{to_uri, Player, PlayerError, PlayerState};
use framescope::widget::{
    append_menu_items, HealthHistory, InspectorWindow, MenuSection, PlayerView, QueuePanel,
};
use gtk::prelude::*;
use gtk::{gdk, gio, glib};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

/// What `--stats-json` writes.
#[derive(Serialize)]
struct StatsReport {
    uri: Option<String>,
    rendered: u64,
    dropped: u64,
    played_seconds: f64,
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

/// Everything the window's callbacks share.
struct Shared {
    options: Options,
    window: gtk::ApplicationWindow,
    view: PlayerView,
    /// The queue side panel and what shows it (none in kiosk mode).
    queue_panel: Option<gtk::Revealer>,
    /// Items that played to their end.
    played: Cell<usize>,
    /// An item is being loaded: set it up once it is current.
    item_setup_pending: Cell<bool>,
    /// The first item was set up (`--start` and `--sub` are for it only).
    first_item_set_up: Cell<bool>,
    exit_code: Rc<Cell<u8>>,
    last_error: RefCell<Option<PlayerError>>,
    totals: Cell<(u64, u64, f64)>,
    /// The inspector window, while open.
    inspector: RefCell<glib::WeakRef<InspectorWindow>>,
    /// Kiosk mode's report, when on.
    kiosk: Option<Rc<Cell<crate::app::kiosk::KioskReport>>>,
    /// Where files were left (none with `--no-resume` or `--kiosk`).
    resume: Option<Resume>,
    /// The "Open Recent" section of the main menu.
    recent_menu: gio::Menu,
    /// The "start from the beginning" button shown after a resume.
    start_over: gtk::Button,
    /// The MPRIS service, while on the session bus.
    mpris: RefCell<Option<crate::app::mpris::Mpris>>,
    /// The audio and subtitle tracks last seen playing (for `--stats-json`,
    /// written when the pipeline may be gone).
    tracks_playing: Cell<(i32, i32)>,
    /// The preferences, and the file they are saved to.
    preferences: PreferencesFile,
    /// The item just opened still has to have its subtitles turned off
    /// (the preferences say so) once its tracks are known.
    subtitles_off_pending: Cell<bool>,
    /// `finish` has run: the position, volume and statistics are written.
    finished: Cell<bool>,
}

/// The resume store and what was last written to it.
struct Resume {
    path: std::path::PathBuf,
    store: RefCell<resume::Store>,
    /// The (URI, position in whole seconds) last saved, to skip rewrites.
    saved: RefCell<Option<(String, u64)>>,
}

/// The app's icon (installed by `make install`; GTK falls back to none).
pub const APP_ICON: &str = "org.framescope.Framescope";

/// How many recent files the main menu lists.
const RECENT_IN_MENU: usize = 8;
/// How often the position of the item playing is saved.
const SAVE_POSITION_EVERY: u32 = 5;
/// How long the "start from the beginning" button stays after a resume.
const START_OVER_SHOWN: std::time::Duration = std::time::Duration::from_secs(8);

/// Builds and presents the main window playing `inputs`.
/// The preferences and the file they live in.
pub struct PreferencesFile {
    /// `$XDG_CONFIG_HOME/framescope/preferences.toml`.
    pub path: std::path::PathBuf,
    /// The preferences in force (the Preferences window edits them).
    pub prefs: Rc<RefCell<crate::app::preferences::Preferences>>,
}

/// The main window, for the single-instance hand-over. It holds the
/// window weakly: the window lives as long as GTK keeps it open.
pub struct MainWindow(Weak<Shared>);

impl MainWindow {
    /// Raises the window; false when it is gone (the app is ending).
    pub fn present(&self) -> bool {
        let Some(shared) = self.0.upgrade() else {
            return false;
        };
        shared.window.present();
        true
    }

    /// Takes the command line of a later `framescope` run: its files are
    /// added to the queue (`--replace`: played at once in place of it),
    /// relative paths taken from that run's folder, and the window raised.
    /// The answer is printed by, and the exit code returned to, that run.
    pub fn take_command_line(&self, command_line: &gio::ApplicationCommandLine) -> glib::ExitCode {
        use clap::Parser;
        let Some(shared) = self.0.upgrade() else {
            crate::app::tell_caller(
                command_line,
                "framescope: the running Framescope is closing; try again in a moment.\n",
                true,
            );
            return glib::ExitCode::FAILURE;
        };
        let arguments = command_line.arguments();
        let options = match Options::try_parse_from(&arguments) {
            Ok(options) => options,
            Err(e) => {
                crate::app::tell_caller(command_line, &crate::app::usage_message(&e), true);
                return glib::ExitCode::from(crate::app::EXIT_USAGE);
            }
        };
        let items: Vec<String> = options
            .inputs
            .iter()
            .map(|input| match input.to_str() {
                Some(uri) if uri.contains("://") => uri.to_string(),
                _ => command_line.create_file_for_arg(input).uri().to_string(),
            })
            .collect();
        let shared = &shared;
        let count = items.len();
        let items_text = if count == 1 {
            "1 item".to_string()
        } else {
            format!("{count} items")
        };
        let answer = if count == 0 {
            "framescope: raised the Framescope already running.\n".to_string()
        } else if options.replace {
            open_items(shared, items);
            format!("framescope: the Framescope already running now plays {items_text} in place of its queue.\n")
        } else {
            enqueue_items(shared, items);
            format!("framescope: added {items_text} to the queue of the Framescope already running (--replace plays them at once, --new-instance opens another window).\n")
        };
        shared.window.present();
        crate::app::tell_caller(command_line, &answer, false);
        glib::ExitCode::SUCCESS
    }
}

pub fn build(
    app: &gtk::Application,
    options: Options,
    inputs: Vec<String>,
    exit_code: Rc<Cell<u8>>,
    preferences: PreferencesFile,
) -> MainWindow {
    let window = gtk::ApplicationWindow::builder()
        .application(app)
        .title("Framescope")
        .default_width(options.window_size.map_or(960, |s| s.0))
        .default_height(options.window_size.map_or(600, |s| s.1))
        .build();
    let view = PlayerView::new();
    view.set_hexpand(true);
    let mut options = options;
    let kiosk = options
        .kiosk
        .then(|| crate::app::kiosk::apply(app, &window, &view, inputs.len()));
    if kiosk.is_some() {
        // Kiosk mode always loops its list.
        options.looping = true;
    }
    let recent_menu = gio::Menu::new();
    let track_menus = crate::app::track_menu::install(app, &view);
    let queue_panel = kiosk.is_none().then(|| {
        let panel = QueuePanel::new(Some(&view.player()));
        gtk::Revealer::builder()
            .transition_type(gtk::RevealerTransitionType::SlideLeft)
            .reveal_child(false)
            .child(&panel)
            .build()
    });
    if let Some(revealer) = queue_panel.as_ref() {
        // The main menu names the view's own `player.` actions: they are
        // offered on the window so the menu (outside the view) reaches them.
        view.set_window_actions(true);
        window.set_titlebar(Some(&header_bar(&recent_menu, &track_menus)));
        let layout = gtk::Box::new(gtk::Orientation::Horizontal, 0);
        layout.append(&view);
        layout.append(revealer);
        window.set_child(Some(&layout));
    } else {
        window.set_child(Some(&view));
    }
    let start_over = gtk::Button::builder()
        .label("Start from the beginning")
        .tooltip_text("Home")
        .action_name("app.start-over")
        .halign(gtk::Align::End)
        .valign(gtk::Align::Start)
        .margin_end(12)
        .margin_top(12)
        .visible(false)
        .build();
    start_over.add_css_class("osd");
    view.add_overlay(&start_over);
    let resume = (!options.no_resume && kiosk.is_none()).then(|| {
        let path = resume::default_path();
        Resume {
            store: RefCell::new(resume::Store::load(&path)),
            path,
            saved: RefCell::default(),
        }
    });

    let player = view.player();
    player.set_video_mode(options.video_path);
    player.set_audio_enabled(!options.no_audio);
    player.set_muted(options.mute);
    if let Some(file) = &options.tls_ca_file {
        player.set_tls_ca_file(Some(file.to_string_lossy().to_string()));
    }
    {
        let prefs = preferences.prefs.borrow();
        view.set_seek_step((prefs.seek_step * 1000.0).round() as u32);
        if prefs.remember_volume {
            player.set_volume(prefs.volume);
        }
        player.set_subtitle_font(prefs.subtitle_font().as_deref());
        let rate = options.rate.unwrap_or(prefs.default_rate);
        if rate != 1.0 {
            player.set_rate(rate);
        }
    }
    // The inspector's health graphs cover the whole session.
    HealthHistory::attach(&player);
    // `--loop` repeats the whole queue (a single item loops seamlessly).
    // The app sets each item up as it loads, so items never switch
    // gaplessly behind its back.
    player.set_gapless(false);
    player.set_repeat(if options.looping {
        framescope::engine::Repeat::All
    } else {
        framescope::engine::Repeat::None
    });

    let shared = Rc::new(Shared {
        options,
        window: window.clone(),
        view: view.clone(),
        queue_panel,
        played: Cell::new(0),
        item_setup_pending: Cell::new(false),
        first_item_set_up: Cell::new(false),
        exit_code,
        last_error: RefCell::new(None),
        totals: Cell::new((0, 0, 0.0)),
        inspector: RefCell::default(),
        kiosk,
        resume,
        recent_menu,
        start_over,
        mpris: RefCell::default(),
        tracks_playing: Cell::new((-1, -1)),
        preferences,
        subtitles_off_pending: Cell::new(false),
        finished: Cell::new(false),
    });
    refresh_recent_menu(&shared);
    if shared.kiosk.is_none() {
        let mpris = crate::app::mpris::start(&player, mpris_hooks(&shared));
        shared.mpris.replace(mpris);
        // (Kiosk mode keeps the screen awake itself, counting the requests.)
        crate::app::screensaver::keep_awake_while_playing(app, &window, &player, |_| {});
    }
    connect_player(&shared, &player);
    install_actions(app, &shared);
    install_drop_target(&shared);
    {
        // Quitting (Ctrl+Q, MPRIS, the kiosk chord, --exit-at-end) ends the
        // main loop with the window still open: it is closed here, so its
        // pipeline is stopped before the process exits.
        let weak = Rc::downgrade(&shared);
        app.connect_shutdown(move |_| {
            if let Some(shared) = weak.upgrade() {
                finish(&shared);
                shared.window.destroy();
            }
        });
    }
    {
        // Closing the window saves where the item was left and writes the
        // statistics while the player is still there.
        let weak = Rc::downgrade(&shared);
        window.connect_close_request(move |_| {
            if let Some(shared) = weak.upgrade() {
                finish(&shared);
            }
            glib::Propagation::Proceed
        });
    }
    {
        // The one strong hold on the shared state (see the module's
        // comment): let go when GTK removes the window.
        let owner = RefCell::new(Some(shared.clone()));
        app.connect_window_removed(move |app, removed| {
            let ours = owner
                .borrow()
                .as_ref()
                .is_some_and(|s| s.window.upcast_ref::<gtk::Window>() == removed);
            if ours {
                let shared = owner.take();
                if let Some(shared) = shared.as_ref() {
                    finish(shared);
                    if let Some(inspector) = shared.inspector.borrow().upgrade() {
                        inspector.close();
                    }
                }
                // (This action holds the queue panel, and the panel the player.)
                app.remove_action("toggle-queue");
                drop(shared);
            }
        });
    }
    {
        let weak = Rc::downgrade(&shared);
        glib::timeout_add_seconds_local(SAVE_POSITION_EVERY, move || {
            let Some(shared) = weak.upgrade() else {
                return glib::ControlFlow::Break;
            };
            remember_position(&shared);
            glib::ControlFlow::Continue
        });
    }

    if shared.options.fullscreen {
        window.fullscreen();
    }
    window.present();
    view.grab_focus();
    player.set_items(&inputs);
    player.play();
    MainWindow(Rc::downgrade(&shared))
}

fn header_bar(recent: &gio::Menu, tracks: &crate::app::track_menu::TrackMenus) -> gtk::HeaderBar {
    let bar = gtk::HeaderBar::new();
    let open = gtk::Button::builder()
        .icon_name("document-open-symbolic")
        .tooltip_text("Open a file (Ctrl+O)")
        .action_name("app.open")
        .build();
    bar.pack_start(&open);
    let queue = gtk::ToggleButton::builder()
        .icon_name("view-list-symbolic")
        .tooltip_text("Show the queue (F9)")
        .action_name("app.toggle-queue")
        .build();
    let menu = gio::Menu::new();
    menu.append(Some("_Open…"), Some("app.open"));
    menu.append(Some("_Add to Queue…"), Some("app.enqueue"));
    menu.append_submenu(Some("Open _Recent"), recent);
    menu.append(Some("_Copy Current Time"), Some("app.copy-time"));
    let playback = gio::Menu::new();
    append_menu_items(&playback, MenuSection::Timing);
    playback.append(Some("Go to _Live Edge"), Some("app.live-edge"));
    playback.append(Some("Take _Screenshot"), Some("app.screenshot"));
    playback.append(Some("Stream _Inspector"), Some("app.inspector"));
    append_menu_items(&playback, MenuSection::View);
    menu.append_section(Some("Playback"), &playback);
    let track_section = gio::Menu::new();
    track_section.append_submenu(Some("_Quality"), &tracks.quality);
    track_section.append_submenu(Some("_Video"), &tracks.video);
    track_section.append_submenu(Some("_Audio"), &tracks.audio);
    track_section.append_submenu(Some("S_ubtitles"), &tracks.subtitles);
    menu.append_section(Some("Tracks"), &track_section);
    let general = gio::Menu::new();
    general.append(Some("_Preferences"), Some("app.preferences"));
    general.append(Some("_Keyboard Shortcuts"), Some("app.shortcuts"));
    general.append(Some("_About Framescope"), Some("app.about"));
    general.append(Some("_Quit"), Some("app.quit"));
    menu.append_section(None, &general);
    // The primary menu: F10 opens it (and its mnemonics work from there).
    let menu_button = gtk::MenuButton::builder()
        .icon_name("open-menu-symbolic")
        .tooltip_text("Main menu (F10)")
        .menu_model(&menu)
        .primary(true)
        .build();
    bar.pack_end(&menu_button);
    bar.pack_end(&queue);
    bar
}

/// The player's signals, each handler holding the shared state weakly.
fn connect_player(shared: &Rc<Shared>, player: &Player) {
    let window = shared.window.downgrade();
    player.connect_title_notify(move |p| {
        let Some(window) = window.upgrade() else {
            return;
        };
        let title = p
            .title()
            .map(|t| format!("{t} — Framescope"))
            .unwrap_or_else(|| "Framescope".into());
        window.set_title(Some(&title));
    });
    let weak = Rc::downgrade(shared);
    player.connect_item_loading(move |p, _| {
        let Some(s) = weak.upgrade() else { return };
        // The item being left: fold its statistics in and note where it was.
        if p.uri().is_some() {
            accumulate_totals(&s);
            remember_position(&s);
        }
        s.item_setup_pending.set(true);
    });
    let weak = Rc::downgrade(shared);
    player.connect_current_index_notify(move |p| {
        let Some(s) = weak.upgrade() else { return };
        if p.current_index() >= 0 && s.item_setup_pending.replace(false) {
            set_up_item(&s);
        }
    });
    let weak = Rc::downgrade(shared);
    player.connect_item_ended(move |_, _| {
        let Some(s) = weak.upgrade() else { return };
        s.played.set(s.played.get() + 1);
        remember_finished(&s);
    });
    let weak = Rc::downgrade(shared);
    // `eos` comes only when nothing follows in the queue.
    player.connect_eos(move |_| {
        let Some(s) = weak.upgrade() else { return };
        if s.options.exit_at_end {
            quit(&s);
        }
    });
    let weak = Rc::downgrade(shared);
    player.connect_error(move |p, error| {
        let Some(s) = weak.upgrade() else { return };
        s.last_error.replace(Some(error.clone()));
        if s.options.exit_at_end {
            eprintln!("framescope: {}", error.message);
            s.exit_code.set(1);
            quit(&s);
        } else if error.needs_credentials && s.kiosk.is_none() {
            ask_for_credentials(&s, p);
        } else {
            skip_failed_item(&s);
        }
    });
    player.connect_warning(|_, text| tracing::warn!("{text}"));
    let weak = Rc::downgrade(shared);
    player.connect_tracks_changed(move |p| {
        let Some(s) = weak.upgrade() else { return };
        if s.subtitles_off_pending.get() && !p.tracks_of(TrackKind::Subtitle).is_empty() {
            s.subtitles_off_pending.set(false);
            let _ = p.select_track(TrackKind::Subtitle, None);
        }
        if p.pipeline().is_some() {
            s.tracks_playing.set((
                track_number(p, TrackKind::Audio),
                track_number(p, TrackKind::Subtitle),
            ));
        }
    });
}

/// Quits: what must be saved is written now (the window and its player
/// go at shutdown, see `build`).
fn quit(shared: &Shared) {
    finish(shared);
    if let Some(app) = shared.window.application() {
        app.quit();
    }
}

/// Writes, once, what must outlive the window's player: where the item was
/// left, the volume and the `--stats-json` file.
fn finish(shared: &Shared) {
    if shared.finished.replace(true) {
        return;
    }
    remember_position(shared);
    remember_volume(shared);
    write_stats(shared);
}

/// Sets up the item just loaded: `--start` and `--sub` (first item only),
/// the subtitle preference, and the resume point.
fn set_up_item(shared: &Rc<Shared>) {
    let player = shared.view.player();
    let Some(uri) = player.uri() else { return };
    let first = !shared.first_item_set_up.replace(true);
    let start = shared.options.start.filter(|_| first);
    let subtitle_files: Vec<String> = if first {
        shared
            .options
            .subtitle_files
            .iter()
            .map(|p| framescope::engine::path_to_uri(p))
            .collect()
    } else {
        Vec::new()
    };
    // Subtitles off by preference, unless a file was asked for by name.
    shared
        .subtitles_off_pending
        .set(!shared.preferences.prefs.borrow().subtitles && subtitle_files.is_empty());
    if !subtitle_files.is_empty() {
        player.add_subtitle_files(&subtitle_files);
    }
    if let Some(ns) = start {
        player.seek(gst::ClockTime::from_nseconds(ns));
    } else if let Some(at) = resume_point(shared, &uri) {
        player.seek(clock_time_of(at));
        offer_start_over(shared, at);
    }
}

/// A duration as a stream time, never panicking (the longest is about 584
/// years; GStreamer's "no time" is never made).
fn clock_time_of(at: std::time::Duration) -> gst::ClockTime {
    framescope::engine::clock_time(u64::try_from(at.as_nanos()).unwrap_or(u64::MAX))
}

/// Where `uri` was left, when resuming is on and it is worth resuming.
fn resume_point(shared: &Shared, uri: &str) -> Option<std::time::Duration> {
    shared.resume.as_ref()?.store.borrow().resume_point(uri)
}

/// Says where playback resumed and shows the "start from the beginning"
/// button for a few seconds.
fn offer_start_over(shared: &Rc<Shared>, at: std::time::Duration) {
    let at = framescope::engine::format_time(clock_time_of(at).nseconds());
    shared
        .view
        .show_message(&format!("Resumed at {at}; Home starts from the beginning"));
    let button = shared.start_over.clone();
    button.set_visible(true);
    glib::timeout_add_local_once(START_OVER_SHOWN, move || button.set_visible(false));
}

/// Saves where the item on screen is, when it is somewhere definite: media
/// that seeks, opened and settled (not mid-seek, mid-restart or failed).
fn remember_position(shared: &Shared) {
    let Some(resume) = shared.resume.as_ref() else {
        return;
    };
    let player = shared.view.player();
    let Some(uri) = player.uri() else { return };
    // (An address holding a secret is stored without it: see `resume`.)
    let definite = matches!(player.state(), PlayerState::Playing | PlayerState::Paused)
        && player.seekable()
        && player.is_settled();
    if !definite {
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
        refresh_recent_menu(shared);
    }
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

/// Saves the volume for next time, when the preferences want that.
fn remember_volume(shared: &Shared) {
    let volume = shared.view.player().volume();
    let mut prefs = shared.preferences.prefs.borrow_mut();
    if !prefs.remember_volume || (prefs.volume - volume).abs() < 1e-6 {
        return;
    }
    prefs.volume = volume;
    prefs.save_in_background(&shared.preferences.path);
}

/// Opens the Preferences window; what changes applies at once where it can
/// (seek step, subtitles of the next item), otherwise from the next file.
fn show_preferences(shared: &Rc<Shared>) {
    let weak = Rc::downgrade(shared);
    crate::app::preferences::show_window(
        shared.window.upcast_ref(),
        &shared.preferences.prefs,
        &shared.preferences.path,
        move |prefs| {
            if let Some(s) = weak.upgrade() {
                s.view
                    .set_seek_step((prefs.seek_step * 1000.0).round() as u32);
                s.view
                    .player()
                    .set_subtitle_font(prefs.subtitle_font().as_deref());
                if let Some(mode) = prefs.video_mode() {
                    s.view.player().set_video_mode(mode);
                }
            }
        },
    );
}

/// Lists the most recently played files in the main menu.
fn refresh_recent_menu(shared: &Shared) {
    shared.recent_menu.remove_all();
    let Some(resume) = shared.resume.as_ref() else {
        return;
    };
    for uri in resume.store.borrow().recent(RECENT_IN_MENU) {
        let name = framescope::engine::display_name(&uri);
        let label = name.rsplit('/').next().unwrap_or(&name).replace('_', "__");
        let item = gio::MenuItem::new(Some(&label), None);
        item.set_action_and_target_value(Some("app.open-recent"), Some(&uri.to_variant()));
        shared.recent_menu.append_item(&item);
    }
}

fn accumulate_totals(shared: &Shared) {
    let stats = shared.view.player().stats();
    let (r, d, s) = shared.totals.get();
    shared.totals.set((
        r + stats.rendered,
        d + stats.dropped,
        s + stats.played_seconds,
    ));
}

/// The item played to its end: next time it starts at the beginning.
fn remember_finished(shared: &Shared) {
    let (Some(resume), Some(uri)) = (shared.resume.as_ref(), shared.view.player().uri()) else {
        return;
    };
    let had_position = resume.store.borrow().resume_point(&uri).is_some();
    if had_position {
        resume.store.borrow_mut().forget_position(&uri);
        save_resume(resume);
    }
    resume.saved.replace(None);
}

/// The server wants a user name and password: ask, then open the item again
/// with them (in place of the queue item, so the queue goes on from it).
fn ask_for_credentials(shared: &Rc<Shared>, player: &Player) {
    let Some(uri) = player.uri() else { return };
    let weak = Rc::downgrade(shared);
    crate::app::credentials::ask(shared.window.upcast_ref(), &uri, move |address| {
        let Some(shared) = weak.upgrade() else { return };
        let player = shared.view.player();
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

/// How long a failed item's error stays up before the queue moves on.
const SKIP_FAILED_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// The current item failed for good: after a moment (so its error can be
/// read, and a list of dead items never spins) the queue goes on to the
/// next item, wrapping round when it loops. A lone item stays failed.
fn skip_failed_item(shared: &Rc<Shared>) {
    let player = shared.view.player();
    let failed_index = player.current_index();
    if player.playlist().n_items() < 2 {
        return;
    }
    let weak = Rc::downgrade(shared);
    glib::timeout_add_local_once(SKIP_FAILED_AFTER, move || {
        let Some(shared) = weak.upgrade() else { return };
        let player = shared.view.player();
        // Only if nothing else was chosen meanwhile.
        let still_failed =
            player.current_index() == failed_index && player.state() == PlayerState::Error;
        if still_failed && player.next() {
            player.play();
        }
    });
}

/// What MPRIS does with the queue and the window.
fn mpris_hooks(shared: &Rc<Shared>) -> crate::app::mpris::Hooks {
    let weak = Rc::downgrade(shared);
    let with = move |f: fn(&Rc<Shared>) -> bool| {
        let weak = weak.clone();
        Box::new(move || weak.upgrade().is_some_and(|s| f(&s))) as Box<dyn Fn() -> bool>
    };
    let weak = Rc::downgrade(shared);
    let open_uri = Box::new(move |uri: String| {
        if let Some(s) = weak.upgrade() {
            open_items(&s, vec![uri]);
        }
    });
    let window = shared.window.downgrade();
    let raise = Box::new(move || {
        if let Some(window) = window.upgrade() {
            window.present();
        }
    });
    let weak = Rc::downgrade(shared);
    let quit_app = Box::new(move || {
        if let Some(s) = weak.upgrade() {
            quit(&s);
        }
    });
    crate::app::mpris::Hooks {
        next: with(next_item),
        previous: with(previous_item),
        has_next: with(|s| has_next_item(s)),
        has_previous: with(|s| has_previous_item(s)),
        open_uri,
        raise,
        quit: quit_app,
    }
}

/// Goes to the next item of the queue, if there is one, and plays it.
fn next_item(shared: &Rc<Shared>) -> bool {
    let player = shared.view.player();
    let go = player.next();
    if go {
        player.play();
    }
    go
}

/// Goes to the previous item of the queue (or, 3 s into an item, back to
/// its start), if there is one, and plays it.
fn previous_item(shared: &Rc<Shared>) -> bool {
    let player = shared.view.player();
    let go = player.previous();
    if go {
        player.play();
    }
    go
}

fn has_next_item(shared: &Shared) -> bool {
    shared.view.player().has_next()
}

fn has_previous_item(shared: &Shared) -> bool {
    shared.view.player().has_previous()
}

/// Replaces the queue with `items` and plays the first.
fn open_items(shared: &Rc<Shared>, items: Vec<String>) {
    if items.is_empty() {
        return;
    }
    let player = shared.view.player();
    player.set_items(&items);
    player.play();
}

/// Adds `items` at the end of the queue; when nothing is playing, the
/// first of them starts.
fn enqueue_items(shared: &Rc<Shared>, items: Vec<String>) {
    let player = shared.view.player();
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
        1 => "Added 1 item to the queue".to_string(),
        n => format!("Added {n} items to the queue"),
    };
    shared.view.show_message(&added);
}

/// An action handler that runs `f` with the shared state while the window
/// lives (actions belong to the application, which outlives the window:
/// they hold the state weakly).
fn with_shared(
    shared: &Rc<Shared>,
    f: impl Fn(&Rc<Shared>, Option<&glib::Variant>) + 'static,
) -> impl Fn(&gio::SimpleAction, Option<&glib::Variant>) + 'static {
    let weak = Rc::downgrade(shared);
    move |_, parameter| {
        if let Some(shared) = weak.upgrade() {
            f(&shared, parameter);
        }
    }
}

/// What an app action does with the shared state and its parameter.
type ActionBody = Box<dyn Fn(&Rc<Shared>, Option<&glib::Variant>)>;

fn install_actions(app: &gtk::Application, shared: &Rc<Shared>) {
    let add = |name: &str, parameter: Option<&glib::VariantTy>, f: ActionBody| {
        let action = gio::SimpleAction::new(name, parameter);
        action.connect_activate(with_shared(shared, f));
        app.add_action(&action);
    };
    add(
        "open",
        None,
        Box::new(|s, _| show_open_dialog(s, open_items)),
    );
    add(
        "enqueue",
        None,
        Box::new(|s, _| show_open_dialog(s, enqueue_items)),
    );

    // F9 or the header bar's button show and hide the queue panel. (The
    // action holds the panel: it is removed with the window, see `build`.)
    if let Some(revealer) = shared.queue_panel.as_ref() {
        let toggle = gio::PropertyAction::new("toggle-queue", revealer, "reveal-child");
        app.add_action(&toggle);
    }

    add(
        "open-recent",
        Some(glib::VariantTy::STRING),
        Box::new(|s, uri| {
            if let Some(uri) = uri.and_then(|u| u.get::<String>()) {
                open_items(s, vec![uri]);
            }
        }),
    );

    // Back to the start of the item, and its resume point forgotten.
    add(
        "start-over",
        None,
        Box::new(|s, _| {
            let player = s.view.player();
            if let (Some(resume), Some(uri)) = (s.resume.as_ref(), player.uri()) {
                resume.store.borrow_mut().forget_position(&uri);
            }
            player.seek(gst::ClockTime::ZERO);
            s.start_over.set_visible(false);
        }),
    );

    // The queue: Ctrl+Right / Ctrl+Left.
    for (name, go, none) in [
        (
            "next-item",
            next_item as fn(&Rc<Shared>) -> bool,
            "This is the last item.",
        ),
        ("previous-item", previous_item, "This is the first item."),
    ] {
        add(
            name,
            None,
            Box::new(move |s, _| {
                if !go(s) {
                    s.view.show_message(none);
                }
            }),
        );
    }

    // The newest part of a live stream (End).
    add(
        "live-edge",
        None,
        Box::new(|s, _| {
            if s.view.player().go_to_live_edge() {
                s.view.show_message("Live");
            }
        }),
    );

    add("preferences", None, Box::new(|s, _| show_preferences(s)));

    // The time on screen, as TIME text, on the clipboard.
    add(
        "copy-time",
        None,
        Box::new(|s, _| {
            let text = framescope::engine::precise(gst::ClockTime::from_nseconds(
                s.view.player().position(),
            ));
            s.window.clipboard().set_text(&text);
            s.view.show_message(&format!("Copied {text}"));
        }),
    );

    add("quit", None, Box::new(|s, _| quit(s)));

    add(
        "about",
        None,
        Box::new(|s, _| {
            gtk::AboutDialog::builder()
                .transient_for(&s.window)
                .modal(true)
                .program_name("Framescope")
                .version(env!("CARGO_PKG_VERSION"))
                .comments("A video player, playback widget and stream inspector built on GTK 4 and GStreamer.")
                .license_type(gtk::License::Mpl20)
                .logo_icon_name(APP_ICON)
                .build()
                .present();
        }),
    );

    add(
        "screenshot",
        None,
        Box::new(|s, _| {
            let dir = s
                .options
                .screenshot_dir
                .clone()
                .unwrap_or_else(crate::app::screenshot::default_dir);
            crate::app::screenshot::take(&s.view, &dir);
        }),
    );

    add("inspector", None, Box::new(|s, _| open_inspector(s)));

    add(
        "shortcuts",
        None,
        Box::new(|s, _| shortcuts::shortcuts_window(s.window.upcast_ref()).present()),
    );

    // In kiosk mode no key does anything but the quit chord.
    if shared.kiosk.is_none() {
        for (action, accels, _) in shortcuts::APP_ACCELS {
            app.set_accels_for_action(action, accels);
        }
    }
}

/// Shows the inspector for the view's player (one window, raised if open).
fn open_inspector(shared: &Rc<Shared>) {
    if let Some(window) = shared.inspector.borrow().upgrade() {
        window.present();
        return;
    }
    let window = InspectorWindow::new(&shared.view.player());
    window.set_transient_for(Some(&shared.window));
    window.present();
    shared.inspector.replace(window.downgrade());
}

/// Asks for media files and hands them to `then` (open or enqueue).
fn show_open_dialog(shared: &Rc<Shared>, then: fn(&Rc<Shared>, Vec<String>)) {
    let dialog = gtk::FileChooserNative::new(
        Some("Open Media"),
        Some(&shared.window),
        gtk::FileChooserAction::Open,
        Some("_Open"),
        Some("_Cancel"),
    );
    dialog.set_select_multiple(true);
    let media = gtk::FileFilter::new();
    media.set_name(Some("Video and audio"));
    media.add_mime_type("video/*");
    media.add_mime_type("audio/*");
    dialog.add_filter(&media);
    let all = gtk::FileFilter::new();
    all.set_name(Some("All files"));
    all.add_pattern("*");
    dialog.add_filter(&all);
    let weak = Rc::downgrade(shared);
    dialog.connect_response(move |d, response| {
        let Some(s) = weak.upgrade() else {
            d.destroy();
            return;
        };
        if response == gtk::ResponseType::Accept {
            let files = d.files();
            let items = (0..files.n_items())
                .filter_map(|i| files.item(i).and_downcast::<gio::File>())
                .map(|f| f.uri().to_string())
                .collect();
            then(&s, items);
        }
        d.destroy();
    });
    dialog.show();
}

fn install_drop_target(shared: &Rc<Shared>) {
    let target = gtk::DropTarget::new(glib::Type::INVALID, gdk::DragAction::COPY);
    target.set_types(&[gdk::FileList::static_type(), glib::Type::STRING]);
    let weak = Rc::downgrade(shared);
    target.connect_drop(move |_, value, _, _| {
        let Some(s) = weak.upgrade() else {
            return false;
        };
        let items: Vec<String> = if let Ok(list) = value.get::<gdk::FileList>() {
            list.files().iter().map(|f| f.uri().to_string()).collect()
        } else if let Ok(text) = value.get::<String>() {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(to_uri)
                .collect()
        } else {
            Vec::new()
        };
        let accepted = !items.is_empty();
        // Subtitle files go with the media on screen; the rest are media.
        let (subtitles, media): (Vec<String>, Vec<String>) = items
            .into_iter()
            .partition(|uri| crate::app::track_menu::is_subtitle_file(uri));
        open_items(&s, media);
        if !subtitles.is_empty() {
            s.view.player().add_subtitle_files(&subtitles);
        }
        accepted
    });
    shared.window.add_controller(target);
}

fn track_number(player: &Player, kind: TrackKind) -> i32 {
    player.current_track(kind).map_or(-1, |i| i as i32)
}

fn write_stats(shared: &Shared) {
    let Some(path) = shared.options.stats_json.as_ref() else {
        return;
    };
    let player = shared.view.player();
    let stats = player.stats();
    let (seam, loop_seams) = player.max_loop_seam_step();
    let (r, d, s) = shared.totals.get();
    let report = StatsReport {
        uri: player.uri().map(|u| framescope::engine::redact_uri(&u)),
        rendered: r + stats.rendered,
        dropped: d + stats.dropped,
        played_seconds: s + stats.played_seconds,
        video_path: stats.video_path.map(|p| p.nick()),
        items_played: shared.played.get(),
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
        error: shared
            .last_error
            .borrow()
            .as_ref()
            .map(|e| e.message.clone()),
        restarts: player.restarts(),
        errors: player.errors(),
        stalls: player.stalls(),
        max_frame_step_ms: player.max_frame_step().map(|t| t.nseconds() as f64 / 1e6),
        max_loop_seam_step_ms: seam.map(|t| t.nseconds() as f64 / 1e6),
        loop_seams,
        frames_at_sink: player.frames_at_sink(),
        audio_track: shared.tracks_playing.get().0,
        subtitle_track: shared.tracks_playing.get().1,
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
        kiosk: shared.kiosk.as_ref().map(|k| k.get()),
    };
    let json = serde_json::to_string_pretty(&report).unwrap_or_default();
    // Every field is redacted already; this catches any future one.
    let json = framescope::engine::redact_text(&json);
    let result = crate::app::files::write_atomically(path, (json + "\n").as_bytes());
    if let Err(e) = result {
        eprintln!("framescope: could not write statistics to {}: {e}; check that the folder exists and is writable.", path.display());
        if shared.exit_code.get() == 0 {
            shared.exit_code.set(1);
        }
    }
}
