//! From what a user typed to a URI the engine can play: paths become
//! percent-encoded `file://` URIs, and obvious failures (missing file,
//! folder, empty file, a scheme no element reads) are reported before any
//! pipeline is built.

use crate::engine::error::{display_name, ErrorKind, PlayerError};

/// Turns a path or URI given by a user into a URI. Paths are made absolute and
/// percent-encoded; strings with a scheme are kept as they are.
///
/// ```
/// assert_eq!(framescope::engine::to_uri("/no/such/dir/a b.mp4"), "file:///no/such/dir/a%20b.mp4");
/// assert_eq!(framescope::engine::to_uri("https://example.org/v.webm"), "https://example.org/v.webm");
/// ```
pub fn to_uri(input: &str) -> String {
    if input.contains("://") && input.split("://").next().is_some_and(|s| !s.is_empty()) {
        // A NUL cannot cross into C (GLib, GStreamer): written as `%00`.
        return input.replace('\0', "%00");
    }
    path_to_uri(std::path::Path::new(input))
}

/// Like [`to_uri`] for what a command line or a file chooser gives, which
/// need not be UTF-8: such a name can only be a path (a URI is ASCII), and
/// becomes a percent-encoded `file://` URI that plays like any other.
///
/// ```
/// use std::os::unix::ffi::OsStrExt;
/// let name = std::ffi::OsStr::from_bytes(b"/no/such/dir/caf\xe9.mp4");
/// assert_eq!(framescope::engine::os_to_uri(name), "file:///no/such/dir/caf%E9.mp4");
/// ```
pub fn os_to_uri(input: &std::ffi::OsStr) -> String {
    match input.to_str() {
        Some(text) => to_uri(text),
        None => path_to_uri(std::path::Path::new(input)),
    }
}

/// A path as an absolute, percent-encoded `file://` URI.
pub fn path_to_uri(path: &std::path::Path) -> String {
    let absolute = if let Ok(canonical) = std::fs::canonicalize(path) {
        canonical
    } else if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    use std::os::unix::ffi::OsStrExt;
    let bytes = absolute.as_os_str().as_bytes();
    // GLib takes no NUL (no file name has one): such a "path" is encoded
    // here, and reported as missing like any other name that is not there.
    if bytes.contains(&0) {
        return format!("file://{}", percent_encode_path(bytes));
    }
    glib::filename_to_uri(&absolute, None)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| format!("file://{}", percent_encode_path(bytes)))
}

/// A path's bytes percent-encoded for a `file://` URI, as GLib does.
fn percent_encode_path(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Checks a URI before building a pipeline, for failures GStreamer would only
/// report slowly or vaguely: missing files, directories, unknown schemes.
pub(crate) fn precheck(uri: &str) -> Result<(), PlayerError> {
    let name = display_name(uri);
    if let Ok((path, _)) = glib::filename_from_uri(uri) {
        return match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(PlayerError::new(
                ErrorKind::NotFound,
                crate::i18n::tr("“{name}” does not exist; check the file name.", &[("name", &name)]),
                e.to_string(),
            )),
            Err(e) => Err(PlayerError::new(
                ErrorKind::NotFound,
                crate::i18n::tr("“{name}” cannot be opened: {reason}; check its permissions.", &[("name", &name), ("reason", &e.to_string())]),
                e.to_string(),
            )),
            Ok(m) if m.is_dir() => Err(PlayerError::new(
                ErrorKind::NotMedia,
                crate::i18n::tr("“{name}” is a folder, not a media file; open a file inside it.", &[("name", &name)]),
                "is a directory",
            )),
            // GStreamer's filesrc opens a pipe, cannot pull from it and opens
            // it again, which waits forever once the writer is gone.
            Ok(m) if !m.is_file() => Err(PlayerError::new(
                ErrorKind::NotMedia,
                crate::i18n::tr("“{name}” is a pipe or a device, not a regular file; save the media to a file, or stream it over HTTP.", &[("name", &name)]),
                "not a regular file",
            )),
            Ok(m) if m.len() == 0 => Err(PlayerError::new(
                ErrorKind::NotMedia,
                crate::i18n::tr("“{name}” is empty (0 bytes), so there is nothing to play.", &[("name", &name)]),
                "empty file",
            )),
            Ok(_) => Ok(()),
        };
    }
    let scheme = uri.split("://").next().unwrap_or_default();
    if scheme.eq_ignore_ascii_case("file") {
        // A `file://` URI GLib cannot turn into a path (a NUL in it, say).
        return Err(PlayerError::new(
            ErrorKind::NotFound,
            crate::i18n::tr(
                "“{name}” is not a valid file name; check the name.",
                &[("name", &name)],
            ),
            "file URI with no local path",
        ));
    }
    if is_rtmp(uri) {
        if let Some(problem) = rtmp_address_problem(uri) {
            return Err(PlayerError::new(
                ErrorKind::NotFound,
                format!("“{name}” {problem}"),
                "malformed RTMP address",
            ));
        }
    }
    if !source_protocol_supported(scheme) {
        let mut e = PlayerError::new(
            ErrorKind::MissingPlugin,
            crate::i18n::tr("“{name}” uses the “{scheme}” scheme, which no installed GStreamer source can read; use a file, http(s), rtsp or another supported address.", &[("name", &name), ("scheme", scheme)]),
            format!("no GStreamer element handles {scheme}:// URIs"),
        );
        e.missing = Some(format!("{scheme}:// source"));
        return Err(e);
    }
    Ok(())
}

