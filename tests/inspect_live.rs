//! `framescope inspect` on live input, against senders the tests start on
//! 127.0.0.1: MPEG-TS over UDP, SRT (the sender listens), RTSP (GStreamer's
//! RTSP server), a live HLS playlist (written as the numbered clip plays in
//! real time, served over HTTP), a dynamic DASH manifest (`dashsink`), and
//! RTMP when nginx with its RTMP module is
//! installed (`scripts/setup.sh` installs it; otherwise that test says it
//! skipped). Each is reported "Live: yes"; `--frames --duration S` lists
//! about S seconds of frames and exits 0 with valid JSON; SIGINT and
//! SIGTERM end an endless `--frames` listing with valid output and exit 0.

mod common;

use common::http::HttpServer;
use common::*;
use std::process::{Child, Output};
use std::time::{Duration, Instant};

/// Waits for `child` at most `limit`, killing it after that (and failing).
fn wait_output(child: Child, limit: Duration, what: &str) -> Output {
    let finished = output_within(child, limit);
    let status = finished
        .status
        .unwrap_or_else(|| panic!("{what}: still running after {limit:?}; killed"));
    Output {
        status,
        stdout: finished.stdout,
        stderr: finished.stderr,
    }
}

/// Runs `framescope ARGS` to its end (at most `limit`).
fn run(args: &[&str], limit: Duration) -> Output {
    let child = framescope_headless().args(args).spawn().unwrap();
    wait_output(child, limit, &args.join(" "))
}

/// The JSON report on stdout; fails with stdout and stderr when invalid.
fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no valid JSON ({e}); stdout: {}; stderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Checks `inspect URI` says "Live: yes" (text) and `--json` `"live": true`
/// with an H.264 stream.
fn reported_live(uri: &str) {
    let out = run(&["inspect", uri], Duration::from_secs(30));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("Live: yes"),
        "{uri}: {text} / {}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "    {uri}: {}",
        text.lines().nth(3).unwrap_or_default().trim()
    );
    let out = run(&["inspect", "--json", uri], Duration::from_secs(30));
    let report = json(&out);
    assert_eq!(report["live"], true, "{report}");
    assert!(
        report["streams"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["codec"].as_str().unwrap_or_default().contains("H.264")),
        "{report}"
    );
}

/// Checks `inspect --json --frames --duration 2 URI` ends by itself within
/// the time discovery takes plus a little more than 2 s, exit 0, with about
/// 2 s of frames.
fn frames_for_two_seconds(uri: &str) {
    let started = Instant::now();
    let out = run(
        &["inspect", "--json", "--frames", "--duration", "2", uri],
        Duration::from_secs(40),
    );
    let took = started.elapsed();
    let report = json(&out);
    assert!(out.status.success(), "{uri}: {report}");
    assert!(report.get("error").is_none(), "{report}");
    let frames = report["frames"].as_array().unwrap();
    let pts: Vec<f64> = frames.iter().filter_map(|f| f["pts"].as_f64()).collect();
    let span =
        pts.iter().cloned().fold(f64::MIN, f64::max) - pts.iter().cloned().fold(f64::MAX, f64::min);
    println!(
        "    {uri}: {} frames spanning {span:.2} s, {:.1} s in all",
        frames.len(),
        took.as_secs_f64()
    );
    assert!(frames.len() >= 15, "{uri}: {} frames", frames.len());
    assert!(span < 2.05, "{uri}: frames span {span} s");
}

