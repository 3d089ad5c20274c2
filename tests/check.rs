//! `framescope check`, through the executable: each planted fault
//! (`tests/common/fixtures/faults.rs`) is found with its kind, severity and
//! place, and gives the documented exit status (3 with an error finding, 0
//! without); the clean twins give no error; an input that cannot be read
//! exits 1 with one sentence. HLS and DASH are checked from local files and
//! over HTTP from the test server.

mod common;

use common::http::HttpServer;
use common::seeded::splitmix64;
use common::*;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// What one run of `check --json` gave.
struct Checked {
    code: i32,
    json: Value,
    stderr: String,
}

impl Checked {
    /// The findings of `kind`.
    fn of(&self, kind: &str) -> Vec<&Value> {
        self.json["findings"]
            .as_array()
            .unwrap_or_else(|| panic!("no findings array: {}", self.json))
            .iter()
            .filter(|f| f["kind"] == kind)
            .collect()
    }

    /// The findings of `severity`.
    fn with_severity(&self, severity: &str) -> Vec<&Value> {
        self.json["findings"]
            .as_array()
            .map(|a| a.iter().filter(|f| f["severity"] == severity).collect())
            .unwrap_or_default()
    }
}

/// Runs `framescope check --json INPUT`.
fn check(input: &str) -> Checked {
    let child = framescope_headless()
        .args(["check", "--json", input])
        .spawn()
        .expect("framescope starts");
    let done = output_within(child, Duration::from_secs(120));
    let status = done.status.expect("check ends within 120 s");
    let stdout = String::from_utf8_lossy(&done.stdout);
    Checked {
        code: status.code().expect("check exits, not killed by a signal"),
        json: serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("check --json {input} printed no JSON ({e}): {stdout}")),
        stderr: String::from_utf8_lossy(&done.stderr).into_owned(),
    }
}

fn check_path(path: &Path) -> Checked {
    check(path.to_str().unwrap())
}

#[test]
fn segments_off_the_keyframe_grid_are_errors() {
    let r = check_path(&hls_off_grid().join("index.m3u8"));
    assert_eq!(r.code, 3, "{}", r.json);
    let found = r.of("segment-starts-without-keyframe");
    let segments: Vec<u64> = found
        .iter()
        .map(|f| f["segment"].as_u64().expect("a segment number"))
        .collect();
    // GOPs of 1.5 s: keyframes at 0, 1.5, 3, 4.5, 6 s; segments at 0, 2, 4, 6 s.
    assert_eq!(segments, [1, 2], "{}", r.json);
    assert!(found.iter().all(|f| f["severity"] == "error"));
    assert!((found[0]["time"].as_f64().unwrap() - 2.0).abs() < 0.01);

    // A local playlist is known by its content, whatever its name.
    let renamed = hls_off_grid().join("index.txt");
    std::fs::copy(hls_off_grid().join("index.m3u8"), &renamed).unwrap();
    let again = check_path(&renamed);
    assert_eq!(again.json["input"], "hls", "{}", again.json);
    assert_eq!(
        again.of("segment-starts-without-keyframe").len(),
        2,
        "{}",
        again.json
    );
}

#[test]
fn a_clean_rendition_has_no_error() {
    let r = check_path(&hls_ladder().join("hi/index.m3u8"));
    assert_eq!(r.code, 0, "{}", r.json);
    assert!(r.with_severity("error").is_empty(), "{}", r.json);
    assert!(r.with_severity("warning").is_empty(), "{}", r.json);
    assert_eq!(r.json["input"], "hls");
}

#[test]
fn a_truthful_aligned_ladder_is_clean() {
    let ladder = hls_ladder();
    let hi = peak_bitrate(&ladder.join("hi"));
    let lo = peak_bitrate(&ladder.join("lo"));
    let master = hls_master(
        "master_true.m3u8",
        &[("hi", hi * 5 / 4), ("lo", lo * 5 / 4)],
    );
    let r = check_path(&master);
    assert_eq!(r.code, 0, "{}", r.json);
    assert!(r.with_severity("error").is_empty(), "{}", r.json);
    assert!(r.of("keyframes-misaligned").is_empty(), "{}", r.json);
    assert!(r.of("bandwidth-overstated").is_empty(), "{}", r.json);
}

