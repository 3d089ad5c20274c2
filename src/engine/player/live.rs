//! Live streams on the player: the window of a live HLS or DASH stream one
//! can seek in (a DVR window), and going to its live edge — the newest part
//! of a live playlist, or, for sources that cannot seek (RTSP, SRT, UDP,
//! RTMP, HTTP-FLV), opening the source again so that what queued up while
//! paused is dropped.

use super::imp;
use glib::prelude::*;
use glib::subclass::prelude::*;
use gst::prelude::*;
use std::cell::Cell;

/// The live facet's state (main thread only; the latency asked of live
/// sources and the HTTPS authorities are in [`super::shared::Shared`],
/// which source set-up reads on streaming threads).
#[derive(Default)]
pub struct LiveState {
    /// The source is live (it never prerolled).
    pub is_live: Cell<bool>,
    /// When a source last said it was reconnecting.
    pub reconnect_warned: Cell<Option<std::time::Instant>>,
}

impl imp::Player {
    /// `live-latency-ms`, kept where source set-up reads it.
    pub(super) fn live_latency_ms(&self) -> i32 {
        self.shared
            .live_latency_ms
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(super) fn set_live_latency_ms(&self, ms: i32) {
        let ms = ms.max(-1);
        let old = self
            .shared
            .live_latency_ms
            .swap(ms, std::sync::atomic::Ordering::Relaxed);
        if old != ms {
            self.obj().notify_live_latency_ms();
        }
    }

    /// `tls-ca-file`, kept where source set-up reads it.
    pub(super) fn tls_ca_file(&self) -> Option<String> {
        self.shared.tls_ca_file.lock().unwrap().clone()
    }

    pub(super) fn set_tls_ca_file(&self, file: Option<String>) {
        if let Some(path) = &file {
            if let Err(e) = gio::TlsFileDatabase::new(path) {
                self.warn(format!(
                    "The certificate authorities in “{path}” could not be read ({e}); HTTPS servers are checked against the system's; give a PEM file."
                ));
            }
        }
        let changed = *self.shared.tls_ca_file.lock().unwrap() != file;
        if changed {
            *self.shared.tls_ca_file.lock().unwrap() = file;
            self.obj().notify_tls_ca_file();
        }
    }

    /// The pipeline's latency when it is live.
    pub fn live_latency(&self) -> Option<gst::ClockTime> {
        if !self.live.is_live.get() {
            return None;
        }
        self.ask(|pipeline| {
            let mut query = gst::query::Latency::new();
            pipeline.query(&mut query).then(|| query.result())
        })
        .flatten()
        .and_then(|(live, min, _max)| live.then_some(min))
    }
}

impl super::Player {
    /// Whether the media loaded is a live source (a camera, a UDP or SRT
    /// feed): it cannot be paused in place or seeked, and `latency` applies.
    pub fn is_live(&self) -> bool {
        self.imp().live.is_live.get()
    }

    /// The range of times one can seek to now, when the media says (for a
    /// live HLS stream, its playlist's window; for a file, 0 to its end).
    pub fn seekable_range(&self) -> Option<(gst::ClockTime, gst::ClockTime)> {
        let (seekable, start, end) = self.imp().ask(|pipeline| {
            let mut query = gst::query::Seeking::new(gst::Format::Time);
            pipeline.query(&mut query).then(|| query.result())
        })??;
        let as_time = |v: gst::GenericFormattedValue| match v {
            gst::GenericFormattedValue::Time(t) => t,
            _ => None,
        };
        match (seekable, as_time(start), as_time(end)) {
            (true, Some(start), Some(end)) if end > start => Some((start, end)),
            _ => None,
        }
    }

    /// Whether the media has no end yet (a live playlist, a live source).
    pub fn is_live_stream(&self) -> bool {
        self.is_live() || (self.imp().pipeline.borrow().is_some() && self.duration() == 0)
    }

    /// Goes to the newest part of a live stream: the end of a live
    /// playlist's window, or a live source or dynamic DASH manifest opened
    /// again (what queued up while it was paused is dropped; DASH joins its
    /// presentation delay behind the edge, `live-latency-ms` when set).
    /// Returns false, with a `warning` sentence, for media that is not live.
    pub fn go_to_live_edge(&self) -> bool {
        if !self.is_live_stream() {
            self.imp()
                .warn("This is not a live stream: it has no live edge.".into());
            return false;
        }
        // dashdemux2 (1.22) answers a seeking window reaching past its own
        // live seek range, and a seek to its end stalls it: open again.
        let dash = self
            .imp()
            .shared
            .adaptive_demuxer
            .lock()
            .unwrap()
            .as_ref()
            .is_some_and(|d| d.find_property("presentation-delay").is_some());
        if let (Some((_, end)), false) = (self.seekable_range(), dash) {
            self.seek_with_mode(end, crate::engine::seek::SeekMode::SnapBefore);
            return true;
        }
        let Some(uri) = self.uri() else { return false };
        let imp = self.imp();
        imp.want_playing.set(true);
        imp.reload_from_its_start(&uri);
        true
    }
}
