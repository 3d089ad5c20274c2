//! Inspector window tests under X (Xvfb when no display is set): the window
//! follows a playing clip — scan of 60 frames, the highlighted row is the
//! frame on screen after a pause and seek, two GOPs of 30, a growing health
//! history, a pipeline listing with caps — every tab exports something that
//! parses, the Check tab lists an MP4's index at the end and exports it, and the window holds its player weakly and outlives it. Each tab is also rendered to
//! `target/inspector-shots/<tab>.png` for a person to look at. GTK must run
//! on the main thread, so this binary has its own harness, like `widget.rs`.

mod common;

use common::*;
use framescope::engine::{Player, PlayerState};
use framescope::widget::InspectorTab;
use framescope::widget::{InspectorWindow, PlayerView};
use gtk::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn shots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap_or(Path::new("target"))
        .join("inspector-shots");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Renders `window` with its GSK renderer into a PNG.
fn screenshot(window: &impl IsA<gtk::Widget>, path: &Path) -> TestResult {
    common::gui::render_texture(window)?
        .save_to_png(path)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn pump(d: Duration) {
    run_until(d, || false);
}

fn inspector_follows_a_playing_clip() -> TestResult {
    let window = gtk::Window::builder()
        .default_width(480)
        .default_height(320)
        .title("player")
        .build();
    let view = PlayerView::new();
    window.set_child(Some(&view));
    window.present();
    let player = view.player();
    player.set_looping(true);
    view.open(&clip("h264_aac.mp4").display().to_string());
    player.play();
    check!(
        run_until(Duration::from_secs(10), || player.state()
            == PlayerState::Playing),
        "the clip never played (state {:?})",
        player.state()
    );
    let inspector = InspectorWindow::new(&player);
    inspector.present();
    check!(
        run_until(Duration::from_secs(30), || inspector.frames_scanned() > 0),
        "the scan did not finish: {}",
        inspector.frames_status()
    );
    check!(
        inspector.frames_scanned() == 60,
        "scanned {} frames, expected 60",
        inspector.frames_scanned()
    );
    check!(
        inspector.frame_count() == 60,
        "the table lists {} frames",
        inspector.frame_count()
    );
    check!(
        inspector
            .window()
            .title()
            .is_some_and(|t| t.starts_with("Inspector — ") && t.contains("h264_aac")),
        "title {:?}",
        inspector.window().title()
    );
    let report = inspector.media_report().ok_or("no media report")?;
    let kinds: Vec<&str> = report.streams.iter().map(|s| s.kind.as_str()).collect();
    check!(
        kinds.contains(&"video") && kinds.contains(&"audio"),
        "streams {kinds:?}"
    );
    check!(
        inspector.gop_histogram() == vec![(30, 2)],
        "GOP histogram {:?}",
        inspector.gop_histogram()
    );

    // Health grows while playing.
    let before = inspector.health_history().len();
    pump(Duration::from_millis(2600));
    let after = inspector.health_history().len();
    check!(
        after >= before + 2,
        "health history went from {before} to {after} samples in 2.6 s"
    );

    // Pause and seek: the highlighted row is the frame on screen. (A seek
    // made as the pause finishes once landed on the pause's preroll and
    // showed the frame at 0 here, one CI run in five; fixed in the engine,
    // `engine::a_seek_right_after_pausing_lands_on_its_frame`.)
    player.pause();
    wait_settled(&player);
    for ms in [1000u64, 433] {
        player.seek(gst::ClockTime::from_mseconds(ms));
        let target = ms as i64 * 1_000_000;
        check!(
            wait_settled(&player)
                && run_until(Duration::from_secs(5), || {
                    let pts = player.frame_pts();
                    player.is_settled() && pts <= target && target - pts < 34_000_000
                }),
            "the seek to {ms} ms did not land (frame-pts {})",
            player.frame_pts()
        );
        pump(Duration::from_millis(100));
        inspector.refresh();
        let on_screen = player.frame_pts();
        let row = inspector.current_frame_row().ok_or("no row highlighted")?;
        let frame = inspector.current_frame().ok_or("no current frame")?;
        check!(
            frame.pts == Some(on_screen),
            "after a seek to {ms} ms row {row} (PTS {:?}) is highlighted; frame-pts is {on_screen}",
            frame.pts
        );
        println!("    seek {ms} ms: row {row}, PTS {on_screen}");
    }

    // Pipeline listing.
    inspector.select_tab(InspectorTab::Pipeline);
    inspector.refresh_pipeline();
    let text = inspector.pipeline_text();
    // playbin or playbin3, whichever the engine chose.
    check!(text.contains("playbin"), "no playbin in:\n{text}");
    check!(
        text.contains("dec") && text.contains("video/x-raw"),
        "no decoder or raw video caps in:\n{text}"
    );

    // Exports.
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let out = |name: &str| dir.path().join(name);
    inspector.export_tab(InspectorTab::Media, &out("media.json"))?;
    let media: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out("media.json")).unwrap_or_default())
            .map_err(|e| format!("media JSON: {e}"))?;
    check!(
        media["streams"].as_array().is_some_and(|s| s.len() == 2),
        "media JSON {media}"
    );
    inspector.export_tab(InspectorTab::Frames, &out("frames.csv"))?;
    let csv = std::fs::read_to_string(out("frames.csv")).unwrap_or_default();
    check!(
        csv.starts_with("pts,dts,duration,size,keyframe,picture_type\n")
            && csv.lines().count() == 61,
        "frames CSV has {} lines",
        csv.lines().count()
    );
    inspector.export_tab(InspectorTab::Gop, &out("gop.json"))?;
    let gop: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out("gop.json")).unwrap_or_default())
            .map_err(|e| format!("GOP JSON: {e}"))?;
    check!(
        gop["gops"].as_array().is_some_and(|g| g.len() == 2),
        "GOP JSON {gop}"
    );
    inspector.export_tab(InspectorTab::Health, &out("health.csv"))?;
    let csv = std::fs::read_to_string(out("health.csv")).unwrap_or_default();
    check!(
        csv.starts_with("t,rendered,dropped,late,bitrate,buffering_percent,latency_ms\n")
            && csv.lines().count() >= 3,
        "health CSV:\n{csv}"
    );
    inspector.export_tab(InspectorTab::Pipeline, &out("pipeline.dot"))?;
    let dot = std::fs::read_to_string(out("pipeline.dot")).unwrap_or_default();
    check!(
        dot.starts_with("digraph"),
        "DOT starts {:?}",
        &dot[..dot.len().min(40)]
    );
    let svg = inspector.export_tab(InspectorTab::Pipeline, &out("pipeline.svg"));
    if framescope::widget::testing::graphviz().is_some() {
        svg?;
        let svg = std::fs::read_to_string(out("pipeline.svg")).unwrap_or_default();
        check!(svg.contains("<svg"), "SVG export is not SVG");
    } else {
        check!(
            svg.as_ref().is_err_and(|e| e.contains("Graphviz")),
            "SVG without Graphviz: {svg:?}"
        );
    }
    let bad = inspector.export_tab(InspectorTab::Media, Path::new("/nonexistent/dir/m.json"));
    check!(
        bad.is_err()
            && inspector
                .tab_status(InspectorTab::Media)
                .contains("could not be written"),
        "a write error is not shown: {bad:?}"
    );

    // Screenshots of every tab, on the paused frame.
    player.seek(gst::ClockTime::from_mseconds(1000));
    wait_settled(&player);
    inspector.refresh();
    let shots = shots_dir();
    for tab in InspectorTab::ALL {
        inspector.select_tab(tab);
        pump(Duration::from_millis(400));
        let name = format!("{}.png", tab.title().to_lowercase());
        screenshot(&inspector, &shots.join(&name))?;
    }
    println!("    screenshots in {}", shots.display());

    // The player's window goes away (a PlayerView keeps its player alive
    // for now; `empty_player_and_dropped_player` drops one for real).
    drop(player);
    window.destroy();
    drop(view);
    pump(Duration::from_millis(1200));
    inspector.refresh();
    inspector.destroy();
    Ok(())
}

