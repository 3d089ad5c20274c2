//! Live sources against senders the tests build from GStreamer pipelines on
//! 127.0.0.1, headless: MPEG-TS over UDP multicast and SRT in caller mode
//! play the sender's numbered frames (read back from the pixels, in order,
//! as the sender sends them), are reported live, and `inspect` lists their
//! stream; an SRT caller whose listener is not there yet says so in one
//! sentence, keeps trying, and plays once the sender comes.

mod common;

use common::framecode::{frame_number, FrameClip};
use common::*;
use framescope::engine::{Player, PlayerState};
use gst::prelude::*;
use std::time::{Duration, Instant};

/// A numbered 20 s H.264 MPEG-TS clip (no B-frames, a keyframe each 0.5 s,
/// so a receiver joining late soon has a picture).
fn numbered_ts() -> std::path::PathBuf {
    FrameClip::new("live_numbered.ts", 600, "x264enc key-int-max=15 bframes=0").path()
}

/// A sending pipeline, stopped when dropped.
struct Sender(gst::Element);

impl Sender {
    /// Sends the numbered clip in real time into `sink` (a launch fragment).
    fn start(sink: &str) -> Self {
        let launch = format!(
            "filesrc location={} ! tsdemux ! h264parse ! mpegtsmux alignment=7 ! {sink}",
            numbered_ts().display()
        );
        let pipeline = gst::parse::launch(&launch).expect("the sender builds");
        pipeline
            .set_state(gst::State::Playing)
            .expect("the sender starts");
        Sender(pipeline)
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let _ = self.0.set_state(gst::State::Null);
    }
}

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Plays `uri` and reads frame numbers off the picture for 3 s: they must
/// come, and go up.
fn plays_numbered_frames(uri: &str) {
    let player = Player::headless();
    let out = record(&player);
    player.open(uri);
    player.play();
    let numbered = run_until(Duration::from_secs(15), || {
        player.state() == PlayerState::Playing
            && player
                .current_frame()
                .and_then(|s| frame_number(&s))
                .is_some()
    });
    assert!(
        numbered,
        "{uri}: no numbered frame (state {:?}, errors {:?})",
        player.state(),
        out.borrow().errors
    );
    let mut seen = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        run_until(Duration::from_millis(250), || false);
        if let Some(n) = player.current_frame().and_then(|s| frame_number(&s)) {
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

#[test]
fn udp_multicast_plays_the_senders_frames_and_inspects() {
    with_context(|| {
        let port = free_udp_port();
        let group = "239.255.42.43";
        let _sender = Sender::start(&format!(
            "udpsink host={group} port={port} auto-multicast=true ttl-mc=0 sync=true"
        ));
        let uri = format!("udp://{group}:{port}");
        plays_numbered_frames(&uri);
        let report = framescope::inspect::inspect(&uri).expect("the UDP stream inspects");
        assert!(report.live, "{report:?}");
        assert!(
            report
                .streams
                .iter()
                .any(|s| s.kind == "video" && s.codec.contains("H.264")),
            "{report:?}"
        );
    });
}

#[test]
fn srt_caller_plays_the_senders_frames() {
    with_context(|| {
        let port = free_udp_port();
        let _sender = Sender::start(&format!(
            "srtsink uri=srt://127.0.0.1:{port}?mode=listener latency=125 sync=true"
        ));
        plays_numbered_frames(&format!("srt://127.0.0.1:{port}"));
    });
}

/// An SRT caller started before its listener says, in one sentence, that
/// the address does not answer and that it keeps trying; once the sender
/// starts, it plays (time to recover printed).
#[test]
fn srt_caller_says_it_keeps_trying_and_plays_once_the_sender_comes() {
    with_context(|| {
        let port = free_udp_port();
        let uri = format!("srt://127.0.0.1:{port}");
        let player = Player::headless();
        let out = record(&player);
        player.open(&uri);
        player.play();
        let said = || {
            out.borrow()
                .warnings
                .iter()
                .find(|w| w.contains("keeps trying"))
                .cloned()
        };
        assert!(
            run_until(Duration::from_secs(15), || said().is_some()),
            "{uri}: nothing said (state {:?}, warnings {:?}, errors {:?})",
            player.state(),
            out.borrow().warnings,
            out.borrow().errors
        );
        let sentence = said().unwrap();
        println!("    {sentence}");
        assert!(
            sentence.contains(&format!("127.0.0.1:{port}")) && sentence.ends_with('.'),
            "{sentence}"
        );
        let repeats = out.borrow().warnings.len();
        let started = Instant::now();
        let _sender = Sender::start(&format!(
            "srtsink uri=srt://127.0.0.1:{port}?mode=listener latency=125 sync=true"
        ));
        assert!(
            run_until(Duration::from_secs(20), || player
                .current_frame()
                .and_then(|s| frame_number(&s))
                .is_some()),
            "{uri}: no picture after the sender started (state {:?}, errors {:?})",
            player.state(),
            out.borrow().errors
        );
        println!(
            "    playing {:.1} s after the sender started ({repeats} warning(s) before)",
            started.elapsed().as_secs_f64()
        );
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        player.stop();
    });
}
