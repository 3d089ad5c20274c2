//! Chapters: the media's table of contents (Matroska and MP4 chapters, as
//! demuxers post them in a TOC message) flattened into a sorted list of
//! titled start times, and the rules for going to the next or previous one.

use std::time::Duration;

/// Going "previous" this far into a chapter restarts it instead.
pub(crate) const RESTART_WITHIN: Duration = Duration::from_secs(3);

/// One chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// Its title, when the file names it.
    pub title: Option<String>,
    /// Where it starts (ns from the time origin; the table of contents' own time).
    pub start: u64,
    /// Where it ends (ns), when the file says.
    pub end: Option<u64>,
}

impl Chapter {
    /// "Opening (0:02)", or "Chapter 2 (0:02)" when it has no title.
    pub fn label(&self, number: usize) -> String {
        let seconds = self.start / 1_000_000_000;
        let time = format!("{}:{:02}", seconds / 60, seconds % 60);
        match &self.title {
            Some(title) => format!("{title} ({time})"),
            None => format!("Chapter {} ({time})", number.saturating_add(1)),
        }
    }
}

/// The chapters of a TOC, in time order (nested chapters flattened; editions
/// only group them).
pub(crate) fn from_toc(toc: &gst::Toc) -> Vec<Chapter> {
    fn walk(entry: &gst::TocEntry, out: &mut Vec<Chapter>) {
        if entry.entry_type() == gst::TocEntryType::Chapter {
            if let Some((start, stop)) = entry.start_stop_times() {
                let title = entry
                    .tags()
                    .and_then(|t| t.get::<gst::tags::Title>().map(|v| v.get().to_string()))
                    .filter(|t| !t.trim().is_empty());
                out.push(Chapter {
                    title,
                    start: start.max(0) as u64,
                    end: (stop > start).then_some(stop as u64),
                });
            }
        }
        for sub in entry.sub_entries() {
            walk(&sub, out);
        }
    }
    let mut chapters = Vec::new();
    for entry in toc.entries() {
        walk(&entry, &mut chapters);
    }
    chapters.sort_by_key(|c| c.start);
    chapters.dedup_by_key(|c| c.start);
    chapters
}

/// The chapter playing at `position` (the last one starting at or before it).
pub fn current(chapters: &[Chapter], position: u64) -> Option<usize> {
    chapters.iter().rposition(|c| c.start <= position)
}

/// Where "next chapter" goes from `position`: the start of the first
/// chapter after it.
pub fn next_start(chapters: &[Chapter], position: u64) -> Option<u64> {
    // A frame's worth of slack: a seek lands a hair before a chapter start.
    let slack = 50_000_000;
    chapters
        .iter()
        .find(|c| c.start > position.saturating_add(slack))
        .map(|c| c.start)
}

/// Where "previous chapter" goes from `position`: the start of this chapter
/// when well into it, otherwise the start of the one before.
pub fn previous_start(chapters: &[Chapter], position: u64) -> Option<u64> {
    let here = current(chapters, position)?;
    let into = position - chapters[here].start;
    if into > RESTART_WITHIN.as_nanos() as u64 || here == 0 {
        Some(chapters[here].start)
    } else {
        Some(chapters[here - 1].start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    fn chapters() -> Vec<Chapter> {
        [(0, "Opening"), (10, "Middle"), (20, "End")]
            .iter()
            .map(|&(start, title)| Chapter {
                title: Some(title.into()),
                start: start * S,
                end: Some((start + 10) * S),
            })
            .collect()
    }

    #[test]
    fn next_and_previous_follow_the_players_habits() {
        let c = chapters();
        assert_eq!(next_start(&c, 0), Some(10 * S));
        assert_eq!(next_start(&c, 10 * S), Some(20 * S));
        assert_eq!(next_start(&c, 10 * S - 10_000_000), Some(20 * S));
        assert_eq!(next_start(&c, 21 * S), None);
        // Well into a chapter: back to its start; just after it: the one before.
        assert_eq!(previous_start(&c, 15 * S), Some(10 * S));
        assert_eq!(previous_start(&c, 11 * S), Some(0));
        assert_eq!(previous_start(&c, S), Some(0));
        assert_eq!(current(&c, 19 * S), Some(1));
        assert_eq!(c[1].label(1), "Middle (0:10)");
    }

    #[test]
    fn a_toc_is_flattened_into_sorted_chapters() {
        gst::init().unwrap();
        let mut toc = gst::Toc::new(gst::TocScope::Global);
        let mut edition = gst::TocEntry::new(gst::TocEntryType::Edition, "e");
        for (i, (start, title)) in [(20i64, "End"), (0, "Opening"), (10, "")]
            .iter()
            .enumerate()
        {
            let mut chapter = gst::TocEntry::new(gst::TocEntryType::Chapter, &format!("c{i}"));
            let entry = chapter.get_mut().unwrap();
            entry.set_start_stop_times(start * S as i64, (start + 10) * S as i64);
            let mut tags = gst::TagList::new();
            tags.get_mut()
                .unwrap()
                .add::<gst::tags::Title>(title, gst::TagMergeMode::Append);
            entry.set_tags(tags);
            edition.get_mut().unwrap().append_sub_entry(chapter);
        }
        toc.get_mut().unwrap().append_entry(edition);
        let list = from_toc(&toc);
        assert_eq!(
            list.iter().map(|c| c.start / S).collect::<Vec<_>>(),
            [0, 10, 20]
        );
        assert_eq!(list[0].title.as_deref(), Some("Opening"));
        assert_eq!(list[1].title, None);
        assert_eq!(list[1].label(1), "Chapter 2 (0:10)");
    }
}
