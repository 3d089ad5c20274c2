//! How many threads libav's H.264 and H.265 decoders use: one where one
//! keeps up, libav's automatic count where it does not. It is the engine's
//! choice, so the app and embedding hosts get it alike.
//!
//! Frame threading has a price: with N threads libav keeps N frames in
//! flight (memory, latency) and spends CPU handing work between threads.
//! On the 20 s 1080p30 H.264 clip of bench/playback.sh one thread decoded
//! and converted it for 5.07 CPU s against 6.32 s with automatic threads,
//! and peaked 25 MB lower (gst-launch-1.0). One core decodes such a
//! stream several times faster than it plays, so more threads only help a
//! stream that one core cannot keep up with. Measured in the player:
//! peak memory 17 % lower, CPU about 4 % lower (bench/RESULTS.md, "One
//! decoder thread where one keeps up").
//!
//! The choice: when a decoder's input caps arrive (before libav opens its
//! codec, the only moment it reads the thread count), a stream of up to
//! [`SINGLE_THREAD_PIXEL_RATE`] pixels a second gets one thread; larger or
//! unknown ones keep libav's automatic count.
//!
//! The way back: while a decoder runs on one thread, the streaming thread
//! that feeds it (and, with one libav thread, decodes) measures its own CPU
//! time. When it was busy more than the [`Tuning`]'s limit of the wall time
//! in consecutive windows (the decoder cannot keep up, or only just), the
//! decoder goes back to automatic threads at the next IDR picture: a copy
//! of its caps, marked with the new count, goes in before it. New
//! caps make the decoder output what it holds, close libav and reopen it
//! with the new count (caps equal to the last would be ignored); decoding
//! resumes at that picture, so no frame is lost or broken. A decoder that
//! went back stays on automatic threads.
//!
//! Seeks: an accurate seek decodes every frame from the keyframe before
//! its target and throws them away, as fast as it can; one thread made
//! that 1.6x slower on the 1080p clip of bench/timing.sh. So when the first
//! keyframe after a flush is an IDR picture at least the [`Tuning`]'s
//! `catch_up` before the segment's start, the decoder reopens there with
//! automatic threads, and with one thread again at the first IDR picture
//! at or after the target.
//!
//! Where the count may change: only at an IDR picture (H.264 and H.265
//! are the codecs handled, found in the access unit's NAL units), where
//! nothing after refers to anything before. After an open-GOP keyframe
//! (a non-IDR I picture, or an H.265 CRA) come pictures that refer to the
//! GOP before it, and libav on one thread showed broken pictures when it
//! started at one after a seek (tests/timing.rs, open GOP) where
//! automatic threads did not; so a stream whose first keyframe after a
//! flush is not an IDR picture reopens there with automatic threads and
//! keeps them.
//!
//! Threads: all of it runs in pad probes on the decoder's sink pad, on the
//! streaming thread that feeds the decoder, which holds that pad's stream
//! lock anyway; the thread count is a plain field of gst-libav's decoder.
//! The main thread never takes part.

mod load;
mod units;

use gst::prelude::*;
use load::{thread_cpu_time, Load};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use units::{starts_fresh, Units};

/// The most pixels a second (width x height x frame rate) a decoder is
/// given one thread for: 1080p at 30 frames a second.
pub(crate) const SINGLE_THREAD_PIXEL_RATE: u64 = 1920 * 1088 * 30;

/// The caps field that marks caps this module sent (its value is the
/// thread count the decoder was reopened with).
const MARK: &str = "x-framescope-decoder-threads";

/// When a single-threaded decoder counts as too busy.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tuning {
    /// How long each measurement runs.
    pub window: Duration,
    /// The share of a window's wall time the feeding thread may spend on
    /// the CPU.
    pub busy_limit: f64,
    /// How many windows in a row over the limit make the decoder go back.
    pub strikes: u32,
    /// How far before a seek's target its keyframe must be for the
    /// decoder to catch up on automatic threads.
    pub catch_up: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            window: Duration::from_secs(2),
            busy_limit: 0.75,
            strikes: 2,
            catch_up: Duration::from_millis(200),
        }
    }
}