/// RTMP's schemes (`rtmp2src` reads `rtmp` and `rtmps`; librtmp's
/// `rtmpsrc` the rest).
pub(crate) const RTMP_SCHEMES: &[&str] = &["rtmp", "rtmps", "rtmpt", "rtmpe", "rtmpte", "rtmpts"];

/// Whether `uri` is an RTMP address.
pub(crate) fn is_rtmp(uri: &str) -> bool {
    uri.split_once("://")
        .is_some_and(|(scheme, _)| RTMP_SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme)))
}

/// What to check when an RTMP server answered but sent no media: nginx-rtmp
/// and most servers accept a player on a stream nobody publishes to and
/// then send nothing. The end of a sentence, after a colon.
pub(crate) const RTMP_NOTHING_SENT: &str =
    "the RTMP server sent no media; check the stream name and that something is publishing to it.";

/// What is wrong with an RTMP address, as the end of a sentence that
/// starts with the address, or `None` when it has a host, a port in range
/// (if any) and an application and stream (`rtmp://host[:port]/app/stream`,
/// as `rtmp2src` needs them).
fn rtmp_address_problem(uri: &str) -> Option<&'static str> {
    const FORM: &str = "is not a complete RTMP address; write it as rtmp://host[:port]/application/stream (for example rtmp://example.com/live/stream).";
    let rest = uri.split_once("://").map_or("", |(_, r)| r);
    // librtmp's options follow the address after a space.
    let rest = rest.split([' ', '?', '#']).next().unwrap_or_default();
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => return Some(FORM),
        },
        None => match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    if host.is_empty() {
        return Some(FORM);
    }
    if port.is_some_and(|p| !p.parse::<u16>().is_ok_and(|p| p > 0)) {
        return Some(
            "has a port outside 1–65535, which no server listens on; check the port number.",
        );
    }
    if path.split('/').filter(|s| !s.is_empty()).count() < 2 {
        return Some(FORM);
    }
    None
}

/// True when some installed source element reads `scheme://` URIs.
fn source_protocol_supported(scheme: &str) -> bool {
    gst::ElementFactory::factories_with_type(gst::ElementFactoryType::SRC, gst::Rank::NONE)
        .into_iter()
        .any(|f| {
            f.uri_type() == gst::URIType::Src
                && f.uri_protocols()
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(scheme))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtmp_addresses_need_a_host_a_port_in_range_an_application_and_a_stream() {
        for good in [
            "rtmp://127.0.0.1/live/test",
            "rtmp://h:1935/live/test",
            "RTMP://h/app/inst/stream?token=x",
            "rtmps://u:p@h:443/live/s",
            "rtmp://[::1]:1935/live/s",
            "rtmp://h/live/s live=1",
        ] {
            assert_eq!(rtmp_address_problem(good), None, "{good}");
        }
        for bad in [
            "rtmp://",
            "rtmp://:0/",
            "rtmp://h",
            "rtmp://h/live",
            "rtmp://h//s",
            "rtmp://h:0/live/s",
            "rtmp://h:99999/live/s",
            "rtmp://h:x/live/s",
            "rtmp://[::1/live/s",
            "rtmp://u:p@/live/s",
        ] {
            assert!(rtmp_address_problem(bad).is_some(), "{bad}");
        }
    }
}
