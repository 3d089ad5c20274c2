//! Bus events into player state: errors and warnings, end of stream, state
//! changes, prerolls (where seeks and steps continue), buffering, tags,
//! stream selection and segment ends (where loops go round).

use super::imp;
use crate::engine::bus::BusEvent;
use crate::engine::error::{classify, ErrorKind, PlayerError};
use crate::engine::frame::true_pts;
use crate::engine::log;
use crate::engine::seek::{Request, SeekMode};
use crate::engine::types::{PlayerState, VideoMode, VideoSize};
use glib::subclass::prelude::*;
use gst::prelude::*;

impl imp::Player {
    pub(super) fn handle(&self, event: BusEvent) {
        match event {
            BusEvent::Error {
                error,
                debug,
                source,
            } => {
                let uri = self.uri.borrow().clone().unwrap_or_default();
                let missing = self.missing.borrow().clone();
                if self.is_missing_subtitle_only(&missing, &source) {
                    self.warn(format!("Subtitles cannot be shown: the {} is not installed; audio and video keep playing.", missing.join(", ")));
                    return;
                }
                if let Some(e) = self.audio_off_with_nothing_else(&debug, &missing) {
                    return self.fail(e);
                }
                self.fail(classify(
                    &error,
                    &format!("{source}: {debug}"),
                    &uri,
                    &missing,
                ));
            }
            BusEvent::Warning(text) => self.on_source_warning(text),
            BusEvent::MissingPlugin(desc) => {
                let subtitle = is_subtitle_description(&desc);
                self.missing.borrow_mut().push(desc.clone());
                if subtitle {
                    self.warn(format!("Subtitles cannot be shown: the {desc} is not installed; audio and video keep playing."));
                } else {
                    self.warn(format!("The {desc} is not installed, so that stream cannot be played; install the GStreamer plugin that provides it."));
                }
            }
            BusEvent::Eos => self.on_eos(),
            BusEvent::StreamStart => self.on_stream_start(),
            BusEvent::StateChanged { new, .. } => self.on_pipeline_state(new),
            BusEvent::AsyncDone(seqnum) => {
                // Made before the last seek or step was sent: a preroll
                // that flush has undone (the seek's own comes later).
                if self.shared.is_stale_preroll(seqnum) {
                    log::debug!("an async-done from before the last seek or step: ignored");
                } else if self.has_video.get() && !self.shared.seek_reached_video_sink() {
                    log::debug!("an async-done before the seek reached the video sink: put off");
                    self.recheck_async_done();
                } else {
                    self.on_async_done();
                }
            }
            BusEvent::Qos {
                source,
                is_sink,
                dropped,
            } => {
                if !is_sink {
                    let mut counts = self.stats.qos_dropped.borrow_mut();
                    let last = counts.insert(source, dropped).unwrap_or(0);
                    // A new segment restarts an element's count: keep the old.
                    if dropped < last {
                        self.stats
                            .qos_folded
                            .set(self.stats.qos_folded.get() + last);
                    }
                }
            }
            BusEvent::Buffering(percent) => {
                self.stats.last_buffering.set(Some(percent));

                // The level shows at once (the statistics carry it too).
                let level = percent.clamp(0, 100);
                if self.buffering_percent.replace(level) != level {
                    self.obj().notify_buffering_percent();
                }
                // A live adaptive stream cannot fill its buffer past the live
                // edge, so waiting for a full one would wait for ever: like
                // any live pipeline it plays on, the level only shown.
                let buffering = percent < 100 && !self.is_live_adaptive();
                if self.buffering.replace(buffering) != buffering {
                    if buffering {
                        self.set_state(PlayerState::Buffering);
                    }
                    self.apply_target();
                    // Paused, the pipeline's state does not change when the
                    // buffer fills: nothing else would end "buffering".
                    if !buffering {
                        self.update_public_state();
                    }
                }
            }
            BusEvent::DurationChanged => self.query_duration(),
            BusEvent::Chapters(chapters) => self.set_chapters(chapters),
            BusEvent::Tags(tags) => {
                if let Some(title) = tags.get::<gst::tags::Title>() {
                    let title = title.get().trim().to_string();
                    if !title.is_empty() {
                        self.set_title(Some(title));
                    }
                }
            }
            BusEvent::StreamCollection {
                encrypted: Some(media_type),
                ..
            } => {
                let name = self.media_name();
                self.fail(PlayerError::new(
                    ErrorKind::Encrypted,
                    crate::i18n::tr("“{name}” is encrypted ({media_type} under DRM) and Framescope has no decryption support; play an unencrypted copy.", &[("name", &name), ("media_type", &media_type)]),
                    format!("stream caps carry encryption: original media type {media_type}"),
                ));
            }
            BusEvent::StreamCollection {
                encrypted: None,
                collection,
            } => {
                self.tracks.collection.replace(Some(collection));
                self.refresh_tracks();
            }
            BusEvent::StreamsSelected { video, audio, ids } => {
                self.set_selected_streams(ids);
                let audio = audio && self.audio_enabled.get();
                let video = video && self.video_mode.get() != VideoMode::Disabled;
                if self.has_video.replace(video) != video {
                    self.obj().notify_has_video();
                }
                if self.has_audio.replace(audio) != audio {
                    self.obj().notify_has_audio();
                }
            }
            BusEvent::ClockLost => {
                self.tell(|p| {
                    let _ = p.set_state(gst::State::Paused);
                    let _ = p.set_state(gst::State::Playing);
                });
            }
            BusEvent::UnflushedSeekPutOff(what, seqnum) => {
                self.on_unflushed_seek_put_off(what, seqnum)
            }
            BusEvent::NoPreroll => self.on_live_start(),
            BusEvent::SeekRefused(seqnum) => self.on_seek_refused_late(seqnum),
            BusEvent::SegmentDone(seqnum) => {
                // A loop runs rounds ahead; a flush makes the queued ends stale.
                if Some(seqnum) == self.loops.segment_seqnum.get() {
                    self.on_segment_done();
                }
            }
        }
    }

