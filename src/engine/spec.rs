//! The declarative pipeline description. A [`PipelineSpec`] names a source and
//! the video and audio chains as plain data; it renders to `gst-launch-1.0`
//! syntax for `--print-pipeline` and builds real elements by factory name, so a
//! URI or file name is only ever a property value, never parsed as syntax.

use crate::engine::error::{ErrorKind, PlayerError};
use crate::engine::sinkbin::SinkBin;
use gst::prelude::*;
use std::fmt::Write as _;

/// How decoded video reaches the screen.
#[derive(Debug, Eq, PartialEq, Clone, Copy, Hash, Default, glib::Enum)]
#[enum_type(name = "FramescopeVideoPath")]
pub enum VideoPath {
    /// `glupload ! glcolorconvert ! gtk4paintablesink`: colour conversion on the GPU.
    #[default]
    #[enum_value(nick = "gl")]
    Gl,
    /// `framescopescale ! capsfilter ! framescopesink`: scaling to the
    /// picture's size and conversion in one pass, on the CPU.
    #[enum_value(nick = "software")]
    Software,
}

impl VideoPath {
    /// `"gl"` or `"software"`.
    pub fn nick(self) -> &'static str {
        crate::engine::types::enum_nick(self)
    }
}

/// One element of a chain: a factory name and properties given as strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementSpec {
    /// The GStreamer factory name, e.g. `glupload`.
    pub factory: &'static str,
    /// Properties, set with `set_property_from_str`.
    pub properties: Vec<(&'static str, String)>,
}

impl ElementSpec {
    /// An element without properties.
    pub fn new(factory: &'static str) -> Self {
        Self {
            factory,
            properties: Vec::new(),
        }
    }

    /// Adds a property.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.properties.push((name, value.into()));
        self
    }
}

/// Where video goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VideoOutput {
    /// Into a `gtk4paintablesink` by the given path.
    Paintable(VideoPath),
    /// Into a synchronised `fakesink` (headless playback and tests).
    Fake,
    /// Video is not decoded at all.
    Disabled,
    /// Into a sink the host chose, as a launch description (e.g.
    /// `fakesink sync=true`, or `gtk4paintablesink` configured its way).
    Custom(String),
}

/// Where audio goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioOutput {
    /// The system's audio device through `autoaudiosink`.
    Device,
    /// A synchronised `fakesink`: used when no audio device exists, so the
    /// pipeline runs on the system clock and video keeps its timing.
    Fake,
    /// Audio is not decoded at all (`--no-audio`).
    Disabled,
    /// Into a sink the host chose, as a launch description.
    Custom(String),
}

/// Which playbin element plays the URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Playbin {
    /// `playbin3`: stream collections and selection; needed by the
    /// adaptivedemux2 elements (HLS/DASH) and used for every network URI.
    Playbin3,
    /// `playbin`: used for local files on GStreamer 1.22, where playbin3 was
    /// measured to stall while opening some files (the corpus's mse.mp4 about
    /// one open in five; a WAV with a corrupt header every time), while
    /// playbin opened them every time.
    Playbin2,
}

