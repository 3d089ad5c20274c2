//! Media facts for one file or URI: container, duration, seekability, live
//! or not, tags and every stream with its caps, read with GStreamer's
//! Discoverer. Errors share the engine's kinds.
//!
//! Discovery ends in bounded time: the Discoverer's own timeout
//! ([`discover_timeout`]: shorter for local files), and an error that
//! `decodebin` swallowed inside it (see [`super::swallowed`]) ends it at
//! once with that error.

use crate::engine::{classify, display_name, ErrorKind, PlayerError, RTMP_SCHEMES};
use crate::inspect::swallowed::Watch;
use gst_pbutils::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long discovery may take before it is reported as stalled.
pub const DISCOVER_TIMEOUT: gst::ClockTime = gst::ClockTime::from_seconds(10);

/// How long discovery of a local file may take: a local file that yields
/// nothing for this long is stuck, not slow.
pub(crate) const LOCAL_DISCOVER_TIMEOUT: gst::ClockTime = gst::ClockTime::from_seconds(5);

/// How long discovering `uri` may take: 5 s for `file://`
/// URIs, [`DISCOVER_TIMEOUT`] for everything else.
pub fn discover_timeout(uri: &str) -> gst::ClockTime {
    if is_local(uri) {
        LOCAL_DISCOVER_TIMEOUT
    } else {
        DISCOVER_TIMEOUT
    }
}

/// The sentence for reading `uri` that did not finish within `seconds`.
/// An RTMP server answers a stream nobody publishes to and then sends
/// nothing: the sentence says what to check.
pub fn timed_out_sentence(uri: &str, seconds: u64) -> String {
    let name = display_name(uri);
    if crate::engine::is_rtmp(uri) {
        format!(
            "Reading “{name}” did not finish within {seconds} s: {}",
            crate::engine::RTMP_NOTHING_SENT
        )
    } else {
        format!("Reading “{name}” did not finish within {seconds} s.")
    }
}

/// The scheme of `uri`, in lower case (empty without one).
fn scheme_of(uri: &str) -> String {
    uri.split_once("://")
        .map(|(s, _)| s.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether `uri` names a local file.
pub fn is_local(uri: &str) -> bool {
    uri.get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("file://"))
}

/// How long an error posted inside the Discoverer's or the frame scanner's
/// pipeline may stay off its bus before it counts as swallowed.
pub(crate) const SWALLOWED_AFTER: std::time::Duration = std::time::Duration::from_millis(500);

/// Everything `inspect` reports about one input (the JSON shape is a contract).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MediaReport {
    /// The URI, credentials removed.
    pub uri: String,
    /// The container's description, e.g. "Matroska", or null for raw streams.
    pub container: Option<String>,
    /// Duration in seconds, null when unknown.
    pub duration: Option<f64>,
    /// Whether the input can be seeked.
    pub seekable: bool,
    /// Whether the input is live: a live source (RTSP, SRT, UDP, RTMP), a
    /// live HLS/DASH stream (its playlist has no end yet), or an endless
    /// FLV or MPEG-TS body over HTTP (HTTP-FLV).
    pub live: bool,
    /// Global tags as strings.
    pub tags: BTreeMap<String, String>,
    /// Elementary streams in container order.
    pub streams: Vec<StreamReport>,
}

/// One elementary stream.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct StreamReport {
    /// Position in `streams`.
    pub index: usize,
    /// GStreamer stream-id.
    pub id: Option<String>,
    /// `video`, `audio`, `subtitle` or `other`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Human codec name, e.g. "H.264 (High Profile)".
    pub codec: String,
    /// The stream's caps.
    pub caps: String,
    /// Language code, if tagged.
    pub language: Option<String>,
    /// Bitrate in bits per second, if known.
    pub bitrate: Option<u32>,
    /// Whether an installed decoder can decode it.
    pub decodable: bool,
    /// Video: width in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Video: height in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Video: frame rate as `N/D`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framerate: Option<String>,
    /// Video: pixel aspect ratio as `N/D`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pixel_aspect_ratio: Option<String>,
    /// Video: interlaced or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interlaced: Option<bool>,
    /// Video: bits per component, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bit_depth: Option<u32>,
    /// Video: colorimetry string from the caps, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colorimetry: Option<String>,
    /// Audio: channel count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channels: Option<u32>,
    /// Audio: sample rate in Hz.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<u32>,
    /// Audio: sample format for raw audio, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// Initialises GStreamer for a headless reader, as an error sentence when