    /// True when every missing plugin is a subtitle decoder and the error
    /// comes from the subtitle branch: playback can go on without it.
    fn is_missing_subtitle_only(&self, missing: &[String], source: &str) -> bool {
        !missing.is_empty()
            && missing.iter().all(|m| is_subtitle_description(m))
            && (self.has_video.get()
                || self.has_audio.get()
                || source.contains("text")
                || source.contains("decodebin"))
    }

    /// With audio turned off, media with only audio ends in a "not-linked"
    /// streaming error (no pad of the demuxer is wanted): not damage, but
    /// nothing to show, which is what the sentence says.
    fn audio_off_with_nothing_else(&self, debug: &str, missing: &[String]) -> Option<PlayerError> {
        let audio_only = !self.audio_enabled.get()
            && missing.is_empty()
            && !self.has_video.get()
            && debug.contains("not-linked");
        audio_only.then(|| {
            PlayerError::new(
                ErrorKind::NotMedia,
                crate::i18n::tr(
                    "“{name}” has only audio, and audio is turned off (--no-audio): there is nothing to show; play it with audio on.",
                    &[("name", &self.media_name())],
                ),
                format!("audio disabled and no video stream: {debug}"),
            )
        })
    }

    fn on_eos(&self) {
        if !self.prerolled.get() {
            self.update_stream_presence();
        }
        let position = self.ask(|p| p.query_position::<gst::ClockTime>()).flatten();
        let nothing_played = self.duration_query().is_none_or(|d| d.is_zero())
            && position.is_none_or(|p| p.is_zero())
            && self.position.get() == 0;
        if (!self.has_video.get() && !self.has_audio.get()) || nothing_played {
            let name = self.media_name();
            self.fail(PlayerError::new(
                ErrorKind::NotMedia,
                crate::i18n::tr("“{name}” contains no audio or video that could be decoded; it may be damaged or empty.", &[("name", &name)]),
                "end of stream before any stream was found",
            ));
            return;
        }
        if matches!(self.seek.queue.borrow().in_flight(), Some(Request::Step(_))) {
            // A step ran past the last frame: put that frame back.
            if let Some(from) = self.step.from.take() {
                return self.stepped_past_the_end(from);
            }
        }
        if self.seek.settling.get().is_some() {
            // A seek or correcting step ran into the end; settling recovers.
            return;
        }
        if self.live.is_live.get() && self.recover("The live stream ended.") {
            return;
        }
        if self.ended_early() && self.recover("The stream ended before its duration.") {
            return;
        }
        self.step.at_eos.set(true);
        self.close_played_segment(true);
        if self.r#loop.get() {
            // The segment was not a looping one (the loop was switched on
            // while playing): restart with a flush, seamless from then on.
            self.seek.queue.borrow_mut().clear();
            self.request(Request::Seek {
                target: gst::ClockTime::ZERO,
                mode: SeekMode::Accurate,
            });
            return;
        }
        self.obj()
            .emit_by_name::<()>("item-ended", &[&self.current_index.get()]);
        if self.on_item_end() {
            return;
        }
        self.want_playing.set(false);
        self.apply_target();
        self.refresh_frame();
        if !self.has_video.get() {
            if let Some(d) = self.duration_query() {
                self.set_u64(&self.position, d.nseconds(), "position");
            }
        }
        self.set_state(PlayerState::Paused);
        self.obj().emit_by_name::<()>("eos", &[]);
    }

    /// A network stream whose known duration was not reached by more than
    /// a second (the connection dropped): the watchdog may restart it.
    fn ended_early(&self) -> bool {
        let network = self
            .uri
            .borrow()
            .as_deref()
            .is_some_and(|u| !u.starts_with("file:"));
        let position = self.ask(|p| p.query_position::<gst::ClockTime>()).flatten();
        match (self.duration_query(), position) {
            (Some(d), Some(p)) if network && !d.is_zero() => {
                p.saturating_add(gst::ClockTime::from_seconds(1)) < d
            }
            _ => false,
        }
    }

    fn on_pipeline_state(&self, new: gst::State) {
        if new == gst::State::Playing {
            self.start_ticker();
            self.send_due_loop_round();
        } else if new == gst::State::Paused {
            // Paused media still gets its track tags and statistics.
            self.start_ticker();
        }
        self.update_public_state();
        // Pausing may complete without a new preroll (no async-done): read
        // the frame that stayed on screen.
        if new == gst::State::Paused && self.prerolled.get() {
            self.refresh_frame();
            self.query_position();
        }
    }

    /// A preroll finished: after loading, after a flushing seek or a step,
    /// or after pausing from playing. Seeks and steps in flight continue here.
    fn on_async_done(&self) {
        let first = !self.prerolled.replace(true);
        if first {
            self.publish_held_paintable();
            self.update_stream_presence();
            self.query_duration();
            self.update_video_size();
            let answer = self.ask(|p| {
                let mut q = gst::query::Seeking::new(gst::Format::Time);
                p.query(&mut q) && q.result().0
            });
            if answer.is_none() {
                self.late.set(super::calls::Late {
                    seekable: true,
                    ..self.late.get()
                });
            }
            let seekable = answer.unwrap_or(false);
            // Notified with no borrow held: a handler may stop or reopen.
            if self.seekable.replace(seekable) != seekable {
                self.obj().notify_seekable();
            }
        }
        if first {
            let first_pts = self.sink_sample().map(|s| true_pts(&s, &self.shared.index));
            self.first_frame.set(first_pts);
        }
        if self.seek.settling.get().is_some() {
            // A seek landed: whatever a backward step showed from the cache goes.
            self.backstep.hide();
        }
        self.refresh_frame();
        if first {
            self.on_first_preroll();
        } else if self.seek.settling.get().is_some() {
            self.continue_settle();
        } else if matches!(self.seek.queue.borrow().in_flight(), Some(Request::Step(_))) {
            self.continue_step();
        }
        self.update_played(|p| p.open());
        self.query_position();
        self.update_public_state();
    }

    /// An `ASYNC_DONE` put off because the seek had not reached the video
    /// sink counts after all if, a second later, the same request is still
    /// waiting at the same correction (no other came: a video branch the
    /// flush never reaches, or a sink that prerolled on nothing it saw).
    fn recheck_async_done(&self) {
        const LATER: std::time::Duration = std::time::Duration::from_secs(1);
        let request = self.seek.started.get();
        let attempts = self.seek.settling.get().map(|s| s.attempts);
        let weak = self.obj().downgrade();
        glib::MainContext::ref_thread_default().spawn_local(async move {
            glib::timeout_future(LATER).await;
            let Some(player) = weak.upgrade() else { return };
            let imp = player.imp();
            let same = imp.seek.started.get() == request
                && imp.seek.settling.get().map(|s| s.attempts) == attempts
                && !imp.seek.queue.borrow().is_idle();
            if same {
                log::debug!("the put-off async-done counts: no other came");
                imp.on_async_done();
            }
        });
    }

    /// For `playbin` (which posts no stream messages): whether video and
    /// audio streams exist, from its `n-video` and `n-audio` counts.
    pub(super) fn update_stream_presence(&self) {
        // playbin's counts are read under its lock: through the gate.
        let counts = self.ask(|p| {
            p.find_property("n-video")
                .map(|_| (p.property::<i32>("n-video"), p.property::<i32>("n-audio")))
        });
        let late = counts.is_none() && self.pipeline.borrow().is_some();
        self.late.set(super::calls::Late {
            presence: late,
            ..self.late.get()
        });
        let Some(Some((n_video, n_audio))) = counts else {
            return;
        };
        let video = n_video > 0 && self.video_mode.get() != VideoMode::Disabled;
        let audio = n_audio > 0 && self.audio_enabled.get();
        self.refresh_tracks();
        self.handle(BusEvent::StreamsSelected {
            video,
            audio,
            ids: Vec::new(),
        });
    }

    /// From the ticker: the decoded picture size changes mid-stream when an
    /// adaptive stream switches variant (or a stream changes resolution);
    /// the size is looked at again while playing and updated when it did.
    pub(super) fn follow_video_size(&self) {
        if !self.prerolled.get() {
            return;
        }
        let known = *self.video_size.borrow();
        // A live source never prerolls: its size comes with its first
        // frame, after the opening is done.
        if (known.is_some() || self.live.is_live.get()) && self.decoded_video_size() != known {
            self.update_video_size();
        }
    }

    /// The size of the pictures entering the video chain, as negotiated.
    fn decoded_video_size(&self) -> Option<VideoSize> {
        let chain_input = self
            .video_sink
            .borrow()
            .as_ref()
            .and_then(|s| s.parent())
            .and_then(|bin| bin.downcast::<gst::Element>().ok())
            .and_then(|bin| bin.static_pad("sink"));
        let caps = chain_input
            .map(|pad| before_scaling(&pad))
            .and_then(|pad| pad.current_caps())?;
        // Negotiated caps are kept as one object until they change: the
        // same object gives the same size (its reference held here, so
        // the address cannot be reused).
        if let Some((seen, size)) = self.decoded_caps.borrow().as_ref() {
            if seen.as_ptr() == caps.as_ptr() {
                return *size;
            }
        }
        let size = gst_video::VideoInfo::from_caps(&caps)
            .ok()
            .map(|info| VideoSize {
                width: info.width(),
                height: info.height(),
                par_n: info.par().numer() as u32,
                par_d: info.par().denom() as u32,
            });
        self.decoded_caps.replace(Some((caps, size)));
        size
    }

    fn update_video_size(&self) {
        let size = self.decoded_video_size();
        if self.video_size.replace(size) != size {
            self.obj().notify_video_size();
        }
        if size.is_some() && !self.has_video.replace(true) {
            self.obj().notify_has_video();
        }
        self.apply_render_size();
    }
}