#[test]
fn a_lying_bandwidth_is_an_error() {
    let ladder = hls_ladder();
    let hi = peak_bitrate(&ladder.join("hi"));
    let lo = peak_bitrate(&ladder.join("lo"));
    let master = hls_master("master_lie.m3u8", &[("hi", hi / 4), ("lo", lo * 5 / 4)]);
    let r = check_path(&master);
    assert_eq!(r.code, 3, "{}", r.json);
    let found = r.of("bandwidth-exceeded");
    assert_eq!(found.len(), 1, "{}", r.json);
    assert_eq!(found[0]["severity"], "error");
    assert_eq!(found[0]["variant"], 0);
}

#[test]
fn a_lying_bandwidth_is_found_over_http() {
    let ladder = hls_ladder();
    let hi = peak_bitrate(&ladder.join("hi"));
    let lo = peak_bitrate(&ladder.join("lo"));
    hls_master(
        "master_lie_http.m3u8",
        &[("hi", hi * 5 / 4), ("lo", lo / 4)],
    );
    let server = HttpServer::files(&ladder).start();
    let r = check(&server.url("/master_lie_http.m3u8"));
    assert_eq!(r.code, 3, "{}", r.json);
    let found = r.of("bandwidth-exceeded");
    assert_eq!(found.len(), 1, "{}", r.json);
    assert_eq!(found[0]["variant"], 1);
    // Every segment was fetched from the server, nothing failed to read.
    assert!(r.of("segment-unreadable").is_empty(), "{}", r.json);
    assert!(
        server
            .log()
            .iter()
            .filter(|l| l.path.ends_with(".ts"))
            .count()
            >= 8,
        "segments were read over HTTP"
    );
}

#[test]
fn misaligned_keyframes_across_variants_are_warnings() {
    let ladder = hls_ladder();
    let hi = peak_bitrate(&ladder.join("hi"));
    let odd = peak_bitrate(&ladder.join("odd"));
    let master = hls_master(
        "master_misaligned.m3u8",
        &[("hi", hi * 5 / 4), ("odd", odd * 5 / 4)],
    );
    let r = check_path(&master);
    let found = r.of("keyframes-misaligned");
    assert_eq!(found.len(), 1, "{}", r.json);
    assert_eq!(found[0]["severity"], "warning");
    assert_eq!(found[0]["variant"], 1);
    // The first keyframe only the 1 s GOPs have is at 1 s.
    assert!(
        (found[0]["time"].as_f64().unwrap() - 1.0).abs() < 0.05,
        "{}",
        r.json
    );
    // Only warnings: exit 0.
    assert_eq!(r.code, 0, "{}", r.json);
}

#[test]
fn a_skipped_segment_is_a_timestamp_jump_unless_declared() {
    let hi = hls_ladder().join("hi");
    let r = check_path(&hls_media(&hi, "skip.m3u8", 2, &[0, 2, 3], &[]));
    assert_eq!(r.code, 3, "{}", r.json);
    let found = r.of("timestamp-jump");
    assert_eq!(found.len(), 1, "{}", r.json);
    assert_eq!(
        (found[0]["segment"].as_u64(), found[0]["severity"].as_str()),
        (Some(1), Some("error"))
    );
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("forward by 2.0"),
        "{}",
        r.json
    );

    let r = check_path(&hls_media(&hi, "skip_declared.m3u8", 2, &[0, 2, 3], &[2]));
    assert_eq!(r.code, 0, "{}", r.json);
    assert!(r.of("timestamp-jump").is_empty(), "{}", r.json);
    let declared = r.of("discontinuity");
    assert_eq!(declared.len(), 1, "{}", r.json);
    assert_eq!(declared[0]["severity"], "info");
}