/// it cannot be.
pub(crate) fn init_gstreamer() -> Result<(), PlayerError> {
    crate::engine::init().map_err(|e| {
        PlayerError::new(
            ErrorKind::Other,
            format!("GStreamer could not be initialised: {e}; install gstreamer1.0-plugins-base and try again."),
            "",
        )
    })
}

/// Reads the facts of `uri` (a URI; see [`crate::engine::to_uri`]).
pub fn inspect(uri: &str) -> Result<MediaReport, PlayerError> {
    init_gstreamer()?;
    crate::engine::precheck(uri)?;
    let timeout = discover_timeout(uri);
    let discoverer = gst_pbutils::Discoverer::new(timeout).map_err(|e| {
        PlayerError::new(
            ErrorKind::Other,
            format!("The media discoverer could not be created: {e}."),
            "",
        )
    })?;
    let (info, error) = discover(&discoverer, uri);
    match (info, error) {
        // Missing plugins do not hide streams: they are listed, undecodable.
        (Some(info), error) if info.result() == gst_pbutils::DiscovererResult::MissingPlugins => {
            if !info.stream_list().is_empty() {
                return Ok(report(&info, uri));
            }
            // Nothing could be read at all (an encrypted file, say).
            let missing: Vec<String> = info
                .missing_elements_installer_details()
                .iter()
                // gstreamer|1.0|app|description|detail: keep the description.
                .map(|d| d.split('|').nth(3).unwrap_or(d).to_string())
                .collect();
            let error = error.unwrap_or_else(|| {
                glib::Error::new(gst::CoreError::MissingPlugin, "missing plugins")
            });
            Err(crate::engine::refine_network_error(
                classify(&error, "", uri, &missing),
                uri,
                None,
            ))
        }
        (_, Some(e)) => {
            let missing = Vec::new();
            let mut err =
                crate::engine::refine_network_error(classify(&e, "", uri, &missing), uri, None);
            if err.kind == ErrorKind::Other && e.message().contains("Timeout") {
                err.message = timed_out_sentence(uri, timeout.seconds());
            }
            Err(err)
        }
        // A timeout comes without an error, and with whatever was found
        // by then (often nothing): not a report.
        (Some(info), None) if info.result() == gst_pbutils::DiscovererResult::Timeout => {
            Err(PlayerError::new(
                if is_local(uri) {
                    ErrorKind::Corrupt
                } else {
                    ErrorKind::Network
                },
                timed_out_sentence(uri, timeout.seconds()),
                "discoverer timeout",
            ))
        }
        (Some(info), None) => Ok(report(&info, uri)),
        (None, None) => Err(PlayerError::new(
            ErrorKind::Other,
            format!("Reading “{}” gave no result.", display_name(uri)),
            "",
        )),
    }
}

