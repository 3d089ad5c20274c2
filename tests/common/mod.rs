//! Test support shared by the integration tests: generated media (made once
//! per build with real GStreamer encoders), bad-input files, and a loop that
//! runs a thread-default main context until a condition holds.
#![allow(dead_code)]

pub mod fileserver;
pub mod framecode;
pub mod gui;
pub mod httpd;

use framescope::engine::{Player, PlayerError, PlayerState};
use gst::prelude::*;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where generated media lives (kept between runs of the same build).
pub fn media_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("media");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One generated clip: file name and the launch description that makes it
/// (`LOCATION` is replaced by the output path).
pub struct Clip {
    pub name: &'static str,
    pub launch: &'static str,
    /// Expected duration in seconds.
    pub seconds: f64,
    pub video: bool,
    pub audio: bool,
}

const V2S: &str = "videotestsrc num-buffers=60 pattern=smpte ! video/x-raw,width=320,height=240,framerate=30/1 ! timeoverlay";
const A2S: &str =
    "audiotestsrc num-buffers=94 samplesperbuffer=1024 ! audio/x-raw,rate=48000,channels=2";

/// The clips the engine tests play to end of stream.
pub fn clips() -> Vec<Clip> {
    vec![
        Clip {
            name: "h264_aac.mp4",
            launch: "mp4mux name=m ! filesink location=LOCATION  V ! videoconvert ! x264enc speed-preset=ultrafast key-int-max=30 bframes=2 ! h264parse ! queue ! m.  A ! audioconvert ! avenc_aac ! aacparse ! queue ! m.",
            seconds: 2.0,
            video: true,
            audio: true,
        },
        Clip {
            name: "vp9_opus.webm",
            launch: "webmmux name=m ! filesink location=LOCATION  V ! videoconvert ! vp9enc deadline=1 cpu-used=8 keyframe-max-dist=30 ! queue ! m.  A ! audioconvert ! opusenc ! queue ! m.",
            seconds: 2.0,
            video: true,
            audio: true,
        },
        Clip {
            name: "theora_vorbis.ogg",
            launch: "oggmux name=m ! filesink location=LOCATION  V ! videoconvert ! theoraenc ! queue ! m.  A ! audioconvert ! vorbisenc ! queue ! m.",
            seconds: 2.0,
            video: true,
            audio: true,
        },
        Clip {
            name: "audio_only.ogg",
            launch: "oggmux name=m ! filesink location=LOCATION  A ! audioconvert ! opusenc ! queue ! m.",
            seconds: 2.0,
            video: false,
            audio: true,
        },
        Clip {
            name: "video_only.webm",
            launch: "webmmux name=m ! filesink location=LOCATION  V ! videoconvert ! vp8enc deadline=1 ! queue ! m.",
            seconds: 2.0,
            video: true,
            audio: false,
        },
    ]
}

static GENERATE: Mutex<()> = Mutex::new(());
/// Held while a tree of files (an HLS or DASH stream) is made or checked:
/// tests running at once share the trees, and `hlssink2` writes a playlist
/// before its last segment, so a tree is only looked at when whole.
static TREES: Mutex<()> = Mutex::new(());

fn trees_lock() -> std::sync::MutexGuard<'static, ()> {
    TREES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs a launch description to end of stream.
