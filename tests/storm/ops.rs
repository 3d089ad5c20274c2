//! The storm's child process: a window with a `PlayerView`, a seeded random
//! generator choosing one operation of the public API every few
//! milliseconds, the operation log, the main-loop heartbeat and the hang
//! watchdog.

use super::common;
use framescope::engine::TrackKind;
use framescope::engine::{pending_shutdowns, EndAction, Player, Repeat, SeekMode, VideoMode};
use framescope::widget::ControlsMode;
use framescope::widget::PlayerView;
use glib::prelude::*;
use gtk::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// SplitMix64: small, seeded, the same sequence on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Milliseconds since the child started, as last seen by the heartbeat.
static HEARTBEAT_MS: AtomicU64 = AtomicU64::new(0);
/// The last operations, for the watchdog's report.
static RECENT: Mutex<VecDeque<String>> = Mutex::new(VecDeque::new());
static START: OnceLock<Instant> = OnceLock::new();

fn now_ms() -> u64 {
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

/// Media the storm opens: generated clips and broken files (made by the
/// parent before any child starts), the corpus when present, and addresses
/// where nothing answers.
pub fn media() -> Vec<String> {
    let mut items: Vec<String> = [
        common::clip("h264_aac.mp4"),
        common::clip("vp9_opus.webm"),
        common::clip("theora_vorbis.ogg"),
        common::clip("audio_only.ogg"),
        common::clip("video_only.webm"),
        common::two_language_mkv(),
        common::chaptered_mkv(),
        common::bad_file("random.bin"),
        common::bad_file("truncated.mp4"),
        common::bad_file("text.mp4"),
        common::bad_file("empty.mp4"),
        common::bad_file("missing.mp4"),
        common::bad_file("folder"),
    ]
    .iter()
    .map(|p| p.display().to_string())
    .collect();
    items.extend(
        [
            "http://127.0.0.1:9/nothing.mp4",
            "rtsp://127.0.0.1:9/stream",
            "srt://127.0.0.1:9?mode=caller",
            "udp://127.0.0.1:9",
            "http://host.invalid/clip.mp4",
            "nonsense://what",
            "",
        ]
        .map(String::from),
    );
    if let Some(corpus) = corpus_dir() {
        for name in [
            "androidx-media/mp4/sample.mp4",
            "androidx-media/mkv/sample_with_chapters.mkv",
            "androidx-media/vp9/bear-vp9.webm",
            "androidx-media/ogg/invalid_header",
            "androidx-media/mp4/sample_with_invalid_nalu.mp4",
            "gstreamer/test.ts",
            "gstreamer/mse.mp4",
        ] {
            let path = corpus.join(name);
            if path.exists() {
                items.push(path.display().to_string());
            }
        }
        // GStreamer 1.22's playbin3 crashes (SIGSEGV in decodebin3's reset,
        // `remove_input_stream`) when a pipeline that has played these two
        // files is set to NULL; a bare playbin3 driven from Python
        // (PyGObject) crashes the same way, nothing of ours involved. Playlists use playbin3 (for
        // gapless switching), so the storm leaves them out there.
        let (major, minor, ..) = gst::version();
        if (major, minor) >= (1, 24) {
            for name in [
                "androidx-media/mkv/sample_with_srt.mkv",
                "androidx-media/mp4/sample_ac3_aac.mp4",
            ] {
                items.push(corpus.join(name).display().to_string());
            }
        }
    }
    items
}

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/media/files");
    dir.is_dir().then_some(dir)
}

fn subtitle_files() -> Vec<String> {
    vec![
        common::continuous_srt("storm_a.srt", "storm")
            .display()
            .to_string(),
        "/nonexistent/subtitles.srt".into(),
        common::bad_file("random.bin").display().to_string(),
    ]
}

/// Makes every generated file once (in the parent).
pub fn prepare_media() {
    gst::init().expect("GStreamer initialises");
    let m = media();
    let s = subtitle_files();
    if corpus_dir().is_none() {
        println!("SKIPPED: ../shared/media is absent; the storm runs without corpus files");
    }
    println!("storm media: {} items, {} subtitle files", m.len(), s.len());
}

/// Times in ns: ordinary ones and the ones nobody should send.
fn any_time(rng: &mut Rng, valid_only: bool) -> u64 {
    match rng.below(if valid_only { 3 } else { 5 }) {
        0 => rng.below(3_000_000_000),
        1 => rng.below(12_000_000_000),
        2 => 0,
        3 => u64::MAX - rng.below(10),
        _ => rng.next() >> rng.below(64),
    }
}

fn any_f64(rng: &mut Rng, valid: &[f64], invalid: &[f64], valid_only: bool) -> f64 {
    if valid_only || rng.chance(70) {
        *rng.pick(valid)
    } else {
        *rng.pick(invalid)
    }
}

