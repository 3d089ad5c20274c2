//! `PlayerView`: the reusable playback widget. It owns (or is given) an
//! engine [`Player`] and shows its picture letterboxed, with on-screen
//! controls that hide after 3 s without pointer motion, a spinner while
//! loading, an audio-only page and an error page with copyable details.
//!
//! This file holds the GObject: its state, properties and public methods.
//! Each concern has a file of its own:
//! - [`actions`]: the one table of `player.` actions (names, parameters,
//!   handlers, keys, titles, menu entries) and the host action group;
//!   [`keys`] turns its keys into accelerators and the shortcuts window;
//!   [`timing_actions`] holds the frame-step, speed and offset handlers;
//! - `binding`: following the player (one `glib::SignalGroup` and one
//!   `glib::BindingGroup` whose target changes on `set_player`) and
//!   bringing the children in line with its properties;
//! - `input`: pointer, clicks, scrolling, the seek bar and the input lock;
//! - [`osd`]: what is drawn over the video: messages and the controls bar
//!   showing and hiding;
//! - [`stats_overlay`], [`seek_preview`], [`keyframe_ticks`]: the overlays;
//! - [`a11y`]: what assistive technology is told (names that follow the
//!   state, the bars' values as text), and keyboard focus in the controls;
//! - `backdrop`: the black around the picture.

pub mod a11y;
pub mod actions;
mod backdrop;
mod binding;
pub mod frame_pull;
mod input;
pub mod keyframe_ticks;
pub mod keys;
pub mod osd;
mod render_size;
pub mod seek_preview;
pub mod stats_overlay;
pub mod timing_actions;

use crate::engine::{Player, PlayerError};
use crate::widget::embedding::ControlsMode;
use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use keyframe_ticks::KeyframeTicks;
use osd::Osd;
use seek_preview::{PreviewFrame, SeekPreview};
use stats_overlay::StatsOverlay;
use std::time::Duration;

/// How long the controls stay visible after the pointer last moved.
pub const CONTROLS_HIDE_DELAY: Duration = Duration::from_secs(3);
/// How far the seek keys jump by default (the `seek-step` property).
pub const SEEK_STEP: Duration = Duration::from_secs(5);
/// How much the volume keys change the volume.
pub const VOLUME_STEP: f64 = 0.05;
/// After the seek bar's last move, how long until the drag counts as ended
/// and an accurate seek lands on the exact frame.
pub const DRAG_SETTLE: Duration = Duration::from_millis(250);

/// What the seek bar and the time were last set from: position, duration,
/// whether the time is rounded (playing), whether the bar can seek, and
/// whether it is being dragged.
type ShownTime = (u64, u64, bool, bool, bool);

mod imp {
    use super::*;
    use std::cell::{Cell, RefCell};

    #[derive(gtk::CompositeTemplate, glib::Properties, Default)]
    #[template(resource = "/org/framescope/Framescope/player-view.ui")]
    #[properties(wrapper_type = super::PlayerView)]
    pub struct PlayerView {
        /// The engine player shown by this view.
        #[property(get = Self::current_player, set = Self::set_player, type = Player)]
        pub player: RefCell<Option<Player>>,
        /// The view made its player itself (no host gave it one): it stops
        /// the player when it goes away (see [`super::PlayerView`]).
        pub owns_player: Cell<bool>,
        /// Start playing as soon as a URI is set (default true).
        #[property(get, set, default = true)]
        pub autoplay: Cell<bool>,
        /// Whether the on-screen controls are currently shown.
        #[property(get)]
        pub controls_visible: Cell<bool>,
        /// How much of the on-screen controls to show: off, minimal
        /// (play/pause and seek) or full.
        #[property(get, set = Self::set_controls, builder(ControlsMode::Full))]
        pub controls: Cell<ControlsMode>,
        /// Blocks every user input to the view (taps, clicks, keys, scroll)
        /// for kiosks; the host's own code and actions still work.
        #[property(get, set = Self::set_input_locked)]
        pub input_locked: Cell<bool>,
        /// A key chord (GTK accelerator syntax, e.g. `<Control><Alt>u`)
        /// that, while input is locked, activates `unlock-action`, or
        /// unlocks input when that is unset.
        #[property(get, set, nullable)]
        pub unlock_accel: RefCell<Option<String>>,
        /// A detailed action name (e.g. `app.ask-pin`) the unlock chord
        /// activates instead of unlocking directly.
        #[property(get, set, nullable)]
        pub unlock_action: RefCell<Option<String>>,
        /// Also offers the `player.` actions on the window the view is in,
        /// so buttons outside the view (e.g. in the same `.ui` file) can use
        /// them with no code.
        #[property(get, set = Self::set_window_actions)]
        pub window_actions: Cell<bool>,

