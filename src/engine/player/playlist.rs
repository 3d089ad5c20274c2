//! The player's playlist: loading items by index, what happens when an item
//! ends (`end-action`, `repeat`), user next/previous, keeping the current
//! index right while the list is edited, and gapless advance (the next URI
//! handed to playbin from its `about-to-finish` signal, the switch seen on
//! the bus as a new stream start). The list itself is the `playlist`
//! property, a `gio::ListStore` of [`PlaylistItem`]s that widgets bind to;
//! the player's own edits change it by one splice each.

use super::imp;
use crate::engine::log;
use crate::engine::playlist::{
    neighbour, neighbour_in_order, shuffled_order, EndAction, PlaylistItem, Repeat, Step,
};
use crate::engine::types::PlayerState;
use gio::prelude::*;
use glib::subclass::prelude::*;
use std::cell::{Cell, RefCell};

/// The playlist facet's state (`current-index`, `repeat`, `shuffle`,
/// `end-action` and `gapless` are property cells on the player).
pub struct PlaylistState {
    /// The items to play (the `playlist` property).
    store: gio::ListStore,
    /// The shuffled order: playlist indices, each once.
    shuffle_order: RefCell<Vec<usize>>,
    /// The playlist is being edited by `move_item`: the current index is
    /// fixed afterwards.
    moving_item: Cell<bool>,
    /// A playlist item is being loaded (not a URI set directly).
    loading_item: Cell<bool>,
    /// The `loop` property was switched on by the playlist rules.
    loop_from_playlist: Cell<bool>,
    // The next item for a gapless switch and the item switched to, which
    // the streaming thread running `about-to-finish` touches, are in
    // `Shared`.
}

impl Default for PlaylistState {
    fn default() -> Self {
        Self {
            store: gio::ListStore::new::<PlaylistItem>(),
            shuffle_order: RefCell::default(),
            moving_item: Cell::default(),
            loading_item: Cell::default(),
            loop_from_playlist: Cell::default(),
        }
    }
}

impl imp::Player {
    pub(super) fn playlist_store(&self) -> gio::ListStore {
        self.playlist.store.clone()
    }

    /// Keeps `current-index` on the same item while the list is edited.
    pub(super) fn watch_playlist(&self) {
        let weak = self.obj().downgrade();
        self.playlist_store()
            .connect_items_changed(move |_, position, removed, added| {
                let Some(player) = weak.upgrade() else { return };
                let imp = player.imp();
                if imp.playlist.moving_item.get() {
                    return;
                }
                let current = imp.current_index.get();
                let (position, removed, added) = (position as i32, removed as i32, added as i32);
                let moved = if current < 0 || current < position {
                    current
                } else if current >= position + removed {
                    current + added - removed
                } else {
                    // The item playing was removed: it plays on, detached.
                    -1
                };
                if moved != current {
                    imp.current_index.set(moved);
                    player.notify_current_index();
                }
                imp.reshuffle();
                imp.update_gapless_next();
            });
    }

    pub(super) fn item(&self, index: usize) -> Option<PlaylistItem> {
        self.playlist_store()
            .item(index as u32)
            .and_downcast::<PlaylistItem>()
    }

    fn current(&self) -> Option<usize> {
        usize::try_from(self.current_index.get()).ok()
    }

    /// The index [`Step`] leads to from the current item (through the
    /// shuffled order when `shuffle` is on).
    pub(super) fn neighbour(&self, step: Step) -> Option<usize> {
        let len = self.playlist_store().n_items() as usize;
        if self.shuffle.get() {
            if self.playlist.shuffle_order.borrow().len() != len {
                self.reshuffle();
            }
            return neighbour_in_order(
                &self.playlist.shuffle_order.borrow(),
                self.current(),
                self.repeat.get(),
                step,
            );
        }
        neighbour(self.current(), len, self.repeat.get(), step)
    }