/// Runs the discoverer on its own main context, so the result (and the
/// streams found) is available even when it also reports an error.
fn discover(
    discoverer: &gst_pbutils::Discoverer,
    uri: &str,
) -> (Option<gst_pbutils::DiscovererInfo>, Option<glib::Error>) {
    use std::sync::{Arc, Mutex};
    type Outcome = (Option<gst_pbutils::DiscovererInfo>, Option<glib::Error>);
    let context = glib::MainContext::new();
    let main_loop = glib::MainLoop::new(Some(&context), false);
    let outcome: Arc<Mutex<Outcome>> = Arc::default();
    let lock = |m: &Mutex<Outcome>| -> Outcome {
        std::mem::take(&mut *m.lock().unwrap_or_else(|e| e.into_inner()))
    };
    // The errors posted inside the Discoverer's pipeline, once it exists.
    let watch: Arc<Mutex<Option<Watch>>> = Arc::default();
    let started = context.with_thread_default(|| {
        let store = outcome.clone();
        discoverer.connect_discovered(move |_, info, error| {
            *store.lock().unwrap_or_else(|e| e.into_inner()) = (Some(info.clone()), error.cloned());
        });
        let quit = main_loop.clone();
        discoverer.connect_finished(move |_| quit.quit());
        // Discovery decodes one frame per stream; a decoder running one
        // thread per core allocates a frame per thread (tens of MB at 1080p)
        // for it. One thread is plenty for one frame.
        let watching = watch.clone();
        discoverer.connect_source_setup(move |_, source| {
            let mut top = source.clone().upcast::<gst::Object>();
            while let Some(parent) = top.parent() {
                top = parent;
            }
            if let Some(bin) = top.downcast_ref::<gst::Bin>() {
                watching
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert_with(|| Watch::new(bin));
                bin.connect_deep_element_added(|_, _, element| {
                    if element.find_property("max-threads").is_some() {
                        element.set_property_from_str("max-threads", "1");
                    }
                });
            }
        });
        // An error decodebin swallowed ends discovery with that error.
        let swallowed: Arc<Mutex<Option<glib::Error>>> = Arc::default();
        let found = swallowed.clone();
        let quit = main_loop.clone();
        let checker = glib::timeout_source_new(
            std::time::Duration::from_millis(100),
            None,
            glib::Priority::DEFAULT,
            move || {
                let lost = watch
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .as_ref()
                    .and_then(|w| w.swallowed(SWALLOWED_AFTER));
                match lost {
                    Some(posted) => {
                        tracing::debug!("discovery: an error was swallowed: {}", posted.error);
                        *found.lock().unwrap_or_else(|e| e.into_inner()) = Some(posted.error);
                        quit.quit();
                        glib::ControlFlow::Break
                    }
                    None => glib::ControlFlow::Continue,
                }
            },
        );
        checker.attach(Some(&context));
        discoverer.start();
        let queued = discoverer.discover_uri_async(uri);
        if queued.is_ok() {
            main_loop.run();
        }
        checker.destroy();
        discoverer.stop();
        let swallowed = swallowed.lock().unwrap_or_else(|e| e.into_inner()).take();
        queued.map(|()| swallowed)
    });
    let mut outcome = lock(&outcome);
    match started {
        Ok(Err(e)) => {
            outcome
                .1
                .get_or_insert(glib::Error::new(gst::CoreError::Failed, &e.message));
        }
        // Discovery was cut short: the swallowed error is its outcome.
        Ok(Ok(Some(error))) if outcome.0.is_none() => outcome = (None, Some(error)),
        _ => {}
    }
    outcome
}

fn fraction(f: gst::Fraction) -> String {
    format!("{}/{}", f.numer(), f.denom())
}

fn report(info: &gst_pbutils::DiscovererInfo, uri: &str) -> MediaReport {
    let missing = info.missing_elements_installer_details().join(" ");
    let container = info
        .stream_info()
        .filter(|top| top.is::<gst_pbutils::DiscovererContainerInfo>())
        .and_then(|c| c.caps())
        .and_then(|caps| crate::engine::codec_description(&caps));
    let mut tags = BTreeMap::new();
    if let Some(list) = info.tags() {
        for (name, value) in list.iter() {
            let text = value.get::<String>().unwrap_or_else(|_| {
                let text = value.serialize().map(|s| s.to_string()).unwrap_or_default();
                text.trim_matches('"').to_string()
            });
            tags.insert(name.to_string(), text);
        }
    }
    let streams = info
        .stream_list()
        .iter()
        .enumerate()
        .map(|(index, stream)| stream_report(index, stream, &missing))
        .collect();
    MediaReport {
        uri: crate::engine::redact_uri(uri),
        container,
        duration: info.duration().map(|d| d.nseconds() as f64 / 1e9),
        seekable: info.is_seekable(),
        live: is_live(info, uri),
        tags,
        streams,
    }
}

/// Schemes whose sources are live by nature.
const LIVE_SCHEMES: &[&str] = &[
    "rtsp", "rtspt", "rtspu", "rtsph", "rtsps", "rtspsu", "rtspst", "rtspsh", "udp", "rtp", "srt",
    "srtp", "rist",
];

/// The caps of adaptive-streaming manifests (HLS, DASH, Smooth Streaming).
const MANIFEST_CAPS: &[&str] = &[
    "application/x-hls",
    "application/dash+xml",
    "application/vnd.ms-sstr+xml",
];

