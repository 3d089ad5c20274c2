//! The player's list models, headless with real pipelines: `tracks-model`
//! lists a generated Matroska file's video, two audio and two subtitle
//! tracks as `TrackItem`s of the right kinds and languages, and empties
//! when other media opens; `chapters-model` lists a chaptered file's three
//! chapters; the `playlist` store changes by exactly one `items-changed`
//! per append, move and removal, with the right position, removed and
//! added counts. At every `items-changed` the model says what the
//! Vec-returning methods say.

mod common;

use common::*;
use framescope::engine::{ChapterItem, Player, PlaylistItem, Track, TrackItem, TrackKind};
use gio::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// Every `items-changed` of `model`, as (position, removed, added).
type Changes = Rc<RefCell<Vec<(u32, u32, u32)>>>;

/// Records `model`'s `items-changed`, checking at each that `agrees`
/// holds (the model and the player's own list say the same).
fn watch(model: &gio::ListModel, agrees: impl Fn() -> Result<(), String> + 'static) -> Changes {
    let changes = Changes::default();
    let seen = changes.clone();
    model.connect_items_changed(move |model, position, removed, added| {
        assert!(
            position + added <= model.n_items(),
            "items-changed({position}, {removed}, {added}) past the end ({})",
            model.n_items()
        );
        if let Err(why) = agrees() {
            panic!("at items-changed({position}, {removed}, {added}): {why}");
        }
        seen.borrow_mut().push((position, removed, added));
    });
    changes
}

/// The tracks `model` holds.
fn tracks_in(model: &gio::ListModel) -> Vec<Track> {
    (0..model.n_items())
        .filter_map(|i| model.item(i).and_downcast::<TrackItem>())
        .filter_map(|item| item.track())
        .collect()
}

#[test]
fn tracks_model_follows_the_media() {
    let clip = two_language_mkv();
    with_context(|| {
        let player = Player::headless();
        let out = record(&player);
        let model = player.tracks_model();
        assert_eq!(model.item_type(), TrackItem::static_type());
        let weak = player.downgrade();
        let m = model.clone();
        let changes = watch(&model, move || {
            let player = weak.upgrade().ok_or("player gone")?;
            let (listed, shown) = (player.tracks(), tracks_in(&m));
            (listed == shown)
                .then_some(())
                .ok_or(format!("tracks() {listed:?}, model {shown:?}"))
        });
        player.open(&clip.display().to_string());
        // Tags (languages, titles) may come a moment after the streams.
        let kinds = || -> Vec<TrackKind> {
            (0..model.n_items())
                .filter_map(|i| model.item(i).and_downcast::<TrackItem>())
                .map(|item| item.kind())
                .collect()
        };
        assert!(
            run_until(Duration::from_secs(10), || model.n_items() == 5
                && tracks_in(&model)
                    .iter()
                    .all(|t| t.kind == TrackKind::Video || t.language.is_some())),
            "model {:?}, errors {:?}",
            tracks_in(&model),
            out.borrow().errors
        );
        assert_eq!(
            kinds(),
            [
                TrackKind::Video,
                TrackKind::Audio,
                TrackKind::Audio,
                TrackKind::Subtitle,
                TrackKind::Subtitle
            ]
        );
        let item = |i: u32| model.item(i).and_downcast::<TrackItem>().unwrap();
        let languages: Vec<Option<String>> = (1..5).map(|i| item(i).language()).collect();
        assert_eq!(
            languages,
            [Some("en"), Some("fr"), Some("en"), Some("de")].map(|l| l.map(String::from))
        );
        assert_eq!(item(2).index(), 1);
        assert_eq!(item(2).title().as_deref(), Some("Commentary"));
        assert_eq!(item(2).label(), player.tracks()[2].label());
        assert_eq!(tracks_in(&model), player.tracks());
        assert!(!changes.borrow().is_empty(), "no items-changed");
        // Each change spliced no more than the list holds.
        let before = changes.borrow().len();

        // Choosing another audio track changes no item.
        player.select_track(TrackKind::Audio, Some(1)).unwrap();
        run_until(Duration::from_millis(500), || false);
        assert_eq!(model.n_items(), 5);
        assert_eq!(tracks_in(&model), player.tracks());

        // Other media: the old tracks go, the new ones come.
        let emptied = changes.borrow().len();
        player.open(&clip_path("h264_aac.mp4"));
        assert!(
            run_until(Duration::from_secs(10), || kinds()
                == [TrackKind::Video, TrackKind::Audio]),
            "model {:?}",
            tracks_in(&model)
        );
        let after: Vec<(u32, u32, u32)> = changes.borrow()[emptied..].to_vec();
        assert_eq!(after.first(), Some(&(0, 5, 0)), "changes {after:?}");
        assert!(changes.borrow().len() > before);
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
    });
}