    /// Draws a new shuffled order starting at the item playing.
    pub(super) fn reshuffle(&self) {
        let order = if self.shuffle.get() {
            let len = self.playlist_store().n_items() as usize;
            shuffled_order(len, self.current(), |n| {
                glib::random_int_range(0, n as i32) as u32
            })
        } else {
            Vec::new()
        };
        self.playlist.shuffle_order.replace(order);
    }

    pub(super) fn set_shuffle(&self, shuffle: bool) {
        if self.shuffle.replace(shuffle) != shuffle {
            self.reshuffle();
            self.update_gapless_next();
        }
    }

    pub(super) fn move_item(&self, from: u32, to: u32) {
        let store = self.playlist_store();
        let len = store.n_items();
        if len == 0 {
            return;
        }
        let (from, to) = (from.min(len - 1), to.min(len - 1));
        if from == to {
            return;
        }
        // One splice over the items that change place: the item moved and
        // those between, shifted by one.
        let (first, last) = (from.min(to), from.max(to));
        let mut items: Vec<glib::Object> = (first..=last).filter_map(|i| store.item(i)).collect();
        if items.len() != (last - first + 1) as usize {
            return;
        }
        if from < to {
            items.rotate_left(1);
        } else {
            items.rotate_right(1);
        }
        let current = self.current_index.get();
        self.playlist.moving_item.set(true);
        store.splice(first, last - first + 1, &items);
        self.playlist.moving_item.set(false);
        let (from, to) = (from as i32, to as i32);
        let moved = if current == from {
            to
        } else if from < current && current <= to {
            current - 1
        } else if to <= current && current < from {
            current + 1
        } else {
            current
        };
        if moved != current {
            self.current_index.set(moved);
            self.obj().notify_current_index();
        }
        self.reshuffle();
        self.update_gapless_next();
    }

    pub(super) fn remove_item(&self, index: u32) {
        let store = self.playlist_store();
        if index >= store.n_items() {
            return;
        }
        let was_current = self.current_index.get() == index as i32;
        store.remove(index);
        if !was_current {
            return;
        }
        let len = store.n_items();
        if len == 0 {
            self.obj().stop();
            return;
        }
        self.load_item(index.min(len - 1) as usize);
    }

    pub(super) fn set_current_index(&self, index: i32) {
        let len = self.playlist_store().n_items() as i32;
        if index < 0 || index >= len {
            if self.current_index.replace(-1) != -1 {
                self.obj().notify_current_index();
            }
            return;
        }
        self.load_item(index as usize);
        // An item chosen by hand: the shuffled order starts afresh there.
        if self.shuffle.get() {
            self.reshuffle();
            self.update_gapless_next();
        }
    }

    /// Loads item `index`, keeping whether the player was playing.
    pub(super) fn load_item(&self, index: usize) {
        let Some(item) = self.item(index) else { return };
        let playing = self.want_playing.get() || self.state.get() == PlayerState::Playing;
        self.obj()
            .emit_by_name::<()>("item-loading", &[&(index as i32)]);
        self.current_index.set(index as i32);
        self.playlist.loading_item.set(true);
        self.set_uri(Some(item.uri()));
        self.playlist.loading_item.set(false);
        self.obj().notify_current_index();
        self.apply_item_looping();
        if playing {
            self.obj().play();
        }
    }

    /// A URI set directly (not through the playlist) detaches the player
    /// from the list unless it is the current item's.
    pub(super) fn on_uri_set_directly(&self, uri: Option<&str>) {
        if self.playlist.loading_item.get() || self.current_index.get() < 0 {
            return;
        }
        let same = self
            .current()
            .and_then(|i| self.item(i))
            .is_some_and(|item| Some(item.uri().as_str()) == uri);
        if !same {
            self.current_index.set(-1);
            self.obj().notify_current_index();
        }
    }

    /// User next/previous.
    pub(super) fn go(&self, step: Step) -> bool {
        match self.neighbour(step) {
            Some(index) => {
                self.load_item(index);
                true
            }
            None => false,
        }
    }

