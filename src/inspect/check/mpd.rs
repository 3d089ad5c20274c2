//! DASH manifests (MPD) for `check`: each representation with its declared
//! bandwidth, kind and segments — the initialisation segment and every media
//! segment with its number, start and duration — from a `SegmentTemplate`
//! with a `SegmentTimeline` or a fixed `duration`, at the adaptation set
//! or the representation. Read by scanning the start tags in order (the
//! engine's attribute reader), which is all these manifests need.
//! `SegmentList`, `SegmentBase` and `BaseURL` are not followed.

use super::playlist::resolve;
use super::timeline::Kind;
use crate::engine::variants::xml_attribute;

/// Segments listed per representation at most.
const MAX_SEGMENTS: usize = 100_000;

/// One media segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DashSegment {
    /// Its address.
    pub(crate) uri: String,
    /// Its `$Number$`.
    pub(crate) number: u64,
    /// Its start in the timescale.
    pub(crate) start: i64,
    /// Its duration in the timescale.
    pub(crate) duration: u64,
}

/// One representation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Representation {
    /// Its `id`.
    pub(crate) id: String,
    /// Its declared `bandwidth`, bits/s.
    pub(crate) bandwidth: Option<u64>,
    /// Video, audio or other.
    pub(crate) kind: Kind,
    /// Ticks per second of the segment times.
    pub(crate) timescale: u64,
    /// The initialisation segment's address.
    pub(crate) init: Option<String>,
    /// The media segments, in order (empty when not template-addressed).
    pub(crate) segments: Vec<DashSegment>,
}

/// A manifest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Manifest {
    /// The representations in document order.
    pub(crate) representations: Vec<Representation>,
    /// `type="dynamic"` (live).
    pub(crate) dynamic: bool,
}

/// A `SegmentTemplate` being read.
#[derive(Debug, Clone, Default)]
struct Template {
    timescale: u64,
    init: Option<String>,
    media: Option<String>,
    start_number: u64,
    duration: Option<u64>,
    /// (t, d, r) of each `S`.
    timeline: Vec<(Option<i64>, u64, i64)>,
}

/// Seconds of an ISO 8601 duration such as `PT1H2M3.5S` (days too).
pub(crate) fn iso_duration(text: &str) -> Option<f64> {
    let rest = text.trim().strip_prefix('P')?;
    let mut seconds = 0.0;
    let mut number = String::new();
    let mut in_time = false;
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' | '.' => number.push(c),
            _ => {
                let value: f64 = number.parse().ok()?;
                number.clear();
                seconds += value
                    * match (c, in_time) {
                        ('D', false) => 86_400.0,
                        ('H', true) => 3600.0,
                        ('M', true) => 60.0,
                        ('S', true) => 1.0,
                        _ => return None,
                    };
            }
        }
    }
    (number.is_empty() && seconds.is_finite()).then_some(seconds)
}

/// `template` with `$RepresentationID$`, `$Bandwidth$`, `$Number…$` and
/// `$Time…$` filled in (a `%0Nd` width is honoured).
fn fill(template: &str, id: &str, bandwidth: u64, number: u64, time: i64) -> String {
    let mut out = String::new();
    let mut parts = template.split('$');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let mut inside = true;
    for part in parts {
        if inside {
            let (name, format) = part.split_once('%').unwrap_or((part, ""));
            let width: usize = format
                .trim_start_matches('0')
                .trim_end_matches('d')
                .parse()
                .unwrap_or(0)
                .min(32);
            match name {
                "" => out.push('$'),
                "RepresentationID" => out.push_str(id),
                "Bandwidth" => out.push_str(&format!("{bandwidth:0width$}")),
                "Number" => out.push_str(&format!("{number:0width$}")),
                "Time" => out.push_str(&format!("{time:0width$}")),
                other => {
                    out.push('$');
                    out.push_str(other);
                    out.push('$');
                }
            }
        } else {
            out.push_str(part);
        }
        inside = !inside;
    }
    out
}

