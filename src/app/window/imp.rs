//! The main window's instance data, its template and its `win.` actions
//! (installed once, on the class). See the folder's `mod.rs` for how the
//! window's lifetime keeps its pipeline from outliving it.

use super::{MainWindow as Wrapper, Setup};
use adw::prelude::*;
use adw::subclass::prelude::*;
use framescope::engine::PlayerError;
use framescope::widget::{InspectorWindow, PlayerView};
use gtk::{gio, glib, CompositeTemplate};
use std::cell::{Cell, OnceCell, RefCell};

#[derive(Default, CompositeTemplate, glib::Properties)]
#[template(resource = "/org/framescope/Framescope/app/window.ui")]
#[properties(wrapper_type = Wrapper)]
pub struct MainWindow {
    #[template_child]
    pub toasts: TemplateChild<adw::ToastOverlay>,
    #[template_child]
    pub header_bar: TemplateChild<adw::HeaderBar>,
    #[template_child]
    pub menu_button: TemplateChild<gtk::MenuButton>,
    #[template_child]
    pub queue_button: TemplateChild<gtk::ToggleButton>,
    #[template_child]
    pub view: TemplateChild<PlayerView>,
    #[template_child]
    pub queue_revealer: TemplateChild<gtk::Revealer>,
    /// The "Open Recent" submenu of the main menu.
    #[template_child]
    pub recent_menu: TemplateChild<gio::Menu>,
    #[template_child]
    pub playback_section: TemplateChild<gio::Menu>,
    #[template_child]
    pub quality_menu: TemplateChild<gio::Menu>,
    #[template_child]
    pub video_menu: TemplateChild<gio::Menu>,
    #[template_child]
    pub audio_menu: TemplateChild<gio::Menu>,
    #[template_child]
    pub subtitles_menu: TemplateChild<gio::Menu>,

    /// The queue side panel is shown (F9, the header bar's button).
    #[property(get, set)]
    pub queue_shown: Cell<bool>,

    /// What the window was made from (set once, right after construction).
    pub setup: OnceCell<Setup>,
    /// The "start from the beginning" button shown after a resume.
    pub start_over: OnceCell<gtk::Button>,
    /// Items that played to their end.
    pub played: Cell<usize>,
    /// An item is being loaded: set it up once it is current.
    pub item_setup_pending: Cell<bool>,
    /// The first item was set up (`--start` and `--sub` are for it only).
    pub first_item_set_up: Cell<bool>,
    pub last_error: RefCell<Option<PlayerError>>,
    /// Frames rendered and dropped and seconds played by items left behind.
    pub totals: Cell<(u64, u64, f64)>,
    /// Seconds from the process's start to the first frame handed to GTK.
    pub first_frame: Cell<Option<f64>>,
    /// The inspector window, while open.
    pub inspector: glib::WeakRef<InspectorWindow>,
    /// The remote control (MPRIS, and the Framescope interface with
    /// `--control`), while on the session bus.
    pub control: RefCell<Option<framescope::control::RemoteControl>>,
    /// The audio and subtitle tracks last seen playing (for `--stats-json`,
    /// written when the pipeline may be gone).
    pub tracks_playing: Cell<(i32, i32)>,
    /// The item just opened still has to have its subtitles turned off
    /// (the preferences say so) once its tracks are known.
    pub subtitles_off_pending: Cell<bool>,
    /// `finish` has run: the position, volume and statistics are written.
    pub finished: Cell<bool>,
}

#[glib::object_subclass]
impl ObjectSubclass for MainWindow {
    const NAME: &'static str = "FramescopeMainWindow";
    type Type = Wrapper;
    type ParentType = adw::ApplicationWindow;