#[test]
fn segments_longer_than_the_target_duration_are_errors() {
    let hi = hls_ladder().join("hi");
    let r = check_path(&hls_media(&hi, "short_target.m3u8", 1, &[0, 1, 2, 3], &[]));
    assert_eq!(r.code, 3, "{}", r.json);
    let found = r.of("segment-over-target-duration");
    assert_eq!(found.len(), 4, "{}", r.json);
    assert!(found.iter().all(|f| f["severity"] == "error"));
}

#[test]
fn decode_times_going_back_are_errors() {
    let r = check_path(&ts_dts_back());
    assert_eq!(r.code, 3, "{}", r.json);
    let found = r.of("dts-backwards");
    // Once in the video and once in the audio stream.
    assert_eq!(found.len(), 2, "{}", r.json);
    assert!(found.iter().all(|f| f["severity"] == "error"));
    let video = found.iter().find(|f| f["stream"] == 0).expect("video");
    // The second copy starts with frame 120 of the file (4 s at 30 fps).
    assert_eq!(video["frame"], 120, "{}", r.json);
    assert!(r.of("interleave-distance").is_empty(), "{}", r.json);

    let clean = check_path(&ts_clean());
    assert_eq!(clean.code, 0, "{}", clean.json);
    assert!(clean.with_severity("error").is_empty(), "{}", clean.json);
    assert!(clean.with_severity("warning").is_empty(), "{}", clean.json);
}

#[test]
fn an_mp4_index_at_the_end_is_a_warning() {
    let r = check_path(&mp4_index_at_end());
    assert_eq!(r.code, 0, "{}", r.json);
    let found = r.of("index-at-end");
    assert_eq!(found.len(), 1, "{}", r.json);
    assert_eq!(found[0]["severity"], "warning");
    assert!(found[0]["message"].as_str().unwrap().contains("faststart"));

    let fast = check_path(&mp4_faststart());
    assert_eq!(fast.code, 0, "{}", fast.json);
    assert!(
        fast.json["findings"].as_array().unwrap().is_empty(),
        "{}",
        fast.json
    );
}

#[test]
fn unreadable_input_exits_1_with_one_sentence() {
    let r = check_path(&bad_file("missing.mp4"));
    assert_eq!(r.code, 1, "{}", r.json);
    assert_eq!(r.json["error"]["kind"], "not-found", "{}", r.json);
    let line = r.stderr.trim();
    assert!(
        line.starts_with("framescope: ") && line.ends_with('.'),
        "{line}"
    );
    assert_eq!(line.lines().count(), 1, "{line}");

    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.m3u8");
    std::fs::write(&fake, "this is not a playlist").unwrap();
    let r = check_path(&fake);
    assert_eq!(r.code, 1, "{}", r.json);
    assert!(r.stderr.contains("neither an HLS playlist"), "{}", r.stderr);

    let server = HttpServer::files(dir.path()).start();
    let r = check(&server.url("/absent.m3u8"));
    assert_eq!(r.code, 1, "{}", r.json);
    assert!(r.stderr.contains("could not be read"), "{}", r.stderr);
}

#[test]
fn the_default_output_is_a_table() {
    let child = framescope_headless()
        .args(["check", hls_off_grid().join("index.m3u8").to_str().unwrap()])
        .spawn()
        .unwrap();
    let done = output_within(child, Duration::from_secs(120));
    assert_eq!(done.status.and_then(|s| s.code()), Some(3));
    let text = String::from_utf8_lossy(&done.stdout);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("error ") && l.contains("segment-starts-without-keyframe"))
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(text.contains("2 error(s), 0 warning(s)"), "{text}");
}

#[test]
fn audio_starting_late_in_a_segment_is_a_skew_warning() {
    let r = check_path(&hls_av_skew().join("index.m3u8"));
    let found = r.of("av-start-skew");
    assert_eq!(found.len(), 1, "{}", r.json);
    assert_eq!(found[0]["segment"], 0);
    assert_eq!(found[0]["severity"], "warning");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("after video"),
        "{}",
        r.json
    );
    assert_eq!(r.code, 0, "{}", r.json);
}