        #[template_child]
        pub overlay: TemplateChild<gtk::Overlay>,
        #[template_child]
        pub stack: TemplateChild<gtk::Stack>,
        #[template_child]
        pub picture: TemplateChild<gtk::Picture>,
        #[template_child]
        pub audio_title: TemplateChild<gtk::Label>,
        #[template_child]
        pub error_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub error_detail: TemplateChild<gtk::Label>,
        #[template_child]
        pub copy_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub spinner: TemplateChild<gtk::Spinner>,
        /// "Buffering 45 %" under the spinner while a stream fills its buffer.
        #[template_child]
        pub buffering_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub controls_bar: TemplateChild<gtk::Revealer>,
        #[template_child]
        pub play_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub position_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub duration_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub rate_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub seek_scale: TemplateChild<gtk::Scale>,
        #[template_child]
        pub seek_overlay: TemplateChild<gtk::Overlay>,
        #[template_child]
        pub mute_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub volume_scale: TemplateChild<gtk::Scale>,
        #[template_child]
        pub fullscreen_button: TemplateChild<gtk::Button>,

        /// The player's signals the view follows, connected once; its
        /// target is the player shown (see `binding`).
        pub player_signals: std::cell::OnceCell<glib::SignalGroup>,
        /// The player's properties bound to children (the picture's
        /// paintable); its source is the player shown.
        pub player_bindings: std::cell::OnceCell<glib::BindingGroup>,
        /// The player's `chapters-model`, followed for the seek bar's
        /// chapter ticks; its target is the model of the player shown.
        pub chapter_signals: std::cell::OnceCell<glib::SignalGroup>,
        pub hide_timeout: RefCell<Option<glib::SourceId>>,
        /// The picture's size, told to the player (`render_size`).
        pub render_size: render_size::RenderSize,
        /// Frames taken at the frame clock while playing (`frame_pull`).
        pub frame_pulling: frame_pull::FramePulling,
        pub last_pointer: Cell<(f64, f64)>,
        /// When a pointer button last went down over the view (its
        /// controls included): focus a scale takes then is given back.
        pub last_press: Cell<Option<std::time::Instant>>,
        pub last_error: RefCell<Option<PlayerError>>,
        /// Transient messages over the video.
        pub osd: Osd,
        /// The statistics panel (key `i`).
        pub stats_overlay: StatsOverlay,
        /// Keyframe ticks under the seek bar.
        pub keyframe_ticks: RefCell<Option<KeyframeTicks>>,
        /// The picture over the seek bar while the pointer is on it.
        pub seek_preview: SeekPreview,
        /// How far the seek keys, actions and the scroll wheel jump, in
        /// milliseconds: 100 to 600 000 (values outside are brought to the
        /// nearer end; default 5000).
        #[property(
            get,
            set,
            minimum = 100,
            maximum = 600_000,
            default = 5000,
            lax_validation
        )]
        pub seek_step: Cell<u32>,
        /// Show a preview picture when hovering or dragging the seek bar
        /// (default true; decoded by a second pipeline of its own).
        #[property(get, set = Self::set_seek_previews, default = true)]
        pub seek_previews: Cell<bool>,
        /// The next frame shown (after a step) is named on the OSD.
        pub announce_frame: Cell<bool>,
        /// Ends a seek-bar drag with an accurate seek.
        pub drag_timeout: RefCell<Option<glib::SourceId>>,
        /// Where the seek bar was last dragged to (seconds).
        pub drag_target: Cell<Option<f64>>,
        /// What the seek bar and the time show, to skip a refresh that
        /// changes nothing.
        pub shown_time: Cell<Option<super::ShownTime>>,
        /// The `player.` actions as a group for hosts (made on first use).
        pub action_group: RefCell<Option<gio::SimpleActionGroup>>,
        /// The window the action group was put on.
        pub actions_window: glib::WeakRef<gtk::Window>,
        /// The accessible names and value texts last handed to GTK.
        pub a11y: a11y::A11yState,
        /// The window whose `fullscreened` the fullscreen button follows,
        /// and the handler doing it.
        pub fullscreen_watch: RefCell<Option<(glib::WeakRef<gtk::Window>, glib::SignalHandlerId)>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for PlayerView {
        const NAME: &'static str = "FramescopePlayerView";
        type Type = super::PlayerView;
        type ParentType = gtk::Widget;
        type Interfaces = (gtk::Buildable,);

        fn class_init(klass: &mut Self::Class) {
            crate::widget::ensure_resources();
            klass.bind_template();
            klass.set_css_name("framescope-player-view");
            klass.set_accessible_role(gtk::AccessibleRole::Group);
            actions::install(klass);
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for PlayerView {
        fn properties() -> &'static [glib::ParamSpec] {
            Self::derived_properties()
        }

        fn set_property(&self, id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
            // GObject lets anyone (C, Python, a .ui file) set an object
            // property to NULL; the view always has a player, so NULL is
            // refused here rather than panicking in the generated setter.
            if pspec.name() == "player" && value.get::<Option<Player>>().ok().flatten().is_none() {
                tracing::warn!("a PlayerView's player cannot be unset; it keeps its player");
                return;
            }
            self.derived_set_property(id, value, pspec)
        }

        fn property(&self, id: usize, pspec: &glib::ParamSpec) -> glib::Value {
            self.derived_property(id, pspec)
        }

        fn signals() -> &'static [glib::subclass::Signal] {
            static SIGNALS: std::sync::OnceLock<Vec<glib::subclass::Signal>> =
                std::sync::OnceLock::new();
            SIGNALS.get_or_init(|| {
                vec![glib::subclass::Signal::builder("fullscreen-request")
                    .return_type::<bool>()
                    .accumulator(|_, _, value| {
                        // The first handler that returns true ends the emission.
                        if value.get::<bool>().unwrap_or(false) {
                            std::ops::ControlFlow::Break(value.clone())
                        } else {
                            std::ops::ControlFlow::Continue(value.clone())
                        }
                    })
                    .build()]
            })
        }

        fn constructed(&self) {
            self.parent_constructed();
            let obj = self.obj();
            self.autoplay.set(true);
            obj.add_css_class("framescope-view");
            crate::widget::ensure_style();
            if self.player.borrow().is_none() {
                self.set_own_player();
            }
            self.controls_visible.set(true);
            self.controls.set(ControlsMode::Full);
            self.overlay.add_overlay(self.osd.widget());
            self.overlay.add_overlay(self.stats_overlay.widget());
            self.overlay.add_overlay(self.seek_preview.widget());
            self.seek_previews.set(true);
            self.seek_step.set(SEEK_STEP.as_millis() as u32);
            self.seek_preview.attach(
                &self.seek_scale,
                obj.upcast_ref(),
                glib::clone!(
                    #[weak_allow_none]
                    obj,
                    move || obj.map(|v| v.player())
                ),
            );
            let ticks = KeyframeTicks::new(&self.seek_scale);
            self.seek_overlay.add_overlay(ticks.widget());
            ticks.follow(&obj.player());
            self.keyframe_ticks.replace(Some(ticks));
            self.setup_input();
            self.setup_focus();
            obj.connect_root_notify(|view| {
                view.imp().place_window_actions();
                view.imp().follow_fullscreen();
            });
            // A new pipeline brings a new sink picture to pull from.
            let weak = obj.downgrade();
            self.picture.connect_paintable_notify(move |_| {
                if let Some(view) = weak.upgrade() {
                    view.imp().frame_pulling.update(view.imp());
                }
            });
        }

        fn dispose(&self) {
            if let Some(id) = self.hide_timeout.take() {
                id.remove();
            }
            self.render_size.cancel();
            self.frame_pulling.stop();
            if let Some(id) = self.drag_timeout.take() {
                id.remove();
            }
            self.osd.stop();
            self.stats_overlay.stop();
            self.seek_preview.stop();
            if let Some(ticks) = self.keyframe_ticks.take() {
                ticks.stop();
            }
            self.unbind_player();
            self.remove_window_actions();
            self.unfollow_fullscreen();
            // Its own player stops with the view; a host's is the host's.
            // (Cloned first: stopping notifies, and a handler may set
            // `player`.)
            let player = self.player.borrow().clone();
            if let Some(p) = player.filter(|_| self.owns_player.get()) {
                p.stop();
            }
            self.dispose_template();
            while let Some(child) = self.obj().first_child() {
                child.unparent();
            }
        }
    }

    impl BuildableImpl for PlayerView {
        fn add_child(&self, builder: &gtk::Builder, child: &glib::Object, type_: Option<&str>) {
            match (type_, child.downcast_ref::<gtk::Widget>()) {
                // `<child type="overlay">` in a .ui file: a host overlay.
                (Some("overlay"), Some(widget)) => self.overlay.add_overlay(widget),
                _ => self.parent_add_child(builder, child, type_),
            }
        }
    }

    impl WidgetImpl for PlayerView {
        fn map(&self) {
            self.parent_map();
            self.schedule_hide();
            self.frame_pulling.update(self);
        }

        fn unmap(&self) {
            self.frame_pulling.stop();
            self.parent_unmap();
        }

        fn measure(&self, orientation: gtk::Orientation, for_size: i32) -> (i32, i32, i32, i32) {
            self.overlay.measure(orientation, for_size)
        }

        fn snapshot(&self, snapshot: &gtk::Snapshot) {
            self.snapshot_backdrop(snapshot);
            self.parent_snapshot(snapshot);
        }

        fn size_allocate(&self, width: i32, height: i32, baseline: i32) {
            self.overlay.allocate(width, height, baseline, None);
            self.render_size.follow(self);
            self.update_subtitle_lift();
        }
    }
    impl PlayerView {
        fn current_player(&self) -> Player {
            if let Some(p) = self.player.borrow().as_ref() {
                return p.clone();
            }
            self.set_own_player()
        }

        /// Makes a player of the view's own and shows it.
        fn set_own_player(&self) -> Player {
            let player = Player::new();
            self.set_player(player.clone());
            self.owns_player.set(true);
            player
        }

        fn set_seek_previews(&self, on: bool) {
            self.seek_previews.set(on);
            self.seek_preview.set_enabled(on);
        }
    }
}