/// What a decoder runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// libav's automatic count (its caps were too large, unknown, or the
    /// decoder already went back).
    Auto,
    /// One thread, measured.
    Single,
    /// Too busy on one thread: goes back at the next IDR picture.
    SwitchAtKeyframe,
    /// Automatic threads from a seek's keyframe up to its target; one
    /// thread again from the first IDR picture at or after the target.
    CatchUp,
}

struct Watch {
    mode: Mode,
    went_back: bool,
    load: Load,
    /// The next buffer is the first after a flush.
    after_flush: bool,
    /// Where the current segment starts (a seek's target).
    segment_start: Option<gst::ClockTime>,
    /// How the decoder's input splits into NAL units.
    units: Option<Units>,
}

/// Pixels a second of video `caps`; `None` when the caps do not say.
fn pixel_rate(caps: &gst::CapsRef) -> Option<u64> {
    let s = caps.structure(0)?;
    let width = u64::try_from(s.get::<i32>("width").ok()?).ok()?;
    let height = u64::try_from(s.get::<i32>("height").ok()?).ok()?;
    let rate = s.get::<gst::Fraction>("framerate").ok()?;
    let (num, den) = (
        u64::try_from(rate.numer()).ok()?,
        u64::try_from(rate.denom()).ok()?,
    );
    if num == 0 || den == 0 {
        return None;
    }
    width
        .checked_mul(height)?
        .checked_mul(num)?
        .checked_div(den)
}

/// Whether `element` is libav's H.264 or H.265 decoder, with a thread
/// count (the codecs whose clean starting points [`starts_fresh`] finds).
pub(crate) fn applies_to(element: &gst::Element) -> bool {
    element
        .factory()
        .is_some_and(|f| matches!(f.name().as_str(), "avdec_h264" | "avdec_h265"))
        && element.find_property("max-threads").is_some()
}

/// Sets the thread count of libav decoder `decoder` as the module's comment
/// says. Call from `element-setup` (before its caps arrive).
pub(crate) fn attach(decoder: &gst::Element, tuning: Tuning) {
    if !applies_to(decoder) {
        return;
    }
    let Some(pad) = decoder.static_pad("sink") else {
        return;
    };
    let watch = Arc::new(Mutex::new(Watch {
        mode: Mode::Auto,
        went_back: false,
        load: Load::new(tuning),
        after_flush: false,
        segment_start: None,
        units: None,
    }));
    let weak = decoder.downgrade();
    pad.add_probe(
        // Flush events reach only probes that ask for them.
        gst::PadProbeType::BUFFER
            | gst::PadProbeType::EVENT_DOWNSTREAM
            | gst::PadProbeType::EVENT_FLUSH,
        move |pad, info| {
            let Some(decoder) = weak.upgrade() else {
                return gst::PadProbeReturn::Remove;
            };
            let new_caps = {
                let mut watch = watch.lock().unwrap_or_else(|e| e.into_inner());
                match &info.data {
                    Some(gst::PadProbeData::Event(event)) => {
                        on_event(&mut watch, &decoder, event);
                        None
                    }
                    Some(gst::PadProbeData::Buffer(buffer)) => {
                        on_buffer(&mut watch, &decoder, pad, buffer)
                    }
                    _ => None,
                }
            };
            // Sent without the watch's lock: the caps pass this probe too.
            // This thread holds the pad's stream lock already, so they go
            // in right before that picture.
            if let Some(caps) = new_caps {
                if !pad.send_event(gst::event::Caps::new(&caps)) {
                    gst::warning!(
                        crate::engine::log::CAT,
                        obj = decoder,
                        "the decoder refused its caps with more threads"
                    );
                }
            }
            gst::PadProbeReturn::Ok
        },
    );
}

