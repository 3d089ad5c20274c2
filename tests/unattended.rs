//! Unattended operation of the engine, headless with real pipelines: the
//! playlist (order, repeat, end actions, gapless advance measured at the
//! sink), host-chosen sinks, and the watchdog against an HTTP server on
//! 127.0.0.1 that fails, stalls, or is killed mid-stream and started again.
//! The watchdog's restarts must follow its backoff schedule and its counters
//! must match the `restarting` signals seen.

mod common;

use common::http::{Fault, HttpServer};
use common::*;
use framescope::engine::{EndAction, Player, PlayerState, Repeat, VideoMode};
use gst::prelude::*;
use gtk::gio::prelude::ListModelExt;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every change of `current-index`, in order.
fn record_items(player: &Player) -> Rc<RefCell<Vec<i32>>> {
    let seen = Rc::new(RefCell::new(vec![player.current_index()]));
    let s = seen.clone();
    player.connect_current_index_notify(move |p| {
        let mut s = s.borrow_mut();
        if s.last() != Some(&p.current_index()) {
            s.push(p.current_index());
        }
    });
    seen
}

/// The watchdog's `restarting` signals: (attempt, delay ms, when).
type Restarts = Rc<RefCell<Vec<(u32, u32, Instant)>>>;

fn record_restarts(player: &Player) -> Restarts {
    let seen: Restarts = Rc::default();
    let s = seen.clone();
    player.connect_restarting(move |_, attempt, delay, _| {
        s.borrow_mut().push((attempt, delay, Instant::now()))
    });
    seen
}

fn watchdog_player(max_restarts: u32, delay_ms: u32, stall_ms: u32) -> Player {
    let player = Player::headless();
    player.set_max_restarts(max_restarts);
    player.set_restart_delay(delay_ms);
    player.set_restart_delay_max(4 * delay_ms);
    player.set_stall_timeout(stall_ms);
    player
}

fn rendered(player: &Player) -> u64 {
    player.stats().rendered
}

/// Waits until the player renders new frames for a while: recovered.
fn plays_on(player: &Player, within: Duration) -> bool {
    let mut start = None;
    run_until(within, || {
        let now = rendered(player);
        let base = *start.get_or_insert(now);
        player.state() == PlayerState::Playing && now >= base + 15
    })
}

#[test]
fn playlist_plays_every_item_in_order_then_stops() {
    with_context(|| {
        let items = [
            clip("h264_aac.mp4"),
            clip("vp9_opus.webm"),
            clip("theora_vorbis.ogg"),
        ];
        let player = Player::headless();
        player.set_items(
            &items
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
        );
        let seen = record_items(&player);
        let out = record(&player);
        player.play();
        assert!(run_until(Duration::from_secs(30), || out.borrow().eos));
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        assert_eq!(*seen.borrow(), [0, 1, 2]);
        assert_eq!(player.state(), PlayerState::Paused);
        assert!(player.uri().unwrap().ends_with("theora_vorbis.ogg"));
        assert!(!player.has_next());
        assert!(player.has_previous());
    });
}

/// Shuffle plays every item once, in an order of its own, then stops;
/// `item-ended` comes for each item in that order, gapless switches
/// included.
#[test]
fn shuffle_plays_each_item_once_and_signals_each_item() {
    with_context(|| {
        let items = [
            clip("h264_aac.mp4"),
            clip("vp9_opus.webm"),
            clip("theora_vorbis.ogg"),
            h264_aac_ball(),
        ];
        let player = Player::headless();
        player.set_shuffle(true);
        let loading = Rc::new(RefCell::new(Vec::new()));
        let ended = Rc::new(RefCell::new(Vec::new()));
        let l = loading.clone();
        player.connect_item_loading(move |_, i| l.borrow_mut().push(i));
        let e = ended.clone();
        player.connect_item_ended(move |p, i| {
            // The item that ended is still the one loaded.
            assert_eq!(p.current_index(), i);
            e.borrow_mut().push(i);
        });
        player.set_items(
            &items
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
        );
        let seen = record_items(&player);
        let out = record(&player);
        player.play();
        assert!(run_until(Duration::from_secs(40), || out.borrow().eos));
        assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
        let order: Vec<i32> = seen.borrow().clone();
        // Items switch gaplessly here: only the first is loaded afresh.
        assert_eq!(*loading.borrow(), [0]);
        assert_eq!(order[0], 0, "the list starts at its first item");
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2, 3], "each item once: {order:?}");
        assert_eq!(*ended.borrow(), order, "each item ended, in order");
        assert!(!player.has_next(), "shuffle without repeat ends");
        println!("    shuffled order: {order:?}");
    });
}

