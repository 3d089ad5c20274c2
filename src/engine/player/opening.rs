//! Opening an item: the hooks a new pipeline's streaming threads run
//! (`element-setup`, `source-setup`), where video and audio go and the
//! pipeline description that follows, and the open watchdogs (a stalled
//! local open retried, a network stream that never starts reported).
//!
//! Custom pipelines ([`open_pipeline`](super::Player::open_pipeline)) load
//! like any URI: their description is playbin's source
//! ([`crate::engine::launch`]), so the gate, the reaper and the hooks below
//! treat them as they treat files.
//!
//! Threading: the hooks run on streaming threads and touch only
//! [`Shared`](super::shared::Shared) and the elements handed to them; the
//! watchdogs are futures on the main context.

use super::imp;
use crate::engine::bitrate::is_decoder;
use crate::engine::error::{display_name, ErrorKind, PlayerError};
use crate::engine::frameindex::is_video_decoder;
use crate::engine::log;
use crate::engine::spec::{AudioOutput, PipelineSpec, Playbin, VideoOutput};
use crate::engine::types::VideoMode;
use glib::prelude::*;
use glib::subclass::prelude::*;
use gst::prelude::*;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How long a local file may take to preroll before the open is retried.
const OPEN_STALL_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a network stream may take to show its first frame.
const NETWORK_OPEN_TIMEOUT: Duration = Duration::from_secs(20);
/// How often a network open looks whether `tsdemux` left it untimed.
const UNTIMED_POLL: Duration = Duration::from_millis(250);
/// How many times a stalled local open is tried in all.
const OPEN_ATTEMPTS: u32 = 3;

/// Settings for the source element playbin made for the URI, with the
/// live latency asked for (ms) and the extra HTTPS authorities, if any.
fn set_up_source(source: &gst::Element, latency_ms: Option<u32>, tls_ca_file: Option<&str>) {
    let factory = source.factory().map(|f| f.name().to_string());
    let has = |name: &str| source.find_property(name).is_some();
    match factory.as_deref() {
        Some("souphttpsrc") => {
            // `ssl-ca-file` only works with libsoup 2; a TLS database
            // works with both.
            if let (Some(file), true) = (tls_ca_file, has("tls-database")) {
                match gio::TlsFileDatabase::new(file) {
                    Ok(database) => source.set_property("tls-database", &database),
                    Err(e) => {
                        log::warn!("the TLS authorities in {file} could not be read: {e}")
                    }
                }
            }
        }
        Some("srtsrc") => {
            // An SRT caller whose listener is not there waits forever by
            // default: fail instead, so the reason shows (and the watchdog,
            // when on, tries again on its schedule).
            if has("wait-for-connection") {
                source.set_property("wait-for-connection", false);
            }
            if let (Some(ms), true) = (latency_ms, has("latency")) {
                source.set_property("latency", i32::try_from(ms).unwrap_or(i32::MAX));
            }
        }
        Some("rtspsrc") => {
            if let (Some(ms), true) = (latency_ms, has("latency")) {
                source.set_property("latency", ms);
                // Low latency: late packets are dropped, not queued.
                if has("drop-on-latency") {
                    source.set_property("drop-on-latency", true);
                }
            }
        }
        _ => {}
    }
}

impl imp::Player {
    /// Hooks a new pipeline's streaming threads into the player, through
    /// [`Shared`](super::shared::Shared): every element playbin sets up
    /// (adaptive demuxers, decoders feeding the frame index and the
    /// bitrate meter, parsers) and the source it makes. Returns the
    /// pipeline's number: its hooks act only while it is current.
    pub(super) fn hook_streaming_threads(&self, pipeline: &gst::Pipeline) -> u64 {
        // A pipeline let go may still make decoders while it stops (the
        // reaper lets it settle first); they must not feed the next
        // media's index or stand in for its demuxer: `teardown` ends this
        // number.
        let number = self.shared.start_pipeline();
        self.shared.origin.reset(self.uri.borrow().as_deref());
        self.shared.seek_segment.clear();
        let shared = self.shared.clone();
        let index_attachment = shared.index.attachment();
        let meter_attachment = shared.bitrate_meter.attachment();
        pipeline.connect("element-setup", false, move |args| {
            if !shared.is_current(number) {
                return None;
            }
            if let Ok(element) = args[1].get::<gst::Element>() {
                if crate::engine::variants::is_adaptive_demuxer(&element) {
                    let bits = shared.pinned_bitrate.load(Ordering::Relaxed);
                    if bits > 0 {
                        crate::engine::variants::pin_bitrate(&element, bits);
                    }
                    // Low latency on a live DASH manifest: join (and stay)
                    // that far behind its live edge instead of 10 s.
                    let latency = shared.live_latency_ms.load(Ordering::Relaxed);
                    if latency >= 0 && element.find_property("presentation-delay").is_some() {
                        element.set_property("presentation-delay", format!("{latency}ms"));
                    }
                    *shared.adaptive_demuxer.lock().unwrap() = Some(element.clone());
                }
                // Every video decoder feeds the frame index; every decoder
                // feeds the bitrate meter.
                if is_video_decoder(&element) {
                    shared.index.attach_for(&element, index_attachment);
                }
                if is_decoder(&element) {
                    shared.bitrate_meter.attach_for(&element, meter_attachment);
                }
                // One libav thread where one keeps up (less CPU and memory).
                crate::engine::decodethreads::attach(&element, Default::default());
                crate::engine::parserlatency::attach(&element);
                shared.origin.watch_if_demuxer(&element);
                shared.seek_segment.attach_if_tsdemux(&element);
            }
            None
        });
        let shared = self.shared.clone();
        pipeline.connect("source-setup", false, move |args| {
            if let Ok(source) = args[1].get::<gst::Element>() {
                let latency = shared.live_latency_ms.load(Ordering::Relaxed);
                let ca = shared.tls_ca_file.lock().unwrap().clone();
                set_up_source(&source, u32::try_from(latency).ok(), ca.as_deref());
            }
            None
        });
        number
    }

