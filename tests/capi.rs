//! The C ABI from other languages: `scripts/build-capi.sh` builds
//! libframescope-0.so, `framescope.h`, `framescope-0.pc` and the
//! `Framescope-0` GIR and typelib into `target/capi`; then
//!
//! - the library exports exactly the functions the header declares, and
//!   its soname is `libframescope-0.so.0`;
//! - `tests/capi/play_step.py` (PyGObject, `gi.require_version('Framescope',
//!   '0')`) and `tests/capi/play_step.c` (built with `pkg-config --cflags
//!   --libs framescope-0 gtk4`) each load `tests/capi/player.ui` (a
//!   `FramescopePlayerView`), play a generated clip (left half red, right
//!   half blue, 25 frames/s), pause, seek to the start and step one frame;
//!   the test checks the `frame-pts` they read (40 ms: frame 1), the decoded
//!   frame's size and colours, and the colours of the view as GTK rendered
//!   it; Python also gets the frame as PNG, C calls a function with NULL
//!   (a critical, no crash);
//! - `tests/capi/view_type.vala` compiles against `framescope-0.vapi`,
//!   makes a `PlayerView` and names the `RemoteControl` type;
//! - the kiosk examples, `examples/kiosk.py` (fewer than 40 lines) and
//!   `examples/kiosk.c`, each on a private session bus with a two-item
//!   playlist, are driven by the real `framescope ctl`: playing, pause,
//!   one frame step, `next`, the playlist coming round again, refused
//!   calls that leave them playing, a clean exit on SIGTERM; `kiosk.py`
//!   without a bus exits with the one-sentence error;
//! - `tests/capi/remote.py` checks `FramescopeRemoteControl`'s errors,
//!   bus names and release on its last reference.
//!
//! Needs Debian's gobject-introspection, libgirepository1.0-dev, python3-gi,
//! gir1.2-gtk-4.0, gcc, pkg-config, binutils, valac and ffmpeg (all from
//! `scripts/setup.sh`); only when one is missing is the test skipped, with
//! a printed `SKIPPED:` line. The kiosks also need `dbus-run-session`, as
//! `tests/control.rs` does.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Debian's Python, which has PyGObject (a version manager may have put
/// another first on the path).
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// What is missing to build and use the C ABI, if anything.
fn missing_tools() -> Vec<&'static str> {
    let mut missing = Vec::new();
    for (program, args, package) in [
        (
            "g-ir-scanner",
            &["--help"][..],
            "g-ir-scanner (gobject-introspection)",
        ),
        (
            "g-ir-compiler",
            &["--help"][..],
            "g-ir-compiler (gobject-introspection)",
        ),
        ("cc", &["--version"][..], "cc (gcc)"),
        ("pkg-config", &["--version"][..], "pkg-config"),
        ("nm", &["--version"][..], "nm (binutils)"),
        ("readelf", &["--version"][..], "readelf (binutils)"),
        ("ffmpeg", &["-version"][..], "ffmpeg"),
    ] {
        if !runs(program, args) {
            missing.push(package);
        }
    }
    if !runs(
        "pkg-config",
        &["--exists", "gobject-introspection-1.0", "gtk4"],
    ) {
        missing.push("libgirepository1.0-dev, libgtk-4-dev");
    }
    if !runs(
        python(),
        &[
            "-c",
            "import gi; gi.require_version('Gtk', '4.0'); from gi.repository import Gtk",
        ],
    ) {
        missing.push("PyGObject with GTK 4 (python3-gi, gir1.2-gtk-4.0)");
    }
    missing
}

