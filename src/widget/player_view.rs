//! `PlayerView`: the reusable playback widget. It owns (or is given) an
//! engine [`Player`] and shows its picture letterboxed, with on-screen
//! controls that hide after 3 s without pointer motion, a spinner while
//! loading, an audio-only page and an error page with copyable details.
//! Controls are actions in the `player.` group; keys come from [`super::keys`];
//! the timing actions and their on-screen confirmations are in
//! [`super::timing_actions`] and [`super::osd`].

use crate::engine::{Player, PlayerError, PlayerState};
use crate::widget::embedding::ControlsMode;
use crate::widget::keyframe_ticks::KeyframeTicks;
use crate::widget::osd::Osd;
use crate::widget::seek_preview::{PreviewFrame, SeekPreview};
use crate::widget::stats_overlay::StatsOverlay;
use crate::widget::timing_actions::{self, TIMING_ACTIONS};
use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
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

/// Formats nanoseconds as `M:SS` or `H:MM:SS`.
pub fn format_time(ns: u64) -> String {
    let total = ns / 1_000_000_000;
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

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

        pub handlers: RefCell<Vec<glib::SignalHandlerId>>,
        pub paintable_binding: RefCell<Option<glib::Binding>>,
        pub hide_timeout: RefCell<Option<glib::SourceId>>,
        pub last_pointer: Cell<(f64, f64)>,
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
        /// The `player.` actions as a group for hosts (made on first use).
        pub action_group: RefCell<Option<gio::SimpleActionGroup>>,
        /// The window the action group was put on.
        pub actions_window: glib::WeakRef<gtk::Window>,
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
            install_actions(klass);
            for b in crate::widget::keys::BINDINGS {
                klass.add_binding_action(b.key, b.modifiers, b.action);
            }
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    fn install_actions(klass: &mut <PlayerView as ObjectSubclass>::Class) {
        klass.install_action("player.play", None, |v, _, _| v.player().play());
        klass.install_action("player.pause", None, |v, _, _| v.player().pause());
        klass.install_action("player.toggle-play", None, |v, _, _| {
            v.player().toggle_play();
            v.imp().show_controls();
        });
        klass.install_action("player.stop", None, |v, _, _| v.player().stop());
        klass.install_action("player.toggle-stats", None, |v, _, _| {
            let overlay = &v.imp().stats_overlay;
            overlay.set_shown(&v.player(), !overlay.is_shown());
        });
        klass.install_action("player.seek-forward", None, |v, _, _| {
            v.player().seek_by(i64::from(v.seek_step()) * 1_000_000);
            v.imp().show_controls();
        });
        klass.install_action("player.seek-backward", None, |v, _, _| {
            v.player().seek_by(-i64::from(v.seek_step()) * 1_000_000);
            v.imp().show_controls();
        });
        klass.install_action(
            "player.seek",
            Some(glib::VariantTy::INT64),
            |v, _, param| {
                if let Some(ns) = param.and_then(|p| p.get::<i64>()) {
                    v.player()
                        .seek(gst::ClockTime::from_nseconds(ns.max(0) as u64));
                }
            },
        );
        klass.install_action("player.volume-up", None, |v, _, _| {
            let p = v.player();
            p.set_volume((p.volume() + VOLUME_STEP).min(1.0));
            p.set_muted(false);
            v.imp().show_controls();
        });
        klass.install_action("player.volume-down", None, |v, _, _| {
            let p = v.player();
            p.set_volume((p.volume() - VOLUME_STEP).max(0.0));
            v.imp().show_controls();
        });
        klass.install_action(
            "player.set-volume",
            Some(glib::VariantTy::DOUBLE),
            |v, _, param| {
                if let Some(vol) = param.and_then(|p| p.get::<f64>()) {
                    v.player().set_volume(vol.clamp(0.0, 1.0));
                }
            },
        );
        klass.install_action("player.toggle-mute", None, |v, _, _| {
            let p = v.player();
            p.set_muted(!p.muted());
            v.imp().show_controls();
        });
        klass.install_action("player.toggle-fullscreen", None, |v, _, _| {
            v.request_fullscreen_toggle()
        });
        klass.install_action("player.next", None, |v, _, _| {
            if !v.player().next() {
                v.show_message("This is the last item.");
            }
        });
        klass.install_action("player.previous", None, |v, _, _| {
            if !v.player().previous() {
                v.show_message("This is the first item.");
            }
        });
        // The player says why when there is no chapter to go to.
        klass.install_action("player.next-chapter", None, |v, _, _| {
            v.player().next_chapter();
        });
        klass.install_action("player.previous-chapter", None, |v, _, _| {
            v.player().previous_chapter();
        });
        klass.install_action("player.leave-fullscreen", None, |v, _, _| {
            if let Some(win) = v.root().and_downcast::<gtk::Window>() {
                win.unfullscreen();
            }
        });
        for (name, action) in TIMING_ACTIONS {
            klass.install_action(name, None, move |v, _, _| action(v));
        }
        klass.install_action(
            "player.step",
            Some(glib::VariantTy::INT64),
            |v, _, param| {
                if let Some(frames) = param.and_then(|p| p.get::<i64>()) {
                    timing_actions::step(v, frames);
                }
            },
        );
        klass.install_action(
            "player.set-rate",
            Some(glib::VariantTy::DOUBLE),
            |v, _, param| {
                if let Some(rate) = param.and_then(|p| p.get::<f64>()) {
                    v.player().set_rate(rate);
                }
            },
        );
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
            let weak = obj.downgrade();
            self.seek_preview
                .attach(&self.seek_scale, obj.upcast_ref(), move || {
                    weak.upgrade().map(|v| v.player())
                });
            let ticks = KeyframeTicks::new(&self.seek_scale);
            self.seek_overlay.add_overlay(ticks.widget());
            ticks.follow(&obj.player());
            self.keyframe_ticks.replace(Some(ticks));
            self.setup_controls();
            self.setup_pointer();
            self.setup_scroll();
            self.setup_input_lock();
            self.setup_chapter_tooltip();
            obj.connect_root_notify(|view| view.imp().place_window_actions());
        }

        fn dispose(&self) {
            if let Some(id) = self.hide_timeout.take() {
                id.remove();
            }
            if let Some(id) = self.drag_timeout.take() {
                id.remove();
            }
            self.osd.stop();
            self.stats_overlay.stop();
            self.seek_preview.stop();
            if let Some(ticks) = self.keyframe_ticks.take() {
                ticks.stop();
            }
            self.disconnect_player();
            if let (Some(window), Some(_)) = (
                self.actions_window.upgrade(),
                self.action_group.borrow().as_ref(),
            ) {
                window.insert_action_group("player", None::<&gio::ActionGroup>);
            }
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
        }

        fn measure(&self, orientation: gtk::Orientation, for_size: i32) -> (i32, i32, i32, i32) {
            self.overlay.measure(orientation, for_size)
        }

        fn size_allocate(&self, width: i32, height: i32, baseline: i32) {
            self.overlay.allocate(width, height, baseline, None);
            // Rounded up to 64 px so a window being resized does not
            // renegotiate the pipeline on every pixel.
            let scale = self.obj().scale_factor().max(1);
            let round = |v: i32| ((v.max(1) * scale + 63) / 64 * 64) as u32;
            let player = self.player.borrow().clone();
            if let Some(p) = player {
                p.set_render_size(round(width), round(height));
            }
            self.update_subtitle_lift();
        }
    }

    /// How many video pixels subtitles must rise so their usual place is
    /// above a bar whose top is at `bar_top` in a view of `view` size
    /// showing video of `size` letterboxed (0 when the bar sits in the black
    /// border under the picture).
    pub(super) fn subtitle_lift(
        view: (f64, f64),
        size: &crate::engine::VideoSize,
        bar_top: Option<f64>,
    ) -> u32 {
        let (Some(bar_top), true) = (bar_top, size.height > 0 && size.par_d > 0) else {
            return 0;
        };
        let (width, height) = view;
        let shown_width = f64::from(size.width) * f64::from(size.par_n) / f64::from(size.par_d);
        let scale = (width / shown_width).min(height / f64::from(size.height));
        if !(scale.is_finite() && scale > 0.0) {
            return 0;
        }
        let border = (height - f64::from(size.height) * scale) / 2.0;
        let covered = height - bar_top - border;
        if covered <= 0.0 {
            0
        } else {
            (covered / scale).ceil() as u32
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

        /// Shows `player`: a host's, from here on (see `set_own_player`).
        fn set_player(&self, player: Player) {
            if self.player.borrow().as_ref() == Some(&player) {
                return;
            }
            self.owns_player.set(false);
            self.disconnect_player();
            self.player.replace(Some(player.clone()));
            let binding = player
                .bind_property("paintable", &*self.picture, "paintable")
                .sync_create()
                .build();
            self.paintable_binding.replace(Some(binding));
            if self.stats_overlay.is_shown() {
                self.stats_overlay.set_shown(&player, true);
            }
            if let Some(ticks) = self.keyframe_ticks.borrow().as_ref() {
                ticks.follow(&player);
            }
            let weak = self.obj().downgrade();
            let refresh = move |_: &Player| {
                if let Some(view) = weak.upgrade() {
                    view.imp().refresh();
                }
            };
            let mut handlers = vec![
                player.connect_state_notify(refresh.clone()),
                player.connect_has_video_notify(refresh.clone()),
                player.connect_has_audio_notify(refresh.clone()),
                player.connect_title_notify(refresh.clone()),
                player.connect_position_notify(refresh.clone()),
                player.connect_duration_notify(refresh.clone()),
                player.connect_volume_notify(refresh.clone()),
                player.connect_rate_notify(refresh.clone()),
                player.connect_frame_pts_notify(refresh.clone()),
                player.connect_buffering_percent_notify(refresh.clone()),
                player.connect_muted_notify(refresh),
            ];
            let weak = self.obj().downgrade();
            handlers.push(player.connect_error(move |_, error| {
                if let Some(view) = weak.upgrade() {
                    view.imp().show_error(error);
                }
            }));
            handlers.extend(self.connect_feedback(&player));
            let weak = self.obj().downgrade();
            handlers.push(player.connect_video_size_notify(move |_| {
                if let Some(view) = weak.upgrade() {
                    view.imp().update_subtitle_lift();
                }
            }));
            self.handlers.replace(handlers);
            self.refresh();
            self.obj().notify_player();
        }

        fn disconnect_player(&self) {
            if let Some(b) = self.paintable_binding.take() {
                b.unbind();
            }
            if let Some(p) = self.player.borrow().as_ref() {
                for id in self.handlers.take() {
                    p.disconnect(id);
                }
            }
        }

        /// The OSD confirms what the timing keys did and says why one did
        /// nothing; the seek bar shows the loop points.
        fn connect_feedback(&self, player: &Player) -> Vec<glib::SignalHandlerId> {
            let say = |f: fn(&Player) -> String| {
                let weak = self.obj().downgrade();
                move |p: &Player| {
                    if let Some(view) = weak.upgrade() {
                        view.show_message(&f(p));
                    }
                }
            };
            let weak = self.obj().downgrade();
            let loop_marks = move |p: &Player| {
                if let Some(view) = weak.upgrade() {
                    view.imp().update_marks(p);
                    view.show_message(&timing_actions::loop_message(p.loop_a(), p.loop_b()));
                }
            };
            let weak = self.obj().downgrade();
            let chapter_marks = move |p: &Player| {
                if let Some(view) = weak.upgrade() {
                    view.imp().update_marks(p);
                }
            };
            let weak = self.obj().downgrade();
            let frame = move |p: &Player| {
                let Some(view) = weak.upgrade() else { return };
                if view.imp().announce_frame.get() && p.frame_pts() >= 0 && p.is_settled() {
                    view.show_message(&timing_actions::frame_message(
                        p.frame_number(),
                        p.frame_pts(),
                    ));
                }
            };
            let weak = self.obj().downgrade();
            let settled = move |p: &Player| {
                let Some(view) = weak.upgrade() else { return };
                if p.state() == PlayerState::Playing {
                    view.imp().announce_frame.set(false);
                }
            };
            let weak = self.obj().downgrade();
            vec![
                player.connect_rate_notify(say(|p| timing_actions::rate_message(p.rate()))),
                player.connect_av_offset_notify(say(|p| {
                    timing_actions::offset_message("Audio", p.av_offset())
                })),
                player.connect_subtitle_offset_notify(say(|p| {
                    timing_actions::offset_message("Subtitle", p.subtitle_offset())
                })),
                player.connect_loop_a_notify(loop_marks.clone()),
                player.connect_loop_b_notify(loop_marks),
                player.connect_chapters_changed(chapter_marks),
                player.connect_frame_pts_notify(frame.clone()),
                player.connect_position_notify(frame),
                player.connect_state_notify(settled),
                player.connect_warning(move |_, text| {
                    if let Some(view) = weak.upgrade() {
                        view.show_message(text);
                    }
                }),
            ]
        }

        /// Marks A and B above the seek bar, and a tick below it at every
        /// chapter's start (its title in the bar's tooltip).
        fn update_marks(&self, player: &Player) {
            self.seek_scale.clear_marks();
            for (ns, name) in [(player.loop_a(), "A"), (player.loop_b(), "B")] {
                if ns >= 0 {
                    self.seek_scale
                        .add_mark(ns as f64 / 1e9, gtk::PositionType::Top, Some(name));
                }
            }
            let chapters = player.chapters();
            for chapter in chapters.iter().filter(|c| c.start > 0) {
                self.seek_scale.add_mark(
                    chapter.start as f64 / 1e9,
                    gtk::PositionType::Bottom,
                    None,
                );
            }
            self.seek_scale.set_has_tooltip(!chapters.is_empty());
        }

        fn set_seek_previews(&self, on: bool) {
            self.seek_previews.set(on);
            self.seek_preview.set_enabled(on);
        }

        /// The seek bar's tooltip: the chapter under the pointer.
        fn setup_chapter_tooltip(&self) {
            let weak = self.obj().downgrade();
            self.seek_scale
                .connect_query_tooltip(move |scale, x, _, _, tooltip| {
                    let Some(view) = weak.upgrade() else {
                        return false;
                    };
                    let seconds = crate::widget::seek_preview::time_at(scale, f64::from(x));
                    match view.chapter_at(seconds) {
                        Some(text) => {
                            tooltip.set_text(Some(&text));
                            true
                        }
                        None => false,
                    }
                });
        }

        /// Dragging the seek bar scrubs (keyframe seeks, one in flight, the
        /// latest position winning); when it stops, an accurate seek lands
        /// on the exact frame.
        fn on_seek_bar_moved(&self, seconds: f64) {
            let player = self.obj().player();
            let ns = (seconds.max(0.0) * 1e9) as u64;
            player.scrub(crate::engine::timefmt::clock_time(ns));
            self.drag_target.set(Some(seconds));
            if let Some(id) = self.drag_timeout.take() {
                id.remove();
            }
            let weak = self.obj().downgrade();
            let id = glib::timeout_add_local_once(DRAG_SETTLE, move || {
                let Some(view) = weak.upgrade() else { return };
                let imp = view.imp();
                imp.drag_timeout.take();
                if let Some(seconds) = imp.drag_target.take() {
                    let ns = (seconds.max(0.0) * 1e9) as u64;
                    view.player().seek(crate::engine::timefmt::clock_time(ns));
                }
            });
            self.drag_timeout.replace(Some(id));
        }

        fn setup_controls(&self) {
            let weak = self.obj().downgrade();
            self.seek_scale.connect_change_value(move |_, _, value| {
                if let Some(view) = weak.upgrade() {
                    view.imp().on_seek_bar_moved(value);
                    view.imp().show_controls();
                }
                glib::Propagation::Proceed
            });
            let weak = self.obj().downgrade();
            self.volume_scale
                .adjustment()
                .connect_value_changed(move |adj| {
                    if let Some(view) = weak.upgrade() {
                        view.player().set_volume(adj.value());
                    }
                });
            let weak = self.obj().downgrade();
            self.copy_button.connect_clicked(move |_| {
                if let Some(view) = weak.upgrade() {
                    if let Some(e) = view.imp().last_error.borrow().as_ref() {
                        view.clipboard()
                            .set_text(&format!("{}\n{}", e.message, e.detail));
                    }
                }
            });
        }

        /// Scrolling over the picture: up/down changes the volume,
        /// left/right (or Shift with up/down) seeks 5 s, one step a notch.
        /// Scrolls over the controls (the seek and volume bars) stay theirs.
        fn setup_scroll(&self) {
            let scroll = gtk::EventControllerScroll::new(
                gtk::EventControllerScrollFlags::BOTH_AXES
                    | gtk::EventControllerScrollFlags::DISCRETE,
            );
            let weak = self.obj().downgrade();
            scroll.connect_scroll(move |controller, dx, dy| {
                let Some(view) = weak.upgrade() else {
                    return glib::Propagation::Proceed;
                };
                if view.input_locked() {
                    return glib::Propagation::Stop;
                }
                let shift = controller
                    .current_event_state()
                    .contains(gtk::gdk::ModifierType::SHIFT_MASK);
                let (seek, volume) = if shift { (dy, 0.0) } else { (dx, dy) };
                let action = if seek > 0.0 {
                    "player.seek-forward"
                } else if seek < 0.0 {
                    "player.seek-backward"
                } else if volume < 0.0 {
                    "player.volume-up"
                } else if volume > 0.0 {
                    "player.volume-down"
                } else {
                    return glib::Propagation::Proceed;
                };
                let _ = view.activate_action(action, None);
                glib::Propagation::Stop
            });
            self.picture.add_controller(scroll);
        }

        fn setup_pointer(&self) {
            let motion = gtk::EventControllerMotion::new();
            let weak = self.obj().downgrade();
            motion.connect_motion(move |_, x, y| {
                let Some(view) = weak.upgrade() else { return };
                let imp = view.imp();
                // Ignore synthetic motion at the same spot (e.g. after a relayout).
                if imp.last_pointer.replace((x, y)) != (x, y) {
                    imp.show_controls();
                }
            });
            self.obj().add_controller(motion);
            let click = gtk::GestureClick::new();
            let weak = self.obj().downgrade();
            click.connect_pressed(move |_, n, _, _| {
                let Some(view) = weak.upgrade() else { return };
                if view.input_locked() {
                    return;
                }
                view.grab_focus();
                view.imp().show_controls();
                if n == 2 {
                    view.toggle_fullscreen();
                }
            });
            self.obj().add_controller(click);
        }

        fn set_controls(&self, mode: ControlsMode) {
            self.controls.set(mode);
            let full = mode == ControlsMode::Full;
            for widget in [
                self.position_label.upcast_ref::<gtk::Widget>(),
                self.duration_label.upcast_ref(),
                self.mute_button.upcast_ref(),
                self.volume_scale.upcast_ref(),
                self.fullscreen_button.upcast_ref(),
            ] {
                widget.set_visible(full);
            }
            self.refresh();
            if mode == ControlsMode::Off {
                self.set_controls_visible(false);
            } else {
                self.show_controls();
            }
        }

        fn set_input_locked(&self, locked: bool) {
            if self.input_locked.replace(locked) == locked {
                return;
            }
            // Nothing inside the view can be clicked, dragged or scrolled.
            self.overlay.set_can_target(!locked);
            if locked {
                self.set_controls_visible(false);
            } else {
                self.show_controls();
            }
        }

        /// While locked, a capture-phase key handler takes every key before
        /// the view's bindings see it; only the unlock chord does anything.
        fn setup_input_lock(&self) {
            let keys = gtk::EventControllerKey::new();
            keys.set_propagation_phase(gtk::PropagationPhase::Capture);
            let weak = self.obj().downgrade();
            keys.connect_key_pressed(move |_, key, _, modifiers| {
                let Some(view) = weak.upgrade() else {
                    return glib::Propagation::Proceed;
                };
                if !view.input_locked() {
                    return glib::Propagation::Proceed;
                }
                let chord = view.unlock_accel().and_then(|a| gtk::accelerator_parse(&a));
                let mask = gtk::accelerator_get_default_mod_mask();
                if let Some((accel_key, accel_mods)) = chord {
                    if key.to_lower() == accel_key.to_lower() && (modifiers & mask) == accel_mods {
                        match view.unlock_action() {
                            Some(action) => match gio::Action::parse_detailed_name(&action) {
                                Ok((name, target)) => {
                                    let _ = view.activate_action(&name, target.as_ref());
                                }
                                Err(e) => tracing::warn!("unlock-action “{action}”: {e}"),
                            },
                            None => view.set_input_locked(false),
                        }
                    }
                }
                glib::Propagation::Stop
            });
            self.obj().add_controller(keys);
            // Scrolling over the view itself (not a child) is swallowed too.
            let scroll =
                gtk::EventControllerScroll::new(gtk::EventControllerScrollFlags::BOTH_AXES);
            scroll.set_propagation_phase(gtk::PropagationPhase::Capture);
            let weak = self.obj().downgrade();
            scroll.connect_scroll(move |_, _, _| {
                if weak.upgrade().is_some_and(|v| v.input_locked()) {
                    glib::Propagation::Stop
                } else {
                    glib::Propagation::Proceed
                }
            });
            self.obj().add_controller(scroll);
        }

        fn set_window_actions(&self, on: bool) {
            if self.window_actions.replace(on) != on {
                self.place_window_actions();
            }
        }

        /// Puts the action group on the view's window (or takes it off).
        pub fn place_window_actions(&self) {
            let obj = self.obj();
            let window = obj.root().and_downcast::<gtk::Window>();
            if let Some(old) = self.actions_window.upgrade() {
                if Some(&old) != window.as_ref() || !self.window_actions.get() {
                    old.insert_action_group("player", None::<&gio::ActionGroup>);
                    self.actions_window.set(None);
                }
            }
            if let (true, Some(window)) = (self.window_actions.get(), window) {
                window.insert_action_group("player", Some(&obj.action_group()));
                self.actions_window.set(Some(&window));
            }
        }

        /// Shows the controls and restarts the hide timer.
        pub fn show_controls(&self) {
            if self.controls.get() == ControlsMode::Off || self.input_locked.get() {
                return;
            }
            self.set_controls_visible(true);
            self.schedule_hide();
        }

        fn set_controls_visible(&self, visible: bool) {
            let visible =
                visible && self.controls.get() != ControlsMode::Off && !self.input_locked.get();
            self.controls_bar.set_reveal_child(visible);
            // Off or locked, the host decides about the cursor.
            if self.controls.get() != ControlsMode::Off && !self.input_locked.get() {
                self.obj()
                    .set_cursor_from_name(if visible { None } else { Some("none") });
            }
            if self.controls_visible.replace(visible) != visible {
                self.obj().notify_controls_visible();
            }
            self.update_subtitle_lift();
        }

        /// Subtitles are drawn into the picture: while the controls bar is
        /// shown over the picture's bottom, the text is raised above it.
        fn update_subtitle_lift(&self) {
            let Some(player) = self.player.borrow().clone() else {
                return;
            };
            let obj = self.obj();
            let lift = match (player.video_size(), self.controls_visible.get()) {
                (Some(size), true) => {
                    let bar_top = self
                        .controls_bar
                        .compute_bounds(&*obj)
                        .map(|b| f64::from(b.y()));
                    subtitle_lift(
                        (f64::from(obj.width()), f64::from(obj.height())),
                        &size,
                        bar_top,
                    )
                }
                _ => 0,
            };
            player.set_subtitle_lift(lift);
        }

        fn schedule_hide(&self) {
            if let Some(id) = self.hide_timeout.take() {
                id.remove();
            }
            let weak = self.obj().downgrade();
            let id = glib::timeout_add_local_once(CONTROLS_HIDE_DELAY, move || {
                if let Some(view) = weak.upgrade() {
                    let imp = view.imp();
                    imp.hide_timeout.take();
                    imp.set_controls_visible(false);
                }
            });
            self.hide_timeout.replace(Some(id));
        }

        pub fn show_error(&self, error: &PlayerError) {
            self.error_label.set_label(&error.message);
            self.error_detail.set_label(&error.detail);
            self.last_error.replace(Some(error.clone()));
            self.refresh();
        }

        /// Brings every child in line with the player's properties.
        fn refresh(&self) {
            let Some(player) = self.player.borrow().clone() else {
                return;
            };
            let state = player.state();
            if !matches!(state, PlayerState::Error | PlayerState::Stopped) {
                self.last_error.replace(None);
            }
            let audio_only = !player.has_video() && player.has_audio();
            let page = if self.last_error.borrow().is_some() {
                "error"
            } else if audio_only
                && matches!(
                    state,
                    PlayerState::Paused | PlayerState::Playing | PlayerState::Buffering
                )
            {
                "audio"
            } else {
                "video"
            };
            self.stack.set_visible_child_name(page);
            self.audio_title
                .set_label(player.title().as_deref().unwrap_or(""));
            let busy = matches!(state, PlayerState::Loading | PlayerState::Buffering);
            self.spinner.set_visible(busy);
            self.spinner.set_spinning(busy);
            let percent = player.buffering_percent();
            let buffering = state == PlayerState::Buffering && (0..100).contains(&percent);
            self.buffering_label.set_visible(buffering);
            if buffering {
                self.buffering_label
                    .set_label(&format!("Buffering {percent} %"));
            }
            let playing = state == PlayerState::Playing;
            self.play_button.set_icon_name(if playing {
                "media-playback-pause-symbolic"
            } else {
                "media-playback-start-symbolic"
            });
            self.play_button.set_tooltip_text(Some(if playing {
                "Pause (Space)"
            } else {
                "Play (Space)"
            }));
            let duration = player.duration();
            let adj = self.seek_scale.adjustment();
            adj.set_upper((duration as f64 / 1e9).max(0.001));
            // While the user drags, the bar follows the pointer, not playback.
            if self.drag_target.get().is_none() {
                adj.set_value(player.position() as f64 / 1e9);
            }
            self.seek_scale
                .set_sensitive(duration > 0 && player.seekable());
            // Paused on a frame, the time is exact to the millisecond.
            let position = if playing || player.frame_pts() < 0 {
                format_time(player.position())
            } else {
                crate::engine::timefmt::precise(gst::ClockTime::from_nseconds(player.position()))
            };
            self.position_label.set_label(&position);
            let rate = player.rate();
            self.rate_label
                .set_visible(rate != 1.0 && self.controls.get() == ControlsMode::Full);
            self.rate_label.set_label(&crate::engine::rate::label(rate));
            self.duration_label.set_label(&if duration > 0 {
                format_time(duration)
            } else {
                "--:--".into()
            });
            let volume_adj = self.volume_scale.adjustment();
            if (volume_adj.value() - player.volume()).abs() > f64::EPSILON {
                volume_adj.set_value(player.volume());
            }
            let icon = if player.muted() || player.volume() == 0.0 {
                "audio-volume-muted-symbolic"
            } else if player.volume() < 0.5 {
                "audio-volume-medium-symbolic"
            } else {
                "audio-volume-high-symbolic"
            };
            self.mute_button.set_icon_name(icon);
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
        let group = crate::widget::embedding::action_group(self);
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
            self.imp().fullscreen_button.set_icon_name(if full {
                "view-restore-symbolic"
            } else {
                "view-fullscreen-symbolic"
            });
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
        let i = crate::engine::chapters::current(&chapters, ns)?;
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

    /// Keyframe times (seconds) ticked on the seek bar so far.
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