/// Many shuffles of a list give different orders (not the list order each
/// time), and switching shuffle off goes back to the list order.
#[test]
fn shuffle_orders_differ_and_off_restores_list_order() {
    with_context(|| {
        let player = Player::headless();
        let names: Vec<String> = (0..6).map(|i| format!("/nonexistent/{i}.mp4")).collect();
        for name in &names {
            player.append_item(name);
        }
        let mut orders = std::collections::HashSet::new();
        for _ in 0..20 {
            player.set_shuffle(false);
            player.set_current_index(-1);
            player.set_shuffle(true);
            orders.insert(order_of_next(&player));
        }
        assert!(orders.len() > 3, "shuffle gave {} orders", orders.len());
        assert!(orders.iter().all(|o| {
            let mut sorted = o.clone();
            sorted.sort_unstable();
            sorted == [0, 1, 2, 3, 4, 5]
        }));
        player.set_shuffle(false);
        assert_eq!(order_of_next(&player), [0, 1, 2, 3, 4, 5]);
    });
}

/// The items `next` goes through from no item current, read from
/// `current-index` (the files do not exist: only the order counts).
fn order_of_next(player: &Player) -> Vec<usize> {
    player.set_current_index(-1);
    let mut order = Vec::new();
    while order.len() < player.playlist().n_items() as usize && player.next() {
        order.push(player.current_index() as usize);
    }
    player.stop();
    order
}

/// Moving and removing items keep the item playing current.
#[test]
fn moving_and_removing_items_keep_the_current_item() {
    with_context(|| {
        let player = Player::headless();
        let items = [clip("h264_aac.mp4"), clip("vp9_opus.webm"), h264_aac_ball()];
        player.set_items(
            &items
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
        );
        player.set_current_index(1);
        let uri = player.uri().unwrap();
        player.move_item(1, 0);
        assert_eq!(player.current_index(), 0);
        player.move_item(2, 0);
        assert_eq!(player.current_index(), 1);
        player.move_item(1, 2);
        assert_eq!(player.current_index(), 2);
        assert_eq!(player.uri().unwrap(), uri, "moving reloads nothing");
        // Removing another item shifts the index; removing the item playing
        // loads the one that took its place.
        player.remove_item(0);
        assert_eq!(player.current_index(), 1);
        player.remove_item(1);
        assert_eq!(player.current_index(), 0);
        assert_ne!(player.uri().unwrap(), uri);
        player.remove_item(0);
        assert_eq!(player.playlist().n_items(), 0);
        assert_eq!(player.state(), PlayerState::Stopped);
    });
}

#[test]
fn repeat_all_wraps_and_black_end_stops() {
    with_context(|| {
        let items = [clip("h264_aac.mp4"), h264_aac_ball()];
        let player = Player::headless();
        player.set_items(
            &items
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
        );
        player.set_repeat(Repeat::All);
        let seen = record_items(&player);
        player.play();
        assert!(
            run_until(Duration::from_secs(20), || seen.borrow().len() >= 3),
            "items seen: {:?}",
            seen.borrow()
        );
        assert_eq!(seen.borrow()[..3], [0, 1, 0]);
        // User next/previous wrap around with repeat all.
        player.set_current_index(1);
        assert!(player.next());
        assert_eq!(player.current_index(), 0);
        assert!(player.previous());
        assert_eq!(player.current_index(), 1);

        // Stop to black at the end of an item.
        player.set_repeat(Repeat::None);
        player.set_end_action(EndAction::Black);
        let out = record(&player);
        player.set_current_index(0);
        player.play();
        assert!(run_until(Duration::from_secs(10), || out.borrow().eos));
        assert_eq!(player.state(), PlayerState::Stopped);
        assert_eq!(player.current_index(), 0, "black does not advance");
        assert!(player.pipeline().is_none());
    });
}

#[test]
fn repeat_one_loops_the_item_seamlessly() {
    with_context(|| {
        let player = Player::headless();
        player.set_items(&[
            clip("h264_aac.mp4").display().to_string(),
            h264_aac_ball().display().to_string(),
        ]);
        player.set_repeat(Repeat::One);
        assert!(player.is_looping(), "repeat one loops the item");
        let out = record(&player);
        player.play();
        // Two rounds of a 2 s clip, still on item 0, no end of stream.
        run_until(Duration::from_secs(5), || false);
        assert_eq!(player.current_index(), 0);
        assert!(!out.borrow().eos);
        assert!(rendered(&player) > 120, "{} frames", rendered(&player));
        player.set_repeat(Repeat::None);
        assert!(
            !player.is_looping(),
            "the playlist's loop goes with repeat one"
        );
    });
}

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

#[test]
fn gapless_advance_keeps_the_pipeline_and_leaves_no_gap() {
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

#[test]
fn host_sinks_are_used_and_a_bad_one_is_explained() {
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

#[test]
fn watchdog_restarts_after_errors_on_its_backoff_schedule() {
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

#[test]
fn watchdog_restarts_a_stalled_stream() {
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

#[test]
fn watchdog_survives_a_server_killed_mid_stream_and_restarted() {
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

#[test]
fn watchdog_gives_up_after_max_restarts() {
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
#[test]
fn watchdog_catches_a_frozen_picture_under_running_audio() {
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
#[test]
fn watchdog_restarts_a_live_udp_stream_that_goes_quiet() {
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