fn any_i64(rng: &mut Rng, valid_only: bool) -> i64 {
    match rng.below(if valid_only { 2 } else { 4 }) {
        0 => rng.below(2_000_000_000) as i64 - 1_000_000_000,
        1 => -1,
        2 => *rng.pick(&[i64::MIN, i64::MAX, i64::MIN + 1, i64::MAX - 1]),
        _ => rng.next() as i64,
    }
}

const LAUNCHES: &[&str] = &[
    "videoflip method=horizontal-flip",
    "identity",
    "identity sleep-time=20000",
    "((",
    "no-such-element",
    "videoconvert ! videoscale",
    "",
    "! ! !",
];

const SINKS: &[&str] = &["fakesink sync=true", "fakesink", "((", "no-such-sink"];

/// One operation, ready to run.
type Call = Box<dyn FnOnce(&Storm)>;

/// The running storm: the window, the view in it and what the operations
/// choose from.
struct Storm {
    rng: RefCell<Rng>,
    window: gtk::Window,
    view: RefCell<PlayerView>,
    media: Vec<String>,
    subtitles: Vec<String>,
    valid_only: bool,
    log: RefCell<std::fs::File>,
    done: Cell<usize>,
    total: usize,
    longest_op: RefCell<(Duration, String)>,
    /// Players and views the storm let go of (replaced): each must be freed.
    players_let_go: RefCell<Vec<glib::WeakRef<Player>>>,
    views_let_go: RefCell<Vec<glib::WeakRef<PlayerView>>>,
    /// Threads, descriptors and memory at each tenth of the run.
    samples: RefCell<Vec<Resources>>,
}

impl Storm {
    fn player(&self) -> Player {
        self.view.borrow().player()
    }

    fn record(&self, op: &str) {
        let line = format!("{:>6} {op}", self.done.get());
        let _ = writeln!(self.log.borrow_mut(), "{line}");
        let mut recent = RECENT.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() == 20 {
            recent.pop_front();
        }
        recent.push_back(line);
    }

