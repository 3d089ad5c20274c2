//! HLS on demand: a generated stream played, seeked to the frame and
//! inspected, the corpus's HLS and DASH trees, looping, and faults inside a
//! stream.

use super::*;

pub fn generated_hls_plays_seeks_to_the_frame_and_inspects() {
    with_context(|| {
        let (clip, dir) = generated_hls();
        let server = HttpServer::files(&dir).start();
        let uri = server.url("index.m3u8");
        let (player, out) = open_settled(&uri);
        assert!(
            player.duration() > 9_000_000_000,
            "duration {}",
            player.duration()
        );
        for secs in [6.5, 3.0] {
            let t = gst::ClockTime::from_nseconds((secs * 1e9) as u64);
            let shown = frame_after_seek(&player, t);
            // The TS source starts its timestamps later: compare by offset.
            assert_eq!(shown, Some(clip.frame_at(t)), "HLS seek to {secs} s");
        }
        player.play();
        assert!(run_until(Duration::from_secs(10), || player.position()
            > 7_500_000_000));
        stop_without_errors(&player, &out);
        let report = framescope::inspect::inspect(&uri).expect("the HLS stream inspects");
        let kinds: Vec<&str> = report.streams.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(kinds, ["video"], "{report:?}");
        assert!(
            report.streams[0].codec.contains("H.264"),
            "{:?}",
            report.streams[0]
        );
    });
}

/// The corpus's adaptive trees, served over HTTP: each plays at least 2 s.
pub fn corpus_hls_and_dash_trees_play() {
    let Some(corpus) = corpus() else { return };
    with_context(|| {
        let root = corpus.join("adaptive");
        let server = HttpServer::files(&root).start();
        for entry in [
            "androidx-media/cmaf-multi-segment/playlist.m3u8",
            "androidx-media/cmaf-multi-segment/manifest.mpd",
            "androidx-media/dash-multi-track/sample.mpd",
            "shaka-player/hls-ts-muxed-aac-h264/playlist.m3u8",
            "shaka-player/hls-mp4-muxed-aac-h264/hls.m3u8",
            "shaka-player/dash-multitype-variant/dash.mpd",
        ] {
            if !root.join(entry).exists() {
                println!("    {entry}: not in the corpus, skipped");
                continue;
            }
            let player = Player::headless();
            let out = record(&player);
            player.open(&server.url(entry));
            player.play();
            // (Some trees are short: the end counts too.)
            let played = run_until(Duration::from_secs(30), || {
                player.position() > 2_000_000_000
                    || out.borrow().eos
                    || !out.borrow().errors.is_empty()
            });
            println!(
                "    {entry}: {:.1} s played, {:?}",
                player.position() as f64 / 1e9,
                out.borrow().errors.first().map(|e| e.message.clone())
            );
            assert!(
                played && out.borrow().errors.is_empty(),
                "{entry}: {:?} at {} ns",
                out.borrow().errors,
                player.position()
            );
            player.stop();
        }
    });
}

/// Looping an HLS stream: the adaptive demuxer refuses the segment seeks a
/// seamless loop uses, so seeks are made plainly instead (they land, with
/// no "seeking failed"), and the loop goes round at the end of the stream.
pub fn looping_hls_seeks_and_goes_round() {
    with_context(|| {
        let (_, dir) = generated_hls();
        let server = HttpServer::files(&dir).start();
        let player = Player::headless();
        let out = record(&player);
        player.set_looping(true);
        player.open(&server.url("index.m3u8"));
        player.play();
        assert!(
            run_until(Duration::from_secs(15), || player.state()
                == PlayerState::Playing),
            "the stream did not play: {:?}",
            out.borrow().errors
        );
        player.seek(gst::ClockTime::from_seconds(8));
        assert!(
            run_until(Duration::from_secs(5), || player.position()
                >= 8_000_000_000),
            "the seek to 8 s did not land: at {} ns, warnings {:?}",
            player.position(),
            out.borrow().warnings
        );
        // Past the end (10 s), round again from the start.
        assert!(
            run_until(Duration::from_secs(10), || player.position()
                < 3_000_000_000),
            "the loop did not go round: at {} ns, warnings {:?}",
            player.position(),
            out.borrow().warnings
        );
        println!("    looped back to {:.2} s", player.position() as f64 / 1e9);
        assert!(
            out.borrow()
                .warnings
                .iter()
                .all(|w| !w.contains("Seeking failed")),
            "{:?}",
            out.borrow().warnings
        );
        assert!(!out.borrow().eos, "a looping stream does not end");
        stop_without_errors(&player, &out);
    });
}