/// The built C ABI (`target/capi`), or `None` when a tool is missing.
fn built() -> Option<&'static Path> {
    static BUILT: OnceLock<Option<PathBuf>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let missing = missing_tools();
            if !missing.is_empty() {
                println!(
                    "SKIPPED: the C ABI tests need {}; run scripts/setup.sh deps",
                    missing.join(", ")
                );
                return None;
            }
            let out = root().join("target/capi");
            let child = Command::new("bash")
                .arg(root().join("scripts/build-capi.sh"))
                .arg(&out)
                .env("DISPLAY", ensure_display())
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("bash runs scripts/build-capi.sh");
            let done = output_within(child, Duration::from_secs(900));
            assert!(
                done.status.is_some_and(|s| s.success()),
                "scripts/build-capi.sh failed:\n{}\n{}",
                String::from_utf8_lossy(&done.stdout),
                String::from_utf8_lossy(&done.stderr)
            );
            for file in [
                "lib/libframescope-0.so.0",
                "lib/libframescope-0.so",
                "include/framescope-0/framescope.h",
                "lib/pkgconfig/framescope-0.pc",
                "share/gir-1.0/Framescope-0.gir",
                "lib/girepository-1.0/Framescope-0.typelib",
            ] {
                assert!(out.join(file).exists(), "build-capi.sh made no {file}");
            }
            Some(out)
        })
        .as_deref()
}

/// The generated clip: 320×240, 25 frames/s, 2 s, left half red, right
/// half blue, H.264 without B-frames.
fn clip() -> &'static Path {
    static CLIP: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &CLIP
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("halves.mp4");
            let status = Command::new("ffmpeg")
                .args(["-loglevel", "error", "-y"])
                .args(["-f", "lavfi", "-i", "color=c=red:s=160x240:r=25:d=2"])
                .args(["-f", "lavfi", "-i", "color=c=blue:s=160x240:r=25:d=2"])
                .args(["-filter_complex", "hstack", "-c:v", "libx264", "-bf", "0"])
                .args(["-pix_fmt", "yuv420p", "-g", "25"])
                .arg(&path)
                .stdin(Stdio::null())
                .status()
                .expect("ffmpeg runs");
            assert!(status.success(), "ffmpeg could not make the test clip");
            (dir, path)
        })
        .1
}

