//! The watchdog against servers on 127.0.0.1 that fail, stall, are killed
//! and started again or never answer, a picture freezing under running
//! audio, and a live UDP sender going quiet: restarts on the backoff
//! schedule, counters matching the `restarting` signals.

use super::*;

pub fn watchdog_restarts_after_errors_on_its_backoff_schedule() {
    with_context(|| {
        let data = std::fs::read(six_seconds_ts()).unwrap();
        let rate = data.len() / 3;
        let server = HttpServer::bytes(data, "video/mp2t")
            .rate(rate)
            .plan([Fault::Status(404), Fault::Status(500)])
            .start();
        let player = watchdog_player(5, 300, 3000);
        let restarts = record_restarts(&player);
        let out = record(&player);
        player.open(&server.url("clip.ts"));
        player.play();
        assert!(
            plays_on(&player, Duration::from_secs(20)),
            "state {:?}",
            player.state()
        );
        let seen: Vec<(u32, u32)> = restarts.borrow().iter().map(|r| (r.0, r.1)).collect();
        assert_eq!(seen, [(1, 300), (2, 600)]);
        assert_eq!(player.restarts(), 2);
        assert_eq!(player.errors(), 2);
        assert!(
            out.borrow().errors.is_empty(),
            "recovered errors are not reported"
        );
        let requests = server.requests();
        assert_eq!(requests.len(), 3, "one request per try");
        for (i, delay) in [(1, 300u64), (2, 600)] {
            let waited = requests[i].duration_since(requests[i - 1]);
            println!(
                "try {} came {:?} after the failure before it (delay {delay} ms)",
                i + 1,
                waited
            );
            assert!(waited >= Duration::from_millis(delay), "{waited:?}");
            assert!(waited < Duration::from_millis(delay + 1500), "{waited:?}");
        }
    });
}

pub fn watchdog_restarts_a_stalled_stream() {
    with_context(|| {
        let data = std::fs::read(six_seconds_ts()).unwrap();
        let rate = data.len() / 3;
        // One second's worth of the clip, then silence on an open connection.
        let server = HttpServer::bytes(data.clone(), "video/mp2t")
            .rate(rate)
            .plan([Fault::StallAfter(data.len() / 6)])
            .start();
        let player = watchdog_player(5, 200, 1000);
        let restarts = record_restarts(&player);
        player.open(&server.url("clip.ts"));
        player.play();
        assert!(run_until(Duration::from_secs(15), || player.stalls() >= 1));
        let stalled_at = Instant::now();
        assert!(
            plays_on(&player, Duration::from_secs(20)),
            "state {:?}",
            player.state()
        );
        println!(
            "recovered {:?} after the stall was detected",
            stalled_at.elapsed()
        );
        assert_eq!(player.stalls(), 1);
        assert_eq!(player.restarts(), 1);
        assert_eq!(restarts.borrow().len(), 1);
        assert_eq!(server.requests().len(), 2);
        let waited = server.requests()[1].duration_since(restarts.borrow()[0].2);
        assert!(
            waited >= Duration::from_millis(200) && waited < Duration::from_millis(1700),
            "{waited:?}"
        );
    });
}

pub fn watchdog_survives_a_server_killed_mid_stream_and_restarted() {
    with_context(|| {
        let data = std::fs::read(six_seconds_ts()).unwrap();
        let rate = data.len() / 4;
        let server = HttpServer::bytes(data, "video/mp2t").rate(rate).start();
        let player = watchdog_player(10, 250, 1500);
        let restarts = record_restarts(&player);
        let out = record(&player);
        player.open(&server.url("clip.ts"));
        player.play();
        assert!(plays_on(&player, Duration::from_secs(15)));
        server.kill();
        let killed_at = Instant::now();
        // Down for 2.5 s: the watchdog notices and keeps trying.
        assert!(run_until(Duration::from_secs(10), || player.restarts() >= 1));
        run_until(
            Duration::from_millis(2500).saturating_sub(killed_at.elapsed()),
            || false,
        );
        server.restart();
        let back_at = Instant::now();
        assert!(
            plays_on(&player, Duration::from_secs(20)),
            "state {:?}",
            player.state()
        );
        let recovered = back_at.elapsed();
        let seen = restarts.borrow().clone();
        println!(
            "killed for 2.5 s: {} restarts ({:?}), playing again {:?} after the server came back",
            seen.len(),
            seen.iter().map(|r| r.1).collect::<Vec<_>>(),
            recovered
        );
        assert_eq!(
            player.restarts() as usize,
            seen.len(),
            "counter matches the signals"
        );
        // Each restart waited its backoff delay: 250, 500, 1000, then 1000.
        for (i, r) in seen.iter().enumerate() {
            assert_eq!(r.0 as usize, i + 1);
            assert_eq!(r.1, framescope::engine::testing::backoff(r.0, 250, 1000));
        }
        // Back within the longest delay plus the time to open and stall-check.
        assert!(
            recovered < Duration::from_millis(1000 + 1500 + 3000),
            "{recovered:?}"
        );
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        assert!(player.errors() + player.stalls() >= player.restarts());
    });
}