pub fn run_to_eos(launch: &str) {
    gst::init().unwrap();
    let pipeline = gst::parse::launch(launch).unwrap_or_else(|e| panic!("{launch}: {e}"));
    let bus = pipeline.bus().unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(120)) {
        match msg.view() {
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => {
                panic!("generating media failed: {} ({:?})", e.error(), e.debug())
            }
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
}

/// Returns the path of a generated file, making it with `launch` (where
/// `LOCATION` is the output path) the first time.
pub fn generate(name: &str, launch: &str) -> PathBuf {
    let _guard = GENERATE.lock().unwrap_or_else(|e| e.into_inner());
    let path = media_dir().join(name);
    if !path.exists() {
        let tmp = media_dir().join(format!("tmp-{name}"));
        let launch = launch
            .replace("V !", &format!("{V2S} !"))
            .replace("A !", &format!("{A2S} !"));
        run_to_eos(&launch.replace("LOCATION", &tmp.display().to_string()));
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

/// Generates a named clip from [`clips`].
pub fn clip(name: &str) -> PathBuf {
    let c = clips()
        .into_iter()
        .find(|c| c.name == name)
        .expect("known clip");
    generate(c.name, c.launch)
}

/// A 1 s VP8 clip of one solid colour (0xAARRGGBB), 320x240.
pub fn solid_clip(argb: u32) -> PathBuf {
    let name = format!("solid_{argb:08x}.webm");
    let launch = format!(
        "videotestsrc num-buffers=30 pattern=solid-color foreground-color={argb} ! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert ! vp8enc deadline=1 ! webmmux ! filesink location=LOCATION"
    );
    generate(&name, &launch)
}

/// Writes a bad-input file of the given kind and returns its path.
pub fn bad_file(kind: &str) -> PathBuf {
    let dir = media_dir().join("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(kind);
    match kind {
        "missing.mp4" => {
            let _ = std::fs::remove_file(&path);
        }
        "folder" => std::fs::create_dir_all(&path).unwrap(),
        "empty.mp4" => std::fs::write(&path, b"").unwrap(),
        "text.mp4" => std::fs::write(
            &path,
            "This is a shopping list, not a video.\nmilk\neggs\n".repeat(50),
        )
        .unwrap(),
        "random.bin" => {
            // A fixed xorshift sequence: random-looking bytes, same every run.
            let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
            let bytes: Vec<u8> = (0..65536)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 24) as u8
                })
                .collect();
            std::fs::write(&path, bytes).unwrap();
        }
        "truncated.mp4" => {
            let full = std::fs::read(clip("h264_aac.mp4")).unwrap();
            std::fs::write(&path, &full[..full.len() * 3 / 10]).unwrap();
        }
        other => panic!("unknown bad file {other}"),
    }
    path
}

/// What a player did, recorded from its signals.
#[derive(Default, Debug)]
pub struct Outcome {
    pub errors: Vec<PlayerError>,
    pub warnings: Vec<String>,
    pub eos: bool,
    pub max_position: u64,
    pub states: Vec<PlayerState>,
}

/// Connects recorders to a player's signals.
pub fn record(player: &Player) -> Rc<RefCell<Outcome>> {
    let out = Rc::new(RefCell::new(Outcome::default()));
    let o = out.clone();
    player.connect_error(move |_, e| o.borrow_mut().errors.push(e.clone()));
    let o = out.clone();
    player.connect_warning(move |_, w| o.borrow_mut().warnings.push(w.to_string()));
    let o = out.clone();
    player.connect_eos(move |_| o.borrow_mut().eos = true);
    let o = out.clone();
    player.connect_position_notify(move |p| {
        let mut o = o.borrow_mut();
        o.max_position = o.max_position.max(p.position());
    });
    let o = out.clone();
    player.connect_state_notify(move |p| o.borrow_mut().states.push(p.state()));
    out
}

/// Iterates the thread-default main context until `done` or `timeout`;
/// returns whether `done` became true.
pub fn run_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let ctx = glib::MainContext::ref_thread_default();
    let start = Instant::now();
    while !done() {
        if start.elapsed() > timeout {
            return false;
        }
        // Never block for long: a timeout source wakes the context.
        let _wake = glib::timeout_source_new(
            Duration::from_millis(20),
            None,
            glib::Priority::DEFAULT,
            || glib::ControlFlow::Break,
        )
        .attach(Some(&ctx));
        ctx.iteration(true);
    }
    true
}

/// Runs `f` with a fresh main context as the thread default.
pub fn with_context<R>(f: impl FnOnce() -> R) -> R {
    framescope::engine::init().unwrap();
    // `RUST_LOG=framescope=debug` shows the engine's decisions in failures.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let ctx = glib::MainContext::new();
    ctx.with_thread_default(|| {
        let result = f();
        // Pipelines let go are stopped on the reaper thread: give them time
        // to finish, so the test binary never exits while one is still
        // being torn down (a source stuck on a stalled server can take a
        // moment). Shared with the tests running at once, hence bounded.
        run_until(Duration::from_secs(5), || {
            framescope::engine::pending_shutdowns() == 0
        });
        result
    })
    .unwrap()
}

