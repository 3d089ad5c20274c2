//! Remote control on a private session bus (a `dbus-run-session` the test
//! starts): a kiosk started with `--control` is driven entirely from
//! outside — through `framescope ctl` (state, pause, accurate seek, steps
//! back and forth read off `stats --json`, rate, A-B loop, audio track,
//! subtitle file, snapshot to a PNG checked for size and content) and
//! through `gdbus call` on the `org.framescope.Player1` interface; bad
//! calls (a NaN rate, unknown and out-of-range tracks, arguments of the
//! wrong type sent with `dbus-send`) get D-Bus errors and the player keeps
//! answering; `stats --json` has the `--stats-json` members and `state`.
//! A kiosk without `--control` puts no name on the bus, and `ctl` says
//! that no player is running.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Framescope interface, as `gdbus` and `dbus-send` need it.
const PATH: &str = "/org/framescope/Framescope/Player";
const INTERFACE: &str = "org.framescope.Player1";

/// A folder of the test's own (settings, resume points, outputs).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("control-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The player: `framescope ARGS` on `bus`, with its own settings folders.
fn start_player(bus: &Bus, dir: &Path, args: &[&std::ffi::OsStr]) -> Child {
    let mut command = bus.command(env!("CARGO_BIN_EXE_framescope"));
    command
        .args(args)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .stdout(Stdio::null())
        .stderr(Stdio::from(
            std::fs::File::create(dir.join("player.log")).unwrap(),
        ));
    command.spawn().expect("framescope starts")
}

/// Ends the player with SIGTERM (it closes as a person would) and returns
/// its exit code.
fn stop_player(mut player: Child) -> Option<i32> {
    // SAFETY: a plain kill(2) of the child this test started.
    unsafe { libc::kill(player.id() as i32, libc::SIGTERM) };
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if let Ok(Some(status)) = player.try_wait() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = player.kill();
    let _ = player.wait();
    None
}

fn number(value: &serde_json::Value, key: &str) -> f64 {
    value
        .get(key)
        .and_then(|v| v.as_f64())
        .unwrap_or_else(|| panic!("stats have a number “{key}”: {value}"))
}

/// The clip, made once for both tests (they run at the same time).
fn clip() -> PathBuf {
    static CLIP: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CLIP.get_or_init(test_pattern_two_audio_mkv).clone()
}