/// The pad where the decoded size can still be read, from the video
/// chain's input: up through playsink's own converter (`vconv`, a
/// `videoconvert ! videoscale` in front of the chain) and the software
/// chain's `framescopescale`, either of which may do the scaling. Only pad
/// caps and links are read (object locks), so the main thread may call it.
fn before_scaling(chain_input: &gst::Pad) -> gst::Pad {
    const CONVERTERS: [&str; 5] = [
        "FramescopeScale",
        "GstPlaySinkVideoConvert",
        "GstVideoScale",
        "GstVideoConvert",
        "GstVideoConvertScale",
    ];
    let mut pad = chain_input.clone();
    // A few elements at most; bounded so that a loop of links cannot hold us.
    for _ in 0..8 {
        let Some(element) = pad.peer().and_then(|peer| peer.parent_element()) else {
            break;
        };
        if !CONVERTERS.contains(&element.type_().name()) {
            break;
        }
        match element.static_pad("sink") {
            Some(sink) => pad = sink,
            None => break,
        }
    }
    pad
}

fn is_subtitle_description(desc: &str) -> bool {
    let d = desc.to_lowercase();
    [
        "subtitle",
        "webvtt",
        "text",
        "vtt",
        "ssa",
        "srt",
        "timed text",
    ]
    .iter()
    .any(|s| d.contains(s))
}

impl imp::Player {
    /// A warning from the pipeline. A source that says it is reconnecting
    /// (SRT does by itself, every few seconds) becomes one sentence naming
    /// the address, said again at most every 10 s.
    fn on_source_warning(&self, text: String) {
        if !text.contains("Trying to reconnect") {
            self.warn(text);
            return;
        }
        let now = std::time::Instant::now();
        let recent = self
            .live
            .reconnect_warned
            .get()
            .is_some_and(|at| now.duration_since(at) < std::time::Duration::from_secs(10));
        if recent {
            return;
        }
        self.live.reconnect_warned.set(Some(now));
        let name = self
            .uri
            .borrow()
            .as_deref()
            .map(crate::engine::error::display_name)
            .unwrap_or_default();
        let cause = text
            .split(':')
            .nth(1)
            .map(|c| c.split('.').next().unwrap_or(c).trim().to_lowercase())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "no answer".into());
        self.warn(format!(
            "“{name}” does not answer ({cause}); Framescope keeps trying to connect."
        ));
    }
}
