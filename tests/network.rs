//! Network sources against real servers on 127.0.0.1 that the tests start
//! and stop (`tests/common/http/`), headless with real pipelines:
//! HTTP progressive download with `Range` (an accurate seek into a remote
//! MP4 lands on its frame, read from the pixels, and asks for a byte range),
//! redirects followed and a redirect loop refused, Basic credentials (401
//! without, playing with `user:password@`, the password in no message or
//! report), servers that are not there (a port where nothing listens, a
//! host that does not resolve, a 404), a generated HLS stream played and
//! seeked to the exact frame and inspected, and the corpus's HLS and DASH
//! trees (skipped with a message when the corpus is absent).

mod common;

use common::framecode::{frame_number, FrameClip};
use common::http::{closed_port, Fault, HttpServer};
use common::*;
use framescope::engine::{ErrorKind, Player, PlayerState};
use gio::prelude::*;
use gst::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A 10 s numbered H.264 MP4 (keyframe each second) in a folder of its own
/// for the server.
fn served_clip() -> (FrameClip, PathBuf) {
    let clip = net_numbered_clip();
    let path = clip.path();
    (clip, path)
}

fn folder_of(path: &Path) -> (PathBuf, String) {
    (
        path.parent().unwrap().to_path_buf(),
        path.file_name().unwrap().to_string_lossy().into_owned(),
    )
}

/// Opens `uri` and waits until it is paused and settled, or fails.
fn open_settled(uri: &str) -> (Player, std::rc::Rc<std::cell::RefCell<Outcome>>) {
    let player = Player::headless();
    let out = record(&player);
    player.open(uri);
    let ok = run_until(Duration::from_secs(20), || {
        (player.state() == PlayerState::Paused && player.is_settled())
            || !out.borrow().errors.is_empty()
    });
    assert!(
        ok && out.borrow().errors.is_empty(),
        "{uri}: did not open ({:?}, state {:?})",
        out.borrow().errors,
        player.state()
    );
    (player, out)
}

/// Seeks accurately to `t` and returns the frame number on screen.
fn frame_after_seek(player: &Player, t: gst::ClockTime) -> Option<u32> {
    player.seek(t);
    assert!(
        wait_settled(player),
        "the seek to {t} did not settle (state {:?}, settled {}, seekable {}, position {})",
        player.state(),
        player.is_settled(),
        player.seekable(),
        player.position()
    );
    frame_number(&player.current_frame()?)
}

/// The first error within `limit`, and how long it took.
fn first_error(uri: &str, limit: Duration) -> (Option<framescope::engine::PlayerError>, Duration) {
    let player = Player::headless();
    let out = record(&player);
    let start = Instant::now();
    player.open(uri);
    player.play();
    run_until(limit, || !out.borrow().errors.is_empty());
    let error = out.borrow().errors.first().cloned();
    player.stop();
    (error, start.elapsed())
}

#[test]
fn http_seek_uses_a_byte_range_and_lands_on_the_frame() {
    with_context(|| {
        let (clip, path) = served_clip();
        let (root, name) = folder_of(&path);
        let server = HttpServer::files(&root).start();
        let (player, _out) = open_settled(&server.url(&name));
        assert!(player.seekable(), "a remote MP4 with Range is seekable");
        for secs in [7.5, 2.2, 9.0] {
            let t = gst::ClockTime::from_nseconds((secs * 1e9) as u64);
            let want = clip.frame_at(t);
            assert_eq!(
                frame_after_seek(&player, t),
                Some(want),
                "seek to {secs} s over HTTP"
            );
        }
        let log = server.log();
        let ranged = log.iter().filter(|l| {
            l.path.ends_with(&name)
                && l.range
                    .as_deref()
                    .and_then(|r| r.strip_prefix("bytes="))
                    .and_then(|r| r.split('-').next())
                    .and_then(|n| n.parse::<u64>().ok())
                    .is_some_and(|start| start > 0)
        });
        assert!(
            ranged.count() > 0,
            "no request for a byte range past the start: {log:?}"
        );
        player.stop();
    });
}

