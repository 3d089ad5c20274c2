//! The main window: an `AdwApplicationWindow` subclass whose template
//! (`window.ui`) holds the header bar, the main menu, the `PlayerView`, the
//! queue side panel and a toast overlay; its `win.` actions are installed on
//! the class (`imp.rs`). The queue is the player's own playlist (so the
//! view's N/P keys, the panel, Ctrl+arrows and MPRIS all move through one
//! list); what the app does per item (resume points, statistics, the first
//! item's `--start` and `--sub`) hangs off the player's `item-loading` and
//! `item-ended` signals (`items.rs`); `--stats-json` is `stats.rs`.
//!
//! # Lifetime
//!
//! GTK owns the window (the application's window list); everything else —
//! the player's signal handlers, MPRIS, timers, the drop target, the
//! application — holds it weakly, so no reference cycle keeps the window,
//! its `PlayerView`, the player and its pipeline alive past the window:
//! once it is destroyed the view is disposed and stops its player, whose
//! pipeline goes to the engine's reaper. What must outlive the pipeline —
//! the resume position, the volume, the `--stats-json` file — is written by
//! `finish` first, when the window is closed or the application quits.

mod imp;
mod items;
mod stats;

use crate::app::application::Launch;
use crate::app::cli::Options;
use crate::app::resume;
use adw::prelude::*;
use adw::subclass::prelude::*;
use framescope::engine::to_uri;
use framescope::i18n::gettext;
use framescope::widget::{HealthHistory, InspectorWindow, PlayerView, QueuePanel};
use gtk::{gdk, gio, glib};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The app's icon (installed by `make install`; GTK falls back to none).
pub const APP_ICON: &str = "org.framescope.Framescope";

/// How many recent files the main menu lists.
const RECENT_IN_MENU: usize = 8;
/// How often the position of the item playing is saved.
const SAVE_POSITION_EVERY: u32 = 5;

/// What the window was made with, fixed for its life.
pub struct Setup {
    options: Options,
    exit_code: Rc<Cell<u8>>,
    /// Kiosk mode's report, when on.
    kiosk: Option<Rc<Cell<crate::app::kiosk::KioskReport>>>,
    /// Where files were left (none with `--no-resume` or `--kiosk`).
    resume: Option<Resume>,
    /// The preferences in force (the Preferences window edits them) and
    /// the file they are saved to.
    prefs: Rc<RefCell<crate::app::preferences::Preferences>>,
    prefs_path: std::path::PathBuf,
}

/// The resume store and what was last written to it.
struct Resume {
    path: std::path::PathBuf,
    store: RefCell<resume::Store>,
    /// The (URI, position in whole seconds) last saved, to skip rewrites.
    saved: RefCell<Option<(String, u64)>>,
}

glib::wrapper! {
    /// Framescope's main window.
    pub struct MainWindow(ObjectSubclass<imp::MainWindow>)
        @extends adw::ApplicationWindow, gtk::ApplicationWindow, gtk::Window, gtk::Widget,
        @implements gio::ActionGroup, gio::ActionMap, gtk::Accessible, gtk::Buildable,
            gtk::ConstraintTarget, gtk::Native, gtk::Root, gtk::ShortcutManager;
}

