//! `framescope inspect`, headless: the report of generated clips (whose
//! streams are known) through the library and through the executable's JSON,
//! and broken input reported with the engine's error kinds.

mod common;

use common::*;
use framescope::engine::{to_uri, ErrorKind};
use framescope::inspect::inspect;
use std::process::Command;

#[test]
fn report_lists_known_streams() {
    framescope::engine::init().unwrap();
    let r = inspect(&to_uri(clip("h264_aac.mp4").to_str().unwrap())).expect("inspects");
    assert!((r.duration.unwrap() - 2.0).abs() < 0.1, "{r:?}");
    assert!(r.seekable && !r.live);
    // GStreamer describes MP4 and MOV alike.
    assert_eq!(r.container.as_deref(), Some("Quicktime"));
    assert_eq!(r.streams.len(), 2, "{r:#?}");
    let video = r
        .streams
        .iter()
        .find(|s| s.kind == "video")
        .expect("video stream");
    assert_eq!((video.width, video.height), (Some(320), Some(240)));
    assert_eq!(video.framerate.as_deref(), Some("30/1"));
    assert!(video.codec.contains("H.264"), "{}", video.codec);
    assert!(video.caps.starts_with("video/x-h264"), "{}", video.caps);
    let audio = r
        .streams
        .iter()
        .find(|s| s.kind == "audio")
        .expect("audio stream");
    assert_eq!((audio.channels, audio.rate), (Some(2), Some(48000)));
    assert!(audio.decodable && video.decodable);

    let r = inspect(&to_uri(clip("audio_only.ogg").to_str().unwrap())).unwrap();
    assert_eq!(r.streams.len(), 1);
    assert_eq!(r.streams[0].kind, "audio");
    assert!(
        r.streams[0].codec.contains("Opus"),
        "{}",
        r.streams[0].codec
    );
}

#[test]
fn broken_input_gives_engine_error_kinds() {
    framescope::engine::init().unwrap();
    let kind = |p: std::path::PathBuf| inspect(&to_uri(p.to_str().unwrap())).unwrap_err().kind;
    assert_eq!(kind(bad_file("missing.mp4")), ErrorKind::NotFound);
    assert_eq!(kind(bad_file("text.mp4")), ErrorKind::NotMedia);
    assert_eq!(kind(bad_file("random.bin")), ErrorKind::NotMedia);
    assert_eq!(kind(bad_file("folder")), ErrorKind::NotMedia);
}

#[test]
fn executable_prints_json_and_errors_as_json() {
    let bin = env!("CARGO_BIN_EXE_framescope");
    let out = Command::new(bin)
        .args(["inspect", "--json"])
        .arg(clip("vp9_opus.webm"))
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    for key in [
        "uri",
        "container",
        "duration",
        "seekable",
        "live",
        "tags",
        "streams",
    ] {
        assert!(json.get(key).is_some(), "missing {key}: {json}");
    }
    let types: Vec<&str> = json["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert_eq!(types.len(), 2, "{json}");
    assert!(types.contains(&"video") && types.contains(&"audio"));

    let out = Command::new(bin)
        .args(["inspect", "--json"])
        .arg(bad_file("empty.mp4"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["kind"], "not-media", "{json}");

    let out = Command::new(bin)
        .args(["inspect"])
        .arg(clip("theora_vorbis.ogg"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("Theora") && text.contains("Vorbis"),
        "{text}"
    );
}
