//! The list models a player hands out for its tracks, chapters and
//! variants (as Clapper's stream lists are `GListModel`s): each value
//! ([`Track`], [`Chapter`], [`Variant`]) is shown by an immutable GObject
//! ([`TrackItem`], [`ChapterItem`], [`VariantItem`]) whose read-only
//! properties a `GtkListView` or a `.ui` expression can look up.
//!
//! A [`ListMirror`] keeps a facet's plain list and a `gio::ListStore` of
//! its items together: a new list is compared with the old one, and only
//! the run of values that differs is spliced (one `items-changed`, none
//! when nothing changed). It runs on the main thread only, from the facet's
//! cached state; it never asks a pipeline anything.

use crate::engine::chapters::Chapter;
use crate::engine::tracks::{Track, TrackKind};
use crate::engine::variants::Variant;
use gio::prelude::*;
use glib::subclass::prelude::*;
use std::cell::{OnceCell, Ref, RefCell};
use std::ops::Range;

/// A value a player's list model shows, one item object per value.
pub(crate) trait Listed: Clone + PartialEq {
    /// The item object's type.
    type Item: IsA<glib::Object>;
    /// Whether an item depends on its place in the list (then items after
    /// an insertion or removal are made again).
    const POSITIONAL: bool = false;
    /// The item showing this value at `position`.
    fn to_item(&self, position: usize) -> Self::Item;
}

/// Where `new` differs from `old`: the position of the first difference,
/// how many old values from there are replaced, and which new values
/// replace them. `None` when the lists are equal. With `positional`, values
/// after a change of length count as changed too.
pub(crate) fn changed_range<T: PartialEq>(
    old: &[T],
    new: &[T],
    positional: bool,
) -> Option<(usize, usize, Range<usize>)> {
    if old == new {
        return None;
    }
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - prefix;
    let suffix = if positional && old.len() != new.len() {
        0
    } else {
        old.iter()
            .rev()
            .zip(new.iter().rev())
            .take(room)
            .take_while(|(a, b)| a == b)
            .count()
    };
    Some((
        prefix,
        old.len() - prefix - suffix,
        prefix..new.len() - suffix,
    ))
}

/// A facet's list of values and the list model of their items, changed
/// together.
pub(crate) struct ListMirror<T: Listed> {
    values: RefCell<Vec<T>>,
    store: gio::ListStore,
}

impl<T: Listed> Default for ListMirror<T> {
    fn default() -> Self {
        Self {
            values: RefCell::new(Vec::new()),
            store: gio::ListStore::new::<T::Item>(),
        }
    }
}

impl<T: Listed> ListMirror<T> {
    /// The values, as last set.
    pub(crate) fn borrow(&self) -> Ref<'_, Vec<T>> {
        self.values.borrow()
    }

    /// The list model of the values' items.
    pub(crate) fn model(&self) -> gio::ListModel {
        self.store.clone().upcast()
    }

    /// Sets the values; the model changes by one splice of the run that
    /// differs. Returns whether anything changed.
    pub(crate) fn replace(&self, values: Vec<T>) -> bool {
        let Some((position, removed, added)) =
            changed_range(&self.values.borrow(), &values, T::POSITIONAL)
        else {
            return false;
        };
        let items: Vec<T::Item> = added.clone().map(|i| values[i].to_item(i)).collect();
        // The values are in place before the model tells anyone.
        self.values.replace(values);
        self.store.splice(position as u32, removed as u32, &items);
        true
    }
}

impl Listed for Track {
    type Item = TrackItem;
    fn to_item(&self, _: usize) -> TrackItem {
        TrackItem::new(self.clone())
    }
}

impl Listed for Chapter {
    type Item = ChapterItem;
    // "Chapter 3 (4:00)": an untitled chapter is named by its number.
    const POSITIONAL: bool = true;
    fn to_item(&self, position: usize) -> ChapterItem {
        ChapterItem::new(self.clone(), position)
    }
}

impl Listed for Variant {
    type Item = VariantItem;
    fn to_item(&self, _: usize) -> VariantItem {
        VariantItem::new(self.clone())
    }
}

/// Reads a field of the value an item shows (the default when the item
/// was made without one, by `g_object_new`).
fn read<V, R: Default>(cell: &OnceCell<V>, f: impl FnOnce(&V) -> R) -> R {
    cell.get().map(f).unwrap_or_default()
}

mod imp_track {
    use super::*;

