//! Scaling and conversion cost benchmark (run by `bench/scaler.sh`).
//!
//! Decodes CLIP as fast as it can (no clock) three ways, interleaved,
//! ROUNDS times, and prints the CPU seconds (user + sys of this process,
//! from getrusage) each took, side by side in one run:
//! - the floor: `filesrc ! parsebin ! decodebin3 ! fakesink`;
//! - the software path before `framescopescale`: `videoscale !
//!   video/x-raw,width=W,height=H ! videoconvert ! video/x-raw,format=BGRx`;
//! - `framescopescale ! video/x-raw,width=W,height=H` (BGRx).
//!
//! The scaling cost is each row minus the floor; the ratio of the two is
//! what `framescopescale` costs against what it replaced.
//!
//! Usage: scaler_bench CLIP [--size WxH] [--rounds N]

use gst::prelude::*;

/// CPU seconds this process has used (user + system).
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage writes one plain struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Runs `line` to its end; its CPU seconds, or why it failed.
fn run(line: &str) -> Result<f64, String> {
    let pipeline = gst::parse::launch(line).map_err(|e| format!("{line}: {e}"))?;
    let start = cpu_seconds();
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| format!("{line}: {e}"))?;
    let bus = pipeline.bus().ok_or("no bus")?;
    let message = bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(600),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    let used = cpu_seconds() - start;
    let _ = pipeline.set_state(gst::State::Null);
    match message.as_ref().map(|m| m.view()) {
        Some(gst::MessageView::Eos(_)) => Ok(used),
        Some(gst::MessageView::Error(e)) => Err(format!("{line}: {}", e.error())),
        _ => Err(format!("{line}: no end within 600 s")),
    }
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut clip = None;
    let (mut width, mut height, mut rounds) = (1179u32, 663u32, 3usize);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--size" => {
                let value = args.next().unwrap_or_default();
                let (w, h) = value
                    .split_once('x')
                    .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
                    .ok_or(format!(
                        "--size takes WxH, such as 1179x663, not “{value}”."
                    ))?;
                (width, height) = (w, h);
            }
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--rounds takes a number of at least 1.")?;
            }
            other => clip = Some(other.to_string()),
        }
    }
    let clip = clip.ok_or("Usage: scaler_bench CLIP [--size WxH] [--rounds N]")?;
    framescope::engine::init().map_err(|e| e.to_string())?;
    let source = format!("filesrc location=\"{clip}\" ! parsebin ! decodebin3 ! video/x-raw");
    let size = format!("video/x-raw,width={width},height={height}");
    let rows = [
        ("decode only (floor)", format!("{source} ! fakesink")),
        (
            "videoscale ! videoconvert (before)",
            format!("{source} ! videoscale ! {size} ! videoconvert ! video/x-raw,format=BGRx ! fakesink"),
        ),
        (
            "framescopescale",
            format!("{source} ! framescopescale ! {size} ! fakesink"),
        ),
    ];
    let mut totals = [0f64; 3];
    for round in 0..rounds {
        for (i, (name, line)) in rows.iter().enumerate() {
            let used = run(line)?;
            eprintln!("round {}: {name}: {used:.2} s", round + 1);
            totals[i] += used;
        }
    }
    let mean = totals.map(|t| t / rounds as f64);
    println!("clip: {clip}; output {width}x{height} BGRx; {rounds} rounds, interleaved; CPU s per run (mean)");
    println!();
    println!("| pipeline | CPU s | over the floor s |");
    println!("|---|---|---|");
    for (i, (name, _)) in rows.iter().enumerate() {
        println!("| {name} | {:.2} | {:.2} |", mean[i], mean[i] - mean[0]);
    }
    let before = mean[1] - mean[0];
    let after = mean[2] - mean[0];
    if before > 0.0 {
        println!();
        println!(
            "framescopescale costs {:.2}x what videoscale ! videoconvert cost over the floor.",
            after / before
        );
    }
    Ok(())
}
