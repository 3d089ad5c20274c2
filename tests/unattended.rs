//! Unattended operation of the engine, headless with real pipelines: the
//! playlist (order, repeat, end actions, gapless advance measured at the
//! sink), host-chosen sinks, and the watchdog against an HTTP server on
//! 127.0.0.1 that fails, stalls, or is killed mid-stream and started again.
//! The watchdog's restarts must follow its backoff schedule and its counters
//! must match the `restarting` signals seen.
//!
//! The tests live in `tests/unattended/`, one module per concern; this
//! root holds the helpers they share and names every test.

mod common;
#[path = "unattended/gapless.rs"]
mod gapless;
#[path = "unattended/playlist.rs"]
mod playlist;
#[path = "unattended/watchdog.rs"]
mod watchdog;

use common::http::{Fault, HttpServer};
use common::*;
use framescope::engine::{EndAction, Player, PlayerState, Repeat, VideoMode};
use gst::prelude::*;
use gtk::gio::prelude::ListModelExt;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every change of `current-index`, in order.
fn record_items(player: &Player) -> Rc<RefCell<Vec<i32>>> {
    let seen = Rc::new(RefCell::new(vec![player.current_index()]));
    let s = seen.clone();
    player.connect_current_index_notify(move |p| {
        let mut s = s.borrow_mut();
        if s.last() != Some(&p.current_index()) {
            s.push(p.current_index());
        }
    });
    seen
}

/// Sets the player's playlist to `files`.
fn set_files(player: &Player, files: &[std::path::PathBuf]) {
    let items: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    player.set_items(&items);
}

/// The watchdog's `restarting` signals: (attempt, delay ms, when).
type Restarts = Rc<RefCell<Vec<(u32, u32, Instant)>>>;

fn record_restarts(player: &Player) -> Restarts {
    let seen: Restarts = Rc::default();
    let s = seen.clone();
    player.connect_restarting(move |_, attempt, delay, _| {
        s.borrow_mut().push((attempt, delay, Instant::now()))
    });
    seen
}

fn watchdog_player(max_restarts: u32, delay_ms: u32, stall_ms: u32) -> Player {
    let player = Player::headless();
    player.set_max_restarts(max_restarts);
    player.set_restart_delay(delay_ms);
    player.set_restart_delay_max(4 * delay_ms);
    player.set_stall_timeout(stall_ms);
    player
}

fn rendered(player: &Player) -> u64 {
    player.stats().rendered
}

/// Waits until the player renders new frames for a while: recovered.
fn plays_on(player: &Player, within: Duration) -> bool {
    let mut start = None;
    run_until(within, || {
        let now = rendered(player);
        let base = *start.get_or_insert(now);
        player.state() == PlayerState::Playing && now >= base + 15
    })
}

// The tests, each in the module of its kind (above); the names stay the
// ones `cargo test --test unattended -- NAME` has always matched.
#[test]
fn playlist_plays_every_item_in_order_then_stops() {
    playlist::playlist_plays_every_item_in_order_then_stops()
}

#[test]
fn shuffle_plays_each_item_once_and_signals_each_item() {
    playlist::shuffle_plays_each_item_once_and_signals_each_item()
}

#[test]
fn shuffle_orders_differ_and_off_restores_list_order() {
    playlist::shuffle_orders_differ_and_off_restores_list_order()
}

#[test]
fn moving_and_removing_items_keep_the_current_item() {
    playlist::moving_and_removing_items_keep_the_current_item()
}

#[test]
fn repeat_all_wraps_and_black_end_stops() {
    playlist::repeat_all_wraps_and_black_end_stops()
}

#[test]
fn repeat_one_loops_the_item_seamlessly() {
    playlist::repeat_one_loops_the_item_seamlessly()
}

#[test]
fn gapless_advance_keeps_the_pipeline_and_leaves_no_gap() {
    gapless::gapless_advance_keeps_the_pipeline_and_leaves_no_gap()
}

#[test]
fn host_sinks_are_used_and_a_bad_one_is_explained() {
    gapless::host_sinks_are_used_and_a_bad_one_is_explained()
}

#[test]
fn watchdog_restarts_after_errors_on_its_backoff_schedule() {
    watchdog::watchdog_restarts_after_errors_on_its_backoff_schedule()
}

#[test]
fn watchdog_restarts_a_stalled_stream() {
    watchdog::watchdog_restarts_a_stalled_stream()
}

#[test]
fn watchdog_survives_a_server_killed_mid_stream_and_restarted() {
    watchdog::watchdog_survives_a_server_killed_mid_stream_and_restarted()
}

#[test]
fn watchdog_gives_up_after_max_restarts() {
    watchdog::watchdog_gives_up_after_max_restarts()
}

#[test]
fn watchdog_catches_a_frozen_picture_under_running_audio() {
    watchdog::watchdog_catches_a_frozen_picture_under_running_audio()
}

#[test]
fn watchdog_restarts_a_live_udp_stream_that_goes_quiet() {
    watchdog::watchdog_restarts_a_live_udp_stream_that_goes_quiet()
}