/// Starts an endless `inspect --frames` on `uri`, sends `signal` after 3 s,
/// and checks it ends within 3 s with exit 0 and valid output.
fn stops_cleanly_on(uri: &str, signal: libc::c_int, json_output: bool) {
    let mut args = vec!["inspect", "--frames"];
    if json_output {
        args.push("--json");
    }
    args.push(uri);
    let child = framescope_headless().args(&args).spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    std::thread::sleep(Duration::from_secs(3));
    // SAFETY: signals our own child.
    unsafe { libc::kill(pid, signal) };
    let sent = Instant::now();
    let out = wait_output(child, Duration::from_secs(10), uri);
    let took = sent.elapsed();
    assert!(
        out.status.success(),
        "{uri}: signal {signal}: {:?}, stderr {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < Duration::from_secs(3), "{uri}: {took:?} to stop");
    let frames = if json_output {
        let report = json(&out);
        assert!(report.get("error").is_none(), "{report}");
        report["frames"].as_array().unwrap().len()
    } else {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Live: yes"), "{text}");
        text.lines()
            .skip_while(|l| !l.ends_with("key type"))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .count()
    };
    println!(
        "    {uri}: signal {signal} ended the listing in {:.2} s after {frames} frames",
        took.as_secs_f64()
    );
    assert!(frames > 10, "{uri}: {frames} frames before the signal");
}

#[test]
fn udp_is_live_and_frames_end_at_duration_or_on_a_signal() {
    gst::init().unwrap();
    let port = free_udp_port();
    let _sender = Sender::start(&format!("udpsink host=127.0.0.1 port={port} sync=true"));
    let uri = format!("udp://127.0.0.1:{port}");
    reported_live(&uri);
    frames_for_two_seconds(&uri);
    stops_cleanly_on(&uri, libc::SIGINT, true);
    stops_cleanly_on(&uri, libc::SIGTERM, false);
}

#[test]
fn srt_is_live_and_frames_end_at_duration() {
    gst::init().unwrap();
    let port = free_udp_port();
    let _sender = Sender::start(&format!(
        "srtsink uri=srt://127.0.0.1:{port}?mode=listener latency=125 sync=true"
    ));
    let uri = format!("srt://127.0.0.1:{port}");
    reported_live(&uri);
    frames_for_two_seconds(&uri);
}

/// An RTSP server (GStreamer's library) on its own thread and main context,
/// serving the numbered clip's H.264; stopped when dropped.
struct RtspServer {
    url: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RtspServer {
    fn start() -> Self {
        use gst_rtsp_server::prelude::*;
        let clip = numbered_ts();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopping = stop.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            with_context(|| {
                let server = gst_rtsp_server::RTSPServer::new();
                server.set_address("127.0.0.1");
                server.set_service("0");
                let factory = gst_rtsp_server::RTSPMediaFactory::new();
                factory.set_launch(&format!(
                    "( filesrc location={} ! tsdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )",
                    clip.display()
                ));
                factory.set_shared(true);
                server
                    .mount_points()
                    .unwrap()
                    .add_factory("/numbered", factory);
                let source = server
                    .attach(Some(&glib::MainContext::ref_thread_default()))
                    .unwrap();
                tx.send(format!("rtsp://127.0.0.1:{}/numbered", server.bound_port()))
                    .unwrap();
                run_until(Duration::from_secs(120), || {
                    stopping.load(std::sync::atomic::Ordering::Relaxed)
                });
                if let Some(s) = glib::MainContext::ref_thread_default().find_source_by_id(&source)
                {
                    s.destroy();
                }
            })
        });
        RtspServer {
            url: rx.recv().unwrap(),
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for RtspServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn rtsp_is_live_and_frames_end_at_duration() {
    gst::init().unwrap();
    let server = RtspServer::start();
    reported_live(&server.url);
    frames_for_two_seconds(&server.url);
}

/// A live HLS stream: `hlssink2` writes the last 5 one-second segments as
/// the numbered clip plays in real time; a file server serves them.
#[test]
fn live_hls_is_live_and_frames_end_at_duration() {
    gst::init().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (sender, playlist) = live_hls_sender(&numbered_ts_in_real_time(), dir.path());
    let segments = || hls_segments(&playlist);
    let started = Instant::now();
    while segments() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no live playlist"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let server = HttpServer::files(dir.path()).start();
    let uri = server.url("live.m3u8");
    reported_live(&uri);
    frames_for_two_seconds(&uri);
    // A finished playlist (ENDLIST) of the same segments is not live.
    let text = std::fs::read_to_string(&playlist).unwrap();
    std::fs::write(
        dir.path().join("ended.m3u8"),
        format!("{text}#EXT-X-ENDLIST\n"),
    )
    .unwrap();
    let out = run(
        &["inspect", "--json", &server.url("ended.m3u8")],
        Duration::from_secs(30),
    );
    assert_eq!(json(&out)["live"], false, "an ended playlist is not live");
    drop(sender);
}

/// A live DASH stream: `dashsink` writes a dynamic manifest while a live
/// test pattern plays; a file server serves it. Reported live, and
/// `--frames --duration 2` ends by itself.
#[test]
fn dynamic_dash_is_live_and_frames_end_at_duration() {
    gst::init().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sender = Sender::launch(&format!(
        "{} ! h264parse \
         ! dashsink dynamic=true target-duration=1 muxer=ts mpd-root-path={}",
        live_h264(320, 240, 30, 30),
        dir.path().display()
    ));
    let manifest = dir.path().join("dash.mpd");
    let started = Instant::now();
    while !(std::fs::read_to_string(&manifest).is_ok_and(|t| t.contains("type=\"dynamic\""))
        && std::fs::read_dir(dir.path()).map_or(0, |d| d.count()) >= 4)
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no live manifest"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let server = HttpServer::files(dir.path()).start();
    let uri = server.url("dash.mpd");
    reported_live(&uri);
    frames_for_two_seconds(&uri);
    drop(sender);
}

/// nginx with the RTMP module (`common::rtmp`), and a live H.264 + AAC
/// stream published to it as FLV.
struct Rtmp {
    _publisher: gst::Element,
    _nginx: common::rtmp::Nginx,
    url: String,
}

impl Drop for Rtmp {
    fn drop(&mut self) {
        use gst::prelude::*;
        let _ = self._publisher.set_state(gst::State::Null);
    }
}

fn start_rtmp() -> Option<Rtmp> {
    use gst::prelude::*;
    if let Err(why) = common::rtmp::Nginx::installed() {
        println!("SKIPPED: {why}");
        return None;
    }
    let nginx = common::rtmp::Nginx::start().unwrap_or_else(|e| panic!("{e}"));
    let url = nginx.url("stream");
    // A live stream: it never ends, however long the test takes.
    let publisher = gst::parse::launch(&format!(
        "{} ! rtmp2sink location={url}",
        live_flv(320, 240)
    ))
    .unwrap();
    publisher.set_state(gst::State::Playing).unwrap();
    assert!(
        common::rtmp::wait_until_published(&url),
        "nothing was published at {url}: {}",
        nginx.error_log()
    );
    Some(Rtmp {
        _publisher: publisher,
        _nginx: nginx,
        url,
    })
}

#[test]
fn rtmp_is_live_and_frames_end_at_duration() {
    gst::init().unwrap();
    let Some(rtmp) = start_rtmp() else { return };
    reported_live(&rtmp.url);
    frames_for_two_seconds(&rtmp.url);
}
