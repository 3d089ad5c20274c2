//! The playlist's value types: [`PlaylistItem`] (the objects in a player's
//! `playlist` list model), the [`Repeat`] and [`EndAction`] choices, and the
//! pure rules for which item comes next ([`neighbour`], and through a
//! shuffled order, [`neighbour_in_order`] over [`shuffled_order`]).

use glib::prelude::*;
use glib::subclass::prelude::*;

/// What repeats when items end (with `end-action` `advance`).
#[derive(Debug, Eq, PartialEq, Clone, Copy, Hash, Default, glib::Enum)]
#[enum_type(name = "FramescopeRepeat")]
pub enum Repeat {
    /// Play the list once.
    #[default]
    None,
    /// Loop the current item seamlessly.
    One,
    /// After the last item, start again at the first.
    All,
}

/// What the player does when an item ends.
#[derive(Debug, Eq, PartialEq, Clone, Copy, Hash, Default, glib::Enum)]
#[enum_type(name = "FramescopeEndAction")]
pub enum EndAction {
    /// Go on to the next item as `repeat` says; when there is none, stay
    /// paused on the last frame.
    #[default]
    Advance,
    /// Stay paused on the item's last frame.
    LastFrame,
    /// Stop and release the pipeline: the picture goes black.
    Black,
    /// Loop the current item seamlessly.
    Loop,
}

/// Why the next item is wanted.
#[derive(Debug, Eq, PartialEq, Clone, Copy)]
pub enum Step {
    /// The current item ended by itself.
    Auto,
    /// The user asked for the next item.
    Next,
    /// The user asked for the previous item.
    Previous,
}

/// The index to play after `current` in a list of `len` items, or `None`
/// when there is nothing to go to. A user's next/previous wraps around
/// unless `repeat` is `None`; an automatic advance with `One` stays put.
pub fn neighbour(current: Option<usize>, len: usize, repeat: Repeat, step: Step) -> Option<usize> {
    if len == 0 {
        return None;
    }
    let Some(current) = current.filter(|&c| c < len) else {
        return match step {
            Step::Previous => Some(len - 1),
            _ => Some(0),
        };
    };
    let wraps = repeat != Repeat::None;
    match step {
        Step::Auto if repeat == Repeat::One => Some(current),
        Step::Auto | Step::Next => {
            if current + 1 < len {
                Some(current + 1)
            } else if wraps {
                Some(0)
            } else {
                None
            }
        }
        Step::Previous => match current.checked_sub(1) {
            Some(i) => Some(i),
            None if wraps => Some(len - 1),
            None => None,
        },
    }
}

/// A random order of `len` playlist indices, each once, starting with
/// `first` when given (the item playing). `random(n)` draws from `0..n`.
pub fn shuffled_order(
    len: usize,
    first: Option<usize>,
    mut random: impl FnMut(u32) -> u32,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    // Fisher-Yates.
    for i in (1..len).rev() {
        let j = random(i as u32 + 1) as usize;
        order.swap(i, j.min(i));
    }
    if let Some(at) = first.and_then(|f| order.iter().position(|&i| i == f)) {
        order.swap(0, at);
    }
    order
}

/// [`neighbour`] through `order` (a permutation of the playlist's
/// indices): the index after or before `current` in that order.
pub fn neighbour_in_order(
    order: &[usize],
    current: Option<usize>,
    repeat: Repeat,
    step: Step,
) -> Option<usize> {
    let position = current.and_then(|c| order.iter().position(|&i| i == c));
    neighbour(position, order.len(), repeat, step).map(|p| order[p])
}

mod imp {
    use super::*;
    use std::cell::RefCell;

    #[derive(glib::Properties, Default)]
    #[properties(wrapper_type = super::PlaylistItem)]
    pub struct PlaylistItem {
        /// The item's URI.
        #[property(get, construct_only)]
        pub uri: RefCell<String>,
        /// A title to show instead of the file name; `None` until known.
        #[property(get, set, nullable)]
        pub title: RefCell<Option<String>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for PlaylistItem {
        const NAME: &'static str = "FramescopePlaylistItem";
        type Type = super::PlaylistItem;
    }