    #[derive(glib::Properties, Default)]
    #[properties(wrapper_type = super::TrackItem)]
    pub struct TrackItem {
        /// What the track carries.
        #[property(name = "kind", type = TrackKind,
            get = |imp: &Self| imp.value.get().map_or(TrackKind::Video, |t| t.kind),
            builder(TrackKind::Video))]
        /// Its number among the tracks of its kind (0 = first).
        #[property(name = "index", type = u32,
            get = |imp: &Self| read(&imp.value, |t| u32::try_from(t.index).unwrap_or(u32::MAX)))]
        /// Its language code, when tagged.
        #[property(name = "language", type = Option<String>, nullable,
            get = |imp: &Self| read(&imp.value, |t| t.language.clone()))]
        /// Its codec, as GStreamer describes it.
        #[property(name = "codec", type = Option<String>, nullable,
            get = |imp: &Self| read(&imp.value, |t| t.codec.clone()))]
        /// Its own title, when the container names it.
        #[property(name = "title", type = Option<String>, nullable,
            get = |imp: &Self| read(&imp.value, |t| t.title.clone()))]
        /// Audio channels; 0 when unknown.
        #[property(name = "channels", type = u32,
            get = |imp: &Self| read(&imp.value, |t| t.channels.unwrap_or(0)))]
        /// A line for a menu ("fr — MPEG-4 AAC, stereo — Commentary").
        #[property(name = "label", type = String,
            get = |imp: &Self| read(&imp.value, |t| t.label()))]
        pub value: OnceCell<Track>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for TrackItem {
        const NAME: &'static str = "FramescopeTrackItem";
        type Type = super::TrackItem;
    }

    #[glib::derived_properties]
    impl ObjectImpl for TrackItem {}
}

mod imp_chapter {
    use super::*;

    #[derive(glib::Properties, Default)]
    #[properties(wrapper_type = super::ChapterItem)]
    pub struct ChapterItem {
        /// The chapter's title, when the file names it.
        #[property(name = "title", type = Option<String>, nullable,
            get = |imp: &Self| read(&imp.value, |(c, _): &(Chapter, usize)| c.title.clone()))]
        /// Where it starts (ns from the time origin).
        #[property(name = "start", type = u64,
            get = |imp: &Self| read(&imp.value, |(c, _): &(Chapter, usize)| c.start))]
        /// Where it ends (ns); -1 when the file does not say.
        #[property(name = "end", type = i64, minimum = -1, default = -1,
            get = |imp: &Self| imp.value.get().and_then(|(c, _)| c.end)
                .map_or(-1, |e| i64::try_from(e).unwrap_or(i64::MAX)))]
        /// Its number in the list (0 = first).
        #[property(name = "number", type = u32,
            get = |imp: &Self| read(&imp.value, |(_, n): &(Chapter, usize)| u32::try_from(*n).unwrap_or(u32::MAX)))]
        /// "Opening (0:02)", or "Chapter 2 (0:02)" without a title.
        #[property(name = "label", type = String,
            get = |imp: &Self| read(&imp.value, |(c, n): &(Chapter, usize)| c.label(*n)))]
        pub value: OnceCell<(Chapter, usize)>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ChapterItem {
        const NAME: &'static str = "FramescopeChapterItem";
        type Type = super::ChapterItem;
    }

    #[glib::derived_properties]
    impl ObjectImpl for ChapterItem {}
}

mod imp_variant {
    use super::*;

    #[derive(glib::Properties, Default)]
    #[properties(wrapper_type = super::VariantItem)]
    pub struct VariantItem {
        /// The bandwidth the manifest gives it, in bits/s.
        #[property(name = "bandwidth", type = u64,
            get = |imp: &Self| read(&imp.value, |v| v.bandwidth))]
        /// Its picture width; 0 when the manifest does not say.
        #[property(name = "width", type = u32,
            get = |imp: &Self| read(&imp.value, |v| v.width.unwrap_or(0)))]
        /// Its picture height; 0 when the manifest does not say.
        #[property(name = "height", type = u32,
            get = |imp: &Self| read(&imp.value, |v| v.height.unwrap_or(0)))]
        /// Its own media playlist (HLS); none for DASH representations.
        #[property(name = "uri", type = Option<String>, nullable,
            get = |imp: &Self| read(&imp.value, |v| v.uri.clone()))]
        /// "640x360, 1.2 Mb/s".
        #[property(name = "label", type = String,
            get = |imp: &Self| read(&imp.value, |v| v.label()))]
        pub value: OnceCell<Variant>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for VariantItem {
        const NAME: &'static str = "FramescopeVariantItem";
        type Type = super::VariantItem;
    }

    #[glib::derived_properties]
    impl ObjectImpl for VariantItem {}
}

glib::wrapper! {
    /// One track in a player's `tracks-model`: a [`Track`] as a GObject
    /// with read-only properties (`kind`, `index`, `language`, `codec`,
    /// `title`, `channels`, `label`).
    pub struct TrackItem(ObjectSubclass<imp_track::TrackItem>);
}

glib::wrapper! {
    /// One chapter in a player's `chapters-model`: a [`Chapter`] as a
    /// GObject with read-only properties (`title`, `start`, `end`,
    /// `number`, `label`).
    pub struct ChapterItem(ObjectSubclass<imp_chapter::ChapterItem>);
}

glib::wrapper! {
    /// One variant in a player's `variants-model`: a [`Variant`] as a
    /// GObject with read-only properties (`bandwidth`, `width`, `height`,
    /// `uri`, `label`).
    pub struct VariantItem(ObjectSubclass<imp_variant::VariantItem>);
}

impl TrackItem {
    /// An item showing `track`.
    pub fn new(track: Track) -> Self {
        let item: Self = glib::Object::new();
        let _ = item.imp().value.set(track);
        item
    }