impl MainWindow {
    /// Builds and presents the main window playing `launch.inputs`.
    pub fn new(
        app: &crate::app::application::Application,
        launch: Launch,
        exit_code: Rc<Cell<u8>>,
    ) -> Self {
        let Launch {
            mut options,
            inputs,
            prefs_path,
            prefs,
        } = launch;
        let window: Self = glib::Object::builder()
            .property("application", app)
            .property("default-width", options.window_size.map_or(960, |s| s.0))
            .property("default-height", options.window_size.map_or(600, |s| s.1))
            .build();
        let imp = window.imp();
        let view = window.view();
        let gtk_app = app.upcast_ref::<gtk::Application>();
        let kiosk = options
            .kiosk
            .then(|| crate::app::kiosk::apply(gtk_app, window.upcast_ref(), &view, inputs.len()));
        if kiosk.is_some() {
            // Kiosk mode always loops its list, and shows only the video.
            options.looping = true;
            imp.header_bar.set_visible(false);
        } else {
            imp.queue_revealer
                .set_child(Some(&QueuePanel::new(Some(&view.player()))));
        }
        let tracks = crate::app::track_menu::install(gtk_app, &view);
        imp.quality_menu.append_section(None, &tracks.quality);
        imp.video_menu.append_section(None, &tracks.video);
        imp.audio_menu.append_section(None, &tracks.audio);
        imp.subtitles_menu.append_section(None, &tracks.subtitles);
        let start_over = gtk::Button::builder()
            .label(gettext("Start from the beginning"))
            .tooltip_text("Home")
            .action_name("win.start-over")
            .halign(gtk::Align::End)
            .valign(gtk::Align::Start)
            .margin_end(12)
            .margin_top(12)
            .visible(false)
            .build();
        start_over.add_css_class("osd");
        view.add_overlay(&start_over);
        let _ = imp.start_over.set(start_over);
        let resume = (!options.no_resume && kiosk.is_none()).then(|| {
            let path = resume::default_path();
            Resume {
                store: RefCell::new(resume::Store::load(&path)),
                path,
                saved: RefCell::default(),
            }
        });
        let setup = Setup {
            options,
            exit_code,
            kiosk,
            resume,
            prefs: Rc::new(RefCell::new(prefs)),
            prefs_path,
        };
        let _ = imp.setup.set(setup);
        window.set_up_player();
        window.refresh_recent_menu();
        let player = view.player();
        window.start_remote_control(&player);
        if imp.setup.get().is_some_and(|s| s.kiosk.is_none()) {
            // (Kiosk mode keeps the screen awake itself, counting the requests.)
            crate::app::screensaver::keep_awake_while_playing(
                gtk_app,
                window.upcast_ref(),
                &player,
                |_| {},
            );
            // In kiosk mode no key does anything but the quit chord.
            for (action, accels, _) in crate::app::shortcuts::APP_ACCELS {
                gtk_app.set_accels_for_action(action, accels);
            }
        }
        window.connect_player(&player);
        window.install_drop_target();
        glib::timeout_add_seconds_local(
            SAVE_POSITION_EVERY,
            glib::clone!(
                #[weak]
                window,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move || {
                    window.remember_position();
                    glib::ControlFlow::Continue
                }
            ),
        );
        if window.setup().options.fullscreen {
            window.fullscreen();
        }
        window.present();
        view.grab_focus();
        tracing::info!(
            "main window: {} (an AdwApplicationWindow: {}), dark style: {}",
            window.type_().name(),
            window.is::<adw::ApplicationWindow>(),
            adw::StyleManager::default().is_dark()
        );
        player.set_items(&inputs);
        player.play();
        window
    }

    /// Puts the player on the session bus: MPRIS in a normal window, and
    /// with `--control` the Framescope interface too. A kiosk offers
    /// nothing without `--control` (anything on the session bus could drive
    /// it), MPRIS and the interface with it.
    fn start_remote_control(&self, player: &framescope::engine::Player) {
        let setup = self.setup();
        let control = setup.options.control;
        let options = framescope::control::ControlOptions {
            mpris: setup.kiosk.is_none() || control,
            player_interface: control,
            instance: None,
            hooks: self.control_hooks(),
        };
        if !options.mpris {
            return;
        }
        match framescope::control::RemoteControl::export(player, options) {
            Ok(remote) => {
                self.imp().control.replace(Some(remote));
            }
            Err(e) if control => {
                eprintln!("framescope: --control: the player cannot be offered for remote control: {e}; start it inside a D-Bus session.");
            }
            Err(e) => tracing::info!("no MPRIS media controls: {e}"),
        }
    }

    /// The window's `PlayerView`.
    pub fn view(&self) -> PlayerView {
        self.imp().view.get()
    }

