//! Every packet of every stream of an input — video access units (intra-only
//! and raw video included), audio frames, subtitle and data packets — in
//! decode order, as the parsers hand them on (after the parser, before any
//! decoder; streams without a parser as the demuxer gives them): timestamps
//! as the container holds them (ffprobe's `pts_time`/`dts_time`, see
//! [`super::container_time`]), duration, size, keyframe flag and picture
//! type. Which
//! stream a pad carries is [`super::streams`]' business. Runs a
//! `urisourcebin ! parsebin` pipeline as fast as the input can be read and
//! passes each frame to a callback through a bounded channel, so a long file
//! is streamed with constant memory. Used by `inspect --frames/--gop`, the
//! inspector window and the seek bar's keyframe ticks.
//!
//! A scan never waits for good: an error `parsebin` swallowed (see
//! [`super::swallowed`]) ends it with that error, and an input that yields
//! nothing (no frame, no end, no error) for [`stall_limit`] ends it with a
//! sentence saying so.

use crate::engine::{classify, ErrorKind, PlayerError};
use crate::inspect::container_time::ContainerClock;
use crate::inspect::demuxed::DemuxedPackets;
use crate::inspect::media::StreamReport;
use crate::inspect::media::SWALLOWED_AFTER;
use crate::inspect::picture::{PictureParser, PictureType};
use crate::inspect::streams::{has_in_band_headers, kind_of, StreamAssigner};
use crate::inspect::swallowed::Watch;
use gst::prelude::*;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One access unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRecord {
    /// Index of its stream in the media report's `streams`.
    pub stream: usize,
    /// Presentation time as the container holds it (ffprobe's
    /// `pts_time`), ns; negative before zero.
    pub pts: Option<i64>,
    /// Decoding time as the container holds it, ns.
    pub dts: Option<i64>,
    /// Duration in ns.
    pub duration: Option<u64>,
    /// Size in bytes.
    pub size: usize,
    /// Decoding can start here.
    pub keyframe: bool,
    /// I, P or B where the bitstream tells.
    pub picture_type: Option<PictureType>,
}

fn seconds(ns: i64) -> f64 {
    ns as f64 / 1e9
}

impl Serialize for FrameRecord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("FrameRecord", 7)?;
        st.serialize_field("stream", &self.stream)?;
        st.serialize_field("pts", &self.pts.map(seconds))?;
        st.serialize_field("dts", &self.dts.map(seconds))?;
        st.serialize_field("duration", &self.duration.map(|d| seconds(d as i64)))?;
        st.serialize_field("size", &self.size)?;
        st.serialize_field("keyframe", &self.keyframe)?;
        st.serialize_field("picture_type", &self.picture_type)?;
        st.end()
    }
}

/// Which streams to scan, by the media report's kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanKinds {
    /// Video access units (intra-only and raw video included).
    pub video: bool,
    /// Audio frames.
    pub audio: bool,
    /// Subtitle packets.
    pub subtitle: bool,
    /// Packets of other streams: data such as KLV or ID3 timed metadata.
    pub other: bool,
}

impl ScanKinds {
    /// Every stream.
    pub const ALL: Self = Self {
        video: true,
        audio: true,
        subtitle: true,
        other: true,
    };
    /// Video only (the inspector window and keyframe ticks).
    pub const VIDEO: Self = Self {
        video: true,
        audio: false,
        subtitle: false,
        other: false,
    };

    /// Whether streams of `kind` (`video`, `audio`, `subtitle`, `other`)
    /// are scanned.
    pub fn wants(self, kind: &str) -> bool {
        match kind {
            "video" => self.video,
            "audio" => self.audio,
            "subtitle" => self.subtitle,
            _ => self.other,
        }
    }
}

/// Frames in flight between the streaming threads and the caller at most.
const CHANNEL_FRAMES: usize = 4096;

/// How long a scan of `uri` may go without a frame, an end or an error
/// before it is reported as stalled: 5 s for a local file (which is read
/// as fast as the disk allows), 15 s for a network input.
pub fn stall_limit(uri: &str) -> Duration {
    if crate::inspect::media::is_local(uri) {
        Duration::from_secs(5)
    } else {
        Duration::from_secs(15)
    }
}

enum Msg {
    Frame(FrameRecord),
    Done(Result<(), PlayerError>),
}

