//! The application object: an `adw::Application` subclass that owns what a
//! run was started with (its options, inputs and preferences), the single
//! main window, the exit code, and the single-instance hand-over. With a
//! session bus the first Framescope runs the window and a later run hands it
//! its command line (`command_line`, remote) and exits with its answer; with
//! `--new-instance` (and the options that imply it) every run is its own.
//! The app-wide actions (`app.preferences`, `app.about`, `app.shortcuts`,
//! `app.quit`) act on the main window; the dark style suits a video player.

use crate::app::cli::Options;
use crate::app::preferences::Preferences;
use crate::app::window::MainWindow;
use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{gio, glib};
use std::cell::{Cell, RefCell};
use std::path::PathBuf;
use std::rc::Rc;

/// What the main window is made from.
#[derive(Clone)]
pub struct Launch {
    /// The parsed command line (preferences already folded in).
    pub options: Options,
    /// What to play: names and URIs as given (the demo clip for none).
    pub inputs: Vec<String>,
    /// The preferences file and the preferences read from it.
    pub prefs_path: PathBuf,
    pub prefs: Preferences,
}

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct Application {
        /// What the window is made from (set before the app runs).
        pub launch: RefCell<Option<Launch>>,
        /// The main window, while it lives (GTK owns it).
        pub window: glib::WeakRef<MainWindow>,
        /// The process's exit code, shared with the window.
        pub exit_code: Rc<Cell<u8>>,
        /// A signal asked the app to end: no window is made any more.
        pub quit_requested: RefCell<Option<Rc<Cell<bool>>>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Application {
        const NAME: &'static str = "FramescopeApplication";
        type Type = super::Application;
        type ParentType = adw::Application;
    }

    impl ObjectImpl for Application {}

    impl ApplicationImpl for Application {
        fn startup(&self) {
            self.parent_startup();
            // Video looks best framed in dark, whatever the desktop's scheme.
            adw::StyleManager::default().set_color_scheme(adw::ColorScheme::ForceDark);
            if let Some(display) = gtk::gdk::Display::default() {
                let css = gtk::CssProvider::new();
                css.load_from_resource("/org/framescope/Framescope/app/style.css");
                gtk::style_context_add_provider_for_display(
                    &display,
                    &css,
                    gtk::STYLE_PROVIDER_PRIORITY_APPLICATION,
                );
            }
            self.obj().install_actions();
        }

        fn activate(&self) {
            let app = self.obj();
            if let Some(window) = self.window.upgrade() {
                window.present();
                return;
            }
            // The one window is made once: once it is gone the app is
            // ending, and no other is made.
            let Some(launch) = self.launch.take() else {
                return;
            };
            let quitting = self
                .quit_requested
                .borrow()
                .as_ref()
                .is_some_and(|q| q.get());
            if quitting {
                // A signal came before the window was made.
                app.quit();
                return;
            }
            let window = MainWindow::new(&app, launch, self.exit_code.clone());
            self.window.set(Some(&window));
        }

        fn command_line(&self, command_line: &gio::ApplicationCommandLine) -> glib::ExitCode {
            if !command_line.is_remote() {
                self.obj().activate();
                return glib::ExitCode::SUCCESS;
            }
            if let Some(window) = self.window.upgrade() {
                return window.take_command_line(command_line);
            }
            let sentence = if self.launch.borrow().is_some() {
                framescope::i18n::gettext(
                    "the running Framescope has no window yet; try again in a moment.",
                )
            } else {
                framescope::i18n::gettext(
                    "the running Framescope is closing; try again in a moment.",
                )
            };
            crate::app::tell_caller(command_line, &format!("framescope: {sentence}\n"), true);
            glib::ExitCode::FAILURE
        }

        fn shutdown(&self) {
            // Quitting (Ctrl+Q, MPRIS, the kiosk chord, --exit-at-end) ends
            // the main loop with the window still open: what must be saved
            // is written and the window destroyed here, so its pipeline is
            // stopped before the process exits.
            if let Some(window) = self.window.upgrade() {
                window.finish();
                window.destroy();
            }
            self.parent_shutdown();
        }
    }

    impl GtkApplicationImpl for Application {}
    impl AdwApplicationImpl for Application {}
}

glib::wrapper! {
    /// Framescope's application object.
    pub struct Application(ObjectSubclass<imp::Application>)
        @extends adw::Application, gtk::Application, gio::Application,
        @implements gio::ActionGroup, gio::ActionMap;
}

impl Application {
    /// The application, single-instance on the session bus or not.
    pub fn new(single_instance: bool, launch: Launch, quit_requested: Rc<Cell<bool>>) -> Self {
        let flags = if single_instance {
            gio::ApplicationFlags::HANDLES_COMMAND_LINE
        } else {
            gio::ApplicationFlags::NON_UNIQUE
        };
        let app: Self = glib::Object::builder()
            .property("application-id", "org.framescope.Framescope")
            .property("flags", flags)
            .build();
        app.imp().launch.replace(Some(launch));
        app.imp().quit_requested.replace(Some(quit_requested));
        app
    }

    /// The exit code the run ends with.
    pub fn exit_code(&self) -> u8 {
        self.imp().exit_code.get()
    }

    /// The main window, while it lives.
    fn main_window(&self) -> Option<MainWindow> {
        self.imp().window.upgrade()
    }

    fn install_actions(&self) {
        let preferences = gio::ActionEntry::builder("preferences")
            .activate(|app: &Self, _, _| {
                if let Some(window) = app.main_window() {
                    window.show_preferences();
                }
            })
            .build();
        let about = gio::ActionEntry::builder("about")
            .activate(|app: &Self, _, _| {
                if let Some(window) = app.main_window() {
                    crate::app::window::show_about(&window);
                }
            })
            .build();
        let shortcuts = gio::ActionEntry::builder("shortcuts")
            .activate(|app: &Self, _, _| {
                if let Some(window) = app.main_window() {
                    crate::app::shortcuts::shortcuts_window(window.upcast_ref()).present();
                }
            })
            .build();
        let quit = gio::ActionEntry::builder("quit")
            .activate(|app: &Self, _, _| match app.main_window() {
                Some(window) => window.quit(),
                None => app.quit(),
            })
            .build();
        self.add_action_entries([preferences, about, shortcuts, quit]);
    }
}