    /// Whether the current item loops by itself (seamless segment seeks):
    /// `end-action` `loop`, or `repeat` `one`, or `repeat` `all` over a
    /// single item.
    pub(super) fn item_loops(&self) -> bool {
        let len = self.playlist_store().n_items();
        match self.end_action.get() {
            EndAction::Loop => true,
            EndAction::Advance if self.current().is_some() => match self.repeat.get() {
                Repeat::One => true,
                Repeat::All => len == 1,
                Repeat::None => false,
            },
            _ => false,
        }
    }

    /// Turns the player's own loop on or off to match the playlist rules
    /// (only when the playlist or `end-action` asks for it: a host that
    /// set `loop` itself keeps it).
    pub(super) fn apply_item_looping(&self) {
        let wanted = self.item_loops();
        if wanted != self.r#loop.get() && (wanted || self.playlist.loop_from_playlist.get()) {
            self.playlist.loop_from_playlist.set(wanted);
            self.set_looping(wanted);
        }
        self.update_gapless_next();
    }

    pub(super) fn set_repeat(&self, repeat: Repeat) {
        if self.repeat.replace(repeat) != repeat {
            self.apply_item_looping();
        }
    }

    pub(super) fn set_end_action(&self, action: EndAction) {
        if self.end_action.replace(action) != action {
            self.apply_item_looping();
        }
    }

    pub(super) fn set_gapless(&self, gapless: bool) {
        if self.gapless.replace(gapless) != gapless {
            self.update_gapless_next();
        }
    }

    /// What the streaming thread may switch to when the item is about to
    /// finish: the automatic next item, when advancing gaplessly applies.
    pub(super) fn update_gapless_next(&self) {
        let next = if self.gapless.get()
            && self.end_action.get() == EndAction::Advance
            && !self.r#loop.get()
            && self.loops.ab.get().range().is_none()
            && self.subtitle_file.borrow().is_none()
        {
            self.neighbour(Step::Auto)
                .and_then(|i| self.item(i).map(|item| (i, item.uri())))
        } else {
            None
        };
        *self.shared.gapless_next.lock().unwrap() = next;
    }

    /// Connects playbin's `about-to-finish` (pipeline `number`, see
    /// [`Shared::start_pipeline`](super::shared::Shared::start_pipeline)):
    /// runs on a streaming thread.
    pub(super) fn connect_gapless(&self, pipeline: &gst::Pipeline, number: u64) {
        if pipeline.find_property("uri").is_none() {
            return;
        }
        let shared = self.shared.clone();
        pipeline.connect("about-to-finish", false, move |args| {
            // Torn down, this pipeline must not take the next item's URI.
            if !shared.is_current(number) {
                return None;
            }
            let playbin = args[0].get::<gst::Element>().ok()?;
            let next = shared.gapless_next.lock().unwrap().take();
            if let Some((index, uri)) = next {
                log::debug!("gapless switch to the next item, {index}");
                playbin.set_property("uri", &uri);
                *shared.gapless_switched.lock().unwrap() = Some((index, uri));
            }
            None
        });
    }

    /// A new stream started: when it is the item a gapless switch went to,
    /// the player now shows that item.
    pub(super) fn on_stream_start(&self) {
        let Some((index, uri)) = self.shared.gapless_switched.lock().unwrap().take() else {
            return;
        };
        log::debug!("gapless switch to {index} done");
        // The item before played to its end.
        self.obj()
            .emit_by_name::<()>("item-ended", &[&self.current_index.get()]);
        self.current_index.set(index as i32);
        self.uri.replace(Some(uri.clone()));
        let obj = self.obj();
        obj.notify_uri();
        obj.notify_current_index();
        let title = self
            .item(index)
            .map(|item| item.display_title())
            .unwrap_or_default();
        self.set_title(Some(title));
        self.shared.index.clear();
        // The next item's demuxer was made before its stream started: its
        // origin is not learnt, and its times are stream time.
        self.shared.origin.reset(None);
        self.shared.bitrate_meter.clear();
        self.first_frame.set(None);
        self.query_duration();
        self.apply_item_looping();
    }

    /// The current item ended. Returns true when the playlist rules took
    /// over (another item loads, or the player stopped to black); false
    /// leaves the player paused on the last frame with `eos` emitted.
    pub(super) fn on_item_end(&self) -> bool {
        match self.end_action.get() {
            EndAction::Black => {
                self.obj().stop();
                self.obj().emit_by_name::<()>("eos", &[]);
                true
            }
            EndAction::LastFrame | EndAction::Loop => false,
            EndAction::Advance => match self.neighbour(Step::Auto) {
                Some(index) if self.current().is_some() => {
                    self.want_playing.set(true);
                    self.load_item(index);
                    true
                }
                _ => false,
            },
        }
    }
}

