//! How many threads libav's video decoders (`avdec_*`) use: one where one
//! keeps up, libav's automatic count where it does not.
//!
//! Frame threading has a price: with N threads libav keeps N frames in
//! flight (memory, latency) and spends CPU handing work between threads.
//! On the 20 s 1080p30 H.264 clip of bench/playback.sh one thread decoded
//! and converted it for 5.07 CPU s against 6.32 s with automatic threads,
//! and peaked 25 MB lower (bench/RESULTS.md). One core decodes such a
//! stream several times faster than it plays, so more threads only help a
//! stream that one core cannot keep up with.
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

use gst::prelude::*;
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

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

/// The busy share of one thread, window by window.
#[derive(Debug)]
struct Load {
    tuning: Tuning,
    /// The window's start: wall time, the thread's CPU time, the thread.
    start: Option<(Instant, Duration, ThreadId)>,
    strikes: u32,
}

impl Load {
    fn new(tuning: Tuning) -> Self {
        Load {
            tuning,
            start: None,
            strikes: 0,
        }
    }

    /// Starts over (after a flush: the decoder ran ahead to refill).
    fn restart(&mut self) {
        self.start = None;
        self.strikes = 0;
    }

    /// Takes a sample; true when enough windows in a row were too busy.
    fn sample(&mut self, now: Instant, cpu: Duration, thread: ThreadId) -> bool {
        let Some((wall0, cpu0, thread0)) = self.start else {
            self.start = Some((now, cpu, thread));
            return false;
        };
        if thread0 != thread {
            // Another thread's clock: nothing to compare.
            self.restart();
            self.start = Some((now, cpu, thread));
            return false;
        }
        let wall = now.saturating_duration_since(wall0);
        if wall < self.tuning.window {
            return false;
        }
        let busy = cpu.saturating_sub(cpu0).as_secs_f64() / wall.as_secs_f64();
        self.strikes = if busy > self.tuning.busy_limit {
            self.strikes.saturating_add(1)
        } else {
            0
        };
        self.start = Some((now, cpu, thread));
        self.strikes >= self.tuning.strikes
    }
}

/// The CPU time the calling thread has used.
fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return None;
    }
    let secs = u64::try_from(ts.tv_sec).ok()?;
    let nanos = u32::try_from(ts.tv_nsec).ok()?;
    Some(Duration::new(secs, 0).saturating_add(Duration::from_nanos(u64::from(nanos))))
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

/// How a decoder's input splits into NAL units, and which codec's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Units {
    h265: bool,
    /// The size of each unit's length prefix; `None`: start codes.
    length_size: Option<usize>,
}

impl Units {
    /// From H.264 or H.265 caps; `None` for anything else.
    fn of(caps: &gst::CapsRef) -> Option<Units> {
        let s = caps.structure(0)?;
        let h265 = match s.name().as_str() {
            "video/x-h264" => false,
            "video/x-h265" => true,
            _ => return None,
        };
        let length_size = match s.get::<&str>("stream-format").ok()? {
            "byte-stream" => None,
            "avc" | "avc3" | "hvc1" | "hev1" => {
                // avcC keeps it in byte 4, hvcC in byte 21 (low 2 bits + 1).
                let header = s.get::<gst::Buffer>("codec_data").ok()?;
                let map = header.map_readable().ok()?;
                let byte = *map.get(if h265 { 21 } else { 4 })?;
                Some(usize::from(byte & 0x03) + 1)
            }
            _ => return None,
        };
        Some(Units { h265, length_size })
    }

    /// Whether NAL header byte `header` begins an IDR picture's slice.
    fn is_idr(self, header: u8) -> bool {
        if self.h265 {
            // IDR_W_RADL and IDR_N_LP.
            matches!((header >> 1) & 0x3f, 19 | 20)
        } else {
            header & 0x1f == 5
        }
    }
}

/// Whether access unit `buffer` holds an IDR picture: decoding can start
/// there as if the stream began. Malformed data counts as no.
fn starts_fresh(buffer: &gst::BufferRef, units: Units) -> bool {
    let Ok(map) = buffer.map_readable() else {
        return false;
    };
    let idr = nal_headers(&map, units.length_size).any(|header| units.is_idr(header));
    idr
}