#[test]
fn redirects_are_followed_and_a_loop_is_refused() {
    with_context(|| {
        let (clip, path) = served_clip();
        let (root, name) = folder_of(&path);
        let server = HttpServer::files(&root)
            .redirect("old/location.mp4", "moved.mp4")
            .redirect("moved.mp4", &name)
            .start();
        let (player, _) = open_settled(&server.url("old/location.mp4"));
        let t = gst::ClockTime::from_seconds(5);
        assert_eq!(frame_after_seek(&player, t), Some(clip.frame_at(t)));
        player.stop();

        server.redirect("loop-a", "loop-b");
        server.redirect("loop-b", "loop-a");
        let (error, took) = first_error(&server.url("loop-a"), Duration::from_secs(15));
        let error = error.expect("a redirect loop ends in an error");
        println!(
            "    redirect loop: {} ({took:?}) [{}]",
            error.message, error.detail
        );
        assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
        assert!(
            error.message.contains("keeps redirecting") && error.message.ends_with('.'),
            "{}",
            error.message
        );
        assert!(took < Duration::from_secs(10), "took {took:?}");
    });
}

#[test]
fn credentials_are_asked_for_used_and_never_shown() {
    with_context(|| {
        let (clip, path) = served_clip();
        let (root, name) = folder_of(&path);
        let server = HttpServer::files(&root)
            .credentials("viewer", "s3cret-pw")
            .start();

        let (error, _) = first_error(&server.url(&name), Duration::from_secs(10));
        let error = error.expect("a 401 ends in an error");
        println!("    401: {}", error.message);
        assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
        assert!(
            error.message.contains("user name and password"),
            "the sentence says what is missing: {}",
            error.message
        );
        assert!(error.needs_credentials, "the app would ask: {error:?}");

        let with = server.url_with_credentials("viewer", "s3cret-pw", &name);
        let (player, _) = open_settled(&with);
        let t = gst::ClockTime::from_seconds(3);
        assert_eq!(frame_after_seek(&player, t), Some(clip.frame_at(t)));
        player.stop();

        let wrong = server.url_with_credentials("viewer", "wrong-pw", &name);
        let (error, _) = first_error(&wrong, Duration::from_secs(10));
        let error = error.expect("wrong credentials end in an error");
        for text in [&error.message, &error.detail] {
            assert!(!text.contains("wrong-pw"), "password shown: {text}");
        }
        let report = framescope::inspect::inspect(&with).expect("inspects with credentials");
        let json = serde_json::to_string(&report).unwrap();
        assert!(!json.contains("s3cret-pw"), "password in inspect: {json}");
        assert_eq!(report.streams.len(), 1, "{json}");
    });
}

#[test]
fn servers_that_are_not_there_end_in_one_sentence_quickly() {
    with_context(|| {
        // A port where nothing listens.
        let port = closed_port();
        let (root, _) = folder_of(&served_clip().1);
        let server = HttpServer::files(&root).start();
        for (uri, kind, says) in [
            (
                format!("http://127.0.0.1:{port}/clip.mp4"),
                ErrorKind::Network,
                "nothing is listening",
            ),
            (
                "http://no-such-host.invalid/clip.mp4".to_string(),
                ErrorKind::Network,
                "“no-such-host.invalid”",
            ),
            (
                server.url("missing/clip.mp4"),
                ErrorKind::NotFound,
                "was not found",
            ),
        ] {
            let (error, took) = first_error(&uri, Duration::from_secs(20));
            let error = error.unwrap_or_else(|| panic!("{uri}: no error"));
            println!("    {uri}: {} ({took:?})", error.message);
            assert_eq!(error.kind, kind, "{uri}: {error:?}");
            assert!(error.message.contains(says), "{uri}: {}", error.message);
            assert!(
                error.message.ends_with('.') && !error.message.contains('\n'),
                "{uri}: {}",
                error.message
            );
            assert!(took < Duration::from_secs(15), "{uri}: took {took:?}");
        }
    });
}