fn on_event(watch: &mut Watch, decoder: &gst::Element, event: &gst::Event) {
    match event.view() {
        gst::EventView::Caps(caps) => {
            let caps = caps.caps();
            watch.units = Units::of(caps);
            if caps.structure(0).is_some_and(|s| s.has_field(MARK)) {
                return; // Ours.
            }
            let small = pixel_rate(caps).is_some_and(|rate| rate <= SINGLE_THREAD_PIXEL_RATE);
            watch.mode = if small && !watch.went_back {
                Mode::Single
            } else {
                Mode::Auto
            };
            let threads = if watch.mode == Mode::Single { 1 } else { 0 };
            decoder.set_property("max-threads", threads);
            watch.load.restart();
        }
        gst::EventView::FlushStop(_) | gst::EventView::StreamStart(_) => {
            watch.load.restart();
            watch.after_flush = true;
        }
        gst::EventView::Segment(segment) => {
            watch.segment_start = segment
                .segment()
                .downcast_ref::<gst::ClockTime>()
                .and_then(|s| s.start());
        }
        _ => {}
    }
}

/// `caps` marked with `threads`, to reopen the decoder with that count.
fn marked(pad: &gst::Pad, threads: i32) -> Option<gst::Caps> {
    let mut caps = pad.current_caps()?;
    caps.make_mut().structure_mut(0)?.set(MARK, threads);
    Some(caps)
}

/// Sets the decoder's thread count and returns the caps that reopen it
/// with that count (sent before the current buffer).
fn reopen(decoder: &gst::Element, pad: &gst::Pad, threads: i32) -> Option<gst::Caps> {
    decoder.set_property("max-threads", threads);
    marked(pad, threads)
}