    /// Chooses one operation, logs it, then runs it.
    fn step(&self) {
        let mut rng = self.rng.borrow_mut();
        let v = self.valid_only;
        let player = self.player();
        let choice = rng.below(48);
        // Each arm describes the operation (logged before it runs) and
        // returns the closure that makes the call.
        let (what, call): (String, Call) = match choice {
            0..=3 => {
                let m = rng.pick(&self.media).clone();
                (
                    format!("open {m:?}"),
                    Box::new(move |s| s.view.borrow().open(&m)),
                )
            }
            4 => {
                let n = rng.below(4) as usize;
                let items: Vec<String> = (0..n).map(|_| rng.pick(&self.media).clone()).collect();
                (
                    format!("set_items {items:?}"),
                    Box::new(move |_| player.set_items(&items)),
                )
            }
            5 => {
                let m = rng.pick(&self.media).clone();
                (
                    format!("append_item {m:?}"),
                    Box::new(move |_| player.append_item(&m)),
                )
            }
            6..=8 => ("play".into(), Box::new(move |_| player.play())),
            9 | 10 => ("pause".into(), Box::new(move |_| player.pause())),
            11 => (
                "toggle_play".into(),
                Box::new(move |_| player.toggle_play()),
            ),
            12 => ("stop".into(), Box::new(move |_| player.stop())),
            13..=15 => {
                let t = any_time(&mut rng, v);
                let mode = *rng.pick(&[
                    None,
                    Some(SeekMode::Accurate),
                    Some(SeekMode::Keyframe),
                    Some(SeekMode::SnapBefore),
                    Some(SeekMode::SnapAfter),
                ]);
                (
                    format!("seek {t} {mode:?}"),
                    Box::new(move |_| {
                        let t = gst::ClockTime::from_nseconds(t.min(u64::MAX - 1));
                        match mode {
                            Some(mode) => player.seek_with_mode(t, mode),
                            None => player.seek(t),
                        }
                    }),
                )
            }
            16 => {
                let t = any_time(&mut rng, v);
                (
                    format!("scrub {t}"),
                    Box::new(move |_| {
                        player.scrub(gst::ClockTime::from_nseconds(t.min(u64::MAX - 1)))
                    }),
                )
            }
            17 => {
                let d = any_i64(&mut rng, v);
                (format!("seek_by {d}"), Box::new(move |_| player.seek_by(d)))
            }
            18 | 19 => {
                let n = if v || rng.chance(80) {
                    *rng.pick(&[1i64, -1, 2, -2, 5, -5])
                } else {
                    *rng.pick(&[i64::MIN, i64::MAX, 100_000, -100_000])
                };
                (format!("step {n}"), Box::new(move |_| player.step(n)))
            }
            20 => {
                let r = any_f64(
                    &mut rng,
                    &[1.0, 0.5, 2.0, -1.0, 0.25, 4.0, 16.0],
                    &[
                        0.0,
                        f64::NAN,
                        f64::INFINITY,
                        -f64::INFINITY,
                        2000.0,
                        -1e300,
                        1e-300,
                    ],
                    v,
                );
                (
                    format!("set_rate {r}"),
                    Box::new(move |_| player.set_rate(r)),
                )
            }
            21 => {
                let f = *rng.pick(&["faster", "slower"]);
                (
                    f.to_string(),
                    Box::new(move |_| {
                        if f == "faster" {
                            player.faster()
                        } else {
                            player.slower()
                        }
                    }),
                )
            }
            22 => {
                let x = any_f64(
                    &mut rng,
                    &[0.0, 0.3, 1.0],
                    &[f64::NAN, 1.5, -1.0, f64::INFINITY],
                    v,
                );
                (
                    format!("set_volume {x}"),
                    Box::new(move |_| player.set_volume(x)),
                )
            }
            23 => {
                let m = rng.chance(50);
                (
                    format!("set_muted {m}"),
                    Box::new(move |_| player.set_muted(m)),
                )
            }
            24 => {
                let (a, b) = (any_i64(&mut rng, v), any_i64(&mut rng, v));
                let which = rng.below(4);
                (
                    format!("ab-loop op {which} a={a} b={b}"),
                    Box::new(move |_| match which {
                        0 => player.set_loop_a(a.max(-1)),
                        1 => player.set_loop_b(b.max(-1)),
                        2 => player.cycle_ab_loop(),
                        _ => player.clear_ab_loop(),
                    }),
                )
            }
            25 => {
                let kind = *rng.pick(&[TrackKind::Video, TrackKind::Audio, TrackKind::Subtitle]);
                let index = *rng.pick(&[None, Some(0usize), Some(1), Some(usize::MAX)]);
                (
                    format!("select_track {kind:?} {index:?}"),
                    Box::new(move |_| {
                        let _ = player.tracks();
                        let _ = player.select_track(kind, index);
                    }),
                )
            }
            26 => (
                "next".into(),
                Box::new(move |_| {
                    player.next();
                }),
            ),
            27 => (
                "previous".into(),
                Box::new(move |_| {
                    player.previous();
                }),
            ),
            28 => {
                let (from, to) = if v || rng.chance(70) {
                    (rng.below(4) as u32, rng.below(4) as u32)
                } else {
                    (u32::MAX, rng.next() as u32)
                };
                (
                    format!("move_item {from} {to}"),
                    Box::new(move |_| player.move_item(from, to)),
                )
            }
            29 => {
                let i = if v || rng.chance(70) {
                    rng.below(4) as u32
                } else {
                    u32::MAX
                };
                (
                    format!("remove_item {i}"),
                    Box::new(move |_| player.remove_item(i)),
                )
            }
            30 => {
                let files: Vec<String> = (0..1 + rng.below(2))
                    .map(|_| rng.pick(&self.subtitles).clone())
                    .collect();
                let one = rng.chance(50);
                (
                    format!("subtitle files {files:?} one={one}"),
                    Box::new(move |_| {
                        if one {
                            player.set_subtitle_file(files.first().map(String::as_str));
                        } else {
                            player.add_subtitle_files(&files);
                        }
                    }),
                )
            }
            31 => {
                let f = rng.chance(70).then(|| rng.pick(LAUNCHES).to_string());
                (
                    format!("set_video_filter {f:?}"),
                    Box::new(move |_| player.set_video_filter(f.as_deref())),
                )
            }
            32 => {
                let (w, h) = *rng.pick(&[(0, 0), (320, 240), (1, 1), (u32::MAX, u32::MAX), (7, 0)]);
                (
                    format!("set_render_size {w}x{h}"),
                    Box::new(move |_| player.set_render_size(w, h)),
                )
            }
            33 => (
                "toggle_fullscreen".into(),
                Box::new(|s| s.view.borrow().toggle_fullscreen()),
            ),
            34 => {
                let l = rng.chance(50);
                (
                    format!("set_input_locked {l}"),
                    Box::new(move |s| s.view.borrow().set_input_locked(l)),
                )
            }
            35 | 36 => {
                let (name, param) = any_action(&mut rng, v);
                (
                    format!("action {name} {param:?}"),
                    Box::new(move |s| {
                        let group = s.view.borrow().action_group();
                        if group.has_action(&name) {
                            group.activate_action(&name, param.as_ref());
                        }
                    }),
                )
            }
            37 => {
                let keep_player = rng.chance(50);
                (
                    format!("replace view keep_player={keep_player}"),
                    Box::new(move |s| s.replace_view(keep_player)),
                )
            }
            38 => (
                "replace player".into(),
                Box::new(|s| {
                    s.remember(&s.player());
                    s.view.borrow().set_player(Player::new());
                }),
            ),
            39 => {
                let l = rng.chance(50);
                (
                    format!("set_looping {l}"),
                    Box::new(move |_| player.set_looping(l)),
                )
            }
            40 => {
                let o = any_i64(&mut rng, v).clamp(
                    if v { -10_000_000_000 } else { i64::MIN },
                    if v { 10_000_000_000 } else { i64::MAX },
                );
                let sub = rng.chance(50);
                (
                    format!("offset sub={sub} {o}"),
                    Box::new(move |_| {
                        if sub {
                            player.set_subtitle_offset(o)
                        } else {
                            player.set_av_offset(o)
                        }
                    }),
                )
            }
            41 => {
                let i = *rng.pick(&[-1i32, 0, 1, 2, 3]);
                (
                    format!("set_current_index {i}"),
                    Box::new(move |_| player.set_current_index(i)),
                )
            }
            42 => {
                let which = rng.below(3);
                (
                    format!("chapters op {which}"),
                    Box::new(move |_| match which {
                        0 => {
                            player.next_chapter();
                        }
                        1 => {
                            player.previous_chapter();
                        }
                        _ => {
                            let _ = player.chapters();
                        }
                    }),
                )
            }
            44..=46 => {
                let (what, call) = any_setting(&mut rng, v, player);
                (what, call)
            }
            _ => {
                let which = rng.below(4);
                let sink = rng.chance(60).then(|| rng.pick(SINKS).to_string());
                (
                    format!("sink or mode op {which} {sink:?}"),
                    Box::new(move |_| match which {
                        0 => player.set_video_sink(sink.as_deref()),
                        1 => player.set_audio_sink(sink.as_deref()),
                        2 => player.set_audio_enabled(!player.audio_enabled()),
                        _ => {
                            let _ = (player.stats(), player.video_details(), player.is_settled());
                        }
                    }),
                )
            }
        };
        drop(rng);
        self.record(&what);
        let started = Instant::now();
        call(self);
        let took = started.elapsed();
        if took > self.longest_op.borrow().0 {
            self.longest_op.replace((took, what));
        }
    }

