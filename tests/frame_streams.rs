//! `inspect --frames` lists every stream GStreamer can demux, not only the
//! video and audio it has parsers for: intra-only video (MJPEG in AVI and
//! MOV, ProRes, DNxHD, PNG), raw video and PCM audio, subtitles (SRT and
//! ASS in Matroska, mov_text in MP4) and a KLV data stream in MPEG-TS. Each
//! clip is made in a temporary folder; for each stream the packet count,
//! every PTS (1 µs, finer than any container's clock), DTS and duration
//! where both tools give one, size and keyframe flag must equal
//! `ffprobe -show_packets`, and intra-only video must be all I keyframes.
//! A case is skipped, with a printed line, only when an encoder or a
//! GStreamer element it needs is not installed.

use framescope::engine::to_uri;
use framescope::inspect::{inspect, scan_frames, FrameRecord, PictureType, ScanKinds};
use gst::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

/// What `inspect` and the scanner found: the kind of each stream index, the
/// frames.
struct Scan {
    kinds: Vec<String>,
    frames: Vec<FrameRecord>,
}

fn scan(path: &Path) -> Scan {
    framescope::engine::init().unwrap();
    let uri = to_uri(path.to_str().unwrap());
    let report = inspect(&uri).unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message));
    let mut kinds: Vec<String> = report.streams.iter().map(|s| s.kind.clone()).collect();
    let mut frames = Vec::new();
    scan_frames(
        &uri,
        &report.streams,
        ScanKinds::ALL,
        &AtomicBool::new(false),
        |f| frames.push(f),
    )
    .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message));
    // Streams the report did not list come after its own, as "other".
    let most = frames.iter().map(|f| f.stream + 1).max().unwrap_or(0);
    kinds.resize(kinds.len().max(most), "other".into());
    Scan { kinds, frames }
}

/// One packet as ffprobe lists it; times in ns.
#[derive(Debug, Clone)]
struct Packet {
    pts: Option<i64>,
    dts: Option<i64>,
    duration: Option<i64>,
    size: usize,
    keyframe: bool,
}

/// ffprobe's streams in its order: (kind in the report's words, codec name,
/// packets).
fn ffprobe(path: &Path) -> Vec<(String, String, Vec<Packet>)> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries"])
        .arg("stream=index,codec_type,codec_name,time_base:packet=stream_index,pts,dts,duration,size,flags")
        .args(["-of", "json"])
        .arg(path)
        .output()
        .expect("ffprobe runs (scripts/setup.sh test installs it)");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("ffprobe's JSON");
    let mut result = Vec::new();
    for s in json["streams"].as_array().expect("streams") {
        let (num, den) = s["time_base"]
            .as_str()
            .and_then(|t| t.split_once('/'))
            .map(|(n, d)| (n.parse::<i128>().unwrap(), d.parse::<i128>().unwrap()))
            .expect("a time base");
        // Ticks to ns, rounded to the nearest.
        let ns = |v: &serde_json::Value| {
            v.as_i64()
                .map(|t| ((t as i128 * num * 1_000_000_000 + den / 2).div_euclid(den)) as i64)
        };
        let kind = match s["codec_type"].as_str().unwrap_or_default() {
            "video" => "video",
            "audio" => "audio",
            "subtitle" => "subtitle",
            _ => "other",
        };
        let packets = json["packets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["stream_index"] == s["index"])
            .map(|p| Packet {
                pts: ns(&p["pts"]),
                dts: ns(&p["dts"]),
                duration: ns(&p["duration"]),
                size: p["size"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0),
                keyframe: p["flags"].as_str().unwrap_or_default().contains('K'),
            })
            .collect();
        let codec = s["codec_name"].as_str().unwrap_or_default().to_string();
        result.push((kind.to_string(), codec, packets));
    }
    result
}

/// How close our times must be to ffprobe's: 1 µs.
const TOLERANCE_NS: i64 = 1_000;

fn near(a: Option<i64>, b: Option<i64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= TOLERANCE_NS,
        _ => true,
    }
}