#[test]
fn rate_changes_and_long_gops_in_a_file_are_reported() {
    let r = check_path(&ts_rate_change_long_gop());
    assert_eq!(r.code, 0, "{}", r.json);
    let changes = r.of("frame-rate-change");
    assert_eq!(changes.len(), 1, "{}", r.json);
    assert_eq!(changes[0]["severity"], "info");
    // Frame 60 is at 2 s, and the step to frame 61 is the first of 1/25 s.
    assert_eq!(changes[0]["frame"], 61, "{}", r.json);
    assert!(changes[0]["message"]
        .as_str()
        .unwrap()
        .contains("30.000 to 25.000"));
    let long = r.of("keyframe-interval");
    assert_eq!(long.len(), 1, "{}", r.json);
    assert_eq!(long[0]["severity"], "warning");
    assert!(r.of("pts-gap").is_empty(), "{}", r.json);
}

#[test]
fn a_clean_dash_stream_has_no_error_locally_and_over_http() {
    let tree = dash_aligned();
    let r = check_path(&tree.join("manifest.mpd"));
    assert_eq!(r.code, 0, "{}", r.json);
    assert_eq!(r.json["input"], "dash");
    assert!(r.with_severity("error").is_empty(), "{}", r.json);
    assert!(r.with_severity("warning").is_empty(), "{}", r.json);

    let server = HttpServer::files(&tree).start();
    let r = check(&server.url("/manifest.mpd"));
    assert_eq!(r.code, 0, "{}", r.json);
    assert!(
        r.json["findings"].as_array().unwrap().is_empty(),
        "{}",
        r.json
    );
    let segments = server
        .log()
        .iter()
        .filter(|l| l.path.ends_with(".m4s"))
        .count();
    // Three initialisation segments and 3 × 4 media segments.
    assert!(segments >= 15, "{segments} segments read over HTTP");
}

#[test]
fn dash_keyframes_misaligned_across_representations_are_warnings() {
    let r = check_path(&dash_misaligned().join("manifest.mpd"));
    let found = r.of("keyframes-misaligned");
    assert_eq!(found.len(), 1, "{}", r.json);
    assert_eq!(
        (found[0]["variant"].as_u64(), found[0]["severity"].as_str()),
        (Some(1), Some("warning"))
    );
    assert!(
        (found[0]["time"].as_f64().unwrap() - 1.0).abs() < 0.05,
        "{}",
        r.json
    );
    assert_eq!(r.code, 0, "{}", r.json);
}

#[test]
fn dash_lies_about_bandwidth_and_times_are_errors() {
    let tree = dash_aligned();
    let lie = dash_edited(&tree, "lying_bandwidth.mpd", |text| {
        // The first representation's bandwidth, a tenth of the truth.
        let at = text.find("bandwidth=\"").unwrap() + "bandwidth=\"".len();
        let end = at + text[at..].find('"').unwrap();
        let truth: u64 = text[at..end].parse().unwrap();
        format!("{}{}{}", &text[..at], truth / 10, &text[end..])
    });
    let r = check_path(&lie);
    assert_eq!(r.code, 3, "{}", r.json);
    let found = r.of("bandwidth-exceeded");
    assert_eq!(found.len(), 1, "{}", r.json);
    assert_eq!(
        (found[0]["variant"].as_u64(), found[0]["severity"].as_str()),
        (Some(0), Some("error"))
    );

    // The video timelines start 2 s late: every video segment's media is
    // 2 s earlier than the manifest says.
    let shifted = dash_edited(&tree, "shifted_timeline.mpd", |text| {
        text.replace("<S t=\"0\" d=\"30720\"", "<S t=\"30720\" d=\"30720\"")
    });
    let r = check_path(&shifted);
    assert_eq!(r.code, 3, "{}", r.json);
    let found = r.of("segment-time-mismatch");
    assert_eq!(found.len(), 8, "{}", r.json);
    assert!(found.iter().all(|f| f["severity"] == "error"));
    assert_eq!(found[0]["segment"], 1);
}

