//! What the inspector does when the media changes: one worker thread reads
//! the facts ([`crate::inspect::inspect`]) and then scans the video frames
//! ([`crate::inspect::scan_frames`]); the results come back through
//! `futures_channel::oneshot` and are dropped when the media changed
//! meanwhile. Inputs that are not scanned show the frames the player itself
//! decoded, moved on by the refresh timer.

use super::{frames, gop, InspectorWindow};
use crate::engine::{Player, PlayerState};
use crate::i18n::{gettext, tr};
use crate::inspect::{FrameRecord, MediaReport, ScanKinds};
use glib::subclass::prelude::*;
use gtk::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Where the frame list comes from.
#[derive(Debug, Clone, Default)]
pub(super) enum Frames {
    /// Nothing loaded.
    #[default]
    None,
    /// Reading the facts, then scanning; the count of frames so far.
    Scanning(Arc<AtomicUsize>),
    /// The scan finished with this many frames.
    Scanned(usize),
    /// The media has no video.
    NoVideo,
    /// The input is not scanned (why); the player's decoded frames are shown.
    Decoded(String),
}

impl InspectorWindow {
    /// Moves the Frames tab on: the scan's count so far, or the frames the
    /// player has decoded, and the current frame.
    pub(super) fn refresh_frames(&self, player: Option<&Player>) {
        let ui = self.ui();
        let frames = self.imp().state.borrow().frames.clone();
        let decoded = matches!(frames, Frames::Decoded(_));
        match frames {
            Frames::Scanning(count) => {
                ui.frames.status.set_text(&tr(
                    "Scanning… {count} frames",
                    &[("count", &count.load(Ordering::Relaxed).to_string())],
                ));
            }
            Frames::Decoded(why) => {
                if let Some(player) = player {
                    let units = player.frame_index().units();
                    let mut state = self.imp().state.borrow_mut();
                    if units.len() != state.decoded_count {
                        state.decoded_count = units.len();
                        drop(state);
                        ui.frames.set_frames(frames::from_units(&units));
                    }
                    ui.frames.status.set_text(&format!(
                        "{} frames the player has decoded ({why})",
                        units.len()
                    ));
                }
            }
            _ => {}
        }
        let t = player.and_then(|p| {
            let frame_pts = p.frame_pts();
            let t = if p.state() == PlayerState::Playing || frame_pts < 0 {
                (p.uri().is_some()).then(|| p.position() as i64)
            } else {
                Some(frame_pts)
            };
            // The table lists stream times (the player's index) or the
            // container's (a scan); the player counts from the origin.
            let origin = if decoded {
                p.time_origin()
            } else {
                p.container_time_origin()
            };
            t.map(|t| t.saturating_add(origin))
        });
        ui.frames.set_current(t);
    }

    /// Starts over for new media (or none).
    pub(super) fn media_changed(&self, uri: Option<String>) {
        let ui = self.ui();
        let generation = {
            let mut state = self.imp().state.borrow_mut();
            if let Some(cancel) = state.cancel.take() {
                cancel.store(true, Ordering::Relaxed);
            }
            state.generation += 1;
            state.uri = uri.clone();
            state.report = None;
            state.frames = Frames::None;
            state.decoded_count = 0;
            state.generation
        };
        ui.frames.set_frames(Vec::new());
        for status in &ui.statuses {
            status.set_text("");
            status.remove_css_class("error");
        }
        let Some(uri) = uri else {
            ui.media.show_message(&gettext("No media."));
            ui.frames.status.set_text(&gettext("No media."));
            ui.gop.show_message(&gettext("No media."));
            ui.pipeline.show(None);
            ui.check.show_message(&gettext("No media."));
            return;
        };
        ui.check.show_message(&gettext(
            "Run Check reads the whole input and lists its faults.",
        ));
        ui.media.show_message(&gettext("Reading the media…"));
        ui.gop.show_message(&gettext("Waiting for the frame scan…"));
        let cancel = Arc::new(AtomicBool::new(false));
        let count = Arc::new(AtomicUsize::new(0));
        {
            let mut state = self.imp().state.borrow_mut();
            state.cancel = Some(cancel.clone());
            state.frames = Frames::Scanning(count.clone());
        }
        ui.frames.status.set_text(&gettext("Scanning… 0 frames"));
        let (report_tx, report_rx) = futures_channel::oneshot::channel();
        let (scan_tx, scan_rx) = futures_channel::oneshot::channel();
        std::thread::spawn(move || read_media(&uri, &cancel, &count, report_tx, scan_tx));
        let weak = self.downgrade();
        glib::MainContext::default().spawn_local(async move {
            let Ok(report) = report_rx.await else {
                return;
            };
            match weak.upgrade() {
                Some(window) if window.imp().state.borrow().generation == generation => {
                    window.show_report(report)
                }
                _ => return,
            }
            let Ok(scan) = scan_rx.await else {
                return;
            };
            if let Some(window) = weak.upgrade() {
                if window.imp().state.borrow().generation == generation {
                    window.show_scan(scan);
                }
            }
        });
    }