/// The kind a `contentType` or `mimeType` names.
fn kind_of(tag: &str) -> Option<Kind> {
    let value = xml_attribute(tag, "contentType").or_else(|| xml_attribute(tag, "mimeType"))?;
    Some(if value.starts_with("video") {
        Kind::Video
    } else if value.starts_with("audio") {
        Kind::Audio
    } else {
        Kind::Other
    })
}

/// Reads the manifest `text` at `base`.
pub(crate) fn parse(text: &str, base: &str) -> Manifest {
    let mut manifest = Manifest::default();
    let mut total = 0.0;
    let mut set_kind = Kind::Other;
    let mut set_template: Option<Template> = None;
    let mut open: Option<(Representation, Option<Template>)> = None;
    for piece in text.split('<').skip(1) {
        let Some(end) = piece.find('>') else { continue };
        let tag = &piece[..end];
        let closed = tag.ends_with('/');
        let name = tag
            .trim_end_matches('/')
            .split(char::is_whitespace)
            .next()
            .unwrap_or("");
        match name {
            "MPD" => {
                manifest.dynamic = xml_attribute(tag, "type") == Some("dynamic");
                total = xml_attribute(tag, "mediaPresentationDuration")
                    .and_then(iso_duration)
                    .unwrap_or(0.0);
            }
            "AdaptationSet" => {
                set_kind = kind_of(tag).unwrap_or(Kind::Other);
                set_template = None;
            }
            "Representation" => {
                let rep = Representation {
                    id: xml_attribute(tag, "id").unwrap_or("").to_string(),
                    bandwidth: xml_attribute(tag, "bandwidth").and_then(|b| b.parse().ok()),
                    kind: kind_of(tag).unwrap_or(set_kind),
                    timescale: 1,
                    init: None,
                    segments: Vec::new(),
                };
                open = Some((rep, None));
                if closed {
                    finish(&mut open, &set_template, base, total, &mut manifest);
                }
            }
            "SegmentTemplate" => {
                let template = Template {
                    timescale: xml_attribute(tag, "timescale")
                        .and_then(|t| t.parse().ok())
                        .filter(|t| *t > 0)
                        .unwrap_or(1),
                    init: xml_attribute(tag, "initialization").map(String::from),
                    media: xml_attribute(tag, "media").map(String::from),
                    start_number: xml_attribute(tag, "startNumber")
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(1),
                    duration: xml_attribute(tag, "duration").and_then(|d| d.parse().ok()),
                    timeline: Vec::new(),
                };
                match open.as_mut() {
                    Some((_, own)) => *own = Some(template),
                    None => set_template = Some(template),
                }
            }
            "S" => {
                let s = (
                    xml_attribute(tag, "t").and_then(|t| t.parse().ok()),
                    xml_attribute(tag, "d")
                        .and_then(|d| d.parse().ok())
                        .unwrap_or(0),
                    xml_attribute(tag, "r")
                        .and_then(|r| r.parse().ok())
                        .unwrap_or(0),
                );
                let template = match open.as_mut() {
                    Some((_, Some(own))) => Some(own),
                    _ => set_template.as_mut(),
                };
                if let Some(t) = template {
                    t.timeline.push(s);
                }
            }
            "/Representation" => finish(&mut open, &set_template, base, total, &mut manifest),
            _ => {}
        }
    }
    manifest
}

