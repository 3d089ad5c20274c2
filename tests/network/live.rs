//! Live adaptive streams: a dynamic DASH manifest, HLS discontinuities and
//! EVENT playlists, and a live HLS stream's live edge.

use super::*;

/// A live DASH stream: `dashsink` writes a dynamic manifest (a template of
/// one-second MPEG-TS segments counted from its availability start) while a
/// live source plays; the player starts without waiting for a buffer it
/// cannot fill past the live edge, plays on in real time, reports a live
/// stream with a window, and after a pause "go to live edge" lands within
/// 1.5 s of the window's end.
pub fn dynamic_dash_plays_live() {
    // The server's Date header, which the DASH demuxer sets its clock by.
    let at = |secs| std::time::UNIX_EPOCH + Duration::from_secs(secs);
    assert_eq!(
        common::http::http_date(at(1_796_196_765)),
        "Wed, 02 Dec 2026 07:32:45 GMT"
    );
    assert_eq!(
        common::http::http_date(at(1_709_251_199)),
        "Thu, 29 Feb 2024 23:59:59 GMT"
    );
    with_context(|| {
        let dir = tempfile::tempdir().unwrap();
        let sender = Sender::launch(&format!(
            "{} ! h264parse \
             ! dashsink dynamic=true target-duration=1 muxer=ts mpd-root-path={}",
            live_h264(320, 240, 30, 30),
            dir.path().display()
        ));
        let manifest = dir.path().join("dash.mpd");
        assert!(
            run_until(Duration::from_secs(10), || std::fs::read_to_string(
                &manifest
            )
            .is_ok_and(|t| t.contains("type=\"dynamic\""))
                && std::fs::read_dir(dir.path()).map_or(0, |d| d.count()) >= 4),
            "the sender wrote no dynamic manifest"
        );
        let server = HttpServer::files(dir.path()).start();
        let player = Player::headless();
        let out = record(&player);
        player.open(&server.url("dash.mpd"));
        player.play();
        assert!(
            run_until(Duration::from_secs(15), || player.state()
                == PlayerState::Playing
                && player.current_frame().is_some()),
            "the live manifest did not play ({:?}, buffering {} %, duration {}, live {}, {:?})",
            player.state(),
            player.buffering_percent(),
            player.duration(),
            player.is_live_stream(),
            out.borrow().errors
        );
        assert!(
            player.is_live_stream(),
            "a dynamic manifest is a live stream"
        );
        let from = player.position();
        run_until(Duration::from_secs(3), || false);
        let played = player.position().saturating_sub(from) as f64 / 1e9;
        let segments: Vec<String> = server
            .log()
            .iter()
            .filter(|l| l.path.ends_with(".ts"))
            .map(|l| l.path.clone())
            .collect();
        println!(
            "    played {played:.2} s in 3 s; segments fetched {segments:?}; window {:?}",
            player.seekable_range()
        );
        assert!(
            (2.0..=4.0).contains(&played),
            "a live stream plays in real time: {played} s in 3 s"
        );
        assert!(
            player.seekable_range().is_some(),
            "a live window to seek in"
        );
        player.stop();

        // Low latency (2 s asked): the demuxer joins 2 s behind the live
        // edge instead of its 10 s default; paused 4 s playback falls
        // behind, and "go to live edge" (the manifest opened again) is 2 s
        // behind once more.
        let behind_edge = |player: &Player| {
            player.seekable_range().map_or(f64::NAN, |(_, end)| {
                (end.nseconds() as f64 - player.position() as f64) / 1e9
            })
        };
        let player = Player::headless();
        let out = record(&player);
        player.set_live_latency_ms(2000);
        player.open(&server.url("dash.mpd"));
        player.play();
        assert!(
            run_until(Duration::from_secs(15), || player.state()
                == PlayerState::Playing
                && player.position() > 0),
            "the live manifest did not play with 2 s latency ({:?}, {:?})",
            player.state(),
            out.borrow().errors
        );
        run_until(Duration::from_secs(1), || false);
        let joined = behind_edge(&player);
        player.pause();
        run_until(Duration::from_secs(4), || false);
        player.play();
        run_until(Duration::from_millis(500), || false);
        let paused = behind_edge(&player);
        assert!(player.go_to_live_edge());
        let back = run_until(Duration::from_secs(10), || {
            player.state() == PlayerState::Playing && behind_edge(&player) < paused - 2.0
        });
        println!(
            "    behind the live edge: {joined:.2} s on joining, {paused:.2} s after a 4 s pause, {:.2} s after going to the edge",
            behind_edge(&player)
        );
        assert!(joined < 4.0, "joined {joined} s behind with 2 s asked");
        assert!(
            paused > joined + 3.0,
            "the pause left it behind: {paused} s"
        );
        assert!(
            back,
            "going to the live edge did not catch up: {:.2} s behind",
            behind_edge(&player)
        );
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        assert_eq!(player.state(), PlayerState::Playing);
        player.stop();
        drop(sender);
    });
}