    fn setup(&self) -> &Setup {
        self.imp()
            .setup
            .get()
            .expect("the window is set up as it is made")
    }

    /// The player's settings from the command line and the preferences.
    fn set_up_player(&self) {
        let setup = self.setup();
        let (view, options) = (self.view(), &setup.options);
        let player = view.player();
        player.set_video_mode(options.video_path);
        player.set_audio_enabled(!options.no_audio);
        player.set_muted(options.mute);
        if let Some(file) = &options.tls_ca_file {
            player.set_tls_ca_file(Some(file.to_string_lossy().to_string()));
        }
        let prefs = setup.prefs.borrow();
        view.set_seek_step((prefs.seek_step * 1000.0).round() as u32);
        if prefs.remember_volume {
            player.set_volume(prefs.volume);
        }
        player.set_subtitle_font(prefs.subtitle_font().as_deref());
        let rate = options.rate.unwrap_or(prefs.default_rate);
        if rate != 1.0 {
            player.set_rate(rate);
        }
        // The inspector's health graphs cover the whole session.
        HealthHistory::attach(&player);
        // Time to the first frame, for `--stats-json` (bench/startup.sh).
        let window = self.downgrade();
        player.connect_frame_pts_notify(move |player| {
            if let Some(window) = window.upgrade() {
                let first = &window.imp().first_frame;
                if first.get().is_none() && player.frame_pts() >= 0 {
                    first.set(Some(crate::app::since_start().as_secs_f64()));
                }
            }
        });
        // `--loop` repeats the whole queue (a single item loops seamlessly).
        // The app sets each item up as it loads, so items never switch
        // gaplessly behind its back.
        player.set_gapless(false);
        player.set_repeat(if options.looping {
            framescope::engine::Repeat::All
        } else {
            framescope::engine::Repeat::None
        });
    }

    /// Shows a short notice in a toast over the window.
    fn toast(&self, text: &str) {
        self.imp().toasts.add_toast(adw::Toast::new(text));
    }

