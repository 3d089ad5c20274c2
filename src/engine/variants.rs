//! The variants (qualities) of an adaptive stream: read from its HLS master
//! playlist (`#EXT-X-STREAM-INF`) or DASH manifest (video
//! `<Representation>`s), fetched once through GStreamer's own source for
//! the URI (so HTTPS, redirects and credentials work as for playback), and
//! the adaptive demuxer that measures the bandwidth (GStreamer's
//! `hlsdemux2` and `dashdemux2`: `current-bandwidth`).

use gst::prelude::*;
use std::time::{Duration, Instant};

/// One variant of an adaptive stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The bandwidth the manifest gives it, in bits/s.
    pub bandwidth: u64,
    /// Its picture size, when the manifest says.
    pub width: Option<u32>,
    /// Its picture height, when the manifest says.
    pub height: Option<u32>,
    /// Its own media playlist (HLS), to play it alone.
    pub uri: Option<String>,
}

impl Variant {
    /// "640x360, 1.2 Mb/s" (for menus).
    pub fn label(&self) -> String {
        let rate = if self.bandwidth >= 1_000_000 {
            format!("{:.1} Mb/s", self.bandwidth as f64 / 1e6)
        } else {
            format!("{} kb/s", self.bandwidth / 1000)
        };
        match (self.width, self.height) {
            (Some(w), Some(h)) => format!("{w}x{h}, {rate}"),
            (_, Some(h)) => format!("{h}p, {rate}"),
            _ => rate,
        }
    }
}

/// Whether `uri` names an HLS or DASH manifest (by its path's ending).
pub(crate) fn is_adaptive(uri: &str) -> bool {
    let path = uri
        .split(['?', '#'])
        .next()
        .unwrap_or(uri)
        .to_ascii_lowercase();
    path.ends_with(".m3u8") || path.ends_with(".mpd")
}

/// The value of `name=` in an HLS attribute list (quotes removed).
pub(crate) fn hls_attribute<'a>(attributes: &'a str, name: &str) -> Option<&'a str> {
    // Values may be quoted and hold commas (CODECS="avc1…,mp4a…").
    let mut rest = attributes;
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], quoted[end + 1..].trim_start_matches(','))
        } else {
            match after.split_once(',') {
                Some((v, n)) => (v, n),
                None => (after, ""),
            }
        };
        if key.trim().eq_ignore_ascii_case(name) {
            return Some(value);
        }
        rest = next;
    }
    None
}

/// The variants of an HLS master playlist at `base` (the URI it was read
/// from), in its order (none for a media playlist).
pub fn parse_hls_master(text: &str, base: &str) -> Vec<Variant> {
    let mut lines = text.lines().map(str::trim);
    let mut variants = Vec::new();
    while let Some(line) = lines.next() {
        let Some(attributes) = line.strip_prefix("#EXT-X-STREAM-INF:") else {
            continue;
        };
        // The variant's playlist is the next line that is not a tag.
        let target = lines
            .by_ref()
            .find(|l| !l.is_empty() && !l.starts_with('#'));
        let Some(bandwidth) = hls_attribute(attributes, "BANDWIDTH").and_then(|b| b.parse().ok())
        else {
            continue;
        };
        let size = hls_attribute(attributes, "RESOLUTION").and_then(|r| r.split_once('x'));
        variants.push(Variant {
            bandwidth,
            width: size.and_then(|(w, _)| w.parse().ok()),
            height: size.and_then(|(_, h)| h.parse().ok()),
            // GLib takes no NUL: a line holding one names no playlist.
            uri: target
                .filter(|t| !t.contains('\0') && !base.contains('\0'))
                .and_then(|t| {
                    glib::Uri::resolve_relative(Some(base), t, glib::UriFlags::NONE)
                        .ok()
                        .map(|u| u.to_string())
                }),
        });
    }
    variants
}

/// The value of `name="…"` in one XML start tag.
pub(crate) fn xml_attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!("{name}=\"");
    let start = tag
        .match_indices(&needle)
        .find(|(at, _)| {
            at.checked_sub(1)
                .is_none_or(|b| tag.as_bytes()[b].is_ascii_whitespace())
        })?
        .0
        + needle.len();
    let end = tag[start..].find('"')?;
    Some(&tag[start..start + end])
}

/// The video representations of a DASH manifest (those with a picture
/// size), lowest bandwidth first.
pub fn parse_dash_mpd(text: &str) -> Vec<Variant> {
    let mut variants: Vec<Variant> = text
        .split("<Representation")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>')?];
            let width = xml_attribute(tag, "width")?.parse().ok();
            let height = xml_attribute(tag, "height").and_then(|h| h.parse().ok());
            Some(Variant {
                bandwidth: xml_attribute(tag, "bandwidth")?.parse().ok()?,
                width,
                height,
                uri: None,
            })
        })
        .collect();
    variants.sort_by_key(|v| v.bandwidth);
    variants.dedup();
    variants
}

/// The most of a manifest read.
const MANIFEST_LIMIT: usize = 4 << 20;

/// Reads `uri` whole through GStreamer's source for it, within `timeout`.
pub(crate) fn fetch(uri: &str, timeout: Duration) -> Result<Vec<u8>, String> {
    fetch_up_to(uri, timeout, MANIFEST_LIMIT)
}