fn empty_player_and_dropped_player() -> TestResult {
    // A player showing video in a window of its own.
    let window = gtk::Window::builder()
        .default_width(320)
        .default_height(240)
        .build();
    let player = Player::new();
    let picture = gtk::Picture::new();
    player
        .bind_property("paintable", &picture, "paintable")
        .sync_create()
        .build();
    window.set_child(Some(&picture));
    window.present();
    let inspector = InspectorWindow::new(&player);
    inspector.present();
    pump(Duration::from_millis(300));
    let err = inspector
        .export_tab(InspectorTab::Media, Path::new("/tmp/never.json"))
        .err()
        .ok_or("exporting facts that are not known succeeded")?;
    check!(err.ends_with('.'), "not a sentence: {err}");
    check!(
        inspector.tab_status(InspectorTab::Media) == err,
        "the error is not shown in the tab"
    );
    // Loading and dropping while the scan runs.
    player.open(&clip("vp9_opus.webm").display().to_string());
    pump(Duration::from_millis(300));
    inspector.refresh();
    let weak = player.downgrade();
    drop(player);
    window.destroy();
    check!(
        run_until(Duration::from_secs(5), || weak.upgrade().is_none()),
        "the player was not freed: the inspector must hold it weakly"
    );
    for tab in InspectorTab::ALL {
        inspector.select_tab(tab);
        pump(Duration::from_millis(200));
    }
    inspector.refresh();
    check!(
        inspector.frames_scanned() == 0 && inspector.frame_count() == 0,
        "frames remain after the player went"
    );
    check!(
        inspector.window().title().as_deref() == Some("Inspector — No media"),
        "title {:?}",
        inspector.window().title()
    );
    // Closing stops the timer; refresh after it is harmless.
    inspector.close();
    pump(Duration::from_millis(700));
    inspector.refresh();
    Ok(())
}