#[test]
fn generated_hls_plays_seeks_to_the_frame_and_inspects() {
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
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        player.stop();
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
#[test]
fn corpus_hls_and_dash_trees_play() {
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

/// A headless player playing `uri`, a stream of two variants, once it
/// lists both and plays (15 s at most).
fn play_two_variants(uri: &str) -> (Player, std::rc::Rc<std::cell::RefCell<Outcome>>) {
    let player = Player::headless();
    let out = record(&player);
    player.open(uri);
    player.play();
    assert!(
        run_until(Duration::from_secs(15), || player.variants().len() == 2
            && player.state() == PlayerState::Playing),
        "variants {:?}, state {:?}, errors {:?}",
        player.variants(),
        player.state(),
        out.borrow().errors
    );
    (player, out)
}

/// Back to 1 s when past 5 s, so that there is room to play on in the 10 s
/// stream.
fn room_to_play_on(player: &Player) {
    if player.position() > 5_000_000_000 {
        player.seek(gst::ClockTime::from_seconds(1));
        run_until(Duration::from_secs(5), || player.position() < 3_000_000_000);
    }
}

/// A numbered frame is on screen within 3 s (`what` names the case).
fn shows_a_numbered_frame(player: &Player, what: &str) {
    assert!(
        run_until(Duration::from_secs(3), || player
            .current_frame()
            .and_then(|s| frame_number(&s))
            .is_some()),
        "{what}: no numbered frame"
    );
}

/// A two-variant HLS stream: both variants listed from the master
/// playlist, the bandwidth measured, and each variant chosen by hand
/// plays (its picture size) with the numbered frames going on; then the
/// demuxer chooses again.
#[test]
fn hls_variants_are_listed_measured_and_chosen() {
    with_context(|| {
        let dir = generated_variant_hls();
        let server = HttpServer::files(&dir).start();
        let (player, out) = play_two_variants(&server.url("master.m3u8"));
        let variants = player.variants();
        assert_eq!(variants[0].bandwidth, 400_000);
        assert_eq!(variants[1].label(), "640x480, 1.6 Mb/s");
        // The list model says the same.
        let model = player.variants_model();
        let items: Vec<framescope::engine::VariantItem> = (0..model.n_items())
            .filter_map(|i| model.item(i).and_downcast())
            .collect();
        assert_eq!(
            items.iter().filter_map(|v| v.variant()).collect::<Vec<_>>(),
            variants
        );
        assert_eq!(
            (items[1].width(), items[1].height(), items[1].bandwidth()),
            (640, 480, 1_600_000)
        );
        assert_eq!(items[1].label(), "640x480, 1.6 Mb/s");
        assert!(
            run_until(Duration::from_secs(5), || player.bandwidth() > 0.0),
            "no bandwidth measured"
        );
        println!(
            "    measured {:.1} Mb/s; playing {:?}",
            player.bandwidth() / 1e6,
            player.video_size()
        );
        for (index, height) in [(1, 480), (0, 240), (1, 480)] {
            room_to_play_on(&player);
            player.select_variant(Some(index)).unwrap();
            assert!(
                run_until(Duration::from_secs(15), || player
                    .video_size()
                    .is_some_and(|s| s.height == height)),
                "variant {index}: still {:?} at {} ns",
                player.video_size(),
                player.position()
            );
            assert_eq!(player.current_variant(), Some(index));
            println!(
                "    variant {index}: {:?} at {:.2} s",
                player.video_size().map(|s| (s.width, s.height)),
                player.position() as f64 / 1e9
            );
            shows_a_numbered_frame(&player, &format!("variant {index}"));
        }
        assert!(player.select_variant(Some(5)).is_err());
        player.select_variant(None).unwrap();
        assert_eq!(player.chosen_variant(), None);
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        player.stop();
    });
}

/// A DASH manifest with two representations of one video: both listed;
/// choosing one by hand holds the demuxer to it (the picture size follows
/// at a segment boundary, the numbered frames go on) without loading the
/// stream again; then the demuxer chooses again.
#[test]
fn dash_representations_are_listed_and_chosen() {
    with_context(|| {
        let dir = generated_variant_dash();
        let server = HttpServer::files(&dir).start();
        let (player, out) = play_two_variants(&server.url("dash.mpd"));
        assert_eq!(player.variants()[0].label(), "320x240, 400 kb/s");
        assert!(player.variants().iter().all(|v| v.uri.is_none()));
        let manifest_requests = || {
            server
                .log()
                .iter()
                .filter(|r| r.path.ends_with("dash.mpd"))
                .count()
        };
        let manifests_before = manifest_requests();
        println!("    playing {:?} at first", player.video_size());
        // The other representation first, then back.
        let first = if player.video_size().is_some_and(|s| s.height == 240) {
            1
        } else {
            0
        };
        for index in [first, 1 - first] {
            let height = [240, 480][index];
            room_to_play_on(&player);
            player.select_variant(Some(index)).unwrap();
            assert_eq!(player.current_variant(), Some(index));
            assert!(
                run_until(Duration::from_secs(10), || player
                    .video_size()
                    .is_some_and(|s| s.height == height)),
                "representation {index}: still {:?} at {} ns",
                player.video_size(),
                player.position()
            );
            println!(
                "    representation {index}: {:?} at {:.2} s",
                player.video_size().map(|s| (s.width, s.height)),
                player.position() as f64 / 1e9
            );
            // Held to it: the segments fetched now are its own (on
            // loopback the demuxer alone would take the high one).
            let folder = ["/low/", "/high/"][index];
            let last = server
                .log()
                .last()
                .map(|l| l.path.clone())
                .unwrap_or_default();
            assert!(
                last.starts_with(folder),
                "last fetched {last}, not from {folder}"
            );
            shows_a_numbered_frame(&player, &format!("representation {index}"));
        }
        assert_eq!(
            manifest_requests(),
            manifests_before,
            "choosing a representation reloaded the manifest"
        );
        player.select_variant(None).unwrap();
        assert_eq!(player.chosen_variant(), None);
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        player.stop();
        let report = framescope::inspect::inspect(&server.url("dash.mpd"))
            .expect("the DASH stream inspects");
        println!(
            "    inspect: {:?}",
            report
                .streams
                .iter()
                .map(|s| (&s.kind, &s.codec))
                .collect::<Vec<_>>()
        );
        assert!(has_h264_video(&report), "{report:?}");
    });
}

/// A live DASH stream: `dashsink` writes a dynamic manifest (a template of
/// one-second MPEG-TS segments counted from its availability start) while a
/// live source plays; the player starts without waiting for a buffer it
/// cannot fill past the live edge, plays on in real time, reports a live
/// stream with a window, and after a pause "go to live edge" lands within
/// 1.5 s of the window's end.
#[test]
fn dynamic_dash_plays_live() {
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
        let sender = gst::parse::launch(&format!(
            "{} ! h264parse \
             ! dashsink dynamic=true target-duration=1 muxer=ts mpd-root-path={}",
            live_h264(320, 240, 30, 30),
            dir.path().display()
        ))
        .expect("the live DASH sender builds");
        sender.set_state(gst::State::Playing).unwrap();
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
        let _ = sender.set_state(gst::State::Null);
    });
}