    /// Keeps a weak reference to a player the storm is about to let go of.
    fn remember(&self, player: &Player) {
        self.players_let_go.borrow_mut().push(player.downgrade());
    }

    /// Threads, descriptors and memory with nothing playing: the player is
    /// stopped and its pipelines freed first (a few seconds at most), so
    /// that samples taken at different moments of a random run compare
    /// like with like and growth means a leak.
    fn settled_resources(&self) -> Resources {
        self.record("(sample: stop, let the pipelines go, measure)");
        self.player().stop();
        let context = glib::MainContext::default();
        let deadline = Instant::now() + Duration::from_secs(5);
        while pending_shutdowns() > 0 && Instant::now() < deadline {
            context.iteration(false);
            std::thread::sleep(Duration::from_millis(2));
        }
        // Gate threads finish their last call and end. GStreamer's task
        // pool keeps idle streaming threads (under their last task's name)
        // for a while; `STORM_SETTLE_MS` waits them out (`bench/storm.sh`).
        let settle_ms = std::env::var("STORM_SETTLE_MS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(300);
        let settle = Instant::now() + Duration::from_millis(settle_ms);
        while Instant::now() < settle {
            context.iteration(false);
            std::thread::sleep(Duration::from_millis(2));
        }
        resources()
    }

    /// Takes the view out of the window and puts a new one in, with the
    /// same player or a new one; the old view is dropped.
    fn replace_view(&self, keep_player: bool) {
        self.remember(&self.player());
        self.views_let_go
            .borrow_mut()
            .push(self.view.borrow().downgrade());
        let new = if keep_player {
            PlayerView::with_player(&self.player())
        } else {
            PlayerView::new()
        };
        self.window.set_child(Some(&new));
        self.view.replace(new);
    }
}

/// One of the remaining settable properties of the player or the view, or
/// a reading, with a valid value or (unless `valid_only`) an invalid one.
fn any_setting(rng: &mut Rng, v: bool, player: Player) -> (String, Call) {
    let big = |rng: &mut Rng, valid: u32| {
        if v || rng.chance(70) {
            valid
        } else {
            *rng.pick(&[0, u32::MAX, u32::MAX - 1])
        }
    };
    let mut which = rng.below(22);
    // STORM_SETTINGS=3,5,…: only these (for narrowing a failure down).
    if let Ok(only) = std::env::var("STORM_SETTINGS") {
        let allowed: Vec<u64> = only.split(',').filter_map(|x| x.parse().ok()).collect();
        if !allowed.is_empty() && !allowed.contains(&which) {
            which = allowed[(which as usize) % allowed.len()];
        }
    }
    match which {
        0 => {
            let x = big(rng, 200);
            (
                format!("set_stats_interval {x}"),
                Box::new(move |_| player.set_stats_interval(x)),
            )
        }
        1 => {
            let x = big(rng, 64);
            (
                format!("set_frame_cache_mb {x}"),
                Box::new(move |_| player.set_frame_cache_mb(x)),
            )
        }
        2 => {
            let x = big(rng, 2);
            (
                format!("set_max_restarts {x}"),
                Box::new(move |_| player.set_max_restarts(x)),
            )
        }
        3 => {
            let x = big(rng, 800);
            (
                format!("set_stall_timeout {x}"),
                Box::new(move |_| player.set_stall_timeout(x)),
            )
        }
        4 => {
            let (a, b) = (big(rng, 100), big(rng, 1000));
            (
                format!("restart delays {a} {b}"),
                Box::new(move |_| {
                    player.set_restart_delay(a.max(1));
                    player.set_restart_delay_max(b.max(1));
                }),
            )
        }
        5 => {
            let m = *rng.pick(&[
                VideoMode::Auto,
                VideoMode::Gl,
                VideoMode::Software,
                VideoMode::Headless,
                VideoMode::Disabled,
            ]);
            (
                format!("set_video_mode {m:?}"),
                Box::new(move |_| player.set_video_mode(m)),
            )
        }
        6 => {
            let m = *rng.pick(&[
                SeekMode::Accurate,
                SeekMode::Keyframe,
                SeekMode::SnapBefore,
                SeekMode::SnapAfter,
            ]);
            (
                format!("set_seek_mode {m:?}"),
                Box::new(move |_| player.set_seek_mode(m)),
            )
        }
        7 => {
            let r = *rng.pick(&[Repeat::None, Repeat::One, Repeat::All]);
            (
                format!("set_repeat {r:?}"),
                Box::new(move |_| player.set_repeat(r)),
            )
        }
        8 => {
            let on = rng.chance(50);
            (
                format!("set_shuffle {on}"),
                Box::new(move |_| player.set_shuffle(on)),
            )
        }
        9 => {
            let e = *rng.pick(&[
                EndAction::Advance,
                EndAction::LastFrame,
                EndAction::Black,
                EndAction::Loop,
            ]);
            (
                format!("set_end_action {e:?}"),
                Box::new(move |_| player.set_end_action(e)),
            )
        }
        10 => {
            let on = rng.chance(50);
            (
                format!("set_gapless {on}"),
                Box::new(move |_| player.set_gapless(on)),
            )
        }
        11 => {
            let f = rng
                .pick(&[
                    None,
                    Some("Sans Bold 28"),
                    Some(""),
                    Some("((nonsense 9999999"),
                ])
                .map(String::from);
            (
                format!("set_subtitle_font {f:?}"),
                Box::new(move |_| player.set_subtitle_font(f.as_deref())),
            )
        }
        12 => {
            let x = big(rng, 40);
            (
                format!("set_subtitle_lift {x}"),
                Box::new(move |_| player.set_subtitle_lift(x)),
            )
        }
        13 => {
            let x = *rng.pick(&[-1, 0, 200, 2000]);
            (
                format!("set_live_latency_ms {x}"),
                Box::new(move |_| player.set_live_latency_ms(x)),
            )
        }
        14 => {
            let f = rng
                .pick(&[None, Some("/nonexistent/ca.pem"), Some("")])
                .map(String::from);
            (
                format!("set_tls_ca_file {f:?}"),
                Box::new(move |_| player.set_tls_ca_file(f.as_deref())),
            )
        }
        15 => {
            let i = *rng.pick(&[None, Some(0usize), Some(usize::MAX)]);
            (
                format!("select_variant {i:?}"),
                Box::new(move |_| {
                    let _ = player.variants();
                    let _ = player.select_variant(i);
                }),
            )
        }
        16 => (
            "live edge and readings".into(),
            Box::new(move |_| {
                let _ = player.go_to_live_edge();
                let _ = (
                    player.seekable_range(),
                    player.is_live_stream(),
                    player.current_frame(),
                );
                let _ = (
                    player.has_next(),
                    player.has_previous(),
                    player.max_frame_step(),
                );
            }),
        ),
        17 => {
            let c = *rng.pick(&[ControlsMode::Off, ControlsMode::Minimal, ControlsMode::Full]);
            (
                format!("view set_controls {c:?}"),
                Box::new(move |s| s.view.borrow().set_controls(c)),
            )
        }
        18 => {
            let x = if v || rng.chance(70) {
                1000
            } else {
                *rng.pick(&[0, u32::MAX])
            };
            (
                format!("view set_seek_step {x}"),
                Box::new(move |s| s.view.borrow().set_seek_step(x)),
            )
        }
        19 => {
            let on = rng.chance(50);
            (
                format!("view previews/window actions {on}"),
                Box::new(move |s| {
                    let view = s.view.borrow();
                    view.set_seek_previews(on);
                    view.set_window_actions(!on);
                    view.set_autoplay(on);
                }),
            )
        }
        20 => {
            let a = rng
                .pick(&[
                    None,
                    Some("<Control><Alt>u"),
                    Some("nonsense<<>>"),
                    Some(""),
                ])
                .map(String::from);
            (
                format!("view unlock accel {a:?}"),
                Box::new(move |s| {
                    let view = s.view.borrow();
                    view.set_unlock_accel(a.as_deref());
                    view.set_unlock_action(a.as_deref().map(|_| "app.nothing"));
                }),
            )
        }
        _ => {
            let text = rng.pick(&["", "A message", "∞ ünïcödé"]).to_string();
            (
                format!("view show_message {text:?}"),
                Box::new(move |s| {
                    let view = s.view.borrow();
                    view.show_message(&text);
                    let _ = (
                        view.stats_overlay_text(),
                        view.keyframe_ticks(),
                        view.chapter_marks(),
                    );
                }),
            )
        }
    }
}

fn any_action(rng: &mut Rng, v: bool) -> (String, Option<glib::Variant>) {
    let plain = [
        "play",
        "pause",
        "toggle-play",
        "stop",
        "toggle-stats",
        "seek-forward",
        "seek-backward",
        "volume-up",
        "volume-down",
        "toggle-mute",
        "next",
        "previous",
        "next-chapter",
        "previous-chapter",
        "step-forward",
        "step-backward",
        "faster",
        "slower",
        "reset-rate",
        "ab-loop",
        "audio-later",
        "audio-earlier",
        "subtitles-later",
        "subtitles-earlier",
    ];
    match rng.below(5) {
        0 => {
            let t = if v {
                rng.below(5_000_000_000) as i64
            } else {
                any_i64(rng, false)
            };
            ("seek".into(), Some(t.to_variant()))
        }
        1 => {
            let x = any_f64(
                rng,
                &[0.0, 0.5, 1.0],
                &[f64::NAN, 7.0, -3.0, f64::INFINITY],
                v,
            );
            ("set-volume".into(), Some(x.to_variant()))
        }
        2 => {
            let x = any_f64(
                rng,
                &[1.0, 2.0, 0.5],
                &[f64::NAN, 0.0, 1e9, -f64::INFINITY],
                v,
            );
            ("set-rate".into(), Some(x.to_variant()))
        }
        3 => {
            let n = if v {
                *rng.pick(&[1i64, -1, 3])
            } else {
                *rng.pick(&[i64::MIN, i64::MAX, 0])
            };
            ("step".into(), Some(n.to_variant()))
        }
        _ => (rng.pick(&plain).to_string(), None),
    }
}

/// Threads, open file descriptors and resident memory of this process.
#[derive(Clone, Debug)]
struct Resources {
    threads: usize,
    fds: usize,
    rss_mb: f64,
    /// Bytes the C allocator has handed out and not got back (every
    /// arena, mmapped blocks included): what the process really holds,
    /// as against resident pages kept by the allocator's fragmentation.
    heap_mb: f64,
    /// Open descriptors by kind (socket, pipe, eventfd, a path, …).
    fd_kinds: String,
}

fn resources() -> Resources {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let value = |key: &str| -> f64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0)
    };
    // SAFETY: mallinfo2 only reads the allocator's counters.
    let heap = unsafe { libc::mallinfo2() };
    Resources {
        threads: value("Threads:") as usize,
        fds: std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count()),
        rss_mb: value("VmRSS:") / 1024.0,
        heap_mb: (heap.uordblks + heap.hblkhd) as f64 / (1024.0 * 1024.0),
        fd_kinds: fd_kinds(),
    }
}