#[test]
fn a_kiosk_with_control_is_driven_through_ctl_and_gdbus() {
    let clip = clip();
    let dir = scratch("kiosk");
    let stats_file = dir.join("exit-stats.json");
    let bus = Bus::start();
    let player = start_player(
        &bus,
        &dir,
        &[
            "--kiosk".as_ref(),
            "--control".as_ref(),
            "--mute".as_ref(),
            "--stats-json".as_ref(),
            stats_file.as_os_str(),
            clip.as_os_str(),
        ],
    );
    let log = || std::fs::read_to_string(dir.join("player.log")).unwrap_or_default();

    // It plays, and answers as one named player.
    assert!(
        eventually(Duration::from_secs(30), || bus.ctl(&["state"]).1
            == "playing"),
        "the kiosk reports playing through ctl; log: {}",
        log()
    );
    let name = bus
        .names()
        .split(['\'', '"'])
        .find(|n| n.starts_with("org.framescope.Framescope.instance"))
        .map(str::to_string)
        .expect("the per-instance name is on the bus");
    assert!(
        bus.names().contains("org.mpris.MediaPlayer2.framescope"),
        "a kiosk with --control offers MPRIS too"
    );

    // Pause, then an accurate seek to 1 s.
    bus.ctl_ok(&["pause"]);
    assert!(eventually(Duration::from_secs(10), || bus
        .ctl(&["state"])
        .1
        == "paused"));
    bus.ctl_ok(&["seek", "1.0", "--mode", "accurate"]);
    assert!(
        eventually(Duration::from_secs(10), || {
            let s = bus.stats();
            (number(&s, "position_s") - 1.0).abs() < 0.05 && s["state"] == "paused"
        }),
        "the seek lands at 1 s, paused: {}",
        bus.stats()
    );
    let at = number(&bus.stats(), "frame_number") as i64;
    assert!(at > 0, "a frame number after the seek: {}", bus.stats());

    // A step back shows the frame before; a step forward the one after.
    bus.ctl_ok(&["step", "-1"]);
    assert!(
        eventually(
            Duration::from_secs(10),
            || number(&bus.stats(), "frame_number") as i64 == at - 1
        ),
        "step -1 shows frame {}: {}",
        at - 1,
        bus.stats()
    );
    bus.ctl_ok(&["step", "1"]);
    assert!(
        eventually(
            Duration::from_secs(10),
            || number(&bus.stats(), "frame_number") as i64 == at
        ),
        "step 1 shows frame {at} again: {}",
        bus.stats()
    );

    // Rate, and an A-B loop set and cleared (read back as properties).
    bus.ctl_ok(&["rate", "2"]);
    assert!(eventually(Duration::from_secs(5), || number(
        &bus.stats(),
        "rate"
    ) == 2.0));
    let get = |property: &str| {
        bus.run(
            "gdbus",
            &[
                "call",
                "--session",
                "--dest",
                &name,
                "--object-path",
                PATH,
                "--method",
                "org.freedesktop.DBus.Properties.Get",
                INTERFACE,
                property,
            ],
        )
        .1
    };
    bus.ctl_ok(&["loop", "1", "2.5"]);
    assert!(get("LoopA").contains("1000000"), "{}", get("LoopA"));
    assert!(get("LoopB").contains("2500000"), "{}", get("LoopB"));
    bus.ctl_ok(&["loop", "off"]);
    assert!(get("LoopB").contains("-1"), "{}", get("LoopB"));

    // The second audio track.
    bus.ctl_ok(&["track", "audio", "1"]);
    assert!(
        eventually(Duration::from_secs(10), || {
            let tracks: serde_json::Value = serde_json::from_str(&bus.ctl_ok(&["tracks"])).unwrap();
            tracks
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["kind"] == "audio" && t["index"] == 1 && t["current"] == true)
        }),
        "audio track 1 plays: {}",
        bus.ctl_ok(&["tracks"])
    );

    // A subtitle file.
    let srt = dir.join("remote.srt");
    let cues: String = (0..12)
        .map(|i| {
            format!(
                "{}\n00:00:{:02},000 --> 00:00:{:02},500\nREMOTE\n\n",
                i + 1,
                i / 2,
                i / 2
            )
        })
        .collect();
    std::fs::write(&srt, cues).unwrap();
    bus.ctl_ok(&["subtitle", srt.to_str().unwrap()]);
    assert!(
        eventually(Duration::from_secs(10), || bus.stats()["subtitle_file"]
            == "remote.srt"),
        "the subtitle file is loaded: {}",
        bus.stats()
    );

    // A snapshot of the frame on screen: full size, not blank.
    assert!(eventually(Duration::from_secs(10), || bus.stats()
        ["frame_pts_s"]
        .is_number()));
    let png = dir.join("shot.png");
    let said = bus.ctl_ok(&["snapshot", png.to_str().unwrap()]);
    assert!(said.contains("320x240"), "{said}");
    let (w, h, rgb) = framecode::rgb_of_png(&png);
    assert_eq!((w, h), (320, 240));
    let colours: std::collections::BTreeSet<&[u8]> = rgb.chunks(3).collect();
    assert!(
        colours.len() > 8,
        "the snapshot shows the test pattern, not a blank frame"
    );

    // The same player through gdbus.
    let (code, _, err) = bus.gdbus(&name, "Play", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(eventually(Duration::from_secs(10), || get("State").contains("playing")));
    let (code, _, err) = bus.gdbus(&name, "Pause", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(eventually(Duration::from_secs(10), || get("State").contains("paused")));
    let (code, _, err) = bus.gdbus(&name, "Seek", &["2.0", "accurate"]);
    assert_eq!(code, 0, "{err}");
    assert!(eventually(Duration::from_secs(10), || (number(
        &bus.stats(),
        "position_s"
    ) - 2.0)
        .abs()
        < 0.05));
    let (code, out, err) = bus.gdbus(&name, "Stats", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("state"), "{out}");

    // Bad calls: errors, never a crash.
    let (code, _, err) = bus.ctl(&["rate", "nan"]);
    assert_eq!(code, 1, "a NaN rate fails");
    assert!(err.contains("not a rate"), "{err}");
    let (code, _, err) = bus.ctl(&["track", "audio", "7"]);
    assert_eq!(code, 1);
    assert!(err.contains("no track 7"), "{err}");
    let (code, _, err) = bus.ctl(&["track", "teletext", "0"]);
    assert_eq!(code, 1);
    assert!(err.contains("not a kind of track"), "{err}");
    let (code, _, err) = bus.ctl(&["track", "audio", "-5"]);
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = bus.ctl(&["seek", "3600"]);
    assert_eq!(code, 1);
    assert!(err.contains("past the end"), "{err}");
    let (code, _, err) = bus.ctl(&["snapshot", "/no/such/folder/x.png"]);
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = bus.gdbus(&name, "Step", &["0"]);
    assert_ne!(code, 0, "Step 0 is refused: {err}");
    assert!(err.contains("InvalidArgs"), "{err}");
    let (code, _, err) = bus.gdbus(&name, "SelectTrack", &["audio", "9"]);
    assert_ne!(code, 0);
    assert!(err.contains("no track 9"), "{err}");
    let (code, _, err) = bus.dbus_send(&name, "SetRate", &["double:nan"]);
    assert_ne!(code, 0, "NaN through dbus-send is refused");
    assert!(err.contains("not a rate"), "{err}");
    let (code, _, err) = bus.dbus_send(&name, "SetRate", &["string:fast"]);
    assert_ne!(code, 0, "a string for a double is refused");
    assert!(err.contains("InvalidArgs"), "{err}");
    let (code, _, err) = bus.dbus_send(&name, "Step", &["double:1.5"]);
    assert_ne!(code, 0, "a double for an int32 is refused");
    assert!(err.contains("InvalidArgs"), "{err}");
    let (code, _, err) = bus.dbus_send(&name, "SetLoop", &["double:2", "double:1"]);
    assert_ne!(code, 0, "B before A is refused: {err}");
    let (code, _, _) = bus.dbus_send(&name, "NoSuchMethod", &[]);
    assert_ne!(code, 0);
    let (code, _, err) = bus.ctl(&["step"]);
    assert_eq!(code, 2, "a step without N is a bad command line: {err}");

    // Still alive and answering.
    assert_eq!(
        bus.ctl_ok(&["state"]),
        "paused",
        "the player survived; log: {}",
        log()
    );
    let stats = bus.stats();
    assert_eq!(stats["state"], "paused");

    // `stats --json` is what `--stats-json` writes (plus nothing).
    assert_eq!(stop_player(player), Some(0), "log: {}", log());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats_file).unwrap()).unwrap();
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&stats), keys(&written));
    assert!(written.get("state").is_some() && written.get("kiosk").is_some());
}

