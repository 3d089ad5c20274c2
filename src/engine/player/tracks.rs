//! Track lists and track choice on the player: what `playbin3`'s stream
//! collection or `playbin`'s counts say the media holds, which track of each
//! kind plays, and switching (or, for subtitles, turning them off) while
//! playing, without reloading. `tracks-changed` tells the UI to look again;
//! the list is also a list model (`tracks-model`) of
//! [`TrackItem`](crate::engine::TrackItem)s, changed only when the list is.

use super::imp;
use crate::engine::items::ListMirror;
use crate::engine::tracks::{Track, TrackKind};
use glib::subclass::prelude::*;
use gst::prelude::*;
use std::cell::{Cell, RefCell};
use std::sync::atomic::Ordering;

/// The tracks facet's state.
#[derive(Default)]
pub struct TracksState {
    /// The media's video, audio and subtitle tracks, as last announced,
    /// and their list model.
    list: ListMirror<Track>,
    /// `playbin3`'s stream collection (its tags fill in as streams are
    /// parsed).
    pub(super) collection: RefCell<Option<gst::StreamCollection>>,
    /// Ticks since the track list was last looked at.
    age: Cell<u32>,
    /// The stream ids `playbin3` has selected.
    selected_streams: RefCell<Vec<String>>,
    /// Every external subtitle file added for the media loaded (as URIs,
    /// in the order added); `subtitle-file` is the one shown.
    pub(super) subtitle_files: RefCell<Vec<String>>,
    /// Choose the external subtitle track once the reloaded media lists it.
    pick_external_subtitle: Cell<bool>,
    // The subtitle lift and whether subtitles are hidden, which subtitle
    // overlays made later on a streaming thread read, are in `Shared`.
}

/// `playbin`'s property for the current track of each kind.
fn current_property(kind: TrackKind) -> &'static str {
    match kind {
        TrackKind::Video => "current-video",
        TrackKind::Audio => "current-audio",
        TrackKind::Subtitle => "current-text",
    }
}

/// How many ticks (50 ms) pass between two looks at the track list.
const REFRESH_EVERY_TICKS: u32 = 10;

impl imp::Player {
    /// Looks at the tracks again (from `playbin3`'s collection, or
    /// `playbin`'s counts and tags) and says so when they changed.
    pub(super) fn refresh_tracks(&self) {
        self.tracks.age.set(0);
        let tracks = if let Some(collection) = self.tracks.collection.borrow().as_ref() {
            crate::engine::tracks::from_collection(collection)
        } else if self.pipeline.borrow().is_some() {
            // playbin answers under its lock: through the gate, and when
            // no answer comes in time the list stays as it was.
            match self.ask(|p| crate::engine::tracks::from_playbin(p.upcast_ref())) {
                Some(tracks) => tracks,
                None => return,
            }
        } else {
            Vec::new()
        };
        // A container's own title repeated on every track names no track.
        let media_title = self.obj().title();
        let tracks = tracks
            .into_iter()
            .map(|mut t| {
                if t.title.is_some() && t.title == media_title {
                    t.title = None;
                }
                t
            })
            .collect();
        self.set_tracks(tracks);
    }

    /// From the ticker: tags arrive after the streams do, so the list is
    /// looked at again twice a second.
    pub(super) fn refresh_tracks_now_and_then(&self) {
        let age = self.tracks.age.get() + 1;
        if age >= REFRESH_EVERY_TICKS {
            self.refresh_tracks();
        } else {
            self.tracks.age.set(age);
        }
    }

    fn set_tracks(&self, tracks: Vec<Track>) {
        if self.tracks.list.replace(tracks) {
            self.obj().emit_by_name::<()>("tracks-changed", &[]);
        }
        self.pick_external_subtitle_when_known();
    }

    /// An external subtitle file comes last among the subtitle tracks; it
    /// is chosen once they are listed (and, with `playbin3`, once the
    /// pipeline has made its own first choice, which the switch keeps).
    fn pick_external_subtitle_when_known(&self) {
        if !self.tracks.pick_external_subtitle.get() || self.pipeline.borrow().is_none() {
            return;
        }
        let subtitles = self.obj().tracks_of(TrackKind::Subtitle).len();
        let chosen_yet = self.tracks.collection.borrow().is_none()
            || !self.tracks.selected_streams.borrow().is_empty();
        if subtitles > 0 && chosen_yet {
            self.tracks.pick_external_subtitle.set(false);
            let _ = self
                .obj()
                .select_track(TrackKind::Subtitle, Some(subtitles - 1));
        }
    }