/// Plays `path` headless until EOS or an error (or `timeout`).
pub fn play_headless(path: &Path, timeout: Duration) -> (Player, Rc<RefCell<Outcome>>) {
    let player = Player::headless();
    let out = record(&player);
    player.open(&path.display().to_string());
    player.play();
    run_until(timeout, || {
        let o = out.borrow();
        o.eos || !o.errors.is_empty()
    });
    (player, out)
}

/// The shared corpus folder, or `None` (with a visible message) when absent.
pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/media");
    if dir.join("files").is_dir() {
        Some(dir)
    } else {
        // Written to the stderr handle, not with `eprintln!`, so the test
        // harness's output capture does not hide it.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: ../shared/media is absent; real-world corpus tests did not run"
        );
        None
    }
}

/// Makes sure an X display is available to child processes and GTK: keeps
/// `DISPLAY` when set, otherwise starts a private Xvfb and returns its name.
pub fn ensure_display() -> String {
    static DISPLAY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DISPLAY
        .get_or_init(|| {
            if let Ok(d) = std::env::var("DISPLAY") {
                if !d.is_empty() {
                    return d;
                }
            }
            start_xvfb()
        })
        .clone()
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.is_file())
    })
}

fn start_xvfb() -> String {
    for n in 90..130 {
        if Path::new(&format!("/tmp/.X{n}-lock")).exists() {
            continue;
        }
        assert!(
            which("Xvfb").is_some(),
            "Xvfb is not installed; run `scripts/setup.sh test`, which installs it"
        );
        // A small guardian shell stops Xvfb once this test process is gone.
        let script = format!(
            "Xvfb :{n} -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & x=$!; \
             while kill -0 {} 2>/dev/null && kill -0 $x 2>/dev/null; do sleep 1; done; kill $x 2>/dev/null",
            std::process::id()
        );
        let spawned = std::process::Command::new("sh")
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if spawned.is_err() {
            continue;
        }
        let socket = format!("/tmp/.X11-unix/X{n}");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if Path::new(&socket).exists() {
                return format!(":{n}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("could not start Xvfb on any display from :90 to :129");
}

/// Writes a small WebM whose VP8 track is marked AES-CTR encrypted (the
/// Matroska ContentEncryption elements WebM uses for DRM), built element by
/// element so the test needs no encrypted sample from elsewhere.
pub fn encrypted_webm() -> PathBuf {
    fn element(id: u32, body: &[u8]) -> Vec<u8> {
        let mut out: Vec<u8> = id
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x01);
        out.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
        out.extend_from_slice(body);
        out
    }
    fn uint(id: u32, v: u64) -> Vec<u8> {
        element(id, &v.to_be_bytes())
    }
    let ebml = element(
        0x1A45DFA3,
        &[
            uint(0x4286, 1),
            uint(0x42F7, 1),
            uint(0x42F2, 4),
            uint(0x42F3, 8),
            element(0x4282, b"webm"),
            uint(0x4287, 4),
            uint(0x4285, 2),
        ]
        .concat(),
    );
    let info = element(
        0x1549A966,
        &[
            uint(0x2AD7B1, 1_000_000),
            element(0x4489, &1000f64.to_be_bytes()),
        ]
        .concat(),
    );
    let encryption = element(
        0x5035,
        &[
            uint(0x47E1, 5),
            element(0x47E2, &[7u8; 16]),
            element(0x47E7, &uint(0x47E8, 1)),
        ]
        .concat(),
    );
    let encodings = element(
        0x6D80,
        &element(
            0x6240,
            &[
                uint(0x5031, 0),
                uint(0x5032, 1),
                uint(0x5033, 1),
                encryption,
            ]
            .concat(),
        ),
    );
    let track = element(
        0xAE,
        &[
            uint(0xD7, 1),
            uint(0x73C5, 1),
            uint(0x83, 1),
            element(0x86, b"V_VP8"),
            element(0xE0, &[uint(0xB0, 320), uint(0xBA, 240)].concat()),
            encodings,
        ]
        .concat(),
    );
    let tracks = element(0x1654AE6B, &track);
    let mut cluster_body = uint(0xE7, 0);
    for i in 0..10u16 {
        let mut block = vec![0x81];
        block.extend_from_slice(&(i * 100).to_be_bytes());
        block.push(0x80);
        block.push(0x01); // signal byte: encrypted
        block.extend_from_slice(&[i as u8; 8]); // IV
        block.extend_from_slice(&[0x5a; 200]);
        cluster_body.extend(element(0xA3, &block));
    }
    let cluster = element(0x1F43B675, &cluster_body);
    let segment = element(0x18538067, &[info, tracks, cluster].concat());
    let path = media_dir().join("bad").join("encrypted.webm");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, [ebml, segment].concat()).unwrap();
    path
}

/// Runs the main context until the player is paused with no seek or step
/// in flight (the frame on screen is final).
pub fn wait_settled(player: &Player) -> bool {
    run_until(Duration::from_secs(15), || {
        player.state() == PlayerState::Paused && player.is_settled()
    })
}

/// Opens a generated clip in a headless player and waits until it is
/// paused on its first frame.
pub fn open_paused(path: &Path) -> (Player, Rc<RefCell<Outcome>>) {
    let player = Player::headless();
    let out = record(&player);
    player.open(&path.display().to_string());
    assert!(
        wait_settled(&player),
        "{}: did not preroll ({:?})",
        path.display(),
        out.borrow().errors
    );
    (player, out)
}

/// Makes `name` in the media folder with ffmpeg (once; later calls reuse
/// it): `arguments` gets a scratch folder for input files it writes and
/// adds the inputs and options; the output goes last, renamed into place
/// only when ffmpeg succeeded.
fn made_by_ffmpeg(
    name: &str,
    arguments: impl FnOnce(&Path, &mut std::process::Command),
) -> PathBuf {
    let out = media_dir().join(name);
    if out.exists() {
        return out;
    }
    let scratch = tempfile::tempdir().unwrap();
    let partial = out.with_extension(format!(
        "partial.{}",
        out.extension().and_then(|e| e.to_str()).unwrap_or("mkv")
    ));
    let mut ffmpeg = std::process::Command::new("ffmpeg");
    ffmpeg.args(["-v", "error", "-y"]);
    arguments(scratch.path(), &mut ffmpeg);
    let status = ffmpeg
        .arg(&partial)
        .status()
        .expect("ffmpeg runs (scripts/setup.sh test installs it)");
    assert!(status.success(), "ffmpeg could not make {name}");
    std::fs::rename(&partial, &out).unwrap();
    out
}

/// The two-language clip (made with ffmpeg, which writes the language and
/// title tags Matroska players read): 8 s of black video, English audio at
/// 440 Hz, French at 1760 Hz titled "Commentary", English subtitles "HI"
/// and German "HALLO WELT GUTEN TAG".
pub fn two_language_mkv() -> PathBuf {
    made_by_ffmpeg("two_languages.mkv", |scratch, ffmpeg| {
        let en = scratch.join("en.srt");
        let de = scratch.join("de.srt");
        // A line every half second, as dialogue comes: a switch shows the
        // new track from its next line on.
        let cues = |text: &str| -> String {
            (0..16)
                .map(|i| {
                    let (from, to) = (i * 500, i * 500 + 500);
                    format!(
                        "{}\n00:00:{:02},{:03} --> 00:00:{:02},{:03}\n{text}\n\n",
                        i + 1,
                        from / 1000,
                        from % 1000,
                        to / 1000,
                        to % 1000
                    )
                })
                .collect()
        };
        std::fs::write(&en, cues("HI")).unwrap();
        std::fs::write(&de, cues("HALLO WELT GUTEN TAG")).unwrap();
        ffmpeg
            .args([
                "-f",
                "lavfi",
                "-i",
                "color=c=black:size=320x240:rate=25:duration=8",
            ])
            .args([
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:duration=8:sample_rate=48000",
            ])
            .args([
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=1760:duration=8:sample_rate=48000",
            ])
            .arg("-i")
            .arg(&en)
            .arg("-i")
            .arg(&de)
            .args([
                "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3", "-map", "4",
            ])
            .args(["-c:v", "libx264", "-preset", "ultrafast", "-g", "25"])
            .args(["-c:a", "aac", "-c:s", "srt"])
            .args(["-metadata:s:a:0", "language=eng"])
            .args([
                "-metadata:s:a:1",
                "language=fra",
                "-metadata:s:a:1",
                "title=Commentary",
            ])
            .args([
                "-metadata:s:s:0",
                "language=eng",
                "-metadata:s:s:1",
                "language=ger",
            ]);
    })
}

/// A 6 s Matroska clip with three chapters: "Opening" at 0, "Middle" at
/// 2 s and "End" at 4 s (25 fps, a keyframe every second).
pub fn chaptered_mkv() -> PathBuf {
    made_by_ffmpeg("chaptered.mkv", |scratch, ffmpeg| {
        let meta = scratch.join("chapters.txt");
        let mut text = String::from(";FFMETADATA1\n");
        for (start, title) in [(0, "Opening"), (2000, "Middle"), (4000, "End")] {
            text.push_str(&format!(
                "[CHAPTER]\nTIMEBASE=1/1000\nSTART={start}\nEND={}\ntitle={title}\n",
                start + 2000
            ));
        }
        std::fs::write(&meta, text).unwrap();
        ffmpeg
            .args([
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=320x240:rate=25:duration=6",
            ])
            .arg("-i")
            .arg(&meta)
            .args(["-map_metadata", "1", "-map_chapters", "1", "-map", "0:v"])
            .args(["-c:v", "libx264", "-preset", "ultrafast", "-g", "25"]);
    })
}

/// An 8 s black H.264 clip (320x240, 25 fps) to draw subtitles over.
pub fn black_eight_seconds() -> PathBuf {
    generate(
        "black_eight_seconds.mp4",
        "videotestsrc num-buffers=200 pattern=black ! video/x-raw,width=320,height=240,framerate=25/1 ! x264enc speed-preset=ultrafast key-int-max=25 ! h264parse ! mp4mux ! filesink location=LOCATION",
    )
}

/// An SRT file `name` in the media folder showing `text` without a break
/// for the first 8 s (in half-second cues: GStreamer's type finder needs
/// more than one cue to know SRT).
pub fn continuous_srt(name: &str, text: &str) -> PathBuf {
    let path = media_dir().join(name);
    let time = |ms: u32| format!("00:00:{:02},{:03}", ms / 1000, ms % 1000);
    let cues: String = (0..16)
        .map(|i| {
            format!(
                "{}\n{} --> {}\n{text}\n\n",
                i + 1,
                time(i * 500),
                time(i * 500 + 500)
            )
        })
        .collect();
    std::fs::write(&path, cues).expect("the subtitle file is written");
    path
}

/// The frame as a screen shows it: sinks that draw overlays themselves (as
/// the GTK sink does) get subtitles as an overlay composition attached to
/// the frame, which is blended in here.
pub fn with_overlay_blended(sample: gst::Sample) -> gst::Sample {
    let Some(buffer) = sample.buffer() else {
        return sample;
    };
    let Some(meta) = buffer.meta::<gst_video::VideoOverlayCompositionMeta>() else {
        return sample;
    };
    let composition = meta.overlay().to_owned();
    let info = gst_video::VideoInfo::from_caps(sample.caps().unwrap()).unwrap();
    let mut copy = buffer.copy_deep().unwrap();
    {
        let copy = copy.get_mut().unwrap();
        let mut frame = gst_video::VideoFrameRef::from_buffer_ref_writable(copy, &info).unwrap();
        composition.blend(&mut frame).unwrap();
    }
    gst::Sample::builder()
        .buffer(&copy)
        .caps(&sample.caps().unwrap().to_owned())
        .build()
}

/// The frame's lowest row (0 at the top) with more than a few bright
/// pixels once its overlays are blended in: where drawn text ends.
pub fn lowest_bright_row(sample: gst::Sample) -> Option<usize> {
    let sample = with_overlay_blended(sample);
    let caps = gst::Caps::builder("video/x-raw")
        .field("format", "GRAY8")
        .build();
    let gray = gst_video::convert_sample(&sample, &caps, gst::ClockTime::from_seconds(5)).ok()?;
    let info = gst_video::VideoInfo::from_caps(gray.caps()?).ok()?;
    let buffer = gray.buffer()?.map_readable().ok()?;
    let (w, h, stride) = (
        info.width() as usize,
        info.height() as usize,
        info.stride()[0] as usize,
    );
    (0..h)
        .rev()
        .find(|&y| (0..w).filter(|&x| buffer[y * stride + x] > 128).count() > 3)
}

/// An 8 s Matroska file with two video tracks, black then white (320x240,
/// 25 fps, H.264), and no audio.
pub fn two_video_mkv() -> PathBuf {
    made_by_ffmpeg("two_videos.mkv", |_, ffmpeg| {
        ffmpeg
            .args([
                "-f",
                "lavfi",
                "-i",
                "color=c=black:size=320x240:rate=25:duration=8",
            ])
            .args([
                "-f",
                "lavfi",
                "-i",
                "color=c=white:size=320x240:rate=25:duration=8",
            ])
            .args(["-map", "0:v", "-map", "1:v"])
            .args(["-c:v", "libx264", "-preset", "ultrafast", "-g", "25"])
            .args(["-metadata:s:v:1", "title=Second angle"]);
    })
}

/// An HLS tree made from a numbered clip with `hlssink2`: 2 s segments of
/// MPEG-TS, a media playlist with an end.
pub fn generated_hls() -> (framecode::FrameClip, PathBuf) {
    let clip = framecode::FrameClip::new("hls_source.ts", 300, "x264enc key-int-max=30 bframes=0");
    let source = clip.path();
    let dir = media_dir().join("hls_numbered");
    let playlist = dir.join("index.m3u8");
    let _tree = trees_lock();
    if !playlist.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        run_to_eos(&format!(
            "filesrc location={} ! tsdemux ! h264parse ! hlssink2 target-duration=2 playlist-length=0 max-files=0 location={}/segment%05d.ts playlist-location={}",
            source.display(),
            dir.display(),
            playlist.display()
        ));
    }
    (clip, dir)
}