    /// The track shown.
    pub fn track(&self) -> Option<Track> {
        self.imp().value.get().cloned()
    }
}

impl ChapterItem {
    /// An item showing `chapter`, number `number` (0 = first) in its list.
    pub fn new(chapter: Chapter, number: usize) -> Self {
        let item: Self = glib::Object::new();
        let _ = item.imp().value.set((chapter, number));
        item
    }

    /// The chapter shown.
    pub fn chapter(&self) -> Option<Chapter> {
        self.imp().value.get().map(|(c, _)| c.clone())
    }
}

impl VariantItem {
    /// An item showing `variant`.
    pub fn new(variant: Variant) -> Self {
        let item: Self = glib::Object::new();
        let _ = item.imp().value.set(variant);
        item
    }

    /// The variant shown.
    pub fn variant(&self) -> Option<Variant> {
        self.imp().value.get().cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_run_that_differs_is_replaced() {
        assert_eq!(changed_range(&[1, 2, 3], &[1, 2, 3], false), None);
        // Appended, removed at the end, inserted in the middle.
        assert_eq!(
            changed_range(&[1, 2], &[1, 2, 3], false),
            Some((2, 0, 2..3))
        );
        assert_eq!(
            changed_range(&[1, 2, 3], &[1, 2], false),
            Some((2, 1, 2..2))
        );
        assert_eq!(
            changed_range(&[1, 2, 3], &[1, 9, 2, 3], false),
            Some((1, 0, 1..2))
        );
        // One value changed in place.
        assert_eq!(
            changed_range(&[1, 2, 3], &[1, 5, 3], false),
            Some((1, 1, 1..2))
        );
        // Everything new; emptied.
        assert_eq!(changed_range(&[], &[4, 5], false), Some((0, 0, 0..2)));
        assert_eq!(changed_range(&[4, 5], &[], false), Some((0, 2, 0..0)));
        // Repeated values: the common prefix and suffix never overlap.
        assert_eq!(
            changed_range(&[7, 7], &[7, 7, 7], false),
            Some((2, 0, 2..3))
        );
        // Positional: everything after a change of length is made again.
        assert_eq!(
            changed_range(&[1, 2, 3], &[1, 9, 2, 3], true),
            Some((1, 2, 1..4))
        );
        assert_eq!(
            changed_range(&[1, 2, 3], &[1, 5, 3], true),
            Some((1, 1, 1..2))
        );
    }

    fn track(index: usize, language: &str) -> Track {
        Track {
            kind: TrackKind::Audio,
            index,
            stream_id: format!("s{index}"),
            language: Some(language.into()),
            codec: Some("Opus".into()),
            title: None,
            channels: Some(2),
        }
    }

    #[test]
    fn the_model_follows_the_list_in_one_splice() {
        let mirror = ListMirror::<Track>::default();
        let model = mirror.model();
        let changes = std::rc::Rc::new(RefCell::new(Vec::new()));
        let seen = changes.clone();
        model.connect_items_changed(move |_, p, r, a| seen.borrow_mut().push((p, r, a)));
        assert!(mirror.replace(vec![track(0, "en"), track(1, "fr")]));
        assert!(!mirror.replace(vec![track(0, "en"), track(1, "fr")]));
        // A tag arriving later changes one item.
        assert!(mirror.replace(vec![track(0, "en"), track(1, "de")]));
        assert_eq!(*changes.borrow(), [(0, 0, 2), (1, 1, 1)]);
        let item = model.item(1).and_downcast::<TrackItem>().unwrap();
        assert_eq!(item.language().as_deref(), Some("de"));
        assert_eq!(item.kind(), TrackKind::Audio);
        assert_eq!(item.index(), 1);
        assert_eq!(item.channels(), 2);
        assert_eq!(item.label(), "de — Opus, stereo");
        assert_eq!(item.track(), Some(track(1, "de")));
        assert!(mirror.replace(Vec::new()));
        assert_eq!(model.n_items(), 0);
        assert_eq!(changes.borrow().last(), Some(&(0, 2, 0)));
    }

    #[test]
    fn chapter_items_are_numbered_by_place() {
        let mirror = ListMirror::<Chapter>::default();
        let chapter = |start: u64| Chapter {
            title: None,
            start,
            end: None,
        };
        mirror.replace(vec![chapter(0), chapter(4_000_000_000)]);
        mirror.replace(vec![
            chapter(0),
            chapter(2_000_000_000),
            chapter(4_000_000_000),
        ]);
        let labels: Vec<String> = (0..3)
            .map(|i| {
                mirror
                    .model()
                    .item(i)
                    .and_downcast::<ChapterItem>()
                    .unwrap()
                    .label()
            })
            .collect();
        assert_eq!(
            labels,
            ["Chapter 1 (0:00)", "Chapter 2 (0:02)", "Chapter 3 (0:04)"]
        );
        let last = mirror
            .model()
            .item(2)
            .and_downcast::<ChapterItem>()
            .unwrap();
        assert_eq!(
            (last.start(), last.end(), last.number()),
            (4_000_000_000, -1, 2)
        );
    }
}
