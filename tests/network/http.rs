//! HTTP and HTTPS progressive download: a seek by byte range landing on its
//! frame, redirects, credentials, servers that are not there, and HTTPS with
//! a trusted and an unknown certificate authority.

use super::*;

pub fn http_seek_uses_a_byte_range_and_lands_on_the_frame() {
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

pub fn redirects_are_followed_and_a_loop_is_refused() {
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

pub fn credentials_are_asked_for_used_and_never_shown() {
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

pub fn servers_that_are_not_there_end_in_one_sentence_quickly() {
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
pub fn https_plays_with_a_trusted_authority_and_refuses_an_unknown_one() {
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
