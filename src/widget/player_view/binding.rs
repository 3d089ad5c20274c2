//! How the view follows its player. The handlers are connected once, on a
//! `glib::SignalGroup` (and the picture's paintable bound once, on a
//! `glib::BindingGroup`); showing another player only changes the groups'
//! target, so no handler is ever connected or disconnected by hand. Every
//! handler holds the view weakly. [`refresh`](super::imp::PlayerView::refresh)
//! then brings each child in line with the player's properties. The seek
//! bar's chapter ticks follow the player's `chapters-model` the same way,
//! through a second signal group whose target is that list model.

use super::imp;
use super::timing_actions;
use crate::engine::{format_time, precise};
use crate::engine::{Player, PlayerError, PlayerState};
use crate::widget::embedding::ControlsMode;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gio, glib};

/// The player properties whose change the children show.
const SHOWN: &[&str] = &[
    "state",
    "has-video",
    "has-audio",
    "title",
    "duration",
    "volume",
    "rate",
    "buffering-percent",
    "muted",
];

/// The properties that change with every frame during playback: they move
/// only the seek bar and the time ([`refresh_time`](imp::PlayerView::refresh_time)),
/// so a frame costs no widget a new size and no tooltip query (bench/RESULTS.md,
/// issue 18).
const TICKING: &[&str] = &["position", "frame-pts"];

/// Connects `f` to the change of each of `properties` on the group's player.
fn on_notify(
    group: &glib::SignalGroup,
    properties: &[&str],
    f: impl Fn(&Player) + Clone + 'static,
) {
    for name in properties {
        let f = f.clone();
        group.connect_notify_local(Some(name), move |object, _| {
            if let Some(player) = object.downcast_ref::<Player>() {
                f(player);
            }
        });
    }
}

/// Connects `f` to the group's player's signal `name`: it gets the view
/// (held weakly) and the signal's argument at `index` (0 is the player).
fn on_signal<T: glib::value::ValueType>(
    group: &glib::SignalGroup,
    view: &super::PlayerView,
    name: &str,
    index: usize,
    f: impl Fn(&super::PlayerView, T) + 'static,
) {
    let view = view.downgrade();
    group.connect_local(name, false, move |args| {
        let view = view.upgrade()?;
        let value = args.get(index)?.get::<T>().ok()?;
        f(&view, value);
        None
    });
}

impl imp::PlayerView {
    /// The signal group following the player, its handlers connected on
    /// first use.
    fn player_signals(&self) -> &glib::SignalGroup {
        self.player_signals
            .get_or_init(|| self.connect_player_signals())
    }

    /// The binding group following the player.
    fn player_bindings(&self) -> &glib::BindingGroup {
        self.player_bindings.get_or_init(|| {
            let group = glib::BindingGroup::new();
            group
                .bind("paintable", &*self.picture, "paintable")
                .sync_create()
                .build();
            group
        })
    }

    /// Shows `player`: a host's, from here on (see `set_own_player`).
    pub(super) fn set_player(&self, player: Player) {
        if self.player.borrow().as_ref() == Some(&player) {
            return;
        }
        self.owns_player.set(false);
        self.player.replace(Some(player.clone()));
        self.player_bindings().set_source(Some(&player));
        self.player_signals().set_target(Some(&player));
        self.render_size.tell(self);
        self.chapter_signals()
            .set_target(Some(&player.chapters_model()));
        if self.stats_overlay.is_shown() {
            self.stats_overlay.set_shown(&player, true);
        }
        if let Some(ticks) = self.keyframe_ticks.borrow().as_ref() {
            ticks.follow(&player);
        }
        self.refresh();
        self.frame_pulling.update(self);
        self.obj().notify_player();
    }

    /// Stops following the player (the view is going away).
    pub(super) fn unbind_player(&self) {
        if let Some(group) = self.player_bindings.get() {
            group.set_source(None::<&Player>);
        }
        if let Some(group) = self.player_signals.get() {
            group.set_target(None::<&Player>);
        }
        if let Some(group) = self.chapter_signals.get() {
            group.set_target(None::<&gio::ListModel>);
        }
    }

    /// The signal group following the player's chapters: the ticks are
    /// drawn again whenever the list model changes.
    fn chapter_signals(&self) -> &glib::SignalGroup {
        self.chapter_signals.get_or_init(|| {
            let group = glib::SignalGroup::with_type(gio::ListModel::static_type());
            let obj = self.obj();
            group.connect_local(
                "items-changed",
                false,
                glib::clone!(
                    #[weak]
                    obj,
                    #[upgrade_or]
                    None,
                    move |_| {
                        if let Some(player) = obj.imp().player.borrow().clone() {
                            obj.imp().update_marks(&player);
                        }
                        None
                    }
                ),
            );
            group
        })
    }

