//! RTMP and HTTP-FLV, the live protocols people publish with: a real nginx
//! with its RTMP module (`tests/common/rtmp.rs`) fed by a GStreamer
//! `flvmux ! rtmp2sink` publisher (live H.264 + AAC), and the test HTTP
//! server streaming an endless FLV body (chunked, no length) made live by
//! `flvmux streamable=true`. Each plays in the headless player (playing,
//! position advancing, the picture's size known), `framescope inspect`
//! (text and `--json`) calls it live with its H.264 and AAC streams, and
//! `inspect --json --frames --duration 2` ends by itself with valid JSON;
//! an RTMP address with `user:password@` and a `token` plays in `inspect`
//! with debug logs on and shows neither.
//! An address missing its application or stream, or with a port out of
//! range, is refused before connecting; a server that is not there, and a
//! stream nobody publishes, end in one
//! sentence naming the address (for the latter, in the player after its
//! 20 s network start limit, asking to check the stream name and the
//! publisher).

use super::*;
use common::rtmp::{wait_until_published, Nginx};
use std::process::Output;

/// nginx with the RTMP module, or `None` after a printed SKIPPED line when
/// it is not installed (any other failure to start it fails the test).
fn nginx_or_skip() -> Option<Nginx> {
    if let Err(why) = Nginx::installed() {
        println!("SKIPPED: {why}");
        return None;
    }
    Some(Nginx::start().unwrap_or_else(|e| panic!("{e}")))
}

/// Publishes the live FLV (H.264 + AAC) to `url` until dropped.
struct Publisher(gst::Element);

impl Publisher {
    fn start(url: &str) -> Self {
        let pipeline = gst::parse::launch(&format!(
            "{} ! rtmp2sink location={url}",
            live_flv(320, 240)
        ))
        .expect("the publisher builds");
        pipeline
            .set_state(gst::State::Playing)
            .expect("the publisher starts");
        Publisher(pipeline)
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        let _ = self.0.set_state(gst::State::Null);
    }
}

/// Plays `uri` headless: it reaches playing, the position advances by at
/// least 1.5 s in 3 s of playing, and a 320x240 picture is shown.
fn plays_live(uri: &str) {
    with_context(|| {
        let player = Player::headless();
        let out = record(&player);
        player.open(uri);
        player.play();
        let size = || {
            player
                .current_frame()
                .and_then(|s| s.caps().map(|c| c.to_owned()))
                .and_then(|c| gst_video::VideoInfo::from_caps(&c).ok())
                .map(|i| (i.width(), i.height()))
        };
        let started = run_until(Duration::from_secs(20), || {
            (player.state() == PlayerState::Playing && size().is_some())
                || !out.borrow().errors.is_empty()
        });
        assert!(
            started && out.borrow().errors.is_empty(),
            "{uri}: did not play (state {:?}, errors {:?})",
            player.state(),
            out.borrow().errors
        );
        let from = player.position();
        run_until(Duration::from_secs(3), || false);
        let moved = player.position().saturating_sub(from) as f64 / 1e9;
        println!(
            "    {uri}: playing, {:?}, position {:.2} s -> {:.2} s, live stream {}",
            size(),
            from as f64 / 1e9,
            player.position() as f64 / 1e9,
            player.is_live_stream()
        );
        assert_eq!(size(), Some((320, 240)), "{uri}: picture size");
        assert!(
            (1.5..=4.5).contains(&moved),
            "{uri}: the position moved {moved:.2} s in 3 s"
        );
        assert!(player.is_live_stream(), "{uri}: a live stream has no end");
        stop_without_errors(&player, &out);
    });
}