pub fn watchdog_gives_up_after_max_restarts() {
    with_context(|| {
        let server = HttpServer::bytes(Vec::new(), "video/mp2t")
            .rate(1000)
            .plan([Fault::Status(404); 10])
            .start();
        let player = watchdog_player(3, 100, 1000);
        let restarts = record_restarts(&player);
        let out = record(&player);
        player.open(&server.url("missing.ts"));
        player.play();
        assert!(run_until(Duration::from_secs(10), || !out
            .borrow()
            .errors
            .is_empty()));
        assert_eq!(
            restarts.borrow().iter().map(|r| r.0).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(player.state(), PlayerState::Error);
        assert_eq!(player.errors(), 4);
        assert_eq!(player.restarts(), 3);
        assert_eq!(server.requests().len(), 4);
        let detail = out.borrow().errors[0].detail.clone();
        assert!(detail.contains("gave up after 3 restarts"), "{detail}");
    });
}

/// The video freezes while its audio plays on (an `identity` in the video
/// filter starts dropping every frame): that is a stall, though the position
/// moves. The watchdog is turned on only once playback runs, which must take
/// effect at once; the restart keeps counting frames from where they were.
pub fn watchdog_catches_a_frozen_picture_under_running_audio() {
    with_context(|| {
        let player = Player::headless();
        player.set_video_filter(Some("identity name=freezer"));
        let restarts = record_restarts(&player);
        player.open(&six_seconds_ts().display().to_string());
        player.play();
        assert!(plays_on(&player, Duration::from_secs(10)));
        // Switched on while playing.
        player.set_max_restarts(3);
        player.set_restart_delay(200);
        player.set_stall_timeout(1000);
        let freezer = player
            .pipeline()
            .and_then(|p| p.by_name("freezer"))
            .expect("the video filter is in the pipeline");
        let before = rendered(&player);
        let position_before = player.position();
        freezer.set_property("drop-probability", 1.0f32);
        let frozen_at = Instant::now();
        assert!(
            run_until(Duration::from_secs(5), || player.stalls() >= 1),
            "a frozen picture with audio going on was not taken for a stall"
        );
        let detected = frozen_at.elapsed();
        assert!(
            player.position() > position_before,
            "the audio did not go on over the frozen picture"
        );
        assert!(
            detected >= Duration::from_millis(1000) && detected < Duration::from_millis(2500),
            "stall detected {detected:?} after the freeze (timeout 1 s)"
        );
        // The rebuilt pipeline has a new filter that lets frames through.
        assert!(plays_on(&player, Duration::from_secs(10)));
        assert_eq!(player.restarts(), 1);
        assert_eq!(restarts.borrow().len(), 1);
        assert!(
            rendered(&player) > before + 15,
            "frames counted before the restart were lost: {} then {}",
            before,
            rendered(&player)
        );
        println!(
            "freeze detected after {detected:?}; {before} frames before, {} after",
            rendered(&player)
        );
        player.stop();
    });
}

/// A live MPEG-TS sender on UDP goes quiet (no end of stream ever comes);
/// the watchdog sees no new frame, keeps restarting on its schedule while the
/// sender is away, and playback is back soon after the sender is.
pub fn watchdog_restarts_a_live_udp_stream_that_goes_quiet() {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    drop(socket);
    gst::init().unwrap();
    let start_sender = || {
        let sender = gst::parse::launch(&format!(
            "{} ! mpegtsmux ! udpsink host=127.0.0.1 port={port}",
            live_h264(160, 120, 25, 10)
        ))
        .unwrap();
        sender.set_state(gst::State::Playing).unwrap();
        sender
    };
    let sender = start_sender();
    with_context(|| {
        let player = watchdog_player(20, 250, 1000);
        let restarts = record_restarts(&player);
        let out = record(&player);
        player.open(&format!("udp://127.0.0.1:{port}"));
        player.play();
        assert!(
            plays_on(&player, Duration::from_secs(10)),
            "state {:?}, errors {:?}",
            player.state(),
            out.borrow().errors
        );
        sender.set_state(gst::State::Null).unwrap();
        let quiet_at = Instant::now();
        assert!(
            run_until(Duration::from_secs(6), || player.restarts() >= 1),
            "a quiet live source was never restarted"
        );
        let first = restarts.borrow()[0].2.duration_since(quiet_at);
        // Away for 5 s in all.
        run_until(
            Duration::from_secs(5).saturating_sub(quiet_at.elapsed()),
            || false,
        );
        let sender = start_sender();
        let back_at = Instant::now();
        assert!(
            plays_on(&player, Duration::from_secs(15)),
            "state {:?}, errors {:?}",
            player.state(),
            out.borrow().errors
        );
        let recovered = back_at.elapsed();
        let seen = restarts.borrow().clone();
        println!(
            "quiet for 5 s: first restart {first:?} after, {} restarts ({:?}), playing again {recovered:?} after the sender came back",
            seen.len(),
            seen.iter().map(|r| r.1).collect::<Vec<_>>()
        );
        // The stall timeout (1 s) plus what was still in flight.
        assert!(
            first >= Duration::from_millis(1000) && first < Duration::from_millis(3500),
            "{first:?}"
        );
        assert!(seen.len() >= 2, "one restart in 5 s away: {seen:?}");
        assert_eq!(player.restarts() as usize, seen.len());
        for (i, r) in seen.iter().enumerate() {
            assert_eq!(r.0 as usize, i + 1, "restarts in a row are numbered");
            assert_eq!(r.1, framescope::engine::testing::backoff(r.0, 250, 1000));
        }
        // Restart n+1 comes its delay plus a stall timeout after restart n.
        for pair in seen.windows(2) {
            let gap = pair[1].2.duration_since(pair[0].2);
            let floor = Duration::from_millis(u64::from(pair[0].1) + 1000);
            assert!(
                gap >= floor && gap < floor + Duration::from_millis(1500),
                "restarts {gap:?} apart, at least {floor:?} expected"
            );
        }
        // Within the longest delay (1 s) plus opening and the stall check.
        assert!(recovered < Duration::from_secs(5), "{recovered:?}");
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        player.stop();
        sender.set_state(gst::State::Null).unwrap();
    });
}
