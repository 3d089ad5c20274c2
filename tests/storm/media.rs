//! The media the storm opens: generated clips, broken files, the corpus
//! when present, dead network addresses and subtitle files, made once by
//! the parent before any child starts, and custom pipelines.

use super::common;
use std::path::PathBuf;

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
    // Custom pipelines (`Player::open_pipeline`), registered in this
    // process: a raw video source, and an encoded one with a raw audio one.
    for description in [
        "videotestsrc num-buffers=90 ! video/x-raw,width=320,height=240,framerate=30/1",
        "videotestsrc num-buffers=60 ! x264enc tune=zerolatency ! h264parse  audiotestsrc num-buffers=60",
    ] {
        if let Ok(uri) = framescope::engine::pipeline_uri(description) {
            items.push(uri);
        }
    }
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
        // files is set to NULL (a bare playbin3 driven from Python crashes the
        // same way). Local files, playlists included, play in playbin there,
        // so the storm takes them on every version.
        for name in [
            "androidx-media/mkv/sample_with_srt.mkv",
            "androidx-media/mp4/sample_ac3_aac.mp4",
        ] {
            let path = corpus.join(name);
            if path.exists() {
                items.push(path.display().to_string());
            }
        }
    }
    items
}

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/media/files");
    dir.is_dir().then_some(dir)
}

pub fn subtitle_files() -> Vec<String> {
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
