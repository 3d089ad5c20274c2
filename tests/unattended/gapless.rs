//! What reaches the sinks: a gapless advance keeping the same pipeline with
//! no hole in the audio and no lost frame, and sinks chosen by the host.

use super::*;

/// Running time (ns) and duration of every buffer reaching `sink`.
fn record_running_times(sink: &gst::Element) -> Arc<Mutex<Vec<(u64, u64)>>> {
    let times = Arc::new(Mutex::new(Vec::new()));
    let t = times.clone();
    let pad = sink.static_pad("sink").unwrap();
    pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
        if let Some(buffer) = info.buffer() {
            let segment = pad
                .sticky_event::<gst::event::Segment>(0)
                .and_then(|e| e.segment().downcast_ref::<gst::ClockTime>().cloned());
            if let (Some(segment), Some(pts)) = (segment, buffer.pts()) {
                if let Some(rt) = segment.to_running_time(pts) {
                    let duration = buffer.duration().map_or(0, |d| d.nseconds());
                    t.lock().unwrap().push((rt.nseconds(), duration));
                }
            }
        }
        gst::PadProbeReturn::Ok
    });
    times
}

/// Whether local playlists play in `playbin` here (GStreamer 1.22 without
/// `FRAMESCOPE_PLAYBIN=playbin3`), which advances with a new pipeline.
pub fn local_items_take_playbin() -> bool {
    framescope::engine::init().unwrap();
    let (major, minor, ..) = gst::version();
    (major, minor) < (1, 24) && std::env::var("FRAMESCOPE_PLAYBIN").as_deref() != Ok("playbin3")
}

pub fn gapless_advance_keeps_the_pipeline_and_leaves_no_gap() {
    if local_items_take_playbin() {
        // The default here: each local item in a `playbin` of its own.
        advance_through_new_playbin_pipelines();
        // The gapless switch itself (playbin3), in a child process so that
        // the environment variable reaches no other test.
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "gapless_advance_keeps_the_pipeline_and_leaves_no_gap",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("FRAMESCOPE_PLAYBIN", "playbin3")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        println!("{text}");
        assert!(
            out.status.success() && text.contains("1 passed"),
            "the gapless switch through playbin3 failed in the child:\n{text}"
        );
        return;
    }
    with_context(|| {
        let player = Player::headless();
        player.set_property("video-sink", "fakesink name=gapless-probe sync=true");
        player.set_property("audio-sink", "fakesink name=gapless-audio sync=true");
        player.set_items(&[
            clip("h264_aac.mp4").display().to_string(),
            h264_aac_ball().display().to_string(),
        ]);
        let seen = record_items(&player);
        let out = record(&player);
        assert!(run_until(Duration::from_secs(10), || player.state()
            == PlayerState::Paused));
        let pipeline = player.pipeline().unwrap();
        let sink = pipeline
            .by_name("gapless-probe")
            .expect("the host's sink is used");
        let times = record_running_times(&sink);
        let audio = record_running_times(&pipeline.by_name("gapless-audio").unwrap());
        player.play();
        assert!(run_until(Duration::from_secs(15), || out.borrow().eos));
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        assert_eq!(*seen.borrow(), [0, 1]);
        assert_eq!(
            player.pipeline().as_ref(),
            Some(&pipeline),
            "the same pipeline played both items"
        );
        assert!(player.uri().unwrap().ends_with("h264_aac_ball.mp4"));
        let times = times.lock().unwrap().clone();
        assert!(
            times.len() >= 110,
            "{} frames reached the sink",
            times.len()
        );
        let frame = 1_000_000_000 / 30;
        let steps: Vec<u64> = times
            .windows(2)
            .map(|w| w[1].0.saturating_sub(w[0].0))
            .collect();
        let (at, worst) = steps
            .iter()
            .copied()
            .enumerate()
            .max_by_key(|s| s.1)
            .unwrap();
        println!(
            "gapless: {} frames, largest step between frames {:.1} ms (after frame {at}): {:?}",
            times.len(),
            worst as f64 / 1e6,
            &times[at.saturating_sub(2)..(at + 3).min(times.len())]
        );
        // Audio runs on without a hole: each buffer starts where the one
        // before ended.
        let audio = audio.lock().unwrap().clone();
        let audio_gap = audio
            .windows(2)
            .map(|w| w[1].0 as i64 - (w[0].0 + w[0].1) as i64)
            .map(i64::abs)
            .max()
            .unwrap();
        println!(
            "gapless: {} audio buffers, largest hole or overlap {:.2} ms",
            audio.len(),
            audio_gap as f64 / 1e6
        );
        assert!(
            audio.len() > 150 && audio_gap <= 1_000_000,
            "audio hole of {:.2} ms",
            audio_gap as f64 / 1e6
        );
        // Video loses no frame: the first item's last frame stays until the
        // second item's first (the first item's audio ran 27 ms longer than
        // its video: AAC padding), never longer than two frames.
        assert!(
            worst <= 2 * frame,
            "a gap of {:.1} ms between frames (one frame is {:.1} ms)",
            worst as f64 / 1e6,
            frame as f64 / 1e6
        );

        // Without gapless the next item gets a new pipeline.
        player.set_gapless(false);
        player.set_current_index(0);
        let first = player.pipeline().unwrap();
        let out = record(&player);
        player.play();
        assert!(run_until(Duration::from_secs(15), || out.borrow().eos));
        assert_eq!(player.current_index(), 1);
        assert_ne!(player.pipeline().unwrap(), first);
    });
}