    /// Connects every handler the view needs on a new signal group. The
    /// children follow the player; the OSD confirms what the timing keys
    /// did and says why one did nothing; the seek bar shows the loop points
    /// (its chapter ticks follow `chapter_signals`).
    fn connect_player_signals(&self) -> glib::SignalGroup {
        let obj = self.obj();
        let group = glib::SignalGroup::new::<Player>();
        on_notify(
            &group,
            SHOWN,
            glib::clone!(
                #[weak]
                obj,
                move |_| obj.imp().refresh()
            ),
        );
        on_notify(
            &group,
            TICKING,
            glib::clone!(
                #[weak]
                obj,
                move |player| obj.imp().refresh_time(player)
            ),
        );
        on_signal(&group, &obj, "error", 1, |obj, error: PlayerError| {
            obj.imp().show_error(&error)
        });
        let say = |message: fn(&Player) -> String| {
            glib::clone!(
                #[weak]
                obj,
                move |p: &Player| obj.show_message(&message(p))
            )
        };
        on_notify(
            &group,
            &["rate"],
            say(|p| timing_actions::rate_message(p.rate())),
        );
        on_notify(
            &group,
            &["av-offset"],
            say(|p| timing_actions::offset_message("Audio", p.av_offset())),
        );
        on_notify(
            &group,
            &["subtitle-offset"],
            say(|p| timing_actions::offset_message("Subtitle", p.subtitle_offset())),
        );
        on_notify(
            &group,
            &["loop-a", "loop-b"],
            glib::clone!(
                #[weak]
                obj,
                move |p| {
                    obj.imp().update_marks(p);
                    obj.show_message(&timing_actions::loop_message(p.loop_a(), p.loop_b()));
                }
            ),
        );
        on_notify(
            &group,
            &["frame-pts", "position"],
            glib::clone!(
                #[weak]
                obj,
                move |p| {
                    if obj.imp().announce_frame.get() && p.frame_pts() >= 0 && p.is_settled() {
                        obj.show_message(&timing_actions::frame_message(
                            p.frame_number(),
                            p.frame_pts(),
                        ));
                    }
                }
            ),
        );
        on_notify(
            &group,
            &["state"],
            glib::clone!(
                #[weak]
                obj,
                move |p| {
                    if p.state() == PlayerState::Playing {
                        obj.imp().announce_frame.set(false);
                    }
                    obj.imp().frame_pulling.update(obj.imp());
                }
            ),
        );
        on_signal(&group, &obj, "warning", 1, |obj, text: String| {
            obj.show_message(&text)
        });
        on_notify(
            &group,
            &["video-size"],
            glib::clone!(
                #[weak]
                obj,
                move |_| obj.imp().update_subtitle_lift()
            ),
        );
        group
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
            self.seek_scale
                .add_mark(chapter.start as f64 / 1e9, gtk::PositionType::Bottom, None);
        }
        self.seek_scale.set_has_tooltip(!chapters.is_empty());
    }

    /// Shows `error` on the error page.
    pub(super) fn show_error(&self, error: &PlayerError) {
        self.error_label.set_label(&error.message);
        self.error_detail.set_label(&error.detail);
        self.last_error.replace(Some(error.clone()));
        self.refresh();
    }

    /// Brings every child in line with the player's properties.
    pub(super) fn refresh(&self) {
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
            self.buffering_label.set_label(&crate::i18n::tr(
                "Buffering {percent} %",
                &[("percent", &percent.to_string())],
            ));
        }
        let playing = state == PlayerState::Playing;
        // Set only on a change: GTK makes a new icon (and asks the widget
        // for a new size) and looks for the pointer on every call.
        let icon = if playing {
            "media-playback-pause-symbolic"
        } else {
            "media-playback-start-symbolic"
        };
        if self.play_button.icon_name().as_deref() != Some(icon) {
            self.play_button.set_icon_name(icon);
        }
        let tooltip = crate::i18n::gettext(if playing {
            crate::i18n::gettext_noop("Pause (Space)")
        } else {
            crate::i18n::gettext_noop("Play (Space)")
        });
        if self.play_button.tooltip_text().as_deref() != Some(tooltip.as_str()) {
            self.play_button.set_tooltip_text(Some(&tooltip));
        }
        self.refresh_time(&player);
        let duration = player.duration();
        let rate = player.rate();
        self.rate_label
            .set_visible(rate != 1.0 && self.controls.get() == ControlsMode::Full);
        self.rate_label.set_label(&crate::engine::rate_label(rate));
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
        if self.mute_button.icon_name().as_deref() != Some(icon) {
            self.mute_button.set_icon_name(icon);
        }
        self.update_accessible(playing, player.volume(), player.muted());
    }

    /// Moves the seek bar and the time to the player's position: all that
    /// changes with each frame.
    pub(super) fn refresh_time(&self, player: &Player) {
        // With the controls off nothing shows the time (a wall's tiles,
        // kiosks); switching them on refreshes the view.
        if self.controls.get() == ControlsMode::Off {
            self.shown_time.set(None);
            return;
        }
        let duration = player.duration();
        let rough = player.state() == PlayerState::Playing || player.frame_pts() < 0;
        let shown = (
            player.position(),
            duration,
            rough,
            duration > 0 && player.seekable(),
            self.drag_target.get().is_some(),
        );
        // `position` and `frame-pts` both change with each frame: the
        // second call finds the time already shown.
        if self.shown_time.replace(Some(shown)) == Some(shown) {
            return;
        }
        let adj = self.seek_scale.adjustment();
        adj.set_upper((duration as f64 / 1e9).max(0.001));
        // While the user drags, the bar follows the pointer, not playback.
        if self.drag_target.get().is_none() {
            adj.set_value(player.position() as f64 / 1e9);
        }
        self.seek_scale
            .set_sensitive(duration > 0 && player.seekable());
        // Paused on a frame, the time is exact to the millisecond.
        let position = if rough {
            format_time(player.position())
        } else {
            precise(gst::ClockTime::from_nseconds(player.position()))
        };
        self.position_label.set_label(&position);
        self.update_accessible_time(player.position(), duration);
    }
}