/// Whether the input is live. The Discoverer calls an input live when its
/// pipeline would not preroll (a live source: RTSP, UDP, SRT); sources
/// GStreamer does not mark live are recognised here: an RTMP stream without
/// a duration (rtmpsrc and rtmp2src are ordinary sources, and a recorded
/// RTMP stream says its duration in its metadata), an HLS, DASH or
/// Smooth Streaming manifest without a duration (a live playlist has no end
/// yet, a dynamic DASH manifest no presentation duration), and an FLV or
/// MPEG-TS body over HTTP with neither a duration nor a way to seek
/// (HTTP-FLV and HTTP-TS live streams: a body without an end, so without a
/// length; a file on a server has a length and can be sought in).
fn is_live(info: &gst_pbutils::DiscovererInfo, uri: &str) -> bool {
    let scheme = scheme_of(uri);
    if info.is_live() || LIVE_SCHEMES.contains(&scheme.as_str()) {
        return true;
    }
    if info.duration().is_some_and(|d| d > gst::ClockTime::ZERO) {
        return false;
    }
    // RTMP: a live stream unless the server says how long it is.
    RTMP_SCHEMES.contains(&scheme.as_str())
        || info.stream_info().is_some_and(|s| is_manifest(&s))
        || (HTTP_SCHEMES.contains(&scheme.as_str())
            && !info.is_seekable()
            && info.stream_info().is_some_and(|s| is_live_container(&s)))
}

/// HTTP's schemes, for HTTP-FLV and HTTP-TS live streams.
const HTTP_SCHEMES: &[&str] = &["http", "https"];

/// The containers live streams are sent in over plain HTTP as one endless
/// body: FLV (HTTP-FLV, what RTMP servers also serve) and MPEG-TS.
const LIVE_CONTAINER_CAPS: &[&str] = &["video/x-flv", "video/mpegts"];

/// Whether the top of `stream` is an FLV or MPEG-TS container.
fn is_live_container(stream: &gst_pbutils::DiscovererStreamInfo) -> bool {
    stream
        .caps()
        .and_then(|c| c.structure(0).map(|s| s.name().to_string()))
        .is_some_and(|name| LIVE_CONTAINER_CAPS.contains(&name.as_str()))
}

/// Whether `stream` or a stream it leads to is an adaptive manifest.
fn is_manifest(stream: &gst_pbutils::DiscovererStreamInfo) -> bool {
    let named = stream
        .caps()
        .and_then(|c| c.structure(0).map(|s| s.name().to_string()))
        .is_some_and(|name| MANIFEST_CAPS.contains(&name.as_str()));
    named
        || stream.next().is_some_and(|n| is_manifest(&n))
        || stream
            .downcast_ref::<gst_pbutils::DiscovererContainerInfo>()
            .is_some_and(|c| c.streams().iter().any(is_manifest))
}

fn stream_report(
    index: usize,
    stream: &gst_pbutils::DiscovererStreamInfo,
    missing: &str,
) -> StreamReport {
    let caps = stream.caps();
    let structure = caps
        .as_ref()
        .and_then(|c| c.structure(0).map(|s| s.to_owned()));
    let caps_name = structure
        .as_ref()
        .map(|s| s.name().to_string())
        .unwrap_or_default();
    let mut r = StreamReport {
        index,
        id: stream.stream_id().map(|s| s.to_string()),
        kind: match stream.stream_type_nick().as_str() {
            "video" => "video",
            "audio" => "audio",
            "subtitles" => "subtitle",
            _ => "other",
        }
        .to_string(),
        codec: caps
            .as_ref()
            .and_then(crate::engine::codec_description)
            .unwrap_or_default(),
        caps: caps.as_ref().map(|c| c.to_string()).unwrap_or_default(),
        decodable: caps_name.is_empty() || !missing.contains(&caps_name),
        ..Default::default()
    };
    let tag_language = stream.tags().and_then(|t| {
        t.get::<gst::tags::LanguageCode>()
            .map(|v| v.get().to_string())
    });
    if let Some(v) = stream.downcast_ref::<gst_pbutils::DiscovererVideoInfo>() {
        r.width = Some(v.width());
        r.height = Some(v.height());
        r.framerate = Some(fraction(v.framerate()));
        r.pixel_aspect_ratio = Some(fraction(v.par()));
        r.interlaced = Some(v.is_interlaced());
        // Bits per component: the parser's luma depth where it gives one;
        // the discoverer's figure counts all three components.
        r.bit_depth = structure
            .as_ref()
            .and_then(|s| s.get::<u32>("bit-depth-luma").ok())
            .or_else(|| match v.depth() {
                0 => None,
                d if d >= 24 && d % 3 == 0 => Some(d / 3),
                d => Some(d),
            });
        r.bitrate = (v.bitrate() > 0).then(|| v.bitrate());
        r.colorimetry = structure
            .as_ref()
            .and_then(|s| s.get::<String>("colorimetry").ok());
    } else if let Some(a) = stream.downcast_ref::<gst_pbutils::DiscovererAudioInfo>() {
        r.channels = Some(a.channels());
        r.rate = Some(a.sample_rate());
        r.bitrate = (a.bitrate() > 0).then(|| a.bitrate());
        r.language = a.language().map(|l| l.to_string());
        r.format = structure
            .as_ref()
            .and_then(|s| s.get::<String>("format").ok());
    } else if let Some(s) = stream.downcast_ref::<gst_pbutils::DiscovererSubtitleInfo>() {
        r.language = s.language().map(|l| l.to_string());
    }
    if r.language.is_none() {
        r.language = tag_language;
    }
    if r.bitrate.is_none() {
        r.bitrate = stream
            .tags()
            .and_then(|t| t.get::<gst::tags::Bitrate>().map(|v| v.get()));
    }
    r
}