/// Compares every stream of `path` with ffprobe, streams paired by kind and
/// order; `adjust` may drop ffprobe packets GStreamer documentedly does not
/// output (by stream kind). Returns the scan and ffprobe's codec names.
fn agree_with_ffprobe(
    path: &Path,
    adjust: impl Fn(&str, Vec<Packet>) -> Vec<Packet>,
) -> (Scan, Vec<String>) {
    let scan = scan(path);
    let theirs = ffprobe(path);
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    // Every container's times must be the same as ffprobe's (MPEG-TS
    // included: the 90 kHz clock's, not GStreamer's stream time).
    let first_ours = scan.frames.iter().filter_map(|f| f.pts).min();
    let first_theirs = theirs
        .iter()
        .flat_map(|(_, _, packets)| packets.iter().filter_map(|p| p.pts))
        .min();
    let offset = first_theirs.unwrap_or(0) - first_ours.unwrap_or(0);
    assert!(
        offset.abs() <= TOLERANCE_NS,
        "{name}: times shifted by {offset} ns"
    );
    let shift = |t: Option<i64>| t.map(|t| t + offset);
    for kind in ["video", "audio", "subtitle", "other"] {
        let ours: Vec<usize> = (0..scan.kinds.len())
            .filter(|&i| scan.kinds[i] == kind)
            .collect();
        let their: Vec<&(String, String, Vec<Packet>)> =
            theirs.iter().filter(|(k, _, _)| k == kind).collect();
        assert_eq!(ours.len(), their.len(), "{name}: {kind} streams");
        for (&index, (_, codec, packets)) in ours.iter().zip(their) {
            let tag = format!("{name} {kind} stream {index} ({codec})");
            let packets = adjust(kind, packets.clone());
            let frames: Vec<&FrameRecord> =
                scan.frames.iter().filter(|f| f.stream == index).collect();
            assert!(!frames.is_empty(), "{tag}: no frames listed");
            assert_eq!(frames.len(), packets.len(), "{tag}: packet count");
            for (i, (f, p)) in frames.iter().zip(&packets).enumerate() {
                let at = format!("{tag}, packet {i}: ours {f:?}, ffprobe {p:?}");
                assert!(f.pts.is_some() && p.pts.is_some(), "{at}: a PTS");
                assert!(near(shift(f.pts), p.pts), "{at}: PTS");
                assert!(near(shift(f.dts), p.dts), "{at}: DTS");
                let duration = f.duration.map(|d| d as i64);
                assert!(near(duration, p.duration), "{at}: duration");
                assert_eq!(f.size, p.size, "{at}: size");
                assert_eq!(f.keyframe, p.keyframe, "{at}: keyframe flag");
            }
        }
    }
    let codecs = theirs.into_iter().map(|(_, c, _)| c).collect();
    (scan, codecs)
}

/// Every packet of `kind`.
fn of_kind<'a>(scan: &'a Scan, kind: &str) -> Vec<&'a FrameRecord> {
    scan.frames
        .iter()
        .filter(|f| scan.kinds.get(f.stream).map(String::as_str) == Some(kind))
        .collect()
}

/// Intra-only video: every frame an I keyframe.
fn assert_all_intra(scan: &Scan, what: &str) {
    let video = of_kind(scan, "video");
    assert!(!video.is_empty(), "{what}: no video frames");
    for f in video {
        assert!(f.keyframe, "{what}: {f:?}");
        assert_eq!(f.picture_type, Some(PictureType::I), "{what}: {f:?}");
    }
}

/// What a case needs that may be missing on a machine.
fn missing(encoders: &[&str], elements: &[&str]) -> Option<String> {
    framescope::engine::init().unwrap();
    let listed = Command::new("ffmpeg")
        .args(["-hide_banner", "-encoders"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    let mut absent: Vec<String> = encoders
        .iter()
        .filter(|e| !listed.split_whitespace().any(|w| w == **e))
        .map(|e| format!("ffmpeg encoder {e}"))
        .collect();
    absent.extend(
        elements
            .iter()
            .filter(|e| gst::ElementFactory::find(e).is_none())
            .map(|e| format!("GStreamer element {e}")),
    );
    (!absent.is_empty()).then(|| absent.join(", "))
}

/// Skips the calling test with a visible line when something is missing.
macro_rules! require {
    ($encoders:expr, $elements:expr) => {
        if let Some(absent) = missing(&$encoders, &$elements) {
            println!("SKIPPED: {} is not installed", absent);
            return;
        }
    };
}

/// Makes `name` in `dir` with ffmpeg and these arguments (inputs and
/// options; the output goes last).
fn ffmpeg(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .arg(&out)
        .status()
        .expect("ffmpeg runs (scripts/setup.sh test installs it)");
    assert!(status.success(), "ffmpeg could not make {name}: {args:?}");
    out
}

const TESTSRC_320_15: [&str; 4] = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=15"];
const SINE: [&str; 4] = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"];

/// The inputs and options of `args` as one list.
fn args<'a>(parts: &[&[&'a str]]) -> Vec<&'a str> {
    parts.concat()
}