/// Measures the decoder's load and follows seeks; returns the caps to send
/// before this buffer when the decoder's thread count changes here.
fn on_buffer(
    watch: &mut Watch,
    decoder: &gst::Element,
    pad: &gst::Pad,
    buffer: &gst::Buffer,
) -> Option<gst::Caps> {
    // Only where decoding can start over as if the stream began here (an
    // IDR picture) may the decoder be reopened: after an open-GOP keyframe
    // come pictures that refer to the GOP before it.
    let keyframe = !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT);
    let fresh = keyframe
        && watch.mode != Mode::Auto
        && watch.units.is_some_and(|units| starts_fresh(buffer, units));
    // The first keyframe after a flush or a new start; the decoder starts
    // over there anyway.
    let restart = keyframe && std::mem::take(&mut watch.after_flush);
    let pts = buffer.pts();
    let reached_target = match (pts, watch.segment_start) {
        (Some(pts), Some(start)) => pts >= start,
        _ => true,
    };
    match watch.mode {
        Mode::Auto => None,
        Mode::Single if restart && !fresh => {
            // An open GOP: libav on one thread showed broken pictures
            // after starting at such a keyframe (tests/timing.rs, open
            // GOP), on automatic threads it does not. Such a stream keeps
            // them: its keyframes are no place to switch back.
            watch.mode = Mode::Auto;
            watch.went_back = true;
            reopen(decoder, pad, 0)
        }
        Mode::Single if restart => {
            // A seek: the frames from this keyframe to the target are
            // decoded and thrown away as fast as threads can.
            let behind = match (pts, watch.segment_start) {
                (Some(pts), Some(start)) => start.saturating_sub(pts),
                _ => gst::ClockTime::ZERO,
            };
            if Duration::from(behind) < watch.load.tuning.catch_up {
                return None;
            }
            watch.mode = Mode::CatchUp;
            reopen(decoder, pad, 0)
        }
        Mode::CatchUp if fresh && reached_target => {
            watch.mode = Mode::Single;
            watch.load.restart();
            reopen(decoder, pad, 1)
        }
        Mode::CatchUp => None,
        Mode::Single => {
            let cpu = thread_cpu_time()?;
            if watch
                .load
                .sample(Instant::now(), cpu, std::thread::current().id())
            {
                gst::info!(
                    crate::engine::log::CAT,
                    obj = decoder,
                    "one decoder thread is not enough; more from the next IDR picture"
                );
                watch.mode = Mode::SwitchAtKeyframe;
            }
            None
        }
        Mode::SwitchAtKeyframe if fresh => {
            watch.mode = Mode::Auto;
            watch.went_back = true;
            reopen(decoder, pad, 0)
        }
        Mode::SwitchAtKeyframe => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixel_rates_come_from_the_caps() {
        let caps = |fps: gst::Fraction| {
            gst::Caps::builder("video/x-h264")
                .field("width", 1920i32)
                .field("height", 1080i32)
                .field("framerate", fps)
                .build()
        };
        gst::init().unwrap();
        let full_hd = pixel_rate(&caps(gst::Fraction::new(30, 1))).unwrap();
        assert_eq!(full_hd, 1920 * 1080 * 30);
        assert!(full_hd <= SINGLE_THREAD_PIXEL_RATE);
        assert!(pixel_rate(&caps(gst::Fraction::new(60, 1))).unwrap() > SINGLE_THREAD_PIXEL_RATE);
        assert_eq!(pixel_rate(&caps(gst::Fraction::new(0, 1))), None);
        assert_eq!(
            pixel_rate(&gst::Caps::builder("video/x-h264").build()),
            None
        );
    }

    /// Counts the frames that reach `pipeline`'s element named `sink`.
    fn count_frames(pipeline: &gst::Pipeline) -> Arc<std::sync::atomic::AtomicU32> {
        let frames = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let counter = frames.clone();
        let sink_pad = pipeline
            .by_name("sink")
            .unwrap()
            .static_pad("sink")
            .unwrap();
        sink_pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            gst::PadProbeReturn::Ok
        });
        frames
    }

    /// Decodes 90 frames of real H.264 (B-frames, a keyframe every 10)
    /// through `avdec_h264` with this module attached; returns the
    /// decoder, the frames that reached the sink, whether it ended
    /// without error and whether it was reopened with marked caps.
    fn decode(tuning: Tuning) -> (gst::Element, u32, bool, bool) {
        gst::init().unwrap();
        let pipeline = gst::parse::launch(
            "videotestsrc num-buffers=90 ! video/x-raw,width=320,height=240,framerate=30/1 \
             ! x264enc key-int-max=10 bframes=2 ! h264parse ! avdec_h264 name=decoder \
             ! fakesink name=sink sync=true",
        )
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
        let decoder = pipeline.by_name("decoder").unwrap();
        attach(&decoder, tuning);
        let frames = count_frames(&pipeline);
        pipeline.set_state(gst::State::Playing).unwrap();
        let message = pipeline.bus().unwrap().timed_pop_filtered(
            gst::ClockTime::from_seconds(30),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        );
        let clean = message.is_some_and(|m| m.type_() == gst::MessageType::Eos);
        // Before the pads deactivate and forget their caps.
        let reopened = reopened(&decoder);
        pipeline.set_state(gst::State::Null).unwrap();
        let frames = frames.load(std::sync::atomic::Ordering::Relaxed);
        (decoder, frames, clean, reopened)
    }

    fn reopened(decoder: &gst::Element) -> bool {
        decoder
            .static_pad("sink")
            .and_then(|pad| pad.sticky_event::<gst::event::Caps>(0))
            .is_some_and(|caps| caps.caps().structure(0).is_some_and(|s| s.has_field(MARK)))
    }

    #[test]
    fn a_small_stream_decodes_on_one_thread() {
        let (decoder, frames, clean, reopened) = decode(Tuning::default());
        assert!(clean);
        assert_eq!(frames, 90);
        assert_eq!(decoder.property::<i32>("max-threads"), 1);
        assert!(!reopened);
    }

    /// A decoder always "too busy" goes back to automatic threads at a
    /// keyframe, mid-stream, and still shows every frame.
    #[test]
    fn a_busy_decoder_reopens_with_more_threads_and_loses_no_frame() {
        let tuning = Tuning {
            window: Duration::from_millis(200),
            busy_limit: 0.0,
            strikes: 2,
            ..Tuning::default()
        };
        let (decoder, frames, clean, reopened) = decode(tuning);
        assert!(clean);
        assert_eq!(frames, 90);
        assert_eq!(decoder.property::<i32>("max-threads"), 0);
        assert!(reopened, "the decoder never got its new caps");
    }

    /// Runs `pipeline` until it ends or fails; true when it ended cleanly.
    fn run_to_end(pipeline: &gst::Element) -> bool {
        let message = pipeline.bus().unwrap().timed_pop_filtered(
            gst::ClockTime::from_seconds(30),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        );
        message.is_some_and(|m| m.type_() == gst::MessageType::Eos)
    }

    /// An accurate seek far past its keyframe decodes up to the target on
    /// automatic threads and goes back to one thread at the first keyframe
    /// after it; every frame from the target on is shown.
    #[test]
    fn a_seek_catches_up_on_threads_then_returns_to_one() {
        gst::init().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("gop30.mp4");
        let encode = gst::parse::launch(&format!(
            "videotestsrc num-buffers=90 ! video/x-raw,width=320,height=240,framerate=30/1 \
             ! x264enc key-int-max=30 bframes=2 ! h264parse ! mp4mux \
             ! filesink location=\"{}\"",
            file.display()
        ))
        .unwrap();
        encode.set_state(gst::State::Playing).unwrap();
        assert!(run_to_end(&encode));
        encode.set_state(gst::State::Null).unwrap();

        let pipeline = gst::parse::launch(&format!(
            "filesrc location=\"{}\" ! qtdemux ! h264parse ! avdec_h264 name=decoder \
             ! fakesink name=sink sync=false",
            file.display()
        ))
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
        let decoder = pipeline.by_name("decoder").unwrap();
        attach(&decoder, Tuning::default());
        let marks = Arc::new(Mutex::new(Vec::new()));
        let seen = marks.clone();
        decoder.static_pad("sink").unwrap().add_probe(
            gst::PadProbeType::EVENT_DOWNSTREAM,
            move |_, info| {
                if let Some(gst::PadProbeData::Event(event)) = &info.data {
                    if let gst::EventView::Caps(caps) = event.view() {
                        if let Some(threads) = caps
                            .caps()
                            .structure(0)
                            .and_then(|s| s.get::<i32>(MARK).ok())
                        {
                            seen.lock().unwrap().push(threads);
                        }
                    }
                }
                gst::PadProbeReturn::Ok
            },
        );
        let frames = count_frames(&pipeline);
        pipeline.set_state(gst::State::Paused).unwrap();
        let (prerolled, _, _) = pipeline.state(gst::ClockTime::from_seconds(10));
        assert!(prerolled.is_ok());
        assert_eq!(decoder.property::<i32>("max-threads"), 1);
        frames.store(0, std::sync::atomic::Ordering::Relaxed);
        // Frame 27, 27 frames past the keyframe at 0.
        pipeline
            .seek_simple(
                gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE,
                gst::ClockTime::from_mseconds(900),
            )
            .unwrap();
        pipeline.set_state(gst::State::Playing).unwrap();
        let clean = run_to_end(pipeline.upcast_ref());
        pipeline.set_state(gst::State::Null).unwrap();
        assert!(clean);
        assert_eq!(
            *marks.lock().unwrap(),
            [0, 1],
            "threads at the seek's keyframe, one from the next"
        );
        assert_eq!(decoder.property::<i32>("max-threads"), 1);
        assert_eq!(frames.load(std::sync::atomic::Ordering::Relaxed), 90 - 27);
    }
}
