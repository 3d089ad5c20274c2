//! The headless player on every damaged file, several at once on one main
//! context: to the end or an `error` sentence within the limit, with the
//! main loop turning.

use super::damage::{cases, env_count};
use super::*;

/// The player test's folder for its damaged files.
const PLAYER: &str = "player";

/// The list of the files the player test is playing (a crash of the test
/// process leaves it behind, naming the culprits).
fn in_flight() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("fuzz")
        .join(PLAYER)
        .join("playing-now.txt")
}

/// A player on one damaged file.
struct Running {
    case: usize,
    player: Player,
    out: std::rc::Rc<std::cell::RefCell<Outcome>>,
    started: Instant,
}

pub fn player_plays_or_fails_in_a_sentence_on_damaged_media() {
    no_core_files();
    let cases = cases();
    let parallel = env_count("FUZZ_PLAYERS", 6);
    if Playbin::for_uri("file:///a.mp4") == Playbin::Playbin3 && gst::version() < (1, 24, 0, 0) {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "WARNING: local files play with playbin3 on GStreamer 1.22 here (FRAMESCOPE_PLAYBIN); \
             its decodebin3 crashes at teardown on many damaged files, not only the ones listed \
             in GSTREAMER_CRASHES, so this test may die of SIGSEGV"
        );
    }
    let started = Instant::now();
    let (failures, played, failed, skipped, longest_turn) = with_context(|| {
        let ctx = glib::MainContext::ref_thread_default();
        let mut failures = Vec::new();
        let (mut played, mut failed, mut skipped) = (0, 0, 0);
        let mut next = 0;
        let mut running: Vec<Running> = Vec::new();
        let mut longest_turn = Duration::ZERO;
        let mut last_turn = Instant::now();
        loop {
            while running.len() < parallel && next < cases.len() {
                let case = &cases[next];
                let uri = framescope::engine::to_uri(&case.path(PLAYER).display().to_string());
                let playbin3 = Playbin::for_uri(&uri) == Playbin::Playbin3;
                if let Some(element) = case.known_crash().filter(|_| playbin3) {
                    // GStreamer's decodebin3 crashes on this file (see
                    // GSTREAMER_CRASHES); playbin, the engine's choice for
                    // local files on 1.22, does not.
                    println!(
                        "    skipped (GStreamer crashes in {element}): {}",
                        case.id()
                    );
                    skipped += 1;
                    next += 1;
                    continue;
                }
                // Said before it starts: if the process dies, the files in
                // play were the last ones named.
                let path = case.write(PLAYER);
                if std::env::var_os("FUZZ_VERBOSE").is_some() {
                    use std::io::Write as _;
                    let _ = writeln!(std::io::stderr(), "fuzz: playing {}", case.recipe(PLAYER));
                }
                let player = Player::headless();
                let out = record(&player);
                player.open(&path.display().to_string());
                player.play();
                running.push(Running {
                    case: next,
                    player,
                    out,
                    started: Instant::now(),
                });
                next += 1;
                // If this process dies, the files in play are listed here.
                let playing: Vec<String> = running
                    .iter()
                    .map(|r| cases[r.case].recipe(PLAYER))
                    .collect();
                let _ = std::fs::write(in_flight(), playing.join("\n") + "\n");
            }
            if running.is_empty() {
                break;
            }
            common::turn_once(&ctx);
            let turn = last_turn.elapsed();
            last_turn = Instant::now();
            if turn > longest_turn {
                longest_turn = turn;
            }
            if turn > MAIN_LOOP_LIMIT {
                let playing: Vec<String> = running
                    .iter()
                    .map(|r| cases[r.case].recipe(PLAYER))
                    .collect();
                failures.push(format!(
                    "the main loop stood still for {:.1} s while playing: {}",
                    turn.as_secs_f64(),
                    playing.join(", ")
                ));
            }
            running.retain(|r| {
                let case = &cases[r.case];
                let o = r.out.borrow();
                let problem = if !o.errors.is_empty() {
                    failed += 1;
                    o.errors
                        .iter()
                        .find(|e| !one_sentence(&e.message))
                        .map(|e| format!("error is not one sentence: {:?}", e.message))
                } else if o.eos {
                    played += 1;
                    None
                } else if r.started.elapsed() > PLAY_LIMIT {
                    Some(format!(
                        "neither ended nor failed within {} s (state {:?}, position {:.2} s of {:.2} s)",
                        PLAY_LIMIT.as_secs(),
                        r.player.state(),
                        r.player.position() as f64 / 1e9,
                        r.player.duration() as f64 / 1e9,
                    ))
                } else {
                    return true;
                };
                match problem {
                    Some(why) => failures.push(format!("{why}: {}", case.recipe(PLAYER))),
                    None => case.remove(PLAYER),
                }
                false
            });
        }
        let _ = std::fs::remove_file(in_flight());
        (failures, played, failed, skipped, longest_turn)
    });
    println!(
        "    {} damaged files in {:.1} s: {played} played to the end, {failed} failed with a sentence, {skipped} skipped (GStreamer crashes); longest main-loop turn {:.0} ms",
        cases.len(),
        started.elapsed().as_secs_f64(),
        longest_turn.as_secs_f64() * 1000.0
    );
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