    /// Watches the opening of `uri`: a local file is retried when its
    /// preroll stalls, a network stream given up on when it never starts.
    pub(super) fn watch_opening(&self, uri: &str) {
        if uri.starts_with("file:") {
            self.watch_open(uri.to_string());
        } else {
            self.watch_network_open(uri.to_string());
        }
    }

    /// A network stream that has not started after [`NETWORK_OPEN_TIMEOUT`]
    /// (no first frame, not live, not buffering: its server sent part of a
    /// playlist or header and then nothing) ends in a sentence, which the
    /// watchdog, when on, answers with a restart. An MPEG-TS that
    /// `tsdemux` leaves untimed (no segment, so nothing ever prerolls) ends
    /// as soon as that is known, with its reason.
    fn watch_network_open(&self, uri: String) {
        let weak = self.obj().downgrade();
        let origin = self.shared.origin.clone();
        let handle = glib::MainContext::ref_thread_default().spawn_local(async move {
            let mut waited = Duration::ZERO;
            while waited < NETWORK_OPEN_TIMEOUT && !origin.is_untimed() {
                glib::timeout_future(UNTIMED_POLL).await;
                waited = waited.saturating_add(UNTIMED_POLL);
            }
            let Some(player) = weak.upgrade() else { return };
            let imp = player.imp();
            if imp.prerolled.get() || imp.pipeline.borrow().is_none() || imp.buffering.get() {
                return;
            }
            imp.loading.open_watchdog.take();
            let name = display_name(&uri);
            let why = if crate::engine::is_rtmp(&uri) {
                crate::engine::RTMP_NOTHING_SENT.to_string()
            } else {
                crate::i18n::gettext(
                    "its server stopped sending (or sends too slowly); check the server and the network.",
                )
            };
            let message = if imp.shared.origin.is_untimed() {
                // tsdemux left every frame untimed: nothing prerolls.
                crate::engine::origin::untimed_ts_message(&name)
            } else if crate::engine::launch::is_launch_uri(&uri) {
                crate::i18n::tr(
                    "The pipeline “{name}” did not start within {seconds} s: none of its outputs gave a first frame or sound; check its source elements.",
                    &[("name", &name), ("seconds", &NETWORK_OPEN_TIMEOUT.as_secs().to_string())],
                )
            } else {
                crate::i18n::tr(
                    "“{name}” did not start within {seconds} s: {why}",
                    &[("name", &name), ("seconds", &NETWORK_OPEN_TIMEOUT.as_secs().to_string()), ("why", &why)],
                )
            };
            imp.fail(PlayerError::new(
                ErrorKind::Network,
                message,
                format!("no preroll after {NETWORK_OPEN_TIMEOUT:?}"),
            ));
        });
        if let Some(old) = self.loading.open_watchdog.replace(Some(handle)) {
            old.abort();
        }
    }

