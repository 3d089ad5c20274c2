//! Chapters on the player: the list a demuxer's table of contents gave
//! (and its list model, `chapters-model`), `chapters-changed` when it
//! changes, and going to the next or previous chapter with an accurate seek.

use super::imp;
use crate::engine::chapters::{self, Chapter};
use crate::engine::items::ListMirror;
use glib::prelude::*;
use glib::subclass::prelude::*;

/// The chapters facet's state: the media's chapters in time order, as a
/// list and as the list model of [`ChapterItem`](crate::engine::ChapterItem)s.
#[derive(Default)]
pub struct ChaptersState {
    list: ListMirror<Chapter>,
}

impl imp::Player {
    /// A new table of contents (or none: new media).
    pub(super) fn set_chapters(&self, list: Vec<Chapter>) {
        if self.chapters.list.replace(list) {
            self.obj().emit_by_name::<()>("chapters-changed", &[]);
        }
    }

    /// The chapters' list model (the `chapters-model` property).
    pub(super) fn chapters_model(&self) -> gio::ListModel {
        self.chapters.list.model()
    }
}

impl super::Player {
    /// The media's chapters in time order (empty when it has none).
    pub fn chapters(&self) -> Vec<Chapter> {
        self.imp().chapters.list.borrow().clone()
    }

    /// The chapter playing now, by its number in
    /// [`chapters`](super::Player::chapters).
    pub fn current_chapter(&self) -> Option<usize> {
        chapters::current(&self.imp().chapters.list.borrow(), self.position())
    }

    /// Seeks to the start of the next chapter; false (and a warning) when
    /// there is none.
    pub fn next_chapter(&self) -> bool {
        let target = chapters::next_start(&self.imp().chapters.list.borrow(), self.position());
        self.go_to_chapter(target, "This is the last chapter.")
    }

    /// Seeks to the start of this chapter when well into it (more than
    /// 3 s), otherwise to the start of the previous one; false (and a
    /// warning) when the media has no chapters.
    pub fn previous_chapter(&self) -> bool {
        let target = chapters::previous_start(&self.imp().chapters.list.borrow(), self.position());
        self.go_to_chapter(target, "There are no chapters before this point.")
    }

    fn go_to_chapter(&self, target: Option<u64>, none_left: &str) -> bool {
        if self.imp().chapters.list.borrow().is_empty() {
            self.emit_by_name::<()>("warning", &[&"This media has no chapters."]);
            return false;
        }
        match target {
            Some(ns) => {
                self.seek_with_mode(
                    gst::ClockTime::from_nseconds(ns),
                    crate::engine::seek::SeekMode::Accurate,
                );
                true
            }
            None => {
                self.emit_by_name::<()>("warning", &[&none_left]);
                false
            }
        }
    }

    /// Connects to `chapters-changed`.
    pub fn connect_chapters_changed<F: Fn(&Self) + 'static>(&self, f: F) -> glib::SignalHandlerId {
        self.connect_local("chapters-changed", false, move |values| {
            let player = values[0].get::<Self>().expect("the signal's emitter");
            f(&player);
            None
        })
    }
}