/// A numbered 20 s H.264 MPEG-TS clip (no B-frames, a keyframe each 0.5 s,
/// so a receiver joining late soon has a picture).
pub fn numbered_ts() -> std::path::PathBuf {
    framecode::FrameClip::new("live_numbered.ts", 600, "x264enc key-int-max=15 bframes=0").path()
}

/// A sending pipeline, stopped when dropped.
pub struct Sender(gst::Element);

impl Sender {
    /// Sends the numbered clip in real time into `sink` (a launch fragment).
    pub fn start(sink: &str) -> Self {
        let launch = format!(
            "filesrc location={} ! tsdemux ! h264parse ! mpegtsmux alignment=7 ! {sink}",
            numbered_ts().display()
        );
        let pipeline = gst::parse::launch(&launch).expect("the sender builds");
        pipeline
            .set_state(gst::State::Playing)
            .expect("the sender starts");
        Sender(pipeline)
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let _ = self.0.set_state(gst::State::Null);
    }
}

pub fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Plays `uri` and reads frame numbers off the picture for 3 s: they must
/// come, and go up.
pub fn plays_numbered_frames(uri: &str) {
    let player = Player::headless();
    let out = record(&player);
    player.open(uri);
    player.play();
    let numbered = run_until(Duration::from_secs(15), || {
        player.state() == PlayerState::Playing
            && player
                .current_frame()
                .and_then(|s| framecode::frame_number(&s))
                .is_some()
    });
    assert!(
        numbered,
        "{uri}: no numbered frame (state {:?}, errors {:?})",
        player.state(),
        out.borrow().errors
    );
    // A live source may hold its first frame while its jitter buffer
    // fills (RTSP waits 2 s by default): count from when pictures move.
    let frame = || {
        player
            .current_frame()
            .and_then(|s| framecode::frame_number(&s))
    };
    let first = frame();
    run_until(Duration::from_secs(10), || frame() != first);
    let mut seen = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        run_until(Duration::from_millis(250), || false);
        if let Some(n) = player
            .current_frame()
            .and_then(|s| framecode::frame_number(&s))
        {
            seen.push(n);
        }
    }
    println!("    {uri}: frames {seen:?}");
    assert!(seen.len() >= 8, "{uri}: frames {seen:?}");
    assert!(
        seen.windows(2).all(|w| w[1] >= w[0]),
        "{uri}: frames out of order {seen:?}"
    );
    // 3 s at 30 fps: the numbers move on by about 90.
    let moved = seen.last().unwrap() - seen.first().unwrap();
    assert!(
        (45..=120).contains(&moved),
        "{uri}: moved {moved} frames in 3 s"
    );
    assert!(player.is_live(), "{uri}: a live source is reported live");
    assert!(out.borrow().errors.is_empty(), "{:?}", out.borrow().errors);
    player.stop();
}