    /// Shows the subtitle file `file` (a path or URI) with the media: the
    /// media is loaded again with it where it was, playing or paused as it
    /// was, and its track is chosen. `None` takes it away again.
    pub(super) fn set_subtitle_file(&self, file: Option<String>) {
        let uri = file.map(|f| crate::engine::to_uri(&f));
        if let Some(path) = uri.as_deref().and_then(|u| glib::filename_from_uri(u).ok()) {
            if !path.0.is_file() {
                self.warn(format!(
                    "The subtitle file “{}” does not exist; choose another one.",
                    path.0.display()
                ));
                return;
            }
        }
        if let Some(uri) = uri.as_ref() {
            let mut files = self.tracks.subtitle_files.borrow_mut();
            if !files.contains(uri) {
                files.push(uri.clone());
            }
        }
        if *self.subtitle_file.borrow() == uri {
            // Already loaded: make sure its track is the one shown.
            if uri.is_some() {
                let last = self.obj().tracks_of(TrackKind::Subtitle).len();
                if let Some(last) = last.checked_sub(1) {
                    let _ = self.obj().select_track(TrackKind::Subtitle, Some(last));
                }
            }
            return;
        }
        self.subtitle_file.replace(uri.clone());
        self.obj().notify_subtitle_file();
        let Some(media) = self.uri.borrow().clone() else {
            return;
        };
        if self.pipeline.borrow().is_none() {
            return;
        }
        // Loaded again with the file, where it was.
        self.tracks.pick_external_subtitle.set(uri.is_some());
        self.reload_here(&media);
    }

    /// Loads `media` again where it was, playing or paused as it was; its
    /// tracks are announced afresh.
    pub(super) fn reload_here(&self, media: &str) {
        let position = self.position.get();
        let at = (position > 0 && self.seekable.get()).then_some(position);
        self.reload(media, at);
    }

    /// Loads `media` again from wherever it starts by itself (a live
    /// stream: its live edge), playing or paused as it was.
    pub(super) fn reload_from_its_start(&self, media: &str) {
        self.reload(media, None);
    }

    fn reload(&self, media: &str, at: Option<u64>) {
        let playing = self.want_playing.get();
        self.teardown();
        self.clear_tracks();
        self.loading.open_attempts.set(0);
        self.want_playing.set(playing);
        self.load(media);
        if let Some(position) = at {
            self.seek
                .queue
                .borrow_mut()
                .offer(crate::engine::seek::Request::Seek {
                    target: gst::ClockTime::from_nseconds(position),
                    mode: crate::engine::seek::SeekMode::Accurate,
                });
        }
        if playing {
            self.resume();
        }
    }

    /// Draws subtitles in `font` from now on (and in every pipeline built).
    pub(super) fn set_subtitle_font(&self, font: Option<String>) {
        self.subtitle_font.replace(font.clone());
        if let Some(font) = font {
            self.tell(move |p| {
                if p.find_property("subtitle-font-desc").is_some() {
                    p.set_property("subtitle-font-desc", &font);
                }
            });
        }
        self.obj().notify_subtitle_font();
    }

    pub(super) fn set_subtitle_lift(&self, lift: u32) {
        if self.subtitle_lift.replace(lift) == lift {
            return;
        }
        self.shared.subtitle_lift.store(lift, Ordering::Relaxed);
        self.tell(move |pipeline| {
            let mut overlays = pipeline.iterate_recurse();
            while let Ok(Some(element)) = overlays.next() {
                lift_text_overlay(&element, lift);
            }
        });
        self.obj().notify_subtitle_lift();
    }

    /// Subtitle overlays `pipeline` creates (they come with the first
    /// subtitle) start at the lift and visibility asked for; subtitles
    /// start shown in every pipeline built.
    pub(super) fn style_subtitles_in(&self, pipeline: &gst::Pipeline) {
        let shared = self.shared.clone();
        shared.subtitles_hidden.store(false, Ordering::Relaxed);
        pipeline.connect("deep-element-added", false, move |args| {
            if let Ok(element) = args[2].get::<gst::Element>() {
                lift_text_overlay(&element, shared.subtitle_lift.load(Ordering::Relaxed));
                hide_subtitle_overlay(&element, shared.subtitles_hidden.load(Ordering::Relaxed));
            }
            None
        });
    }

    /// Hands the chosen subtitle font, if any, to `pipeline`.
    pub(super) fn give_subtitle_font(&self, pipeline: &gst::Element) {
        if let Some(font) = self.subtitle_font.borrow().as_ref() {
            if pipeline.find_property("subtitle-font-desc").is_some() {
                pipeline.set_property("subtitle-font-desc", font);
            }
        }
    }

    /// `playbin3` selected these streams.
    pub(super) fn set_selected_streams(&self, ids: Vec<String>) {
        if *self.tracks.selected_streams.borrow() != ids {
            self.tracks.selected_streams.replace(ids);
            self.obj().emit_by_name::<()>("tracks-changed", &[]);
        }
        self.pick_external_subtitle_when_known();
    }