/// Every socket of this network namespace by inode: its protocol and, for
/// TCP and UDP, the far end's address (hex, as /proc/net gives it). Read
/// once per sample: a backlog of pipelines can hold hundreds of sockets.
fn socket_table() -> std::collections::HashMap<String, String> {
    let mut table = std::collections::HashMap::new();
    for proto in ["tcp", "tcp6", "udp", "udp6", "unix", "netlink"] {
        let text = std::fs::read_to_string(format!("/proc/self/net/{proto}")).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // The inode is column 10 for tcp, udp and netlink, 7 for unix.
            let inode = match proto {
                "unix" => fields.get(6),
                _ => fields.get(9),
            };
            let kind = match proto {
                "unix" | "netlink" => format!("socket {proto}"),
                _ => format!("socket {proto} to {}", fields.get(2).unwrap_or(&"?")),
            };
            if let Some(inode) = inode {
                table.insert(inode.to_string(), kind);
            }
        }
    }
    table
}

/// This process's open descriptors counted by kind, the most common first.
fn fd_kinds() -> String {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut sockets = None;
    for fd in std::fs::read_dir("/proc/self/fd")
        .into_iter()
        .flatten()
        .flatten()
    {
        let target = std::fs::read_link(fd.path()).unwrap_or_default();
        let target = target.to_string_lossy();
        // socket:[123], pipe:[456]: count by kind, not by inode; a socket
        // by its protocol and far end.
        let mut kind = target.split(":[").next().unwrap_or_default().to_string();
        if let Some(inode) = target
            .strip_prefix("socket:[")
            .and_then(|t| t.strip_suffix(']'))
        {
            kind = sockets
                .get_or_insert_with(socket_table)
                .get(inode)
                .cloned()
                .unwrap_or_else(|| "socket".to_string());
        }
        *counts.entry(kind).or_default() += 1;
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// This process's threads counted by name, the most common first.
fn thread_names() -> String {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        // Numbered names (multiqueue12:src) count together.
        let name: String = name
            .trim()
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect();
        *counts.entry(name).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
        .iter()
        .take(8)
        .map(|(name, n)| format!("{name} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Watches the heartbeat from another thread; fails the run on a hang.
fn start_watchdog(seed: u64) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(200));
        let silent = now_ms().saturating_sub(HEARTBEAT_MS.load(Ordering::Relaxed));
        if silent < super::HANG_AFTER.as_millis() as u64 {
            continue;
        }
        eprintln!("HANG: seed {seed}: the main loop has not turned for {silent} ms");
        eprintln!("last operations:");
        for op in RECENT.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            eprintln!("  {op}");
        }
        dump_stacks_if_asked(seed);
        let _ = std::io::stderr().flush();
        // Without the C libraries' exit handlers (libsrt's double free).
        unsafe { libc::_exit(70) };
    });
}

