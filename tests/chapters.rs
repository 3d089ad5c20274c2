//! Chapters, headless with real pipelines: a generated Matroska file's three
//! chapters are listed with their titles and times, and next/previous
//! chapter land on the exact first frame of the chapter, following the
//! players' habit for "previous" (just after a chapter's start: the chapter
//! before). A file without chapters says so.

mod common;

use common::*;
use framescope::engine::PlayerState;
use std::time::Duration;

const S: i64 = 1_000_000_000;

#[test]
fn chapters_are_listed_and_next_previous_land_on_their_first_frame() {
    let clip = chaptered_mkv();
    with_context(|| {
        let (player, out) = open_paused(&clip);
        assert!(
            run_until(Duration::from_secs(5), || player.chapters().len() == 3),
            "chapters {:?}",
            player.chapters()
        );
        let chapters = player.chapters();
        let summary: Vec<_> = chapters
            .iter()
            .map(|c| {
                (
                    c.title.clone().unwrap_or_default(),
                    c.start as i64 / (S / 1000),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("Opening".to_string(), 0),
                ("Middle".to_string(), 2000),
                ("End".to_string(), 4000)
            ]
        );
        assert_eq!(player.current_chapter(), Some(0));
        let land = |what: &str| {
            assert!(wait_settled(&player), "{what}: did not settle");
            player.frame_pts()
        };
        assert!(player.next_chapter());
        assert_eq!(land("next"), 2 * S, "next chapter from the start");
        assert_eq!(player.current_chapter(), Some(1));
        assert!(player.next_chapter());
        assert_eq!(land("next"), 4 * S);
        // Just after the start of "End": previous goes to "Middle".
        player.seek(gst::ClockTime::from_mseconds(4500));
        land("seek");
        assert!(player.previous_chapter());
        assert_eq!(land("previous"), 2 * S);
        // 1.5 s into "End" (within 3 s of its start): the chapter before.
        player.seek(gst::ClockTime::from_mseconds(5500));
        land("seek");
        assert!(player.previous_chapter());
        assert_eq!(land("previous"), 2 * S);
        // (More than 3 s into a chapter goes to its own start: the clip's
        // chapters are 2 s long; src/engine/chapters.rs tests that rule.)
        // Past the last chapter start there is no next.
        player.seek(gst::ClockTime::from_mseconds(4200));
        land("seek");
        let warnings = out.borrow().warnings.len();
        assert!(!player.next_chapter());
        assert!(run_until(Duration::from_secs(1), || out
            .borrow()
            .warnings
            .len()
            > warnings));
        assert!(out.borrow().warnings.last().unwrap().ends_with('.'));
        assert_eq!(player.state(), PlayerState::Paused);
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
    });
}

#[test]
fn media_without_chapters_says_so() {
    with_context(|| {
        let (player, out) = open_paused(&clip("h264_aac.mp4"));
        assert!(player.chapters().is_empty());
        assert!(!player.next_chapter());
        assert!(!player.previous_chapter());
        assert!(run_until(Duration::from_secs(1), || out
            .borrow()
            .warnings
            .len()
            >= 2));
        assert_eq!(out.borrow().warnings[0], "This media has no chapters.");
    });
}