fn check_tab_lists_findings() -> TestResult {
    let player = Player::new();
    // An MP4 with its index at the end: one `index-at-end` warning.
    player.open(&mp4_index_at_end().display().to_string());
    let inspector = InspectorWindow::new(&player);
    inspector.present();
    inspector.select_tab(InspectorTab::Check);
    let early = inspector.export_tab(InspectorTab::Check, Path::new("/tmp/never.json"));
    check!(
        early.as_ref().is_err_and(|e| e.contains("Run Check")),
        "exporting before a check: {early:?}"
    );
    inspector.run_check();
    check!(
        run_until(Duration::from_secs(30), || inspector
            .check_report()
            .is_some()),
        "the check never finished"
    );
    let report = inspector.check_report().ok_or("no report")?;
    check!(
        report
            .findings
            .iter()
            .any(|f| f.kind == "index-at-end"
                && f.severity == framescope::inspect::Severity::Warning),
        "no index-at-end warning: {report:?}"
    );
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("check.json");
    inspector.export_tab(InspectorTab::Check, &path)?;
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
            .map_err(|e| format!("check JSON: {e}"))?;
    check!(
        json["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["kind"] == "index-at-end")),
        "check JSON {json}"
    );
    pump(Duration::from_millis(300));
    screenshot(&inspector, &shots_dir().join("check-findings.png"))?;
    inspector.close();
    drop(player);
    pump(Duration::from_millis(300));
    Ok(())
}

fn main() {
    let tests: &[NamedTest] = &[
        (
            "inspector_follows_a_playing_clip",
            inspector_follows_a_playing_clip,
        ),
        (
            "empty_player_and_dropped_player",
            empty_player_and_dropped_player,
        ),
        ("check_tab_lists_findings", check_tab_lists_findings),
    ];
    gui_main("inspector", tests);
}