    #[glib::derived_properties]
    impl ObjectImpl for PlaylistItem {}
}

glib::wrapper! {
    /// One entry of a player's playlist: a URI and an optional title.
    pub struct PlaylistItem(ObjectSubclass<imp::PlaylistItem>);
}

impl PlaylistItem {
    /// An item for a path or URI (paths become `file://` URIs).
    pub fn new(path_or_uri: &str) -> Self {
        glib::Object::builder()
            .property("uri", crate::engine::uri::to_uri(path_or_uri))
            .build()
    }

    /// The title if one was set, else the URI's last path segment, decoded.
    pub fn display_title(&self) -> String {
        if let Some(title) = self.title() {
            return title;
        }
        let name = crate::engine::error::display_name(&self.uri());
        name.rsplit('/').next().unwrap_or(&name).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_advance() {
        assert_eq!(neighbour(Some(0), 3, Repeat::None, Step::Auto), Some(1));
        assert_eq!(neighbour(Some(2), 3, Repeat::None, Step::Auto), None);
        assert_eq!(neighbour(Some(2), 3, Repeat::All, Step::Auto), Some(0));
        assert_eq!(neighbour(Some(1), 3, Repeat::One, Step::Auto), Some(1));
        assert_eq!(neighbour(None, 3, Repeat::None, Step::Auto), Some(0));
        assert_eq!(neighbour(Some(0), 0, Repeat::All, Step::Auto), None);
    }

    #[test]
    fn user_next_and_previous() {
        assert_eq!(neighbour(Some(1), 3, Repeat::One, Step::Next), Some(2));
        assert_eq!(neighbour(Some(2), 3, Repeat::One, Step::Next), Some(0));
        assert_eq!(neighbour(Some(2), 3, Repeat::None, Step::Next), None);
        assert_eq!(neighbour(Some(0), 3, Repeat::None, Step::Previous), None);
        assert_eq!(neighbour(Some(0), 3, Repeat::All, Step::Previous), Some(2));
        assert_eq!(neighbour(Some(2), 3, Repeat::None, Step::Previous), Some(1));
        assert_eq!(neighbour(Some(7), 3, Repeat::None, Step::Previous), Some(2));
    }

    /// A small deterministic generator for the shuffle tests.
    fn lcg(seed: u64) -> impl FnMut(u32) -> u32 {
        let mut state = seed;
        move |n| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % u64::from(n)) as u32
        }
    }

    #[test]
    fn shuffled_order_is_a_permutation_starting_at_the_current_item() {
        for seed in 0..50 {
            let order = shuffled_order(7, Some(4), lcg(seed));
            assert_eq!(order[0], 4);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..7).collect::<Vec<_>>());
        }
        // Different draws give different orders.
        let orders: std::collections::HashSet<Vec<usize>> =
            (0..20).map(|s| shuffled_order(6, None, lcg(s))).collect();
        assert!(orders.len() > 5, "{orders:?}");
        assert!(shuffled_order(0, Some(2), lcg(1)).is_empty());
    }

    #[test]
    fn neighbours_follow_the_shuffled_order() {
        let order = [2, 0, 3, 1];
        assert_eq!(
            neighbour_in_order(&order, Some(2), Repeat::None, Step::Auto),
            Some(0)
        );
        assert_eq!(
            neighbour_in_order(&order, Some(3), Repeat::None, Step::Next),
            Some(1)
        );
        assert_eq!(
            neighbour_in_order(&order, Some(1), Repeat::None, Step::Auto),
            None
        );
        assert_eq!(
            neighbour_in_order(&order, Some(1), Repeat::All, Step::Auto),
            Some(2)
        );
        assert_eq!(
            neighbour_in_order(&order, Some(0), Repeat::None, Step::Previous),
            Some(2)
        );
        assert_eq!(
            neighbour_in_order(&order, Some(3), Repeat::One, Step::Auto),
            Some(3)
        );
        assert_eq!(
            neighbour_in_order(&order, None, Repeat::None, Step::Auto),
            Some(2)
        );
    }
}