/// A two-variant HLS stream made from one numbered clip encoded twice
/// (320x240 at 300 kb/s, 640x480 at 1200 kb/s), with a master playlist
/// (`master.m3u8`) that lists them at 400 and 1600 kb/s.
pub fn generated_variant_hls() -> PathBuf {
    let dir = media_dir().join("hls_variants");
    let master = dir.join("master.m3u8");
    let _tree = trees_lock();
    if master.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    for (name, width, height, kbps) in [("low", 320, 240, 300), ("high", 640, 480, 1200)] {
        let mut clip = framecode::FrameClip::new(
            &format!("variant_{name}.ts"),
            300,
            &format!("x264enc bitrate={kbps} key-int-max=30 bframes=0"),
        );
        clip.width = width;
        clip.height = height;
        let source = clip.path();
        let out = dir.join(name);
        std::fs::create_dir_all(&out).unwrap();
        run_to_eos(&format!(
            "filesrc location={} ! tsdemux ! h264parse ! hlssink2 target-duration=2 playlist-length=0 max-files=0 location={}/segment%05d.ts playlist-location={}/index.m3u8",
            source.display(),
            out.display(),
            out.display()
        ));
    }
    std::fs::write(
        &master,
        "#EXTM3U\n\
         #EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240\nlow/index.m3u8\n\
         #EXT-X-STREAM-INF:BANDWIDTH=1600000,RESOLUTION=640x480\nhigh/index.m3u8\n",
    )
    .unwrap();
    dir
}