impl Playbin {
    /// The element factory name.
    pub fn factory(self) -> &'static str {
        match self {
            Playbin::Playbin3 => "playbin3",
            Playbin::Playbin2 => "playbin",
        }
    }

    /// The choice for `uri`: `FRAMESCOPE_PLAYBIN=playbin|playbin3` overrides;
    /// otherwise playbin3 except for local files before GStreamer 1.24.
    pub fn for_uri(uri: &str) -> Self {
        Self::for_uri_with(uri, false)
    }

    /// [`Playbin::for_uri`], knowing whether an external subtitle file comes
    /// with the media.
    ///
    /// Before GStreamer 1.24 a local file takes playbin even in a playlist,
    /// and so advances to the next item with a short gap: 1.22's playbin3
    /// crashes on some damaged files (in `decodebin3`; 16 of 302 damaged
    /// files in `tests/fuzz.rs`, and twice in the 200 000-operation storm on
    /// playlists), and playbin's own gapless switch deadlocks (measured with
    /// `gst-play-1.0 --gapless` on two H.264 MP4 files: 6 hangs in 6 runs),
    /// so [`Playbin::switches_gaplessly`] is false for it.
    /// `FRAMESCOPE_PLAYBIN=playbin3` brings gapless playlists back on 1.22,
    /// with that risk.
    ///
    /// With an external subtitle file, playbin is used before 1.24 for any
    /// URI: playbin3 there sometimes stops ("not linked") when it loads one
    /// (about one load in four in `tests/tracks.rs`), and can abort when its
    /// outputs are reconfigured (`reconfigure_output: assertion failed:
    /// (combine->sinkpad == NULL)`, seen in the storm test).
    pub fn for_uri_with(uri: &str, subtitle_file: bool) -> Self {
        match std::env::var("FRAMESCOPE_PLAYBIN").as_deref() {
            Ok("playbin3") => return Playbin::Playbin3,
            Ok("playbin") => return Playbin::Playbin2,
            _ => {}
        }
        // A custom pipeline (a launch description as the source) is local
        // too: playbin exposes its raw pads and decodes the others.
        let local = uri.starts_with("file:") || crate::engine::launch::is_launch_uri(uri);
        if before_1_24() && (subtitle_file || local) {
            Playbin::Playbin2
        } else {
            Playbin::Playbin3
        }
    }

    /// Whether a pipeline of this playbin may hand over to the next item
    /// gaplessly (`about-to-finish`): not playbin before GStreamer 1.24,
    /// whose gapless switch deadlocks there.
    pub fn switches_gaplessly(self) -> bool {
        self == Playbin::Playbin3 || !before_1_24()
    }
}

/// Whether the GStreamer in use is older than 1.24.
fn before_1_24() -> bool {
    let (major, minor, ..) = gst::version();
    (major, minor) < (1, 24)
}

/// A complete pipeline description: one URI through a playbin with our chains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineSpec {
    /// The playbin element.
    pub playbin: Playbin,
    /// The media URI (already a URI, never a bare path).
    pub uri: String,
    /// The video chain's destination.
    pub video: VideoOutput,
    /// The audio chain's destination.
    pub audio: AudioOutput,
    /// An external subtitle file's URI (playbin's `suburi`).
    pub subtitle_uri: Option<String>,
    /// A custom pipeline: the launch description playbin runs as its
    /// source (`uri` is then its `framescope-launch://` URI, which
    /// [`Player::open_pipeline`](crate::engine::Player::open_pipeline)
    /// made). Rendered as playbin's `source`; its free video and audio
    /// pads go to the chains below.
    pub launch: Option<String>,
}

impl PipelineSpec {
    /// The video chain as elements, or `None` when video is disabled.
    pub fn video_chain(&self) -> Option<Vec<ElementSpec>> {
        match self.video {
            VideoOutput::Paintable(VideoPath::Gl) => Some(vec![
                ElementSpec::new("glupload"),
                ElementSpec::new("glcolorconvert"),
                ElementSpec::new("gtk4paintablesink"),
            ]),
            // The capsfilter carries the size the picture is shown at (see
            // `Player::set_render_size`): scaling down before conversion and
            // upload is what keeps a software-rendered desktop cheap.
            // `framescopescale` reads the decoder's YUV and writes BGRx at
            // that size in one pass, for 40 % of what `videoscale !
            // videoconvert` cost on 1080p to 720p (bench/RESULTS.md, issue
            // 18); formats it does not read are converted in front of it by
            // playsink's own converter.
            VideoOutput::Paintable(VideoPath::Software) => Some(vec![
                ElementSpec::new("framescopescale"),
                ElementSpec::new("capsfilter").with("caps", "video/x-raw"),
                ElementSpec::new("framescopesink"),
            ]),
            VideoOutput::Fake => Some(vec![ElementSpec::new("fakesink")
                .with("sync", "true")
                .with("qos", "true")]),
            VideoOutput::Disabled => None,
            VideoOutput::Custom(_) => Some(Vec::new()),
        }
    }