#[test]
fn a_kiosk_without_control_offers_nothing_on_the_bus() {
    let clip = clip();
    let dir = scratch("locked");
    let bus = Bus::start();
    // No player yet: ctl says so in one sentence.
    let (code, _, err) = bus.ctl(&["pause"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "framescope ctl: No Framescope player with remote control is running; start one with --control."
    );
    let stats_file = dir.join("exit-stats.json");
    let player = start_player(
        &bus,
        &dir,
        &[
            "--kiosk".as_ref(),
            "--mute".as_ref(),
            "--stats-json".as_ref(),
            stats_file.as_os_str(),
            clip.as_os_str(),
        ],
    );
    // Give it the time a controlled kiosk needs to appear, and then some.
    std::thread::sleep(Duration::from_secs(4));
    let names = bus.names();
    assert!(
        !names.contains("framescope") && !names.contains("mpris"),
        "a kiosk without --control has no name on the bus: {names}"
    );
    let (code, _, _) = bus.ctl(&["state"]);
    assert_eq!(code, 1);
    assert_eq!(stop_player(player), Some(0));
    // It was playing all along.
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats_file).unwrap()).unwrap();
    assert!(written["rendered"].as_u64().unwrap_or(0) > 0, "{written}");
}

/// Runs `command` to its end while turning the thread-default main context
/// (the player it talks to answers there): (exit code, stdout, stderr).
fn run_turning(mut command: Command) -> (i32, String, String) {
    use std::io::Read;
    let mut child = command.spawn().unwrap();
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text.trim().to_string()
        })
    };
    let out = read(Box::new(child.stdout.take().unwrap()));
    let err = read(Box::new(child.stderr.take().unwrap()));
    let ctx = glib::MainContext::ref_thread_default();
    let start = Instant::now();
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status.code().unwrap_or(-1);
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            break -1;
        }
        turn_once(&ctx);
    };
    (status, out.join().unwrap(), err.join().unwrap())
}