/// A static DASH manifest, `dash.mpd`, over the two variants of
/// [`generated_variant_hls`] (their 2 s MPEG-TS segments, numbered from 0):
/// one video adaptation set with representations `low` (320x240, 400 kb/s)
/// and `high` (640x480, 1.6 Mb/s). Returns the folder.
pub fn generated_variant_dash() -> PathBuf {
    let dir = generated_variant_hls();
    let manifest = dir.join("dash.mpd");
    let _tree = trees_lock();
    if !manifest.exists() {
        std::fs::write(
            &manifest,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:full:2011"
     type="static" mediaPresentationDuration="PT10S" minBufferTime="PT2S">
  <Period id="0" start="PT0S">
    <AdaptationSet id="0" contentType="video" mimeType="video/mp2t" segmentAlignment="true">
      <SegmentTemplate media="$RepresentationID$/segment$Number%05d$.ts" startNumber="0" duration="2" timescale="1"/>
      <Representation id="low" codecs="avc1.42c01e" bandwidth="400000" width="320" height="240"/>
      <Representation id="high" codecs="avc1.42c01e" bandwidth="1600000" width="640" height="480"/>
    </AdaptationSet>
  </Period>
</MPD>
"#,
        )
        .unwrap();
    }
    dir
}

/// Audio reaching the sink, as mono 16-bit samples (48 kHz).
pub type Heard = Arc<Mutex<Vec<i16>>>;

