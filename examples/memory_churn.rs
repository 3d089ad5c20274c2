//! Resident memory while media come and go: opens a generated clip in a
//! `PlayerView` again and again (`open`: one view; `views`: a new view each
//! time) and prints the heap in use and the resident size every 150 opens,
//! each sampled with the player stopped, its pipelines freed and
//! `malloc_trim` run. Used by bench/memory.sh, which runs it with and
//! without the malloc arena limit.
//! `cargo run --release --example memory_churn -- open|views [COUNT]`

use framescope::widget::PlayerView;
use gst::prelude::*;
use gtk::prelude::*;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "open".into());
    let count: usize = match args.next().map(|n| n.parse()) {
        None => 600,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("memory_churn: COUNT must be a whole number of opens");
            std::process::exit(2);
        }
    };
    if mode != "open" && mode != "views" {
        eprintln!("memory_churn: the mode is open or views, not “{mode}”");
        std::process::exit(2);
    }
    // As the embedding guide asks: before GTK starts threads of its own.
    framescope::engine::init().expect("GStreamer initialises");
    gtk::init().expect("GTK opens the display");
    framescope::widget::init().expect("framescope initialises");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let clip = dir.path().join("clip.mkv");
    make_clip(&clip);
    let uri = clip.display().to_string();

    let window = gtk::Window::builder()
        .default_width(640)
        .default_height(480)
        .build();
    let mut view = PlayerView::new();
    window.set_child(Some(&view));
    window.present();
    turn(Duration::from_millis(500));
    for i in 0..=count {
        if i % 150 == 0 {
            view.player().stop();
            sample(i);
        }
        if mode == "views" {
            view = PlayerView::new();
            window.set_child(Some(&view));
        }
        view.player().open(&uri);
        view.player().play();
        turn(Duration::from_millis(60));
    }
}

/// Two seconds of 320x240 H.264 in Matroska.
fn make_clip(path: &std::path::Path) {
    let description = format!(
        "videotestsrc num-buffers=60 ! video/x-raw,width=320,height=240,framerate=30/1 \
         ! x264enc ! h264parse ! matroskamux ! filesink location=\"{}\"",
        path.display()
    );
    let pipeline = gst::parse::launch(&description).expect("x264enc and matroskamux");
    pipeline
        .set_state(gst::State::Playing)
        .expect("the clip pipeline starts");
    let bus = pipeline.bus().expect("a bus");
    bus.timed_pop_filtered(gst::ClockTime::from_seconds(30), &[gst::MessageType::Eos]);
    let _ = pipeline.set_state(gst::State::Null);
}

/// Runs the default main context for `time`.
fn turn(time: Duration) {
    let context = glib::MainContext::default();
    let end = Instant::now() + time;
    while Instant::now() < end {
        while context.iteration(false) {}
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Lets stopped pipelines go, gives free memory back, prints one line.
fn sample(opens: usize) {
    turn(Duration::from_millis(1500));
    // SAFETY: mallinfo2 reads the allocator's counters; malloc_trim gives
    // free pages back; neither touches memory of ours.
    let heap = unsafe {
        libc::malloc_trim(0);
        let info = libc::mallinfo2();
        info.uordblks + info.hblkhd
    };
    let resident_pages: usize = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    println!(
        "opens={opens} heap_mb={:.1} resident_mb={:.1}",
        heap as f64 / 1048576.0,
        (resident_pages * 4096) as f64 / 1048576.0
    );
}