glib::wrapper! {
    /// The playback widget: picture, controls, loading/audio-only/error views.
    /// GtkBuilder type name `FramescopePlayerView`.
    ///
    /// # Who stops the player
    ///
    /// A view made with [`PlayerView::new`] (or from a `.ui` file without a
    /// `player`) makes a [`Player`] of its own, and stops it when the view
    /// is disposed (its window destroyed, or the view unparented and let
    /// go): the pipeline is handed to the engine's reaper at once, even if
    /// other code still holds the player through [`PlayerView::player`]
    /// (an observer such as a queue panel or an inspector). Such a player
    /// stays usable: [`Player::play`] opens its item again, in another view
    /// or headless.
    ///
    /// A player the host gives ([`PlayerView::with_player`],
    /// [`PlayerView::set_player`], the `player` property in a `.ui` file) is
    /// the host's: the view only lets go of it when disposed, so a player
    /// the host still holds keeps playing (to move it to another view, say),
    /// and one nobody else holds stops as it is freed.
    ///
    /// Unrealizing or unmapping the view (hiding its window, moving the view
    /// to another container) does not stop anything.
    ///
    /// # Drawing cheaply
    ///
    /// On the software video path each frame is scaled to the picture's size
    /// and drawn pixel for pixel, with the view's black drawn only around
    /// it. With GTK's cairo renderer on X11, cairo then copies the frame
    /// straight into the window's buffer, provided nothing else is drawn
    /// under the view: a background on the window or on a container around
    /// the view (GTK's windows have one by default) makes it fill a cleared
    /// buffer of the frame's size first and blend that in, about a tenth of
    /// the CPU for a 720p view. Framescope's own window has no background
    /// (its header bar and side panel draw their own); a host that wants
    /// the cheap path does the same, for instance with the CSS
    /// `window.my-player { background: none; }`, and gives the widgets
    /// beside the view their own backgrounds.
    pub struct PlayerView(ObjectSubclass<imp::PlayerView>)
        @extends gtk::Widget,
        @implements gtk::Accessible, gtk::Buildable, gtk::ConstraintTarget;
}

