//! The engine's public value types: the player's state, how video is shown
//! (`VideoMode`, resolved by the GL probe into a `VideoOutput`) and the video
//! size with its pixel aspect ratio.

use crate::engine::spec::{VideoOutput, VideoPath};

/// The player's externally visible state.
#[derive(Debug, Eq, PartialEq, Clone, Copy, Hash, Default, glib::Enum)]
#[enum_type(name = "FramescopePlayerState")]
pub enum PlayerState {
    /// Nothing loaded, or stopped.
    #[default]
    Stopped,
    /// Opening the media (prerolling).
    Loading,
    /// Waiting for network data.
    Buffering,
    /// Paused on a frame.
    Paused,
    /// Playing.
    Playing,
    /// Stopped by an error (see the `error` signal).
    Error,
}

/// How video is shown.
#[derive(Debug, Eq, PartialEq, Clone, Copy, Hash, Default, glib::Enum)]
#[enum_type(name = "FramescopeVideoMode")]
pub enum VideoMode {
    /// Probe GL: hardware renderers get the GL chain, software renderers and
    /// machines without GL the software chain.
    #[default]
    Auto,
    /// `glupload ! glcolorconvert ! gtk4paintablesink`.
    Gl,
    /// `framescopescale ! capsfilter ! framescopesink`.
    Software,
    /// Decode and synchronise video into a fakesink (no display needed).
    Headless,
    /// Do not decode video.
    Disabled,
}

impl std::str::FromStr for VideoMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Self::Auto),
            "gl" => Ok(Self::Gl),
            "software" => Ok(Self::Software),
            other => Err(crate::i18n::tr(
                "unknown video path “{value}”; use gl, software or auto",
                &[("value", other)],
            )),
        }
    }
}

impl VideoMode {
    /// Where video goes for this mode (probing GL for `Auto`).
    pub fn output(self) -> VideoOutput {
        match self {
            VideoMode::Auto => {
                let probe = crate::engine::glprobe::probe();
                if probe.available() && !probe.is_software() {
                    VideoOutput::Paintable(VideoPath::Gl)
                } else {
                    VideoOutput::Paintable(VideoPath::Software)
                }
            }
            VideoMode::Gl => VideoOutput::Paintable(VideoPath::Gl),
            VideoMode::Software => VideoOutput::Paintable(VideoPath::Software),
            VideoMode::Headless => VideoOutput::Fake,
            VideoMode::Disabled => VideoOutput::Disabled,
        }
    }
}

/// Width, height and pixel aspect ratio of the video being shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, glib::Boxed)]
#[boxed_type(name = "FramescopeVideoSize", nullable)]
pub struct VideoSize {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pixel aspect ratio numerator.
    pub par_n: u32,
    /// Pixel aspect ratio denominator.
    pub par_d: u32,
}

/// The nick of a registered GObject enum's value: the stable,
/// machine-readable name its `#[enum_value(nick = ...)]` declares (the same
/// string GObject introspection and `.ui` files use). Each enum class is
/// looked up once and kept for the life of the process.
pub(crate) fn enum_nick<E>(value: E) -> &'static str
where
    E: glib::prelude::StaticType + glib::translate::IntoGlib<GlibType = i32>,
{
    use std::sync::Mutex;
    static CLASSES: Mutex<Vec<&'static glib::EnumClass>> = Mutex::new(Vec::new());
    let ty = E::static_type();
    let class = {
        let mut classes = CLASSES.lock().unwrap_or_else(|e| e.into_inner());
        match classes.iter().find(|c| c.type_() == ty) {
            Some(class) => *class,
            None => {
                let Some(class) = glib::EnumClass::with_type(ty) else {
                    return "";
                };
                let class: &'static glib::EnumClass = Box::leak(Box::new(class));
                classes.push(class);
                class
            }
        }
    };
    class.value(value.into_glib()).map_or("", |v| v.nick())
}

#[cfg(test)]
mod tests {
    use crate::engine::{ErrorKind, SeekMode, VideoPath};

    #[test]
    fn nicks_come_from_the_enum_classes() {
        assert_eq!(ErrorKind::MissingPlugin.nick(), "missing-plugin");
        assert_eq!(ErrorKind::NoVideoPath.nick(), "no-video-path");
        assert_eq!(SeekMode::SnapBefore.nick(), "snap-before");
        assert_eq!(VideoPath::Software.nick(), "software");
        assert_eq!(VideoPath::Gl.nick(), "gl");
    }
}
