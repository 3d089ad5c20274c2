//! A file that needs a plugin that is not installed: the test hides every
//! H.264 decoder from this process's registry (rank none, so autoplugging
//! skips it), then plays H.264 media. Its own process, so other tests keep
//! their decoders.

mod common;

use common::*;
use framescope::engine::ErrorKind;
use gst::prelude::*;
use std::time::Duration;

fn hide_h264_decoders() -> Vec<String> {
    let caps = gst::Caps::builder("video/x-h264")
        .field("stream-format", "avc")
        .field("alignment", "au")
        .build();
    let mut hidden = Vec::new();
    for factory in
        gst::ElementFactory::factories_with_type(gst::ElementFactoryType::DECODER, gst::Rank::NONE)
    {
        if factory.can_sink_any_caps(&caps) {
            factory.set_rank(gst::Rank::NONE);
            hidden.push(factory.name().to_string());
        }
    }
    hidden
}

#[test]
fn missing_decoder_is_named() {
    framescope::engine::init().unwrap();
    let video_only = h264_video_only();
    let with_audio = clip("h264_aac.mp4");
    let hidden = hide_h264_decoders();
    assert!(!hidden.is_empty(), "no H.264 decoder was installed to hide");
    println!("hidden decoders: {hidden:?}");

    // Video only: nothing can play, so it is an error that names the decoder.
    with_context(|| {
        let (_player, out) = play_headless(&video_only, Duration::from_secs(10));
        let out = out.borrow();
        assert_eq!(out.errors.len(), 1, "{out:?}");
        let e = &out.errors[0];
        assert_eq!(e.kind, ErrorKind::MissingPlugin, "{e:?}");
        assert!(e.message.contains("H.264"), "{}", e.message);
        assert!(
            e.missing.as_deref().unwrap_or_default().contains("H.264"),
            "{e:?}"
        );
    });

    // Video and audio: the audio plays on, and a warning names the decoder.
    with_context(|| {
        let (player, out) = play_headless(&with_audio, Duration::from_secs(10));
        let out = out.borrow();
        assert!(out.errors.is_empty() && out.eos, "{out:?}");
        assert!(player.has_audio() && !player.has_video());
        assert!(
            out.warnings.iter().any(|w| w.contains("H.264")),
            "{:?}",
            out.warnings
        );
    });
}
