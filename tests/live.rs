//! Live sources against senders the tests build from GStreamer pipelines on
//! 127.0.0.1, headless: MPEG-TS over UDP multicast and SRT in caller mode
//! play the sender's numbered frames (read back from the pixels, in order,
//! as the sender sends them), are reported live, and `inspect` lists their
//! stream; an SRT caller whose listener is not there yet says so in one
//! sentence, keeps trying, and plays once the sender comes.

mod common;

use common::framecode::frame_number;
use common::*;
use framescope::engine::Player;
use std::time::{Duration, Instant};

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
        assert!(has_h264_video(&report), "{report:?}");
    });
}

/// SRT in caller mode against a listener sender: the numbered frames play,
/// and `inspect` (a second caller) reports a live H.264 stream.
#[test]
fn srt_caller_plays_the_senders_frames() {
    with_context(|| {
        let port = free_udp_port();
        let _sender = Sender::start(&format!(
            "srtsink uri=srt://127.0.0.1:{port}?mode=listener latency=125 sync=true"
        ));
        let uri = format!("srt://127.0.0.1:{port}");
        plays_numbered_frames(&uri);
        let report = framescope::inspect::inspect(&uri).expect("the SRT stream inspects");
        assert!(report.live, "{report:?}");
        assert!(has_h264_video(&report), "{report:?}");
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