/// Scans `uri` (already checked by `uri::precheck` in the engine),
/// calling `on_frame` for each packet of the streams `kinds` asks for, on
/// the calling thread, until the
/// end of the input, an error, or `cancel` becomes true (then `Ok`).
/// `streams` (from [`crate::inspect::inspect`]) gives the stream indices;
/// streams are matched by stream-id, else by type and order.
pub fn scan_frames(
    uri: &str,
    streams: &[StreamReport],
    kinds: ScanKinds,
    cancel: &AtomicBool,
    mut on_frame: impl FnMut(FrameRecord),
) -> Result<(), PlayerError> {
    let other = |what: &str, e: &dyn std::fmt::Display| {
        PlayerError::new(
            ErrorKind::Other,
            format!("The frame scanner could not be built: {what} ({e})."),
            "",
        )
    };
    let pipeline = gst::Pipeline::new();
    let source = gst::ElementFactory::make("urisourcebin")
        .property("uri", uri)
        .build()
        .map_err(|e| other("urisourcebin is missing", &e))?;
    let parse = gst::ElementFactory::make("parsebin")
        .build()
        .map_err(|e| other("parsebin is missing", &e))?;
    pipeline
        .add_many([&source, &parse])
        .map_err(|e| other("adding elements", &e))?;
    let parse_sink = parse.static_pad("sink").expect("parsebin has a sink pad");
    source.connect_pad_added(move |_, pad| {
        if !parse_sink.is_linked() {
            let _ = pad.link(&parse_sink);
        }
    });

    // Parsers may replace container durations with ones from the nominal
    // frame rate (h264parse does), and subtitle parsers rewrite the text:
    // keep the demuxer's durations and subtitle sizes, by stream and PTS.
    let demuxed = DemuxedPackets::default();
    let recorder = demuxed.clone();
    let clock = ContainerClock::for_uri(uri);
    let clock_source = clock.clone();
    source.connect("deep-element-added", false, move |args| {
        let element = args.get(2)?.get::<gst::Element>().ok()?;
        clock_source.watch_source_element(&element);
        None
    });
    let clock_setup = clock.clone();
    parse.connect("deep-element-added", false, move |args| {
        let element = args.get(2)?.get::<gst::Element>().ok()?;
        let is_demuxer = element
            .factory()
            .is_some_and(|f| f.metadata("klass").unwrap_or_default().contains("Demux"));
        if is_demuxer {
            let recorder = recorder.clone();
            element.connect_pad_added(move |_, pad| recorder.watch(pad));
            clock_setup.watch_demuxer(&element);
        }
        None
    });

    let (tx, rx) = mpsc::sync_channel::<Msg>(CHANNEL_FRAMES);
    let assigner = Arc::new(Mutex::new(StreamAssigner::new(streams)));
    let pipeline_weak = pipeline.downgrade();
    let frame_tx = tx.clone();
    let demuxed_out = demuxed.clone();
    parse.connect_pad_added(move |_, pad| {
        let demuxed = demuxed_out.clone();
        let clock = clock.clone();
        let Some(pipeline) = pipeline_weak.upgrade() else {
            return;
        };
        let Ok(sink) = gst::ElementFactory::make("fakesink")
            .property("sync", false)
            .property("async", false)
            .build()
        else {
            return;
        };
        if pipeline.add(&sink).is_err() {
            return;
        }
        let sink_pad = sink.static_pad("sink").expect("fakesink has a sink pad");
        let caps = pad.current_caps().unwrap_or_else(|| pad.query_caps(None));
        let stream_id = pad
            .sticky_event::<gst::event::StreamStart>(0)
            .map(|e| e.stream_id().to_string());
        let caps_name = caps
            .structure(0)
            .map(|s| s.name().to_string())
            .unwrap_or_default();
        let stream_type = pad.stream().map(|s| s.stream_type());
        let kind = kind_of(&caps_name, stream_type);
        if kinds.wants(kind) {
            let index = assigner
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .assign(stream_id.as_deref(), kind);
            let video = kind == "video";
            let subtitle = kind == "subtitle";
            let in_band_headers = has_in_band_headers(&caps_name);
            let tx = frame_tx.clone();
            sink_pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
                if let Some(gst::PadProbeData::Buffer(buffer)) = &info.data {
                    // Codec headers (Vorbis, Theora) are set-up, not frames.
                    if in_band_headers && buffer.flags().contains(gst::BufferFlags::HEADER) {
                        return gst::PadProbeReturn::Ok;
                    }
                    // The caps can change (parsebin settles the stream
                    // format after the pad appears): read them per buffer.
                    let parser = pad
                        .current_caps()
                        .filter(|_| video)
                        .map_or(PictureParser::Unknown, |c| PictureParser::for_caps(&c));
                    let mut record = record(pad, buffer, index, parser, &clock);
                    if let Some(packet) = demuxed.take(pad, buffer.pts()) {
                        record.duration = packet.duration.or(record.duration);
                        if subtitle {
                            record.size = packet.size;
                        }
                    }
                    // A closed channel means the caller stopped listening.
                    let _ = tx.send(Msg::Frame(record));
                }
                gst::PadProbeReturn::Ok
            });
        }
        let _ = sink.sync_state_with_parent();
        let _ = pad.link(&sink_pad);
    });

    let bus = pipeline.bus().expect("a pipeline has a bus");
    let uri_owned = uri.to_string();
    let missing = Arc::new(Mutex::new(Vec::<String>::new()));
    let done_tx = tx;
    bus.set_sync_handler(move |_, msg| {
        use gst::MessageView as V;
        match msg.view() {
            V::Eos(_) => {
                let _ = done_tx.send(Msg::Done(Ok(())));
            }
            V::Error(e) => {
                let debug = e.debug().map(|d| d.to_string()).unwrap_or_default();
                let missing = missing.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let _ = done_tx.send(Msg::Done(Err(classify(
                    &e.error(),
                    &debug,
                    &uri_owned,
                    &missing,
                ))));
            }
            V::Element(_) => {
                if let Ok(m) = gst_pbutils::MissingPluginMessage::parse(msg) {
                    missing
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(m.description().to_string());
                }
            }
            _ => {}
        }
        gst::BusSyncReply::Drop
    });

    let watch = Watch::new(&pipeline);
    let stall = stall_limit(uri);
    let result = if pipeline.set_state(gst::State::Playing).is_err() {
        // The error message, if any, says more.
        match rx.recv_timeout(Duration::from_secs(2)) {
            Ok(Msg::Done(Err(e))) => Err(e),
            _ => Err(other("the pipeline did not start", &"state change failed")),
        }
    } else {
        let mut last_news = std::time::Instant::now();
        loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(Msg::Frame(f)) => {
                    last_news = std::time::Instant::now();
                    on_frame(f);
                }
                Ok(Msg::Done(result)) => break result,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(posted) = watch.swallowed(SWALLOWED_AFTER) {
                        tracing::debug!("frame scan: an error was swallowed: {}", posted.error);
                        break Err(classify(&posted.error, &posted.debug, uri, &[]));
                    }
                    if last_news.elapsed() > stall {
                        break Err(stalled(uri, stall));
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break Ok(()),
            }
            if cancel.load(Ordering::Relaxed) {
                break Ok(());
            }
        }
    };
    // Unblock streaming threads waiting on a full channel before stopping.
    drop(rx);
    let _ = pipeline.set_state(gst::State::Null);
    bus.unset_sync_handler();
    result
}