    /// The audio chain as elements, or `None` when audio is disabled.
    pub fn audio_chain(&self) -> Option<Vec<ElementSpec>> {
        match self.audio {
            // scaletempo keeps the pitch at any rate (a pass-through at 1×).
            // The chain has its own `volume` (a pass-through at 1.0, not
            // muted), which playbin's soft volume then uses: without one,
            // GStreamer 1.22's playsink adds a `volume` element of its own
            // and never frees it, one per pipeline (found by the storm with
            // the leaks tracer; `gst-launch-1.0 playbin … audio-sink=fakesink`
            // under `GST_TRACERS=leaks` shows it too).
            AudioOutput::Device => Some(vec![
                ElementSpec::new("scaletempo"),
                ElementSpec::new("audioconvert"),
                ElementSpec::new("volume"),
                ElementSpec::new("audioresample"),
                ElementSpec::new("autoaudiosink"),
            ]),
            AudioOutput::Fake => Some(vec![
                ElementSpec::new("scaletempo"),
                ElementSpec::new("audioconvert"),
                ElementSpec::new("volume"),
                ElementSpec::new("fakesink").with("sync", "true"),
            ]),
            AudioOutput::Disabled => None,
            AudioOutput::Custom(_) => Some(Vec::new()),
        }
    }

    /// `playbin3`'s `flags` for this spec.
    pub fn playbin_flags(&self) -> &'static str {
        match (self.video_chain().is_some(), self.audio_chain().is_some()) {
            (true, true) => "video+audio+text+soft-volume",
            (true, false) => "video+text",
            (false, true) => "audio+soft-volume",
            (false, false) => "soft-volume",
        }
    }

    /// Renders the spec as `gst-launch-1.0` syntax (for display and logs).
    pub fn to_launch(&self) -> String {
        let mut out = match &self.launch {
            // The token in the URI means nothing to a reader; the
            // description is the source.
            Some(description) => format!(
                "{} source={} flags={}",
                self.playbin.factory(),
                quote(description),
                self.playbin_flags()
            ),
            None => format!(
                "{} uri={} flags={}",
                self.playbin.factory(),
                quote(&self.uri),
                self.playbin_flags()
            ),
        };
        if let Some(sub) = &self.subtitle_uri {
            let _ = write!(out, " suburi={}", quote(sub));
        }
        let custom = |video: bool| match (video, &self.video, &self.audio) {
            (true, VideoOutput::Custom(d), _) | (false, _, AudioOutput::Custom(d)) => {
                Some(d.clone())
            }
            _ => None,
        };
        for (prop, chain, video) in [
            ("video-sink", self.video_chain(), true),
            ("audio-sink", self.audio_chain(), false),
        ] {
            if let Some(chain) = chain {
                let text = custom(video).unwrap_or_else(|| render_chain(&chain));
                let _ = write!(out, " {prop}={}", quote(&text));
            }
        }
        out
    }

    /// Builds the pipeline. Returns it with the video sink element (the
    /// `gtk4paintablesink` or `fakesink`) for statistics and the paintable.
    pub(crate) fn build(&self) -> Result<BuiltPipeline, PlayerError> {
        let playbin = make(self.playbin.factory())?;
        playbin.set_property("uri", &self.uri);
        playbin.set_property_from_str("flags", self.playbin_flags());
        if let Some(sub) = &self.subtitle_uri {
            playbin.set_property("suburi", sub);
        }
        let mut video_sink = None;
        let mut size_filter = None;
        if let VideoOutput::Custom(description) = &self.video {
            let (bin, last) = custom_sink("framescope-video", description)?;
            crate::engine::glguard::guard_uploads(&bin);
            playbin.set_property("video-sink", &bin);
            video_sink = Some(last);
        } else if let Some(chain) = self.video_chain() {
            // Without a video chain nothing can be shown: say so, naming the part.
            let (bin, last) = build_chain("framescope-video", &chain).map_err(|mut e| {
                e.kind = ErrorKind::NoVideoPath;
                e.message =
                    crate::i18n::tr("Video cannot be shown: {reason}", &[("reason", &e.message)]);
                e
            })?;
            size_filter = bin
                .iterate_elements()
                .into_iter()
                .flatten()
                .find(|e| e.factory().is_some_and(|f| f.name() == "capsfilter"));
            crate::engine::glguard::guard_uploads(&bin);
            playbin.set_property("video-sink", &bin);
            video_sink = Some(last);
        }
        if let AudioOutput::Custom(description) = &self.audio {
            let bin = custom_audio_sink(description)?;
            playbin.set_property("audio-sink", &bin);
        } else if let Some(chain) = self.audio_chain() {
            let (bin, _) = build_chain("framescope-audio", &chain)?;
            playbin.set_property("audio-sink", &bin);
        }
        let pipeline = playbin
            .downcast::<gst::Pipeline>()
            .map_err(|_| PlayerError::new(ErrorKind::Other, "playbin is not a pipeline.", ""))?;
        Ok(BuiltPipeline {
            pipeline,
            video_sink,
            size_filter,
        })
    }
}