/// HLS playlists of other shapes, over one variant's 2 s segments (numbered
/// frames 0 to 299): a discontinuity (segments 0-1, then 0-1 again, their
/// timestamps starting over) plays through to its end, 8 s, the numbers
/// starting again after it; and an EVENT playlist (no end yet) is a live
/// stream whose window starts at its first segment, where a seek into
/// that DVR window lands on the frame.
#[test]
fn hls_discontinuities_and_event_playlists_play() {
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
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        player.stop();
    });
}

/// An HLS master playlist with two WebVTT subtitle renditions (English,
/// French) for its one variant: both are listed as subtitle tracks with
/// their languages while the video plays, and either can be chosen.
#[test]
fn hls_subtitle_renditions_are_tracks() {
    use framescope::engine::TrackKind;
    with_context(|| {
        let dir = generated_variant_hls();
        for (lang, text) in [("en", "Hello"), ("fr", "Bonjour")] {
            let subs = dir.join(format!("subs_{lang}"));
            std::fs::create_dir_all(&subs).unwrap();
            std::fs::write(
                subs.join("cues.vtt"),
                format!(
                    "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n\
                     00:00:00.000 --> 00:00:05.000\n{text} one\n\n\
                     00:00:05.000 --> 00:00:10.000\n{text} two\n"
                ),
            )
            .unwrap();
            std::fs::write(
                subs.join("index.m3u8"),
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n\
                 #EXTINF:10.0,\ncues.vtt\n#EXT-X-ENDLIST\n",
            )
            .unwrap();
        }
        std::fs::write(
            dir.join("subtitled.m3u8"),
            "#EXTM3U\n\
             #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,URI=\"subs_en/index.m3u8\"\n\
             #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Francais\",LANGUAGE=\"fr\",DEFAULT=NO,AUTOSELECT=YES,URI=\"subs_fr/index.m3u8\"\n\
             #EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240,SUBTITLES=\"subs\"\nlow/index.m3u8\n",
        )
        .unwrap();
        let server = HttpServer::files(&dir).start();
        let player = Player::headless();
        let out = record(&player);
        player.open(&server.url("subtitled.m3u8"));
        player.play();
        let listed = run_until(Duration::from_secs(15), || {
            player.tracks_of(TrackKind::Subtitle).len() == 2
                && player.state() == PlayerState::Playing
        });
        let subtitles = player.tracks_of(TrackKind::Subtitle);
        println!(
            "    subtitle tracks: {:?}",
            subtitles.iter().map(|t| t.label()).collect::<Vec<_>>()
        );
        assert!(
            listed,
            "tracks {:?}, state {:?}, errors {:?}",
            player.tracks(),
            player.state(),
            out.borrow().errors
        );
        let languages: Vec<_> = subtitles
            .iter()
            .filter_map(|t| t.language.clone())
            .collect();
        assert!(
            languages.iter().any(|l| l.starts_with("en"))
                && languages.iter().any(|l| l.starts_with("fr")),
            "languages {languages:?}"
        );
        let french = subtitles
            .iter()
            .position(|t| t.language.as_deref().is_some_and(|l| l.starts_with("fr")))
            .unwrap();
        player
            .select_track(TrackKind::Subtitle, Some(french))
            .unwrap();
        assert!(
            run_until(Duration::from_secs(5), || player
                .current_track(TrackKind::Subtitle)
                == Some(french)),
            "the French rendition is not the one playing: {:?}",
            player.current_track(TrackKind::Subtitle)
        );
        assert_eq!(player.state(), PlayerState::Playing);
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        player.stop();
    });
}