impl super::Player {
    /// Replaces the playlist with `items` (paths or URIs) and loads the
    /// first; call [`Player::play`](Self::play) to start.
    pub fn set_items<S: AsRef<str>>(&self, items: &[S]) {
        use gio::prelude::*;
        let store = self.playlist();
        let items: Vec<PlaylistItem> = items
            .iter()
            .map(|i| PlaylistItem::new(i.as_ref()))
            .collect();
        store.splice(0, store.n_items(), &items);
        self.set_current_index(if items.is_empty() { -1 } else { 0 });
    }

    /// Appends a path or URI to the playlist.
    pub fn append_item(&self, path_or_uri: &str) {
        self.playlist().append(&PlaylistItem::new(path_or_uri));
    }

    /// Moves playlist item `from` to position `to` (both clamped to the
    /// list); the item playing stays current wherever it ends up.
    pub fn move_item(&self, from: u32, to: u32) {
        self.imp().move_item(from, to);
    }

    /// Removes playlist item `index`. Removing the item playing goes on to
    /// the item that takes its place (or the new last one), keeping whether
    /// the player was playing; removing the only item stops the player.
    pub fn remove_item(&self, index: u32) {
        self.imp().remove_item(index);
    }

    /// Connects to `item-ended`: playlist item `index` (-1 for media opened
    /// directly) played to its end by itself; emitted before the playlist
    /// rules load another item or `eos` is emitted (after a gapless switch,
    /// as the next item starts).
    pub fn connect_item_ended<F: Fn(&Self, i32) + 'static>(&self, f: F) -> glib::SignalHandlerId {
        self.connect_local("item-ended", false, move |args| {
            let player = args[0].get::<Self>().ok()?;
            let index = args[1].get::<i32>().ok()?;
            f(&player, index);
            None
        })
    }

    /// Connects to `item-loading`: playlist item `index` is about to be
    /// loaded, for whatever reason (end of the previous item, next or
    /// previous, `current-index` set). The item being left can still be
    /// read (its `uri`, `position` and statistics). A gapless switch does
    /// not go through here.
    pub fn connect_item_loading<F: Fn(&Self, i32) + 'static>(&self, f: F) -> glib::SignalHandlerId {
        self.connect_local("item-loading", false, move |args| {
            let player = args[0].get::<Self>().ok()?;
            let index = args[1].get::<i32>().ok()?;
            f(&player, index);
            None
        })
    }

    /// Goes to the next playlist item (wrapping when `repeat` is not
    /// `none`); returns false when there is none.
    pub fn next(&self) -> bool {
        self.imp().go(crate::engine::playlist::Step::Next)
    }

    /// Goes to the previous playlist item; past the first 3 s of an item,
    /// restarts it instead. Returns false when there is nowhere to go.
    pub fn previous(&self) -> bool {
        if self.position() > 3_000_000_000 && self.seekable() {
            self.seek(gst::ClockTime::ZERO);
            return true;
        }
        self.imp().go(crate::engine::playlist::Step::Previous)
    }

    /// Whether [`Player::next`](Self::next) has somewhere to go.
    pub fn has_next(&self) -> bool {
        self.imp()
            .neighbour(crate::engine::playlist::Step::Next)
            .is_some()
    }

    /// Whether [`Player::previous`](Self::previous) has somewhere to go.
    pub fn has_previous(&self) -> bool {
        self.imp()
            .neighbour(crate::engine::playlist::Step::Previous)
            .is_some()
    }
}
