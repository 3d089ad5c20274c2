//! A side panel showing a player's playlist (GtkBuilder type
//! `FramescopeQueuePanel`): one row per item with the item playing marked,
//! activate a row to play it, remove it with its button or Delete, reorder
//! by dragging a row onto another or with Alt+Up/Down, drop files to add
//! them, and buttons for the player's `repeat` and `shuffle`. Everything it
//! does goes through the player's playlist API, so it stays in step with the
//! view's N/P keys and anything else that edits the list.

use crate::engine::{Player, PlaylistItem, Repeat};
use crate::i18n::{gettext, gettext_noop, tr};
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gdk, gio, glib};

/// The repeat modes in the order the repeat button goes round them, with
/// each one's icon and tooltip.
const REPEAT_CYCLE: &[(Repeat, &str, &str)] = &[
    (
        Repeat::None,
        "media-playlist-consecutive-symbolic",
        gettext_noop("Repeat: off"),
    ),
    (
        Repeat::All,
        "media-playlist-repeat-symbolic",
        gettext_noop("Repeat: the whole queue"),
    ),
    (
        Repeat::One,
        "media-playlist-repeat-song-symbolic",
        gettext_noop("Repeat: the current item"),
    ),
];

/// What a key does in the panel's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PanelAction {
    Remove,
    MoveUp,
    MoveDown,
}

/// One key of the panel's list (the table its key handler and the
/// shortcuts window both read).
pub struct PanelKey {
    /// The key, as GTK writes accelerators (`<Alt>Up`).
    pub accelerator: &'static str,
    action: PanelAction,
    /// What the key does, for the shortcuts window.
    pub title: &'static str,
}

/// The keys of the panel's list, with the selected row: Delete removes it,
/// Alt+Up/Down moves it (Enter plays it, as in any list).
pub const PANEL_KEYS: &[PanelKey] = &[
    PanelKey {
        accelerator: "Delete",
        action: PanelAction::Remove,
        title: gettext_noop("Remove the selected item (queue panel)"),
    },
    PanelKey {
        accelerator: "<Alt>Up",
        action: PanelAction::MoveUp,
        title: gettext_noop("Move the selected item up (queue panel)"),
    },
    PanelKey {
        accelerator: "<Alt>Down",
        action: PanelAction::MoveDown,
        title: gettext_noop("Move the selected item down (queue panel)"),
    },
];

mod imp {
    use super::*;
    use std::cell::RefCell;

    #[derive(glib::Properties, Default)]
    #[properties(wrapper_type = super::QueuePanel)]
    pub struct QueuePanel {
        /// The player whose playlist is shown.
        #[property(get, set = Self::set_player, nullable)]
        pub player: RefCell<Option<Player>>,
        pub list: gtk::ListBox,
        pub repeat_button: gtk::Button,
        pub shuffle_button: gtk::ToggleButton,
        pub count: gtk::Label,
        /// Handlers on the current player and its playlist, dropped with it.
        pub player_handlers: RefCell<Vec<(glib::Object, glib::SignalHandlerId)>>,
        pub shuffle_binding: RefCell<Option<glib::Binding>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for QueuePanel {
        const NAME: &'static str = "FramescopeQueuePanel";
        type Type = super::QueuePanel;
        type ParentType = gtk::Box;
    }

    #[glib::derived_properties]
    impl ObjectImpl for QueuePanel {
        fn constructed(&self) {
            self.parent_constructed();
            self.obj().build();
        }

        fn dispose(&self) {
            self.set_player(None);
        }
    }

    impl WidgetImpl for QueuePanel {}
    impl BoxImpl for QueuePanel {}