fn clip_path(name: &str) -> String {
    clip(name).display().to_string()
}

#[test]
fn chapters_model_follows_the_media() {
    let chaptered = chaptered_mkv();
    with_context(|| {
        let player = Player::headless();
        let model = player.chapters_model();
        let weak = player.downgrade();
        let m = model.clone();
        let changes = watch(&model, move || {
            let player = weak.upgrade().ok_or("player gone")?;
            let shown: Vec<_> = (0..m.n_items())
                .filter_map(|i| m.item(i).and_downcast::<ChapterItem>())
                .filter_map(|item| item.chapter())
                .collect();
            (shown == player.chapters()).then_some(()).ok_or(format!(
                "chapters() {:?}, model {shown:?}",
                player.chapters()
            ))
        });
        player.open(&chaptered.display().to_string());
        assert!(
            run_until(Duration::from_secs(5), || model.n_items() == 3),
            "model has {} chapters",
            model.n_items()
        );
        let items: Vec<ChapterItem> = (0..3)
            .map(|i| model.item(i).and_downcast::<ChapterItem>().unwrap())
            .collect();
        let summary: Vec<(String, u64, u32)> = items
            .iter()
            .map(|c| (c.label(), c.start() / 1_000_000, c.number()))
            .collect();
        assert_eq!(
            summary,
            [
                ("Opening (0:00)".to_string(), 0, 0),
                ("Middle (0:02)".to_string(), 2000, 1),
                ("End (0:04)".to_string(), 4000, 2)
            ]
        );
        assert_eq!(items[1].title().as_deref(), Some("Middle"));
        // The table of contents came in one change.
        assert_eq!(*changes.borrow(), [(0, 0, 3)]);

        // Media without chapters empties the model, once.
        player.open(&clip_path("h264_aac.mp4"));
        assert!(wait_settled(&player));
        assert_eq!(model.n_items(), 0);
        assert_eq!(*changes.borrow(), [(0, 0, 3), (0, 3, 0)]);
    });
}

/// The playlist's file names, in order.
fn names(model: &gio::ListModel) -> Vec<String> {
    (0..model.n_items())
        .filter_map(|i| model.item(i).and_downcast::<PlaylistItem>())
        .map(|item| item.display_title())
        .collect()
}

#[test]
fn playlist_edits_change_the_model_once_each() {
    let [a, b, c, d] = [
        "h264_aac.mp4",
        "vp9_opus.webm",
        "video_only.webm",
        "audio_only.ogg",
    ];
    with_context(|| {
        let player = Player::headless();
        let model: gio::ListModel = player.playlist().upcast();
        assert_eq!(model.item_type(), PlaylistItem::static_type());
        let changes = watch(&model, || Ok(()));
        let take = || std::mem::take(&mut *changes.borrow_mut());

        player.set_items(&[clip_path(a), clip_path(b), clip_path(c)]);
        assert_eq!(take(), [(0, 0, 3)]);
        assert_eq!(names(&model), [a, b, c]);
        assert_eq!(player.current_index(), 0);

        player.append_item(&clip_path(d));
        assert_eq!(take(), [(3, 0, 1)]);
        assert_eq!(names(&model), [a, b, c, d]);

        // Down: the item playing moves from 0 to 2, the two after it up.
        player.move_item(0, 2);
        assert_eq!(take(), [(0, 3, 3)]);
        assert_eq!(names(&model), [b, c, a, d]);
        assert_eq!(player.current_index(), 2, "the item playing stays current");

        // Up: from 3 to 1.
        player.move_item(3, 1);
        assert_eq!(take(), [(1, 3, 3)]);
        assert_eq!(names(&model), [b, d, c, a]);
        assert_eq!(player.current_index(), 3);

        // Onto itself, or past the end onto itself: nothing changes.
        player.move_item(2, 2);
        player.move_item(9, 3);
        assert_eq!(take(), []);

        player.remove_item(1);
        assert_eq!(take(), [(1, 1, 0)]);
        assert_eq!(names(&model), [b, c, a]);
        assert_eq!(player.current_index(), 2);
        player.remove_item(7);
        assert_eq!(take(), []);

        // Replaced in one splice.
        player.set_items(&[clip_path(d)]);
        assert_eq!(take(), [(0, 3, 1)]);
        assert_eq!(names(&model), [d]);
        player.stop();
    });
}