/// A built pipeline and the element that renders video.
#[derive(Debug)]
pub(crate) struct BuiltPipeline {
    /// The `playbin3` pipeline.
    pub pipeline: gst::Pipeline,
    /// The video sink (last element of the video chain), if video is enabled.
    pub video_sink: Option<gst::Element>,
    /// The software chain's size capsfilter, if there is one.
    pub size_filter: Option<gst::Element>,
}

fn render_chain(chain: &[ElementSpec]) -> String {
    chain
        .iter()
        .map(|e| {
            let mut s = e.factory.to_string();
            for (k, v) in &e.properties {
                let _ = write!(s, " {k}={v}");
            }
            s
        })
        .collect::<Vec<_>>()
        .join(" ! ")
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Creates an element, turning a missing factory into a missing-plugin error
/// that names it.
pub(crate) fn make(factory: &str) -> Result<gst::Element, PlayerError> {
    gst::ElementFactory::make(factory).build().map_err(|_| {
        let mut e = PlayerError::new(
            ErrorKind::MissingPlugin,
            crate::i18n::tr("The GStreamer element “{element}” is missing; install the package that provides it ({package}).", &[("element", factory), ("package", package_hint(factory))]),
            format!("gst::ElementFactory::make(\"{factory}\") failed"),
        );
        e.missing = Some(factory.to_string());
        e
    })
}

fn package_hint(factory: &str) -> &'static str {
    match factory {
        "gtk4paintablesink" | "framescopesink" => {
            "it is built into Framescope; this build is broken"
        }
        "glupload" | "glcolorconvert" => "gstreamer1.0-gl",
        "autoaudiosink" | "scaletempo" => "gstreamer1.0-plugins-good",
        _ => "gstreamer1.0-plugins-base",
    }
}

/// Builds a host-given sink description into a bin with a `sink` ghost pad;
/// returns it with its last sink element (for statistics and a paintable).
fn custom_sink(name: &str, description: &str) -> Result<(gst::Bin, gst::Element), PlayerError> {
    let fail = |what: String| {
        PlayerError::new(
            ErrorKind::Other,
            crate::i18n::tr("The sink “{description}” could not be built ({what}); check the element names and properties.", &[("description", description), ("what", &what)]),
            format!("{name}: {description}"),
        )
    };
    let parsed =
        gst::parse::bin_from_description(description, true).map_err(|e| fail(e.to_string()))?;
    parsed.set_property("name", format!("{name}-chain"));
    let bin = SinkBin::around(name, parsed.upcast_ref()).map_err(fail)?;
    let sink = bin
        .iterate_recurse()
        .into_iter()
        .flatten()
        .find(|e| e.element_flags().contains(gst::ElementFlags::SINK))
        .ok_or_else(|| fail("it has no sink element".into()))?;
    Ok((bin.upcast(), sink))
}