    fn show_report(&self, report: Result<MediaReport, String>) {
        let ui = self.ui();
        match report {
            Ok(report) => {
                ui.media.show_report(&report);
                self.imp().state.borrow_mut().report = Some(report);
            }
            Err(e) => ui.media.show_message(&e),
        }
    }

    fn show_scan(&self, scan: Scan) {
        let ui = self.ui();
        match scan {
            Scan::Frames(frames) => {
                let n = frames.len();
                match gop::analyse(&frames) {
                    Some(report) => ui.gop.show_report(report),
                    None => ui
                        .gop
                        .show_message(&gettext("The scan found no video frames.")),
                }
                ui.frames.set_frames(frames);
                ui.frames.status.set_text(&format!("{n} frames (scanned)"));
                self.imp().state.borrow_mut().frames = Frames::Scanned(n);
            }
            Scan::NoVideo => {
                ui.frames
                    .status
                    .set_text(&gettext("The media has no video stream."));
                ui.gop
                    .show_message(&gettext("The media has no video stream."));
                self.imp().state.borrow_mut().frames = Frames::NoVideo;
            }
            Scan::NotScanned(why) => {
                ui.gop.show_message(&tr(
                    "No GOP report: the input is not scanned ({why}).",
                    &[("why", &why)],
                ));
                ui.frames.status.set_text(&tr(
                    "Frames the player has decoded ({why})",
                    &[("why", &why)],
                ));
                self.imp().state.borrow_mut().frames = Frames::Decoded(why);
            }
        }
        self.refresh();
    }
}

/// The outcome of the frame scan.
#[derive(Debug)]
enum Scan {
    /// The first video stream's frames, decode order.
    Frames(Vec<FrameRecord>),
    /// There is no video stream.
    NoVideo,
    /// The input is not scanned; why.
    NotScanned(String),
}

/// The worker: reads the facts of `uri`, sends them, then scans its video
/// frames (counting them in `count`) unless it should not or `cancel` is set.
fn read_media(
    uri: &str,
    cancel: &AtomicBool,
    count: &AtomicUsize,
    report_tx: futures_channel::oneshot::Sender<Result<MediaReport, String>>,
    scan_tx: futures_channel::oneshot::Sender<Scan>,
) {
    let report = crate::inspect::inspect(uri).map_err(|e| e.message);
    let _ = report_tx.send(report.clone());
    let report = match report {
        Ok(r) => r,
        Err(_) => {
            let _ = scan_tx.send(Scan::NotScanned("the media facts could not be read".into()));
            return;
        }
    };
    let why_not = if report.live {
        Some("live input")
    } else if !uri.starts_with("file:") {
        Some("network input")
    } else if !report.seekable {
        Some("the input is not seekable")
    } else {
        None
    };
    if let Some(why) = why_not {
        let _ = scan_tx.send(Scan::NotScanned(why.into()));
        return;
    }
    if cancel.load(Ordering::Relaxed) {
        return;
    }
    let Some(video) = report.streams.iter().position(|s| s.kind == "video") else {
        let _ = scan_tx.send(Scan::NoVideo);
        return;
    };
    let mut frames = Vec::new();
    let result = crate::inspect::scan_frames(uri, &report.streams, ScanKinds::VIDEO, cancel, |f| {
        if f.stream == video {
            frames.push(f);
            count.fetch_add(1, Ordering::Relaxed);
        }
    });
    if cancel.load(Ordering::Relaxed) {
        return;
    }
    let _ = scan_tx.send(match result {
        Ok(()) => Scan::Frames(frames),
        Err(e) => Scan::NotScanned(format!(
            "the scan failed: {}",
            e.message.trim_end_matches('.')
        )),
    });
}
