//! RTSP against a server from GStreamer's RTSP server library, started on
//! 127.0.0.1 by each test and serving the numbered MPEG-TS clip's H.264 as
//! RTP: the player plays the numbered frames over UDP (`rtsp://`) and over
//! TCP (`rtspt://`), `inspect` lists the stream, and a server asking for
//! credentials refuses a URI without them in one sentence, plays with
//! `user:password@`, and the password shows in no message.

mod common;

use common::*;
use framescope::engine::{ErrorKind, Player};
use gst_rtsp_server::prelude::*;
use std::time::Duration;

/// A running RTSP server with one mount, `/numbered`.
struct Server {
    server: gst_rtsp_server::RTSPServer,
    /// The listening socket's source; removed (the port let go) on drop.
    source: Option<glib::SourceId>,
}

impl Drop for Server {
    fn drop(&mut self) {
        // Attached to the thread's own context, not the global one.
        if let Some(id) = self.source.take() {
            if let Some(source) = glib::MainContext::ref_thread_default().find_source_by_id(&id) {
                source.destroy();
            }
        }
    }
}

impl Server {
    /// Starts a server on a free port of 127.0.0.1, attached to the
    /// thread's main context (the test's loop runs it); with `credentials`,
    /// only that user may play.
    fn start(credentials: Option<(&str, &str)>) -> Self {
        Self::start_on(credentials, 0)
    }

    /// The same on `port` (0: any free port).
    fn start_on(credentials: Option<(&str, &str)>, port: i32) -> Self {
        let server = gst_rtsp_server::RTSPServer::new();
        server.set_address("127.0.0.1");
        server.set_service(&port.to_string());
        let factory = gst_rtsp_server::RTSPMediaFactory::new();
        factory.set_launch(&format!(
            "( filesrc location={} ! tsdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )",
            numbered_ts().display()
        ));
        factory.set_shared(true);
        if let Some((user, password)) = credentials {
            let auth = gst_rtsp_server::RTSPAuth::new();
            let token = gst_rtsp_server::RTSPToken::builder()
                .field(gst_rtsp_server::RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
                .build();
            let basic = gst_rtsp_server::RTSPAuth::make_basic(user, password);
            auth.add_basic(basic.as_str(), &token);
            server.set_auth(Some(&auth));
            factory.add_role_from_structure(
                &gst::Structure::builder("viewer")
                    .field(gst_rtsp_server::RTSP_PERM_MEDIA_FACTORY_ACCESS, true)
                    .field(gst_rtsp_server::RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, true)
                    .build(),
            );
        }
        server
            .mount_points()
            .expect("a server has mount points")
            .add_factory("/numbered", factory);
        let source = server
            .attach(Some(&glib::MainContext::ref_thread_default()))
            .expect("the RTSP server listens");
        Self {
            server,
            source: Some(source),
        }
    }

    fn url(&self, scheme: &str, credentials: &str) -> String {
        format!(
            "{scheme}://{credentials}127.0.0.1:{}/numbered",
            self.server.bound_port()
        )
    }
}

#[test]
fn rtsp_over_udp_and_tcp_plays_the_numbered_frames_and_inspects() {
    with_context(|| {
        let server = Server::start(None);
        plays_numbered_frames(&server.url("rtsp", ""));
        plays_numbered_frames(&server.url("rtspt", ""));
    });
}

#[test]
fn rtsp_inspect_lists_the_stream() {
    // Discovery runs its own loop on another thread: the server gets one too.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        with_context(|| {
            let server = Server::start(None);
            tx.send(server.url("rtsp", "")).unwrap();
            run_until(Duration::from_secs(20), || false);
        });
    });
    let uri = rx.recv().unwrap();
    let report = framescope::inspect::inspect(&uri).expect("the RTSP stream inspects");
    println!("    {uri}: {:?}", report.streams);
    assert!(has_h264_video(&report), "{report:?}");
}

#[test]
fn rtsp_credentials_are_asked_for_used_and_never_shown() {
    with_context(|| {
        let server = Server::start(Some(("viewer", "cam-secret")));
        let player = Player::headless();
        let out = record(&player);
        player.open(&server.url("rtsp", ""));
        player.play();
        assert!(
            run_until(Duration::from_secs(15), || !out.borrow().errors.is_empty()),
            "no error without credentials (state {:?})",
            player.state()
        );
        let error = out.borrow().errors[0].clone();
        println!("    without credentials: {}", error.message);
        assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
        assert!(
            error.message.contains("user name and password"),
            "{}",
            error.message
        );
        // What makes the app ask for them (its Sign In dialog).
        assert!(error.needs_credentials, "{error:?}");
        player.stop();

        plays_numbered_frames(&server.url("rtsp", "viewer:cam-secret@"));

        let player = Player::headless();
        let out = record(&player);
        player.open(&server.url("rtsp", "viewer:wrong-secret@"));
        player.play();
        assert!(run_until(Duration::from_secs(15), || !out
            .borrow()
            .errors
            .is_empty()));
        let error = out.borrow().errors[0].clone();
        for text in [&error.message, &error.detail] {
            assert!(!text.contains("wrong-secret"), "password shown: {text}");
        }
        for text in out.borrow().warnings.iter() {
            assert!(!text.contains("wrong-secret"), "password shown: {text}");
        }
        player.stop();
    });
}