/// A custom audio sink with a `volume` somewhere in it: when the user's
/// description has none, a `volume` element goes in front (see
/// [`PipelineSpec::audio_chain`] for why playsink must not add its own).
fn custom_audio_sink(description: &str) -> Result<gst::Bin, PlayerError> {
    const NAME: &str = "framescope-audio";
    let (bin, _) = custom_sink(NAME, description)?;
    let has_volume = bin
        .iterate_recurse()
        .into_iter()
        .flatten()
        .any(|e| e.find_property("volume").is_some());
    if has_volume {
        return Ok(bin);
    }
    // A description the prefix does not fit (several branches, say) keeps
    // its own form.
    Ok(custom_sink(NAME, &format!("volume ! {description}"))
        .map_or(bin, |(with_volume, _)| with_volume))
}

fn build_chain(name: &str, chain: &[ElementSpec]) -> Result<(gst::Bin, gst::Element), PlayerError> {
    let bin = SinkBin::new(name);
    let mut elements = Vec::with_capacity(chain.len());
    for spec in chain {
        let element = make(spec.factory)?;
        for (k, v) in &spec.properties {
            element.set_property_from_str(k, v);
        }
        elements.push(element);
    }
    let other = |what: String| PlayerError::new(ErrorKind::Other, what, render_chain(chain));
    bin.add_many(&elements)
        .map_err(|e| other(format!("Could not assemble the {name} chain: {e}.")))?;
    gst::Element::link_many(&elements)
        .map_err(|e| other(format!("Could not link the {name} chain: {e}.")))?;
    let first = elements
        .first()
        .ok_or_else(|| other(format!("The {name} chain is empty.")))?;
    let pad = first
        .static_pad("sink")
        .ok_or_else(|| other(format!("The {name} chain has no sink pad.")))?;
    let ghost = gst::GhostPad::builder_with_target(&pad)
        .map_err(|e| other(e.to_string()))?
        .name("sink")
        .build();
    bin.add_pad(&ghost).map_err(|e| other(e.to_string()))?;
    let last = elements
        .last()
        .cloned()
        .ok_or_else(|| other(format!("The {name} chain is empty.")))?;
    Ok((bin.upcast(), last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_launch_syntax_with_quoted_uri() {
        let spec = PipelineSpec {
            playbin: Playbin::Playbin3,
            uri: "file:///tmp/a%20%22b%22.mp4".into(),
            video: VideoOutput::Paintable(VideoPath::Gl),
            audio: AudioOutput::Fake,
            subtitle_uri: None,
            launch: None,
        };
        assert_eq!(
            spec.to_launch(),
            "playbin3 uri=\"file:///tmp/a%20%22b%22.mp4\" flags=video+audio+text+soft-volume \
             video-sink=\"glupload ! glcolorconvert ! gtk4paintablesink\" audio-sink=\"scaletempo ! audioconvert ! volume ! fakesink sync=true\""
        );
        let sw = PipelineSpec {
            playbin: Playbin::Playbin2,
            video: VideoOutput::Paintable(VideoPath::Software),
            audio: AudioOutput::Disabled,
            subtitle_uri: Some("file:///tmp/a.srt".into()),
            ..spec
        };
        assert_eq!(
            sw.to_launch(),
            "playbin uri=\"file:///tmp/a%20%22b%22.mp4\" flags=video+text suburi=\"file:///tmp/a.srt\" video-sink=\"framescopescale ! capsfilter caps=video/x-raw ! framescopesink\""
        );
        let custom = PipelineSpec {
            uri: "framescope-launch://0123".into(),
            launch: Some("videotestsrc pattern=ball ! video/x-raw,width=640,height=360".into()),
            subtitle_uri: None,
            ..sw
        };
        assert_eq!(
            custom.to_launch(),
            "playbin source=\"videotestsrc pattern=ball ! video/x-raw,width=640,height=360\" flags=video+text video-sink=\"framescopescale ! capsfilter caps=video/x-raw ! framescopesink\""
        );
    }

    #[test]
    fn quote_escapes() {
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}

/// Upscaling in the video chain stops at this many pixels (2560x1600); a
/// picture larger than that gets the frame at its own size and GTK scales
/// it. Measured (bench/RESULTS.md): enlarging 720p and 1080p to 2560x1440
/// here saved 36–38 % of the CPU; 1080p to 3840x2160 saved nothing and
/// held 90 MB more in frames.
pub(crate) const UPSCALE_LIMIT: u64 = 2560 * 1600;

/// The size to scale a `width`x`height` video (pixel aspect `par`) to so it
/// fills `area` as the picture shows it, or `None` to keep the frame's own
/// size (it already is that size, or the area is empty, or upscaling would
/// pass [`UPSCALE_LIMIT`]).
///
/// The size is the one `GtkPicture` draws a picture of that shape at in
/// `area` (its side that touches the area's edges equal to the area's, the
/// other rounded), so GTK draws each frame pixel for pixel at a whole-pixel
/// offset: a frame of another size is scaled again by GTK for every frame
/// (bilinear, in pixman on the main thread with the cairo renderer: a fifth
/// of the main thread's time on 1080p shrunk to 1179x663, and two thirds of
/// the process's CPU for 720p enlarged to fill 1920x1080, bench/RESULTS.md).
/// Scaling up here costs the video chain's thread less than that.
pub(crate) fn fitted_size(
    width: u32,
    height: u32,
    par: (u32, u32),
    area: (u32, u32),
) -> Option<(u32, u32)> {
    if width == 0 || height == 0 || par.1 == 0 || area.0 == 0 || area.1 == 0 {
        return None;
    }
    let display_width = width as f64 * par.0 as f64 / par.1 as f64;
    let ratio = display_width / height as f64;
    if !ratio.is_finite() || ratio <= 0.0 {
        return None;
    }
    let (area_width, area_height) = (area.0 as f64, area.1 as f64);
    let whole = |v: f64| (v.round().clamp(1.0, u32::MAX as f64)) as u32;
    let (fit_width, fit_height) = if ratio > area_width / area_height {
        (area.0, whole(area_width / ratio))
    } else {
        (whole(area_height * ratio), area.1)
    };
    let same = fit_width == whole(display_width) && fit_height == height;
    let too_large_to_enlarge =
        fit_height > height && u64::from(fit_width) * u64::from(fit_height) > UPSCALE_LIMIT;
    (!same && !too_large_to_enlarge).then_some((fit_width, fit_height))
}

#[cfg(test)]
mod fit_tests {
    use super::fitted_size;

    #[test]
    fn fits_the_area() {
        assert_eq!(
            fitted_size(1920, 1080, (1, 1), (1280, 720)),
            Some((1280, 720))
        );
        assert_eq!(
            fitted_size(1920, 1080, (1, 1), (1280, 1000)),
            Some((1280, 720))
        );
        assert_eq!(
            fitted_size(1920, 1080, (1, 1), (640, 1000)),
            Some((640, 360))
        );
        // Smaller videos are scaled up to the picture's size too.
        assert_eq!(
            fitted_size(640, 360, (1, 1), (1280, 720)),
            Some((1280, 720))
        );
        assert_eq!(
            fitted_size(1280, 720, (1, 1), (1920, 1200)),
            Some((1920, 1080))
        );
        // Already the picture's size: kept.
        assert_eq!(fitted_size(1280, 720, (1, 1), (1280, 720)), None);
        assert_eq!(fitted_size(1280, 720, (1, 1), (1280, 900)), None);
        // Anamorphic 720x576 at 16:11 pixels shows as 1047x576.
        assert_eq!(
            fitted_size(720, 576, (16, 11), (524, 288)),
            Some((524, 288))
        );
        assert_eq!(fitted_size(720, 576, (16, 11), (1047, 576)), None);
        assert_eq!(fitted_size(0, 0, (1, 1), (10, 10)), None);
        // Odd areas: the touching side is the area's own, even when odd.
        assert_eq!(
            fitted_size(1920, 1080, (1, 1), (1279, 1000)),
            Some((1279, 719))
        );
        assert_eq!(
            fitted_size(1920, 1080, (1, 1), (1280, 673)),
            Some((1196, 673))
        );
        // Up to 2560x1600, not beyond: GTK scales the rest.
        assert_eq!(
            fitted_size(1920, 1080, (1, 1), (2560, 1440)),
            Some((2560, 1440))
        );
        assert_eq!(
            fitted_size(1920, 1200, (1, 1), (2560, 1600)),
            Some((2560, 1600))
        );
        assert_eq!(fitted_size(1920, 1080, (1, 1), (3840, 2160)), None);
        assert_eq!(fitted_size(320, 240, (1, 1), (7680, 4320)), None);
        // Shrinking a larger video is never limited.
        assert_eq!(
            fitted_size(7680, 4320, (1, 1), (7000, 4000)),
            Some((7000, 3938))
        );
    }

    /// `GtkPicture` (GTK 4.8) draws a paintable of aspect `w/h` in an area
    /// at `w` for the area's width when the paintable is wider, else at
    /// the area's height times the aspect; the fitted frame is exactly
    /// that size, so GTK never scales it.
    #[test]
    fn the_fitted_frame_is_drawn_at_its_own_size() {
        for area in [
            (1280, 720),
            (1280, 673),
            (1279, 800),
            (641, 997),
            (3840, 2000),
            (7, 5),
        ] {
            for (w, h, par) in [
                (1920, 1080, (1, 1)),
                (720, 576, (16, 11)),
                (1080, 1920, (1, 1)),
            ] {
                let Some((fw, fh)) = fitted_size(w, h, par, area) else {
                    continue;
                };
                let ratio = fw as f64 / fh as f64;
                let (aw, ah) = (area.0 as f64, area.1 as f64);
                let (drawn_w, drawn_h) = if ratio > aw / ah {
                    (aw, aw / ratio)
                } else {
                    (ah * ratio, ah)
                };
                assert!(
                    (drawn_w - fw as f64).abs() < 1e-6 && (drawn_h - fh as f64).abs() < 1e-6,
                    "{w}x{h} in {area:?}: frame {fw}x{fh}, drawn {drawn_w}x{drawn_h}"
                );
            }
        }
    }
}

#[cfg(test)]
mod volume_tests {
    use super::custom_audio_sink;
    use gst::prelude::*;

    fn volumes(bin: &gst::Bin) -> usize {
        bin.iterate_recurse()
            .into_iter()
            .flatten()
            .filter(|e| e.find_property("volume").is_some())
            .count()
    }

    #[test]
    fn custom_audio_sinks_get_a_volume_only_when_they_have_none() {
        gst::init().unwrap();
        assert_eq!(volumes(&custom_audio_sink("fakesink").unwrap()), 1);
        assert_eq!(
            volumes(&custom_audio_sink("audioconvert ! volume volume=0.5 ! fakesink").unwrap()),
            1
        );
        let kept = custom_audio_sink("volume volume=0.5 ! fakesink").unwrap();
        let volume = kept
            .iterate_recurse()
            .into_iter()
            .flatten()
            .find(|e| e.find_property("volume").is_some())
            .unwrap();
        assert_eq!(volume.property::<f64>("volume"), 0.5);
        assert!(custom_audio_sink("no-such-element").is_err());
    }
}