/// An HTTPS server on 127.0.0.1 (`openssl s_server -WWW` in `root`) with a
/// certificate for 127.0.0.1 signed by a CA made here; returns the server,
/// its port and the CA's PEM file.
fn https_server(root: &Path) -> (std::process::Child, u16, PathBuf, tempfile::TempDir) {
    let keys = tempfile::tempdir().unwrap();
    let k = |name: &str| keys.path().join(name);
    let openssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(keys.path())
            .output()
            .expect("openssl runs (scripts/setup.sh test installs it)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Framescope test CA",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        k("server.ext"),
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ]);
    let port = closed_port();
    let child = std::process::Command::new("openssl")
        .args(["s_server", "-quiet", "-WWW", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(k("server.pem"))
        .arg("-key")
        .arg(k("server.key"))
        .current_dir(root)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl s_server starts");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the HTTPS server did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port, k("ca.pem"), keys)
}

/// HTTPS progressive download: from a server whose certificate comes from
/// an authority the system does not know, playback ends in one sentence
/// about the certificate; trusting that authority (`tls-ca-file`), the
/// numbered clip plays frame by frame.
#[test]
fn https_plays_with_a_trusted_authority_and_refuses_an_unknown_one() {
    with_context(|| {
        let clip = numbered_ts();
        let (root, name) = folder_of(&clip);
        let (mut server, port, ca, _keys) = https_server(&root);
        let uri = format!("https://127.0.0.1:{port}/{name}");

        let (error, took) = first_error(&uri, Duration::from_secs(20));
        let error = error.expect("an untrusted certificate is an error");
        println!("    untrusted: {} ({took:?})", error.message);
        assert!(error.message.contains("certificate"), "{}", error.message);
        assert!(
            error.message.ends_with('.') && !error.message.contains('\n'),
            "{}",
            error.message
        );

        let player = Player::headless();
        let out = record(&player);
        player.set_tls_ca_file(Some(ca.to_string_lossy().to_string()));
        player.open(&uri);
        player.play();
        let mut numbers = Vec::new();
        run_until(Duration::from_secs(15), || {
            if let Some(n) = player.current_frame().and_then(|s| frame_number(&s)) {
                if numbers.last() != Some(&n) {
                    numbers.push(n);
                }
            }
            numbers.len() >= 30 || !out.borrow().errors.is_empty()
        });
        let _ = server.kill();
        let _ = server.wait();
        println!(
            "    trusted: frames {:?}…",
            &numbers[..numbers.len().min(5)]
        );
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        assert!(
            numbers.len() >= 30,
            "only {} frames: {numbers:?}",
            numbers.len()
        );
        assert!(
            numbers.windows(2).all(|w| w[1] > w[0]),
            "in order: {numbers:?}"
        );
        player.stop();
    });
}

/// Looping an HLS stream: the adaptive demuxer refuses the segment seeks a
/// seamless loop uses, so seeks are made plainly instead (they land, with
/// no "seeking failed"), and the loop goes round at the end of the stream.
#[test]
fn looping_hls_seeks_and_goes_round() {
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
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        player.stop();
    });
}

