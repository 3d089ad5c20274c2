//! Typed playback errors: what kind of failure happened and one sentence a
//! person can act on. `classify` maps GStreamer bus errors to these kinds; it
//! is a pure function so unit tests can feed it hand-made errors.

use crate::i18n::{gettext, tr};

/// What went wrong, coarse enough for a user interface to react to.
#[derive(Debug, Eq, PartialEq, Clone, Copy, Hash, glib::Enum)]
#[enum_type(name = "FramescopeErrorKind")]
pub enum ErrorKind {
    /// The file or resource does not exist.
    #[enum_value(nick = "not-found")]
    NotFound,
    /// The input exists but is not a media file GStreamer recognises.
    #[enum_value(nick = "not-media")]
    NotMedia,
    /// The input is media but broken or truncated.
    #[enum_value(nick = "corrupt")]
    Corrupt,
    /// A GStreamer plugin needed to play the input is not installed.
    #[enum_value(nick = "missing-plugin")]
    MissingPlugin,
    /// A network source could not be reached or dropped.
    #[enum_value(nick = "network")]
    Network,
    /// No way to show video (no GL and no software sink could be built).
    #[enum_value(nick = "no-video-path")]
    NoVideoPath,
    /// The stream is encrypted and no decryptor is available.
    #[enum_value(nick = "encrypted")]
    Encrypted,
    /// A custom pipeline's launch description is wrong (syntax, element,
    /// property, link, or no free output for the player).
    #[enum_value(nick = "bad-pipeline")]
    BadPipeline,
    /// Anything else.
    #[enum_value(nick = "other")]
    Other,
}

impl ErrorKind {
    /// A stable machine-readable name (`not-found`, `missing-plugin`, …).
    pub fn nick(self) -> &'static str {
        crate::engine::types::enum_nick(self)
    }
}

/// A playback error: its kind, a sentence for people and the technical detail.
#[derive(Debug, Clone, PartialEq, Eq, glib::Boxed, thiserror::Error)]
#[boxed_type(name = "FramescopePlayerError")]
#[error("{message}")]
pub struct PlayerError {
    /// The kind of failure.
    pub kind: ErrorKind,
    /// One sentence: what failed, on which input, what to do.
    pub message: String,
    /// Technical detail (GStreamer's debug string), for a "details" view.
    pub detail: String,
    /// For [`ErrorKind::MissingPlugin`]: what is missing, e.g. "H.265 decoder".
    pub missing: Option<String>,
    /// The server asked for a user name and password (HTTP or RTSP 401):
    /// an application may ask for them and open the address again.
    pub needs_credentials: bool,
}

impl PlayerError {
    /// Builds an error from its parts.
    pub fn new(kind: ErrorKind, message: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            detail: detail.into(),
            missing: None,
            needs_credentials: false,
        }
    }
}

impl PlayerError {
    /// The same error with its message and detail redacted
    /// ([`crate::engine::redact::redact_text`]): what every error leaving
    /// the player looks like.
    pub fn redacted(mut self) -> Self {
        self.message = crate::engine::redact::redact_text(&self.message);
        self.detail = crate::engine::redact::redact_text(&self.detail);
        self
    }
}

/// Shortens a URI for messages: local files by their path, others
/// redacted (see [`redact_uri`](crate::engine::redact_uri): no user information, no secret
/// parameter values).
pub fn display_name(uri: &str) -> String {
    if let Some(description) = crate::engine::launch::description_of(uri) {
        return crate::engine::redact::redact_text(&description);
    }
    if let Ok((path, _)) = glib::filename_from_uri(uri) {
        return path.display().to_string();
    }
    crate::engine::redact::redact_uri(uri)
}

