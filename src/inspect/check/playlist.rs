//! HLS media playlists for `check`: the target duration and each segment
//! with its declared duration, media sequence number and whether a
//! discontinuity comes before it, and the initialisation segment of
//! fragmented-MP4 segments. Master playlists are read by the engine's
//! [`parse_hls_master`](crate::engine::testing::parse_hls_master).

/// One segment of a media playlist.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Segment {
    /// Its address, resolved against the playlist's.
    pub(crate) uri: String,
    /// `#EXTINF` duration in seconds.
    pub(crate) duration: f64,
    /// Its media sequence number.
    pub(crate) sequence: u64,
    /// An `#EXT-X-DISCONTINUITY` comes before it.
    pub(crate) discontinuity: bool,
}

/// A media playlist.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct MediaPlaylist {
    /// `#EXT-X-TARGETDURATION` in seconds, when given.
    pub(crate) target_duration: Option<u64>,
    /// The segments, in order.
    pub(crate) segments: Vec<Segment>,
    /// `#EXT-X-ENDLIST` is present.
    pub(crate) ended: bool,
    /// The initialisation segment (`#EXT-X-MAP`) of fragmented-MP4
    /// segments, resolved.
    pub(crate) map: Option<String>,
    /// Tags `check` cannot follow (`#EXT-X-KEY` with a method, byte ranges),
    /// by name.
    pub(crate) unsupported: Vec<String>,
}

use crate::engine::variants::hls_attribute;

/// Resolves `target` against `base` (a URI), as a URI.
pub(crate) fn resolve(base: &str, target: &str) -> Option<String> {
    if target.contains('\0') || base.contains('\0') {
        return None;
    }
    glib::Uri::resolve_relative(Some(base), target, glib::UriFlags::NONE)
        .ok()
        .map(|u| u.to_string())
}

/// Reads a media playlist at `base`; `None` when `text` is not a playlist.
pub(crate) fn parse_media(text: &str, base: &str) -> Option<MediaPlaylist> {
    let mut lines = text.lines().map(str::trim);
    if lines.next().map(|l| l.trim_start_matches('\u{feff}')) != Some("#EXTM3U") {
        return None;
    }
    let mut playlist = MediaPlaylist::default();
    let mut sequence = 0u64;
    let mut duration = None;
    let mut discontinuity = false;
    for line in lines {
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("#EXT-X-TARGETDURATION:") {
            playlist.target_duration = rest.trim().parse().ok();
        } else if let Some(rest) = line.strip_prefix("#EXT-X-MEDIA-SEQUENCE:") {
            sequence = rest.trim().parse().unwrap_or(0);
        } else if let Some(rest) = line.strip_prefix("#EXTINF:") {
            let value = rest.split(',').next().unwrap_or("").trim();
            duration = value
                .parse::<f64>()
                .ok()
                .filter(|d| d.is_finite() && *d >= 0.0);
        } else if line == "#EXT-X-DISCONTINUITY" {
            discontinuity = true;
        } else if line == "#EXT-X-ENDLIST" {
            playlist.ended = true;
        } else if line.starts_with("#EXT-X-KEY:") && !line.contains("METHOD=NONE") {
            playlist.unsupported.push("EXT-X-KEY".into());
        } else if let Some(attributes) = line.strip_prefix("#EXT-X-MAP:") {
            if hls_attribute(attributes, "BYTERANGE").is_some() || playlist.map.is_some() {
                playlist.unsupported.push("EXT-X-MAP".into());
            }
            playlist.map = hls_attribute(attributes, "URI").and_then(|u| resolve(base, u));
        } else if line.starts_with("#EXT-X-BYTERANGE:") {
            playlist.unsupported.push("EXT-X-BYTERANGE".into());
        } else if !line.starts_with('#') {
            if let Some(uri) = resolve(base, line) {
                playlist.segments.push(Segment {
                    uri,
                    duration: duration.take().unwrap_or(0.0),
                    sequence,
                    discontinuity,
                });
            }
            sequence = sequence.saturating_add(1);
            discontinuity = false;
        }
    }
    playlist.unsupported.dedup();
    Some(playlist)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_playlists_list_their_segments() {
        let text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n\
            #EXTINF:2.000,\na.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:1.5,title\nsub/b.ts\n#EXT-X-ENDLIST\n";
        let p = parse_media(text, "http://h/x/index.m3u8").unwrap();
        assert_eq!(p.target_duration, Some(2));
        assert!(p.ended);
        assert_eq!(p.segments.len(), 2);
        assert_eq!(p.segments[0].uri, "http://h/x/a.ts");
        assert_eq!(p.segments[1].uri, "http://h/x/sub/b.ts");
        assert_eq!((p.segments[1].sequence, p.segments[1].duration), (8, 1.5));
        assert!(p.segments[1].discontinuity && !p.segments[0].discontinuity);
        assert!(parse_media("hello", "http://h/").is_none());
        let bad = parse_media(
            "#EXTM3U\n#EXTINF:nan,\na.ts\n#EXTINF:-3,\nb.ts\n",
            "file:///t/i.m3u8",
        )
        .unwrap();
        assert_eq!(bad.segments[0].duration, 0.0);
        assert_eq!(bad.segments[1].duration, 0.0);
        let fmp4 = parse_media(
            "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2,\ns.m4s\n",
            "file:///t/i.m3u8",
        )
        .unwrap();
        assert_eq!(fmp4.map.as_deref(), Some("file:///t/init.mp4"));
        assert!(fmp4.unsupported.is_empty());
    }
}