pub fn host_sinks_are_used_and_a_bad_one_is_explained() {
    with_context(|| {
        let player = Player::headless();
        player.set_property("audio-sink", "fakesink name=host-audio sync=true");
        let uri = framescope::engine::to_uri(&clip("h264_aac.mp4").display().to_string());
        assert!(player
            .describe_pipeline(&uri)
            .contains("audio-sink=\"fakesink name=host-audio sync=true\""));
        let out = record(&player);
        player.open(&clip("h264_aac.mp4").display().to_string());
        player.play();
        assert!(run_until(Duration::from_secs(10), || out.borrow().eos));
        assert!(player.pipeline().unwrap().by_name("host-audio").is_some());

        let player = Player::headless();
        player.set_video_mode(VideoMode::Headless);
        player.set_property("video-sink", "nosuchsink");
        let out = record(&player);
        player.open(&clip("h264_aac.mp4").display().to_string());
        assert!(run_until(Duration::from_secs(5), || !out
            .borrow()
            .errors
            .is_empty()));
        let message = out.borrow().errors[0].message.clone();
        assert!(message.contains("nosuchsink"), "{message}");
    });
}

/// GStreamer 1.22's default for local files: `gapless` on, yet each item
/// plays in a new `playbin` pipeline (1.22's playbin3 crashes on some
/// damaged files; playbin's gapless switch deadlocks), and the list still
/// advances to its end without an error.
fn advance_through_new_playbin_pipelines() {
    with_context(|| {
        let player = Player::headless();
        assert!(player.gapless(), "gapless is on by default");
        player.set_property("video-sink", "fakesink sync=true");
        player.set_property("audio-sink", "fakesink sync=true");
        player.set_items(&[
            clip("h264_aac.mp4").display().to_string(),
            h264_aac_ball().display().to_string(),
        ]);
        let seen = record_items(&player);
        let out = record(&player);
        assert!(run_until(Duration::from_secs(10), || player.state()
            == PlayerState::Paused));
        let first = player.pipeline().unwrap();
        let factory = |p: &gst::Pipeline| p.factory().map(|f| f.name().to_string());
        assert_eq!(factory(&first).as_deref(), Some("playbin"));
        player.play();
        assert!(run_until(Duration::from_secs(15), || out.borrow().eos));
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        assert_eq!(*seen.borrow(), [0, 1]);
        let second = player.pipeline().unwrap();
        assert_ne!(second, first, "the second item got a pipeline of its own");
        assert_eq!(factory(&second).as_deref(), Some("playbin"));
        assert!(player.uri().unwrap().ends_with("h264_aac_ball.mp4"));
    });
}