impl Default for PlayerView {
    fn default() -> Self {
        Self::new()
    }
}

impl PlayerView {
    /// Creates a view with its own [`Player`].
    pub fn new() -> Self {
        glib::Object::new()
    }

    /// Creates a view showing an existing player.
    pub fn with_player(player: &Player) -> Self {
        glib::Object::builder().property("player", player).build()
    }

    /// Opens a path or URI and, with `autoplay`, starts playing.
    pub fn open(&self, path_or_uri: &str) {
        let player = self.player();
        player.open(path_or_uri);
        if self.autoplay() {
            player.play();
        }
    }

    /// The URI of the current media, if any.
    pub fn uri(&self) -> Option<String> {
        self.player().uri()
    }

    /// Adds a host widget over the video (under the controls' layer
    /// order: later overlays are on top). Position it with its `halign`
    /// and `valign`. In a `.ui` file: `<child type="overlay">`.
    pub fn add_overlay(&self, widget: &impl IsA<gtk::Widget>) {
        self.imp().overlay.add_overlay(widget);
    }

    /// Removes a widget added with [`PlayerView::add_overlay`].
    pub fn remove_overlay(&self, widget: &impl IsA<gtk::Widget>) {
        self.imp().overlay.remove_overlay(widget);
    }

    /// The `player.` actions as an action group for widgets outside the
    /// view: `window.insert_action_group("player", Some(&view.action_group()))`
    /// (or set `window-actions`). Activations are ignored while input is
    /// locked; `next`/`previous` are enabled only when there is an item to
    /// go to.
    pub fn action_group(&self) -> gio::SimpleActionGroup {
        let imp = self.imp();
        if let Some(group) = imp.action_group.borrow().as_ref() {
            return group.clone();
        }
        let group = actions::action_group(self);
        imp.action_group.replace(Some(group.clone()));
        group
    }

