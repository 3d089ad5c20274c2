//! The storm's operations: the seeded random generator and the running
//! storm (`Storm`: the window, the view in it and what the operations
//! choose from), choosing one operation of the public API at a time,
//! logging it, then running it. The setter operations and the actions are
//! in `settings.rs`, the media in `media.rs`, the child's run loop and hang
//! watchdog in `child.rs`.

use super::child::RECENT;
use super::resources::Resources;
use super::settings::{any_action, any_setting};
use framescope::engine::TrackKind;
use framescope::engine::{pending_shutdowns, Player, SeekMode};
use framescope::widget::PlayerView;
use glib::prelude::*;
use gtk::prelude::*;
use std::cell::{Cell, RefCell};
use std::io::Write;
use std::time::{Duration, Instant};

/// SplitMix64: small, seeded, the same sequence on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    pub fn next(&mut self) -> u64 {
        crate::common::seeded::splitmix64(&mut self.0)
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

pub fn any_f64(rng: &mut Rng, valid: &[f64], invalid: &[f64], valid_only: bool) -> f64 {
    if valid_only || rng.chance(70) {
        *rng.pick(valid)
    } else {
        *rng.pick(invalid)
    }
}

pub fn any_i64(rng: &mut Rng, valid_only: bool) -> i64 {
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
pub type Call = Box<dyn FnOnce(&Storm)>;

/// The running storm: the window, the view in it and what the operations
/// choose from.
pub struct Storm {
    pub rng: RefCell<Rng>,
    pub window: gtk::Window,
    pub view: RefCell<PlayerView>,
    pub media: Vec<String>,
    pub subtitles: Vec<String>,
    pub valid_only: bool,
    pub log: RefCell<std::fs::File>,
    pub done: Cell<usize>,
    pub total: usize,
    pub longest_op: RefCell<(Duration, String)>,
    /// The operations made since the heartbeat last ran, with their times:
    /// printed when that turn of the main loop was long.
    pub ops_this_turn: RefCell<Vec<String>>,
    /// Players and views the storm let go of (replaced): each must be freed.
    pub players_let_go: RefCell<Vec<glib::WeakRef<Player>>>,
    pub views_let_go: RefCell<Vec<glib::WeakRef<PlayerView>>>,
    /// Threads, descriptors and memory at each tenth of the run.
    pub samples: RefCell<Vec<Resources>>,
}

impl Storm {
    pub fn player(&self) -> Player {
        self.view.borrow().player()
    }

    pub fn record(&self, op: &str) {
        let line = format!("{:>6} {op}", self.done.get());
        let _ = writeln!(self.log.borrow_mut(), "{line}");
        let mut recent = RECENT.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() == 20 {
            recent.pop_front();
        }
        recent.push_back(line);
    }

    /// Chooses one operation, logs it, then runs it.
    pub fn step(&self) {
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
        self.ops_this_turn
            .borrow_mut()
            .push(format!("{what} ({:.1} ms)", took.as_secs_f64() * 1e3));
        if took > self.longest_op.borrow().0 {
            self.longest_op.replace((took, what));
        }
    }

    /// Keeps a weak reference to a player the storm is about to let go of.
    pub fn remember(&self, player: &Player) {
        self.players_let_go.borrow_mut().push(player.downgrade());
    }

    /// Threads, descriptors and memory with nothing playing: the player is
    /// stopped and its pipelines freed first (a few seconds at most), so
    /// that samples taken at different moments of a random run compare
    /// like with like and growth means a leak.
    pub fn settled_resources(&self) -> Resources {
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
        super::resources::resources()
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