/// With STORM_GDB set, writes every thread's stack (gdb) beside the log.
fn dump_stacks_if_asked(seed: u64) {
    if std::env::var_os("STORM_GDB").is_none() {
        return;
    }
    let stacks =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("storm-seed-{seed}.stacks"));
    if let Ok(file) = std::fs::File::create(&stacks) {
        let _ = std::process::Command::new("gdb")
            .args(["-p", &std::process::id().to_string(), "-batch"])
            .args(["-ex", "thread apply all bt"])
            .stdout(file)
            .stderr(std::process::Stdio::null())
            .status();
        eprintln!("every thread's stack: {}", stacks.display());
    }
}

/// The child: runs `count` operations from `seed`, then prints a summary.
pub fn run_child(seed: u64, count: usize, log: PathBuf) {
    START.get_or_init(Instant::now);
    std::panic::set_hook(Box::new(move |info| {
        eprintln!(
            "PANIC: seed {seed}: {}",
            info.to_string().replace('\n', " ")
        );
        eprintln!("{}", std::backtrace::Backtrace::force_capture());
        std::process::abort();
    }));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    gtk::init().expect("GTK opens the display");
    framescope::widget::init().expect("framescope initialises");
    let window = gtk::Window::builder()
        .default_width(480)
        .default_height(320)
        .title("storm")
        .build();
    let view = PlayerView::new();
    window.set_child(Some(&view));
    window.present();

    let storm = Rc::new(Storm {
        rng: RefCell::new(Rng::new(seed)),
        window,
        view: RefCell::new(view),
        media: media(),
        subtitles: subtitle_files(),
        valid_only: std::env::var_os("STORM_VALID_ONLY").is_some(),
        log: RefCell::new(std::fs::File::create(&log).expect("the operation log opens")),
        done: Cell::new(0),
        total: count,
        longest_op: RefCell::new((Duration::ZERO, String::new())),
        samples: RefCell::new(Vec::new()),
        players_let_go: RefCell::new(Vec::new()),
        views_let_go: RefCell::new(Vec::new()),
    });

    // The heartbeat: how often the main loop turns, and its longest pause.
    let longest_turn = Rc::new(Cell::new(0u64));
    HEARTBEAT_MS.store(now_ms(), Ordering::Relaxed);
    {
        let longest_turn = longest_turn.clone();
        let last = Cell::new(now_ms());
        glib::timeout_add_local(Duration::from_millis(10), move || {
            let now = now_ms();
            longest_turn.set(longest_turn.get().max(now.saturating_sub(last.get())));
            last.set(now);
            HEARTBEAT_MS.store(now, Ordering::Relaxed);
            glib::ControlFlow::Continue
        });
    }
    start_watchdog(seed);

    let finished = Rc::new(Cell::new(false));
    schedule(storm.clone(), finished.clone());
    let context = glib::MainContext::default();
    // Held for the whole run, as `gtk::Application::run` and
    // `glib::MainLoop::run` hold it: between two bare `iteration` calls
    // the context has no owner, and a GStreamer thread calling
    // `MainContext::invoke` (the GTK sink does) would then acquire it and
    // run GTK code on its own thread.
    let _owner = context.acquire().expect("the main thread owns its context");
    while !finished.get() {
        context.iteration(true);
    }

    // Let go of everything and wait for the pipelines to be freed.
    let threads_by_name = thread_names();
    storm.samples.borrow_mut().push(storm.settled_resources());
    storm.player().stop();
    storm.window.set_child(None::<&gtk::Widget>);
    storm.window.destroy();
    let deadline = Instant::now() + Duration::from_secs(10);
    while pending_shutdowns() > 0 && Instant::now() < deadline {
        context.iteration(false);
        std::thread::sleep(Duration::from_millis(5));
    }
    let released = resources();
    let stopping = pending_shutdowns();
    let (op_time, op) = storm.longest_op.borrow().clone();
    println!(
        "storm seed {seed}: ops={} longest-turn-ms={} longest-op-ms={:.1}",
        storm.done.get(),
        longest_turn.get(),
        op_time.as_secs_f64() * 1e3
    );
    println!("  longest operation: {op}");
    let samples = storm.samples.borrow();
    let line = |label: &str, r: &Resources| {
        println!(
            "  {label}: {} threads, {} fds, {:.0} MB resident, {:.0} MB heap in use",
            r.threads, r.fds, r.rss_mb, r.heap_mb
        );
        println!("    descriptors: {}", r.fd_kinds);
    };
    if let (Some(first), Some(last)) = (samples.get(1), samples.last()) {
        line("at 10 %", first);
        line("at the end", last);
    }
    let series: Vec<String> = samples.iter().map(|r| format!("{:.0}", r.rss_mb)).collect();
    println!("  resident MB at each tenth: {}", series.join(" "));
    let heap: Vec<String> = samples
        .iter()
        .map(|r| format!("{:.0}", r.heap_mb))
        .collect();
    println!("  heap MB in use at each tenth: {}", heap.join(" "));
    println!("  threads at the end, by name: {threads_by_name}");
    let current = storm.player();
    let alive = |weak: &[glib::WeakRef<Player>]| {
        weak.iter()
            .filter_map(|w| w.upgrade())
            .filter(|p| *p != current)
            .count()
    };
    let players_alive = alive(&storm.players_let_go.borrow());
    let views_alive = storm
        .views_let_go
        .borrow()
        .iter()
        .filter(|w| w.upgrade().is_some())
        .count();
    println!(
        "  players let go and still alive: {players_alive} of {}; views: {views_alive} of {}",
        storm.players_let_go.borrow().len(),
        storm.views_let_go.borrow().len()
    );
    line("after letting go of everything", &released);
    if stopping > 0 {
        println!("  {stopping} pipelines were still stopping after 10 s");
        dump_stacks_if_asked(seed);
    }
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // Leave without the C libraries' exit handlers: libsrt's static
    // destructors free what a source still connecting uses (seen as a
    // double free at exit); what the storm tests is done by now.
    unsafe { libc::_exit(0) };
}

/// Runs the next operation after a random pause of 0 to 7 ms.
fn schedule(storm: Rc<Storm>, finished: Rc<Cell<bool>>) {
    let pause = Duration::from_millis(storm.rng.borrow_mut().below(8));
    glib::timeout_add_local_once(pause, move || {
        let done = storm.done.get();
        if done >= storm.total {
            finished.set(true);
            return;
        }
        if done % (storm.total / 10).max(1) == 0 {
            storm.samples.borrow_mut().push(storm.settled_resources());
        }
        storm.step();
        if std::env::var_os("STORM_TRACE_SOCKETS").is_some() {
            let n = std::fs::read_dir("/proc/self/fd")
                .into_iter()
                .flatten()
                .flatten()
                .filter(|fd| {
                    std::fs::read_link(fd.path())
                        .is_ok_and(|t| t.to_string_lossy().starts_with("socket"))
                })
                .count();
            storm.record(&format!("(sockets: {n})"));
        }
        storm.done.set(done + 1);
        schedule(storm, finished);
    });
}