    /// What the `player.toggle-fullscreen` action does: emits
    /// `fullscreen-request`; when no handler returns true (handled), the
    /// view toggles its window's fullscreen itself.
    pub fn request_fullscreen_toggle(&self) {
        let handled = self.emit_by_name::<bool>("fullscreen-request", &[]);
        if !handled {
            self.toggle_fullscreen();
        }
    }

    /// Connects to `fullscreen-request`: the user asked to toggle
    /// fullscreen; return true to handle it (e.g. a host that fullscreens
    /// only the video), false to let the view toggle its window.
    pub fn connect_fullscreen_request<F: Fn(&Self) -> bool + 'static>(
        &self,
        f: F,
    ) -> glib::SignalHandlerId {
        self.connect_local("fullscreen-request", false, move |args| {
            let view = args[0].get::<Self>().ok()?;
            Some(f(&view).to_value())
        })
    }

    /// Fullscreens or un-fullscreens the window this view is in.
    pub fn toggle_fullscreen(&self) {
        if let Some(win) = self.root().and_downcast::<gtk::Window>() {
            let full = !win.is_fullscreen();
            if full {
                win.fullscreen();
            } else {
                win.unfullscreen();
            }
            // The window's `fullscreened` follows when the window system
            // agrees; the button shows the request at once.
            self.imp().update_fullscreen_name(full);
        }
    }

    /// The picture widget (for hosts that want to style it).
    pub fn picture(&self) -> gtk::Picture {
        self.imp().picture.get()
    }

    /// The name of the visible page: `video`, `audio` or `error`.
    pub fn visible_page(&self) -> String {
        self.imp()
            .stack
            .visible_child_name()
            .map(|s| s.to_string())
            .unwrap_or_default()
    }

    /// The error sentence currently shown, if the error page is visible.
    pub fn error_text(&self) -> Option<String> {
        (self.visible_page() == "error").then(|| self.imp().error_label.label().to_string())
    }

    /// Shows an error that did not come from the player (e.g. a bad command line).
    pub fn show_error(&self, error: &PlayerError) {
        self.imp().show_error(error);
    }

    /// Shows a short message over the video for a moment (hosts can use it
    /// too, e.g. "Screenshot saved").
    pub fn show_message(&self, text: &str) {
        self.imp().osd.show(text);
    }

    /// The on-screen message shown now, if any.
    pub fn message(&self) -> Option<String> {
        self.imp().osd.text()
    }

    /// Whether the statistics overlay (key `i`, action `player.toggle-stats`)
    /// is shown.
    pub fn stats_overlay_shown(&self) -> bool {
        self.imp().stats_overlay.is_shown()
    }

    /// What the seek bar's tooltip says at `seconds`: the chapter there
    /// ("Middle (0:10)"), or `None` without chapters.
    pub fn chapter_at(&self, seconds: f64) -> Option<String> {
        let player = self.player();
        let chapters = player.chapters();
        let ns = (seconds.max(0.0) * 1e9) as u64;
        let i = crate::engine::current_chapter(&chapters, ns)?;
        Some(chapters[i].label(i))
    }

    /// Whether the seek-bar preview is showing.
    pub fn seek_preview_shown(&self) -> bool {
        self.imp().seek_preview.is_shown()
    }

    /// The picture the seek-bar preview shows (the keyframe at or before
    /// the time under the pointer), once decoded.
    pub fn seek_preview_frame(&self) -> Option<PreviewFrame> {
        self.imp().seek_preview.shown()
    }

    /// The chapter starts (seconds) ticked below the seek bar.
    pub fn chapter_marks(&self) -> Vec<f64> {
        self.player()
            .chapters()
            .iter()
            .filter(|c| c.start > 0)
            .map(|c| c.start as f64 / 1e9)
            .collect()
    }

    /// Keyframe times (seconds) ticked on the seek bar so far. A local
    /// file is scanned for them once the seek bar is first on screen: with
    /// the controls off there are none.
    pub fn keyframe_ticks(&self) -> Vec<f64> {
        self.imp()
            .keyframe_ticks
            .borrow()
            .as_ref()
            .map(|t| t.keys())
            .unwrap_or_default()
    }

    /// The statistics overlay's current text.
    pub fn stats_overlay_text(&self) -> String {
        self.imp().stats_overlay.text()
    }

    /// Names the next frame shown on the on-screen display (after a step).
    pub(crate) fn announce_next_frame(&self) {
        self.imp().announce_frame.set(true);
    }
}