/// The error of a scan that got nothing from its input for `limit`.
pub fn stalled(uri: &str, limit: Duration) -> PlayerError {
    let name = crate::engine::display_name(uri);
    let (kind, message) = if crate::inspect::media::is_local(uri) {
        (
            ErrorKind::Corrupt,
            format!(
                "Reading “{name}” stalled: nothing came from it for {} s; the file is probably damaged.",
                limit.as_secs()
            ),
        )
    } else {
        (
            ErrorKind::Network,
            format!(
                "Reading “{name}” stalled: nothing came from it for {} s; check that the stream is still sending.",
                limit.as_secs()
            ),
        )
    };
    PlayerError::new(kind, message, "no data, end or error")
}

/// The record of one buffer on a parsed stream's pad.
fn record(
    pad: &gst::Pad,
    buffer: &gst::BufferRef,
    stream: usize,
    parser: PictureParser,
    clock: &ContainerClock,
) -> FrameRecord {
    let flagged_key = !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT);
    let (picture_type, keyframe) = match parser {
        PictureParser::Unknown | PictureParser::KeyframeOnly | PictureParser::IntraOnly => {
            parser.analyse(&[], flagged_key)
        }
        _ => buffer
            .map_readable()
            .map(|map| parser.analyse(&map, flagged_key))
            .unwrap_or((None, flagged_key)),
    };
    FrameRecord {
        stream,
        pts: clock.map(pad, buffer.pts()),
        dts: clock.map(pad, buffer.dts()),
        duration: buffer.duration().map(|d| d.nseconds()),
        size: buffer.size(),
        keyframe,
        picture_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_serialise_in_seconds() {
        let r = FrameRecord {
            stream: 1,
            pts: Some(1_500_000_000),
            dts: Some(-33_000_000),
            duration: None,
            size: 10,
            keyframe: true,
            picture_type: Some(PictureType::I),
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"stream":1,"pts":1.5,"dts":-0.033,"duration":null,"size":10,"keyframe":true,"picture_type":"I"}"#
        );
    }
}