/// Reads `uri` whole, as [`fetch`], refusing more than `limit` bytes (for
/// media segments, which are larger than manifests).
pub(crate) fn fetch_up_to(uri: &str, timeout: Duration, limit: usize) -> Result<Vec<u8>, String> {
    let source = gst::Element::make_from_uri(gst::URIType::Src, uri, None)
        .map_err(|e| format!("no source for it ({e})"))?;
    let sink = gst_app::AppSink::builder().sync(false).build();
    let pipeline = gst::Pipeline::new();
    pipeline
        .add_many([&source, sink.upcast_ref()])
        .map_err(|e| e.to_string())?;
    source.link(&sink).map_err(|e| e.to_string())?;
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + timeout;
    let mut data = Vec::new();
    let result = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break Err("reading it took too long".to_string());
        }
        let wait = gst::ClockTime::from_nseconds(left.as_nanos() as u64);
        match sink.try_pull_sample(wait) {
            Some(sample) => {
                if let Some(map) = sample.buffer().and_then(|b| b.map_readable().ok()) {
                    data.extend_from_slice(&map);
                }
                if data.len() > limit {
                    break Err(format!("it is larger than {} MiB", limit >> 20));
                }
            }
            None => {
                // An HTTP error page can come before the error itself.
                let error = pipeline.bus().and_then(|b| {
                    b.pop_filtered(&[gst::MessageType::Error])
                        .map(|m| match m.view() {
                            gst::MessageView::Error(e) => e.error().to_string(),
                            _ => String::new(),
                        })
                });
                break match error {
                    Some(e) => Err(e),
                    None if sink.is_eos() => Ok(()),
                    None => Err("reading it took too long".into()),
                };
            }
        }
    };
    let _ = pipeline.set_state(gst::State::Null);
    result.map(|()| data)
}

/// The variants of the adaptive stream at `uri` (empty when it is not one,
/// or lists none). Blocks for up to `timeout`.
pub(crate) fn variants_of(uri: &str, timeout: Duration) -> Vec<Variant> {
    let Ok(bytes) = fetch(uri, timeout) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&bytes);
    if text.contains("#EXTM3U") {
        parse_hls_master(&text, uri)
    } else if text.contains("<MPD") {
        parse_dash_mpd(&text)
    } else {
        Vec::new()
    }
}

/// Whether `element` is an adaptive demuxer that measures its bandwidth.
pub(crate) fn is_adaptive_demuxer(element: &gst::Element) -> bool {
    element
        .find_property("current-bandwidth")
        .is_some_and(|p| p.value_type() == u32::static_type())
}

/// Holds an adaptive demuxer to one bitrate (bits/s): it then picks the
/// best representation within it, the one of that bandwidth. 0 lets it
/// choose by bandwidth again. Returns whether the demuxer can be held so
/// (`dashdemux2`/`hlsdemux2`'s `min-bitrate` and `max-bitrate`).
pub(crate) fn pin_bitrate(demuxer: &gst::Element, bits_per_second: u64) -> bool {
    let bits = u32::try_from(bits_per_second).unwrap_or(u32::MAX);
    let settable = |name: &str| {
        demuxer
            .find_property(name)
            .is_some_and(|p| p.value_type() == u32::static_type())
    };
    if !(settable("min-bitrate") && settable("max-bitrate")) {
        return false;
    }
    // Widen first, so min never exceeds max on the way.
    demuxer.set_property("min-bitrate", 0u32);
    demuxer.set_property("max-bitrate", bits);
    demuxer.set_property("min-bitrate", bits);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hls_master_playlists_list_their_variants() {
        let text = "#EXTM3U\n\
            #EXT-X-STREAM-INF:BANDWIDTH=1280000,CODECS=\"avc1.4d401f,mp4a.40.2\",RESOLUTION=640x360\n\
            mid/index.m3u8\n\
            #EXT-X-STREAM-INF:RESOLUTION=320x180,BANDWIDTH=300000\n\
            low/index.m3u8\n\
            #EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS=\"mp4a.40.2\"\n\
            audio/index.m3u8\n";
        let variants = parse_hls_master(text, "http://h/live/master.m3u8");
        assert_eq!(variants.len(), 3);
        assert_eq!(
            variants[1].uri.as_deref(),
            Some("http://h/live/low/index.m3u8")
        );
        assert_eq!(variants[0].bandwidth, 1_280_000);
        assert_eq!(
            (variants[0].width, variants[0].height),
            (Some(640), Some(360))
        );
        assert_eq!(variants[1].label(), "320x180, 300 kb/s");
        assert_eq!(variants[2].width, None);
        assert!(parse_hls_master("#EXTM3U\n#EXTINF:2,\nseg1.ts\n", "http://h/a.m3u8").is_empty());
    }

    #[test]
    fn dash_manifests_list_their_video_representations() {
        let text = r#"<MPD><Period><AdaptationSet mimeType="video/mp4">
            <Representation id="2" bandwidth="1500000" width="1280" height="720" codecs="avc1"/>
            <Representation id="1" bandwidth="400000" width="640" height="360"/>
            </AdaptationSet><AdaptationSet mimeType="audio/mp4">
            <Representation id="a" bandwidth="128000" audioSamplingRate="48000"/>
            </AdaptationSet></Period></MPD>"#;
        let variants = parse_dash_mpd(text);
        assert_eq!(variants.len(), 2, "{variants:?}");
        assert_eq!(variants[0].bandwidth, 400_000);
        assert_eq!(variants[1].label(), "1280x720, 1.5 Mb/s");
    }

    #[test]
    fn manifests_are_known_by_their_ending() {
        assert!(is_adaptive("http://h/live/index.m3u8?token=1"));
        assert!(is_adaptive("https://h/a/manifest.MPD"));
        assert!(!is_adaptive("http://h/a.mp4"));
    }
}