#[test]
fn a_host_offers_a_headless_player_through_the_library() {
    use framescope::control::{ControlOptions, RemoteControl};
    let clip = clip();
    let bus = Bus::start();
    with_context(|| {
        let connection = gio::DBusConnection::for_address_sync(
            &bus.address,
            gio::DBusConnectionFlags::AUTHENTICATION_CLIENT
                | gio::DBusConnectionFlags::MESSAGE_BUS_CONNECTION,
            None,
            None::<&gio::Cancellable>,
        )
        .expect("the private bus answers");
        let (player, _) = open_paused(&clip);
        let remote = RemoteControl::export_on(
            &connection,
            &player,
            ControlOptions {
                mpris: false,
                player_interface: true,
                instance: Some("host_test".into()),
                hooks: Default::default(),
            },
        )
        .expect("the player is offered");
        assert_eq!(remote.names(), ["org.framescope.Framescope.host_test"]);
        let ctl = |args: &[&str]| {
            let mut command = bus.command(env!("CARGO_BIN_EXE_framescope"));
            command.arg("ctl").args(args);
            run_turning(command)
        };
        assert!(
            run_until(Duration::from_secs(10), || ctl(&["state"]).1 == "paused"),
            "ctl finds the host's player, paused"
        );
        // The library's own statistics: the state, where it is, the counts.
        let (code, json, err) = ctl(&[
            "--name",
            "org.framescope.Framescope.host_test",
            "stats",
            "--json",
        ]);
        assert_eq!(code, 0, "{err}");
        let stats: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(stats["state"], "paused", "{stats}");
        assert!(stats["stats"]["rendered"].is_number(), "{stats}");
        assert_eq!(stats["max_restarts"], 0, "the watchdog is off: {stats}");
        assert!(
            stats["restarts"].is_u64() && stats["errors"].is_u64(),
            "{stats}"
        );
        let at = player.frame_number();
        assert_eq!(ctl(&["step", "1"]).0, 0);
        assert!(run_until(Duration::from_secs(10), || player.frame_number() == at + 1));
        let (code, _, err) = ctl(&["rate", "inf"]);
        assert_eq!(code, 1, "{err}");
        assert_eq!(
            player.rate(),
            1.0,
            "a refused rate never reaches the player"
        );
        let (code, _, err) = ctl(&["next"]);
        assert_eq!(
            (code, err.as_str()),
            (1, "framescope ctl: There is no next item in the queue.")
        );
        let mut gdbus = bus.command("gdbus");
        gdbus.args([
            "call",
            "--session",
            "--dest",
            "org.framescope.Framescope.host_test",
            "--object-path",
            PATH,
            "--method",
            "org.framescope.Player1.SetVolume",
            "0.5",
        ]);
        assert_eq!(run_turning(gdbus).0, 0);
        assert_eq!(player.volume(), 0.5);
        // Dropped: off the bus.
        drop(remote);
        assert!(
            run_until(Duration::from_secs(10), || ctl(&["state"]).0 == 1),
            "a dropped RemoteControl leaves the bus"
        );
    });
}
