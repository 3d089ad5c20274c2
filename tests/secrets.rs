//! Secrets in addresses never show in any output (issue 14). The app plays,
//! or fails to open, an SRT address with a pass phrase, HTTP(S) addresses
//! with a token, and one with a password holding `/`; each output is then
//! searched for the secret: stdout, stderr with `RUST_LOG=debug` (our own
//! logs at every level; GStreamer's `GST_DEBUG` log is GStreamer's, not
//! ours, and is left unset), the window title (`xprop`), MPRIS metadata on a
//! private session bus (`gdbus`), the resume store `positions.json`,
//! `--stats-json`, `--print-pipeline`, `framescope inspect [--json]`, and a
//! real pipeline's Graphviz dump as the inspector exports it. The resume
//! store is also checked to be private (0600), to replace a symbolic link
//! planted at its path rather than write through it, and to still resume
//! the same address.

mod common;

use common::http::{closed_port, HttpServer};
use common::*;
use gst::prelude::*;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

const PASSPHRASE: &str = "SECRETPASS1234";
const TOKEN: &str = "SECRETTOKEN";
const PASSWORD: &str = "pa/ss";

/// The secrets, and what would show if a password were only half hidden.
const NEVER_SHOWN: &[&str] = &[PASSPHRASE, TOKEN, PASSWORD, "user:pa", "SECRET"];

fn assert_no_secret(what: &str, text: &str) {
    for secret in NEVER_SHOWN {
        assert!(
            !text.contains(secret),
            "{what} shows the secret “{secret}”:\n{text}"
        );
    }
}

fn srt_uri(port: u16) -> String {
    format!("srt://127.0.0.1:{port}?mode=caller&passphrase={PASSPHRASE}")
}

fn https_uri(port: u16) -> String {
    format!("https://127.0.0.1:{port}/clip.mp4?token={TOKEN}")
}

fn password_uri(port: u16) -> String {
    format!("http://user:{PASSWORD}@127.0.0.1:{port}/clip")
}

fn framescope(args: &[&str], state: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_framescope"))
        .args(args)
        .env("RUST_LOG", "debug")
        .env_remove("GST_DEBUG")
        .env("XDG_STATE_HOME", state.join("state"))
        .env("XDG_CONFIG_HOME", state.join("config"))
        .env("XDG_CACHE_HOME", state.join("cache"))
        .output()
        .expect("the framescope binary runs")
}