    /// A local file prerolls in well under a second. GStreamer 1.22's
    /// playbin3 occasionally stalls opening some files (measured: about one
    /// open in five of the corpus's mse.mp4, with gst-launch-1.0 too), so a
    /// stalled open is retried from scratch and reported if it keeps stalling.
    fn watch_open(&self, uri: String) {
        let weak = self.obj().downgrade();
        let handle = glib::MainContext::ref_thread_default().spawn_local(async move {
            glib::timeout_future(OPEN_STALL_TIMEOUT).await;
            let Some(player) = weak.upgrade() else { return };
            let imp = player.imp();
            if imp.prerolled.get() || imp.pipeline.borrow().is_none() || imp.buffering.get() {
                return;
            }
            imp.loading.open_watchdog.take();
            if imp.loading.open_attempts.get() >= OPEN_ATTEMPTS {
                let name = display_name(&uri);
                imp.fail(PlayerError::new(
                    ErrorKind::Other,
                    crate::i18n::tr("“{name}” did not finish opening after {tries} tries; it may be damaged or need a plugin that is not installed.", &[("name", &name), ("tries", &OPEN_ATTEMPTS.to_string())]),
                    format!("preroll stalled for {OPEN_STALL_TIMEOUT:?} on each try"),
                ));
                return;
            }
            log::warn!("opening {} stalled; retrying", display_name(&uri));
            // Keep what was asked for while it stalled (play, a start seek).
            let want_playing = imp.want_playing.get();
            let waiting = imp.seek.queue.borrow_mut().finish();
            imp.teardown();
            imp.want_playing.set(want_playing);
            imp.load(&uri);
            if let Some(request) = waiting {
                imp.seek.queue.borrow_mut().offer(request);
            }
        });
        if let Some(old) = self.loading.open_watchdog.replace(Some(handle)) {
            old.abort();
        }
    }

    /// Where video and audio go: the host's sinks when it chose them,
    /// otherwise the video mode's chain and the audio device (or a fake
    /// sink when there is none).
    pub(super) fn outputs(&self) -> (VideoOutput, AudioOutput) {
        let audio = if !self.audio_enabled.get() {
            AudioOutput::Disabled
        } else if let Some(sink) = self.host_audio_sink.borrow().clone() {
            AudioOutput::Custom(sink)
        } else if crate::engine::audio::device_available() {
            AudioOutput::Device
        } else {
            AudioOutput::Fake
        };
        let video = match (self.video_mode.get(), self.host_video_sink.borrow().clone()) {
            (VideoMode::Disabled, _) => VideoOutput::Disabled,
            (_, Some(sink)) => VideoOutput::Custom(sink),
            (mode, None) => mode.output(),
        };
        (video, audio)
    }
}

impl super::Player {
    /// The pipeline description that loading `uri` would build now.
    pub fn describe_pipeline(&self, uri: &str) -> String {
        let (video, audio) = self.imp().outputs();
        let described = PipelineSpec {
            playbin: Playbin::for_uri(uri),
            uri: uri.to_string(),
            video,
            audio,
            subtitle_uri: None,
            launch: None,
        }
        .to_launch();
        // Secrets are never printed.
        crate::engine::redact::redact_text(&described)
    }

    /// The whole pipeline that [`open_pipeline`](Self::open_pipeline)
    /// would build now for `description`: playbin with the description as
    /// its source and the player's video and audio chains as its sinks.
    pub fn describe_custom_pipeline(&self, description: &str) -> String {
        let (video, audio) = self.imp().outputs();
        let uri = format!("{}://", crate::engine::launch::SCHEME);
        let described = PipelineSpec {
            playbin: Playbin::for_uri(&uri),
            uri,
            video,
            audio,
            subtitle_uri: None,
            launch: Some(description.to_string()),
        }
        .to_launch();
        crate::engine::redact::redact_text(&described)
    }

    /// Plays a custom pipeline: `description` is a GStreamer launch
    /// description (as for `gst-launch-1.0`) whose free video and audio
    /// source pads, static or sometimes pads, are joined to the player's
    /// own chains, decoded first where they carry encoded media, e.g.
    /// `videotestsrc pattern=ball ! video/x-raw,width=640,height=360`,
    /// `videotestsrc ! x264enc ! h264parse` or
    /// `rtspsrc location=rtsp://… ! rtph264depay ! h264parse`. Like
    /// [`open`](Self::open) it loads paused until [`play`](Self::play);
    /// `uri` becomes a `framescope-launch://` URI that only this process
    /// can open, and `title` the description.
    ///
    /// This is the one way to run arbitrary elements in the player: they
    /// run in this process with its rights (a `filesink` writes files, a
    /// network sink sends data), so pass only descriptions the person
    /// using the program wrote. A description that does not parse, names an
    /// unknown element or property, links elements that do not fit, or
    /// leaves no free source pad gets state `error` and an `error` signal
    /// (kind [`ErrorKind::BadPipeline`](crate::engine::ErrorKind::BadPipeline))
    /// with one sentence saying what is wrong and where;
    /// [`check_pipeline`](crate::engine::check_pipeline) checks one first.
    pub fn open_pipeline(&self, description: &str) {
        match crate::engine::launch::pipeline_uri(description) {
            Ok(uri) => self.set_uri(Some(uri)),
            Err(error) => {
                self.set_uri(None::<String>);
                self.imp().fail_later(error);
            }
        }
    }
}