pub fn listening_player() -> (Player, Heard) {
    let player = Player::headless();
    player.set_audio_sink(Some(
        "audioconvert ! audioresample ! audio/x-raw,format=S16LE,channels=1,rate=48000 ! appsink name=ear sync=true",
    ));
    (player, Heard::default())
}

pub fn attach_ear(player: &Player, heard: &Heard) {
    // The pipeline's audio sink is the bin made from the description
    // (playbin3 adds it to the pipeline only once audio is linked).
    let ear = player
        .pipeline()
        .and_then(|p| p.property::<Option<gst::Element>>("audio-sink"))
        .and_downcast::<gst::Bin>()
        .and_then(|bin| bin.by_name("ear"))
        .and_downcast::<gst_app::AppSink>()
        .expect("the audio sink is the test's appsink");
    let heard = heard.clone();
    ear.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                if let Some(map) = sample.buffer().and_then(|b| b.map_readable().ok()) {
                    let mut heard = heard.lock().unwrap();
                    heard.extend(
                        map.chunks_exact(2)
                            .map(|b| i16::from_le_bytes([b[0], b[1]])),
                    );
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
}

/// The tone of the last 0.2 s heard, from its zero crossings.
pub fn tone(heard: &Heard) -> f64 {
    let heard = heard.lock().unwrap();
    let window = 9600.min(heard.len());
    let recent = &heard[heard.len() - window..];
    let crossings = recent
        .windows(2)
        .filter(|w| (w[0] < 0) != (w[1] < 0))
        .count();
    crossings as f64 / 2.0 / (window as f64 / 48_000.0)
}

/// An HLS stream with alternative audio renditions: a video-only variant of
/// the numbered clip and two audio-only renditions in the "aud" group,
/// English (440 Hz, the default) and French (1760 Hz), all 10 s; the master
/// playlist is `master.m3u8`.
pub fn generated_rendition_hls() -> PathBuf {
    let (_, video) = generated_hls();
    let dir = media_dir().join("hls_renditions");
    let master = dir.join("master.m3u8");
    let _tree = trees_lock();
    if master.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let sink = |out: &Path| {
        std::fs::create_dir_all(out).unwrap();
        format!(
            "hlssink2 name=s target-duration=2 playlist-length=0 max-files=0 location={}/segment%05d.ts playlist-location={}/index.m3u8",
            out.display(),
            out.display()
        )
    };
    for (name, hz) in [("en", 440), ("fr", 1760)] {
        let out = dir.join(name);
        run_to_eos(&format!(
            "audiotestsrc num-buffers=470 samplesperbuffer=1024 freq={hz} ! audio/x-raw,rate=48000,channels=2 ! audioconvert ! avenc_aac ! aacparse ! s.audio {}",
            sink(&out)
        ));
    }
    let video_dir = dir.join("video");
    std::fs::create_dir_all(&video_dir).unwrap();
    for entry in std::fs::read_dir(&video).unwrap().flatten() {
        std::fs::copy(entry.path(), video_dir.join(entry.file_name())).unwrap();
    }
    std::fs::write(
        &master,
        "#EXTM3U\n\
         #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,URI=\"en/index.m3u8\"\n\
         #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"Francais\",LANGUAGE=\"fr\",DEFAULT=NO,AUTOSELECT=YES,URI=\"fr/index.m3u8\"\n\
         #EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=320x240,AUDIO=\"aud\"\n\
         video/index.m3u8\n",
    )
    .unwrap();
    dir
}

/// A test of a harness-less test binary: its name and its body.
pub type NamedCheck = (&'static str, fn() -> Result<(), String>);

/// Runs the named tests of a harness-less test binary (GTK needs the main
/// thread) in order, those matching the command line's words only, prints
/// each outcome and a summary line for `label`, and exits 1 if any failed.
pub fn run_tests(label: &str, tests: &[NamedCheck]) -> ! {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let (mut passed, mut failed) = (0, 0);
    for (name, test) in tests {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let start = Instant::now();
        match test() {
            Ok(()) => {
                passed += 1;
                println!("test {name} ... ok ({:.1}s)", start.elapsed().as_secs_f64());
            }
            Err(e) => {
                failed += 1;
                println!("test {name} ... FAILED: {e}");
            }
        }
    }
    println!("{label} tests: {passed} passed, {failed} failed");
    std::process::exit(if failed == 0 { 0 } else { 1 });
}