/// The names of the functions `framescope.h` declares (not the macros).
fn declared(header: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut in_comment = false;
    for line in header.lines() {
        let line = line.trim();
        if in_comment {
            in_comment = !line.contains("*/");
            continue;
        }
        if line.starts_with("/*") {
            in_comment = !line.contains("*/");
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        if let Some(at) = line.find("framescope_") {
            let name: String = line[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if line[at + name.len()..].trim_start().starts_with('(') {
                names.insert(name);
            }
        }
    }
    names
}

/// The functions and data the library exports.
fn exported(library: &Path) -> BTreeSet<String> {
    let output = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(library)
        .output()
        .expect("nm runs");
    assert!(
        output.status.success(),
        "nm could not read {}",
        library.display()
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().nth(2).map(str::to_string))
        .collect()
}

/// The C API's contract (docs/embedding.md, "The contract with hosts"):
/// every function but the `*_get_type` ones has a documentation block in
/// `framescope.h`, and every block says since which version it exists.
#[test]
fn every_function_is_documented_with_its_version() {
    let header = std::fs::read_to_string(root().join("capi/include/framescope.h")).unwrap();
    let blocks: Vec<&str> = header
        .split("/**")
        .skip(1)
        .filter_map(|b| b.split("*/").next())
        .collect();
    let undated: Vec<&str> = blocks
        .iter()
        .filter(|b| !b.contains("Since: "))
        .filter_map(|b| b.lines().nth(1))
        .collect();
    assert!(undated.is_empty(), "blocks without `Since:`: {undated:?}");
    let documented: BTreeSet<String> = blocks
        .iter()
        .filter_map(|b| b.lines().nth(1))
        .filter_map(|l| l.trim().strip_prefix("* ")?.strip_suffix(':'))
        .map(str::to_string)
        .collect();
    let undocumented: Vec<String> = declared(&header)
        .into_iter()
        .filter(|f| !f.ends_with("_get_type") && !documented.contains(f))
        .collect();
    assert!(
        undocumented.is_empty(),
        "functions without a documentation block: {undocumented:?}"
    );
}

#[test]
fn the_library_exports_exactly_the_header_s_functions() {
    let Some(out) = built() else { return };
    let header = std::fs::read_to_string(out.join("include/framescope-0/framescope.h")).unwrap();
    let declared = declared(&header);
    assert!(declared.contains("framescope_init"), "{declared:?}");
    assert!(
        declared.contains("framescope_player_view_get_type"),
        "{declared:?}"
    );
    let library = out.join("lib/libframescope-0.so.0");
    let exported = exported(&library);
    let undeclared: Vec<_> = exported.difference(&declared).collect();
    let missing: Vec<_> = declared.difference(&exported).collect();
    assert!(
        undeclared.is_empty() && missing.is_empty(),
        "libframescope-0.so exports what framescope.h does not declare: {undeclared:?}; \
         framescope.h declares what the library does not export: {missing:?}"
    );

    let dynamic = Command::new("readelf")
        .arg("-d")
        .arg(&library)
        .output()
        .unwrap();
    let dynamic = String::from_utf8_lossy(&dynamic.stdout);
    assert!(
        dynamic.contains("Library soname: [libframescope-0.so.0]"),
        "the library's soname is not libframescope-0.so.0:\n{dynamic}"
    );
}

#[test]
fn the_header_parser_sees_declarations_only() {
    let header = "/**\n * framescope_a:\n * framescope_b (void) in prose\n */\n\
                  #define X (framescope_c_get_type ())\n\
                  GType framescope_c_get_type (void);\n\
                  void framescope_d (FramescopeX *self,\n    int n);\n";
    let names: Vec<String> = declared(header).into_iter().collect();
    assert_eq!(names, ["framescope_c_get_type", "framescope_d"]);
}

/// What a play_step program printed: `frame-pts`, `frame-size` and the
/// `frame-pixel` / `view-pixel` lines.
struct Seen {
    frame_pts: i64,
    frame_size: (u32, u32),
    frame_pixels: Vec<[u8; 3]>,
    view_pixels: Vec<[u8; 3]>,
}

fn parse(stdout: &str) -> Seen {
    let mut seen = Seen {
        frame_pts: -1,
        frame_size: (0, 0),
        frame_pixels: Vec::new(),
        view_pixels: Vec::new(),
    };
    for line in stdout.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let number = |i: usize| words[i].parse::<i64>().unwrap();
        match words.first() {
            Some(&"frame-pts") => seen.frame_pts = number(1),
            Some(&"frame-size") => seen.frame_size = (number(1) as u32, number(2) as u32),
            Some(&"frame-pixel") => {
                seen.frame_pixels
                    .push([number(3) as u8, number(4) as u8, number(5) as u8])
            }
            Some(&"view-pixel") => {
                seen.view_pixels
                    .push([number(3) as u8, number(4) as u8, number(5) as u8])
            }
            _ => {}
        }
    }
    seen
}

fn is_red([r, g, b]: [u8; 3]) -> bool {
    r > 200 && g < 60 && b < 60
}

fn is_blue([r, g, b]: [u8; 3]) -> bool {
    r < 60 && g < 60 && b > 200
}

/// Runs a play_step program and checks what it saw.
fn check_play_step(what: &str, mut command: Command) {
    let out = built().expect("checked by the caller");
    let runtime = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        runtime.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let child = command
        .arg(clip())
        .arg(root().join("tests/capi/player.ui"))
        .env("DISPLAY", ensure_display())
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("GI_TYPELIB_PATH", out.join("lib/girepository-1.0"))
        .env("LD_LIBRARY_PATH", out.join("lib"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what} could not start ({e})"));
    let done = output_within(child, Duration::from_secs(90));
    let stdout = String::from_utf8_lossy(&done.stdout);
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(
        done.status.is_some_and(|s| s.success()),
        "{what} failed ({:?}):\n{stdout}\n{stderr}",
        done.status
    );
    let seen = parse(&stdout);
    let context = format!("{what} printed:\n{stdout}\n{stderr}");
    assert_eq!(
        seen.frame_pts, 40_000_000,
        "frame 1 at 25 frames/s; {context}"
    );
    assert_eq!(seen.frame_size, (320, 240), "{context}");
    if what.ends_with(".py") {
        let png = stdout.lines().find(|l| l.starts_with("png "));
        assert!(
            png.is_some_and(|l| l.ends_with(" signature") && l != "png 0 signature"),
            "get_current_png gave no PNG; {context}"
        );
    } else {
        // Without a GPU device the host's call keeps GL out (the view's
        // pixels below are then drawn by cairo); a second call after
        // gtk_init changes nothing.
        let choice = if framescope::widget::has_gpu_device() {
            None
        } else {
            Some("drawing cairo=1 gl-off=1")
        };
        assert!(
            choice.is_none_or(|line| stdout.lines().any(|l| l == line)),
            "framescope_prefer_cheap_drawing did not turn GL off without a GPU device; {context}"
        );
        assert!(
            !stdout.contains("drawing-changed-after-gtk-init"),
            "framescope_prefer_cheap_drawing changed something after gtk_init; {context}"
        );
        assert!(
            stdout.contains("null-survived")
                && stderr.contains("framescope_player_play: assertion 'self != NULL' failed"),
            "framescope_player_play (NULL) did not log a critical and return; {context}"
        );
    }
    assert!(
        seen.frame_pixels.len() == 2
            && is_red(seen.frame_pixels[0])
            && is_blue(seen.frame_pixels[1]),
        "the decoded frame is not red on the left and blue on the right; {context}"
    );
    assert!(
        seen.view_pixels.len() == 2 && is_red(seen.view_pixels[0]) && is_blue(seen.view_pixels[1]),
        "the view as rendered is not red on the left and blue on the right; {context}"
    );
}

#[test]
fn python_loads_a_player_view_from_ui_plays_and_steps() {
    if built().is_none() {
        return;
    }
    let mut command = Command::new(python());
    command.arg(root().join("tests/capi/play_step.py"));
    check_play_step("play_step.py", command);
}

/// Compiles `source` (a path under the repository) into `binary` with
/// `pkg-config --cflags --libs framescope-0 gtk4`, warnings as errors.
fn compile_c(out: &Path, source: &str, binary: &Path) {
    let flags = Command::new("pkg-config")
        .args(["--cflags", "--libs", "framescope-0", "gtk4"])
        .env("PKG_CONFIG_PATH", out.join("lib/pkgconfig"))
        .output()
        .expect("pkg-config runs");
    let flags = String::from_utf8_lossy(&flags.stdout).into_owned();
    assert!(
        flags.contains(&format!("-I{}", out.join("include/framescope-0").display()))
            && flags.contains("-lframescope-0"),
        "pkg-config framescope-0 gave {flags}"
    );
    let compiled = Command::new("cc")
        .args(["-Wall", "-Wextra", "-Werror", "-o"])
        .arg(binary)
        .arg(root().join(source))
        .args(flags.split_whitespace())
        .output()
        .expect("cc runs");
    assert!(
        compiled.status.success(),
        "{source} does not compile:\n{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
}

#[test]
fn c_loads_a_player_view_from_ui_plays_and_steps() {
    let Some(out) = built() else { return };
    let bin_dir = tempfile::tempdir().unwrap();
    let binary = bin_dir.path().join("play_step");
    compile_c(out, "tests/capi/play_step.c", &binary);
    check_play_step("play_step (C)", Command::new(&binary));
}

#[test]
fn vala_uses_the_vapi() {
    let Some(out) = built() else { return };
    if !runs("valac", &["--version"]) {
        println!("SKIPPED: the Vala test needs valac; run scripts/setup.sh deps");
        return;
    }
    let vapi_dir = out.join("share/vala/vapi");
    assert!(
        vapi_dir.join("framescope-0.vapi").exists(),
        "build-capi.sh made no framescope-0.vapi although vapigen is installed"
    );
    let bin_dir = tempfile::tempdir().unwrap();
    let binary = bin_dir.path().join("view_type");
    let compiled = Command::new("valac")
        .arg("--quiet")
        .arg("--vapidir")
        .arg(&vapi_dir)
        .args(["--pkg", "framescope-0", "--pkg", "gtk4", "-o"])
        .arg(&binary)
        .arg(root().join("tests/capi/view_type.vala"))
        .env("PKG_CONFIG_PATH", out.join("lib/pkgconfig"))
        .output()
        .expect("valac runs");
    assert!(
        compiled.status.success(),
        "tests/capi/view_type.vala does not compile:\n{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    let runtime = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        runtime.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let child = Command::new(&binary)
        .env("DISPLAY", ensure_display())
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("LD_LIBRARY_PATH", out.join("lib"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the Vala program starts");
    let done = output_within(child, Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.status.is_some_and(|s| s.success())
            && stdout.trim() == "FramescopePlayerView\nFramescopeRemoteControl",
        "the Vala program printed {stdout:?} ({:?}): {}",
        done.status,
        String::from_utf8_lossy(&done.stderr)
    );
}

/// `examples/kiosk.py` stays the short program the example promises.
const KIOSK_PY_MAX_LINES: usize = 40;

/// Runs a kiosk example (`program`, with `script` for Python) on a private
/// session bus with a two-item playlist (a 3 s black clip, then 3 s of the
/// test pattern) and drives it with the real `framescope ctl`: it plays
/// the first item with the watchdog on (`max_restarts` 3), pauses, steps one frame, goes to the next item and
/// comes round to the first again (the playlist loops); refused calls (a
/// NaN rate, a seek past the end, a zero step) are errors that change
/// nothing; it is still playing after them and exits cleanly on SIGTERM.
fn check_kiosk(what: &str, program: &Path, script: Option<&Path>) {
    let out = built().expect("checked by the caller");
    let (first, second) = (black_three_seconds(), three_seconds_small());
    let bus = Bus::start();
    let dir = tempfile::tempdir().unwrap();
    let runtime = dir.path().join("runtime");
    std::fs::create_dir(&runtime).unwrap();
    std::fs::set_permissions(
        &runtime,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let log_path = dir.path().join("kiosk.log");
    let mut command = bus.command(program);
    command
        .args(script)
        .arg(&first)
        .arg(&second)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("GI_TYPELIB_PATH", out.join("lib/girepository-1.0"))
        .env("LD_LIBRARY_PATH", out.join("lib"))
        .env("GTK_A11Y", "none")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap());
    let mut kiosk = command
        .spawn()
        .unwrap_or_else(|e| panic!("{what} could not start ({e})"));
    let pid = kiosk.id().to_string();
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let ctl = |args: &[&str]| {
        let mut all = vec!["--instance", pid.as_str()];
        all.extend_from_slice(args);
        bus.ctl(&all)
    };
    let stats = || {
        let (code, json, _) = ctl(&["stats", "--json"]);
        if code == 0 {
            serde_json::from_str(&json)
                .unwrap_or_else(|e| panic!("stats --json is JSON ({e}): {json}"))
        } else {
            serde_json::Value::Null
        }
    };
    let plays = |s: &serde_json::Value, item: &Path| {
        let name = item.file_name().unwrap().to_str().unwrap();
        s["uri"].as_str().is_some_and(|uri| uri.ends_with(name))
    };
    let frame_number = |s: &serde_json::Value| s["frame_number"].as_i64().unwrap_or(-1);

    // It plays the first item and is on the bus under its own names.
    assert!(
        eventually(Duration::from_secs(30), || {
            let s = stats();
            s["state"] == "playing" && plays(&s, &first)
        }),
        "{what} plays its first item through ctl: {}; log: {}",
        stats(),
        log()
    );
    let s = stats();
    assert_eq!(
        s["max_restarts"], 3,
        "{what} has the watchdog on (3 restarts in a row): {s}"
    );
    assert!(s["restarts"].is_u64() && s["stalls"].is_u64(), "{s}");
    let names = bus.names();
    for name in [
        format!("org.framescope.Framescope.instance{pid}"),
        format!("org.mpris.MediaPlayer2.framescope.instance{pid}"),
    ] {
        assert!(names.contains(&name), "{what} owns {name}: {names}");
    }

    // Pause, then one frame forward.
    bus.ctl_ok(&["--instance", &pid, "pause"]);
    assert!(
        eventually(Duration::from_secs(10), || stats()["state"] == "paused"),
        "{what} pauses: {}",
        stats()
    );
    let paused = stats();
    let at = frame_number(&paused);
    assert!(at >= 0, "a frame on screen when paused: {paused}");
    // Which item it paused on (the first, unless it ended just before).
    let (current, other) = if plays(&paused, &first) {
        (&first, &second)
    } else {
        (&second, &first)
    };
    bus.ctl_ok(&["--instance", &pid, "step", "1"]);
    assert!(
        eventually(Duration::from_secs(10), || {
            let s = stats();
            frame_number(&s) == at + 1 && s["state"] == "paused" && plays(&s, current)
        }),
        "{what} steps from frame {at} to {}: {}",
        at + 1,
        stats()
    );

    // The other item plays, and after it the one before again.
    bus.ctl_ok(&["--instance", &pid, "next"]);
    assert!(
        eventually(Duration::from_secs(10), || {
            let s = stats();
            s["state"] == "playing" && plays(&s, other)
        }),
        "{what} plays {} after `next`: {}; log: {}",
        other.display(),
        stats(),
        log()
    );
    assert!(
        eventually(Duration::from_secs(20), || {
            let s = stats();
            s["state"] == "playing" && plays(&s, current)
        }),
        "{what}'s playlist comes round to {} again: {}; log: {}",
        current.display(),
        stats(),
        log()
    );

    // Refused calls: an error each, nothing changed, the kiosk alive.
    let (code, _, err) = ctl(&["rate", "nan"]);
    assert_eq!(code, 1, "a NaN rate is refused: {err}");
    assert!(err.contains("not a rate"), "{err}");
    let (code, _, err) = ctl(&["seek", "3600"]);
    assert_eq!(code, 1, "a seek past the end is refused: {err}");
    assert!(err.contains("past the end"), "{err}");
    let name = format!("org.framescope.Framescope.instance{pid}");
    let (code, _, err) = bus.gdbus(&name, "Step", &["0"]);
    assert_ne!(code, 0, "Step 0 is refused: {err}");
    assert!(err.contains("InvalidArgs"), "{err}");
    assert!(
        kiosk.try_wait().unwrap().is_none(),
        "{what} died after the refused calls; log: {}",
        log()
    );
    let s = stats();
    assert_eq!(s["state"], "playing", "{what} plays on: {s}");
    assert_eq!(
        s["rate"], 1.0,
        "a refused rate never reaches the player: {s}"
    );

    // SIGTERM: the kiosk quits its main loop and exits cleanly.
    // SAFETY: a plain kill(2) of the child this test started.
    unsafe { libc::kill(kiosk.id() as i32, libc::SIGTERM) };
    let mut code = None;
    let exited = eventually(Duration::from_secs(20), || {
        code = kiosk.try_wait().unwrap().map(|status| status.code());
        code.is_some()
    });
    if !exited {
        let _ = kiosk.kill();
        let _ = kiosk.wait();
    }
    assert_eq!(
        code.flatten(),
        Some(0),
        "{what} exits with 0 on SIGTERM; log: {}",
        log()
    );
}

#[test]
fn python_kiosk_loops_a_playlist_and_answers_ctl() {
    if built().is_none() {
        return;
    }
    let script = root().join("examples/kiosk.py");
    let lines = std::fs::read_to_string(&script).unwrap().lines().count();
    assert!(
        lines < KIOSK_PY_MAX_LINES,
        "examples/kiosk.py has {lines} lines; the example promises fewer than {KIOSK_PY_MAX_LINES}"
    );
    check_kiosk("kiosk.py", Path::new(python()), Some(&script));

    // Without a session bus it says so in one sentence and exits.
    let child = Command::new(python())
        .arg(&script)
        .arg(black_three_seconds())
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/framescope-test-bus",
        )
        .env("DISPLAY", ensure_display())
        .env(
            "GI_TYPELIB_PATH",
            built().unwrap().join("lib/girepository-1.0"),
        )
        .env("LD_LIBRARY_PATH", built().unwrap().join("lib"))
        .env("GTK_A11Y", "none")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let done = output_within(child, Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.and_then(|s| s.code()), Some(1), "{stderr}");
    assert!(
        stderr.contains("kiosk.py: There is no D-Bus session bus (")
            && stderr
                .trim_end()
                .ends_with("run the program in a desktop session or under dbus-run-session."),
        "kiosk.py without a bus: {stderr}"
    );
}

#[test]
fn c_kiosk_loops_a_playlist_and_answers_ctl() {
    let Some(out) = built() else { return };
    let bin_dir = tempfile::tempdir().unwrap();
    let binary = bin_dir.path().join("kiosk");
    compile_c(out, "examples/kiosk.c", &binary);
    check_kiosk("kiosk (C)", &binary, None);
}

/// `tests/capi/remote.py` on a private bus: a bad instance name is a
/// `GLib.Error` (G_IO_ERROR_INVALID_ARGUMENT, one sentence); a good one
/// gives the bus names through the getter and the property and owns them;
/// a second export on the same connection is G_IO_ERROR_EXISTS; dropping
/// the last reference gives the names up and unregisters the objects (a
/// new export, with MPRIS, then succeeds, and is given up in turn).
#[test]
fn python_remote_control_names_errors_and_release() {
    let Some(out) = built() else { return };
    let bus = Bus::start();
    let child = bus
        .command(python())
        .arg(root().join("tests/capi/remote.py"))
        .env("GI_TYPELIB_PATH", out.join("lib/girepository-1.0"))
        .env("LD_LIBRARY_PATH", out.join("lib"))
        .spawn()
        .unwrap();
    let done = output_within(child, Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&done.stdout);
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(
        done.status.is_some_and(|s| s.success()),
        "remote.py failed ({:?}):\n{stdout}\n{stderr}",
        done.status
    );
    let expected = [
        "bad-instance g-io-error-quark 13 “9 lives” cannot be part of a D-Bus name; \
         use letters, digits and _, not starting with a digit.",
        "names org.framescope.Framescope.py_test",
        "property org.framescope.Framescope.py_test",
        "owned org.framescope.Framescope.py_test yes",
        "SECOND",
        "owned org.framescope.Framescope.py_test no",
        "names-with-mpris org.mpris.MediaPlayer2.framescope.py_mpris \
         org.framescope.Framescope.py_mpris",
        "owned org.mpris.MediaPlayer2.framescope.py_mpris yes",
        "owned org.mpris.MediaPlayer2.framescope.py_mpris no",
    ];
    // The second export's message ends with GIO's own words, in the
    // locale's language: only its start is ours.
    let second = "second-export g-io-error-quark 2 \
                  The remote control objects could not be registered (";
    let lines: Vec<&str> = stdout
        .lines()
        .map(|l| if l.starts_with(second) { "SECOND" } else { l })
        .collect();
    assert_eq!(lines, expected, "remote.py printed:\n{stdout}\n{stderr}");
}