#[test]
fn mjpeg_and_pcm_in_avi_list_every_video_and_audio_frame() {
    require!(["mjpeg", "pcm_s16le"], ["avidemux", "jpegparse"]);
    let dir = tempfile::tempdir().unwrap();
    let path = ffmpeg(
        dir.path(),
        "mjpeg.avi",
        &args(&[
            &TESTSRC_320_15,
            &SINE,
            &["-t", "3", "-c:v", "mjpeg", "-c:a", "pcm_s16le"],
        ]),
    );
    let (scan, codecs) = agree_with_ffprobe(&path, |_, p| p);
    assert_eq!(codecs, ["mjpeg", "pcm_s16le"]);
    assert_eq!(of_kind(&scan, "video").len(), 45);
    // 3 s of 44.1 kHz audio in AVI chunks of 1024 samples.
    assert_eq!(of_kind(&scan, "audio").len(), 130);
    assert_all_intra(&scan, "MJPEG");
    for (i, f) in of_kind(&scan, "video").iter().enumerate() {
        let expected = (i as i64 * 1_000_000_000).div_euclid(15);
        assert!(near(f.pts, Some(expected)), "frame {i}: {f:?}");
    }
}

#[test]
fn prores_dnxhd_png_and_jpeg_in_mov_are_all_i_keyframes() {
    require!(
        ["prores_ks", "dnxhd", "png", "mjpeg"],
        ["qtdemux", "pngparse", "jpegparse"]
    );
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, Vec<&str>); 4] = [
        (
            "prores.mov",
            "prores",
            args(&[
                &["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25"],
                &["-t", "1", "-c:v", "prores_ks", "-profile:v", "3"],
            ]),
        ),
        (
            // DNxHD proper (fourcc AVdn): a 1080p 36 Mbit/s profile.
            "dnxhd.mov",
            "dnxhd",
            args(&[
                &["-f", "lavfi", "-i", "testsrc=size=1920x1080:rate=25"],
                &[
                    "-t", "0.4", "-pix_fmt", "yuv422p", "-c:v", "dnxhd", "-b:v", "36M",
                ],
            ]),
        ),
        (
            "png.mov",
            "png",
            args(&[
                &["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10"],
                &["-t", "2", "-c:v", "png"],
            ]),
        ),
        (
            "jpeg.mov",
            "mjpeg",
            args(&[&TESTSRC_320_15, &["-t", "2", "-c:v", "mjpeg"]]),
        ),
    ];
    for (name, codec, arguments) in cases {
        let path = ffmpeg(dir.path(), name, &arguments);
        let (scan, codecs) = agree_with_ffprobe(&path, |_, p| p);
        assert_eq!(codecs, [codec]);
        assert_all_intra(&scan, name);
    }
}

#[test]
fn dnxhr_lists_its_frames_where_gstreamer_demuxes_it() {
    require!(["dnxhd"], ["mxfdemux"]);
    let dir = tempfile::tempdir().unwrap();
    // GStreamer 1.22's qtdemux does not know DNxHR's MOV fourcc (AVdh);
    // its MXF demuxer does.
    let path = ffmpeg(
        dir.path(),
        "dnxhr.mxf",
        &args(&[
            &["-f", "lavfi", "-i", "testsrc=size=1280x720:rate=25"],
            &["-t", "0.8", "-pix_fmt", "yuv422p", "-c:v", "dnxhd"],
            &["-profile:v", "dnxhr_lb"],
        ]),
    );
    let (scan, codecs) = agree_with_ffprobe(&path, |_, p| p);
    assert_eq!(codecs, ["dnxhd"]);
    assert_eq!(of_kind(&scan, "video").len(), 20);
    assert_all_intra(&scan, "DNxHR LB");
}

