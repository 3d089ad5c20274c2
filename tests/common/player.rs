//! Watching a headless `Player`: what it did (errors, warnings, end of
//! stream, positions and states, recorded from its signals), playing or
//! prerolling a file, frame numbers read off a live picture, the audio that
//! reaches its sink, and the frame as a screen shows it (overlays blended).

use super::framecode;
use super::mainloop::{run_until, wait_settled};
use framescope::engine::{Player, PlayerError, PlayerState};
use gst::prelude::*;
use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a player did, recorded from its signals.
#[derive(Default, Debug)]
pub struct Outcome {
    pub errors: Vec<PlayerError>,
    pub warnings: Vec<String>,
    pub eos: bool,
    pub max_position: u64,
    pub states: Vec<PlayerState>,
}

impl Outcome {
    /// Whether a warning said `words`.
    pub fn warned(&self, words: &str) -> bool {
        self.warnings.iter().any(|w| w.contains(words))
    }
}

/// Connects recorders to a player's signals.
pub fn record(player: &Player) -> Rc<RefCell<Outcome>> {
    let out = Rc::new(RefCell::new(Outcome::default()));
    let o = out.clone();
    player.connect_error(move |_, e| o.borrow_mut().errors.push(e.clone()));
    let o = out.clone();
    player.connect_warning(move |_, w| o.borrow_mut().warnings.push(w.to_string()));
    let o = out.clone();
    player.connect_eos(move |_| o.borrow_mut().eos = true);
    let o = out.clone();
    player.connect_position_notify(move |p| {
        let mut o = o.borrow_mut();
        o.max_position = o.max_position.max(p.position());
    });
    let o = out.clone();
    player.connect_state_notify(move |p| o.borrow_mut().states.push(p.state()));
    out
}

/// Plays `path` headless until EOS or an error (or `timeout`).
pub fn play_headless(path: &Path, timeout: Duration) -> (Player, Rc<RefCell<Outcome>>) {
    let player = Player::headless();
    let out = record(&player);
    player.open(&path.display().to_string());
    player.play();
    run_until(timeout, || {
        let o = out.borrow();
        o.eos || !o.errors.is_empty()
    });
    (player, out)
}

/// Opens a generated clip in a headless player and waits until it is
/// paused on its first frame.
pub fn open_paused(path: &Path) -> (Player, Rc<RefCell<Outcome>>) {
    let player = Player::headless();
    let out = record(&player);
    player.open(&path.display().to_string());
    assert!(
        wait_settled(&player),
        "{}: did not preroll ({:?})",
        path.display(),
        out.borrow().errors
    );
    (player, out)
}

/// Marks an A-B loop as the key does: seeks to `a` and marks it, then to
/// `b` and marks that, each seek settled first.
pub fn mark_ab_loop(player: &Player, a: gst::ClockTime, b: gst::ClockTime) {
    for point in [a, b] {
        player.seek(point);
        assert!(wait_settled(player));
        player.cycle_ab_loop();
    }
}

/// Plays `uri` and reads frame numbers off the picture for 3 s: they must
/// come, and go up.
pub fn plays_numbered_frames(uri: &str) {
    let player = Player::headless();
    let out = record(&player);
    player.open(uri);
    player.play();
    let numbered = run_until(Duration::from_secs(15), || {
        player.state() == PlayerState::Playing
            && player
                .current_frame()
                .and_then(|s| framecode::frame_number(&s))
                .is_some()
    });
    assert!(
        numbered,
        "{uri}: no numbered frame (state {:?}, errors {:?})",
        player.state(),
        out.borrow().errors
    );
    // A live source may hold its first frame while its jitter buffer
    // fills (RTSP waits 2 s by default): count from when pictures move.
    let frame = || {
        player
            .current_frame()
            .and_then(|s| framecode::frame_number(&s))
    };
    let first = frame();
    run_until(Duration::from_secs(10), || frame() != first);
    let mut seen = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        run_until(Duration::from_millis(250), || false);
        if let Some(n) = player
            .current_frame()
            .and_then(|s| framecode::frame_number(&s))
        {
            seen.push(n);
        }
    }
    println!("    {uri}: frames {seen:?}");
    assert!(seen.len() >= 8, "{uri}: frames {seen:?}");
    assert!(
        seen.windows(2).all(|w| w[1] >= w[0]),
        "{uri}: frames out of order {seen:?}"
    );
    // 3 s at 30 fps: the numbers move on by about 90.
    let moved = seen.last().unwrap() - seen.first().unwrap();
    assert!(
        (45..=120).contains(&moved),
        "{uri}: moved {moved} frames in 3 s"
    );
    assert!(player.is_live(), "{uri}: a live source is reported live");
    assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
    player.stop();
}