    /// Takes the command line of a later `framescope` run: its files are
    /// added to the queue (`--replace`: played at once in place of it),
    /// relative paths taken from that run's folder, and the window raised.
    /// The answer is printed by, and the exit code returned to, that run.
    pub fn take_command_line(&self, command_line: &gio::ApplicationCommandLine) -> glib::ExitCode {
        use clap::Parser;
        let arguments = command_line.arguments();
        let options = match Options::try_parse_from(&arguments) {
            Ok(options) => options,
            Err(e) => {
                crate::app::tell_caller(
                    command_line,
                    &crate::app::usage_message(&e, "framescope"),
                    true,
                );
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
        let count = items.len();
        let items_text = if count == 1 {
            gettext("1 item")
        } else {
            framescope::i18n::tr("{count} items", &[("count", &count.to_string())])
        };
        let answer = if count == 0 {
            gettext("raised the Framescope already running.")
        } else if options.replace {
            self.open_items(items);
            framescope::i18n::tr(
                "the Framescope already running now plays {items} in place of its queue.",
                &[("items", &items_text)],
            )
        } else {
            self.enqueue_items(items);
            framescope::i18n::tr(
                "added {items} to the queue of the Framescope already running (--replace plays them at once, --new-instance opens another window).",
                &[("items", &items_text)],
            )
        };
        let answer = format!("framescope: {answer}\n");
        self.present();
        crate::app::tell_caller(command_line, &answer, false);
        glib::ExitCode::SUCCESS
    }

    /// Shows the inspector for the view's player (one window, raised if open).
    fn open_inspector(&self) {
        let imp = self.imp();
        if let Some(window) = imp.inspector.upgrade() {
            window.present();
            return;
        }
        let window = InspectorWindow::new(&self.view().player());
        window.set_transient_for(Some(self));
        window.present();
        imp.inspector.set(Some(&window));
    }

    /// Asks for media files and hands them to `then` (open or enqueue).
    fn show_open_dialog(&self, then: fn(&Self, Vec<String>)) {
        let dialog = gtk::FileChooserNative::new(
            Some(&gettext("Open Media")),
            Some(self),
            gtk::FileChooserAction::Open,
            Some(&gettext("_Open")),
            Some(&gettext("_Cancel")),
        );
        dialog.set_select_multiple(true);
        let media = gtk::FileFilter::new();
        media.set_name(Some(&gettext("Video and audio")));
        media.add_mime_type("video/*");
        media.add_mime_type("audio/*");
        dialog.add_filter(&media);
        let all = gtk::FileFilter::new();
        all.set_name(Some(&gettext("All files")));
        all.add_pattern("*");
        dialog.add_filter(&all);
        let weak = self.downgrade();
        dialog.connect_response(move |d, response| {
            if let (Some(window), gtk::ResponseType::Accept) = (weak.upgrade(), response) {
                let files = d.files();
                let items = (0..files.n_items())
                    .filter_map(|i| files.item(i).and_downcast::<gio::File>())
                    .map(|f| f.uri().to_string())
                    .collect();
                then(&window, items);
            }
            d.destroy();
        });
        dialog.show();
    }

    /// Dropped files and URIs play; subtitle files go with the media on
    /// screen.
    fn install_drop_target(&self) {
        let target = gtk::DropTarget::new(glib::Type::INVALID, gdk::DragAction::COPY);
        target.set_types(&[gdk::FileList::static_type(), glib::Type::STRING]);
        let weak = self.downgrade();
        target.connect_drop(move |_, value, _, _| {
            let Some(window) = weak.upgrade() else {
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
            let (subtitles, media): (Vec<String>, Vec<String>) = items
                .into_iter()
                .partition(|uri| crate::app::track_menu::is_subtitle_file(uri));
            window.open_items(media);
            if !subtitles.is_empty() {
                window.view().player().add_subtitle_files(&subtitles);
            }
            accepted
        });
        self.add_controller(target);
    }

    /// Opens the Preferences window; what changes applies at once where it
    /// can (seek step, subtitles of the next item), otherwise from the next
    /// file.
    pub fn show_preferences(&self) {
        let setup = self.setup();
        let weak = self.downgrade();
        crate::app::preferences::show_window(
            self.upcast_ref(),
            &setup.prefs,
            &setup.prefs_path,
            move |prefs| {
                let Some(window) = weak.upgrade() else { return };
                let view = window.view();
                view.set_seek_step((prefs.seek_step * 1000.0).round() as u32);
                view.player()
                    .set_subtitle_font(prefs.subtitle_font().as_deref());
                if let Some(mode) = prefs.video_mode() {
                    view.player().set_video_mode(mode);
                }
            },
        );
    }

    /// Lists the most recently played files in the main menu.
    fn refresh_recent_menu(&self) {
        let menu = &self.imp().recent_menu;
        menu.remove_all();
        let Some(resume) = self.setup().resume.as_ref() else {
            return;
        };
        for uri in resume.store.borrow().recent(RECENT_IN_MENU) {
            let name = framescope::engine::display_name(&uri);
            let label = name.rsplit('/').next().unwrap_or(&name).replace('_', "__");
            let item = gio::MenuItem::new(Some(&label), None);
            item.set_action_and_target_value(Some("win.open-recent"), Some(&uri.to_variant()));
            menu.append_item(&item);
        }
    }
}

/// The About window.
pub fn show_about(parent: &MainWindow) {
    adw::AboutWindow::builder()
        .transient_for(parent)
        .modal(true)
        .title(gettext("About Framescope"))
        .application_name("Framescope")
        .application_icon(APP_ICON)
        .version(env!("CARGO_PKG_VERSION"))
        .comments(gettext(
            "A video player, playback widget and stream inspector built on GTK 4 and GStreamer.",
        ))
        .license_type(gtk::License::Mpl20)
        .build()
        .present();
}