/// The first byte of each NAL unit in `data`.
fn nal_headers(data: &[u8], length_size: Option<usize>) -> Box<dyn Iterator<Item = u8> + '_> {
    match length_size {
        Some(size) => {
            let mut rest = data;
            Box::new(std::iter::from_fn(move || {
                let prefix = rest.get(..size)?;
                let length = prefix.iter().fold(0usize, |n, b| {
                    n.saturating_mul(256).saturating_add(usize::from(*b))
                });
                let unit = rest.get(size..size.checked_add(length)?)?;
                rest = &rest[size + length..];
                unit.first().copied()
            }))
        }
        None => Box::new(
            data.windows(4)
                .filter(|w| w[0] == 0 && w[1] == 0 && w[2] == 1)
                .map(|w| w[3]),
        ),
    }
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
        gst::EventView::FlushStop(_) => {
            watch.load.restart();
            watch.after_flush = true;
        }
        gst::EventView::StreamStart(_) => {
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

    const T: Duration = Duration::from_secs(2);

    fn tuning() -> Tuning {
        Tuning::default()
    }

    /// Feeds `load` windows of `busy` share each; returns the verdicts.
    fn windows(load: &mut Load, busy: &[f64]) -> Vec<bool> {
        let thread = std::thread::current().id();
        let t0 = Instant::now();
        let mut cpu = Duration::ZERO;
        let mut verdicts = vec![load.sample(t0, cpu, thread)];
        for (i, share) in busy.iter().enumerate() {
            cpu += T.mul_f64(*share);
            let now = t0 + T * u32::try_from(i + 1).unwrap();
            verdicts.push(load.sample(now, cpu, thread));
        }
        verdicts
    }

    #[test]
    fn two_busy_windows_in_a_row_make_a_decoder_go_back() {
        let mut load = Load::new(tuning());
        assert_eq!(
            windows(&mut load, &[0.9, 0.2, 0.9, 0.9]),
            [false, false, false, false, true]
        );
    }

    #[test]
    fn a_decoder_keeping_up_stays_on_one_thread() {
        let mut load = Load::new(tuning());
        assert!(!windows(&mut load, &[0.3, 0.7, 0.5, 0.74, 0.1]).contains(&true));
    }

    #[test]
    fn a_flush_or_another_thread_starts_the_count_over() {
        let mut load = Load::new(tuning());
        windows(&mut load, &[0.9]);
        load.restart();
        assert_eq!(windows(&mut load, &[0.9]), [false, false]);
        // A sample from another thread compares nothing.
        let other = std::thread::spawn(std::thread::current)
            .join()
            .unwrap()
            .id();
        assert!(!load.sample(Instant::now() + T * 10, Duration::from_secs(100), other));
        assert_eq!(load.strikes, 0);
    }

    #[test]
    fn a_short_window_decides_nothing() {
        let mut load = Load::new(tuning());
        let thread = std::thread::current().id();
        let t0 = Instant::now();
        assert!(!load.sample(t0, Duration::ZERO, thread));
        assert!(!load.sample(t0 + T / 2, T, thread));
        assert_eq!(load.strikes, 0);
    }

    fn fresh(data: &[u8], h265: bool, length_size: Option<usize>) -> bool {
        gst::init().unwrap();
        let buffer = gst::Buffer::from_slice(data.to_vec());
        starts_fresh(&buffer, Units { h265, length_size })
    }

    #[test]
    fn idr_pictures_are_found_in_both_stream_formats() {
        // An access unit delimiter, then an IDR slice (type 5) or a
        // non-IDR one (type 1).
        let avc = |slice: u8| [0, 0, 0, 2, 0x09, 0xf0, 0, 0, 0, 3, slice, 0x88, 0x84];
        assert!(fresh(&avc(0x65), false, Some(4)));
        assert!(!fresh(&avc(0x41), false, Some(4)));
        let annex_b = |slice: u8| [0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, slice, 0x88];
        assert!(fresh(&annex_b(0x65), false, None));
        assert!(!fresh(&annex_b(0x41), false, None));
        // H.265: IDR_W_RADL (19) starts fresh, CRA (21, open GOP) does not.
        assert!(fresh(&[0, 0, 0, 3, 19 << 1, 1, 0xaf], true, Some(4)));
        assert!(!fresh(&[0, 0, 0, 3, 21 << 1, 1, 0xaf], true, Some(4)));
        assert!(fresh(&[0, 0, 1, 20 << 1, 1], true, None));
    }

    #[test]
    fn malformed_units_never_count_as_a_fresh_start() {
        // A length running past the end, an empty buffer, a zero length.
        assert!(!fresh(&[0, 0, 0, 9, 0x65, 0x88], false, Some(4)));
        assert!(!fresh(&[], false, Some(4)));
        assert!(!fresh(&[0, 0, 0, 0], false, Some(4)));
        assert!(!fresh(&[0xff, 0xff, 0xff, 0xff, 0x65], false, Some(4)));
        assert!(!fresh(&[0, 0, 1], false, None));
    }

    #[test]
    fn units_come_from_the_caps() {
        gst::init().unwrap();
        let avcc = gst::Buffer::from_slice(vec![1, 0x64, 0, 0x28, 0xff, 0xe1]);
        let caps = gst::Caps::builder("video/x-h264")
            .field("stream-format", "avc")
            .field("codec_data", avcc)
            .build();
        assert_eq!(
            Units::of(&caps),
            Some(Units {
                h265: false,
                length_size: Some(4)
            })
        );
        let caps = gst::Caps::builder("video/x-h265")
            .field("stream-format", "byte-stream")
            .build();
        assert_eq!(
            Units::of(&caps),
            Some(Units {
                h265: true,
                length_size: None
            })
        );
        // avc without its header, or another codec: nothing to go by.
        let caps = gst::Caps::builder("video/x-h264")
            .field("stream-format", "avc")
            .build();
        assert_eq!(Units::of(&caps), None);
        assert_eq!(Units::of(&gst::Caps::builder("video/x-vp9").build()), None);
    }

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

    #[test]
    fn the_thread_clock_counts_work() {
        let before = thread_cpu_time().unwrap();
        let mut x = 0u64;
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_millis(50) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let used = thread_cpu_time().unwrap().saturating_sub(before);
        assert!(used >= Duration::from_millis(20), "{used:?}");
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