/// Audio reaching the sink, as mono 16-bit samples (48 kHz).
pub type Heard = Arc<Mutex<Vec<i16>>>;

pub fn listening_player() -> (Player, Heard) {
    let player = Player::headless();
    player.set_audio_sink(Some(
        "audioconvert ! audioresample ! audio/x-raw,format=S16LE,channels=1,rate=48000 ! appsink name=ear sync=true",
    ));
    (player, Heard::default())
}

pub fn attach_ear(player: &Player, heard: &Heard) {
    // The pipeline's audio sink is the bin made from the description
    // (playbin3 adds it to the pipeline only once audio is linked).
    let ear = player
        .pipeline()
        .and_then(|p| p.property::<Option<gst::Element>>("audio-sink"))
        .and_downcast::<gst::Bin>()
        .and_then(|bin| bin.by_name("ear"))
        .and_downcast::<gst_app::AppSink>()
        .expect("the audio sink is the test's appsink");
    let heard = heard.clone();
    ear.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                if let Some(map) = sample.buffer().and_then(|b| b.map_readable().ok()) {
                    let mut heard = heard.lock().unwrap();
                    heard.extend(
                        map.chunks_exact(2)
                            .map(|b| i16::from_le_bytes([b[0], b[1]])),
                    );
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
}

/// The tone of the last 0.2 s heard, from its zero crossings.
pub fn tone(heard: &Heard) -> f64 {
    let heard = heard.lock().unwrap();
    let window = 9600.min(heard.len());
    let recent = &heard[heard.len() - window..];
    let crossings = recent
        .windows(2)
        .filter(|w| (w[0] < 0) != (w[1] < 0))
        .count();
    crossings as f64 / 2.0 / (window as f64 / 48_000.0)
}

/// The frame as a screen shows it: sinks that draw overlays themselves (as
/// the GTK sink does) get subtitles as an overlay composition attached to
/// the frame, which is blended in here.
pub fn with_overlay_blended(sample: gst::Sample) -> gst::Sample {
    let Some(buffer) = sample.buffer() else {
        return sample;
    };
    let Some(meta) = buffer.meta::<gst_video::VideoOverlayCompositionMeta>() else {
        return sample;
    };
    let composition = meta.overlay().to_owned();
    let info = gst_video::VideoInfo::from_caps(sample.caps().unwrap()).unwrap();
    let mut copy = buffer.copy_deep().unwrap();
    {
        let copy = copy.get_mut().unwrap();
        let mut frame = gst_video::VideoFrameRef::from_buffer_ref_writable(copy, &info).unwrap();
        composition.blend(&mut frame).unwrap();
    }
    gst::Sample::builder()
        .buffer(&copy)
        .caps(&sample.caps().unwrap().to_owned())
        .build()
}

/// The frame's lowest row (0 at the top) with more than a few bright
/// pixels once its overlays are blended in: where drawn text ends.
pub fn lowest_bright_row(sample: gst::Sample) -> Option<usize> {
    let sample = with_overlay_blended(sample);
    let caps = gst::Caps::builder("video/x-raw")
        .field("format", "GRAY8")
        .build();
    let gray = gst_video::convert_sample(&sample, &caps, gst::ClockTime::from_seconds(5)).ok()?;
    let info = gst_video::VideoInfo::from_caps(gray.caps()?).ok()?;
    let buffer = gray.buffer()?.map_readable().ok()?;
    let (w, h, stride) = (
        info.width() as usize,
        info.height() as usize,
        info.stride()[0] as usize,
    );
    (0..h)
        .rev()
        .find(|&y| (0..w).filter(|&x| buffer[y * stride + x] > 128).count() > 3)
}