    /// The tracks' list model (the `tracks-model` property).
    pub(super) fn tracks_model(&self) -> gio::ListModel {
        self.tracks.list.model()
    }

    /// Forgets the tracks of the media that was loaded.
    pub(super) fn clear_tracks(&self) {
        self.tracks.selected_streams.borrow_mut().clear();
        self.tracks.collection.take();
        self.set_tracks(Vec::new());
    }

    /// Shows or hides the subtitles `pipeline` draws. Through `silent` on
    /// its subtitle overlays, never playbin's `text` flag: on GStreamer
    /// 1.22 changing `flags` while playbin switches source groups unlocks
    /// a group lock it never took (an abort, seen in the long storm).
    fn show_subtitles(pipeline: &gst::Pipeline, shown: bool) {
        let mut elements = pipeline.iterate_recurse();
        while let Ok(Some(element)) = elements.next() {
            hide_subtitle_overlay(&element, !shown);
        }
    }
}

/// Sets `silent` on a `subtitleoverlay` (playsink's text renderer, which
/// passes it on to the overlay it makes inside).
fn hide_subtitle_overlay(element: &gst::Element, hidden: bool) {
    let is_subtitle_overlay = element
        .factory()
        .is_some_and(|f| f.name() == "subtitleoverlay");
    if is_subtitle_overlay && element.find_property("silent").is_some() {
        element.set_property("silent", hidden);
    }
}

/// GStreamer's own space under subtitle text (`textoverlay`'s `ypad`).
const TEXT_OVERLAY_YPAD: u32 = 25;

/// Sets a `textoverlay`'s padding to its usual space plus `lift`.
fn lift_text_overlay(element: &gst::Element, lift: u32) {
    let is_text_overlay = element.factory().is_some_and(|f| f.name() == "textoverlay");
    if is_text_overlay && element.find_property("ypad").is_some() {
        // Any lift a host asks for: capped at what `ypad` (an int) holds.
        let ypad = i32::try_from(TEXT_OVERLAY_YPAD.saturating_add(lift)).unwrap_or(i32::MAX);
        element.set_property("ypad", ypad);
    }
}

impl super::Player {
    /// Adds external subtitle files (paths or URIs) to the media loaded and
    /// shows the last of them (one reload, see `subtitle-file`). Files that
    /// do not exist are refused with a warning.
    pub fn add_subtitle_files<S: AsRef<str>>(&self, files: &[S]) {
        let existing: Vec<String> = files
            .iter()
            .map(|f| crate::engine::to_uri(f.as_ref()))
            .filter(|uri| {
                let missing = glib::filename_from_uri(uri).is_ok_and(|(path, _)| !path.is_file());
                if missing {
                    self.imp().warn(format!(
                        "The subtitle file “{}” does not exist; choose another one.",
                        crate::engine::error::display_name(uri)
                    ));
                }
                !missing
            })
            .collect();
        let Some(last) = existing.last().cloned() else {
            return;
        };
        {
            let mut listed = self.imp().tracks.subtitle_files.borrow_mut();
            for uri in existing {
                if !listed.contains(&uri) {
                    listed.push(uri);
                }
            }
        }
        self.set_subtitle_file(Some(last.as_str()));
        self.emit_by_name::<()>("tracks-changed", &[]);
    }

    /// The external subtitle files added for the media loaded, as URIs in
    /// the order added (the one shown is `subtitle-file`).
    pub fn subtitle_files(&self) -> Vec<String> {
        self.imp().tracks.subtitle_files.borrow().clone()
    }

    /// Every track of the media, videos first, then audio, then subtitles,
    /// each in container order (empty until the media has opened).
    pub fn tracks(&self) -> Vec<Track> {
        self.imp().tracks.list.borrow().clone()
    }

    /// The tracks of one kind.
    pub fn tracks_of(&self, kind: TrackKind) -> Vec<Track> {
        self.imp()
            .tracks
            .list
            .borrow()
            .iter()
            .filter(|t| t.kind == kind)
            .cloned()
            .collect()
    }

    /// The number (among its kind) of the track playing, or `None` when
    /// none of that kind plays (subtitles off, no audio track).
    pub fn current_track(&self, kind: TrackKind) -> Option<usize> {
        let imp = self.imp();
        let pipeline = imp.pipeline.borrow().clone()?;
        let pipeline = pipeline.upcast::<gst::Element>();
        if pipeline.find_property("current-audio").is_some() {
            // playbin answers under its lock: through the gate.
            if kind == TrackKind::Subtitle && imp.shared.subtitles_hidden.load(Ordering::Relaxed) {
                return None;
            }
            let current = imp.ask(move |p| p.property::<i32>(current_property(kind)))?;
            let count = self.tracks_of(kind).len();
            return usize::try_from(current).ok().filter(|&c| c < count);
        }
        let selected = imp.tracks.selected_streams.borrow();
        self.tracks_of(kind)
            .into_iter()
            .find(|t| selected.contains(&t.stream_id))
            .map(|t| t.index)
    }