    fn class_init(klass: &mut Self::Class) {
        PlayerView::ensure_type();
        klass.bind_template();
        klass.install_action("win.open", None, |win, _, _| {
            win.show_open_dialog(Wrapper::open_items)
        });
        klass.install_action("win.enqueue", None, |win, _, _| {
            win.show_open_dialog(Wrapper::enqueue_items)
        });
        klass.install_action(
            "win.open-recent",
            Some(glib::VariantTy::STRING),
            |win, _, uri| {
                if let Some(uri) = uri.and_then(|u| u.get::<String>()) {
                    win.open_items(vec![uri]);
                }
            },
        );
        // F9 or the header bar's button show and hide the queue panel.
        klass.install_property_action("win.toggle-queue", "queue-shown");
        klass.install_action("win.start-over", None, |win, _, _| win.start_over());
        // The queue: Ctrl+Right / Ctrl+Left.
        klass.install_action("win.next-item", None, |win, _, _| {
            if !win.next_item() {
                win.view()
                    .show_message(&framescope::i18n::gettext("This is the last item."));
            }
        });
        klass.install_action("win.previous-item", None, |win, _, _| {
            if !win.previous_item() {
                win.view()
                    .show_message(&framescope::i18n::gettext("This is the first item."));
            }
        });
        // The newest part of a live stream (End).
        klass.install_action("win.live-edge", None, |win, _, _| {
            if win.view().player().go_to_live_edge() {
                win.view().show_message(&framescope::i18n::gettext("Live"));
            }
        });
        // The time on screen, as TIME text, on the clipboard.
        klass.install_action("win.copy-time", None, |win, _, _| {
            let nanos = win.view().player().position();
            let text = framescope::engine::precise(gst::ClockTime::from_nseconds(nanos));
            win.clipboard().set_text(&text);
            win.toast(&framescope::i18n::tr("Copied {time}", &[("time", &text)]));
        });
        klass.install_action("win.screenshot", None, |win, _, _| {
            let dir = win
                .setup()
                .options
                .screenshot_dir
                .clone()
                .unwrap_or_else(crate::app::screenshot::default_dir);
            let weak = win.downgrade();
            crate::app::screenshot::take(&win.view(), &dir, move |text| {
                if let Some(win) = weak.upgrade() {
                    win.toast(text);
                }
            });
        });
        klass.install_action("win.inspector", None, |win, _, _| win.open_inspector());
    }

    fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
        obj.init_template();
    }
}

#[glib::derived_properties]
impl ObjectImpl for MainWindow {
    fn constructed(&self) {
        self.parent_constructed();
        let obj = self.obj();
        // The main menu names the view's own `player.` actions: they are
        // offered on the window so the menu (outside the view) reaches them.
        self.view.set_window_actions(true);
        framescope::widget::append_menu_items(
            &self.playback_section,
            framescope::widget::MenuSection::Timing,
        );
        self.playback_section
            .append(Some("Go to _Live Edge"), Some("win.live-edge"));
        self.playback_section
            .append(Some("Take _Screenshot"), Some("win.screenshot"));
        self.playback_section
            .append(Some("Stream _Inspector"), Some("win.inspector"));
        framescope::widget::append_menu_items(
            &self.playback_section,
            framescope::widget::MenuSection::View,
        );
        // A full-screen video shows no header bar.
        obj.connect_fullscreened_notify(|win| {
            let imp = win.imp();
            let kiosk = imp.setup.get().is_some_and(|s| s.kiosk.is_some());
            imp.header_bar.set_visible(!win.is_fullscreen() && !kiosk);
        });
    }

    fn dispose(&self) {
        tracing::debug!("the main window is disposed: its player stops");
        if let Some(inspector) = self.inspector.upgrade() {
            inspector.close();
        }
        self.control.take();
        self.dispose_template();
    }
}

impl WidgetImpl for MainWindow {}

impl WindowImpl for MainWindow {
    /// Closing the window saves where the item was left and writes the
    /// statistics while the player is still there.
    fn close_request(&self) -> glib::Propagation {
        self.obj().finish();
        if let Some(inspector) = self.inspector.upgrade() {
            inspector.close();
        }
        self.parent_close_request()
    }
}

impl ApplicationWindowImpl for MainWindow {}
impl AdwApplicationWindowImpl for MainWindow {}