/// Faults inside an HLS stream: a segment that answers 404, a playlist that
/// is not one, and a segment whose server stalls. Each ends in one sentence
/// or in recovery, never in a player stuck loading.
pub fn hls_faults_end_in_a_sentence_or_recover() {
    with_context(|| {
        let (_, dir) = generated_hls();

        // A missing segment in the middle.
        let server = HttpServer::files(&dir).refuse("segment00002.ts").start();
        let player = Player::headless();
        let out = record(&player);
        player.open(&server.url("index.m3u8"));
        player.play();
        let settled = run_until(Duration::from_secs(25), || {
            out.borrow().eos || !out.borrow().errors.is_empty()
        });
        println!(
            "    404 segment: eos {}, errors {:?}, reached {:.1} s",
            out.borrow().eos,
            out.borrow().errors.first().map(|e| e.message.clone()),
            out.borrow().max_position as f64 / 1e9
        );
        assert!(
            settled,
            "a 404 segment left the player {:?}",
            player.state()
        );
        if let Some(error) = out.borrow().errors.first() {
            assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
            assert!(
                error.message.contains("could not be downloaded") && error.message.ends_with('.'),
                "{}",
                error.message
            );
        }
        player.stop();

        // A "playlist" that is not one.
        let junk = tempfile::tempdir().unwrap();
        std::fs::write(
            junk.path().join("index.m3u8"),
            "this is not a playlist\n".repeat(50),
        )
        .unwrap();
        let server = HttpServer::files(junk.path()).start();
        let (error, took) = {
            let player = Player::headless();
            let out = record(&player);
            let start = Instant::now();
            player.open(&server.url("index.m3u8"));
            player.play();
            run_until(Duration::from_secs(15), || !out.borrow().errors.is_empty());
            let error = out.borrow().errors.first().cloned();
            player.stop();
            (error, start.elapsed())
        };
        let error = error.expect("a broken playlist ends in an error");
        println!("    broken playlist: {} ({took:?})", error.message);
        assert!(error.message.ends_with('.'), "{}", error.message);

        // A segment whose server stalls: the watchdog restarts the stream.
        let server = HttpServer::files(&dir)
            .on_path("segment00001.ts", Fault::StallAfter(2000))
            .start();
        let player = Player::headless();
        player.set_max_restarts(3);
        player.set_stall_timeout(2000);
        player.set_restart_delay(300);
        let out = record(&player);
        player.open(&server.url("index.m3u8"));
        player.play();
        let restarted = run_until(Duration::from_secs(30), || player.restarts() > 0);
        println!(
            "    stalled segment: {} restart(s), {} stall(s), state {:?}",
            player.restarts(),
            player.stalls(),
            player.state()
        );
        assert!(
            restarted,
            "a stalled segment was not restarted ({:?})",
            out.borrow().errors
        );
        player.stop();

        // A playlist that never ends arriving (the server sends its start,
        // then nothing more, the connection held open): one sentence, in
        // bounded time, the player not stuck loading.
        let server = HttpServer::files(&dir)
            .on_path("index.m3u8", Fault::StallAfter(60))
            .start();
        let player = Player::headless();
        let out = record(&player);
        let start = Instant::now();
        player.open(&server.url("index.m3u8"));
        player.play();
        let ended = run_until(Duration::from_secs(40), || !out.borrow().errors.is_empty());
        let took = start.elapsed();
        let error = out.borrow().errors.first().cloned();
        println!(
            "    endless playlist: {:?} ({took:?})",
            error.as_ref().map(|e| e.message.clone())
        );
        assert!(
            ended,
            "an endless playlist left the player {:?}",
            player.state()
        );
        let error = error.unwrap();
        assert!(
            error.message.ends_with('.') && !error.message.contains('\n'),
            "{}",
            error.message
        );
        player.stop();
    });
}