fn framescope(args: &[&str], limit: Duration) -> Output {
    let child = framescope_headless().args(args).spawn().unwrap();
    let finished = output_within(child, limit);
    let status = finished
        .status
        .unwrap_or_else(|| panic!("framescope {args:?}: still running after {limit:?}"));
    Output {
        status,
        stdout: finished.stdout,
        stderr: finished.stderr,
    }
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no valid JSON ({e}); stdout: {}; stderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `inspect` says "Live: yes" with H.264 and AAC; `--json` says
/// `"live": true` with the same codecs; `--frames --duration 2` ends by
/// itself with about 2 s of frames.
fn inspects_live(uri: &str) {
    let out = framescope(&["inspect", uri], Duration::from_secs(30));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("Live: yes"),
        "{uri}: {text} / {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("H.264") && text.contains("AAC"),
        "{uri}: codecs: {text}"
    );
    let report = json_of(&framescope(
        &["inspect", "--json", uri],
        Duration::from_secs(30),
    ));
    assert_eq!(report["live"], true, "{report}");
    let codecs: Vec<(String, String)> = report["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["type"].as_str().unwrap_or_default().to_string(),
                s["codec"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    println!("    {uri}: live, streams {codecs:?}");
    assert!(
        codecs
            .iter()
            .any(|(k, c)| k == "video" && c.contains("H.264"))
            && codecs
                .iter()
                .any(|(k, c)| k == "audio" && c.contains("AAC")),
        "{uri}: {codecs:?}"
    );
    let started = Instant::now();
    let out = framescope(
        &["inspect", "--json", "--frames", "--duration", "2", uri],
        Duration::from_secs(40),
    );
    let report = json_of(&out);
    assert!(out.status.success(), "{uri}: {report}");
    assert!(report.get("error").is_none(), "{report}");
    let frames = report["frames"].as_array().unwrap();
    let pts: Vec<f64> = frames.iter().filter_map(|f| f["pts"].as_f64()).collect();
    println!(
        "    {uri}: --frames --duration 2: {} frames in {:.1} s",
        frames.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(frames.len() >= 15, "{uri}: {} frames", frames.len());
    assert!(!pts.is_empty(), "{uri}: no timestamps in {report}");
}

pub fn rtmp_plays_and_inspects_live() {
    gst::init().unwrap();
    let Some(nginx) = nginx_or_skip() else { return };
    let url = nginx.url("test");
    let _publisher = Publisher::start(&url);
    assert!(
        wait_until_published(&url),
        "nothing was published at {url}: {}",
        nginx.error_log()
    );
    plays_live(&url);
    inspects_live(&url);
    secrets_stay_hidden(&nginx);
}

/// An address with user information and a token (nginx-rtmp ignores both
/// and plays the stream): `inspect`, text and JSON, with debug logs on,
/// reports it live and shows neither secret.
fn secrets_stay_hidden(nginx: &Nginx) {
    let url = nginx
        .url("test?token=T0kenSecret")
        .replace("rtmp://", "rtmp://viewer:Pa55word@");
    for json in [false, true] {
        let mut args = vec!["inspect"];
        if json {
            args.push("--json");
        }
        args.push(&url);
        let child = framescope_headless()
            .env("RUST_LOG", "framescope=debug")
            .args(&args)
            .spawn()
            .unwrap();
        let out = output_within(child, Duration::from_secs(30));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.is_some_and(|s| s.success()), "{args:?}: {all}");
        assert!(
            all.contains("Live: yes") || all.contains("\"live\": true"),
            "{args:?}: {all}"
        );
        for secret in ["Pa55word", "T0kenSecret"] {
            assert!(!all.contains(secret), "{secret} shown by {args:?}: {all}");
        }
    }
    println!(
        "    {}: inspected, no secret shown",
        framescope::engine::redact_uri(&url)
    );
}

pub fn http_flv_plays_and_inspects_live() {
    gst::init().unwrap();
    let server = HttpServer::stream(live_flv_body, "video/x-flv").start();
    let url = server.url("live/test.flv");
    plays_live(&url);
    inspects_live(&url);
    // Each client got a body of its own, none with a length.
    assert!(
        server.log().iter().all(|l| l.status == 200),
        "{:?}",
        server.log()
    );
}

/// A port where nothing listens and a stream nobody publishes each end in
/// one sentence naming the address, in the player and in `inspect`.
pub fn rtmp_servers_and_streams_that_are_not_there_say_so() {
    gst::init().unwrap();
    let closed = format!("rtmp://127.0.0.1:{}/live/test", closed_port());
    let (error, took) = with_context(|| first_error(&closed, Duration::from_secs(15)));
    let error = error.unwrap_or_else(|| panic!("{closed}: no error within 15 s"));
    println!(
        "    {closed}: {:?} in {took:?}: {}",
        error.kind, error.message
    );
    assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
    assert!(
        error.message.contains(&closed) && error.message.contains("nothing is listening"),
        "{}",
        error.message
    );
    let out = framescope(&["inspect", &closed], Duration::from_secs(20));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert_eq!(said.trim().lines().count(), 1, "one sentence: {said}");
    assert!(
        said.contains(&closed) && said.contains("nothing is listening"),
        "{said}"
    );
    // Addresses that cannot be RTMP streams are refused before connecting.
    for bad in ["rtmp://127.0.0.1", "rtmp://127.0.0.1:99999/live/test"] {
        let out = framescope(&["inspect", bad], Duration::from_secs(10));
        let said = String::from_utf8_lossy(&out.stderr);
        println!("    {bad}: {}", said.trim());
        assert!(!out.status.success(), "{said}");
        assert_eq!(said.trim().lines().count(), 1, "one sentence: {said}");
        assert!(
            said.contains(bad) && (said.contains("RTMP") || said.contains("port")),
            "{said}"
        );
        let (error, _) = with_context(|| first_error(bad, Duration::from_secs(5)));
        let error = error.unwrap_or_else(|| panic!("{bad}: no error within 5 s"));
        assert_eq!(
            error.message,
            said.trim().trim_start_matches("framescope: ")
        );
    }
    let Some(nginx) = nginx_or_skip() else { return };
    let unpublished = nginx.url("nobody");
    let out = framescope(&["inspect", &unpublished], Duration::from_secs(30));
    let said = String::from_utf8_lossy(&out.stderr);
    println!("    {unpublished}: {}", said.trim());
    assert!(!out.status.success(), "{said}");
    assert_eq!(said.trim().lines().count(), 1, "one sentence: {said}");
    assert!(said.contains(&unpublished), "{said}");
    assert!(said.contains("publishing"), "what to check: {said}");
    let (error, took) = with_context(|| first_error(&unpublished, Duration::from_secs(30)));
    let error = error.unwrap_or_else(|| panic!("{unpublished}: no error within 30 s"));
    println!(
        "    {unpublished}: player: {:?} in {took:?}: {}",
        error.kind, error.message
    );
    assert!(
        error.message.contains(&unpublished) && error.message.contains("publishing"),
        "{}",
        error.message
    );
}