#[test]
fn dnxhr_in_mov_is_listed_or_refused_with_a_sentence() {
    require!(["dnxhd"], ["qtdemux"]);
    let dir = tempfile::tempdir().unwrap();
    let path = ffmpeg(
        dir.path(),
        "dnxhr.mov",
        &args(&[
            &["-f", "lavfi", "-i", "testsrc=size=1280x720:rate=25"],
            &["-t", "0.4", "-pix_fmt", "yuv422p", "-c:v", "dnxhd"],
            &["-profile:v", "dnxhr_lb"],
        ]),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_framescope"))
        .args(["inspect", "--json", "--frames"])
        .arg(&path)
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    if out.status.success() {
        // A GStreamer whose qtdemux knows DNxHR's fourcc (AVdh).
        let frames = json["frames"].as_array().expect("frames");
        assert_eq!(frames.len(), 10, "{json}");
        assert!(frames.iter().all(|f| f["keyframe"] == true));
    } else {
        // GStreamer 1.22: qtdemux gives the stream caps no decoder or parser
        // knows, and nothing can be read (docs/inspect.md).
        println!(
            "DNxHR in MOV is not read by this GStreamer: {}",
            json["error"]
        );
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(json["error"]["kind"], "missing-plugin", "{json}");
    }
}

#[test]
fn raw_video_and_pcm_are_listed_packet_by_packet() {
    require!(
        ["rawvideo", "pcm_s16le"],
        ["avidemux", "matroskademux", "wavparse"]
    );
    let dir = tempfile::tempdir().unwrap();
    let source = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10"];
    let raw = ["-c:v", "rawvideo", "-pix_fmt", "yuv420p"];
    let avi = ffmpeg(
        dir.path(),
        "raw.avi",
        &args(&[&source, &SINE, &["-t", "2"], &raw, &["-c:a", "pcm_s16le"]]),
    );
    let (scan, codecs) = agree_with_ffprobe(&avi, |_, p| p);
    assert_eq!(codecs, ["rawvideo", "pcm_s16le"]);
    assert_eq!(of_kind(&scan, "video").len(), 20);
    assert_all_intra(&scan, "raw video in AVI");
    // Matroska: no decode times (GStreamer gives none), PCM in blocks.
    let mkv = ffmpeg(
        dir.path(),
        "raw.mkv",
        &args(&[&source, &SINE, &["-t", "2"], &raw, &["-c:a", "pcm_s16le"]]),
    );
    let (scan, _) = agree_with_ffprobe(&mkv, |_, p| p);
    assert_all_intra(&scan, "raw video in Matroska");
    assert!(of_kind(&scan, "audio").len() > 10);
    // WAV: both tools cut the data into packets of 4096 bytes.
    let wav = ffmpeg(
        dir.path(),
        "pcm.wav",
        &args(&[&SINE, &["-t", "1", "-c:a", "pcm_s16le"]]),
    );
    let (scan, codecs) = agree_with_ffprobe(&wav, |_, p| p);
    assert_eq!(codecs, ["pcm_s16le"]);
    assert_eq!(of_kind(&scan, "audio").len(), 22);
}

/// Three cues: 0.5–1.0 s, 1.2–2.0 s, 2.5–2.9 s.
const SRT: &str = "1\n00:00:00,500 --> 00:00:01,000\nHello\n\n\
                   2\n00:00:01,200 --> 00:00:02,000\nWorld\n\n\
                   3\n00:00:02,500 --> 00:00:02,900\nThird line\n";

#[test]
fn subtitle_packets_are_listed() {
    require!(
        ["mjpeg", "srt", "ass", "mov_text"],
        ["matroskademux", "qtdemux"]
    );
    let dir = tempfile::tempdir().unwrap();
    let srt = dir.path().join("cues.srt");
    std::fs::write(&srt, SRT).unwrap();
    let srt = srt.to_str().unwrap();
    let input = |codec: &'static str| -> Vec<&str> {
        args(&[
            &[
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=160x120:rate=10",
                "-i",
                srt,
            ],
            &["-t", "3", "-c:v", "mjpeg", "-c:s", codec],
        ])
    };
    let cues = [500_000_000, 1_200_000_000, 2_500_000_000];
    for (name, codec) in [("srt.mkv", "subrip"), ("ass.mkv", "ass")] {
        let format = if codec == "subrip" { "srt" } else { "ass" };
        let path = ffmpeg(dir.path(), name, &input(format));
        let (scan, codecs) = agree_with_ffprobe(&path, |_, p| p);
        assert_eq!(codecs, ["mjpeg", codec]);
        let subtitles = of_kind(&scan, "subtitle");
        let pts: Vec<i64> = subtitles.iter().filter_map(|f| f.pts).collect();
        assert_eq!(pts, cues, "{name}");
        assert!(subtitles
            .iter()
            .all(|f| f.keyframe && f.picture_type.is_none()));
    }
    // mov_text: ffmpeg writes an empty sample for each gap between cues,
    // and qtdemux hands on only samples with text, as text: without the
    // sample's 2-byte length (and style boxes, which these cues have none
    // of). docs/inspect.md lists this.
    let path = ffmpeg(dir.path(), "mov_text.mp4", &input("mov_text"));
    let (scan, codecs) = agree_with_ffprobe(&path, |kind, packets| {
        if kind == "subtitle" {
            packets
                .into_iter()
                .filter(|p| p.size > 2)
                .map(|p| Packet {
                    size: p.size - 2,
                    ..p
                })
                .collect()
        } else {
            packets
        }
    });
    assert_eq!(codecs, ["mjpeg", "mov_text"]);
    let pts: Vec<i64> = of_kind(&scan, "subtitle")
        .iter()
        .filter_map(|f| f.pts)
        .collect();
    assert_eq!(pts, cues);
}