fn all_output(out: &std::process::Output) -> String {
    format!(
        "--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `--print-pipeline`, `inspect`, `inspect --json`: nothing printed, on
/// either stream, holds a secret (the addresses are unreachable: the
/// error sentences name them).
#[test]
fn command_line_outputs_hide_secrets() {
    let state = tempfile::tempdir().unwrap();
    let port = closed_port();
    let uris = [srt_uri(port), https_uri(port), password_uri(port)];
    let mut args = vec!["--print-pipeline"];
    args.extend(uris.iter().map(String::as_str));
    let out = framescope(&args, state.path());
    assert!(out.status.success(), "{}", all_output(&out));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(printed.lines().count(), 3, "{printed}");
    assert!(printed.contains("passphrase=***"), "{printed}");
    assert!(printed.contains("token=***"), "{printed}");
    assert_no_secret("--print-pipeline", &all_output(&out));

    // SRT callers wait for a listener: inspect gives up on its own.
    for uri in &uris[1..] {
        for json in [true, false] {
            let mut args = vec!["inspect"];
            if json {
                args.push("--json");
            }
            args.push(uri);
            let out = framescope(&args, state.path());
            assert!(!out.status.success(), "{}", all_output(&out));
            assert_no_secret(&format!("{args:?}"), &all_output(&out));
        }
    }
}

/// `inspect` of a real clip behind an address with a token: the report
/// names the address without it.
#[test]
fn an_inspect_report_hides_the_token() {
    let clip = twenty_seconds_small();
    let server = HttpServer::files(clip.parent().unwrap()).start();
    let uri = format!(
        "{}?token={TOKEN}",
        server.url(clip.file_name().unwrap().to_str().unwrap())
    );
    let state = tempfile::tempdir().unwrap();
    for json in [true, false] {
        let args: Vec<&str> = if json {
            vec!["inspect", "--json", &uri]
        } else {
            vec!["inspect", &uri]
        };
        let out = framescope(&args, state.path());
        assert!(out.status.success(), "{}", all_output(&out));
        let text = all_output(&out);
        assert!(text.contains("token=***"), "{text}");
        assert_no_secret(&format!("{args:?}"), &text);
    }
}

/// A real pipeline's Graphviz dump (what the inspector's Pipeline export
/// writes) names element properties in escaped labels; redacted, none of
/// them shows.
#[test]
fn a_pipeline_graph_export_hides_secrets() {
    gst::init().unwrap();
    let port = closed_port();
    let mut launch = vec![format!(
        "souphttpsrc location=\"{}\" user-id=bob user-pw=SECRETPW ! fakesink",
        https_uri(port)
    )];
    if gst::ElementFactory::find("srtsrc").is_some() {
        launch.push(format!(
            "srtsrc uri=\"{}\" passphrase=SECRETPASSPHRASE2 ! fakesink",
            srt_uri(port)
        ));
    }
    let pipeline = gst::parse::launch(&launch.join(" "))
        .unwrap()
        .downcast::<gst::Bin>()
        .unwrap();
    let dot = pipeline
        .debug_to_dot_data(gst::DebugGraphDetails::all())
        .to_string();
    assert!(dot.contains(TOKEN), "the dump names the properties: {dot}");
    let redacted = framescope::engine::redact_text(&dot);
    assert_no_secret("the pipeline graph", &redacted);
    assert!(!redacted.contains("SECRETPW"), "{redacted}");
    // Still a graph Graphviz reads: every quote is balanced.
    assert_eq!(
        redacted.matches('"').count() % 2,
        0,
        "unbalanced quotes in {redacted}"
    );
    assert!(redacted.contains("token=***"), "{redacted}");
}

/// The shell function that runs one session inside the private bus: start
/// the app on `$2` with `RUST_LOG=debug`, wait `$3` s, print its MPRIS
/// metadata and position, its window's title (xprop), then quit it over
/// MPRIS. Its stdout, stderr and statistics land in `$OUT/$1.*`.
const SESSION: &str = r#"
session() {
  RUST_LOG=debug "$FRAMESCOPE" --new-instance --window-size 320x240 \
    --stats-json "$OUT/$1.json" "$2" >"$OUT/$1.stdout" 2>"$OUT/$1.stderr" &
  app=$!
  name=""
  for _ in $(seq 100); do
    name=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
      --method org.freedesktop.DBus.ListNames | grep -o "org.mpris.MediaPlayer2.framescope[a-z0-9.]*" | head -n1)
    [ -n "$name" ] && break
    sleep 0.1
  done
  sleep "$3"
  get() { gdbus call --session --dest "$name" --object-path /org/mpris/MediaPlayer2 \
    --method org.freedesktop.DBus.Properties.Get org.mpris.MediaPlayer2.Player "$1"; }
  echo "$1.metadata=$(get Metadata)"
  echo "$1.position=$(get Position)"
  win=$(xdotool search --onlyvisible --pid $app 2>/dev/null | tail -n1)
  echo "$1.title=$(xprop -id "$win" WM_NAME _NET_WM_NAME | tr '\n' ' ')"
  gdbus call --session --dest "$name" --object-path /org/mpris/MediaPlayer2 \
    --method org.mpris.MediaPlayer2.Quit >/dev/null
  for _ in $(seq 100); do kill -0 $app 2>/dev/null || break; sleep 0.1; done
  if kill -0 $app 2>/dev/null; then echo "$1.quit=still running"; kill $app; else wait $app; echo "$1.quit=$?"; fi
}
"#;

/// The GUI under a private session bus: the window title, MPRIS metadata,
/// stderr at debug level, stdout, `--stats-json` and `positions.json` of
/// five sessions (a clip played over HTTP with a token, then the SRT,
/// HTTPS and password addresses that fail, then the clip again) hold no
/// secret; the clip resumes where it was left all the same.
#[test]
fn a_played_session_hides_secrets_everywhere() {
    let clip = twenty_seconds_small();
    let server = HttpServer::files(clip.parent().unwrap()).start();
    let token_uri = format!(
        "{}?token={TOKEN}",
        server.url(clip.file_name().unwrap().to_str().unwrap())
    );
    let port = closed_port();
    let home = tempfile::tempdir().unwrap();
    let out_dir = home.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let runtime = home.path().join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::set_permissions(
        &runtime,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    // A symbolic link planted where the resume store goes: its target must
    // stay as it is.
    let positions = home.path().join("state/framescope/positions.json");
    std::fs::create_dir_all(positions.parent().unwrap()).unwrap();
    let victim = home.path().join("victim.txt");
    std::fs::write(&victim, "not yours").unwrap();
    std::os::unix::fs::symlink(&victim, &positions).unwrap();

    let script = format!(
        "set -u\n{SESSION}\n\
         session token \"$TOKEN_URI\" 7\n\
         session srt \"$SRT_URI\" 5\n\
         session https \"$HTTPS_URI\" 3\n\
         session password \"$PASSWORD_URI\" 3\n\
         session resume \"$TOKEN_URI\" 3\n"
    );
    let out = Command::new("dbus-run-session")
        .args(["--", "bash", "-c", &script])
        .env("FRAMESCOPE", env!("CARGO_BIN_EXE_framescope"))
        .env("OUT", &out_dir)
        .env("TOKEN_URI", &token_uri)
        .env("SRT_URI", srt_uri(port))
        .env("HTTPS_URI", https_uri(port))
        .env("PASSWORD_URI", password_uri(port))
        .env("DISPLAY", ensure_display())
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env_remove("GST_DEBUG")
        .output()
        .expect("dbus-run-session runs (scripts/setup.sh test installs dbus-daemon)");
    let report = all_output(&out);
    let answer = |key: &str| -> String {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("no {key} in:\n{report}"))
            .to_string()
    };

    for session in ["token", "srt", "https", "password", "resume"] {
        // The checks see real answers, not empty ones.
        let metadata = answer(&format!("{session}.metadata"));
        assert!(metadata.contains("xesam:url"), "{session}: {metadata}");
        let title = answer(&format!("{session}.title"));
        assert!(title.contains("WM_NAME"), "{session}: {title}");
        assert!(title.contains("_NET_WM_NAME"), "{session}: {title}");
        assert_no_secret(&format!("{session}: MPRIS metadata"), &metadata);
        assert_no_secret(&format!("{session}: the window title"), &title);
        for stream in ["stdout", "stderr"] {
            let text = std::fs::read_to_string(out_dir.join(format!("{session}.{stream}")))
                .unwrap_or_default();
            assert_no_secret(&format!("{session}: {stream}"), &text);
        }
        let stats = std::fs::read_to_string(out_dir.join(format!("{session}.json")))
            .unwrap_or_else(|e| panic!("{session}: no statistics ({e}):\n{report}"));
        assert_no_secret(&format!("{session}: --stats-json"), &stats);
        assert_eq!(answer(&format!("{session}.quit")), "0", "{report}");
    }
    assert_no_secret("the test script's output", &report);
    // The redacted forms were shown, so the outputs were about these URIs.
    assert!(answer("token.metadata").contains("token=***"), "{report}");
    assert!(
        answer("srt.metadata").contains("passphrase=***"),
        "{report}"
    );
    let srt_log = std::fs::read_to_string(out_dir.join("srt.stderr")).unwrap();
    assert!(srt_log.contains("passphrase=***"), "{srt_log}");

    // The resume store: the planted link was replaced, not written through;
    // the file is private and holds no secret, yet the clip resumed.
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "not yours");
    let meta = std::fs::symlink_metadata(&positions).unwrap();
    assert!(meta.file_type().is_file(), "positions.json is still a link");
    assert_eq!(meta.mode() & 0o777, 0o600);
    let store = std::fs::read_to_string(&positions).unwrap();
    assert_no_secret("positions.json", &store);
    let store: serde_json::Value = serde_json::from_str(&store).unwrap();
    let entry = &store["entries"][0];
    assert!(
        entry["uri"].as_str().unwrap().ends_with("?token=***"),
        "{store}"
    );
    assert!(
        entry["key"].as_str().unwrap().starts_with("sha256:"),
        "{store}"
    );
    let seconds = |key: &str| -> f64 {
        let a = answer(key);
        a.split(|c: char| !c.is_ascii_digit())
            .rfind(|p| !p.is_empty())
            .and_then(|p| p.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("{key}: {a}"))
            / 1e6
    };
    let left_at = seconds("token.position");
    let resumed_at = seconds("resume.position");
    assert!(left_at > 5.0, "the first session played: {report}");
    assert!(
        resumed_at > left_at + 1.0,
        "left at {left_at} s, then 3 s after opening again at {resumed_at} s: it did not resume"
    );
}