/// Ends the open representation: its segments from its template (or the
/// adaptation set's).
fn finish(
    open: &mut Option<(Representation, Option<Template>)>,
    set_template: &Option<Template>,
    base: &str,
    total: f64,
    manifest: &mut Manifest,
) {
    let Some((mut rep, own)) = open.take() else {
        return;
    };
    if let Some(t) = own.or_else(|| set_template.clone()) {
        let bandwidth = rep.bandwidth.unwrap_or(0);
        rep.timescale = t.timescale;
        rep.init = t
            .init
            .as_deref()
            .and_then(|i| resolve(base, &fill(i, &rep.id, bandwidth, 0, 0)));
        let mut times: Vec<(i64, u64)> = Vec::new();
        let mut next = 0i64;
        for &(start, d, r) in &t.timeline {
            let mut at = start.unwrap_or(next);
            // r = -1: repeat to the end of the period.
            let repeats = if r < 0 {
                let span = (total * t.timescale as f64) as i64;
                span.saturating_sub(at).checked_div(d as i64).unwrap_or(0)
            } else {
                r.saturating_add(1)
            };
            for _ in 0..repeats.clamp(0, MAX_SEGMENTS as i64) {
                if times.len() >= MAX_SEGMENTS || d == 0 {
                    break;
                }
                times.push((at, d));
                at = at.saturating_add(d as i64);
            }
            next = at;
        }
        if t.timeline.is_empty() {
            if let Some(d) = t.duration.filter(|d| *d > 0) {
                let count = (total * t.timescale as f64 / d as f64).ceil();
                let count = if count.is_finite() { count as usize } else { 0 };
                for i in 0..count.min(MAX_SEGMENTS) {
                    times.push(((i as u64).saturating_mul(d) as i64, d));
                }
            }
        }
        if let Some(media) = t.media.as_deref() {
            for (i, (start, d)) in times.into_iter().enumerate() {
                let number = t.start_number.saturating_add(i as u64);
                if let Some(uri) = resolve(base, &fill(media, &rep.id, bandwidth, number, start)) {
                    rep.segments.push(DashSegment {
                        uri,
                        number,
                        start,
                        duration: d,
                    });
                }
            }
        }
    }
    manifest.representations.push(rep);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_and_timelines_give_segments() {
        let text = r#"<?xml version="1.0"?><MPD type="static" mediaPresentationDuration="PT8.0S">
<Period><AdaptationSet contentType="video">
<Representation id="0" bandwidth="1000" width="320">
<SegmentTemplate timescale="100" initialization="init-$RepresentationID$.m4s" media="c-$RepresentationID$-$Number%05d$.m4s" startNumber="1">
<SegmentTimeline><S t="0" d="200" r="1" /><S d="400" /></SegmentTimeline></SegmentTemplate>
</Representation></AdaptationSet>
<AdaptationSet mimeType="audio/mp4"><SegmentTemplate timescale="10" media="a$Time$.m4s" duration="40"/>
<Representation id="a" bandwidth="64000"/></AdaptationSet></Period></MPD>"#;
        let m = parse(text, "http://h/d/manifest.mpd");
        assert_eq!(m.representations.len(), 2, "{m:?}");
        let v = &m.representations[0];
        assert_eq!(v.kind, Kind::Video);
        assert_eq!(v.init.as_deref(), Some("http://h/d/init-0.m4s"));
        let starts: Vec<i64> = v.segments.iter().map(|s| s.start).collect();
        assert_eq!(starts, [0, 200, 400]);
        assert_eq!(v.segments[2].uri, "http://h/d/c-0-00003.m4s");
        let a = &m.representations[1];
        assert_eq!((a.kind, a.bandwidth), (Kind::Audio, Some(64000)));
        assert_eq!(a.segments.len(), 2);
        assert_eq!(a.segments[1].uri, "http://h/d/a40.m4s");
    }

    #[test]
    fn durations_and_fills_are_read_safely() {
        assert_eq!(iso_duration("PT1H2M3.5S"), Some(3723.5));
        assert_eq!(iso_duration("P1DT1S"), Some(86_401.0));
        assert_eq!(iso_duration("PTxS"), None);
        assert_eq!(fill("$$x$Number%99999d$", "", 0, 7, 0).len(), 2 + 32);
        assert!(parse("<MPD><S d=\"-5\" r=\"-9\"/><<<>", "file:///x.mpd")
            .representations
            .is_empty());
    }
}