/// Maps a GStreamer error (plus any missing-plugin descriptions seen before it)
/// to a typed [`PlayerError`] about `uri`.
pub(crate) fn classify(
    err: &glib::Error,
    debug: &str,
    uri: &str,
    missing: &[String],
) -> PlayerError {
    let name = display_name(uri);
    let detail = crate::engine::redact::redact_text(&format!("{} ({debug})", err.message()));
    let lower = format!("{} {}", err.message(), debug).to_lowercase();
    // GStreamer's own sentence, put inside ours (translated by GStreamer's
    // own catalogs, when it has them).
    let reason = err.message().trim_end_matches('.');

    let encrypted_caps = missing.iter().any(|m| {
        m.split_whitespace()
            .any(crate::engine::bus::is_encrypted_media_type)
    });
    if encrypted_caps
        || lower.contains("encrypt")
        || lower.contains("x-cenc")
        || lower.contains("decrypt")
    {
        return PlayerError::new(
            ErrorKind::Encrypted,
            tr("“{name}” is encrypted and Framescope has no decryption (DRM) support; play an unencrypted copy.", &[("name", &name)]),
            detail,
        );
    }
    if !missing.is_empty()
        || err.matches(gst::CoreError::MissingPlugin)
        || err.matches(gst::StreamError::CodecNotFound)
    {
        let what = if missing.is_empty() {
            gettext("a GStreamer plugin it needs")
        } else {
            tr("the {missing}", &[("missing", &missing.join(", "))])
        };
        let mut e = PlayerError::new(
            ErrorKind::MissingPlugin,
            tr("Cannot play “{name}”: {what} is not installed; install the GStreamer plugin that provides it (often gstreamer1.0-libav or gstreamer1.0-plugins-bad/ugly).", &[("name", &name), ("what", &what)]),
            detail,
        );
        e.missing = Some(what);
        return e;
    }
    // An adaptive stream whose playlist is there but a segment is not.
    if lower.contains("download fragments") || lower.contains("fragment downloading has failed") {
        return PlayerError::new(
            ErrorKind::Network,
            tr("Parts of the stream “{name}” could not be downloaded (the server failed to send a segment several times in a row); check the server.", &[("name", &name)]),
            detail,
        );
    }
    if err.matches(gst::ResourceError::NotFound) {
        return PlayerError::new(
            ErrorKind::NotFound,
            tr(
                "“{name}” was not found; check the path or address.",
                &[("name", &name)],
            ),
            detail,
        );
    }
    if err.matches(gst::ResourceError::NotAuthorized) || lower.contains("unauthorized") {
        return PlayerError {
            needs_credentials: true,
            ..PlayerError::new(
            ErrorKind::Network,
            tr("“{name}” needs a user name and password (the server refused access); put them in the address as user:password@host.", &[("name", &name)]),
            detail,
        )
        };
    }
    let network = lower.contains("connect")
        || lower.contains("resolve")
        || lower.contains("network")
        || lower.contains("socket")
        || lower.contains("http")
        || lower.contains("timed out");
    // An HTTP status GStreamer reports by its reason phrase alone.
    if !uri.starts_with("file:") && debug.contains("parse_status") {
        let reason = err.message().trim_end_matches('.').to_string();
        let redirect = matches!(
            reason.as_str(),
            "Found"
                | "Moved Permanently"
                | "See Other"
                | "Temporary Redirect"
                | "Permanent Redirect"
        );
        let message = if redirect {
            tr("Could not reach “{name}”: the server keeps redirecting (a redirect loop, or too many redirects); check the address.", &[("name", &name)])
        } else {
            tr("Could not play “{name}”: the server answered “{reason}”; check the address and that you may open it.", &[("name", &name), ("reason", &reason)])
        };
        return PlayerError::new(ErrorKind::Network, message, detail);
    }
    if network && !uri.starts_with("file:") {
        return PlayerError::new(
            ErrorKind::Network,
            tr(
                "Could not reach “{name}”: {reason}; check the address and that the server is running.",
                &[("name", &name), ("reason", reason)],
            ),
            detail,
        );
    }
    if err.matches(gst::StreamError::TypeNotFound) || err.matches(gst::StreamError::WrongType) {
        return PlayerError::new(
            ErrorKind::NotMedia,
            tr("“{name}” is not a media file Framescope can recognise; open a video or audio file.", &[("name", &name)]),
            detail,
        );
    }
    if err.matches(gst::StreamError::Demux)
        || err.matches(gst::StreamError::Decode)
        || err.matches(gst::StreamError::Format)
        || err.matches(gst::StreamError::Failed)
    {
        return PlayerError::new(
            ErrorKind::Corrupt,
            tr(
                "“{name}” is damaged or incomplete and cannot be played further ({reason}).",
                &[("name", &name), ("reason", reason)],
            ),
            detail,
        );
    }
    if err.matches(gst::ResourceError::OpenRead) || err.matches(gst::ResourceError::Read) {
        return PlayerError::new(
            ErrorKind::NotFound,
            tr(
                "“{name}” could not be read: {reason}; check that it exists and is readable.",
                &[("name", &name), ("reason", reason)],
            ),
            detail,
        );
    }
    PlayerError::new(
        ErrorKind::Other,
        tr(
            "Playback of “{name}” failed: {reason}.",
            &[("name", &name), ("reason", reason)],
        ),
        detail,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err<T: glib::error::ErrorDomain>(code: T, msg: &str) -> glib::Error {
        glib::Error::new(code, msg)
    }

    #[test]
    fn classifies_common_gstreamer_errors() {
        gst::init().unwrap();
        let uri = "file:///tmp/x.mp4";
        let cases = [
            (
                err(gst::ResourceError::NotFound, "Resource not found."),
                ErrorKind::NotFound,
            ),
            (
                err(
                    gst::StreamError::TypeNotFound,
                    "Could not determine type of stream.",
                ),
                ErrorKind::NotMedia,
            ),
            (
                err(
                    gst::StreamError::Demux,
                    "This file is incomplete and cannot be played.",
                ),
                ErrorKind::Corrupt,
            ),
            (
                err(
                    gst::CoreError::MissingPlugin,
                    "No URI handler implemented for \"foo\".",
                ),
                ErrorKind::MissingPlugin,
            ),
            (
                err(gst::StreamError::Decrypt, "Encrypted stream"),
                ErrorKind::Encrypted,
            ),
            (
                err(gst::CoreError::Negotiation, "Internal data stream error."),
                ErrorKind::Other,
            ),
        ];
        for (e, kind) in cases {
            let got = classify(&e, "", uri, &[]);
            assert_eq!(got.kind, kind, "{e:?}");
            assert!(got.message.contains("/tmp/x.mp4"), "{}", got.message);
        }
        let net = classify(
            &err(gst::ResourceError::OpenRead, "Could not connect to server"),
            "",
            "http://127.0.0.1:9/a",
            &[],
        );
        assert_eq!(net.kind, ErrorKind::Network);
        let drm = classify(
            &err(gst::CoreError::MissingPlugin, "missing"),
            "",
            uri,
            &["application/x-webm-enc decoder".into()],
        );
        assert_eq!(drm.kind, ErrorKind::Encrypted);
        let plugin = classify(
            &err(gst::StreamError::CodecNotFound, "no decoder"),
            "",
            uri,
            &["H.265 decoder".into()],
        );
        assert_eq!(plugin.kind, ErrorKind::MissingPlugin);
        assert!(plugin.message.contains("H.265 decoder"));
    }

    #[test]
    fn credentials_are_redacted_in_free_text() {
        assert_eq!(
            crate::engine::redact::redact_text(
                "Could not open http://bob:pw@host:80/a and rtsp://cam/b, 'srt://u:p@h:9'"
            ),
            "Could not open http://host:80/a and rtsp://cam/b, 'srt://h:9'"
        );
        assert_eq!(
            crate::engine::redact::redact_text("no uri here"),
            "no uri here"
        );
    }

    #[test]
    fn credentials_are_redacted() {
        assert_eq!(
            crate::engine::redact::redact_uri("rtsp://bob:secret@cam.local:554/s"),
            "rtsp://cam.local:554/s"
        );
        assert_eq!(
            crate::engine::redact::redact_uri("http://host/a@b"),
            "http://host/a@b"
        );
        assert_eq!(display_name("file:///tmp/a%20b.mp4"), "/tmp/a b.mp4");
    }
}