/// A KLV packet (SMPTE 336M): a 16-byte universal key, a BER length and a
/// value carrying `n`.
fn klv_packet(n: u8) -> Vec<u8> {
    let mut packet = vec![
        0x06, 0x0e, 0x2b, 0x34, 0x02, 0x0b, 0x01, 0x01, 0x0e, 0x01, 0x03, 0x01, 0x01, 0x00, 0x00,
        0x00,
    ];
    let value = [0x02, 0x08, 0, 0, 0, 0, 0, 0, 0, n];
    packet.push(value.len() as u8);
    packet.extend_from_slice(&value);
    packet
}

/// An MPEG-TS file with H.264 video (10 fps) and a KLV data stream (a
/// packet every 200 ms), 2 s. ffmpeg 5.1 (Debian 12) cannot write one: it
/// has no KLV or timed-ID3 source, and a data stream it is given without a
/// codec is muxed untimed; GStreamer's mpegtsmux can.
fn klv_ts(path: &Path) {
    framescope::engine::init().unwrap();
    let pipeline = gst::parse::launch(
        "appsrc name=klv format=time caps=meta/x-klv,parsed=true ! mux. \
         videotestsrc num-buffers=20 ! video/x-raw,width=160,height=120,framerate=10/1 \
         ! x264enc key-int-max=10 bframes=0 ! h264parse ! mux. \
         mpegtsmux name=mux ! filesink name=out",
    )
    .unwrap()
    .downcast::<gst::Bin>()
    .unwrap();
    pipeline
        .by_name("out")
        .unwrap()
        .set_property("location", path.to_str().unwrap());
    let src = pipeline
        .by_name("klv")
        .unwrap()
        .downcast::<gst_app::AppSrc>()
        .unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    for n in 0..10u8 {
        let mut buffer = gst::Buffer::from_slice(klv_packet(n));
        let b = buffer.get_mut().unwrap();
        b.set_pts(gst::ClockTime::from_mseconds(200 * u64::from(n)));
        b.set_duration(gst::ClockTime::from_mseconds(200));
        src.push_buffer(buffer).unwrap();
    }
    src.end_of_stream().unwrap();
    let bus = pipeline.bus().unwrap();
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(20),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("the TS is written within 20 s");
    pipeline.set_state(gst::State::Null).unwrap();
    assert!(
        matches!(msg.view(), gst::MessageView::Eos(_)),
        "writing the TS failed: {msg:?}"
    );
}