    impl QueuePanel {
        fn set_player(&self, player: Option<Player>) {
            if self.player.take().is_some() {
                for (object, id) in self.player_handlers.take() {
                    object.disconnect(id);
                }
                if let Some(binding) = self.shuffle_binding.take() {
                    binding.unbind();
                }
            }
            self.list
                .bind_model(None::<&gio::ListModel>, |_| gtk::Label::new(None).upcast());
            if let Some(player) = player.as_ref() {
                self.obj().attach(player);
            }
            self.player.replace(player);
            self.obj().refresh();
        }
    }
}

glib::wrapper! {
    /// The queue side panel: a player's playlist, editable.
    pub struct QueuePanel(ObjectSubclass<imp::QueuePanel>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Accessible, gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl Default for QueuePanel {
    fn default() -> Self {
        Self::new(None)
    }
}

impl QueuePanel {
    /// A panel showing `player`'s playlist (none: set `player` later).
    pub fn new(player: Option<&Player>) -> Self {
        glib::Object::builder().property("player", player).build()
    }

    /// The list of rows (one per playlist item, in order).
    pub fn list(&self) -> gtk::ListBox {
        self.imp().list.clone()
    }

    /// The button that goes round the repeat modes.
    pub fn repeat_button(&self) -> gtk::Button {
        self.imp().repeat_button.clone()
    }

    /// The shuffle toggle.
    pub fn shuffle_button(&self) -> gtk::ToggleButton {
        self.imp().shuffle_button.clone()
    }

    fn build(&self) {
        let imp = self.imp();
        crate::widget::ensure_style();
        self.set_orientation(gtk::Orientation::Vertical);
        self.add_css_class("framescope-queue");
        self.set_width_request(260);
        // The count label expands inside the header; the panel itself keeps
        // its width and leaves the rest to the video.
        self.set_hexpand(false);

        let header = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        header.set_margin_start(12);
        header.set_margin_end(6);
        header.set_margin_top(6);
        header.set_margin_bottom(6);
        let title = gtk::Label::builder()
            .label(gettext("Queue"))
            .xalign(0.0)
            .css_classes(["heading"])
            .build();
        header.append(&title);
        imp.count.set_xalign(0.0);
        imp.count.set_hexpand(true);
        imp.count.add_css_class("dim-label");
        header.append(&imp.count);
        imp.repeat_button.add_css_class("flat");
        header.append(&imp.repeat_button);
        imp.shuffle_button
            .set_icon_name("media-playlist-shuffle-symbolic");
        imp.shuffle_button
            .set_tooltip_text(Some(&gettext("Shuffle")));
        imp.shuffle_button
            .update_property(&[gtk::accessible::Property::Label(&gettext("Shuffle"))]);
        imp.shuffle_button.add_css_class("flat");
        header.append(&imp.shuffle_button);
        self.append(&header);
        self.append(&gtk::Separator::new(gtk::Orientation::Horizontal));

        imp.list.set_selection_mode(gtk::SelectionMode::Single);
        imp.list.add_css_class("navigation-sidebar");
        imp.list.set_placeholder(Some(
            &gtk::Label::builder()
                .label(gettext("Nothing queued.\nDrop files here to add them."))
                .justify(gtk::Justification::Center)
                .css_classes(["dim-label"])
                .margin_top(24)
                .build(),
        ));
        imp.list
            .update_property(&[gtk::accessible::Property::Label(&gettext("Queue"))]);
        let scrolled = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .vexpand(true)
            .child(&imp.list)
            .build();
        self.append(&scrolled);

        let weak = self.downgrade();
        imp.repeat_button.connect_clicked(move |_| {
            let Some(player) = weak.upgrade().and_then(|p| p.player()) else {
                return;
            };
            let at = REPEAT_CYCLE
                .iter()
                .position(|(r, _, _)| *r == player.repeat())
                .unwrap_or(0);
            player.set_repeat(REPEAT_CYCLE[(at + 1) % REPEAT_CYCLE.len()].0);
        });
        let weak = self.downgrade();
        imp.list.connect_row_activated(move |_, row| {
            if let Some(player) = weak.upgrade().and_then(|p| p.player()) {
                player.set_current_index(row.index());
                player.play();
            }
        });
        self.install_keys();
        self.install_file_drop();
    }

    /// Delete removes the selected row; Alt+Up/Down moves it.
    fn install_keys(&self) {
        let keys = gtk::EventControllerKey::new();
        let weak = self.downgrade();
        keys.connect_key_pressed(move |_, key, _, modifiers| {
            let Some(panel) = weak.upgrade() else {
                return glib::Propagation::Proceed;
            };
            let (Some(player), Some(row)) = (panel.player(), panel.imp().list.selected_row())
            else {
                return glib::Propagation::Proceed;
            };
            let index = row.index().max(0) as u32;
            let held = modifiers & gtk::accelerator_get_default_mod_mask();
            let key = match key {
                gdk::Key::KP_Delete => gdk::Key::Delete,
                other => other,
            };
            let Some(bound) = PANEL_KEYS
                .iter()
                .find(|b| gtk::accelerator_parse(b.accelerator) == Some((key, held)))
            else {
                return glib::Propagation::Proceed;
            };
            let target = match bound.action {
                PanelAction::Remove => {
                    player.remove_item(index);
                    panel.select(index);
                    return glib::Propagation::Stop;
                }
                PanelAction::MoveUp => index.checked_sub(1),
                PanelAction::MoveDown => Some(index + 1),
            };
            if let Some(to) = target.filter(|&to| to < player.playlist().n_items()) {
                player.move_item(index, to);
                panel.select(to);
            }
            glib::Propagation::Stop
        });
        self.imp().list.add_controller(keys);
    }

    /// Files (or URI text) dropped on the panel are added at the end.
    fn install_file_drop(&self) {
        let target = gtk::DropTarget::new(gdk::FileList::static_type(), gdk::DragAction::COPY);
        let weak = self.downgrade();
        target.connect_drop(move |_, value, _, _| {
            let (Some(player), Ok(files)) = (
                weak.upgrade().and_then(|p| p.player()),
                value.get::<gdk::FileList>(),
            ) else {
                return false;
            };
            for file in files.files() {
                player.append_item(&file.uri());
            }
            true
        });
        self.add_controller(target);
    }

    /// Selects (and focuses) row `index`, or the last row when past the end.
    fn select(&self, index: u32) {
        let list = &self.imp().list;
        let n = self.player().map_or(0, |p| p.playlist().n_items());
        if n == 0 {
            return;
        }
        if let Some(row) = list.row_at_index(index.min(n - 1) as i32) {
            list.select_row(Some(&row));
            row.grab_focus();
        }
    }

    fn attach(&self, player: &Player) {
        let imp = self.imp();
        let weak = self.downgrade();
        imp.list.bind_model(Some(&player.playlist()), move |item| {
            let Some(panel) = weak.upgrade() else {
                return gtk::Label::new(None).upcast();
            };
            let item = item
                .downcast_ref::<PlaylistItem>()
                .expect("the playlist holds PlaylistItems");
            panel.row_for(item).upcast()
        });
        let mut handlers: Vec<(glib::Object, glib::SignalHandlerId)> = Vec::new();
        for property in ["current-index", "repeat"] {
            let weak = self.downgrade();
            let id = player.connect_notify_local(Some(property), move |_, _| {
                if let Some(panel) = weak.upgrade() {
                    panel.refresh();
                }
            });
            handlers.push((player.clone().upcast(), id));
        }
        let weak = self.downgrade();
        let store = player.playlist();
        handlers.push((
            store.clone().upcast(),
            store.connect_items_changed(move |_, _, _, _| {
                // Rows are made after this handler: mark them once made.
                let weak = weak.clone();
                glib::idle_add_local_once(move || {
                    if let Some(panel) = weak.upgrade() {
                        panel.refresh();
                    }
                });
            }),
        ));
        imp.player_handlers.replace(handlers);
        let binding = player
            .bind_property("shuffle", &imp.shuffle_button, "active")
            .bidirectional()
            .sync_create()
            .build();
        imp.shuffle_binding.replace(Some(binding));
    }

    /// One row: the marker for the item playing, its title, a remove button;
    /// it can be dragged onto another row to move there.
    fn row_for(&self, item: &PlaylistItem) -> gtk::ListBoxRow {
        let row = gtk::ListBoxRow::new();
        let content = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        let marker = gtk::Image::from_icon_name("media-playback-start-symbolic");
        marker.add_css_class("framescope-queue-marker");
        content.append(&marker);
        let title = item.display_title();
        let label = gtk::Label::builder()
            .label(&title)
            .xalign(0.0)
            .hexpand(true)
            .ellipsize(gtk::pango::EllipsizeMode::Middle)
            .tooltip_text(crate::engine::display_name(&item.uri()))
            .build();
        content.append(&label);
        let remove = gtk::Button::builder()
            .icon_name("list-remove-symbolic")
            .tooltip_text(gettext("Remove from the queue (Delete)"))
            .css_classes(["flat", "framescope-queue-remove"])
            .build();
        remove.update_property(&[gtk::accessible::Property::Label(&tr(
            "Remove {title} from the queue",
            &[("title", &title)],
        ))]);
        let weak_row = row.downgrade();
        let weak = self.downgrade();
        remove.connect_clicked(move |_| {
            if let (Some(panel), Some(row)) = (weak.upgrade(), weak_row.upgrade()) {
                if let (Some(player), Ok(index)) = (panel.player(), u32::try_from(row.index())) {
                    player.remove_item(index);
                }
            }
        });
        content.append(&remove);
        row.set_child(Some(&content));
        // GTK 4.8 names a row only from its own label property.
        row.update_property(&[gtk::accessible::Property::Label(&title)]);

        let drag = gtk::DragSource::new();
        drag.set_actions(gdk::DragAction::MOVE);
        let weak_row = row.downgrade();
        drag.connect_prepare(move |_, _, _| {
            let row = weak_row.upgrade()?;
            let index = u32::try_from(row.index()).ok()?;
            Some(gdk::ContentProvider::for_value(&index.to_value()))
        });
        let weak_row = row.downgrade();
        drag.connect_drag_begin(move |source, _| {
            if let Some(row) = weak_row.upgrade() {
                source.set_icon(Some(&gtk::WidgetPaintable::new(Some(&row))), 0, 0);
            }
        });
        row.add_controller(drag);
        let drop = gtk::DropTarget::new(u32::static_type(), gdk::DragAction::MOVE);
        let weak_row = row.downgrade();
        let weak = self.downgrade();
        drop.connect_drop(move |_, value, _, _| {
            let (Some(panel), Some(row), Ok(from)) =
                (weak.upgrade(), weak_row.upgrade(), value.get::<u32>())
            else {
                return false;
            };
            let (Some(player), Ok(to)) = (panel.player(), u32::try_from(row.index())) else {
                return false;
            };
            player.move_item(from, to);
            panel.select(to);
            true
        });
        row.add_controller(drop);
        row
    }

    /// Marks the row playing, and brings the count and repeat button up to
    /// date.
    fn refresh(&self) {
        let imp = self.imp();
        let Some(player) = self.player() else {
            imp.count.set_label("");
            return;
        };
        let n = player.playlist().n_items();
        imp.count.set_label(&match n {
            0 => String::new(),
            1 => gettext("1 item"),
            n => tr("{count} items", &[("count", &n.to_string())]),
        });
        let current = player.current_index();
        for i in 0..n as i32 {
            let Some(row) = imp.list.row_at_index(i) else {
                continue;
            };
            if i == current {
                row.add_css_class("current");
            } else {
                row.remove_css_class("current");
            }
            if let Some(marker) = row.child().and_then(|c| c.first_child()) {
                marker.set_opacity(if i == current { 1.0 } else { 0.0 });
            }
        }
        let (_, icon, tooltip) = REPEAT_CYCLE
            .iter()
            .find(|(r, _, _)| *r == player.repeat())
            .unwrap_or(&REPEAT_CYCLE[0]);
        let tooltip = gettext(tooltip);
        imp.repeat_button.set_icon_name(icon);
        imp.repeat_button.set_tooltip_text(Some(&tooltip));
        imp.repeat_button
            .update_property(&[gtk::accessible::Property::Label(&tooltip)]);
    }
}