/// Formats a report for people.
pub fn to_text(r: &MediaReport) -> String {
    use crate::i18n::{gettext, pad_end, tr};
    use std::fmt::Write as _;
    let mut out = String::new();
    // The labels in the user's language, lined up on the widest.
    let labels = [
        gettext("URI:"),
        gettext("Container:"),
        gettext("Duration:"),
        gettext("Seekable:"),
        gettext("Tag:"),
    ];
    let width = labels
        .iter()
        .map(|l| crate::i18n::display_width(l) + 1)
        .max()
        .unwrap_or(0)
        .max(11);
    let label = |i: usize| pad_end(&labels[i], width);
    let _ = writeln!(out, "{}{}", label(0), r.uri);
    let none = gettext("none");
    let _ = writeln!(
        out,
        "{}{}",
        label(1),
        r.container.as_deref().unwrap_or(&none)
    );
    let _ = writeln!(
        out,
        "{}{}",
        label(2),
        r.duration
            .map_or(gettext("unknown"), |d| format!("{d:.3} s"))
    );
    let _ = writeln!(
        out,
        "{}{}   {} {}",
        label(3),
        yes_no(r.seekable),
        gettext("Live:"),
        yes_no(r.live)
    );
    for (k, v) in &r.tags {
        let _ = writeln!(out, "{}{k} = {v}", label(4));
    }
    for s in &r.streams {
        let codec = if s.codec.is_empty() {
            gettext("unknown codec")
        } else {
            s.codec.clone()
        };
        let mut line = tr(
            "Stream {index}: {kind} — {codec}",
            &[
                ("index", &s.index.to_string()),
                ("kind", &stream_kind(&s.kind)),
                ("codec", &codec),
            ],
        );
        if let (Some(w), Some(h)) = (s.width, s.height) {
            let _ = write!(line, ", {w}x{h}");
        }
        if let Some(f) = &s.framerate {
            let _ = write!(line, " @ {f} fps");
        }
        if let (Some(c), Some(rate)) = (s.channels, s.rate) {
            let _ = write!(
                line,
                ", {}",
                tr(
                    "{channels} ch, {rate} Hz",
                    &[("channels", &c.to_string()), ("rate", &rate.to_string())]
                )
            );
        }
        if let Some(l) = &s.language {
            let _ = write!(line, ", {}", tr("language {language}", &[("language", l)]));
        }
        if let Some(b) = s.bitrate {
            let _ = write!(line, ", {} kbit/s", b / 1000);
        }
        if !s.decodable {
            let _ = write!(line, " {}", gettext("(no decoder installed)"));
        }
        let _ = writeln!(out, "{line}");
    }
    out
}

/// A stream's kind (`video`, `audio`, `subtitle`, …) in the user's
/// language; the JSON report keeps the English word.
fn stream_kind(kind: &str) -> String {
    use crate::i18n::{gettext, gettext_noop};
    const KINDS: &[&str] = &[
        gettext_noop("video"),
        gettext_noop("audio"),
        gettext_noop("subtitle"),
        gettext_noop("data"),
    ];
    match KINDS.iter().find(|k| **k == kind) {
        Some(known) => gettext(known),
        None => kind.to_string(),
    }
}

fn yes_no(b: bool) -> String {
    if b {
        crate::i18n::gettext("yes")
    } else {
        crate::i18n::gettext("no")
    }
}