#[test]
fn klv_data_stream_in_mpeg_ts_is_listed() {
    require!([], ["mpegtsmux", "tsdemux", "x264enc", "appsrc"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klv.ts");
    klv_ts(&path);
    let (scan, codecs) = agree_with_ffprobe(&path, |_, p| p);
    assert_eq!(codecs, ["klv", "h264"]);
    let data = of_kind(&scan, "other");
    assert_eq!(data.len(), 10);
    let first = data[0].pts.unwrap();
    for (n, f) in data.iter().enumerate() {
        assert!(
            near(f.pts, Some(first + n as i64 * 200_000_000)),
            "KLV packet {n}: {f:?}"
        );
        assert_eq!(f.size, klv_packet(0).len());
    }
}

#[test]
fn executable_lists_mjpeg_avi_frames_as_json_and_text() {
    require!(["mjpeg", "pcm_s16le"], ["avidemux", "jpegparse"]);
    let dir = tempfile::tempdir().unwrap();
    let path = ffmpeg(
        dir.path(),
        "x.avi",
        &args(&[
            &TESTSRC_320_15,
            &SINE,
            &["-t", "3", "-c:v", "mjpeg", "-c:a", "pcm_s16le"],
        ]),
    );
    let bin = env!("CARGO_BIN_EXE_framescope");
    let out = Command::new(bin)
        .args(["inspect", "--json", "--frames"])
        .arg(&path)
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json["streams"][0]["type"], "video");
    assert_eq!(json["streams"][1]["type"], "audio");
    let frames = json["frames"].as_array().expect("frames");
    let video: Vec<&serde_json::Value> = frames.iter().filter(|f| f["stream"] == 0).collect();
    assert_eq!(video.len(), 45);
    assert_eq!(frames.iter().filter(|f| f["stream"] == 1).count(), 130);
    for f in &video {
        assert_eq!(f["keyframe"], true, "{f}");
        assert_eq!(f["picture_type"], "I", "{f}");
    }
    assert_eq!(video[1]["pts"].as_f64(), Some(0.066666666), "{}", video[1]);

    let out = Command::new(bin)
        .args(["inspect", "--frames"])
        .arg(&path)
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let rows = |stream: &str| {
        text.lines()
            .filter(|l| l.split_whitespace().next() == Some(stream))
            .count()
    };
    assert_eq!(rows("0"), 45, "{text}");
    assert_eq!(rows("1"), 130);
    assert!(
        text.lines()
            .any(|l| l.starts_with("     0     0.066667") && l.ends_with("yes I")),
        "{text}"
    );
}

#[test]
fn pcm_in_mov_comes_in_qtdemux_runs_of_the_same_samples() {
    require!(["pcm_s16le"], ["qtdemux"]);
    let dir = tempfile::tempdir().unwrap();
    let path = ffmpeg(
        dir.path(),
        "pcm.mov",
        &args(&[&SINE, &["-t", "1", "-c:a", "pcm_s16le"]]),
    );
    // ffmpeg's reader cuts MOV raw audio into packets of 1024 samples;
    // qtdemux hands it on in runs of its own (docs/inspect.md). The same
    // samples either way: same start, same bytes, same end.
    let scan = scan(&path);
    let theirs = ffprobe(&path);
    let (_, codec, packets) = &theirs[0];
    assert_eq!(codec, "pcm_s16le");
    let audio = of_kind(&scan, "audio");
    assert!(!audio.is_empty() && audio.len() <= packets.len());
    assert!(near(audio[0].pts, packets[0].pts));
    let bytes = |sizes: &mut dyn Iterator<Item = usize>| sizes.sum::<usize>();
    assert_eq!(
        bytes(&mut audio.iter().map(|f| f.size)),
        bytes(&mut packets.iter().map(|p| p.size))
    );
    let end = |pts: Option<i64>, d: Option<i64>| pts.zip(d).map(|(p, d)| p + d);
    let last = audio.last().unwrap();
    let their_last = packets.last().unwrap();
    assert!(near(
        end(last.pts, last.duration.map(|d| d as i64)),
        end(their_last.pts, their_last.duration)
    ));
    assert!(audio.iter().all(|f| f.keyframe));
}