/// HLS playlists of other shapes, over one variant's 2 s segments (numbered
/// frames 0 to 299): a discontinuity (segments 0-1, then 0-1 again, their
/// timestamps starting over) plays through to its end, 8 s, the numbers
/// starting again after it; and an EVENT playlist (no end yet) is a live
/// stream whose window starts at its first segment, where a seek into
/// that DVR window lands on the frame.
pub fn hls_discontinuities_and_event_playlists_play() {
    with_context(|| {
        let dir = generated_variant_hls().join("low");
        let segment = |n: u32| format!("#EXTINF:2.0,\nsegment{n:05}.ts\n");
        std::fs::write(
            dir.join("discontinuity.m3u8"),
            format!(
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n\
                 {}{}#EXT-X-DISCONTINUITY\n{}{}#EXT-X-ENDLIST\n",
                segment(0),
                segment(1),
                segment(0),
                segment(1)
            ),
        )
        .unwrap();
        std::fs::write(
            dir.join("event.m3u8"),
            format!(
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n\
                 #EXT-X-PLAYLIST-TYPE:EVENT\n{}{}{}{}{}",
                segment(0),
                segment(1),
                segment(2),
                segment(3),
                segment(4)
            ),
        )
        .unwrap();
        let server = HttpServer::files(&dir).start();
        let frame = |player: &Player| player.current_frame().and_then(|s| frame_number(&s));

        // Across the discontinuity, to the end.
        let player = Player::headless();
        let out = record(&player);
        player.open(&server.url("discontinuity.m3u8"));
        player.play();
        let mut numbers = Vec::new();
        let ended = run_until(Duration::from_secs(20), || {
            if let Some(n) = frame(&player) {
                if numbers.last() != Some(&n) {
                    numbers.push(n);
                }
            }
            out.borrow().eos || !out.borrow().errors.is_empty()
        });
        let restarts = numbers.windows(2).filter(|w| w[1] + 30 < w[0]).count();
        println!(
            "    discontinuity: ended {ended}, {} frames seen, numbering started over {restarts} time(s), last {:?}",
            numbers.len(),
            numbers.last()
        );
        assert!(
            ended && out.borrow().eos,
            "did not play to the end: {:?}",
            out.borrow().errors
        );
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        assert_eq!(restarts, 1, "the numbers start over once: {numbers:?}");
        assert!(
            numbers.last().is_some_and(|&n| (110..=119).contains(&n)),
            "the second part plays to its last frames: {numbers:?}"
        );
        player.stop();

        // An event playlist: live, with a window from its first segment.
        let player = Player::headless();
        let out = record(&player);
        player.open(&server.url("event.m3u8"));
        player.play();
        assert!(
            run_until(Duration::from_secs(15), || player.state()
                == PlayerState::Playing
                && frame(&player).is_some()),
            "the event playlist did not play: {:?}",
            out.borrow().errors
        );
        assert!(
            player.is_live_stream(),
            "an event playlist without its end is live"
        );
        let window = player.seekable_range();
        println!(
            "    event playlist window {window:?}, at frame {:?}",
            frame(&player)
        );
        let (start, _) = window.expect("an event playlist has a window to seek in");
        assert!(
            start < gst::ClockTime::from_seconds(1),
            "the window starts at its first segment: {window:?}"
        );
        player.seek(gst::ClockTime::from_seconds(1));
        assert!(
            run_until(Duration::from_secs(10), || frame(&player)
                .is_some_and(|n| (29..=40).contains(&n))),
            "the seek to 1 s in the window showed frame {:?}",
            frame(&player)
        );
        stop_without_errors(&player, &out);
    });
}

/// A live HLS stream (a playlist of the last 5 one-second segments, written
/// as the numbered clip plays in real time): it is a live stream with a
/// window to seek in; paused 4 s and resumed it plays behind the sender, and
/// "go to live edge" jumps forward to the newest segments.
pub fn live_hls_goes_to_its_live_edge() {
    with_context(|| {
        let dir = tempfile::tempdir().unwrap();
        let (sender, playlist) = live_hls_sender(&numbered_ts_in_real_time(), dir.path());
        let segments = || hls_segments(&playlist);
        assert!(
            run_until(Duration::from_secs(10), || segments() >= 3),
            "the sender wrote no live playlist"
        );
        let server = HttpServer::files(dir.path()).start();
        let player = Player::headless();
        let out = record(&player);
        player.open(&server.url("live.m3u8"));
        player.play();
        let frame = || player.current_frame().and_then(|s| frame_number(&s));
        assert!(
            run_until(Duration::from_secs(15), || player.state()
                == PlayerState::Playing
                && frame().is_some()),
            "the live playlist did not play ({:?}, {:?})",
            player.state(),
            out.borrow().errors
        );
        assert!(player.is_live_stream(), "a live playlist is a live stream");
        let window = player.seekable_range();
        println!("    seekable window {window:?}");
        assert!(window.is_some(), "a live playlist has a window to seek in");

        player.pause();
        run_until(Duration::from_secs(4), || false);
        player.play();
        run_until(Duration::from_secs(1), || false);
        let behind = frame().expect("a frame after resuming");
        assert!(player.go_to_live_edge());
        let jumped = run_until(Duration::from_secs(10), || {
            frame().is_some_and(|n| n >= behind + 60)
        });
        println!(
            "    frame {behind} after the pause, {:?} after going to the live edge",
            frame()
        );
        assert!(jumped, "the live edge is not ahead of frame {behind}");
        stop_without_errors(&player, &out);
        drop(sender);

        // A file has no live edge: refused with a sentence.
        let (clip, path) = served_clip();
        let _ = clip;
        let player = Player::headless();
        let out = record(&player);
        player.open(&path.display().to_string());
        assert!(wait_settled(&player));
        assert!(!player.go_to_live_edge());
        assert!(out
            .borrow()
            .warnings
            .iter()
            .any(|w| w.contains("not a live stream")));
    });
}