/// Faults inside an HLS stream: a segment that answers 404, a playlist that
/// is not one, and a segment whose server stalls. Each ends in one sentence
/// or in recovery, never in a player stuck loading.
#[test]
fn hls_faults_end_in_a_sentence_or_recover() {
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

/// A live HLS stream (a playlist of the last 5 one-second segments, written
/// as the numbered clip plays in real time): it is a live stream with a
/// window to seek in; paused 4 s and resumed it plays behind the sender, and
/// "go to live edge" jumps forward to the newest segments.
#[test]
fn live_hls_goes_to_its_live_edge() {
    with_context(|| {
        let dir = tempfile::tempdir().unwrap();
        let playlist = dir.path().join("live.m3u8");
        let sender = gst::parse::launch(&format!(
            "filesrc location={} ! tsdemux ! h264parse ! identity sync=true \
             ! hlssink2 target-duration=1 playlist-length=5 max-files=10 location={}/seg%05d.ts playlist-location={}",
            numbered_ts().display(),
            dir.path().display(),
            playlist.display()
        ))
        .expect("the live HLS sender builds");
        sender.set_state(gst::State::Playing).unwrap();
        let segments = || {
            std::fs::read_to_string(&playlist)
                .map(|t| t.matches("#EXTINF").count())
                .unwrap_or(0)
        };
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
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        player.stop();
        let _ = sender.set_state(gst::State::Null);

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

/// Alternative audio renditions of an HLS stream are tracks: both listed
/// with their languages, the default heard first, and the other chosen while
/// playing is heard within a few seconds.
#[test]
fn hls_audio_renditions_are_tracks() {
    use framescope::engine::TrackKind;
    with_context(|| {
        let dir = generated_rendition_hls();
        let server = HttpServer::files(&dir).start();
        let (player, heard) = listening_player();
        let out = record(&player);
        player.open(&server.url("master.m3u8"));
        player.play();
        let listed = run_until(Duration::from_secs(15), || {
            player.tracks_of(TrackKind::Audio).len() == 2 && player.state() == PlayerState::Playing
        });
        let audio = player.tracks_of(TrackKind::Audio);
        println!(
            "    audio tracks: {:?}",
            audio.iter().map(|t| t.label()).collect::<Vec<_>>()
        );
        assert!(
            listed,
            "tracks {:?}, state {:?}, errors {:?}",
            player.tracks(),
            player.state(),
            out.borrow().errors
        );
        attach_ear(&player, &heard);
        run_until(Duration::from_secs(2), || false);
        let before = tone(&heard);
        let french = audio
            .iter()
            .position(|t| t.language.as_deref().is_some_and(|l| l.starts_with("fr")))
            .expect("a French track");
        player.select_track(TrackKind::Audio, Some(french)).unwrap();
        let switched = run_until(Duration::from_secs(8), || {
            (tone(&heard) - 1760.0).abs() < 60.0
        });
        println!("    heard {before:.0} Hz, then {:.0} Hz", tone(&heard));
        assert!(
            (before - 440.0).abs() < 40.0,
            "the default rendition: {before} Hz"
        );
        assert!(
            switched,
            "the French rendition is not heard ({:.0} Hz)",
            tone(&heard)
        );
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        player.stop();
    });
}