/// `live-latency-ms` sets the RTSP receive buffer: the pipeline latency the
/// player reports follows it (200 ms asked against RTSP's 2000 ms default),
/// and in that low-latency mode nothing else adds a frame to it: neither
/// the H.264 parser behind the depayloader nor a generic sink deadline.
#[test]
fn rtsp_live_latency_sets_the_pipeline_latency() {
    with_context(|| {
        let server = Server::start(None);
        let latency_with = |ms: i32| -> i64 {
            let player = Player::headless();
            player.set_live_latency_ms(ms);
            let out = record(&player);
            player.open(&server.url("rtsp", ""));
            player.play();
            assert!(
                run_until(Duration::from_secs(20), || player.latency() > 0),
                "no latency reported (state {:?}, errors {:?})",
                player.state(),
                out.borrow().errors
            );
            // A second more: the parser knows the frame rate by then and
            // the pipeline has recomputed its latency.
            run_until(Duration::from_millis(1500), || false);
            let latency = player.latency();
            player.stop();
            latency
        };
        let default = latency_with(-1);
        let low = latency_with(200);
        println!(
            "    pipeline latency: {} ms by default, {} ms with 200 ms asked",
            default / 1_000_000,
            low / 1_000_000
        );
        assert!(default >= 1_900_000_000, "default {default} ns");
        // 200 ms of jitter buffer and the sink's 5 ms deadline; a frame
        // of parser latency (40 ms at 25 fps) or basesink's 20 ms fails.
        assert!(
            (200_000_000..=215_000_000).contains(&low),
            "200 ms asked: {low} ns"
        );
    });
}

/// The RTSP server goes away mid-stream and comes back on the same port:
/// with the watchdog on, the player restarts on its schedule and plays the
/// numbered frames again (time to recover printed).
#[test]
fn rtsp_server_that_dies_is_reconnected_with_backoff() {
    with_context(|| {
        let server = Server::start(None);
        let port = server.server.bound_port();
        let uri = server.url("rtsp", "");
        let player = Player::headless();
        player.set_max_restarts(10);
        player.set_restart_delay(500);
        player.set_restart_delay_max(2000);
        // More than RTSP's 2 s jitter buffer, or its start looks stalled.
        player.set_stall_timeout(3000);
        let out = record(&player);
        player.open(&uri);
        player.play();
        let numbered = || {
            player
                .current_frame()
                .and_then(|s| common::framecode::frame_number(&s))
        };
        assert!(
            run_until(Duration::from_secs(15), || numbered().is_some()),
            "the stream did not play ({:?})",
            out.borrow().errors
        );
        // Down: every client thrown out, no more listening.
        server
            .server
            .client_filter(Some(&mut |_, _| gst_rtsp_server::RTSPFilterResult::Remove));
        let restarts_before = player.restarts();
        drop(server);
        let down = std::time::Instant::now();
        assert!(
            run_until(Duration::from_secs(15), || player.restarts()
                > restarts_before),
            "no restart after the server went away (state {:?}, errors {:?})",
            player.state(),
            out.borrow().errors
        );
        let first_restart = down.elapsed();
        run_until(Duration::from_secs(2), || false);
        // Back, on the same port.
        let back = Server::start_on(None, port);
        let up = std::time::Instant::now();
        let before = player.restarts();
        assert!(
            run_until(Duration::from_secs(20), || player.state()
                == framescope::engine::PlayerState::Playing
                && numbered().is_some()
                && player.restarts() >= before),
            "not playing again after the server came back (state {:?}, restarts {}, errors {:?})",
            player.state(),
            player.restarts(),
            out.borrow().errors
        );
        println!(
            "    restart scheduled {:.1} s after the server went; playing again {:.1} s after it came back ({} restarts)",
            first_restart.as_secs_f64(),
            up.elapsed().as_secs_f64(),
            player.restarts()
        );
        assert!(first_restart < Duration::from_secs(8), "{first_restart:?}");
        player.stop();
        drop(back);
    });
}