    /// Plays track `index` of `kind` instead of the current one, or none of
    /// that kind (`None`: subtitles off). Returns a sentence when the media
    /// has no such track.
    pub fn select_track(&self, kind: TrackKind, index: Option<usize>) -> Result<(), String> {
        let imp = self.imp();
        let Some(pipeline) = imp.pipeline.borrow().clone() else {
            return Err("Nothing is playing.".into());
        };
        let pipeline = pipeline.upcast::<gst::Element>();
        let tracks = self.tracks_of(kind);
        if let Some(i) = index {
            if i >= tracks.len() {
                return Err(format!(
                    "There is no {} track {} (the media has {}).",
                    kind_name(kind),
                    i.saturating_add(1),
                    tracks.len()
                ));
            }
        }
        if pipeline.find_property("current-audio").is_some() {
            // playbin is told under its lock: through the gate.
            let index = match (kind, index) {
                (_, Some(i)) => Some(i32::try_from(i).unwrap_or(i32::MAX)),
                (TrackKind::Subtitle, None) => None,
                (_, None) => {
                    return Err(format!(
                        "The {} track cannot be turned off.",
                        kind_name(kind)
                    ))
                }
            };
            if kind == TrackKind::Subtitle {
                imp.shared
                    .subtitles_hidden
                    .store(index.is_none(), Ordering::Relaxed);
            }
            imp.tell(move |p| {
                if kind == TrackKind::Subtitle {
                    imp::Player::show_subtitles(p, index.is_some());
                }
                if let Some(i) = index {
                    p.set_property(current_property(kind), i);
                }
            });
            self.emit_by_name::<()>("tracks-changed", &[]);
            return Ok(());
        }
        // playbin3 on GStreamer before 1.24 stops the whole stream ("not
        // linked") when asked for another video stream; say so rather than
        // stop (seen on a two-video Matroska file, every time).
        let (major, minor, ..) = gst::version();
        if kind == TrackKind::Video && (major, minor) < (1, 24) && self.current_track(kind) != index
        {
            return Err(
                "This GStreamer (before 1.24) cannot switch the video track of a stream while it plays; the first video track stays.".into(),
            );
        }
        // playbin3: the streams to keep, with this kind's choice in place
        // (a kind with nothing chosen yet keeps its first track).
        let selected = imp.tracks.selected_streams.borrow().clone();
        let mut ids = Vec::new();
        for other in [TrackKind::Video, TrackKind::Audio, TrackKind::Subtitle] {
            if other == kind {
                continue;
            }
            let of_kind = self.tracks_of(other);
            let kept: Vec<String> = of_kind
                .iter()
                .filter(|t| selected.contains(&t.stream_id))
                .map(|t| t.stream_id.clone())
                .collect();
            if kept.is_empty() && other != TrackKind::Subtitle {
                ids.extend(of_kind.first().map(|t| t.stream_id.clone()));
            } else {
                ids.extend(kept);
            }
        }
        ids.extend(index.map(|i| tracks[i].stream_id.clone()));
        // GStreamer makes no event of an empty selection.
        if ids.is_empty() {
            return Err(format!(
                "The {} track could not be switched: the media lists no track to keep.",
                kind_name(kind)
            ));
        }
        let event =
            gst::event::SelectStreams::new(ids.iter().map(String::as_str).collect::<Vec<_>>());
        // Made, or on its way: either is fine; only a refusal is not.
        let sent = imp.ask_late_ok(move |p| p.send_event(event));
        if !sent.is_some_and(|answer| answer.unwrap_or(true)) {
            return Err(format!(
                "The {} track could not be switched.",
                kind_name(kind)
            ));
        }
        Ok(())
    }

    /// Connects to `tracks-changed`: the track list or a choice changed.
    pub fn connect_tracks_changed<F: Fn(&Self) + 'static>(&self, f: F) -> glib::SignalHandlerId {
        self.connect_local("tracks-changed", false, move |values| {
            let player = values[0].get::<Self>().expect("the signal's emitter");
            f(&player);
            None
        })
    }
}

fn kind_name(kind: TrackKind) -> &'static str {
    match kind {
        TrackKind::Video => "video",
        TrackKind::Audio => "audio",
        TrackKind::Subtitle => "subtitle",
    }
}