/// Damages `bytes` with the seeded generator: flipped bytes, a cut end or
/// a zeroed run, by turns.
fn damage(bytes: &mut Vec<u8>, state: &mut u64) {
    let len = bytes.len().max(1) as u64;
    match splitmix64(state) % 3 {
        0 => {
            for _ in 0..1 + splitmix64(state) % 40 {
                let at = (splitmix64(state) % len) as usize;
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= splitmix64(state) as u8 | 1;
                }
            }
        }
        1 => bytes.truncate((splitmix64(state) % len) as usize),
        _ => {
            let at = (splitmix64(state) % len) as usize;
            let run = (splitmix64(state) % 4096) as usize;
            let end = (at + run).min(bytes.len());
            bytes[at..end].fill(0);
        }
    }
}

/// Copies the files of `from` (one level) into `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn damaged_inputs_give_findings_or_a_sentence_never_a_crash() {
    let ts = std::fs::read(ts_dts_back()).unwrap();
    let hls = hls_off_grid();
    let dash = dash_aligned();
    let mut state = 17u64;
    for case in 0..60u64 {
        let dir = tempfile::tempdir().unwrap();
        let input = match case % 3 {
            0 => {
                let mut bytes = ts.clone();
                damage(&mut bytes, &mut state);
                let path = dir.path().join("damaged.ts");
                std::fs::write(&path, bytes).unwrap();
                path
            }
            1 => {
                copy_tree(&hls, dir.path());
                let victim = if case % 2 == 0 {
                    "index.m3u8"
                } else {
                    "seg001.ts"
                };
                let mut bytes = std::fs::read(dir.path().join(victim)).unwrap();
                damage(&mut bytes, &mut state);
                std::fs::write(dir.path().join(victim), bytes).unwrap();
                dir.path().join("index.m3u8")
            }
            _ => {
                copy_tree(&dash, dir.path());
                let victim = [
                    "manifest.mpd",
                    "init-stream0.m4s",
                    "chunk-stream0-00002.m4s",
                ][(splitmix64(&mut state) % 3) as usize];
                let mut bytes = std::fs::read(dir.path().join(victim)).unwrap();
                damage(&mut bytes, &mut state);
                std::fs::write(dir.path().join(victim), bytes).unwrap();
                dir.path().join("manifest.mpd")
            }
        };
        let r = check_path(&input);
        assert!(
            [0, 1, 3].contains(&r.code),
            "case {case}: exit {} ({})",
            r.code,
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "case {case}: {}", r.stderr);
        assert!(
            !r.stderr.contains("ended without a result") && !r.stderr.contains("crashed"),
            "case {case}: {}",
            r.stderr
        );
        if r.code == 1 {
            assert_eq!(
                r.stderr.trim().lines().count(),
                1,
                "case {case}: {}",
                r.stderr
            );
        }
    }
}

#[test]
fn fragmented_mp4_segments_are_checked_too() {
    let off = check_path(&hls_fmp4_rendition("check_hls_fmp4_gop45", 45).join("index.m3u8"));
    assert_eq!(off.code, 3, "{}", off.json);
    let segments: Vec<u64> = off
        .of("segment-starts-without-keyframe")
        .iter()
        .map(|f| f["segment"].as_u64().unwrap())
        .collect();
    assert_eq!(segments, [1, 2], "{}", off.json);
    assert!(off.of("not-checked").is_empty(), "{}", off.json);

    let on = check_path(&hls_fmp4_rendition("check_hls_fmp4_gop60", 60).join("index.m3u8"));
    assert_eq!(on.code, 0, "{}", on.json);
    assert!(
        on.json["findings"].as_array().unwrap().is_empty(),
        "{}",
        on.json
    );
}
